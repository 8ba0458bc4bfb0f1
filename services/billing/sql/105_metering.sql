-- billing: utilization the vendor measures (R11.3, R17).  Billing owns it
-- because it owns what was allocated when: a sample is only taken for an
-- application that has an allocation interval covering its time.
--
-- Raw samples are partitioned by month (declarative partitioning); the
-- service creates a month's partition ahead (tick) or when a batch first
-- needs it (yjc_metering_partition), and drops partitions older than
-- YJC_METERING_KEEP_MONTHS.  Identity (app_id, resource, at): a retried
-- sample is a no-op (ON CONFLICT DO NOTHING).

CREATE TABLE metering_samples (
    app_id      text NOT NULL,
    resource    text NOT NULL,      -- the vendor's host / line identifier
    at          timestamptz NOT NULL,
    cpu_pct     smallint NOT NULL,  -- whole percent, 0-100
    mem_pct     smallint NOT NULL,  -- whole percent, 0-100
    disk_gb     int NOT NULL,       -- disk used, GB
    bw_in_mbps  int NOT NULL,       -- peak since the previous sample
    bw_out_mbps int NOT NULL,
    PRIMARY KEY (app_id, resource, at)
) PARTITION BY RANGE (at);

-- One row per application, resource and day (Asia/Shanghai), recomputed
-- from the raw rows of the days a batch touched; kept when the raw
-- partitions are dropped (reports and the annual bill read these).
CREATE TABLE metering_daily (
    app_id      text NOT NULL,
    resource    text NOT NULL,
    day         date NOT NULL,
    samples     int NOT NULL,
    cpu_p50     real NOT NULL,
    cpu_p95     real NOT NULL,
    cpu_max     real NOT NULL,
    mem_p50     real NOT NULL,
    mem_p95     real NOT NULL,
    mem_max     real NOT NULL,
    disk_max    int NOT NULL,
    bw_in_max   int NOT NULL,
    bw_out_max  int NOT NULL,
    first_at    timestamptz NOT NULL,
    last_at     timestamptz NOT NULL,
    PRIMARY KEY (app_id, resource, day)
);

CREATE INDEX metering_daily_day ON metering_daily (day);

-- The partition holding `month` (any time in it), created if missing.
-- Serialised by an advisory lock: two batches of a new month must not
-- race on CREATE TABLE.
CREATE FUNCTION yjc_metering_partition(month timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m0 date := date_trunc('month', month AT TIME ZONE 'Asia/Shanghai')::date;
    part text := 'metering_samples_' || to_char(m0, 'YYYY_MM');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('yjc_metering_partition'));
    IF to_regclass(part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF metering_samples'
                       ' FOR VALUES FROM (%L) TO (%L)', part,
                       (m0::timestamp AT TIME ZONE 'Asia/Shanghai'),
                       ((m0 + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'));
    END IF;
END $$;

-- R11.3: the idle rule is data the bureau changes (idle.rule_set); one
-- row, the rule in force.  A system is idle when, over the last
-- window_days, the p95 of CPU is below cpu_p95 and the p95 of memory
-- below mem_p95, or when a resource sent no sample for silent_days.
CREATE TABLE idle_rule (
    id          int PRIMARY KEY CHECK (id = 1),
    window_days int NOT NULL,
    cpu_p95     real NOT NULL,
    mem_p95     real NOT NULL,
    silent_days int NOT NULL,
    set_by      text NOT NULL,
    set_at      timestamptz NOT NULL
);

INSERT INTO idle_rule VALUES (1, 30, 5, 20, 14, 'default', 'epoch');

-- The (application, resource, day) rollups a batch made stale, queued for
-- the tick (metering.c).  `queued` only makes a re-queue of a key being
-- taken wait for the taker (ON CONFLICT DO UPDATE), never lost.
CREATE TABLE metering_dirty (
    app_id   text NOT NULL,
    resource text NOT NULL,
    day      date NOT NULL,
    queued   int NOT NULL DEFAULT 1,
    PRIMARY KEY (app_id, resource, day)
);

-- The tick's partition work: this month's and the next made ahead, and
-- those of months before `keep` months ago dropped.  Returns the names
-- dropped.
CREATE FUNCTION yjc_metering_maintain(at_now timestamptz, keep int)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    cur date := date_trunc('month', at_now AT TIME ZONE 'Asia/Shanghai')::date;
    oldest text := 'metering_samples_'
                   || to_char(cur - make_interval(months => keep), 'YYYY_MM');
    r record;
BEGIN
    PERFORM yjc_metering_partition(cur::timestamp AT TIME ZONE 'Asia/Shanghai');
    PERFORM yjc_metering_partition((cur + interval '1 month')::timestamp
                                   AT TIME ZONE 'Asia/Shanghai');
    FOR r IN SELECT c.relname::text AS name FROM pg_inherits i
             JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'metering_samples'::regclass
               AND c.relname::text < oldest ORDER BY 1 LOOP
        EXECUTE format('DROP TABLE %I', r.name);
        RETURN NEXT r.name;
    END LOOP;
END $$;

-- This month's partition and the next from the start (the tick keeps
-- making them ahead), so that a fresh install and an upgraded one have the
-- same tables before either tick ran.
SELECT yjc_metering_partition(now());
SELECT yjc_metering_partition(now() + interval '1 month');
