-- scale.sql - the template scale.sh drove through the real services (every
-- row they left in the domain tables of intake, review, provisioning and
-- billing), kept once in schema scale with its sizes, and scale.finish(),
-- run after scale.py's clones (applications up to :to_k times the
-- template's size) are copied in.  Nothing in a clone is changed but what
-- names one application, order, request or event: ids are renumbered
-- (same width, so the msgpack copies stay valid), the unit becomes
-- 县单位NNN (clone k of unit k mod 90, same byte length), envelope ids are
-- new, and the official numbers are given again here in application
-- order (R9.1: one gapless sequence a year).  A history is mostly
-- finished: the template's applications still open are cloned only in
-- every open_every-th clone, so ids have gaps there, as after a
-- rollback.  The message bus's own bookkeeping (outbox, inbox) is not
-- cloned: it is not history any query reads.  Run with psql -v to_k=..
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS scale;

-- the template, taken once (its sizes: applications, orders, requests,
-- official numbers)
DO $$
DECLARE t text;
BEGIN
    IF to_regclass('scale.sizes') IS NOT NULL THEN
        RETURN;
    END IF;
    FOREACH t IN ARRAY ARRAY['intake.applications', 'intake.history',
        'intake.materials', 'intake.requests', 'review.applications',
        'review.decisions', 'review.duties', 'review.requests',
        'provisioning.orders', 'provisioning.apps', 'provisioning.periods',
        'provisioning.retention', 'billing.allocations'] LOOP
        EXECUTE format('CREATE TABLE scale.%I AS SELECT * FROM %s',
                       replace(t, '.', '_'), t);
    END LOOP;
    CREATE TABLE scale.sizes AS SELECT
        (SELECT count(*) FROM intake.applications)::int AS apps,
        (SELECT count(*) FROM provisioning.orders)::int AS orders,
        (SELECT count(*) FROM intake.requests)::int AS requests,
        (SELECT count(number) FROM review.applications)::int AS numbers,
        1000 AS events;  -- above any template outbox's last seq
END $$;

CREATE OR REPLACE FUNCTION scale.finish(to_k int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- R9.1: the numbers again, gapless, in the order of the applications
    -- (review gives them, intake keeps the copy the event carried)
    CREATE TEMP TABLE numbers ON COMMIT DROP AS
        SELECT app_id, '永府办政云管审（2026）第 ' ||
               row_number() OVER (ORDER BY app_id) || ' 号' AS number
          FROM review.applications WHERE number IS NOT NULL;
    -- (through a number no one has: the key is checked row by row)
    UPDATE review.applications a SET number = 'scale:' || a.app_id
      FROM numbers n WHERE a.app_id = n.app_id AND a.number <> n.number;
    UPDATE review.applications a SET number = n.number
      FROM numbers n WHERE a.app_id = n.app_id AND a.number <> n.number;
    UPDATE intake.applications i SET number = a.number
      FROM review.applications a
     WHERE a.app_id = i.app_id AND i.number IS DISTINCT FROM a.number;
    UPDATE review.numbering SET last = (SELECT count(number) FROM review.applications)
     WHERE year = 2026;
    PERFORM setval('intake.app_seq', (to_k + 1) * apps),
            setval('provisioning.order_seq', (to_k + 1) * orders),
            setval('intake.request_seq', (to_k + 1) * requests)
       FROM scale.sizes;
END $$;

SELECT scale.finish(:to_k);
-- the cloned tables only (not audit's millions of events)
ANALYZE intake.applications, intake.history, intake.materials, intake.requests,
    review.applications, review.decisions, review.duties, review.requests,
    provisioning.orders, provisioning.apps, provisioning.retention,
    provisioning.periods, billing.allocations;
