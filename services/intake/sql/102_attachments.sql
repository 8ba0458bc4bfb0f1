-- intake: the materials of an application (R8), uploaded in chunks.
-- A file is known within its unit by its SHA-256: uploading it again
-- (a retry, a resumed upload, the same plan for a second application)
-- finds the same row.

CREATE SEQUENCE attachment_seq;

CREATE TABLE attachments (
    att_id       text PRIMARY KEY,           -- e.g. F000042
    unit         text NOT NULL,              -- from the uploader's key
    uploaded_by  text NOT NULL,              -- actor name
    name         text NOT NULL,              -- file name as uploaded
    media_type   text NOT NULL,
    size         bigint NOT NULL CHECK (size > 0 AND size <= 20971520),
    sha256       text NOT NULL,              -- lowercase hex, as declared
    received     bigint NOT NULL DEFAULT 0,  -- bytes stored so far
    complete     boolean NOT NULL DEFAULT false,
    data         bytea,                      -- the file, once verified
    created_at   timestamptz NOT NULL,
    completed_at timestamptz,
    UNIQUE (unit, sha256),
    CHECK (NOT complete OR (data IS NOT NULL AND received = size))
);

-- Uncompressed out-of-line storage: a download reads its 256 KiB slice
-- without detoasting the whole file.
ALTER TABLE attachments ALTER COLUMN data SET STORAGE EXTERNAL;

-- The chunks of an upload in progress; assembled into attachments.data
-- and deleted when the last one arrives and the SHA-256 matches.
CREATE TABLE attachment_chunks (
    att_id text NOT NULL REFERENCES attachments (att_id),
    off    bigint NOT NULL,
    data   bytea NOT NULL,
    PRIMARY KEY (att_id, off)
);

-- Which attachment is which material of which application.
CREATE TABLE materials (
    app_id text NOT NULL REFERENCES applications (app_id),
    kind   text NOT NULL,
    att_id text NOT NULL REFERENCES attachments (att_id),
    PRIMARY KEY (app_id, kind, att_id)
);
