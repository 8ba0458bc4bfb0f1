/*  reclaim.c - R11.3: the bureau periodically reclaims idle resources.

    The bureau proposes a reclamation: the lines taken back (hosts of one
    configuration, dedicated bandwidth, storage, databases of one engine:
    never more than the application has in place) and its evidence (the
    idle figures).  The unit owes nothing but may object once, within an
    objection window of working days the regulation does not name (the
    county's setting YJC_RECLAIM_OBJECTION_DAYS; a duty of the unit whose
    due date is the window's last day).  The bureau decides, with an
    opinion, once the window has ended or the unit has objected; an
    approval is announced (reclamation.approved) and the provisioning
    adapter orders the vendor to take the lines back, as a change.      */
#include "reclaim.h"
#include "requests.h"
#include "yjc_reclaim.h"
#include "yjc_time.h"

#define S_RCS(s) (yjc_reclaim_states[YJC_RCS_##s].code)

typedef struct {
    char reclaim_id[33];
    char app_id[33];
    char unit[129];
    char state[17];
    char window_end[11]; //  the duty's due: "" when not computable
    yjc_pack_t lines;    //  msgpack reclaim_lines
} s_reclaim_t;

//  The reclamation columns every reply shows, unit first (yjc_ctx_found);
//  $1 is the objection deadline's code.
#define S_COLUMNS                                                              \
    "SELECT r.unit, r.reclaim_id, r.app_id, r.state,"                          \
    " coalesce(d.due::text, ''), coalesce(d.provisional, false)::text,"        \
    " coalesce(d.rule, ''), r.evidence, coalesce(r.objection, ''),"            \
    " coalesce(to_char(r.objected_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"          \
    " coalesce(r.opinion, ''),"                                                \
    " coalesce(to_char(r.decided_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"           \
    " to_char(r.proposed_at, 'YYYY-MM-DD HH24:MI:SS'), r.lines_mp"             \
    " FROM reclamations r LEFT JOIN duties d"                                  \
    " ON d.what = $1 AND d.ref = r.reclaim_id"

static const yjc_col_t s_cols[] = {
    { "unit", YJC_COL_TEXT },        { "reclaim_id", YJC_COL_TEXT },
    { "app_id", YJC_COL_TEXT },      { "state", YJC_COL_TEXT },
    { "window_end", YJC_COL_TEXT },  { "provisional", YJC_COL_TEXT },
    { "window_rule", YJC_COL_TEXT }, { "evidence", YJC_COL_TEXT },
    { "objection", YJC_COL_TEXT },   { "objected_at", YJC_COL_TEXT },
    { "opinion", YJC_COL_TEXT },     { "decided_at", YJC_COL_TEXT },
    { "proposed_at", YJC_COL_TEXT }, { "lines", YJC_COL_MSGPACK },
};
#define S_NCOLS ((int)(sizeof s_cols / sizeof *s_cols))

//  The application as review knows it: its unit, state and what it has
//  in place now (the last completed order's resources, else the grant).
static yjc_result_t
s_app (yjc_ctx_t *ctx,
       const char *app_id,
       char unit[129],
       char state[33],
       yjc_pack_t *resources,
       bool *found)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, state, coalesce(resources_mp, granted_mp, ''::bytea)"
        " FROM applications WHERE app_id = $1 FOR UPDATE",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        yjc_db_copy (res, 0, 0, unit, 129);
        yjc_db_copy (res, 0, 1, state, 33);
        yjc_pack_append (
            resources, PQgetvalue (res, 0, 2), PQgetlength (res, 0, 2));
    }
    PQclear (res);
    return YJC_OK;
}

//  R11.3: the lines must be in production and no more than it has.
static yjc_result_t
s_check_lines (yjc_ctx_t *ctx,
               const char *state,
               const yjc_pack_t *resources,
               const msgpack_object *lines)
{
    if (!streq (state, yjc_state_code (YJC_STATE_PRODUCTION))) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.app_id",
                          "only a system in production has resources to"
                          " reclaim (R11.3)",
                          "申请当前状态为“%s”，只能收回已上线运行系统的资源",
                          yjc_state_zh (state));
        return YJC_FAIL;
    }
    if (!lines || lines->type != MSGPACK_OBJECT_MAP || lines->via.map.size == 0)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.lines",
                             "name at least one line to take back");
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    yjc_result_t rc = YJC_DB_ERROR;
    if (msgpack_unpack_next (
            &un, resources->buf.data, resources->buf.size, NULL) ==
        MSGPACK_UNPACK_SUCCESS)
        rc = yjc_reclaim_apply (&un.data, lines, false, NULL, ctx->problems) > 0
                 ? YJC_FAIL
                 : YJC_OK;
    msgpack_unpacked_destroy (&un);
    return rc;
}

static yjc_result_t
s_emit (yjc_ctx_t *ctx,
        int event,
        const s_reclaim_t *r,
        const char *state,
        const char *text_key,
        const char *text)
{
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "reclaim_id", r->reclaim_id);
    yjc_map_str (&ev, "app_id", r->app_id);
    yjc_map_str (&ev, "unit", r->unit);
    yjc_map_str (&ev, "state", state);
    if (r->lines.buf.size)
        yjc_map_raw (&ev, "lines", r->lines.buf.data, r->lines.buf.size);
    if (*r->window_end)
        yjc_map_str (&ev, "window_end", r->window_end);
    if (text_key)
        yjc_map_str (&ev, text_key, text);
    yjc_result_t rc = yjc_ctx_emit_map (ctx, event, r->app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  Stores the proposal and opens the unit's objection window.
static yjc_result_t
s_store_proposal (yjc_ctx_t *ctx,
                  s_reclaim_t *r,
                  const char *evidence,
                  bool *provisional)
{
    const char *params[] = { r->app_id,         r->unit,  S_RCS (PROPOSED),
                             r->lines.buf.data, evidence, ctx->actor->name,
                             ctx->now_iso };
    int lengths[] = { 0, 0, 0, (int)r->lines.buf.size, 0, 0, 0 };
    int formats[] = { 0, 0, 0, 1, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO reclamations (reclaim_id, app_id, unit, state,"
        " lines_mp, evidence, proposed_by, proposed_at)"
        " VALUES (yjc_new_id('H', 'reclaim_seq'), $1, $2, $3, $4, $5, $6,"
        " $7) ON CONFLICT DO NOTHING RETURNING reclaim_id",
        7,
        params,
        lengths,
        formats);
    if (!res)
        return YJC_DB_ERROR;
    bool stored = PQntuples (res) > 0;
    if (stored)
        yjc_db_copy (res, 0, 0, r->reclaim_id, sizeof r->reclaim_id);
    PQclear (res);
    if (!stored) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.app_id",
                          "a reclamation of this application is still open",
                          "该系统已有一项尚未决定的收回闲置资源");
        return YJC_FAIL;
    }
    char rule[YJC_RULE_MAX];
    yjc_ctx_due (ctx,
                 YJC_DL_RECLAIM_OBJECTION,
                 ctx->now,
                 r->window_end,
                 rule,
                 provisional);
    return requests_open_duty (ctx,
                               r->app_id,
                               r->unit,
                               YJC_DL_RECLAIM_OBJECTION,
                               r->reclaim_id,
                               r->window_end,
                               rule,
                               *provisional);
}

//  reclaim.propose - R11.3: the bureau names the lines and its evidence.
yjc_result_t
reclaim_propose (yjc_ctx_t *ctx, const msgpack_object *body)
{
    s_reclaim_t r = { 0 };
    yjc_pack_init (&r.lines);
    yjc_pack_t resources;
    yjc_pack_init (&resources);
    char state[33], evidence[4001];
    yjc_obj_strcpy (body, "app_id", r.app_id, sizeof r.app_id);
    yjc_obj_strcpy (body, "evidence", evidence, sizeof evidence);
    const msgpack_object *lines = yjc_obj_get (body, "lines");
    bool found = false, provisional = false;
    yjc_result_t rc = s_app (ctx, r.app_id, r.unit, state, &resources, &found);
    if (rc == YJC_OK && !found)
        rc = yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", r.app_id);
    if (rc == YJC_OK)
        rc = s_check_lines (ctx, state, &resources, lines);
    if (rc == YJC_OK) {
        msgpack_pack_object (&r.lines.pk, *lines);
        rc = s_store_proposal (ctx, &r, evidence, &provisional);
    }
    if (rc == YJC_OK)
        rc = s_emit (ctx,
                     YJC_EV_RECLAMATION_PROPOSED,
                     &r,
                     S_RCS (PROPOSED),
                     "evidence",
                     evidence);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 5);
        yjc_pk_kv_str (ctx->reply, "reclaim_id", r.reclaim_id);
        yjc_pk_kv_str (ctx->reply, "app_id", r.app_id);
        yjc_pk_kv_str (ctx->reply, "state", S_RCS (PROPOSED));
        yjc_pk_kv_str (
            ctx->reply, "window_end", *r.window_end ? r.window_end : NULL);
        yjc_pk_kv_bool (ctx->reply, "provisional", provisional);
    }
    yjc_pack_release (&resources);
    yjc_pack_release (&r.lines);
    return rc;
}

//  Loads and locks a reclamation the actor may see, with its window.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *reclaim_id, s_reclaim_t *r)
{
    const char *params[] = { yjc_deadlines[YJC_DL_RECLAIM_OBJECTION].code,
                             reclaim_id };
    PGresult *res = yjc_db_query_raw (ctx->db,
                                      S_COLUMNS " WHERE r.reclaim_id = $2"
                                                " FOR UPDATE OF r",
                                      2,
                                      params,
                                      NULL,
                                      NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.reclaim_id", reclaim_id);
    if (rc != YJC_OK)
        return rc;
    snprintf (r->reclaim_id, sizeof r->reclaim_id, "%s", reclaim_id);
    yjc_db_copy (res, 0, 0, r->unit, sizeof r->unit);
    yjc_db_copy (res, 0, 2, r->app_id, sizeof r->app_id);
    yjc_db_copy (res, 0, 3, r->state, sizeof r->state);
    yjc_db_copy (res, 0, 4, r->window_end, sizeof r->window_end);
    yjc_pack_append (
        &r->lines, PQgetvalue (res, 0, 13), PQgetlength (res, 0, 13));
    PQclear (res);
    return YJC_OK;
}

//  Is the objection window still open today (to 24:00 of its last day)?
static bool
s_window_open (yjc_ctx_t *ctx, const s_reclaim_t *r)
{
    yjc_date_t end;
    //  a window the calendar cannot date yet stays open
    if (!*r->window_end || yjc_date_parse (r->window_end, &end) != 0)
        return true;
    return yjc_date_cmp (yjc_time_local_date (ctx->now), end) <= 0;
}

//  reclaim.object - R11.3: the unit objects once, within the window.
yjc_result_t
reclaim_object (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char reclaim_id[33], text[2001];
    yjc_obj_strcpy (body, "reclaim_id", reclaim_id, sizeof reclaim_id);
    yjc_obj_strcpy (body, "text", text, sizeof text);
    s_reclaim_t r = { 0 };
    yjc_pack_init (&r.lines);
    yjc_result_t rc = s_load (ctx, reclaim_id, &r);
    if (rc == YJC_OK && !streq (r.state, S_RCS (PROPOSED))) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.reclaim_id",
                          "the reclamation is no longer open to objection",
                          "该收回事项当前为“%s”，不能再提出异议",
                          yjc_reclaim_state_zh (r.state));
        rc = YJC_FAIL;
    }
    else if (rc == YJC_OK && !s_window_open (ctx, &r)) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.reclaim_id",
                          "the objection window ended (R11.3)",
                          "异议期已于 %s 24 时结束，不能再提出异议",
                          r.window_end);
        rc = YJC_FAIL;
    }
    if (rc == YJC_OK) {
        const char *params[] = {
            reclaim_id, S_RCS (OBJECTED), text, ctx->actor->name, ctx->now_iso
        };
        rc = yjc_db_exec (ctx->db,
                          "UPDATE reclamations SET state = $2, objection = $3,"
                          " objected_by = $4, objected_at = $5"
                          " WHERE reclaim_id = $1",
                          5,
                          params) == 1
                 ? YJC_OK
                 : YJC_DB_ERROR;
    }
    //  the unit's step is done: the window owes nothing more
    if (rc == YJC_OK)
        rc = requests_close_duty (ctx, YJC_DL_RECLAIM_OBJECTION, reclaim_id);
    if (rc == YJC_OK)
        rc = s_emit (ctx,
                     YJC_EV_RECLAMATION_OBJECTED,
                     &r,
                     S_RCS (OBJECTED),
                     "objection",
                     text);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "reclaim_id", reclaim_id);
        yjc_pk_kv_str (ctx->reply, "app_id", r.app_id);
        yjc_pk_kv_str (ctx->reply, "state", S_RCS (OBJECTED));
    }
    yjc_pack_release (&r.lines);
    return rc;
}

//  R11.3: a decision waits for the end of the window or an objection.
static yjc_result_t
s_may_decide (yjc_ctx_t *ctx, const s_reclaim_t *r)
{
    if (!streq (r->state, S_RCS (PROPOSED)) &&
        !streq (r->state, S_RCS (OBJECTED))) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.reclaim_id",
                          "the reclamation is decided already",
                          "该收回事项已决定（%s）",
                          yjc_reclaim_state_zh (r->state));
        return YJC_FAIL;
    }
    if (streq (r->state, S_RCS (PROPOSED)) && s_window_open (ctx, r)) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.reclaim_id",
                          "the unit's objection window is still open (R11.3)",
                          "单位异议期至 %s 24 时，期满或单位提出异议后才能决定",
                          *r->window_end ? r->window_end : "（待定）");
        return YJC_FAIL;
    }
    return YJC_OK;
}

static yjc_result_t
s_record_decision (yjc_ctx_t *ctx,
                   const s_reclaim_t *r,
                   const char *state,
                   const char *opinion)
{
    const char *params[] = { r->reclaim_id,
                             state,
                             opinion,
                             ctx->actor->name,
                             ctx->now_iso,
                             r->app_id,
                             yjc_msg_defs[ctx->msg_type].wire };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH r AS (UPDATE reclamations SET state = $2, opinion = $3,"
        " decided_by = $4, decided_at = $5 WHERE reclaim_id = $1)"
        " INSERT INTO decisions (app_id, action, actor, opinion, at)"
        " VALUES ($6, $7 || ' ' || $1, $4, $3, $5)",
        7,
        params);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return requests_close_duty (ctx, YJC_DL_RECLAIM_OBJECTION, r->reclaim_id);
}

//  reclaim.approve / reclaim.reject - R11.3: the bureau decides, with an
//  opinion; an approval is checked again against what the application
//  has now (a change may have shrunk it since the proposal).
yjc_result_t
reclaim_decide (yjc_ctx_t *ctx, const msgpack_object *body)
{
    bool approved = ctx->msg_type == YJC_MSG_RECLAIM_APPROVE;
    const char *state = approved ? S_RCS (APPROVED) : S_RCS (REJECTED);
    char reclaim_id[33], opinion[2001], unit[129], app_state[33];
    yjc_obj_strcpy (body, "reclaim_id", reclaim_id, sizeof reclaim_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    s_reclaim_t r = { 0 };
    yjc_pack_init (&r.lines);
    yjc_pack_t resources;
    yjc_pack_init (&resources);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    bool found = false;
    yjc_result_t rc = s_load (ctx, reclaim_id, &r);
    if (rc == YJC_OK)
        rc = s_may_decide (ctx, &r);
    if (rc == YJC_OK && approved) {
        rc = s_app (ctx, r.app_id, unit, app_state, &resources, &found);
        if (rc == YJC_OK &&
            msgpack_unpack_next (
                &un, r.lines.buf.data, r.lines.buf.size, NULL) !=
                MSGPACK_UNPACK_SUCCESS)
            rc = YJC_DB_ERROR;
        if (rc == YJC_OK)
            rc = s_check_lines (ctx, app_state, &resources, &un.data);
    }
    if (rc == YJC_OK)
        rc = s_record_decision (ctx, &r, state, opinion);
    if (rc == YJC_OK)
        rc = s_emit (ctx,
                     approved ? YJC_EV_RECLAMATION_APPROVED
                              : YJC_EV_RECLAMATION_REJECTED,
                     &r,
                     state,
                     "opinion",
                     opinion);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "reclaim_id", reclaim_id);
        yjc_pk_kv_str (ctx->reply, "app_id", r.app_id);
        yjc_pk_kv_str (ctx->reply, "state", state);
    }
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&resources);
    yjc_pack_release (&r.lines);
    return rc;
}

//  reclaim.list - newest first; a unit sees its own only.
yjc_result_t
reclaim_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], limit[16];
    int64_t n = 200;
    yjc_obj_int (body, "limit", &n);
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    const char *params[] = { yjc_deadlines[YJC_DL_RECLAIM_OBJECTION].code,
                             ctx->actor->role == YJC_ROLE_UNIT
                                 ? ctx->actor->unit
                                 : NULL,
                             *app_id ? app_id : NULL,
                             limit };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        S_COLUMNS " WHERE ($2::text IS NULL OR r.unit = $2)"
                  " AND ($3::text IS NULL OR r.app_id = $3)"
                  " ORDER BY r.proposed_at DESC, r.reclaim_id DESC"
                  " LIMIT $4::int",
        4,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "reclamations", res, s_cols, S_NCOLS);
    PQclear (res);
    return YJC_OK;
}

//  reclaim.get - one reclamation, with the unit's objection if any.
yjc_result_t
reclaim_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char reclaim_id[33];
    yjc_obj_strcpy (body, "reclaim_id", reclaim_id, sizeof reclaim_id);
    const char *params[] = { yjc_deadlines[YJC_DL_RECLAIM_OBJECTION].code,
                             reclaim_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db, S_COLUMNS " WHERE r.reclaim_id = $2", 2, params, NULL, NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.reclaim_id", reclaim_id);
    if (rc != YJC_OK)
        return rc;
    yjc_pk_row (ctx->reply, res, 0, s_cols, S_NCOLS);
    PQclear (res);
    return YJC_OK;
}

//  R11.3: the objection window is the unit's right, not its duty: one
//  that ended (to 24:00 of its last day) with no objection lapses, so it
//  is never listed as the unit's overdue step; the bureau decides next.
yjc_result_t
reclaim_tick (yjc_ctx_t *ctx)
{
    char today[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { yjc_deadlines[YJC_DL_RECLAIM_OBJECTION].code,
                             today,
                             ctx->now_iso,
                             yjc_duty_ends[YJC_DUTY_LAPSED].code };
    return yjc_db_exec (ctx->db,
                        "UPDATE duties SET closed_at = $3, closed_why = $4"
                        " WHERE what = $1 AND closed_at IS NULL"
                        " AND due < $2::date",
                        4,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  order.completed: the resources the vendor put in place are what the
//  application has now (what a later reclamation takes from).
yjc_result_t
reclaim_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    const msgpack_object *resources = yjc_obj_get (ev->payload, "resources");
    if (!resources || resources->type != MSGPACK_OBJECT_MAP)
        return YJC_OK;
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    msgpack_pack_object (&mp.pk, *resources);
    const char *params[] = { ev->app_id, mp.buf.data };
    int lengths[] = { 0, (int)mp.buf.size };
    int formats[] = { 0, 1 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "UPDATE applications SET resources_mp = $2 WHERE app_id = $1",
        2,
        params,
        lengths,
        formats);
    yjc_pack_release (&mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}
