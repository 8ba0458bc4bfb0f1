-- billing: what the runtime role may do besides SELECT and INSERT (which
-- deploy/pg.sh grants on every table of the schema when billing is one of
-- YJC_APPEND_ONLY_SCHEMAS, issue 12).  The migrations run as
-- yjc_billing_owner, which owns the tables; yjc_billing, the service at run
-- time, cannot alter, update, delete from or truncate the rest: the
-- metering samples (R11.3, R17), the price versions and the charges
-- journal (R17).  Run as the runtime role
-- itself (a database bootstrapped without the owner role), these grants
-- are no-ops.
DO $$
DECLARE
    runtime text := regexp_replace(current_user, '_owner$', '');
BEGIN
    -- an interval closes (valid_to); the idle rule is set; the rollups
    -- are recomputed; the dirty keys are taken; a month is rated again
    EXECUTE format('GRANT UPDATE ON allocations, idle_rule, metering_daily,'
                   ' rated_months TO %I', runtime);
    EXECUTE format('GRANT UPDATE, DELETE ON metering_dirty TO %I', runtime);
    -- the outbox and the inbox: delivered rows are removed (yjc_relay.c),
    -- a refused event is marked (yjc_work.c)
    EXECUTE format('GRANT DELETE ON outbox, outbox_pending TO %I', runtime);
    EXECUTE format('GRANT UPDATE, DELETE ON inbox TO %I', runtime);
END $$;

-- The month partitions are made and dropped by the owner, on the service's
-- behalf: the runtime role creates nothing in the schema.
ALTER FUNCTION yjc_metering_partition(timestamptz)
    SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION yjc_metering_maintain(timestamptz, int)
    SECURITY DEFINER SET search_path FROM CURRENT;
