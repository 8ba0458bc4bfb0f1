/*  sla.c - review.sla: the SLA of the deadline rules whose steps review
    keeps, for a year (common/yjc_sla.h): the bureau's acceptance (R9.1)
    and decision (R9.2) of each application, and every duty (the bureau's
    decisions on requests, R12.1, R13.1; the unit's test end, R10.2, and
    paperwork, R12.3 …).  A step is done when its decision was taken (the
    first one, from the decisions record) or its duty closed as done; a
    duty closed because its application ended, or that lapsed, was never
    owed.  The vendor's orders are the provisioning adapter's
    (compliance.report); the CLI shows both.                             */
#include "sla.h"
#include "yjc_lifecycle.h"
#include "yjc_sla.h"
#include "yjc_time.h"

//  Every step with a deadline in the year: what, rule, owed by, due, the
//  local date it was done ('' while open), and whether it is still owed.
//  The codes are parameters, from proto/yjc_lifecycle.def: $2 accept,
//  $3 decide (their deadlines), $4, $5 the states they are owed in, $6
//  the bureau, $7 a duty done, $8-$11 the decisions that do them.
static const char s_steps_sql[] =
    "WITH d AS (SELECT app_id, action,"
    "  min((at AT TIME ZONE 'Asia/Shanghai')::date) AS on_day"
    "  FROM decisions GROUP BY app_id, action)"
    " SELECT $2, coalesce(a.accept_rule, ''), $6,"
    "  a.accept_due::text, coalesce((SELECT min(on_day) FROM d WHERE"
    "  d.app_id = a.app_id AND d.action IN ($8, $9))::text, ''),"
    "  a.state = $4"
    " FROM applications a WHERE a.accept_due >= make_date($1::int, 1, 1)"
    "  AND a.accept_due < make_date($1::int + 1, 1, 1)"
    " UNION ALL"
    " SELECT $3, coalesce(a.decide_rule, ''), $6,"
    "  a.decide_due::text, coalesce((SELECT min(on_day) FROM d WHERE"
    "  d.app_id = a.app_id AND d.action IN ($10, $11))::text, ''),"
    "  a.state = $5"
    " FROM applications a WHERE a.decide_due >= make_date($1::int, 1, 1)"
    "  AND a.decide_due < make_date($1::int + 1, 1, 1)"
    " UNION ALL"
    " SELECT what, coalesce(rule, ''), owed_by, due::text,"
    "  CASE WHEN closed_why = $7 THEN"
    "  (closed_at AT TIME ZONE 'Asia/Shanghai')::date::text ELSE '' END,"
    "  closed_at IS NULL"
    " FROM duties WHERE due >= make_date($1::int, 1, 1)"
    "  AND due < make_date($1::int + 1, 1, 1)"
    "  AND (closed_at IS NULL OR closed_why = $7)";

//  review.sla - the SLA of review's deadline rules in a year.
yjc_result_t
sla_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t year = 0;
    yjc_obj_int (body, "year", &year);
    char y[12], today[11];
    snprintf (y, sizeof y, "%lld", (long long)year);
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { y,
                             yjc_deadlines[YJC_DL_ACCEPT].code,
                             yjc_deadlines[YJC_DL_DECIDE].code,
                             yjc_state_code (YJC_STATE_SUBMITTED),
                             yjc_state_code (YJC_STATE_ACCEPTED),
                             yjc_parties[YJC_PARTY_BUREAU].code,
                             yjc_duty_ends[YJC_DUTY_DONE].code,
                             yjc_msg_defs[YJC_MSG_REVIEW_ACCEPT].wire,
                             yjc_msg_defs[YJC_MSG_REVIEW_DECLINE].wire,
                             yjc_msg_defs[YJC_MSG_REVIEW_APPROVE].wire,
                             yjc_msg_defs[YJC_MSG_REVIEW_REJECT].wire };
    PGresult *res = yjc_db_query (ctx->db, s_steps_sql, 11, params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_sla_t *sla = yjc_sla_new ();
    for (int i = 0; sla && i < PQntuples (res); i++) {
        const char *done = PQgetvalue (res, i, 4);
        //  an application that ended undecided (withdrawn) owed nothing
        if (!*done && *PQgetvalue (res, i, 5) != 't')
            continue;
        const char *what = PQgetvalue (res, i, 0);
        int dl = yjc_deadline_by_code (what);
        const char *rule = PQgetvalue (res, i, 1);
        if (!*rule && dl >= 0)
            rule = yjc_deadlines[dl].rule;
        yjc_sla_add (sla,
                     yjc_ctx_calendar (ctx),
                     what,
                     rule,
                     PQgetvalue (res, i, 2),
                     PQgetvalue (res, i, 3),
                     done,
                     today);
    }
    PQclear (res);
    if (!sla)
        return YJC_DB_ERROR;
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_int (ctx->reply, "year", year);
    yjc_pk_kv_str (ctx->reply, "today", today);
    yjc_pk_str (ctx->reply, "sla");
    yjc_sla_pack (sla, ctx->reply);
    yjc_sla_destroy (&sla);
    return YJC_OK;
}
