-- R11.2: the elastic ranges the bureau approved for a system with large
-- load swings, per resource line (proto `elastic`), with the grant
-- (review.approve) or later (review.elastic).  Every version is kept
-- with who approved it, when, and the opinion; the newest is in force.

CREATE TABLE elastic_ranges (
    id          bigserial PRIMARY KEY,
    app_id      text NOT NULL REFERENCES applications (app_id),
    ranges_mp   bytea NOT NULL,
    approved_by text NOT NULL,
    approved_at timestamptz NOT NULL,
    opinion     text
);

CREATE INDEX elastic_ranges_app ON elastic_ranges (app_id, id);
