-- audit: the hash chain (proto/README.md "The audit chain").  Every event
-- carries hash = SHA-256(previous hash || its canonical bytes), one chain
-- in seq order; chain_head is the last link, locked by every writer so the
-- chain stays linear.  The events stored before this migration are
-- chained here, in seq order, from the genesis hash (32 zero bytes).

ALTER TABLE events ADD COLUMN hash bytea;

-- The canonical bytes: u32be length + bytes of event_id, source, type,
-- app_id ('' when none); occurred_at as i64be microseconds since the Unix
-- epoch; u32be length + bytes of payload_mp.  The service computes the
-- same in C (services/audit/chain.c); this function serves the migration
-- and whoever checks by hand.
CREATE FUNCTION event_canon(e events) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT int4send(octet_length(convert_to(e.event_id, 'UTF8'))) || convert_to(e.event_id, 'UTF8')
      || int4send(octet_length(convert_to(e.source, 'UTF8'))) || convert_to(e.source, 'UTF8')
      || int4send(octet_length(convert_to(e.type, 'UTF8'))) || convert_to(e.type, 'UTF8')
      || int4send(octet_length(convert_to(coalesce(e.app_id, ''), 'UTF8')))
      || convert_to(coalesce(e.app_id, ''), 'UTF8')
      || int8send((extract(epoch FROM e.occurred_at) * 1000000)::bigint)
      || int4send(octet_length(e.payload_mp)) || e.payload_mp
$$;

CREATE TABLE chain_head (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq         bigint NOT NULL,   -- the last event's (0: none yet)
    count       bigint NOT NULL,   -- events in the chain
    hash        bytea NOT NULL,    -- the last event's hash
    legacy_seq  bigint NOT NULL    -- events after it have consecutive seq
);

ALTER TABLE events DISABLE TRIGGER events_append_only;
DO $$
DECLARE
    h bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
    r events;
    n bigint := 0;
    last bigint := 0;
BEGIN
    FOR r IN SELECT * FROM events ORDER BY seq LOOP
        h := sha256(h || event_canon(r));
        UPDATE events SET hash = h WHERE seq = r.seq;
        n := n + 1;
        last := r.seq;
    END LOOP;
    INSERT INTO chain_head VALUES (true, last, n, h, last);
END $$;
ALTER TABLE events ENABLE TRIGGER events_append_only;
ALTER TABLE events ALTER COLUMN hash SET NOT NULL;

-- Signed checkpoints: (seq, count, head, at) signed by the audit service's
-- Ed25519 key (proto/README.md gives the signed bytes).  Append-only too.
CREATE TABLE checkpoints (
    seq         bigint PRIMARY KEY,   -- the chain head's event
    count       bigint NOT NULL,
    head        bytea NOT NULL,
    at_us       bigint NOT NULL,      -- when signed, µs since the epoch
    public_key  bytea NOT NULL,
    sig         bytea NOT NULL
);
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
