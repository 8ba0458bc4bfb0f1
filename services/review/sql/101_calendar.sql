-- The working calendar's published years (calendar.publish) and whether
-- each stored deadline was computed on a provisional year (暂定; time
-- rules, "Years without a published arrangement").  A deadline computed
-- on a provisional year is recomputed from its start when that year is
-- published (or corrected).

ALTER TABLE applications
    ADD COLUMN accept_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN decide_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN accepted_at timestamptz;       -- the start of decide_due

ALTER TABLE duties
    ADD COLUMN provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN due_from timestamptz;          -- the start of due

-- Every publication, the replaced ones kept (history): one in force per
-- year and kind (a correction replaces the earlier one).
CREATE TABLE calendar_years (
    pub_id       bigserial PRIMARY KEY,
    year         int NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('full', 'local')),
    published_by text NOT NULL,
    published_at timestamptz NOT NULL,
    replaced_by  bigint                    -- the correction in force
);

CREATE UNIQUE INDEX calendar_years_in_force ON calendar_years (year, kind)
    WHERE replaced_by IS NULL;

CREATE TABLE calendar_days (
    pub_id bigint NOT NULL REFERENCES calendar_years (pub_id),
    date   date NOT NULL,
    off    boolean NOT NULL,
    name   text NOT NULL DEFAULT '',
    PRIMARY KEY (pub_id, date)
);

-- The version of the calendar in force: a unit of work computing a
-- deadline reads it FOR SHARE, a publication bumps it, so neither misses
-- the other's rows.
CREATE TABLE calendar_state (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO calendar_state VALUES (true, 0);
