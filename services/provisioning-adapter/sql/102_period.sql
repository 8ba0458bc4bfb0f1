-- R14: the usage period of each application, from the form's length
-- (application.approved's usage) and the go-live day.  A term runs from base_on
-- for term_n units (term_unit 'm' months, 'd' days): the go-live day and
-- the form's length, then each approved renewal from the previous last
-- day (R14.3).  ends_on is its last day after the day-off shift (R14.1),
-- notice_on the day one month before it (R14.2); both stay open while
-- the calendar does not cover them and are recomputed (provisional) when
-- a year is published.
CREATE TABLE periods (
    app_id        text PRIMARY KEY,
    unit          text NOT NULL,
    months        int NOT NULL,              -- the form's length
    days          int NOT NULL,
    on_expiry     text NOT NULL,             -- 过期顺延 / 过期停止服务
    started_on    date,                      -- went live
    base_on       date,
    term_n        int,
    term_unit     char(1),
    ends_on       date,
    notice_on     date,
    provisional   boolean NOT NULL DEFAULT false,
    renewals      int NOT NULL DEFAULT 0,
    notice_order  text,                      -- this term's notice, once
    expired_at    timestamptz,               -- R14.4
    offline_order text
);

CREATE INDEX periods_open ON periods (ends_on) WHERE expired_at IS NULL;

-- R14.4: the backup of a system taken offline is kept like a terminated
-- system's data (R13.2), by its own rule: the deadline code of what is
-- kept (NULL: R13.2's retention).
ALTER TABLE retention ADD COLUMN keep text;
