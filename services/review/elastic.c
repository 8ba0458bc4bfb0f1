/*  elastic.c - R11.2: "合理规划、按需分配", and for a system with large
    load swings an elastic range per resource line: the vendor scales
    inside it without a change request (scaling.report, provisioning).
    The bureau approves the ranges with the grant or later, while the
    application is approved and not ended; a new version replaces the
    ranges in force.  The ranges must contain what is granted at the
    time: the grant of the approval, or of the newest approved change.  */
#include "elastic.h"
#include "yjc_elastic.h"
#include "yjc_lifecycle.h"

yjc_result_t
elastic_set (yjc_ctx_t *ctx,
             const char *app_id,
             const char *unit,
             const msgpack_object *granted,
             const msgpack_object *elastic,
             const char *opinion)
{
    //  R11.2: min <= granted <= max for every line
    if (yjc_elastic_check (elastic, granted, "body.elastic", ctx->problems) > 0)
        return YJC_FAIL;
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    msgpack_pack_object (&mp.pk, *elastic);
    const char *params[] = {
        app_id, mp.buf.data, ctx->actor->name, ctx->now_iso, opinion
    };
    int lengths[] = { 0, (int)mp.buf.size, 0, 0, 0 };
    int formats[] = { 0, 1, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO elastic_ranges (app_id, ranges_mp, approved_by,"
        " approved_at, opinion) VALUES ($1, $2, $3, $4, $5)",
        5,
        params,
        lengths,
        formats);
    yjc_pack_release (&mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "app_id", app_id);
    yjc_map_str (&ev, "unit", unit);
    yjc_map_obj (&ev, "elastic", elastic);
    yjc_map_str (&ev, "approved_by", ctx->actor->name);
    if (opinion)
        yjc_map_str (&ev, "opinion", opinion);
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx, YJC_EV_ELASTIC_APPROVED, app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  Approved and not yet ending: from the grant to production.
static bool
s_state_allows (const char *code)
{
    int state = yjc_state_by_code (code);
    return state >= 0 &&
           yjc_states[state].rank >= yjc_states[YJC_STATE_APPROVED].rank &&
           yjc_states[state].rank <= yjc_states[YJC_STATE_PRODUCTION].rank;
}

//  review.elastic - R11.2: the bureau sets the ranges of an approved
//  application (replacing those in force), recorded as its decision.
yjc_result_t
elastic_review (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], opinion[2001];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    //  what is granted at the time: the newest approved change's grant,
    //  else the approval's
    const char *params[] = { app_id,
                             yjc_requests[YJC_REQ_CHANGE].kind,
                             yjc_request_states[YJC_RQS_APPROVED].code };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, state, coalesce((SELECT r.granted_mp FROM requests r"
        " WHERE r.app_id = a.app_id AND r.kind = $2 AND r.state = $3"
        " AND r.granted_mp IS NOT NULL ORDER BY r.decided_at DESC, r.request_id"
        " DESC LIMIT 1), a.granted_mp, ''::bytea)"
        " FROM applications a WHERE app_id = $1 FOR UPDATE",
        3,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    char unit[129], state[33];
    yjc_db_copy (res, 0, 0, unit, sizeof unit);
    yjc_db_copy (res, 0, 1, state, sizeof state);
    msgpack_unpacked granted;
    msgpack_unpacked_init (&granted);
    if (!s_state_allows (state) || PQgetlength (res, 0, 2) == 0)
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.app_id",
                           "application is %s; ranges are set from the"
                           " approval until the application ends",
                           state);
    else if (msgpack_unpack_next (&granted,
                                  PQgetvalue (res, 0, 2),
                                  PQgetlength (res, 0, 2),
                                  NULL) != MSGPACK_UNPACK_SUCCESS)
        rc = YJC_DB_ERROR;
    else
        rc = elastic_set (ctx,
                          app_id,
                          unit,
                          &granted.data,
                          yjc_obj_get (body, "elastic"),
                          *opinion ? opinion : NULL);
    msgpack_unpacked_destroy (&granted);
    PQclear (res);
    const char *dparams[] = { app_id,
                              yjc_msg_defs[ctx->msg_type].wire,
                              ctx->actor->name,
                              *opinion ? opinion : NULL,
                              ctx->now_iso };
    if (rc == YJC_OK &&
        yjc_db_exec (ctx->db,
                     "INSERT INTO decisions (app_id, action, actor, opinion,"
                     " at) VALUES ($1, $2, $3, $4, $5)",
                     5,
                     dparams) != 1)
        rc = YJC_DB_ERROR;
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "app_id", app_id);
        yjc_pk_kv_str (ctx->reply, "state", state);
        yjc_pk_kv_obj (ctx->reply, "elastic", yjc_obj_get (body, "elastic"));
    }
    return rc;
}

yjc_result_t
elastic_pack (yjc_ctx_t *ctx, const char *app_id, yjc_map_t *reply)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT ranges_mp, approved_by,"
        " to_char(approved_at, 'YYYY-MM-DD HH24:MI:SS'), coalesce(opinion, '')"
        " FROM elastic_ranges WHERE app_id = $1 ORDER BY id DESC LIMIT 1",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    msgpack_packer *pk = yjc_map_key (reply, "elastic");
    if (PQntuples (res) == 0)
        msgpack_pack_nil (pk);
    else {
        static const yjc_col_t cols[] = {
            { "ranges", YJC_COL_MSGPACK },
            { "approved_by", YJC_COL_TEXT },
            { "approved_at", YJC_COL_TEXT },
            { "opinion", YJC_COL_TEXT },
        };
        msgpack_pack_map (pk, 4);
        yjc_pk_columns (pk, res, 0, cols, 4);
    }
    PQclear (res);
    return YJC_OK;
}
