/*  rating.c - R17: prices, the charges journal and the annual statement.

    Charges are computed from the ledger (allocations) and the prices, by
    the one rule of common/yjc_prices.h.  Every closed month (Asia/
    Shanghai) of every application is rated once into the journal
    `charges`; when what it was rated from changes afterwards (a price
    version published for a past date, an allocation arriving late) the
    month is rated again and only the difference is appended, naming its
    cause.  Nothing is edited or deleted (triggers, 111_rating.sql); a
    redelivered event changes no allocation (order_id is unique, the inbox
    drops it), so it changes nothing here.  The open month is computed
    live, marked provisional (暂计).                                      */
#include "rating.h"
#include "yjc_config.h"
#include "yjc_prices.h"
#include "yjc_time.h"
#include <stdatomic.h>

//  One line of a statement, from the journal or computed live.
typedef struct {
    char unit[129], app_id[33], month[11];
    char line[24], stage[16], from[11], to[11], kind[16];
    char *cause;
    int days, order;
    int64_t qty, unit_price, amount;
} s_line_t;

typedef struct {
    s_line_t *v;
    int n, max;
} s_lines_t;

static const char *s_rule_zh =
    "按日折算（R17）：按上海时间自然日计，每日计入当日最后一个分配区间；"
    "月价按累计四舍五入分摊到分（整月即月价），各项相加等于合计";

//  When the tick looks for stale months (issue 14: the search reads every
//  allocation, and ran each second): after this process changed what
//  rating reads (two ticks: the change may commit after the first), when
//  the month turns, and every RESCAN_MS in any case (another instance's
//  changes, a search cut short by its limit is resumed at once).
#define RESCAN_MS 60000
static atomic_int s_touched = 2;        //  ticks that must still search
static atomic_int s_searched_month = 0; //  yyyymm of the last search
static atomic_llong s_next_search = 0;  //  zclock_mono() of the next one

static void
s_touch (void)
{
    atomic_store (&s_touched, 2);
}

static bool
s_search_due (int month)
{
    int touched = atomic_load (&s_touched);
    while (touched > 0 &&
           !atomic_compare_exchange_weak (&s_touched, &touched, touched - 1))
        ;
    return touched > 0 || month != atomic_load (&s_searched_month) ||
           zclock_mono () >= atomic_load (&s_next_search);
}

yjc_result_t
rating_lock (yjc_ctx_t *ctx)
{
    PGresult *res = yjc_db_query (
        ctx->db, "SELECT pg_advisory_xact_lock(17, 111)", 0, NULL);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    s_touch ();
    return YJC_OK;
}

//  YJC_ENFORCED_PRICING as the column an enforced interval is priced at.
static int
s_enforced_as (void)
{
    const char *v = yjc_config (YJC_CFG_ENFORCED_PRICING);
    if (streq (v, yjc_intervals[YJC_IV_TEST].code))
        return YJC_RATE_TEST;
    if (streq (v, "zero"))
        return -1;
    return YJC_RATE_PRODUCTION;
}

static int
s_stage (const char *code)
{
    if (streq (code, yjc_intervals[YJC_IV_TEST].code))
        return YJC_RATE_TEST;
    if (streq (code, yjc_intervals[YJC_IV_ENFORCED].code))
        return YJC_RATE_ENFORCED;
    return YJC_RATE_PRODUCTION;
}

//  A rating stage's interval code (proto/yjc_lifecycle.def), which is
//  also the price column's name (test, production).
static const char *
s_stage_code (int stage)
{
    static const yjc_interval_t iv[] = { YJC_IV_TEST,
                                         YJC_IV_PRODUCTION,
                                         YJC_IV_ENFORCED };
    return yjc_intervals[iv[stage]].code;
}

//  The allocation intervals of `app_id` overlapping `month` (its first
//  day), as days of the month, in the order of valid_from.
static int
s_intervals (yjc_ctx_t *ctx,
             const char *app_id,
             const char *month,
             yjc_rate_interval_t **out)
{
    const char *params[] = { app_id, month };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT stage,"
        " ((valid_from AT TIME ZONE 'Asia/Shanghai')::date - $2::date)::text,"
        " coalesce((((valid_to AT TIME ZONE 'Asia/Shanghai')"
        "   - interval '1 microsecond')::date - $2::date)::text, '100000'),"
        " resources_mp FROM allocations WHERE app_id = $1"
        " AND valid_from < (($2::date + interval '1 month')::timestamp"
        "   AT TIME ZONE 'Asia/Shanghai')"
        " AND (valid_to IS NULL OR (valid_to > valid_from AND valid_to >"
        "   ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')))"
        " ORDER BY valid_from, id",
        2,
        params,
        NULL,
        NULL);
    if (!res)
        return -1;
    int n = PQntuples (res);
    *out = calloc ((size_t)n + 1, sizeof (yjc_rate_interval_t));
    for (int i = 0; *out && i < n; i++) {
        yjc_rate_interval_t *iv = &(*out)[i];
        char stage[16];
        snprintf (stage, sizeof stage, "%s", PQgetvalue (res, i, 0));
        iv->stage = s_stage (stage);
        iv->first = atoi (PQgetvalue (res, i, 1));
        iv->last = atoi (PQgetvalue (res, i, 2));
        msgpack_unpacked u;
        msgpack_unpacked_init (&u);
        if (msgpack_unpack_next (&u,
                                 PQgetvalue (res, i, 3),
                                 (size_t)PQgetlength (res, i, 3),
                                 NULL) == MSGPACK_UNPACK_SUCCESS)
            for (int line = 0; line < YJC_PRICE_COUNT; line++)
                iv->qty[line] = yjc_price_qty (&u.data, line);
        msgpack_unpacked_destroy (&u);
    }
    PQclear (res);
    return *out ? n : -1;
}

//  The price versions that start before the end of `month`, in force
//  order, as days of the month.
static int
s_versions (yjc_ctx_t *ctx, const char *month, yjc_rate_version_t **out)
{
    const char *params[] = { month };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT v.version::text, (v.effective_from - $1::date)::text,"
        " l.line, l.test::text, l.production::text"
        " FROM price_versions v JOIN price_lines l USING (version)"
        " WHERE v.effective_from < $1::date + interval '1 month'"
        " ORDER BY v.effective_from, v.version",
        1,
        params);
    if (!res)
        return -1;
    int rows = PQntuples (res), n = 0;
    *out = calloc ((size_t)rows + 1, sizeof (yjc_rate_version_t));
    const char *last = "";
    for (int r = 0; *out && r < rows; r++) {
        if (!streq (PQgetvalue (res, r, 0), last)) {
            last = PQgetvalue (res, r, 0);
            (*out)[n++].first = atoi (PQgetvalue (res, r, 1));
        }
        int line = yjc_price_by_code (PQgetvalue (res, r, 2));
        if (line >= 0) {
            (*out)[n - 1].price[line][0] = atoll (PQgetvalue (res, r, 3));
            (*out)[n - 1].price[line][1] = atoll (PQgetvalue (res, r, 4));
        }
    }
    PQclear (res);
    return *out ? n : -1;
}

//  The target charges of one application's month (days [0, upto)), and
//  the month's length.  -1 on a database error.
static int
s_targets (yjc_ctx_t *ctx,
           const char *app_id,
           const char *month,
           int upto,
           yjc_rate_item_t **items,
           int *days)
{
    int y = 0, m = 0;
    sscanf (month, "%d-%d", &y, &m);
    static const int mdays[] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    *days = m >= 1 && m <= 12 ? mdays[m - 1] + (m == 2 && leap) : 30;
    yjc_rate_interval_t *iv = NULL;
    yjc_rate_version_t *ver = NULL;
    int niv = s_intervals (ctx, app_id, month, &iv);
    int nver = niv >= 0 ? s_versions (ctx, month, &ver) : -1;
    int n = nver >= 0 ? yjc_rate_month (*days,
                                        upto < 0 ? *days : upto,
                                        iv,
                                        niv,
                                        ver,
                                        nver,
                                        s_enforced_as (),
                                        items)
                      : -1;
    free (iv);
    free (ver);
    return n;
}

//  "YYYY-MM-DD" of day index `d` (0-based) of `month` ("YYYY-MM-01").
static void
s_day (const char *month, int d, char out[11])
{
    snprintf (out, 11, "%.8s%02u", month, (unsigned)(d + 1) % 100u);
}

//  Appends one journal entry.
static yjc_result_t
s_append (yjc_ctx_t *ctx,
          const char *app_id,
          const char *unit,
          const char *month,
          const char *line,
          const char *stage,
          int64_t price,
          int64_t qty,
          int from,
          int to,
          int64_t amount,
          const char *kind,
          const char *cause)
{
    char p[24], q[24], f[11], t[11], days[12], a[24];
    snprintf (p, sizeof p, "%lld", (long long)price);
    snprintf (q, sizeof q, "%lld", (long long)qty);
    s_day (month, from, f);
    s_day (month, to - 1, t);
    snprintf (days, sizeof days, "%d", to - from);
    snprintf (a, sizeof a, "%lld", (long long)amount);
    const char *params[] = { app_id, unit, month, line,        stage,
                             p,      q,    f,     t,           days,
                             a,      kind, cause, ctx->now_iso };
    return yjc_db_exec (ctx->db,
                        "INSERT INTO charges (app_id, unit, month, line,"
                        " stage, unit_price_fen, qty, day_from, day_to,"
                        " days, amount_fen, kind, cause, rated_at) VALUES"
                        " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                        " $13, $14)",
                        14,
                        params) == 1
               ? YJC_OK
               : YJC_DB_ERROR;
}

//  Rates one closed month of one application: appends, per key, the
//  difference between the target and what the journal holds.  `cause`
//  is "" the first time (kind charge), else why it is rated again.
static yjc_result_t
s_rate (yjc_ctx_t *ctx,
        const char *app_id,
        const char *month,
        const char *cause)
{
    const char *params[] = { app_id, month };
    PGresult *unit =
        yjc_db_query (ctx->db,
                      "SELECT unit FROM allocations WHERE app_id = $1"
                      " ORDER BY valid_from DESC, id DESC LIMIT 1",
                      1,
                      params);
    PGresult *held =
        yjc_db_query (ctx->db,
                      "SELECT line, stage, unit_price_fen::text, qty::text,"
                      " (day_from - month)::text, (day_to - month + 1)::text,"
                      " sum(amount_fen)::text, ''"
                      " FROM charges WHERE app_id = $1 AND month = $2::date"
                      " GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY min(id)",
                      2,
                      params);
    yjc_rate_item_t *items = NULL;
    int days = 0;
    int n =
        unit && held ? s_targets (ctx, app_id, month, -1, &items, &days) : -1;
    yjc_result_t rc = n < 0 ? YJC_DB_ERROR : YJC_OK;
    const char *u = unit && PQntuples (unit) ? PQgetvalue (unit, 0, 0) : "";
    const char *kind = cause[0] ? "compensation" : "charge";
    int nheld = held ? PQntuples (held) : 0;
    bool *matched = calloc ((size_t)nheld + 1, sizeof (bool));
    for (int i = 0; rc == YJC_OK && i < n; i++) {
        const yjc_rate_item_t *it = &items[i];
        int64_t have = 0;
        for (int h = 0; h < nheld; h++)
            if (!matched[h] &&
                streq (PQgetvalue (held, h, 0), yjc_prices[it->line].code) &&
                streq (PQgetvalue (held, h, 1), s_stage_code (it->stage)) &&
                atoll (PQgetvalue (held, h, 2)) == it->unit_price &&
                atoll (PQgetvalue (held, h, 3)) == it->qty &&
                atoi (PQgetvalue (held, h, 4)) == it->from &&
                atoi (PQgetvalue (held, h, 5)) == it->to) {
                matched[h] = true;
                have = atoll (PQgetvalue (held, h, 6));
                break;
            }
        if (it->amount != have)
            rc = s_append (ctx,
                           app_id,
                           u,
                           month,
                           yjc_prices[it->line].code,
                           s_stage_code (it->stage),
                           it->unit_price,
                           it->qty,
                           it->from,
                           it->to,
                           it->amount - have,
                           kind,
                           cause);
    }
    //  What the journal holds that the ledger no longer owes: reversed.
    for (int h = 0; rc == YJC_OK && h < nheld; h++) {
        int64_t have = atoll (PQgetvalue (held, h, 6));
        if (!matched[h] && have != 0)
            rc = s_append (ctx,
                           app_id,
                           u,
                           month,
                           PQgetvalue (held, h, 0),
                           PQgetvalue (held, h, 1),
                           atoll (PQgetvalue (held, h, 2)),
                           atoll (PQgetvalue (held, h, 3)),
                           atoi (PQgetvalue (held, h, 4)),
                           atoi (PQgetvalue (held, h, 5)),
                           -have,
                           "compensation",
                           cause[0] ? cause : "重新计费");
    }
    free (matched);
    free (items);
    if (unit)
        PQclear (unit);
    if (held)
        PQclear (held);
    if (rc != YJC_OK)
        return rc;
    return yjc_db_exec (ctx->db,
                        "INSERT INTO rated_months (app_id, month, seq)"
                        " VALUES ($1, $2, nextval('rating_seq'))"
                        " ON CONFLICT (app_id, month) DO UPDATE"
                        " SET seq = excluded.seq",
                        2,
                        params) == 1
               ? YJC_OK
               : YJC_DB_ERROR;
}

//  The (application, closed month) pairs to rate: never rated, or rated
//  before a price version for a date in or before the month, or before an
//  allocation of the application changed; with the cause.
static const char *s_stale_sql =
    "WITH cur AS (SELECT date_trunc('month', $1::timestamptz"
    "   AT TIME ZONE 'Asia/Shanghai')::date AS m),"
    " spans AS (SELECT app_id,"
    "   date_trunc('month', valid_from AT TIME ZONE 'Asia/Shanghai') AS m0,"
    "   least(coalesce(date_trunc('month', (valid_to AT TIME ZONE"
    "   'Asia/Shanghai') - interval '1 microsecond'), cur.m),"
    "   cur.m - interval '1 month') AS m1"
    "   FROM allocations, cur WHERE valid_to IS NULL OR valid_to > valid_from),"
    " am AS (SELECT DISTINCT s.app_id, g::date AS month FROM spans s,"
    "   generate_series(s.m0, s.m1, interval '1 month') g"
    "   UNION SELECT app_id, month FROM rated_months),"
    " c AS (SELECT am.app_id, am.month, r.seq,"
    "   (SELECT max(p.version) FROM price_versions p WHERE r.seq IS NOT NULL"
    "    AND p.seq > r.seq AND p.effective_from < am.month + interval"
    "    '1 month') AS version,"
    "   (SELECT x.order_id FROM allocations x WHERE r.seq IS NOT NULL AND"
    "    x.app_id = am.app_id AND x.changed_seq > r.seq"
    "    ORDER BY x.changed_seq DESC LIMIT 1) AS order_id"
    "   FROM am LEFT JOIN rated_months r USING (app_id, month))"
    " SELECT c.app_id, to_char(c.month, 'YYYY-MM-DD'),"
    "  CASE WHEN c.seq IS NULL THEN ''"
    "   WHEN c.version IS NOT NULL THEN '价格版本 ' || c.version || '（'"
    "    || to_char(v.effective_from, 'YYYY-MM-DD') || ' 起）追溯发布'"
    "   ELSE '资源分配记录迟到（' || c.order_id || '）' END"
    " FROM c LEFT JOIN price_versions v ON v.version = c.version"
    " WHERE c.seq IS NULL OR c.version IS NOT NULL OR c.order_id IS NOT NULL"
    " ORDER BY c.month, c.app_id LIMIT $2::int";

//  Rates up to `limit` stale closed months; *full: as many were found.
static yjc_result_t
s_catch_up (yjc_ctx_t *ctx, int limit, bool *full)
{
    yjc_result_t rc = rating_lock (ctx);
    if (rc != YJC_OK)
        return rc;
    char lim[12];
    snprintf (lim, sizeof lim, "%d", limit);
    const char *params[] = { ctx->now_iso, lim };
    PGresult *res = yjc_db_query (ctx->db, s_stale_sql, 2, params);
    if (!res)
        return YJC_DB_ERROR;
    *full = PQntuples (res) >= limit;
    for (int i = 0; rc == YJC_OK && i < PQntuples (res); i++)
        rc = s_rate (ctx,
                     PQgetvalue (res, i, 0),
                     PQgetvalue (res, i, 1),
                     PQgetvalue (res, i, 2));
    PQclear (res);
    return rc;
}

yjc_result_t
rating_tick (yjc_ctx_t *ctx)
{
    yjc_date_t today = yjc_time_local_date (ctx->now);
    int month = today.y * 100 + today.m;
    if (!s_search_due (month))
        return YJC_OK;
    bool full = false;
    //  rating_lock marks this process's own search as a change: undone,
    //  unless the search failed or stopped at its limit
    yjc_result_t rc = s_catch_up (ctx, 200, &full);
    atomic_store (&s_touched, rc != YJC_OK || full ? 2 : 0);
    atomic_store (&s_searched_month, month);
    atomic_store (&s_next_search, zclock_mono () + RESCAN_MS);
    return rc;
}

//  --------------------------------------------------------------------------
//  prices

//  Checks body.lines: every line of the catalog, {test, production} in
//  分, nothing else.  Every problem is named by its field.
static bool
s_check_lines (yjc_ctx_t *ctx, const msgpack_object *lines)
{
    bool ok = true;
    char field[96];
    if (!lines || lines->type != MSGPACK_OBJECT_MAP) {
        yjc_ctx_fail (ctx, YJC_E_WRONG_TYPE, "body.lines", "价格应为映射");
        return false;
    }
    for (uint32_t i = 0; i < lines->via.map.size; i++) {
        const msgpack_object *k = &lines->via.map.ptr[i].key;
        char code[40] = "";
        if (k->type == MSGPACK_OBJECT_STR)
            snprintf (code,
                      sizeof code,
                      "%.*s",
                      (int)k->via.str.size,
                      k->via.str.ptr);
        if (yjc_price_by_code (code) < 0) {
            snprintf (field, sizeof field, "body.lines.%s", code);
            yjc_ctx_fail (ctx, YJC_E_UNKNOWN_FIELD, field, "价目表中没有该项");
            ok = false;
        }
    }
    for (int line = 0; line < YJC_PRICE_COUNT; line++) {
        const char *code = yjc_prices[line].code;
        const msgpack_object *entry = yjc_obj_get (lines, code);
        snprintf (field, sizeof field, "body.lines.%s", code);
        if (!entry || entry->type != MSGPACK_OBJECT_MAP) {
            yjc_ctx_fail (ctx,
                          entry ? YJC_E_WRONG_TYPE : YJC_E_MISSING_FIELD,
                          field,
                          "%s 未定价",
                          yjc_prices[line].zh);
            ok = false;
            continue;
        }
        const char *cols[] = { s_stage_code (YJC_RATE_TEST),
                               s_stage_code (YJC_RATE_PRODUCTION) };
        for (int c = 0; c < 2; c++) {
            const msgpack_object *v = yjc_obj_get (entry, cols[c]);
            snprintf (field, sizeof field, "body.lines.%s.%s", code, cols[c]);
            if (!v) {
                yjc_ctx_fail (ctx, YJC_E_MISSING_FIELD, field, "缺少价格");
                ok = false;
            }
            else if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
                yjc_ctx_fail (ctx,
                              v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER
                                  ? YJC_E_OUT_OF_RANGE
                                  : YJC_E_WRONG_TYPE,
                              field,
                              "价格应为以分计的非负整数");
                ok = false;
            }
            else if (v->via.u64 > YJC_PRICE_MAX) {
                yjc_ctx_fail (ctx, YJC_E_OUT_OF_RANGE, field, "价格超出上限");
                ok = false;
            }
        }
        if (entry->via.map.size > 2 ||
            (entry->via.map.size == 2 &&
             (!yjc_obj_get (entry, s_stage_code (0)) ||
              !yjc_obj_get (entry, s_stage_code (1))))) {
            snprintf (field, sizeof field, "body.lines.%s", code);
            yjc_ctx_fail (
                ctx, YJC_E_UNKNOWN_FIELD, field, "只应有 test 和 production");
            ok = false;
        }
    }
    return ok;
}

yjc_result_t
prices_publish (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *lines = yjc_obj_get (body, "lines");
    if (!s_check_lines (ctx, lines))
        return YJC_FAIL;
    yjc_result_t rc = rating_lock (ctx);
    if (rc != YJC_OK)
        return rc;
    char from[16], note[2001];
    yjc_obj_strcpy (body, "effective_from", from, sizeof from);
    yjc_obj_strcpy (body, "note", note, sizeof note);
    const char *params[] = { from, note, ctx->actor->name, ctx->now_iso };
    PGresult *res = yjc_db_query (
        ctx->db,
        "INSERT INTO price_versions (effective_from, note, published_by,"
        " published_at) VALUES ($1, $2, $3, $4) RETURNING version::text,"
        " ($1::date < ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date)"
        "::text",
        4,
        params);
    if (!res)
        return YJC_DB_ERROR;
    char version[24];
    snprintf (version, sizeof version, "%s", PQgetvalue (res, 0, 0));
    bool retro = streq (PQgetvalue (res, 0, 1), "true");
    PQclear (res);
    for (int line = 0; line < YJC_PRICE_COUNT; line++) {
        const msgpack_object *e = yjc_obj_get (lines, yjc_prices[line].code);
        char t[24], p[24];
        snprintf (
            t,
            sizeof t,
            "%llu",
            (unsigned long long)yjc_obj_get (e, s_stage_code (0))->via.u64);
        snprintf (
            p,
            sizeof p,
            "%llu",
            (unsigned long long)yjc_obj_get (e, s_stage_code (1))->via.u64);
        const char *lp[] = { version, yjc_prices[line].code, t, p };
        if (yjc_db_exec (ctx->db,
                         "INSERT INTO price_lines (version, line, test,"
                         " production) VALUES ($1, $2, $3, $4)",
                         4,
                         lp) != 1)
            return YJC_DB_ERROR;
    }
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_int (&ev, "version", atoll (version));
    yjc_map_str (&ev, "effective_from", from);
    yjc_map_str (&ev, "note", note);
    yjc_map_str (&ev, "published_by", ctx->actor->name);
    yjc_map_bool (&ev, "retroactive", retro);
    rc = yjc_ctx_emit_map (ctx, YJC_EV_PRICES_PUBLISHED, "", &ev);
    yjc_map_release (&ev);
    if (rc != YJC_OK)
        return rc;
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_int (ctx->reply, "version", atoll (version));
    yjc_pk_kv_str (ctx->reply, "effective_from", from);
    yjc_pk_kv_bool (ctx->reply, "retroactive", retro);
    return YJC_OK;
}

yjc_result_t
prices_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char at[16];
    yjc_obj_strcpy (body, "at", at, sizeof at);
    const char *params[] = { at[0] ? at : NULL, ctx->now_iso };
    PGresult *vers = yjc_db_query (
        ctx->db,
        "SELECT version::text, to_char(effective_from, 'YYYY-MM-DD'), note,"
        " published_by, to_char(published_at AT TIME ZONE 'Asia/Shanghai',"
        " 'YYYY-MM-DD HH24:MI:SS'),"
        " (version = (SELECT version FROM price_versions WHERE effective_from"
        "  <= coalesce($1::date, ($2::timestamptz AT TIME ZONE"
        "  'Asia/Shanghai')::date) ORDER BY effective_from DESC, version DESC"
        "  LIMIT 1))::text,"
        " coalesce($1::date, ($2::timestamptz AT TIME ZONE"
        "  'Asia/Shanghai')::date)::text"
        " FROM price_versions ORDER BY effective_from, version",
        2,
        params);
    if (!vers)
        return YJC_DB_ERROR;
    int force = -1;
    for (int i = 0; i < PQntuples (vers); i++)
        if (streq (PQgetvalue (vers, i, 5), "true"))
            force = i;
    static const yjc_col_t cols[] = {
        { "version", YJC_COL_INT },       { "effective_from", YJC_COL_TEXT },
        { "note", YJC_COL_TEXT },         { "published_by", YJC_COL_TEXT },
        { "published_at", YJC_COL_TEXT },
    };
    PGresult *lines = NULL;
    if (force >= 0) {
        const char *lp[] = { PQgetvalue (vers, force, 0) };
        lines = yjc_db_query (ctx->db,
                              "SELECT line, test::text, production::text"
                              " FROM price_lines WHERE version = $1",
                              1,
                              lp);
        if (!lines) {
            PQclear (vers);
            return YJC_DB_ERROR;
        }
    }
    msgpack_pack_map (ctx->reply, force >= 0 ? 3 : 2);
    yjc_pk_kv_str (
        ctx->reply, "at", PQntuples (vers) ? PQgetvalue (vers, 0, 6) : at);
    yjc_pk_rows (ctx->reply, "versions", vers, cols, 5);
    if (force >= 0) {
        yjc_pk_str (ctx->reply, "in_force");
        msgpack_pack_map (ctx->reply, 6);
        yjc_pk_columns (ctx->reply, vers, force, cols, 5);
        yjc_pk_str (ctx->reply, "lines");
        msgpack_pack_array (ctx->reply, YJC_PRICE_COUNT);
        for (int line = 0; line < YJC_PRICE_COUNT; line++) {
            int64_t t = 0, p = 0;
            for (int r = 0; r < PQntuples (lines); r++)
                if (streq (PQgetvalue (lines, r, 0), yjc_prices[line].code)) {
                    t = atoll (PQgetvalue (lines, r, 1));
                    p = atoll (PQgetvalue (lines, r, 2));
                }
            msgpack_pack_map (ctx->reply, 5);
            yjc_pk_kv_str (ctx->reply, "line", yjc_prices[line].code);
            yjc_pk_kv_str (ctx->reply, "line_zh", yjc_prices[line].zh);
            yjc_pk_kv_str (
                ctx->reply, "measure_zh", yjc_prices[line].measure_zh);
            yjc_pk_kv_int (ctx->reply, s_stage_code (0), t);
            yjc_pk_kv_int (ctx->reply, s_stage_code (1), p);
        }
        PQclear (lines);
    }
    PQclear (vers);
    return YJC_OK;
}

//  --------------------------------------------------------------------------
//  the statement

static s_line_t *
s_push (s_lines_t *self)
{
    if (self->n == self->max) {
        int max = self->max ? self->max * 2 : 64;
        s_line_t *v = realloc (self->v, sizeof (s_line_t) * (size_t)max);
        if (!v)
            return NULL;
        self->v = v;
        self->max = max;
    }
    s_line_t *l = &self->v[self->n];
    memset (l, 0, sizeof *l);
    l->order = self->n++;
    return l;
}

static void
s_lines_release (s_lines_t *self)
{
    for (int i = 0; i < self->n; i++)
        free (self->v[i].cause);
    free (self->v);
}

static int
s_cmp (const void *a, const void *b)
{
    const s_line_t *x = a, *y = b;
    int c = strcmp (x->unit, y->unit);
    if (!c)
        c = strcmp (x->app_id, y->app_id);
    if (!c)
        c = strcmp (x->month, y->month);
    return c ? c : x->order - y->order;
}

//  The journal's entries of the year (of `unit` when not NULL).
static yjc_result_t
s_journal (yjc_ctx_t *ctx, int64_t year, const char *unit, s_lines_t *out)
{
    char y[12];
    snprintf (y, sizeof y, "%lld", (long long)year);
    const char *params[] = { y, unit };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT unit, app_id, to_char(month, 'YYYY-MM-DD'), line, stage,"
        " to_char(day_from, 'YYYY-MM-DD'), to_char(day_to, 'YYYY-MM-DD'),"
        " days::text, qty::text, unit_price_fen::text, amount_fen::text,"
        " kind, cause FROM charges"
        " WHERE month >= make_date($1::int, 1, 1)"
        " AND month < make_date($1::int + 1, 1, 1)"
        " AND ($2::text IS NULL OR unit = $2) ORDER BY unit, app_id, month, id",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    for (int r = 0; r < PQntuples (res); r++) {
        s_line_t *l = s_push (out);
        if (!l)
            break;
        snprintf (l->unit, sizeof l->unit, "%s", PQgetvalue (res, r, 0));
        snprintf (l->app_id, sizeof l->app_id, "%s", PQgetvalue (res, r, 1));
        snprintf (l->month, sizeof l->month, "%s", PQgetvalue (res, r, 2));
        snprintf (l->line, sizeof l->line, "%s", PQgetvalue (res, r, 3));
        snprintf (l->stage, sizeof l->stage, "%s", PQgetvalue (res, r, 4));
        snprintf (l->from, sizeof l->from, "%s", PQgetvalue (res, r, 5));
        snprintf (l->to, sizeof l->to, "%s", PQgetvalue (res, r, 6));
        l->days = atoi (PQgetvalue (res, r, 7));
        l->qty = atoll (PQgetvalue (res, r, 8));
        l->unit_price = atoll (PQgetvalue (res, r, 9));
        l->amount = atoll (PQgetvalue (res, r, 10));
        snprintf (l->kind, sizeof l->kind, "%s", PQgetvalue (res, r, 11));
        l->cause = strdup (PQgetvalue (res, r, 12));
    }
    PQclear (res);
    return YJC_OK;
}

//  The open month, computed live up to today (provisional, 暂计), when
//  it lies in the year.
static yjc_result_t
s_provisional (yjc_ctx_t *ctx, int64_t year, const char *unit, s_lines_t *out)
{
    char y[12];
    snprintf (y, sizeof y, "%lld", (long long)year);
    const char *params[] = { ctx->now_iso, y, unit };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH cur AS (SELECT date_trunc('month', $1::timestamptz AT TIME ZONE"
        "  'Asia/Shanghai')::date AS m, extract(day FROM $1::timestamptz"
        "  AT TIME ZONE 'Asia/Shanghai')::int AS today)"
        " SELECT * FROM (SELECT DISTINCT ON (a.app_id) a.app_id, a.unit,"
        "  to_char(cur.m, 'YYYY-MM-DD'), cur.today::text FROM allocations a,"
        "  cur WHERE extract(year FROM cur.m) = $2::int"
        "  AND (a.valid_to IS NULL OR (a.valid_to > a.valid_from"
        "  AND a.valid_to > (cur.m::timestamp AT TIME ZONE 'Asia/Shanghai')))"
        "  ORDER BY a.app_id, a.valid_from DESC, a.id DESC) s"
        " WHERE $3::text IS NULL OR s.unit = $3 ORDER BY 2, 1",
        3,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int r = 0; rc == YJC_OK && r < PQntuples (res); r++) {
        const char *month = PQgetvalue (res, r, 2);
        yjc_rate_item_t *items = NULL;
        int days = 0;
        int n = s_targets (ctx,
                           PQgetvalue (res, r, 0),
                           month,
                           atoi (PQgetvalue (res, r, 3)),
                           &items,
                           &days);
        if (n < 0)
            rc = YJC_DB_ERROR;
        for (int i = 0; i < n; i++) {
            s_line_t *l = s_push (out);
            if (!l)
                break;
            snprintf (l->unit, sizeof l->unit, "%s", PQgetvalue (res, r, 1));
            snprintf (
                l->app_id, sizeof l->app_id, "%s", PQgetvalue (res, r, 0));
            snprintf (l->month, sizeof l->month, "%s", month);
            snprintf (
                l->line, sizeof l->line, "%s", yjc_prices[items[i].line].code);
            snprintf (
                l->stage, sizeof l->stage, "%s", s_stage_code (items[i].stage));
            s_day (month, items[i].from, l->from);
            s_day (month, items[i].to - 1, l->to);
            l->days = items[i].to - items[i].from;
            l->qty = items[i].qty;
            l->unit_price = items[i].unit_price;
            l->amount = items[i].amount;
            snprintf (l->kind, sizeof l->kind, "provisional");
            l->cause = strdup ("");
        }
        free (items);
    }
    PQclear (res);
    return rc;
}

static void
s_pack_line (msgpack_packer *pk, const s_line_t *l)
{
    int line = yjc_price_by_code (l->line);
    msgpack_pack_map (pk, 12);
    yjc_pk_kv_str (pk, "line", l->line);
    yjc_pk_kv_str (pk, "line_zh", line >= 0 ? yjc_prices[line].zh : l->line);
    yjc_pk_kv_str (
        pk, "measure_zh", line >= 0 ? yjc_prices[line].measure_zh : "");
    yjc_pk_kv_str (pk, "stage", l->stage);
    yjc_pk_kv_str (pk, "from", l->from);
    yjc_pk_kv_str (pk, "to", l->to);
    yjc_pk_kv_int (pk, "days", l->days);
    yjc_pk_kv_int (pk, "qty", l->qty);
    yjc_pk_kv_int (pk, "unit_price_fen", l->unit_price);
    yjc_pk_kv_int (pk, "amount_fen", l->amount);
    yjc_pk_kv_str (pk, "kind", l->kind);
    yjc_pk_kv_str (pk, "cause", l->cause ? l->cause : "");
}

//  Rows [first, end) share the unit (by_app false) or the application.
static int
s_group_end (const s_lines_t *ls, int first, bool by_app)
{
    int e = first;
    while (e < ls->n && streq (ls->v[e].unit, ls->v[first].unit) &&
           (!by_app || streq (ls->v[e].app_id, ls->v[first].app_id)))
        e++;
    return e;
}

static int64_t
s_sum (const s_lines_t *ls, int first, int end)
{
    int64_t total = 0;
    for (int i = first; i < end; i++)
        total += ls->v[i].amount;
    return total;
}

static void
s_pack_unit (msgpack_packer *pk, const s_lines_t *ls, int first, int end)
{
    msgpack_pack_map (pk, 3);
    yjc_pk_kv_str (pk, "unit", ls->v[first].unit);
    yjc_pk_kv_int (pk, "total_fen", s_sum (ls, first, end));
    uint32_t systems = 0;
    for (int s = first; s < end; s = s_group_end (ls, s, true))
        systems++;
    yjc_pk_str (pk, "systems");
    msgpack_pack_array (pk, systems);
    for (int s = first, e; s < end; s = e) {
        e = s_group_end (ls, s, true);
        msgpack_pack_map (pk, 4);
        yjc_pk_kv_str (pk, "app_id", ls->v[s].app_id);
        yjc_pk_kv_str (pk, "name", "");
        yjc_pk_kv_int (pk, "total_fen", s_sum (ls, s, e));
        yjc_pk_str (pk, "lines");
        msgpack_pack_array (pk, (uint32_t)(e - s));
        for (int i = s; i < e; i++)
            s_pack_line (pk, &ls->v[i]);
    }
}

static void
s_pack_statement (yjc_ctx_t *ctx,
                  int64_t year,
                  const char *unit,
                  const s_lines_t *ls,
                  const char *generated_at,
                  bool provisional)
{
    msgpack_packer *pk = ctx->reply;
    msgpack_pack_map (pk, unit ? 7 : 6);
    yjc_pk_kv_int (pk, "year", year);
    if (unit)
        yjc_pk_kv_str (pk, "unit", unit);
    yjc_pk_kv_str (pk, "generated_at", generated_at);
    yjc_pk_kv_bool (pk, "provisional", provisional);
    yjc_pk_kv_str (pk, "rule", s_rule_zh);
    yjc_pk_kv_int (pk, "total_fen", s_sum (ls, 0, ls->n));
    uint32_t units = 0;
    for (int s = 0; s < ls->n; s = s_group_end (ls, s, false))
        units++;
    yjc_pk_str (pk, "units");
    //  A unit's statement names the unit even when it owes nothing.
    if (unit && units == 0) {
        msgpack_pack_array (pk, 1);
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "unit", unit);
        yjc_pk_kv_int (pk, "total_fen", 0);
        yjc_pk_str (pk, "systems");
        msgpack_pack_array (pk, 0);
        return;
    }
    msgpack_pack_array (pk, units);
    for (int s = 0, e; s < ls->n; s = e) {
        e = s_group_end (ls, s, false);
        s_pack_unit (pk, ls, s, e);
    }
}

yjc_result_t
billing_statement (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t year = 0;
    yjc_obj_int (body, "year", &year);
    char unit[129];
    yjc_obj_strcpy (body, "unit", unit, sizeof unit);
    //  A unit sees its own statement only (R17: the unit's annual report).
    if (ctx->actor->role == YJC_ROLE_UNIT) {
        if (unit[0] && !streq (unit, ctx->actor->unit))
            return yjc_ctx_fail (
                ctx, YJC_E_FORBIDDEN, "body.unit", "只能查看本单位的结算单");
        snprintf (unit, sizeof unit, "%s", ctx->actor->unit);
    }
    bool full = false;
    yjc_result_t rc = s_catch_up (ctx, 100000, &full);
    if (rc != YJC_OK)
        return rc;
    char y[12];
    snprintf (y, sizeof y, "%lld", (long long)year);
    const char *params[] = { ctx->now_iso, y };
    PGresult *now = yjc_db_query (
        ctx->db,
        "SELECT to_char($1::timestamptz AT TIME ZONE 'Asia/Shanghai',"
        " 'YYYY-MM-DD HH24:MI:SS'), (make_date($2::int + 1, 1, 1) >"
        " date_trunc('month', $1::timestamptz AT TIME ZONE"
        " 'Asia/Shanghai')::date)::text",
        2,
        params);
    if (!now)
        return YJC_DB_ERROR;
    s_lines_t ls = { NULL, 0, 0 };
    const char *u = unit[0] ? unit : NULL;
    rc = s_journal (ctx, year, u, &ls);
    if (rc == YJC_OK)
        rc = s_provisional (ctx, year, u, &ls);
    if (rc == YJC_OK) {
        if (ls.n > 1)
            qsort (ls.v, (size_t)ls.n, sizeof *ls.v, s_cmp);
        s_pack_statement (ctx,
                          year,
                          u,
                          &ls,
                          PQgetvalue (now, 0, 0),
                          streq (PQgetvalue (now, 0, 1), "true"));
    }
    s_lines_release (&ls);
    PQclear (now);
    return rc;
}
