-- review: the reminders its tick gave (deadline.near, deadline.overdue),
-- once per step: the bureau's decision on an application (ref = the
-- application) or a duty (ref = the duty's).  A restart, a second
-- instance or a tick run again finds the row and says nothing more; a
-- deadline moved (a published year, an extended test) is a new due day,
-- said again.

CREATE TABLE reminders (
    what     text NOT NULL CHECK (yjc_is_deadline(what)),
    ref      text NOT NULL,
    stage    text NOT NULL CHECK (stage IN ('near', 'overdue')),
    due      date NOT NULL,
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (what, ref, stage, due)
);
