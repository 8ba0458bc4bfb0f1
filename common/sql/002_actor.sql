-- Who caused each event: the actor (proto/README.md) whose request the
-- service was handling when it emitted the event; NULL when the service
-- acted on its own (an event of another service, a deadline's tick).
-- The relay carries it in the envelope; audit keeps it (issue 12).
ALTER TABLE outbox ADD COLUMN actor text;
