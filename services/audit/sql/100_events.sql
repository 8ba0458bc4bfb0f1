-- audit: every event of every service, append-only, for the auditors.

CREATE TABLE events (
    seq         bigserial PRIMARY KEY,       -- order of arrival
    event_id    text NOT NULL UNIQUE,        -- "<service>:<seq>"
    source      text NOT NULL,
    type        text NOT NULL,
    app_id      text,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    payload_mp  bytea NOT NULL               -- msgpack, as delivered
);

CREATE INDEX events_app ON events (app_id, seq);

-- Nothing written here is ever changed or removed (not even by us).
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only';
END $$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
