/*  metering.c - utilization samples the vendor reports (R11.3, R17).

    Billing owns metering because it already owns what was allocated when
    (the intervals of allocations): a sample is only accepted for an
    application with an interval covering the sample's time, and the idle
    rule (idle.c) compares what is used with what is allocated, both here,
    in one schema, in one transaction, with no event round trip.

    A batch is all or nothing, like every other request: each refused
    sample is named in the one error reply (body.samples[12].cpu_pct,
    body.samples[40].app_id ...), nothing of the batch is kept, and the
    vendor resends the batch without them.  Resending is always safe: a
    sample is identified by (app_id, resource, at), and one already stored
    is counted as a duplicate and changes nothing.

    The samples go in with one INSERT ... SELECT FROM unnest(arrays) ON
    CONFLICT DO NOTHING (measured against binary COPY by make bench); the
    (app, resource, day) keys of the rows actually inserted are queued in
    metering_dirty, and the tick recomputes their daily rollups from the
    raw rows, so that ingestion never waits on percentiles.             */
#include "metering.h"
#include "yjc_config.h"
#include "yjc_time.h"

//  A sample later than this past the clock is refused (clock skew of the
//  vendor's collectors is allowed, a date in the future is not).
#define METERING_FUTURE_US (5LL * 60 * 1000000)
//  Daily rollups recomputed per tick, at most.
#define METERING_ROLLUPS_PER_TICK 2000

typedef struct {
    char *data;
    size_t size, cap;
} s_buf_t;

static void
s_put (s_buf_t *b, const char *s, size_t n)
{
    if (b->size + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->size + n + 1)
            cap *= 2;
        char *data = (char *)realloc (b->data, cap);
        if (!data)
            abort (); //  out of memory: nothing sensible to answer
        b->data = data;
        b->cap = cap;
    }
    memcpy (b->data + b->size, s, n);
    b->size += n;
    b->data[b->size] = 0;
}

//  Appends one element of an array literal: `s` quoted and escaped.
static void
s_put_item (s_buf_t *b, const char *s, size_t n)
{
    s_put (b, b->size > 1 ? ",\"" : "\"", b->size > 1 ? 2 : 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            s_put (b, "\\", 1);
        s_put (b, s + i, 1);
    }
    s_put (b, "\"", 1);
}

static void
s_put_int (s_buf_t *b, int64_t v)
{
    char num[24];
    int n = snprintf (
        num, sizeof num, "%s%lld", b->size > 1 ? "," : "", (long long)v);
    s_put (b, num, (size_t)n);
}

//  The columns of a batch, as array literals for unnest.
enum { C_APP, C_RES, C_AT, C_CPU, C_MEM, C_DISK, C_BWIN, C_BWOUT, C_COUNT };
static const char *s_int_keys[] = { NULL,         NULL,         NULL,
                                    "cpu_pct",    "mem_pct",    "disk_gb",
                                    "bw_in_mbps", "bw_out_mbps" };

//  Reads the samples into column literals; refuses a time that is not
//  ISO-8601, later than METERING_FUTURE_US past the clock, or before the
//  months kept (it would land in a dropped partition).  Returns the
//  number of problems.
static int
s_columns (yjc_ctx_t *ctx, const msgpack_object *samples, s_buf_t *cols)
{
    int problems = 0;
    int keep = yjc_config_int (YJC_CFG_METERING_KEEP_MONTHS);
    yjc_date_t today = yjc_time_local_date (ctx->now);
    int months = today.y * 12 + (today.m - 1) - keep;
    yjc_date_t oldest = { months / 12, months % 12 + 1, 1 };
    int64_t oldest_us = yjc_date_start_us (oldest);
    for (int c = 0; c < C_COUNT; c++)
        s_put (&cols[c], "{", 1);
    for (uint32_t i = 0; i < samples->via.array.size; i++) {
        const msgpack_object *s = &samples->via.array.ptr[i];
        const char *str;
        size_t len;
        char at_text[41], field[64], iso[40];
        yjc_obj_str (s, "app_id", &str, &len);
        s_put_item (&cols[C_APP], str, len);
        yjc_obj_str (s, "resource", &str, &len);
        s_put_item (&cols[C_RES], str, len);
        yjc_obj_strcpy (s, "at", at_text, sizeof at_text);
        int64_t at = 0;
        int before = problems++;
        snprintf (field, sizeof field, "body.samples[%u].at", i);
        if (yjc_time_parse_iso (at_text, &at) != 0)
            yjc_ctx_fail (ctx,
                          YJC_E_INVALID_VALUE,
                          field,
                          "not an ISO-8601 time: %s",
                          at_text);
        else if (at > ctx->now + METERING_FUTURE_US)
            yjc_ctx_fail (ctx,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "%s is more than 5 minutes past the clock",
                          at_text);
        else if (at < oldest_us)
            yjc_ctx_fail (ctx,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "%s is older than the %d months kept",
                          at_text,
                          keep);
        else
            problems = before;
        //  A refused time is NULL: not looked up as running or not.
        if (problems > before)
            s_put (&cols[C_AT],
                   cols[C_AT].size > 1 ? ",NULL" : "NULL",
                   cols[C_AT].size > 1 ? 5 : 4);
        else {
            yjc_time_format_iso (at, iso);
            s_put_item (&cols[C_AT], iso, strlen (iso));
        }
        for (int c = C_CPU; c < C_COUNT; c++) {
            int64_t v = 0;
            yjc_obj_int (s, s_int_keys[c], &v);
            s_put_int (&cols[c], v);
        }
    }
    for (int c = 0; c < C_COUNT; c++)
        s_put (&cols[c], "}", 1);
    return problems;
}

//  R11.3, R17: a sample is of a running system, one with an allocation
//  interval covering its time.  Names every other (up to the problems a
//  reply carries).  Returns the number found, -1 on a database error.
static int
s_not_running (yjc_ctx_t *ctx, s_buf_t *cols)
{
    const char *params[] = { cols[C_APP].data, cols[C_AT].data };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT (s.i - 1)::text, s.app FROM unnest($1::text[],"
        " $2::timestamptz[]) WITH ORDINALITY AS s(app, at, i)"
        " WHERE s.at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM allocations a"
        "  WHERE a.app_id = s.app AND a.valid_from <= s.at"
        "  AND (a.valid_to IS NULL OR s.at < a.valid_to))"
        " ORDER BY s.i LIMIT 40",
        2,
        params);
    if (!res)
        return -1;
    int n = PQntuples (res);
    for (int r = 0; r < n; r++) {
        char field[64];
        snprintf (field,
                  sizeof field,
                  "body.samples[%s].app_id",
                  PQgetvalue (res, r, 0));
        yjc_ctx_fail (ctx,
                      YJC_E_INVALID_STATE,
                      field,
                      "%s is not running at the sample's time (no allocation"
                      " interval covers it)",
                      PQgetvalue (res, r, 1));
    }
    PQclear (res);
    return n;
}

//  Creates the partitions of the months the batch falls in (usually there
//  already: the tick makes this month's and the next ahead).
static int
s_partitions (yjc_ctx_t *ctx, s_buf_t *cols)
{
    const char *params[] = { cols[C_AT].data };
    PGresult *res =
        yjc_db_query (ctx->db,
                      "SELECT yjc_metering_partition(m) FROM (SELECT DISTINCT"
                      " date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')"
                      " AT TIME ZONE 'Asia/Shanghai' AS m"
                      " FROM unnest($1::timestamptz[]) t) months",
                      1,
                      params);
    if (!res)
        return -1;
    PQclear (res);
    return 0;
}

yjc_result_t
metering_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *samples = yjc_obj_get (body, "samples");
    s_buf_t cols[C_COUNT];
    memset (cols, 0, sizeof cols);
    yjc_result_t rc = YJC_OK;
    int bad = s_columns (ctx, samples, cols);
    int idle = s_not_running (ctx, cols);
    if (idle < 0 || (!bad && !idle && s_partitions (ctx, cols) < 0))
        rc = YJC_DB_ERROR;
    else if (bad || idle)
        rc = YJC_FAIL;
    PGresult *res = NULL;
    if (rc == YJC_OK) {
        const char *params[C_COUNT];
        for (int c = 0; c < C_COUNT; c++)
            params[c] = cols[c].data;
        //  The keys of the rows inserted (a duplicate returns nothing)
        //  queue their day's rollup.
        res = yjc_db_query (
            ctx->db,
            "WITH ins AS (INSERT INTO metering_samples"
            " SELECT * FROM unnest($1::text[], $2::text[],"
            " $3::timestamptz[], $4::smallint[], $5::smallint[], $6::int[],"
            " $7::int[], $8::int[]) ON CONFLICT DO NOTHING"
            " RETURNING app_id, resource, at),"
            " days AS (SELECT app_id, resource,"
            " (at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) AS n"
            " FROM ins GROUP BY 1, 2, 3),"
            " q AS (INSERT INTO metering_dirty (app_id, resource, day)"
            " SELECT app_id, resource, day FROM days ORDER BY 1, 2, 3"
            " ON CONFLICT (app_id, resource, day)"
            " DO UPDATE SET queued = metering_dirty.queued + 1)"
            " SELECT coalesce(sum(n), 0)::text FROM days",
            C_COUNT,
            params);
        if (!res)
            rc = YJC_DB_ERROR;
    }
    for (int c = 0; c < C_COUNT; c++)
        free (cols[c].data);
    if (rc != YJC_OK)
        return rc;
    int64_t stored = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    int64_t total = samples->via.array.size;
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_int (ctx->reply, "received", total);
    yjc_pk_kv_int (ctx->reply, "stored", stored);
    yjc_pk_kv_int (ctx->reply, "duplicates", total - stored);
    yjc_ctx_log (ctx,
                 YJC_LOG_DEBUG,
                 "metering: %lld samples, %lld stored",
                 (long long)total,
                 (long long)stored);
    return YJC_OK;
}

//  Recomputes the daily rollups queued by batches, from the raw rows.
//  The queue rows are taken (deleted) first, locked past any batch still
//  writing them (SKIP LOCKED: those wait for the next tick); the rollups
//  are computed by a later statement, so they see every sample committed
//  before the rows were taken.
static yjc_result_t
s_rollups (yjc_ctx_t *ctx)
{
    char limit[12];
    snprintf (limit, sizeof limit, "%d", METERING_ROLLUPS_PER_TICK);
    const char *params[] = { limit };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH taken AS (DELETE FROM metering_dirty WHERE (app_id, resource,"
        " day) IN (SELECT app_id, resource, day FROM metering_dirty"
        " ORDER BY app_id, resource, day LIMIT $1::int"
        " FOR UPDATE SKIP LOCKED) RETURNING app_id, resource, day)"
        " SELECT count(*)::text, array_agg(app_id)::text,"
        " array_agg(resource)::text, array_agg(day)::text FROM taken",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    if (atoi (PQgetvalue (res, 0, 0)) == 0) {
        PQclear (res);
        return YJC_OK;
    }
    const char *keys[] = { PQgetvalue (res, 0, 1),
                           PQgetvalue (res, 0, 2),
                           PQgetvalue (res, 0, 3) };
    int rows = yjc_db_exec (
        ctx->db,
        "INSERT INTO metering_daily SELECT k.app, k.res, k.day, count(*),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY s.cpu_pct),"
        " percentile_cont(0.95) WITHIN GROUP (ORDER BY s.cpu_pct),"
        " max(s.cpu_pct),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY s.mem_pct),"
        " percentile_cont(0.95) WITHIN GROUP (ORDER BY s.mem_pct),"
        " max(s.mem_pct), max(s.disk_gb), max(s.bw_in_mbps),"
        " max(s.bw_out_mbps), min(s.at), max(s.at)"
        " FROM unnest($1::text[], $2::text[], $3::date[]) k(app, res, day)"
        " JOIN metering_samples s ON s.app_id = k.app AND s.resource = k.res"
        " AND s.at >= k.day::timestamp AT TIME ZONE 'Asia/Shanghai'"
        " AND s.at < (k.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'"
        " GROUP BY k.app, k.res, k.day"
        " ON CONFLICT (app_id, resource, day) DO UPDATE SET"
        " samples = EXCLUDED.samples, cpu_p50 = EXCLUDED.cpu_p50,"
        " cpu_p95 = EXCLUDED.cpu_p95, cpu_max = EXCLUDED.cpu_max,"
        " mem_p50 = EXCLUDED.mem_p50, mem_p95 = EXCLUDED.mem_p95,"
        " mem_max = EXCLUDED.mem_max, disk_max = EXCLUDED.disk_max,"
        " bw_in_max = EXCLUDED.bw_in_max, bw_out_max = EXCLUDED.bw_out_max,"
        " first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at",
        3,
        keys);
    PQclear (res);
    return rows < 0 ? YJC_DB_ERROR : YJC_OK;
}

//  Partitions: this month's and the next made ahead; those of months
//  older than YJC_METERING_KEEP_MONTHS dropped (the rollups stay).
static yjc_result_t
s_partitions_tick (yjc_ctx_t *ctx)
{
    char keep[12];
    snprintf (
        keep, sizeof keep, "%d", yjc_config_int (YJC_CFG_METERING_KEEP_MONTHS));
    const char *params[] = { ctx->now_iso, keep };
    PGresult *res =
        yjc_db_query (ctx->db,
                      "SELECT yjc_metering_maintain($1::timestamptz, $2::int)",
                      2,
                      params);
    if (!res)
        return YJC_DB_ERROR;
    for (int r = 0; r < PQntuples (res); r++)
        yjc_ctx_log (ctx,
                     YJC_LOG_INFO,
                     "metering: dropped %s (older than %s months kept)",
                     PQgetvalue (res, r, 0),
                     keep);
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
metering_tick (yjc_ctx_t *ctx)
{
    yjc_result_t rc = s_partitions_tick (ctx);
    return rc == YJC_OK ? s_rollups (ctx) : rc;
}
