-- audit: who caused each event and which unit it concerns (issue 12: the
-- auditors' queries by unit and by actor).  actor is the envelope's (the
-- actor whose request the producing service handled; '' when the service
-- acted on its own); unit is the payload's `unit`, else the unit of the
-- application as learned from an earlier event ('' when none).  Both are
-- covered by the hash: an event stored from now on has both set and its
-- canonical bytes end with them (the second form, proto/README.md "The
-- audit chain"); the events stored before keep both NULL and the first
-- form, so their hashes stand.
ALTER TABLE events ADD COLUMN unit text, ADD COLUMN actor text,
    ADD CONSTRAINT events_form CHECK ((unit IS NULL) = (actor IS NULL));

CREATE INDEX events_unit ON events (unit, seq);
CREATE INDEX events_actor ON events (actor, seq);
CREATE INDEX events_type ON events (type, seq);

-- The unit of each application, from the first event that names both.
CREATE TABLE app_units (
    app_id text PRIMARY KEY,
    unit   text NOT NULL
);

CREATE OR REPLACE FUNCTION event_canon(e events) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
  SELECT int4send(octet_length(convert_to(e.event_id, 'UTF8'))) || convert_to(e.event_id, 'UTF8')
      || int4send(octet_length(convert_to(e.source, 'UTF8'))) || convert_to(e.source, 'UTF8')
      || int4send(octet_length(convert_to(e.type, 'UTF8'))) || convert_to(e.type, 'UTF8')
      || int4send(octet_length(convert_to(coalesce(e.app_id, ''), 'UTF8')))
      || convert_to(coalesce(e.app_id, ''), 'UTF8')
      || int8send((extract(epoch FROM e.occurred_at) * 1000000)::bigint)
      || int4send(octet_length(e.payload_mp)) || e.payload_mp
      || CASE WHEN e.actor IS NULL THEN ''::bytea ELSE
           int4send(octet_length(convert_to(e.unit, 'UTF8'))) || convert_to(e.unit, 'UTF8')
           || int4send(octet_length(convert_to(e.actor, 'UTF8'))) || convert_to(e.actor, 'UTF8')
         END
$$;
