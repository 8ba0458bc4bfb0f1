-- intake: the unit's requests after approval (R10.2 extension, R10.3 and
-- R11.1 go-live, R12 change, R13.1 termination), as submitted.

CREATE SEQUENCE request_seq;

CREATE TABLE requests (
    request_id   text PRIMARY KEY,           -- e.g. R000007
    app_id       text NOT NULL REFERENCES applications (app_id),
    unit         text NOT NULL,
    kind         text NOT NULL,
    submitted_by text NOT NULL,
    envelope_id  text NOT NULL,              -- a retry is not a second one
    detail_mp    bytea NOT NULL,             -- the request body
    submitted_at timestamptz NOT NULL,
    UNIQUE (submitted_by, envelope_id)
);

CREATE INDEX requests_app ON requests (app_id, submitted_at);
