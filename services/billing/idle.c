/*  idle.c - R11.3: the bureau reclaims idle resources "based on actual
    usage".  What counts as idle is data the bureau changes (idle_rule,
    idle.rule_set, audited by the event idle.rule_set); the candidates are
    computed on demand from the vendor's samples (metering.c) and the open
    allocation intervals, both billing's own.

    A resource (the vendor's host or line) is
      silent  when its last sample (or, with none, the start of the
              system's allocation) is silent_days old or older;
      low     when over the last window_days its p95 of CPU is below
              cpu_p95 % and its p95 of memory below mem_p95 %, the system
              having run for the whole window;
      busy    otherwise.
    A running system is a candidate when every resource it reported is
    silent or low (or it never reported and is silent as a whole).
    Reclaiming it would free its open allocation, listed as granted.    */
#include "idle.h"

static const char *s_rule_sql =
    "SELECT window_days::text, cpu_p95::int::text, mem_p95::int::text,"
    " silent_days::text, set_by,"
    " to_char(set_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"
    " FROM idle_rule WHERE id = 1";

static const yjc_col_t s_rule_cols[] = {
    { "window_days", YJC_COL_INT }, { "cpu_p95", YJC_COL_INT },
    { "mem_p95", YJC_COL_INT },     { "silent_days", YJC_COL_INT },
    { "set_by", YJC_COL_TEXT },     { "set_at", YJC_COL_TEXT },
};

yjc_result_t
idle_rule_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    (void)body;
    PGresult *res = yjc_db_query (ctx->db, s_rule_sql, 0, NULL);
    if (!res)
        return YJC_DB_ERROR;
    yjc_pk_row (ctx->reply, res, 0, s_rule_cols, 6);
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
idle_rule_set (yjc_ctx_t *ctx, const msgpack_object *body)
{
    static const char *keys[] = {
        "window_days", "cpu_p95", "mem_p95", "silent_days"
    };
    char text[4][24];
    int64_t v[4] = { 0 };
    for (int i = 0; i < 4; i++) {
        yjc_obj_int (body, keys[i], &v[i]);
        snprintf (text[i], sizeof text[i], "%lld", (long long)v[i]);
    }
    //  What it was, for the audit trail.
    PGresult *old = yjc_db_query (ctx->db, s_rule_sql, 0, NULL);
    if (!old)
        return YJC_DB_ERROR;
    char previous[200];
    snprintf (previous,
              sizeof previous,
              "window_days=%s cpu_p95=%s mem_p95=%s silent_days=%s",
              PQgetvalue (old, 0, 0),
              PQgetvalue (old, 0, 1),
              PQgetvalue (old, 0, 2),
              PQgetvalue (old, 0, 3));
    PQclear (old);
    const char *params[] = { text[0], text[1],          text[2],
                             text[3], ctx->actor->name, ctx->now_iso };
    if (yjc_db_exec (ctx->db,
                     "UPDATE idle_rule SET window_days = $1::int,"
                     " cpu_p95 = $2::real, mem_p95 = $3::real,"
                     " silent_days = $4::int, set_by = $5,"
                     " set_at = $6::timestamptz WHERE id = 1",
                     6,
                     params) != 1)
        return YJC_DB_ERROR;
    yjc_map_t ev;
    yjc_map_init (&ev);
    for (int i = 0; i < 4; i++)
        yjc_map_int (&ev, keys[i], v[i]);
    yjc_map_str (&ev, "set_by", ctx->actor->name);
    yjc_map_str (&ev, "previous", previous);
    yjc_result_t rc = yjc_ctx_emit_map (ctx, YJC_EV_IDLE_RULE_SET, "", &ev);
    yjc_map_release (&ev);
    if (rc != YJC_OK)
        return rc;
    return idle_rule_get (ctx, NULL);
}

//  One row per (running system, resource it reported), with the
//  resource's figures over the window and its status; a system that never
//  reported has one row with a NULL resource.
static const char *s_candidates_sql =
    "WITH rule AS (SELECT * FROM idle_rule WHERE id = 1),"
    " open AS (SELECT DISTINCT ON (app_id) app_id, unit, stage, lines,"
    "  resources_mp FROM allocations WHERE valid_to IS NULL"
    "  ORDER BY app_id, valid_from DESC),"
    " apps AS (SELECT o.*, (SELECT min(b.valid_from) FROM allocations b"
    "  WHERE b.app_id = o.app_id) AS since FROM open o),"
    " win AS (SELECT s.app_id, s.resource, count(*) AS n,"
    "  count(DISTINCT (s.at AT TIME ZONE 'Asia/Shanghai')::date) AS days,"
    "  percentile_cont(0.95) WITHIN GROUP (ORDER BY s.cpu_pct) AS cpu95,"
    "  percentile_cont(0.95) WITHIN GROUP (ORDER BY s.mem_pct) AS mem95,"
    "  max(s.cpu_pct) AS cpu_max, max(s.mem_pct) AS mem_max,"
    "  max(s.at) AS last_at"
    "  FROM metering_samples s JOIN apps USING (app_id), rule"
    "  WHERE s.at >= $1::timestamptz - make_interval(days => rule.window_days)"
    "  AND s.at <= $1::timestamptz GROUP BY 1, 2),"
    " hist AS (SELECT d.app_id, d.resource, max(d.last_at) AS last_at"
    "  FROM metering_daily d JOIN apps USING (app_id) GROUP BY 1, 2),"
    " res AS (SELECT app_id, resource, w.n, w.days, w.cpu95, w.mem95,"
    "  w.cpu_max, w.mem_max, greatest(w.last_at, h.last_at) AS last_at"
    "  FROM win w FULL JOIN hist h USING (app_id, resource))"
    " SELECT a.app_id, a.unit, a.stage, a.lines::text,"
    "  to_char(a.since AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),"
    "  coalesce(r.resource, ''), coalesce(r.n, 0)::text,"
    "  coalesce(r.days, 0)::text,"
    "  coalesce(round(r.cpu95::numeric, 1)::text, ''),"
    "  coalesce(round(r.mem95::numeric, 1)::text, ''),"
    "  coalesce(r.cpu_max::text, ''), coalesce(r.mem_max::text, ''),"
    "  coalesce(to_char(r.last_at AT TIME ZONE 'Asia/Shanghai',"
    "   'YYYY-MM-DD HH24:MI:SS'), ''),"
    "  CASE WHEN coalesce(r.last_at, a.since)"
    "    <= $1::timestamptz - make_interval(days => rule.silent_days)"
    "   THEN 'silent'"
    "   WHEN r.n > 0 AND a.since <= $1::timestamptz"
    "    - make_interval(days => rule.window_days)"
    "    AND r.cpu95 < rule.cpu_p95 AND r.mem95 < rule.mem_p95 THEN 'low'"
    "   ELSE 'busy' END,"
    "  a.resources_mp"
    " FROM apps a CROSS JOIN rule LEFT JOIN res r USING (app_id)"
    " ORDER BY a.app_id, r.resource";

enum {
    F_APP,
    F_UNIT,
    F_STAGE,
    F_LINES,
    F_SINCE,
    F_RES,
    F_N,
    F_DAYS,
    F_CPU95,
    F_MEM95,
    F_CPUMAX,
    F_MEMMAX,
    F_LAST,
    F_STATUS,
    F_FREES
};

//  The rows [first, *end) of one application; true when every one of
//  them is silent or low.
static bool
s_idle_app (const PGresult *res, int first, int *end)
{
    bool idle = true;
    int r = first;
    for (; r < PQntuples (res) &&
           streq (PQgetvalue (res, r, F_APP), PQgetvalue (res, first, F_APP));
         r++)
        if (streq (PQgetvalue (res, r, F_STATUS), "busy"))
            idle = false;
    *end = r;
    return idle;
}

//  One candidate: who, since when, why, the figures, what it would free.
static void
s_pack_candidate (msgpack_packer *pk, const PGresult *res, int first, int end)
{
    bool reported = PQgetlength (res, first, F_RES) > 0;
    bool silent = true;
    for (int r = first; r < end; r++)
        if (!streq (PQgetvalue (res, r, F_STATUS), "silent"))
            silent = false;
    msgpack_pack_map (pk, 7);
    yjc_pk_kv_str (pk, "app_id", PQgetvalue (res, first, F_APP));
    yjc_pk_kv_str (pk, "unit", PQgetvalue (res, first, F_UNIT));
    yjc_pk_kv_str (pk, "stage", PQgetvalue (res, first, F_STAGE));
    yjc_pk_kv_str (pk, "running_since", PQgetvalue (res, first, F_SINCE));
    yjc_pk_kv_str (pk, "reason", silent ? "silent" : "low");
    msgpack_pack_str (pk, 9);
    msgpack_pack_str_body (pk, "resources", 9);
    msgpack_pack_array (pk, reported ? (uint32_t)(end - first) : 0);
    for (int r = first; reported && r < end; r++) {
        msgpack_pack_map (pk, 9);
        yjc_pk_kv_str (pk, "resource", PQgetvalue (res, r, F_RES));
        yjc_pk_kv_int (pk, "samples", atoll (PQgetvalue (res, r, F_N)));
        yjc_pk_kv_int (pk, "days", atoll (PQgetvalue (res, r, F_DAYS)));
        yjc_pk_kv_str (pk, "cpu_p95", PQgetvalue (res, r, F_CPU95));
        yjc_pk_kv_str (pk, "mem_p95", PQgetvalue (res, r, F_MEM95));
        yjc_pk_kv_str (pk, "cpu_max", PQgetvalue (res, r, F_CPUMAX));
        yjc_pk_kv_str (pk, "mem_max", PQgetvalue (res, r, F_MEMMAX));
        yjc_pk_kv_str (pk, "last_sample", PQgetvalue (res, r, F_LAST));
        yjc_pk_kv_str (pk, "status", PQgetvalue (res, r, F_STATUS));
    }
    msgpack_pack_str (pk, 5);
    msgpack_pack_str_body (pk, "frees", 5);
    msgpack_pack_map (pk, 2);
    yjc_pk_kv_int (pk, "lines", atoll (PQgetvalue (res, first, F_LINES)));
    yjc_pk_kv_raw (pk,
                   "resources",
                   PQgetvalue (res, first, F_FREES),
                   (size_t)PQgetlength (res, first, F_FREES));
}

yjc_result_t
idle_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t limit = 100;
    yjc_obj_int (body, "limit", &limit);
    PGresult *rule = yjc_db_query (ctx->db, s_rule_sql, 0, NULL);
    if (!rule)
        return YJC_DB_ERROR;
    const char *params[] = { ctx->now_iso };
    PGresult *res =
        yjc_db_query_raw (ctx->db, s_candidates_sql, 1, params, NULL, NULL);
    if (!res) {
        PQclear (rule);
        return YJC_DB_ERROR;
    }
    int count = 0, end;
    for (int r = 0; r < PQntuples (res); r = end)
        if (s_idle_app (res, r, &end) && count < limit)
            count++;
    msgpack_pack_map (ctx->reply, 3);
    msgpack_pack_str (ctx->reply, 4);
    msgpack_pack_str_body (ctx->reply, "rule", 4);
    yjc_pk_row (ctx->reply, rule, 0, s_rule_cols, 6);
    yjc_pk_kv_str (ctx->reply, "at", ctx->now_iso);
    msgpack_pack_str (ctx->reply, 10);
    msgpack_pack_str_body (ctx->reply, "candidates", 10);
    msgpack_pack_array (ctx->reply, (uint32_t)count);
    int packed = 0;
    for (int r = 0; r < PQntuples (res) && packed < count; r = end)
        if (s_idle_app (res, r, &end)) {
            s_pack_candidate (ctx->reply, res, r, end);
            packed++;
        }
    PQclear (res);
    PQclear (rule);
    return YJC_OK;
}
