/*  yjc-audit: the audit trail.  It receives every event of every service
    (the relay sends all of them here) and keeps them append-only; the
    auditor and the bureau query it, nobody changes it.                  */
#include "yjc_server.h"

extern const yjc_migration_t yjc_audit_migrations[];

static int
s_on_any (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    msgpack_pack_object (&mp.pk, *ev->payload);
    const char *params[] = { ev->event_id,
                             ev->source,
                             yjc_event_defs[ev->type].wire,
                             *ev->app_id ? ev->app_id : NULL,
                             ev->at,
                             ctx->now_iso,
                             mp.buf.data };
    int lengths[] = { 0, 0, 0, 0, 0, 0, (int)mp.buf.size };
    int formats[] = { 0, 0, 0, 0, 0, 0, 1 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO events (event_id, source, type, app_id, occurred_at,"
        " received_at, payload_mp) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        7,
        params,
        lengths,
        formats);
    yjc_pack_release (&mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return 0;
}

//  audit.events - in order of arrival, optionally of one application.
static int
s_events (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], after[24], limit[16];
    int64_t n = 200, from = 0;
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_int (body, "limit", &n);
    yjc_obj_int (body, "after", &from);
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    snprintf (after, sizeof after, "%lld", (long long)from);
    const char *params[] = { *app_id ? app_id : NULL, after, limit };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT seq::text, event_id, source, type, coalesce(app_id, ''),"
        " to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US'), payload_mp"
        " FROM events WHERE ($1::text IS NULL OR app_id = $1)"
        " AND seq > $2::bigint ORDER BY seq LIMIT $3::int",
        3,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQntuples (res);
    msgpack_packer *pk = ctx->reply;
    msgpack_pack_map (pk, 1);
    yjc_pk_str (pk, "events");
    msgpack_pack_array (pk, rows);
    static const char *keys[] = { "seq",  "event_id", "source",
                                  "type", "app_id",   "at" };
    for (int i = 0; i < rows; i++) {
        msgpack_pack_map (pk, 7);
        for (int k = 0; k < 6; k++) {
            yjc_pk_str (pk, keys[k]);
            yjc_pk_strn (pk, PQgetvalue (res, i, k), PQgetlength (res, i, k));
        }
        yjc_pk_kv_raw (
            pk, "payload", PQgetvalue (res, i, 6), PQgetlength (res, i, 6));
    }
    PQclear (res);
    return 0;
}

static const yjc_service_def_t s_audit = {
    .service = YJC_SVC_AUDIT,
    .migrations = yjc_audit_migrations,
    .handlers = { [YJC_MSG_AUDIT_EVENTS] = s_events },
    .on_any_event = s_on_any,
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_audit, argc, argv);
}
