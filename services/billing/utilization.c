/*  utilization.c - R16: the vendor owes every unit and the bureau, each
    quarter, a table of its resources' utilization and optimisation
    advice.  billing.utilization computes it from billing's own ledger:
    what was allocated (the allocation intervals overlapping the quarter)
    against what was used (metering).

    Per application, per resource the vendor meters (its ids, e.g.
    vm-O000001-1): CPU and memory p50/p95/max, the largest disk and
    bandwidth figures, the days the application had resources allocated
    in the quarter (to today for the current one) and how many of those
    the resource sent no sample.  The figures come from the raw samples
    while their partitions are kept (source "samples": exact quarter
    percentiles; YJC_METERING_KEEP_MONTHS), else from the daily rollups
    (source "daily": p50 is the
    median of the daily p50s, p95 the 95th percentile of the daily p95s,
    max the largest daily max: the raw rows are gone).  A resource's
    configuration is the host line whose built ref it is, in the latest
    allocation that names it.  The advice is proto/yjc_advice.def applied
    by yjc_advice_apply.                                                 */
#include "utilization.h"
#include "yjc_advice.h"
#include "yjc_config.h"
#include "yjc_time.h"

#define UTIL_ADVICE_PER_LINE 4

typedef struct {
    char quarter[8];
    yjc_date_t first, last; //  the quarter
    yjc_date_t until;       //  its last day, or today if earlier
    char from[11], to[11], until_text[11];
    char next[11]; //  the day after the quarter
} s_quarter_t;

//  "2027Q1": its first and last day; -1 when it is not a quarter.
static int
s_quarter_parse (const char *text, s_quarter_t *q)
{
    if (strlen (text) != 6 || text[4] != 'Q' || text[5] < '1' || text[5] > '4')
        return -1;
    int year = 0;
    for (int i = 0; i < 4; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        year = year * 10 + text[i] - '0';
    }
    if (year < 2000)
        return -1;
    int m0 = (text[5] - '1') * 3 + 1;
    snprintf (q->quarter, sizeof q->quarter, "%s", text);
    q->first = (yjc_date_t){ year, m0, 1 };
    q->last =
        (yjc_date_t){ year, m0 + 2, yjc_date_days_in_month (year, m0 + 2) };
    yjc_date_format (q->first, q->from);
    yjc_date_format (q->last, q->to);
    yjc_date_format (yjc_date_add_days (q->last, 1), q->next);
    return 0;
}

/* ---- what was allocated ------------------------------------------------ */

typedef struct {
    char ref[64];
    char cpu_mem[16];
} s_host_t;

typedef struct {
    s_host_t hosts[128];
    int nhosts;
    char allocated_zh[512];
} s_alloc_t;

//  Remembers ref -> configuration from one allocation's built lines (a
//  later allocation overrides an earlier one).
static void
s_alloc_built (s_alloc_t *a,
               const msgpack_object *resources,
               const msgpack_object *built)
{
    const msgpack_object *hosts = yjc_obj_get (resources, "hosts");
    if (!built || built->type != MSGPACK_OBJECT_ARRAY || !hosts ||
        hosts->type != MSGPACK_OBJECT_ARRAY)
        return;
    uint32_t h = 0;
    for (uint32_t i = 0; i < built->via.array.size; i++) {
        const msgpack_object *b = &built->via.array.ptr[i];
        char kind[16], ref[64];
        if (!streq (yjc_obj_strcpy (b, "kind", kind, sizeof kind), "host"))
            continue;
        yjc_obj_strcpy (b, "ref", ref, sizeof ref);
        //  the vendor lists host lines in the grant's order
        const msgpack_object *line =
            h < hosts->via.array.size ? &hosts->via.array.ptr[h] : NULL;
        h++;
        if (!line || !*ref)
            continue;
        int k = 0;
        while (k < a->nhosts && !streq (a->hosts[k].ref, ref))
            k++;
        if (k == a->nhosts && a->nhosts < 128)
            a->nhosts++;
        if (k < a->nhosts) {
            snprintf (a->hosts[k].ref, sizeof a->hosts[k].ref, "%s", ref);
            yjc_obj_strcpy (line,
                            "cpu_mem",
                            a->hosts[k].cpu_mem,
                            sizeof a->hosts[k].cpu_mem);
        }
    }
}

static void
s_append (char *out, size_t size, const char *text)
{
    size_t n = strlen (out);
    if (n < size)
        snprintf (out + n, size - n, "%s%s", n ? "、" : "", text);
}

//  "2×4核/8G、1×2核/4G、存储 1TB、带宽 10Mbps": what the latest
//  allocation holds.
static void
s_alloc_summary (s_alloc_t *a, const msgpack_object *resources)
{
    a->allocated_zh[0] = '\0';
    const msgpack_object *hosts = yjc_obj_get (resources, "hosts");
    for (uint32_t i = 0; hosts && hosts->type == MSGPACK_OBJECT_ARRAY &&
                         i < hosts->via.array.size;
         i++) {
        const msgpack_object *h = &hosts->via.array.ptr[i];
        char cpu_mem[16], item[64];
        int64_t count = 1;
        yjc_obj_int (h, "count", &count);
        yjc_obj_strcpy (h, "cpu_mem", cpu_mem, sizeof cpu_mem);
        const char *zh = yjc_value_zh ("cpu_mem", cpu_mem, strlen (cpu_mem));
        snprintf (
            item, sizeof item, "%lld×%s", (long long)count, zh ? zh : cpu_mem);
        s_append (a->allocated_zh, sizeof a->allocated_zh, item);
    }
    int64_t tb = 0, mbps = 0;
    char item[64];
    yjc_obj_int (resources, "storage_tb", &tb);
    yjc_obj_int (yjc_obj_get (resources, "network"), "dedicated_mbps", &mbps);
    if (tb > 0) {
        snprintf (item, sizeof item, "存储 %lldTB", (long long)tb);
        s_append (a->allocated_zh, sizeof a->allocated_zh, item);
    }
    if (mbps > 0) {
        snprintf (item, sizeof item, "带宽 %lldMbps", (long long)mbps);
        s_append (a->allocated_zh, sizeof a->allocated_zh, item);
    }
}

static const msgpack_object *
s_unpack (msgpack_unpacked *un, const PGresult *res, int row, int col)
{
    if (PQgetisnull (res, row, col) ||
        msgpack_unpack_next (un,
                             PQgetvalue (res, row, col),
                             (size_t)PQgetlength (res, row, col),
                             NULL) != MSGPACK_UNPACK_SUCCESS)
        return NULL;
    return &un->data;
}

//  The application's allocations over the quarter: refs, the summary.
static yjc_result_t
s_alloc_load (yjc_ctx_t *ctx,
              const char *app_id,
              const s_quarter_t *q,
              s_alloc_t *a)
{
    const char *params[] = { app_id, q->from, q->next };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT resources_mp, built_mp FROM allocations WHERE app_id = $1"
        " AND valid_from < ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
        " AND (valid_to IS NULL OR valid_to >"
        "  ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai'))"
        " ORDER BY valid_from, id",
        3,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    memset (a, 0, sizeof *a);
    int rows = PQntuples (res);
    for (int i = 0; i < rows; i++) {
        msgpack_unpacked ur, ub;
        msgpack_unpacked_init (&ur);
        msgpack_unpacked_init (&ub);
        const msgpack_object *resources = s_unpack (&ur, res, i, 0);
        s_alloc_built (a, resources, s_unpack (&ub, res, i, 1));
        if (i == rows - 1 && resources)
            s_alloc_summary (a, resources);
        msgpack_unpacked_destroy (&ur);
        msgpack_unpacked_destroy (&ub);
    }
    PQclear (res);
    return YJC_OK;
}

/* ---- what was used ----------------------------------------------------- */

//  Per resource: cpu p50 p95 max, mem p50 p95 max, disk, bw in, bw out,
//  days with samples.  $1 app, $2 first day, $3 the day after.
static const char *s_stats_samples =
    "SELECT resource,"
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_pct)::numeric, 1),"
    " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_pct)::numeric,"
    " 1), max(cpu_pct),"
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY mem_pct)::numeric, 1),"
    " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY mem_pct)::numeric,"
    " 1), max(mem_pct), max(disk_gb), max(bw_in_mbps), max(bw_out_mbps),"
    " count(DISTINCT (at AT TIME ZONE 'Asia/Shanghai')::date)"
    " FROM metering_samples WHERE app_id = $1"
    " AND at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " AND at < ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " GROUP BY resource ORDER BY resource";

static const char *s_stats_daily =
    "SELECT resource,"
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_p50)::numeric, 1),"
    " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_p95)::numeric,"
    " 1), max(cpu_max),"
    " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY mem_p50)::numeric, 1),"
    " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY mem_p95)::numeric,"
    " 1), max(mem_max), max(disk_max), max(bw_in_max), max(bw_out_max),"
    " count(*) FROM metering_daily WHERE app_id = $1"
    " AND day >= $2::date AND day < $3::date"
    " GROUP BY resource ORDER BY resource";

//  Per resource and day: the day's cpu and memory p95.
static const char *s_series_samples =
    "SELECT resource, (at AT TIME ZONE 'Asia/Shanghai')::date::text,"
    " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_pct)::numeric,"
    " 1), round(percentile_cont(0.95) WITHIN GROUP (ORDER BY mem_pct)"
    " ::numeric, 1) FROM metering_samples WHERE app_id = $1"
    " AND at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " AND at < ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
    " GROUP BY 1, 2 ORDER BY 1, 2";

static const char *s_series_daily =
    "SELECT resource, day::text, round(cpu_p95::numeric, 1),"
    " round(mem_p95::numeric, 1) FROM metering_daily WHERE app_id = $1"
    " AND day >= $2::date AND day < $3::date ORDER BY 1, 2";

//  Whether the raw samples of the whole quarter are kept: its first
//  month is within YJC_METERING_KEEP_MONTHS of today, the months
//  metering.report accepts and the tick keeps (metering.c); a month
//  without samples has no partition, so the partitions cannot tell.
static bool
s_samples_kept (yjc_ctx_t *ctx, const s_quarter_t *q)
{
    yjc_date_t today = yjc_time_local_date (ctx->now);
    int keep = yjc_config_int (YJC_CFG_METERING_KEEP_MONTHS);
    return q->first.y * 12 + (q->first.m - 1) >=
           today.y * 12 + (today.m - 1) - keep;
}

//  Days of [first, until] on which the application had an allocation.
static yjc_result_t
s_alloc_days (yjc_ctx_t *ctx,
              const char *app_id,
              const s_quarter_t *q,
              int *days)
{
    const char *params[] = { app_id, q->from, q->until_text };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT count(*) FROM generate_series($2::date, $3::date,"
        " interval '1 day') d WHERE EXISTS (SELECT 1 FROM allocations"
        " WHERE app_id = $1"
        " AND valid_from < ((d + interval '1 day')::timestamp"
        "  AT TIME ZONE 'Asia/Shanghai')"
        " AND (valid_to IS NULL OR valid_to > (d::timestamp"
        "  AT TIME ZONE 'Asia/Shanghai')))",
        3,
        params);
    if (!res)
        return YJC_DB_ERROR;
    *days = atoi (PQgetvalue (res, 0, 0));
    PQclear (res);
    return YJC_OK;
}

/* ---- the reply --------------------------------------------------------- */

static void
s_pk_figures (msgpack_packer *pk,
              const char *key,
              const PGresult *res,
              int row,
              int col)
{
    static const char *names[] = { "p50", "p95", "max" };
    yjc_pk_str (pk, key);
    msgpack_pack_map (pk, 3);
    for (int i = 0; i < 3; i++) {
        yjc_pk_str (pk, names[i]);
        msgpack_pack_double (pk, atof (PQgetvalue (res, row, col + i)));
    }
}

static void
s_pk_series (msgpack_packer *pk, const PGresult *series, const char *resource)
{
    int from = -1, n = 0;
    for (int i = 0; i < PQntuples (series); i++)
        if (streq (PQgetvalue (series, i, 0), resource)) {
            if (from < 0)
                from = i;
            n++;
        }
    yjc_pk_str (pk, "series");
    msgpack_pack_array (pk, (uint32_t)n);
    for (int i = from; n > 0 && i < from + n; i++) {
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "day", PQgetvalue (series, i, 1));
        yjc_pk_str (pk, "cpu_p95");
        msgpack_pack_double (pk, atof (PQgetvalue (series, i, 2)));
        yjc_pk_str (pk, "mem_p95");
        msgpack_pack_double (pk, atof (PQgetvalue (series, i, 3)));
    }
}

//  One resource line; its advice appended to `advice`.
static void
s_pk_line (msgpack_packer *pk,
           const PGresult *stats,
           int row,
           const PGresult *series,
           const s_alloc_t *a,
           int days,
           bool samples,
           yjc_advice_t *advice,
           char (*advice_res)[64],
           int *nadvice)
{
    const char *resource = PQgetvalue (stats, row, 0);
    const char *cpu_mem = "";
    for (int k = 0; k < a->nhosts; k++)
        if (streq (a->hosts[k].ref, resource))
            cpu_mem = a->hosts[k].cpu_mem;
    const char *zh = yjc_value_zh ("cpu_mem", cpu_mem, strlen (cpu_mem));
    int with = atoi (PQgetvalue (stats, row, 10));
    int without = days > with ? days - with : 0;
    msgpack_pack_map (pk, 12);
    yjc_pk_kv_str (pk, "resource", resource);
    yjc_pk_kv_str (pk, "allocated", cpu_mem);
    yjc_pk_kv_str (pk, "allocated_zh", zh ? zh : "");
    s_pk_figures (pk, "cpu", stats, row, 1);
    s_pk_figures (pk, "mem", stats, row, 4);
    yjc_pk_kv_int (pk, "disk_gb_max", atoll (PQgetvalue (stats, row, 7)));
    yjc_pk_kv_int (pk, "bw_in_max", atoll (PQgetvalue (stats, row, 8)));
    yjc_pk_kv_int (pk, "bw_out_max", atoll (PQgetvalue (stats, row, 9)));
    yjc_pk_kv_int (pk, "days", days);
    yjc_pk_kv_int (pk, "days_without_samples", without);
    yjc_pk_kv_str (pk, "source", samples ? "samples" : "daily");
    s_pk_series (pk, series, resource);
    //  R16: the advice rules, applied to this resource's quarter
    yjc_usage_t u = { cpu_mem,
                      with > 0,
                      atof (PQgetvalue (stats, row, 2)),
                      atof (PQgetvalue (stats, row, 5)),
                      with,
                      without };
    int n = yjc_advice_apply (&u, advice + *nadvice, UTIL_ADVICE_PER_LINE);
    for (int i = 0; i < n; i++)
        snprintf (advice_res[*nadvice + i], 64, "%s", resource);
    *nadvice += n;
}

//  One application of the table.
static yjc_result_t
s_pk_app (yjc_ctx_t *ctx,
          const s_quarter_t *q,
          bool samples,
          const char *app_id,
          const char *unit)
{
    s_alloc_t *a = (s_alloc_t *)calloc (1, sizeof *a);
    if (!a)
        return YJC_DB_ERROR;
    int days = 0;
    PGresult *stats = NULL, *series = NULL;
    yjc_result_t rc = s_alloc_load (ctx, app_id, q, a);
    if (rc == YJC_OK)
        rc = s_alloc_days (ctx, app_id, q, &days);
    const char *params[] = { app_id, q->from, q->next };
    if (rc == YJC_OK) {
        stats = yjc_db_query (
            ctx->db, samples ? s_stats_samples : s_stats_daily, 3, params);
        series =
            stats ? yjc_db_query (ctx->db,
                                  samples ? s_series_samples : s_series_daily,
                                  3,
                                  params)
                  : NULL;
        if (!series)
            rc = YJC_DB_ERROR;
    }
    int lines = stats ? PQntuples (stats) : 0;
    yjc_advice_t *advice = NULL;
    char (*advice_res)[64] = NULL;
    if (rc == YJC_OK) {
        advice = (yjc_advice_t *)calloc (
            (size_t)lines * UTIL_ADVICE_PER_LINE + 1, sizeof *advice);
        advice_res =
            (char (*)[64])calloc ((size_t)lines * UTIL_ADVICE_PER_LINE + 1, 64);
        if (!advice || !advice_res)
            rc = YJC_DB_ERROR;
    }
    if (rc == YJC_OK) {
        msgpack_packer *pk = ctx->reply;
        int nadvice = 0;
        msgpack_pack_map (pk, 5);
        yjc_pk_kv_str (pk, "app_id", app_id);
        yjc_pk_kv_str (pk, "unit", unit);
        yjc_pk_kv_str (pk, "allocated_zh", a->allocated_zh);
        yjc_pk_str (pk, "lines");
        msgpack_pack_array (pk, (uint32_t)lines);
        for (int i = 0; i < lines; i++)
            s_pk_line (pk,
                       stats,
                       i,
                       series,
                       a,
                       days,
                       samples,
                       advice,
                       advice_res,
                       &nadvice);
        yjc_pk_str (pk, "advice");
        msgpack_pack_array (pk, (uint32_t)nadvice);
        for (int i = 0; i < nadvice; i++) {
            msgpack_pack_map (pk, 3);
            yjc_pk_kv_str (pk, "resource", advice_res[i]);
            yjc_pk_kv_str (pk, "rule", advice[i].rule);
            yjc_pk_kv_str (pk, "text_zh", advice[i].text);
        }
    }
    PQclear (stats);
    PQclear (series);
    free (advice);
    free (advice_res);
    free (a);
    return rc;
}

//  billing.utilization - R16: the quarter's table of an application, a
//  unit's applications, or (bureau, auditor, vendor) all of them; a unit
//  sees its own only.
yjc_result_t
utilization_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char quarter[16], app_id[33], unit[129];
    yjc_obj_strcpy (body, "quarter", quarter, sizeof quarter);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "unit", unit, sizeof unit);
    s_quarter_t q;
    if (s_quarter_parse (quarter, &q))
        return yjc_ctx_fail (
            ctx, YJC_E_INVALID_VALUE, "body.quarter", "a quarter, e.g. 2027Q1");
    if (*app_id && *unit)
        return yjc_ctx_fail (
            ctx, YJC_E_INVALID_VALUE, "body.unit", "either app_id or unit");
    bool own = ctx->actor->role == YJC_ROLE_UNIT;
    if (own && *unit && !streq (unit, ctx->actor->unit))
        return yjc_ctx_fail (ctx,
                             YJC_E_FORBIDDEN,
                             "body.unit",
                             "must be your own unit, %s",
                             ctx->actor->unit);
    yjc_date_t today = yjc_time_local_date (ctx->now);
    q.until = yjc_date_cmp (today, q.last) < 0 ? today : q.last;
    yjc_date_format (q.until, q.until_text);
    const char *params[] = { q.from,
                             q.next,
                             *app_id ? app_id : NULL,
                             *unit ? unit : (own ? ctx->actor->unit : NULL) };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT app_id, (array_agg(unit ORDER BY valid_from DESC))[1]"
        " FROM allocations"
        " WHERE valid_from < ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')"
        " AND (valid_to IS NULL OR valid_to >"
        "  ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai'))"
        " AND ($3::text IS NULL OR app_id = $3)"
        " AND ($4::text IS NULL OR unit = $4)"
        " GROUP BY app_id ORDER BY app_id",
        4,
        params);
    if (!res)
        return YJC_DB_ERROR;
    //  an application of another unit, or none in the quarter: not found
    if (*app_id && PQntuples (res) == 0) {
        PQclear (res);
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", app_id);
    }
    bool samples = s_samples_kept (ctx, &q);
    msgpack_pack_map (ctx->reply, 4);
    yjc_pk_kv_str (ctx->reply, "quarter", q.quarter);
    yjc_pk_kv_str (ctx->reply, "from", q.from);
    yjc_pk_kv_str (ctx->reply, "to", q.to);
    yjc_pk_str (ctx->reply, "apps");
    msgpack_pack_array (ctx->reply, (uint32_t)PQntuples (res));
    yjc_result_t rc = YJC_OK;
    for (int i = 0; rc == YJC_OK && i < PQntuples (res); i++)
        rc = s_pk_app (
            ctx, &q, samples, PQgetvalue (res, i, 0), PQgetvalue (res, i, 1));
    PQclear (res);
    return rc;
}
