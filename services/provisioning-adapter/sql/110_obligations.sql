-- R16, R21: the vendor's deliveries of its recurring obligations
-- (proto/yjc_obligations.def), one per code and period in force; a
-- delivery again for the same period replaces it and the earlier one is
-- kept (replaced_by): the history.  The file is stored inline (at most
-- 256 KiB, the schema's bound).

CREATE SEQUENCE obligation_seq;

CREATE TABLE obligation_submissions (
    submission_id  text PRIMARY KEY,            -- e.g. B000007
    code           text NOT NULL,
    period         text NOT NULL,               -- 2026-11, 2026-H2, 2026-Q4
    version        int NOT NULL,
    file_name      text NOT NULL,
    file           bytea NOT NULL,
    sha256         text NOT NULL,
    drill_date     date,
    drill_scenario text,
    drill_outcome  text,
    note           text,
    submitted_by   text NOT NULL,
    submitted_at   timestamptz NOT NULL,
    replaced_by    text,                        -- the version after it
    UNIQUE (code, period, version),
    CHECK (length(file) <= 262144)
);

CREATE UNIQUE INDEX obligation_in_force
    ON obligation_submissions (code, period) WHERE replaced_by IS NULL;
