-- Every service's reliable-messaging tables, created in its own schema.
-- An event and the state change it announces commit together (outbox);
-- an event received is recorded with the change it causes (inbox), so a
-- redelivery changes nothing.

CREATE TABLE outbox (
    seq        bigserial PRIMARY KEY,       -- event id is "<service>:<seq>"
    type       text NOT NULL,
    app_id     text,
    created_at timestamptz NOT NULL,
    payload    bytea NOT NULL               -- msgpack map, per proto/
);

-- One row per receiver still owed the event; deleted on acknowledgement.
-- Written only together with its outbox row (no foreign key: the check
-- would cost a lookup per row on the hottest insert of every service).
CREATE TABLE outbox_pending (
    receiver text NOT NULL,
    seq      bigint NOT NULL,
    PRIMARY KEY (receiver, seq)
);

CREATE TABLE inbox (
    event_id    text PRIMARY KEY,
    source      text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    outcome     text NOT NULL DEFAULT 'applied'
                CHECK (outcome IN ('applied', 'refused')),
    detail      text
);
