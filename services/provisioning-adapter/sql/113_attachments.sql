-- intake's attachments this service may be asked to name (R15 problem
-- reports, R18 rectifications): learned from attachment.stored, so that a
-- request naming one is checked here (it exists, it is the unit's own)
-- without reading intake's tables (common/yjc_attachref.c).
CREATE TABLE known_attachments (
    att_id  text PRIMARY KEY,
    unit    text NOT NULL,
    name    text NOT NULL,
    size    bigint NOT NULL,
    sha256  text NOT NULL
);
