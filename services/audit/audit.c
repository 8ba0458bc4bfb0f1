/*  yjc-audit: the audit trail.  It receives every event of every service
    (the relay sends all of them here) and keeps them append-only; the
    auditor and the bureau query it, nobody changes it.                  */
#include "chain.h"
#include "notify.h"
#include "yjc_rows.h"
#include "yjc_server.h"

extern const yjc_migration_t yjc_audit_migrations[];

//  Every event of one delivery, in order, chained (chain.c).  The inbox
//  already dropped redeliveries; event_id is unique here as well.
static yjc_result_t
s_on_all (yjc_ctx_t *ctx, const yjc_event_in_t *events, int count)
{
    yjc_result_t rc = chain_store (ctx, events, count);
    //  the inbox: derived here, in the same transaction (yjc_notify.def)
    return rc == YJC_OK ? notify_derive (ctx, events, count) : rc;
}

//  audit.events, one statement per leading filter: each equality has
//  its own (column, seq) index, read in seq order up to the page's limit
//  (issue 12: a query by application at 10 M events).  The statement is
//  planned for its parameters at each call: a generic plan cannot tell
//  which optional filters are given, guessed one row, and read all of an
//  application's events (1 000 heap pages) to sort the first 50.
#define EVENTS_COLS                                                            \
    "SELECT seq::text, event_id, source, type, coalesce(app_id, ''),"          \
    " to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US'), payload_mp,"           \
    " coalesce(unit, ''), coalesce(actor, '') FROM events WHERE "
#define EVENTS_REST                                                            \
    " AND seq > $2::bigint AND ($1::text IS NULL OR app_id = $1)"              \
    " AND ($4::text IS NULL OR type = $4)"                                     \
    " AND ($7::text IS NULL OR unit = $7)"                                     \
    " AND ($8::text IS NULL OR actor = $8)"                                    \
    " AND ($5::date IS NULL OR occurred_at >= $5::date)"                       \
    " AND ($6::date IS NULL OR occurred_at < $6::date + 1)"                    \
    " ORDER BY events.seq LIMIT $3::int"
#define EVENTS_OF_APP_SQL                                                      \
    EVENTS_COLS "app_id = $1 AND seq > $2::bigint ORDER BY events.seq"         \
                " LIMIT $3::int"
static const char *const s_events_sql[] = {
    EVENTS_COLS "app_id = $1" EVENTS_REST, EVENTS_COLS "unit = $7" EVENTS_REST,
    EVENTS_COLS "actor = $8" EVENTS_REST,  EVENTS_COLS "type = $4" EVENTS_REST,
    EVENTS_COLS "true" EVENTS_REST,
};

//  audit.events - in order of arrival, optionally of one application,
//  unit, actor, event type, days from `since` to `until`; paged on seq
//  (`after`).
static yjc_result_t
s_events (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], after[24], limit[16], type[65], since[11], until[11],
        unit[129], actor[33];
    int64_t n = 200, from = 0;
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "type", type, sizeof type);
    yjc_obj_strcpy (body, "since", since, sizeof since);
    yjc_obj_strcpy (body, "until", until, sizeof until);
    yjc_obj_strcpy (body, "unit", unit, sizeof unit);
    yjc_obj_strcpy (body, "actor", actor, sizeof actor);
    yjc_obj_int (body, "limit", &n);
    yjc_obj_int (body, "after", &from);
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    snprintf (after, sizeof after, "%lld", (long long)from);
    //  the days of the clock's zone (the cluster's: Asia/Shanghai)
    const char *params[] = { *app_id ? app_id : NULL,
                             after,
                             limit,
                             *type ? type : NULL,
                             *since ? since : NULL,
                             *until ? until : NULL,
                             *unit ? unit : NULL,
                             *actor ? actor : NULL };
    int lead = *app_id ? 0 : *unit ? 1 : *actor ? 2 : *type ? 3 : 4;
    //  one application's, nothing else asked (the auditor's usual
    //  question): a prepared statement, its one plan the index's; no
    //  planning at each call
    bool app_only =
        *app_id && !*type && !*since && !*until && !*unit && !*actor;
    PGresult *res =
        app_only
            ? yjc_db_query_raw (
                  ctx->db, EVENTS_OF_APP_SQL, 3, params, NULL, NULL)
            : yjc_db_query_raw_planned (ctx->db, s_events_sql[lead], 8, params);
    if (!res)
        return YJC_DB_ERROR;
    //  seq is a number: the one `after` takes to page on
    static const yjc_col_t cols[] = {
        { "seq", YJC_COL_INT },         { "event_id", YJC_COL_TEXT },
        { "source", YJC_COL_TEXT },     { "type", YJC_COL_TEXT },
        { "app_id", YJC_COL_TEXT },     { "at", YJC_COL_TEXT },
        { "payload", YJC_COL_MSGPACK }, { "unit", YJC_COL_TEXT },
        { "actor", YJC_COL_TEXT },
    };
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "events", res, cols, 9);
    PQclear (res);
    return YJC_OK;
}

static const yjc_service_def_t s_audit = {
    .service = YJC_SVC_AUDIT,
    .migrations = yjc_audit_migrations,
    .handlers = { [YJC_MSG_AUDIT_EVENTS] = s_events,
                  [YJC_MSG_INBOX_LIST] = inbox_list,
                  [YJC_MSG_INBOX_READ] = inbox_read,
                  [YJC_MSG_AUDIT_CHECKPOINTS] = chain_checkpoints,
                  [YJC_MSG_AUDIT_VERIFY] = chain_verify },
    .on_all_events = s_on_all,
    .on_tick = chain_tick,
};

int
main (int argc, char **argv)
{
    //  the checkpoint key first: a service that cannot sign must not start
    if (chain_key_load () != 0)
        return 1;
    return yjc_server_main (&s_audit, argc, argv);
}
