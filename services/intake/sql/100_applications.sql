-- intake: the unit's applications as submitted (R7, R8), their materials,
-- the unit's requests after approval (R10-R13), and the state each
-- application has reached as the other services announce it.  States are
-- checked against proto/yjc_lifecycle.def (yjc_is_state, defined from it
-- at every start).  Baseline: later changes are numbered migrations on
-- top.

CREATE SEQUENCE app_seq;

CREATE TABLE applications (
    app_id       text PRIMARY KEY,           -- intake id, e.g. A000042
    unit         text NOT NULL,              -- from the submitter's key
    submitted_by text NOT NULL,              -- actor name
    request_id   text NOT NULL,              -- envelope id of the submit
    project      text NOT NULL,
    form_mp      bytea NOT NULL,             -- msgpack, as received
    -- the materials it was submitted with (a list of proto's
    -- attachment_info, msgpack): one row written per submission
    materials_mp bytea,
    state        text NOT NULL CHECK (yjc_is_state(state)),
    state_rank   int NOT NULL DEFAULT 0,     -- how far along: never back
    number       text,                       -- R9.1, given by review
    -- R14.1, R11.1: the usage period runs from the conversion to
    -- production, as long as the form asked (1-3 years)
    usage_from   date,
    usage_months int,                        -- 0: not whole months
    usage_days   int,
    submitted_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- a retried submit (same sender, same id) is not a second application
    UNIQUE (submitted_by, request_id)
);

CREATE INDEX applications_unit ON applications (unit, submitted_at);

-- The steps after submission (the submission is the application row):
-- a state the application reached, or a step that moves none
-- ("request.approved:change").
CREATE TABLE history (
    app_id   text NOT NULL REFERENCES applications (app_id),
    at       timestamptz NOT NULL,
    state    text NOT NULL,
    event_id text,                           -- the event that moved it
    note     text
);

CREATE INDEX history_app ON history (app_id, at);

-- The materials (R8), uploaded in chunks.  A file is known within its
-- unit by its SHA-256: uploading it again (a retry, a resumed upload, the
-- same plan for a second application) finds the same row.
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

-- The materials later requests add (R10.3, R12.2).  No foreign keys:
-- every application of a unit may name the same files (its plans), and a
-- key would take a share lock on those rows in every submission
-- (concurrent ones queue on multixacts).  Files are never deleted or
-- changed once complete, and the handler checks in its own transaction
-- that each is the unit's and complete.
CREATE TABLE materials (
    app_id text NOT NULL,
    kind   text NOT NULL,
    att_id text NOT NULL,
    PRIMARY KEY (app_id, kind, att_id)
);

-- The unit's requests after approval, as submitted.
CREATE SEQUENCE request_seq;

CREATE TABLE requests (
    request_id   text PRIMARY KEY,           -- e.g. R000007
    app_id       text NOT NULL REFERENCES applications (app_id),
    unit         text NOT NULL,
    kind         text NOT NULL CHECK (yjc_is_request_kind(kind)),
    submitted_by text NOT NULL,
    envelope_id  text NOT NULL,              -- a retry is not a second one
    detail_mp    bytea NOT NULL,             -- the request body
    submitted_at timestamptz NOT NULL,
    UNIQUE (submitted_by, envelope_id)
);

CREATE INDEX requests_app ON requests (app_id, submitted_at);
