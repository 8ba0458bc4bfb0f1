-- R11.2: the elastic ranges the bureau approved (elastic.approved from
-- review; the newest replaces the ranges in force), and every scaling
-- step the vendor reported inside them.  A step is keyed by its reporter
-- and report_key: the same key again is the same step, never applied
-- twice.  before_mp/resources_mp: the resources before and after it.

CREATE TABLE elastic_ranges (
    app_id      text PRIMARY KEY,
    ranges_mp   bytea NOT NULL,
    approved_by text NOT NULL,
    approved_at timestamptz NOT NULL,
    opinion     text,
    cause_event text NOT NULL
);

CREATE SEQUENCE scaling_seq;

CREATE TABLE scaling_steps (
    step_id      text PRIMARY KEY,         -- e.g. S000003
    app_id       text NOT NULL REFERENCES apps (app_id),
    reporter     text NOT NULL,
    report_key   text NOT NULL,
    at           timestamptz NOT NULL,     -- when the step took effect
    before_mp    bytea NOT NULL,
    resources_mp bytea NOT NULL,
    reported_at  timestamptz NOT NULL,
    UNIQUE (reporter, report_key)
);

CREATE INDEX scaling_steps_app ON scaling_steps (app_id, at);
