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

    The samples go in by binary COPY straight into the partitioned table,
    in a savepoint: the fastest way PostgreSQL takes rows (make bench
    compares it with a raw COPY).  A batch holding a sample already stored
    (a retry) fails that COPY on the primary key; the savepoint is rolled
    back and the batch goes in with INSERT ... SELECT FROM unnest(arrays)
    ON CONFLICT DO NOTHING, which stores the new rows only.  (Multi-row
    ON CONFLICT for every batch measured at 0.25-0.3x raw COPY; the COPY
    path pays that only on retries.)  The (app, resource, day) keys of
    the rows stored are queued in metering_dirty, and the tick recomputes
    their daily rollups from the raw rows, so that ingestion never waits
    on percentiles.                                                      */
#include "metering.h"
#include "yjc_config.h"
#include "yjc_time.h"
#include <pthread.h>

//  A sample later than this past the clock is refused (clock skew of the
//  vendor's collectors is allowed, a date in the future is not).
#define METERING_FUTURE_US (5LL * 60 * 1000000)
//  Distinct months one batch may span, and that a process remembers.
#define METERING_MONTHS 64
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
    size_t from = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"' || s[i] == '\\') {
            s_put (b, s + from, i - from);
            s_put (b, "\\", 1);
            from = i;
        }
    s_put (b, s + from, n - from);
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

static void
s_put_be (s_buf_t *b, uint64_t v, int bytes)
{
    char out[8];
    for (int i = 0; i < bytes; i++)
        out[i] = (char)(v >> (8 * (bytes - 1 - i)));
    s_put (b, out, (size_t)bytes);
}

//  PostgreSQL's binary COPY: a header, then per row the field count and
//  each field as its length and bytes (network order), then -1.
static void
s_copy_start (s_buf_t *b)
{
    s_put (b, "PGCOPY\n\377\r\n", 11);
    s_put_be (b, 0, 4); //  flags
    s_put_be (b, 0, 4); //  header extension
}

//  Microseconds from 1970 to PostgreSQL's epoch, 2000-01-01 UTC.
#define PG_EPOCH_US (946684800LL * 1000000)

//  The columns of a batch, as array literals for unnest.
enum { C_APP, C_RES, C_AT, C_CPU, C_MEM, C_DISK, C_BWIN, C_BWOUT, C_COUNT };
//  After them, the distinct (app, resource, day) keys of the batch (the
//  rollups it queues) and its distinct (app, time) pairs (what the
//  running check looks up): a batch is mostly many hosts at few times,
//  so these are far shorter than the columns.
enum { D_APP = C_COUNT, D_RES, D_DAY, E_APP, E_AT, D_COUNT };
static const char *s_int_keys[] = { NULL,         NULL,         NULL,
                                    "cpu_pct",    "mem_pct",    "disk_gb",
                                    "bw_in_mbps", "bw_out_mbps" };

//  Writes v in decimal at `out` (no terminator); returns the length.
static size_t
s_decimal (char *out, int64_t v)
{
    char digits[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        digits[n++] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = digits[--n];
    return len;
}

//  A hash key of up to two strings and a number, without printf: the
//  samples of a batch are many, and formatting showed in the profile.
static void
s_hash_key (char key[160],
            const char *a,
            size_t alen,
            const char *b,
            size_t blen,
            int64_t n)
{
    size_t len = 0;
    memcpy (key, a, alen < 64 ? alen : 64);
    len += alen < 64 ? alen : 64;
    key[len++] = '\x1f';
    memcpy (key + len, b, blen < 64 ? blen : 64);
    len += blen < 64 ? blen : 64;
    key[len++] = '\x1f';
    len += s_decimal (key + len, n);
    key[len] = 0;
}

//  Adds the sample's (app, resource, day) to the batch's distinct keys.
static void
s_key (zhashx_t *keys, const msgpack_object *s, yjc_date_t day, s_buf_t *cols)
{
    const char *app, *res;
    size_t alen, rlen;
    yjc_obj_str (s, "app_id", &app, &alen);
    yjc_obj_str (s, "resource", &res, &rlen);
    char key[160], date[11];
    s_hash_key (key, app, alen, res, rlen, day.y * 10000 + day.m * 100 + day.d);
    if (zhashx_insert (keys, key, (void *)1) != 0)
        return; //  seen
    yjc_date_format (day, date);
    s_put_item (&cols[D_APP], app, alen);
    s_put_item (&cols[D_RES], res, rlen);
    s_put_item (&cols[D_DAY], date, 10);
}

//  Adds the sample's (app, time) to the batch's distinct pairs.
static void
s_pair (zhashx_t *pairs, const msgpack_object *s, int64_t at, s_buf_t *cols)
{
    const char *app;
    size_t alen;
    yjc_obj_str (s, "app_id", &app, &alen);
    char key[160], iso[40];
    s_hash_key (key, app, alen, "", 0, at);
    if (zhashx_insert (pairs, key, (void *)1) != 0)
        return; //  seen
    yjc_time_format_iso (at, iso);
    s_put_item (&cols[E_APP], app, alen);
    s_put_item (&cols[E_AT], iso, strlen (iso));
}

//  A refused sample's time (NULL in the text columns: not looked up as
//  running or not).
#define S_REFUSED INT64_MIN

//  Reads the samples into the binary COPY and the distinct keys and
//  pairs; refuses a time that is not ISO-8601, later than
//  METERING_FUTURE_US past the clock, or before the months kept (it would
//  land in a dropped partition).  ats[i] is each sample's time.  Returns
//  the number of problems.
static int
s_columns (yjc_ctx_t *ctx,
           const msgpack_object *samples,
           s_buf_t *cols,
           s_buf_t *copy,
           int64_t *ats,
           int *months,
           int *nmonths)
{
    int problems = 0;
    zhashx_t *keys = zhashx_new ();
    zhashx_t *pairs = zhashx_new ();
    int keep = yjc_config_int (YJC_CFG_METERING_KEEP_MONTHS);
    yjc_date_t today = yjc_time_local_date (ctx->now);
    int first = today.y * 12 + (today.m - 1) - keep;
    yjc_date_t oldest = { first / 12, first % 12 + 1, 1 };
    int64_t oldest_us = yjc_date_start_us (oldest);
    for (int c = D_APP; c < D_COUNT; c++)
        s_put (&cols[c], "{", 1);
    s_copy_start (copy);
    for (uint32_t i = 0; i < samples->via.array.size; i++) {
        const msgpack_object *s = &samples->via.array.ptr[i];
        const char *str;
        size_t len;
        char at_text[41], field[64];
        s_put_be (copy, C_COUNT, 2);
        yjc_obj_str (s, "app_id", &str, &len);
        s_put_be (copy, len, 4);
        s_put (copy, str, len);
        yjc_obj_str (s, "resource", &str, &len);
        s_put_be (copy, len, 4);
        s_put (copy, str, len);
        yjc_obj_strcpy (s, "at", at_text, sizeof at_text);
        int64_t at = 0;
        const char *why = NULL;
        int code = YJC_E_OUT_OF_RANGE;
        if (yjc_time_parse_iso (at_text, &at) != 0) {
            why = "not an ISO-8601 time";
            code = YJC_E_INVALID_VALUE;
        }
        else if (at > ctx->now + METERING_FUTURE_US)
            why = "more than 5 minutes past the clock";
        else if (at < oldest_us)
            why = "older than the months kept (YJC_METERING_KEEP_MONTHS)";
        if (why) {
            problems++;
            snprintf (field, sizeof field, "body.samples[%u].at", i);
            yjc_ctx_fail (ctx, code, field, "%s: %s", why, at_text);
            at = 0;
            ats[i] = S_REFUSED;
        }
        else {
            ats[i] = at;
            yjc_date_t d = yjc_time_local_date (at);
            int month = d.y * 12 + d.m - 1, j = 0;
            while (j < *nmonths && months[j] != month)
                j++;
            if (j == *nmonths && j < METERING_MONTHS)
                months[(*nmonths)++] = month;
            s_key (keys, s, d, cols);
            s_pair (pairs, s, at, cols);
        }
        s_put_be (copy, 8, 4);
        s_put_be (copy, (uint64_t)(at - PG_EPOCH_US), 8);
        for (int c = C_CPU; c < C_COUNT; c++) {
            int64_t v = 0;
            yjc_obj_int (s, s_int_keys[c], &v);
            int bytes = c <= C_MEM ? 2 : 4; //  smallint, int
            s_put_be (copy, (size_t)bytes, 4);
            s_put_be (copy, (uint64_t)v, bytes);
        }
    }
    for (int c = D_APP; c < D_COUNT; c++)
        s_put (&cols[c], "}", 1);
    s_put_be (copy, 0xffff, 2);
    zhashx_destroy (&keys);
    zhashx_destroy (&pairs);
    return problems;
}

//  The samples as array literals for unnest, one per column: only for
//  the slow paths (naming the samples of a stopped system, a retried
//  batch's ON CONFLICT), built once.
static void
s_text_columns (const msgpack_object *samples,
                const int64_t *ats,
                s_buf_t *cols,
                bool *built)
{
    if (*built)
        return;
    *built = true;
    for (int c = 0; c < C_COUNT; c++)
        s_put (&cols[c], "{", 1);
    for (uint32_t i = 0; i < samples->via.array.size; i++) {
        const msgpack_object *s = &samples->via.array.ptr[i];
        const char *str;
        size_t len;
        char iso[40];
        yjc_obj_str (s, "app_id", &str, &len);
        s_put_item (&cols[C_APP], str, len);
        yjc_obj_str (s, "resource", &str, &len);
        s_put_item (&cols[C_RES], str, len);
        if (ats[i] == S_REFUSED)
            s_put (&cols[C_AT],
                   cols[C_AT].size > 1 ? ",NULL" : "NULL",
                   cols[C_AT].size > 1 ? 5 : 4);
        else {
            yjc_time_format_iso (ats[i], iso);
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
}

//  R11.3, R17: a sample is of a running system, one with an allocation
//  interval covering its time.  Names every other (up to the problems a
//  reply carries).  Returns the number found, -1 on a database error.
static int
s_not_running (yjc_ctx_t *ctx,
               const msgpack_object *samples,
               const int64_t *ats,
               s_buf_t *cols,
               bool *built)
{
    const char *pairs[] = { cols[E_APP].data, cols[E_AT].data };
    //  Most batches share a few times among many hosts: the distinct
    //  (application, time) pairs first (found in C); by sample only if
    //  one fails.
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT count(*)::text FROM unnest($1::text[], $2::timestamptz[])"
        " AS s(app, at) WHERE NOT EXISTS (SELECT 1 FROM allocations a"
        "  WHERE a.app_id = s.app AND a.valid_from <= s.at"
        "  AND (a.valid_to IS NULL OR s.at < a.valid_to))",
        2,
        pairs);
    if (!res)
        return -1;
    bool none = streq (PQgetvalue (res, 0, 0), "0");
    PQclear (res);
    if (none)
        return 0;
    s_text_columns (samples, ats, cols, built);
    const char *params[] = { cols[C_APP].data, cols[C_AT].data };
    res = yjc_db_query (
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

//  The months (y * 12 + m - 1) whose partition this process knows exists,
//  shared by the workers: a batch of those skips the lookup.  A month
//  only goes away when older than the months kept, and such samples are
//  refused before.
static int s_months[METERING_MONTHS];
static int s_nmonths;
static pthread_mutex_t s_months_lock = PTHREAD_MUTEX_INITIALIZER;

static bool
s_months_known (const int *months, int n, bool add)
{
    pthread_mutex_lock (&s_months_lock);
    int known = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < s_nmonths && s_months[j] != months[i])
            j++;
        if (j < s_nmonths)
            known++;
        else if (add && s_nmonths < METERING_MONTHS)
            s_months[s_nmonths++] = months[i];
    }
    pthread_mutex_unlock (&s_months_lock);
    return known == n;
}

//  Creates the partitions of the months the batch falls in (usually there
//  already: the tick makes this month's and the next ahead).
static int
s_partitions (yjc_ctx_t *ctx, s_buf_t *cols, const int *months, int nmonths)
{
    if (s_months_known (months, nmonths, false))
        return 0;
    const char *params[] = { cols[E_AT].data }; //  the distinct times
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

//  The fast path: the batch straight into the table by binary COPY, in a
//  savepoint.  1 when stored, 0 when a row already exists (the savepoint
//  is rolled back: the caller takes the ON CONFLICT path), -1 on a
//  database error.
static int
s_copy (yjc_ctx_t *ctx, const s_buf_t *copy)
{
    if (yjc_db_exec (ctx->db, "SAVEPOINT metering_copy", 0, NULL) < 0)
        return -1;
    PGconn *conn = yjc_db_conn (ctx->db);
    PGresult *res =
        PQexec (conn, "COPY metering_samples FROM STDIN (FORMAT binary)");
    bool ready = PQresultStatus (res) == PGRES_COPY_IN;
    PQclear (res);
    if (!ready)
        return -1;
    if (PQputCopyData (conn, copy->data, (int)copy->size) != 1 ||
        PQputCopyEnd (conn, NULL) != 1)
        return -1;
    res = PQgetResult (conn);
    bool stored = PQresultStatus (res) == PGRES_COMMAND_OK;
    const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);
    bool duplicate = !stored && state && streq (state, "23505");
    if (!stored && !duplicate)
        yjc_ctx_log (ctx,
                     YJC_LOG_ERROR,
                     "metering: COPY: %s",
                     PQresultErrorMessage (res));
    PQclear (res);
    while ((res = PQgetResult (conn)))
        PQclear (res);
    if (!stored && !duplicate)
        return -1;
    if (yjc_db_exec (ctx->db,
                     stored ? "RELEASE SAVEPOINT metering_copy"
                            : "ROLLBACK TO SAVEPOINT metering_copy",
                     0,
                     NULL) < 0)
        return -1;
    return stored ? 1 : 0;
}

//  After the fast path: every key of the batch queues its day's rollup.
static int
s_queue_all (yjc_ctx_t *ctx, s_buf_t *cols)
{
    //  the batch's distinct keys, found in C (s_key)
    const char *params[] = { cols[D_APP].data,
                             cols[D_RES].data,
                             cols[D_DAY].data };
    return yjc_db_exec (
        ctx->db,
        "INSERT INTO metering_dirty (app_id, resource, day)"
        " SELECT a, r, d FROM unnest($1::text[], $2::text[], $3::date[])"
        " k(a, r, d) ORDER BY 1, 2, 3 ON CONFLICT (app_id, resource, day)"
        " DO UPDATE SET queued = metering_dirty.queued + 1",
        3,
        params);
}

yjc_result_t
metering_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *samples = yjc_obj_get (body, "samples");
    s_buf_t cols[D_COUNT], copy = { 0 };
    memset (cols, 0, sizeof cols);
    yjc_result_t rc = YJC_OK;
    int months[METERING_MONTHS], nmonths = 0;
    int64_t *ats =
        (int64_t *)malloc ((samples->via.array.size + 1) * sizeof (int64_t));
    if (!ats)
        return YJC_DB_ERROR; //  out of memory
    bool built = false;
    int bad = s_columns (ctx, samples, cols, &copy, ats, months, &nmonths);
    int idle = s_not_running (ctx, samples, ats, cols, &built);
    if (idle < 0 ||
        (!bad && !idle && s_partitions (ctx, cols, months, nmonths) < 0))
        rc = YJC_DB_ERROR;
    else if (bad || idle)
        rc = YJC_FAIL;
    PGresult *res = NULL;
    int64_t total = samples->via.array.size, stored = 0;
    int fast = rc == YJC_OK ? s_copy (ctx, &copy) : 0;
    if (fast < 0 || (fast == 1 && s_queue_all (ctx, cols) < 0))
        rc = YJC_DB_ERROR;
    else if (fast == 1)
        stored = total;
    free (copy.data);
    if (rc == YJC_OK && fast == 0) {
        s_text_columns (samples, ats, cols, &built);
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
    for (int c = 0; c < D_COUNT; c++)
        free (cols[c].data);
    free (ats);
    if (rc != YJC_OK)
        return rc;
    if (res) {
        stored = atoll (PQgetvalue (res, 0, 0));
        PQclear (res);
    }
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
