-- billing: which resources were allocated to which application, from
-- when to when (R17).  A change opens a new interval; nothing is ever
-- overwritten, so any period can be priced later.  stage is a billing
-- interval of proto/yjc_lifecycle.def.

CREATE TABLE allocations (
    id           bigserial PRIMARY KEY,
    app_id       text NOT NULL,
    unit         text NOT NULL,
    order_id     text NOT NULL UNIQUE,     -- the vendor's delivery
    stage        text NOT NULL CHECK (yjc_is_interval(stage)),
    resources    jsonb NOT NULL,           -- as granted, for reports
    resources_mp bytea NOT NULL,
    built_mp     bytea,
    lines        int NOT NULL,             -- resource lines allocated
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz               -- open while NULL
);

CREATE INDEX allocations_app ON allocations (app_id, valid_from);
