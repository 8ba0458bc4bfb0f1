-- intake: the unit's applications as submitted (R7, R8), and the state
-- each one has reached as the other services announce it.

CREATE SEQUENCE app_seq;

CREATE TABLE applications (
    app_id       text PRIMARY KEY,           -- intake id, e.g. A000042
    unit         text NOT NULL,              -- from the submitter's key
    submitted_by text NOT NULL,              -- actor name
    request_id   text NOT NULL,              -- envelope id of the submit
    project      text NOT NULL,
    form_mp      bytea NOT NULL,             -- msgpack, as received
    state        text NOT NULL DEFAULT 'submitted',
    state_rank   int NOT NULL DEFAULT 0,     -- how far along: never back
    submitted_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- a retried submit (same sender, same id) is not a second application
    UNIQUE (submitted_by, request_id)
);

CREATE INDEX applications_unit ON applications (unit, submitted_at);

-- The steps after submission (the submission is the application row).
CREATE TABLE history (
    app_id   text NOT NULL REFERENCES applications (app_id),
    at       timestamptz NOT NULL,
    state    text NOT NULL,
    event_id text,                           -- the event that moved it
    note     text
);

CREATE INDEX history_app ON history (app_id, at);
