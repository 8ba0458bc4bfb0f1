-- outbox_pending is a queue: each row is deleted milliseconds after its
-- insert.  The relay's index scan walks the dead entries until a vacuum
-- removes them (1.3 ms a call, seen under load: issue 14); by the default
-- thresholds that waits for 20 % of a table the statistics believe empty.
-- Vacuumed after every 1 000 deletions instead, without pauses.
ALTER TABLE outbox_pending SET (autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 0);
