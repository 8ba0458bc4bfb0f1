-- scale.sql - clones the template applications scale.sh drove through the
-- real services (every row they left in the domain tables of intake,
-- review, provisioning and billing) as applications :from_k .. :to_k
-- times the template's size.  Nothing is changed but what names one
-- application, order, request or event: ids are renumbered (same width,
-- so the msgpack copies stay valid), the unit becomes 县单位NNN (clone k
-- of unit k mod 90, same byte length), envelope ids are new, and the
-- official numbers are given again in application order (R9.1: one
-- gapless sequence a year).  A history is mostly finished: the template's
-- applications still open (:'open', an array) are cloned only in every
-- :open_every-th clone, so ids have gaps there, as after a rollback.  The message
-- bus's own bookkeeping (outbox, inbox) is not cloned: it is not history
-- any query reads.  Run with psql -v from_k=.. -v to_k=..
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

CREATE OR REPLACE FUNCTION scale.tok(tok text, k int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN tok LIKE 'A%' THEN 'A' || lpad((substr(tok, 2)::int + k * s.apps)::text, 6, '0')
        WHEN tok LIKE 'O%' THEN 'O' || lpad((substr(tok, 2)::int + k * s.orders)::text, 6, '0')
        WHEN tok LIKE 'R%' THEN 'R' || lpad((substr(tok, 2)::int + k * s.requests)::text, 6, '0')
        WHEN tok LIKE '第%' THEN '第 ' || (substring(tok FROM '[0-9]+')::int + k * s.numbers) || ' 号'
        WHEN tok = '县教育局' THEN '县单位' || lpad((k % 90)::text, 3, '0')
        ELSE encode(convert_to('县单位' || lpad((k % 90)::text, 3, '0'), 'UTF8'), 'escape')
    END FROM scale.sizes s
$$;

-- what names something in a text (ids, number, unit) or, escaped, in a
-- msgpack copy (fixed-width ones only)
CREATE OR REPLACE FUNCTION scale.remap(v text, k int, pat text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    out text := '';
    p int;
    tok text;
BEGIN
    IF v IS NULL THEN
        RETURN NULL;
    ELSIF v ~ '^[0-9a-f]{12}-[0-9]+$' THEN  -- an envelope id
        RETURN left(md5(v || ':' || k), 12) || '-' || split_part(v, '-', 2);
    ELSIF v ~ '^(intake|review|provisioning|billing):[0-9]+$' THEN  -- an event id
        RETURN split_part(v, ':', 1) || ':' ||
            (split_part(v, ':', 2)::bigint + k::bigint * (SELECT events FROM scale.sizes));
    END IF;
    LOOP
        p := regexp_instr(v, pat);
        EXIT WHEN p = 0;
        tok := regexp_substr(v, pat);
        out := out || substr(v, 1, p - 1) || scale.tok(tok, k);
        v := substr(v, p + length(tok));
    END LOOP;
    RETURN out || v;
END $$;

CREATE OR REPLACE FUNCTION scale.clone(from_k int, to_k int, open text[],
                                       open_every int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    cols text;
    exprs text;
    unit_mp text := encode(convert_to('县教育局', 'UTF8'), 'escape');
    text_pat text := '[AOR][0-9]{6}|第 [0-9]+ 号|县教育局';
    mp_pat text;
BEGIN
    mp_pat := '[AOR][0-9]{6}|' || replace(unit_mp, '\', '\\');
    FOREACH t IN ARRAY ARRAY['intake.applications', 'intake.history',
        'intake.materials', 'intake.requests', 'review.applications',
        'review.decisions', 'review.duties', 'review.requests',
        'provisioning.orders', 'provisioning.apps', 'provisioning.retention',
        'provisioning.periods', 'billing.allocations'] LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum),
               string_agg(CASE
                   WHEN atttypid = 'text'::regtype THEN
                       format('scale.remap(%I, k, %L)', attname, text_pat)
                   WHEN atttypid = 'bytea'::regtype THEN
                       format('decode(scale.remap(encode(%I, ''escape''), k, %L), ''escape'')',
                              attname, mp_pat)
                   ELSE quote_ident(attname) END, ', ' ORDER BY attnum)
          INTO cols, exprs
          FROM pg_attribute a
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = t::regclass AND a.attnum > 0 AND NOT a.attisdropped
           AND coalesce(pg_get_expr(d.adbin, d.adrelid), '') NOT LIKE 'nextval%';
        -- the schema's triggers (orders_bump) name its functions unqualified
        PERFORM set_config('search_path', split_part(t, '.', 1) || ', public', true);
        EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM scale.%I,
                        generate_series($1, $2) k
                        WHERE k %% $4 = 0 OR app_id <> ALL ($3)', t, cols, exprs,
                       replace(t, '.', '_'))
          USING from_k, to_k, open, open_every;
    END LOOP;
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

SELECT scale.clone(:from_k, :to_k, :'open', :open_every);
ANALYZE;
