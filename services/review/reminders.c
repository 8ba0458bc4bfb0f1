/*  reminders.c - the tick that tells whoever owes a step that its due day
    is the next working day (deadline.near) or has passed
    (deadline.overdue), once per step (table reminders): the bureau's
    acceptance and opinion on an application (R9.1, R9.2), its decision
    on a request (R12.1, R13.1), the unit's end of test (R10.2) and
    emergency paperwork (R12.3).  The inbox (audit, proto/yjc_notify.def)
    turns the events into notifications for the party that owes it.     */
#include "reminders.h"
#include "yjc_time.h"

//  Every step to remind of now, each marked in the same statement (a row
//  comes back only when this transaction inserted its mark): $1 today,
//  $2 the next working day, $3 $4 the states an application's decision
//  is owed in, $5 $6 those steps, $7 the bureau.  Each branch reads only
//  the steps due by $2, from an index in deadline order (115_pending_due):
//  this runs every tick, and must not read every open step each time
//  (issue 14: it took 15-40 ms a second at 10 000 open applications).
#define S_STEPS_SQL                                                            \
    "WITH steps AS ("                                                          \
    " SELECT app_id, unit, project, $5::text AS what, app_id AS ref,"          \
    " $7::text AS owed_by, accept_due AS due, accept_rule AS rule"             \
    " FROM applications WHERE state = $3 AND accept_due <= $2::date"           \
    " UNION ALL SELECT app_id, unit, project, $6::text, app_id, $7::text,"     \
    " decide_due, decide_rule"                                                 \
    " FROM applications WHERE state = $4 AND decide_due <= $2::date"           \
    " UNION ALL SELECT d.app_id, d.unit, a.project, d.what, d.ref,"            \
    " d.owed_by, d.due, d.rule FROM duties d JOIN applications a"              \
    " USING (app_id) WHERE d.closed_at IS NULL AND d.due <= $2::date),"        \
    " dues AS (SELECT *, CASE WHEN due < $1::date THEN 'overdue' ELSE 'near'"  \
    " END AS stage FROM steps WHERE due IS NOT NULL AND (due < $1::date"       \
    " OR (due > $1::date AND due <= $2::date))),"                              \
    " marked AS (INSERT INTO reminders (what, ref, stage, due, sent_at)"       \
    " SELECT what, ref, stage, due, $8::timestamptz FROM dues"                 \
    " ON CONFLICT (what, ref, stage, due) DO NOTHING RETURNING what, ref, "    \
    "stage)"                                                                   \
    " SELECT d.stage, d.app_id, d.unit, d.what, d.owed_by, d.due::text,"       \
    " coalesce(d.rule, ''), d.ref, d.project FROM dues d"                      \
    " JOIN marked m USING (what, ref, stage) ORDER BY d.due, d.app_id"

static yjc_result_t
s_emit (yjc_ctx_t *ctx, const PGresult *res, int row)
{
    static const char *keys[] = { "app_id", "unit", "what", "owed_by",
                                  "due",    "rule", "ref",  "project" };
    yjc_map_t ev;
    yjc_map_init (&ev);
    for (int k = 0; k < 8; k++)
        yjc_map_str (&ev, keys[k], PQgetvalue (res, row, k + 1));
    bool near = streq (PQgetvalue (res, row, 0), "near");
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx,
                          near ? YJC_EV_DEADLINE_NEAR : YJC_EV_DEADLINE_OVERDUE,
                          PQgetvalue (res, row, 1),
                          &ev);
    yjc_map_release (&ev);
    return rc;
}

yjc_result_t
reminders_tick (yjc_ctx_t *ctx)
{
    char today[11], next[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    //  the next working day on the calendar in force (time rules)
    yjc_ctx_deadline (ctx, ctx->now, 1, 'w', next, NULL);
    if (!*next)
        snprintf (next, sizeof next, "%s", today);
    const char *params[] = { today,
                             next,
                             yjc_state_code (YJC_STATE_SUBMITTED),
                             yjc_state_code (YJC_STATE_ACCEPTED),
                             yjc_deadlines[YJC_DL_ACCEPT].code,
                             yjc_deadlines[YJC_DL_DECIDE].code,
                             yjc_parties[YJC_PARTY_BUREAU].code,
                             ctx->now_iso };
    PGresult *res = yjc_db_query (ctx->db, S_STEPS_SQL, 8, params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++)
        rc = s_emit (ctx, res, i);
    PQclear (res);
    return rc;
}
