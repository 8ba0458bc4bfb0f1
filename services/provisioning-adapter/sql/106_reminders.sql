-- provisioning: the reminders its tick gave (order.deadline_near,
-- order.deadline_overdue), once per open order owed by the vendor
-- (ref = the order).  A restart, a second
-- instance or a tick run again finds the row and says nothing more; a
-- deadline moved by a published year is a new due day, said again.

CREATE TABLE reminders (
    ref      text NOT NULL,                 -- the order
    stage    text NOT NULL CHECK (stage IN ('near', 'overdue')),
    due      date NOT NULL,
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (ref, stage, due)
);
