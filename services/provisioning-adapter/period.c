/*  period.c - the usage period of a system in production (R14).

    R14.1 the period runs from the day the system went live for the
    form's length (1-3 years), its last day by the month/year rule with
    the day-off shift (民法典 第二百零二、二百零三条, yjc_calendar_period_end);
    R14.2 the vendor owes the unit and the bureau a notice by the day one
    month before that last day (counted back by the month rule, time
    rules): the tick orders it on that day, never before, never twice;
    R14.3 an approved renewal moves the last day on (1-3 years from it);
    R14.4 past the last day with no approved renewal the application is
    已到期 (application.expired); the bureau's approval orders the vendor
    offline + backup (15 working days); once offline, the backup is kept
    3 months and purged from the day after, as R13.2's retention.        */
#include "period.h"
#include "yjc_lifecycle.h"
#include "yjc_time.h"

//  The same-numbered day `months` before `d`, or that month's last day
//  when it has none (the month rule, counted back).
static yjc_date_t
s_months_back (yjc_date_t d, int months)
{
    int m = d.y * 12 + (d.m - 1) - months;
    yjc_date_t out = { m / 12, m % 12 + 1, d.d };
    int dim = yjc_date_days_in_month (out.y, out.m);
    if (out.d > dim)
        out.d = dim;
    return out;
}

yjc_result_t
period_on_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    const msgpack_object *usage = yjc_obj_get (ev->payload, "usage");
    int64_t months = 0, days = 0;
    if (!usage || !yjc_obj_int (usage, "months", &months) ||
        !yjc_obj_int (usage, "days", &days)) {
        yjc_ctx_log (ctx, YJC_LOG_WARNING, "approved without its usage period");
        return YJC_OK;
    }
    char unit[129], on_expiry[17], m[24], d[24];
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    yjc_obj_strcpy (usage, "on_expiry", on_expiry, sizeof on_expiry);
    snprintf (m, sizeof m, "%lld", (long long)months);
    snprintf (d, sizeof d, "%lld", (long long)days);
    const char *params[] = { ev->app_id, unit, m, d, on_expiry };
    //  nobody waits for it: out with the next statement (issue 14)
    return yjc_db_exec_later (ctx->db,
                              "INSERT INTO periods (app_id, unit, months,"
                              " days, on_expiry) VALUES ($1, $2, $3::int,"
                              " $4::int, $5) ON CONFLICT DO NOTHING",
                              5,
                              params,
                              NULL,
                              NULL) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  R14.1: the last day of every term whose end is not computed yet, with
//  its notice day (R14.2), announced by period.scheduled.  An end in a
//  year the calendar does not cover stays open (retried by the tick).
static yjc_result_t
s_schedule (yjc_ctx_t *ctx, bool quiet)
{
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT app_id, unit, started_on::text, base_on::text, term_n,"
        " term_unit, on_expiry FROM periods"
        " WHERE base_on IS NOT NULL AND ends_on IS NULL"
        " AND expired_at IS NULL ORDER BY app_id LIMIT 50 FOR UPDATE",
        0,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    const yjc_calendar_t *cal = yjc_ctx_calendar (ctx);
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        const char *app_id = PQgetvalue (res, i, 0);
        yjc_date_t from, base, last;
        char err[128] = "", to[11], notice[11];
        int n = atoi (PQgetvalue (res, i, 4));
        if (yjc_date_parse (PQgetvalue (res, i, 2), &from) != 0 ||
            yjc_date_parse (PQgetvalue (res, i, 3), &base) != 0 ||
            yjc_calendar_period_end (cal,
                                     base,
                                     n,
                                     *PQgetvalue (res, i, 5),
                                     &last,
                                     err,
                                     sizeof err) != 0) {
            if (!quiet)
                yjc_ctx_log_app (ctx,
                                 app_id,
                                 YJC_LOG_WARNING,
                                 "end of usage period open: %s",
                                 err);
            continue;
        }
        bool provisional = yjc_calendar_provisional_span (cal, base, last);
        yjc_date_format (last, to);
        yjc_date_format (s_months_back (last, 1), notice);
        const char *uparams[] = { app_id, to, notice, provisional ? "t" : "f" };
        const char *nparams[] = { app_id, notice };
        //  a notice already ordered for this term follows its day (a
        //  published year moved the end)
        if (yjc_db_exec (ctx->db,
                         "UPDATE periods SET ends_on = $2::date,"
                         " notice_on = $3::date, provisional = $4::bool"
                         " WHERE app_id = $1",
                         4,
                         uparams) < 0 ||
            yjc_db_exec (ctx->db,
                         "UPDATE orders SET due = $2::date"
                         " WHERE order_id = (SELECT notice_order FROM periods"
                         "  WHERE app_id = $1) AND closed_at IS NULL"
                         " AND due IS DISTINCT FROM $2::date",
                         2,
                         nparams) < 0) {
            rc = YJC_DB_ERROR;
            break;
        }
        yjc_map_t ev;
        yjc_map_init (&ev);
        yjc_map_str (&ev, "app_id", app_id);
        yjc_map_str (&ev, "unit", PQgetvalue (res, i, 1));
        yjc_map_str (&ev, "from", PQgetvalue (res, i, 2));
        yjc_map_str (&ev, "to", to);
        yjc_map_str (&ev, "notice_due", notice);
        yjc_map_bool (&ev, "provisional", provisional);
        yjc_map_str (&ev, "on_expiry", PQgetvalue (res, i, 6));
        rc = yjc_ctx_emit_map (ctx, YJC_EV_PERIOD_SCHEDULED, app_id, &ev);
        yjc_map_release (&ev);
    }
    PQclear (res);
    return rc;
}

//  R14.1: the period counts from the go-live day for the form's length
//  (whole months, else days).
yjc_result_t
period_start (yjc_ctx_t *ctx, const char *app_id)
{
    char today[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { app_id, today };
    int rows = yjc_db_exec (
        ctx->db,
        "UPDATE periods SET started_on = $2::date, base_on = $2::date,"
        " term_n = CASE WHEN months > 0 THEN months ELSE days END,"
        " term_unit = CASE WHEN months > 0 THEN 'm' ELSE 'd' END"
        " WHERE app_id = $1 AND started_on IS NULL",
        2,
        params);
    if (rows < 0)
        return YJC_DB_ERROR;
    return rows ? s_schedule (ctx, false) : YJC_OK;
}

//  R14.3: an approved renewal adds its years (at most 3, R14.1) from the
//  current last day; a new notice is owed for the new end.
yjc_result_t
period_on_renewed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    int64_t years = 0;
    yjc_obj_int (ev->payload, "years", &years);
    if (years < 1 || years > 3) {
        yjc_ctx_log (ctx, YJC_LOG_WARNING, "renewal without its years");
        return YJC_OK;
    }
    char n[8];
    snprintf (n, sizeof n, "%lld", (long long)years * 12);
    const char *params[] = { ev->app_id, n };
    int rows = yjc_db_exec (
        ctx->db,
        "UPDATE periods SET base_on = ends_on, term_n = $2::int,"
        " term_unit = 'm', ends_on = NULL, notice_on = NULL,"
        " notice_order = NULL, renewals = renewals + 1"
        " WHERE app_id = $1 AND ends_on IS NOT NULL AND expired_at IS NULL",
        2,
        params);
    if (rows < 0)
        return YJC_DB_ERROR;
    if (rows == 0)
        yjc_ctx_log (ctx,
                     YJC_LOG_WARNING,
                     "renewal of a period not running here: ignored");
    return rows ? s_schedule (ctx, false) : YJC_OK;
}

//  R14.4: the bureau approved taking the expired system offline: the
//  vendor's order, 15 working days from the decision, once.
yjc_result_t
period_on_offline_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char cause[64], order_id[33];
    snprintf (cause, sizeof cause, "offline:%s", ev->app_id);
    bool created = false;
    yjc_result_t rc = provisioning_order (ctx,
                                          ev->app_id,
                                          YJC_ORDER_OFFLINE,
                                          cause,
                                          ev->at_us,
                                          "",
                                          "",
                                          order_id,
                                          &created);
    const char *params[] = { ev->app_id, order_id };
    if (rc == YJC_OK && created &&
        yjc_db_exec (ctx->db,
                     "UPDATE periods SET offline_order = $2 WHERE app_id = $1",
                     2,
                     params) < 0)
        rc = YJC_DB_ERROR;
    return rc;
}

//  R14.2: the notice as given: when (a day not after today), how, to whom;
//  packed as the order's built items.
yjc_result_t
period_notice_built (yjc_ctx_t *ctx,
                     const msgpack_object *body,
                     yjc_pack_t *built)
{
    const msgpack_object *notice = yjc_obj_get (body, "notice");
    if (!notice)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.notice",
                             "an expiry notice is completed with when, how"
                             " and to whom it was given (R14.2)");
    char given[16], channel[65], to[65];
    yjc_date_t d;
    yjc_obj_strcpy (notice, "given_at", given, sizeof given);
    yjc_obj_strcpy (notice, "channel", channel, sizeof channel);
    yjc_obj_strcpy (notice, "to", to, sizeof to);
    if (yjc_date_parse (given, &d) != 0 ||
        yjc_date_cmp (d, yjc_time_local_date (ctx->now)) > 0) {
        yjc_problems_say (ctx->problems,
                          YJC_E_OUT_OF_RANGE,
                          "body.notice.given_at",
                          "a notice given in the future",
                          "通知日期不能晚于今天，填写的是 %s",
                          given);
        return YJC_FAIL;
    }
    const char *items[][2] = { { "given_at", given },
                               { "channel", channel },
                               { "to", to } };
    yjc_pack_reset (built);
    msgpack_pack_array (&built->pk, 3);
    for (int i = 0; i < 3; i++) {
        msgpack_pack_map (&built->pk, 2);
        yjc_pk_kv_str (&built->pk, "kind", items[i][0]);
        yjc_pk_kv_str (&built->pk, "ref", items[i][1]);
    }
    return YJC_OK;
}

yjc_result_t
period_on_calendar (yjc_ctx_t *ctx, int year)
{
    char y[12];
    snprintf (y, sizeof y, "%d", year);
    const char *params[] = { y };
    //  the end is set again by the schedule (same rule); a notice already
    //  ordered stays
    if (yjc_db_exec (ctx->db,
                     "UPDATE periods SET ends_on = NULL, notice_on = NULL"
                     " WHERE expired_at IS NULL AND ends_on IS NOT NULL"
                     " AND (provisional OR ends_on >= make_date($1::int,"
                     " 1, 1))",
                     1,
                     params) < 0)
        return YJC_DB_ERROR;
    return s_schedule (ctx, true);
}

//  R14.2: the notice of every period whose notice day has come, ordered
//  on that day and due by its end.
static yjc_result_t
s_notices (yjc_ctx_t *ctx, const char *today)
{
    const char *params[] = { today, yjc_state_code (YJC_STATE_PRODUCTION) };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT p.app_id, p.notice_on::text, p.renewals::text FROM periods p"
        " JOIN apps a USING (app_id) WHERE p.notice_order IS NULL"
        " AND p.notice_on <= $1::date AND p.expired_at IS NULL"
        " AND a.state = $2 ORDER BY p.notice_on LIMIT 50 FOR UPDATE OF p",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        const char *app_id = PQgetvalue (res, i, 0);
        char cause[64], order_id[33] = "";
        //  one notice per term: the renewals so far name the term
        snprintf (cause,
                  sizeof cause,
                  "notice:%s:%s",
                  app_id,
                  PQgetvalue (res, i, 2));
        bool created = false;
        rc = provisioning_order (ctx,
                                 app_id,
                                 YJC_ORDER_EXPIRY_NOTICE,
                                 cause,
                                 ctx->now,
                                 PQgetvalue (res, i, 1),
                                 yjc_deadlines[YJC_DL_NOTICE].rule,
                                 order_id,
                                 &created);
        const char *uparams[] = { app_id, order_id };
        if (rc == YJC_OK && *order_id &&
            yjc_db_exec (ctx->db,
                         "UPDATE periods SET notice_order = $2"
                         " WHERE app_id = $1",
                         2,
                         uparams) < 0)
            rc = YJC_DB_ERROR;
    }
    PQclear (res);
    return rc;
}

//  R14.4: a period whose last day ended (to 24:00) with no approved
//  renewal: the application is 已到期.
static yjc_result_t
s_expiries (yjc_ctx_t *ctx, const char *today)
{
    const char *params[] = { today,
                             yjc_state_code (YJC_STATE_PRODUCTION),
                             yjc_state_code (YJC_STATE_EXPIRED),
                             ctx->now_iso };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH e AS (SELECT p.app_id FROM periods p JOIN apps a"
        "  USING (app_id) WHERE p.expired_at IS NULL"
        "  AND p.ends_on < $1::date AND a.state = $2"
        "  ORDER BY p.ends_on LIMIT 50 FOR UPDATE OF p, a),"
        " u AS (UPDATE apps SET state = $3, updated_at = $4::timestamptz"
        "  WHERE app_id IN (SELECT app_id FROM e))"
        " UPDATE periods p SET expired_at = $4::timestamptz FROM e"
        " WHERE p.app_id = e.app_id RETURNING p.app_id, p.unit,"
        " p.started_on::text, p.ends_on::text, p.provisional, p.on_expiry",
        4,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        yjc_map_t ev;
        yjc_map_init (&ev);
        yjc_map_str (&ev, "app_id", PQgetvalue (res, i, 0));
        yjc_map_str (&ev, "unit", PQgetvalue (res, i, 1));
        yjc_map_str (&ev, "from", PQgetvalue (res, i, 2));
        yjc_map_str (&ev, "to", PQgetvalue (res, i, 3));
        yjc_map_bool (&ev, "provisional", *PQgetvalue (res, i, 4) == 't');
        yjc_map_str (&ev, "on_expiry", PQgetvalue (res, i, 5));
        rc = yjc_ctx_emit_map (
            ctx, YJC_EV_APPLICATION_EXPIRED, PQgetvalue (res, i, 0), &ev);
        yjc_map_release (&ev);
    }
    PQclear (res);
    return rc;
}

yjc_result_t
period_tick (yjc_ctx_t *ctx)
{
    char today[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    yjc_result_t rc = s_schedule (ctx, true);
    if (rc == YJC_OK)
        rc = s_notices (ctx, today);
    if (rc == YJC_OK)
        rc = s_expiries (ctx, today);
    return rc;
}
