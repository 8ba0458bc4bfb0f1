-- audit: the inbox.  Notifications derived from the events as they are
-- stored (proto/yjc_notify.def, same transaction), addressed to a party
-- (the application's unit, the bureau, the vendor); read marks per actor
-- name, so two clerks of one unit each have their own.

CREATE TABLE notifications (
    id          bigserial PRIMARY KEY,
    event_id    text NOT NULL REFERENCES events (event_id),
    recipient   text NOT NULL CHECK (yjc_is_party(recipient)),
    unit        text,                      -- the unit, when to a unit
    app_id      text,
    type        text NOT NULL,             -- the event's
    title       text NOT NULL,
    body        text NOT NULL,             -- the payload's facts
    created_at  timestamptz NOT NULL,
    UNIQUE (event_id, recipient),
    CHECK ((unit IS NULL) = (recipient <> 'unit'))
);

CREATE INDEX notifications_to ON notifications (recipient, unit, id);

CREATE TABLE notification_reads (
    id       bigint NOT NULL REFERENCES notifications (id),
    actor    text NOT NULL,
    read_at  timestamptz NOT NULL,
    PRIMARY KEY (id, actor)
);
