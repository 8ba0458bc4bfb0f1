-- The working calendar's published years (calendar.published, from
-- review) and whether each stored deadline was computed on a provisional
-- year (暂定; time rules): recomputed from its start when that year is
-- published (or corrected).

ALTER TABLE orders
    ADD COLUMN due_provisional boolean NOT NULL DEFAULT false,
    ADD COLUMN due_from timestamptz;          -- the start of due

ALTER TABLE retention
    ADD COLUMN provisional boolean NOT NULL DEFAULT false;

-- Every publication received, the replaced ones kept (history): one in
-- force per year and kind.  pub_id is review's.
CREATE TABLE calendar_years (
    pub_id       bigint PRIMARY KEY,
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

CREATE TABLE calendar_state (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO calendar_state VALUES (true, 0);
