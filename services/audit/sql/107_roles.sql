-- audit: what the runtime role may do besides SELECT and INSERT (which
-- deploy/pg.sh grants on every table of the schema, issue 12).  The
-- migrations run as yjc_audit_owner, which owns the tables; yjc_audit,
-- the service at run time, cannot alter, update, delete from or truncate
-- events or checkpoints.  Run as the runtime role itself (a database
-- bootstrapped before the owner role existed), these grants are no-ops.
DO $$
DECLARE
    runtime text := regexp_replace(current_user, '_owner$', '');
BEGIN
    -- the chain's head moves with every delivery (chain.c)
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON chain_head TO %I', runtime);
    -- the outbox and the inbox: delivered rows are removed (yjc_relay.c),
    -- a refused event is marked (yjc_work.c)
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON outbox, outbox_pending TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON inbox TO %I', runtime);
END $$;
