/*  reminders.c - the vendor's open orders whose due day is the next
    working day (order.deadline_near) or has passed
    (order.deadline_overdue), each said once (table reminders): the test
    environment (R10.1), a change (R12.1), the termination (R13.1), the
    purge (R13.2).  The inbox (audit, proto/yjc_notify.def) addresses
    them to the vendor, who owes them.                                  */
#include "reminders.h"
#include "yjc_time.h"

//  $1 today, $2 the next working day, $3 now; a row comes back only when
//  this transaction inserted its mark.
#define S_ORDERS_SQL                                                           \
    "WITH dues AS (SELECT order_id, app_id, unit, kind, due, due_rule,"        \
    " CASE WHEN due < $1::date THEN 'overdue' ELSE 'near' END AS stage"        \
    " FROM orders WHERE closed_at IS NULL AND due IS NOT NULL"                 \
    " AND (due < $1::date OR (due > $1::date AND due <= $2::date))),"          \
    " marked AS (INSERT INTO reminders (ref, stage, due, sent_at)"             \
    " SELECT order_id, stage, due, $3::timestamptz FROM dues"                  \
    " ON CONFLICT (ref, stage, due) DO NOTHING RETURNING ref, stage)"          \
    " SELECT d.stage, d.app_id, d.unit, d.kind, d.due::text,"                  \
    " coalesce(d.due_rule, ''), d.order_id FROM dues d"                        \
    " JOIN marked m ON m.ref = d.order_id AND m.stage = d.stage"               \
    " ORDER BY d.due, d.order_id"

static yjc_result_t
s_emit (yjc_ctx_t *ctx, const PGresult *res, int row)
{
    int k = yjc_order_by_kind (PQgetvalue (res, row, 3));
    if (k < 0 || yjc_orders[k].deadline == YJC_DL_NONE)
        return YJC_OK;
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "app_id", PQgetvalue (res, row, 1));
    yjc_map_str (&ev, "unit", PQgetvalue (res, row, 2));
    yjc_map_str (&ev, "what", yjc_deadlines[yjc_orders[k].deadline].code);
    yjc_map_str (&ev, "owed_by", yjc_parties[YJC_PARTY_VENDOR].code);
    yjc_map_str (&ev, "due", PQgetvalue (res, row, 4));
    yjc_map_str (&ev, "rule", PQgetvalue (res, row, 5));
    yjc_map_str (&ev, "ref", PQgetvalue (res, row, 6));
    yjc_map_str (&ev, "kind", PQgetvalue (res, row, 3));
    bool near = streq (PQgetvalue (res, row, 0), "near");
    yjc_result_t rc = yjc_ctx_emit_map (ctx,
                                        near ? YJC_EV_ORDER_DEADLINE_NEAR
                                             : YJC_EV_ORDER_DEADLINE_OVERDUE,
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
    const char *params[] = { today, next, ctx->now_iso };
    PGresult *res = yjc_db_query (ctx->db, S_ORDERS_SQL, 3, params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++)
        rc = s_emit (ctx, res, i);
    PQclear (res);
    return rc;
}
