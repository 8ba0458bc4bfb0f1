/*  requests.c - the unit's requests after approval: extend the test
    (R10.2), go live (R10.3, R11.1), change (R12), terminate (R13.1),
    renew the usage period (R14.3).

    Intake checks what it can know: the unit's own application, in a
    stage that allows the request (as intake follows it), and complete:
    an MLPS level 3 system's go-live carries the third-party report
    (R10.3), a major change the R8 materials again (R12.2), a termination
    the unit's confirmation that the system is offline (R13.1).  The
    bureau decides in review.                                            */
#include "requests.h"
#include "attachments.h"
#include "yjc_form.h"
#include "yjc_lifecycle.h"
#include "yjc_time.h"

typedef struct {
    char app_id[33];
    char state[33];
    msgpack_unpacked form; //  the application form, as submitted
    char *bytes;           //  what its objects point into (zero-copy)
} s_app_t;

static void
s_app_release (s_app_t *app)
{
    msgpack_unpacked_destroy (&app->form);
    free (app->bytes);
}

//  Loads the unit's own application: YJC_OK, or YJC_FAIL (not_found) or
//  YJC_DB_ERROR.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *app_id, s_app_t *app)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, state, form_mp FROM applications WHERE app_id = $1",
        1,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    snprintf (app->app_id, sizeof app->app_id, "%s", app_id);
    yjc_db_copy (res, 0, 1, app->state, sizeof app->state);
    size_t len = (size_t)PQgetlength (res, 0, 2);
    app->bytes = (char *)malloc (len ? len : 1);
    memcpy (app->bytes, PQgetvalue (res, 0, 2), len);
    PQclear (res);
    msgpack_unpacked_init (&app->form);
    msgpack_unpack_next (&app->form, app->bytes, len, NULL);
    return YJC_OK;
}

//  R10.3: a system graded MLPS level 3 needs the CNAS-accredited lab's
//  report, uploaded and named as the material `test_report`.
static void
s_check_go_live (yjc_ctx_t *ctx, const s_app_t *app, const msgpack_object *body)
{
    const msgpack_object *project = yjc_obj_get (&app->form.data, "project");
    const char *mlps;
    size_t len;
    bool level3 = yjc_obj_str (project, "mlps", &mlps, &len) && len == 6 &&
                  memcmp (mlps, "level3", 6) == 0;
    const msgpack_object *report = yjc_obj_get (body, "test_report");
    if (level3 && !report)
        yjc_problems_add (ctx->problems,
                          YJC_E_INCOMPLETE,
                          "body.test_report",
                          "an MLPS level 3 system goes live with a CNAS"
                          " third-party test report (R10.3)");
}

//  R12.2: a major change carries the materials the form requires again
//  (the form's rules on what it asks were checked with its shape,
//  yjc_form_check_body).
static void
s_check_change (yjc_ctx_t *ctx, const s_app_t *app, const msgpack_object *body)
{
    const msgpack_object *major = yjc_obj_get (body, "major");
    if (major && major->type == MSGPACK_OBJECT_BOOLEAN && major->via.boolean)
        yjc_form_check_materials (
            &app->form.data, yjc_obj_get (body, "attachments"), ctx->problems);
}

//  R13.1: the unit confirms the system is offline before it terminates.
static void
s_check_terminate (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *offline = yjc_obj_get (body, "offline_confirmed");
    if (!offline || offline->type != MSGPACK_OBJECT_BOOLEAN ||
        !offline->via.boolean)
        yjc_problems_add (ctx->problems,
                          YJC_E_INVALID_VALUE,
                          "body.offline_confirmed",
                          "take the system offline and back up or migrate its"
                          " data first (R13.1)");
}

//  R14.3: a renewal is asked before the period ends (to 24:00 of its last
//  day, as period.scheduled announced it).
static yjc_result_t
s_check_renew (yjc_ctx_t *ctx, const char *app_id)
{
    char today[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { app_id, today };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT coalesce(period_to::text, ''), period_to >= $2::date"
        " FROM applications WHERE app_id = $1",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) == 1 && *PQgetvalue (res, 0, 0) &&
        *PQgetvalue (res, 0, 1) != 't')
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.app_id",
                          "the usage period has ended (R14.3)",
                          "使用期限已于 %s 届满，续期须在届满前提出",
                          PQgetvalue (res, 0, 0));
    PQclear (res);
    return YJC_OK;
}

//  The materials a request brings: a change's attachments, a go-live's
//  report (as one material_ref array, packed into `out`).
static void
s_materials (const msgpack_object *body, yjc_pack_t *out)
{
    const msgpack_object *attachments = yjc_obj_get (body, "attachments");
    const msgpack_object *report = yjc_obj_get (body, "test_report");
    uint32_t n = attachments ? attachments->via.array.size : 0;
    msgpack_pack_array (&out->pk, n + (report ? 1 : 0));
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_object (&out->pk, attachments->via.array.ptr[i]);
    if (report) {
        char att[33];
        msgpack_pack_map (&out->pk, 2);
        yjc_pk_kv_str (&out->pk, "kind", "test_report");
        yjc_pk_kv_str (&out->pk,
                       "att_id",
                       yjc_obj_strcpy (report, "att_id", att, sizeof att));
    }
}

//  Stores the request (once per sender and envelope id) and announces it.
static yjc_result_t
s_store (yjc_ctx_t *ctx,
         const char *unit,
         const char *by,
         const char *envelope,
         const char *kind,
         const char *app_id,
         const msgpack_object *body,
         const msgpack_object *materials,
         char request_id[33],
         bool *duplicate)
{
    yjc_pack_t detail;
    yjc_pack_init (&detail);
    msgpack_pack_object (&detail.pk, *body);
    const char *params[] = { app_id,          unit,        kind, by, envelope,
                             detail.buf.data, ctx->now_iso };
    int lengths[] = { 0, 0, 0, 0, 0, (int)detail.buf.size, 0 };
    int formats[] = { 0, 0, 0, 0, 0, 1, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "WITH i AS (INSERT INTO requests (request_id, app_id, unit, kind,"
        " submitted_by, envelope_id, detail_mp, submitted_at)"
        " VALUES (yjc_new_id('R', 'request_seq'), $1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (submitted_by, envelope_id) DO NOTHING"
        " RETURNING request_id, true AS fresh)"
        " SELECT request_id, fresh::text FROM i UNION ALL"
        " SELECT request_id, 'false' FROM requests"
        " WHERE submitted_by = $4 AND envelope_id = $5",
        7,
        params,
        lengths,
        formats);
    yjc_pack_release (&detail);
    if (!res || PQntuples (res) == 0) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    snprintf (request_id, 33, "%s", PQgetvalue (res, 0, 0));
    *duplicate = strcmp (PQgetvalue (res, 0, 1), "true") != 0;
    PQclear (res);
    if (*duplicate)
        return YJC_OK;
    //  the event: the request as the unit wrote it, named, and its files
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "request_id", request_id);
    yjc_map_str (&ev, "app_id", app_id);
    yjc_map_str (&ev, "unit", unit);
    yjc_map_str (&ev, "kind", kind);
    yjc_map_str (&ev, "submitted_at", ctx->now_iso);
    static const char *copied[] = {
        "reason",  "until",       "resources", "major", "emergency_order",
        "results", "test_report", "data",      "years"
    };
    for (size_t i = 0; i < sizeof copied / sizeof *copied; i++)
        if (yjc_obj_get (body, copied[i]))
            yjc_map_obj (&ev, copied[i], yjc_obj_get (body, copied[i]));
    yjc_result_t rc =
        attachments_link (ctx, app_id, materials, &ev, "materials");
    if (rc == YJC_OK)
        rc = yjc_ctx_emit_map (ctx, YJC_EV_REQUEST_SUBMITTED, app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

yjc_result_t
requests_submit (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int row = yjc_request_by_msg (ctx->msg_type);
    assert (row >= 0); //  only the REQUEST messages are routed here
    char app_id[33];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    s_app_t app = { 0 };
    yjc_result_t rc = s_load (ctx, app_id, &app);
    if (rc != YJC_OK)
        return rc;
    if (!yjc_request_allowed ((yjc_request_kind_t)row, app.state)) {
        s_app_release (&app);
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_STATE,
                             "body.app_id",
                             "the application is %s; %s is not possible then",
                             app.state,
                             yjc_requests[row].kind);
    }
    if (ctx->msg_type == YJC_MSG_REQUEST_GO_LIVE)
        s_check_go_live (ctx, &app, body);
    else if (ctx->msg_type == YJC_MSG_REQUEST_CHANGE)
        s_check_change (ctx, &app, body);
    else if (ctx->msg_type == YJC_MSG_REQUEST_TERMINATE)
        s_check_terminate (ctx, body);
    else if (ctx->msg_type == YJC_MSG_REQUEST_RENEW)
        rc = s_check_renew (ctx, app_id);
    else {
        yjc_date_t until;
        char text[11];
        yjc_obj_strcpy (body, "until", text, sizeof text);
        if (yjc_date_parse (text, &until) != 0 ||
            yjc_date_cmp (until, yjc_time_local_date (ctx->now)) <= 0)
            yjc_problems_add (ctx->problems,
                              YJC_E_OUT_OF_RANGE,
                              "body.until",
                              "the test can only be extended to a later day");
    }
    yjc_pack_t refs;
    yjc_pack_init (&refs);
    s_materials (body, &refs);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, refs.buf.data, refs.buf.size, NULL);
    //  each file where the unit named it
    const msgpack_object *report = yjc_obj_get (body, "test_report");
    char att[33];
    if (rc == YJC_OK)
        rc = attachments_check (ctx, yjc_obj_get (body, "attachments"), NULL);
    if (rc == YJC_OK && report)
        rc = attachments_check_one (
            ctx,
            yjc_obj_strcpy (report, "att_id", att, sizeof att),
            "body.test_report.att_id");
    if (rc == YJC_OK && ctx->problems->count)
        rc = YJC_FAIL;
    char request_id[33];
    bool duplicate = false;
    if (rc == YJC_OK)
        rc = s_store (ctx,
                      ctx->actor->unit,
                      ctx->actor->name,
                      ctx->request_id,
                      yjc_requests[row].kind,
                      app_id,
                      body,
                      &un.data,
                      request_id,
                      &duplicate);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 4);
        yjc_pk_kv_str (ctx->reply, "request_id", request_id);
        yjc_pk_kv_str (ctx->reply, "app_id", app_id);
        yjc_pk_kv_str (ctx->reply, "kind", yjc_requests[row].kind);
        yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
    }
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&refs);
    s_app_release (&app);
    return rc;
}

yjc_result_t
requests_pack (yjc_ctx_t *ctx, const char *app_id, yjc_map_t *reply)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT request_id, kind,"
        " to_char(submitted_at, 'YYYY-MM-DD HH24:MI:SS')"
        " FROM requests WHERE app_id = $1 ORDER BY submitted_at, request_id",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "request_id", YJC_COL_TEXT },
        { "kind", YJC_COL_TEXT },
        { "submitted_at", YJC_COL_TEXT },
    };
    yjc_pk_rows (yjc_map_entry (reply), "requests", res, cols, 3);
    PQclear (res);
    return YJC_OK;
}

//  R14.3: with 过期顺延 on its form, the renewal for the form's length is
//  asked for the unit with the expiry notice (the notice order's id is
//  its envelope: once per notice), and decided by the bureau as usual.
yjc_result_t
requests_auto_renew (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char order_id[33], unit[129], on_expiry[17];
    yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    s_app_t app = { 0 };
    const char *params[] = { ev->app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, state, form_mp FROM applications WHERE app_id = $1",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    bool found = PQntuples (res) == 1;
    PQclear (res);
    if (!found || s_load (ctx, ev->app_id, &app) != YJC_OK)
        return YJC_OK; //  not ours: logged by the stage handler
    const msgpack_object *period =
        yjc_obj_get (yjc_obj_get (&app.form.data, "project"), "period");
    yjc_obj_strcpy (period, "on_expiry", on_expiry, sizeof on_expiry);
    int months = 0, days = 0;
    yjc_form_usage_length (&app.form.data, &months, &days);
    s_app_release (&app);
    //  the form's value 过期顺延 is named after the request it asks for
    if (strcmp (on_expiry, yjc_requests[YJC_REQ_RENEW].kind) != 0)
        return YJC_OK;
    int years = months ? (months + 11) / 12 : (days + 364) / 365;
    years = years < 1 ? 1 : years > 3 ? 3 : years; //  R14.1
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", ev->app_id);
    yjc_pk_kv_int (&body.pk, "years", years);
    yjc_pk_kv_str (
        &body.pk, "reason", "申请表选择过期顺延，随到期通知提出续期");
    msgpack_unpacked un, none;
    msgpack_unpacked_init (&un);
    msgpack_unpacked_init (&none);
    msgpack_unpack_next (&un, body.buf.data, body.buf.size, NULL);
    yjc_pack_t refs;
    yjc_pack_init (&refs);
    msgpack_pack_array (&refs.pk, 0);
    msgpack_unpack_next (&none, refs.buf.data, refs.buf.size, NULL);
    char request_id[33], by[64];
    snprintf (by, sizeof by, "%s:%s", ev->source, "on_expiry");
    bool duplicate = false;
    yjc_result_t rc = s_store (ctx,
                               unit,
                               by,
                               order_id,
                               yjc_requests[YJC_REQ_RENEW].kind,
                               ev->app_id,
                               &un.data,
                               &none.data,
                               request_id,
                               &duplicate);
    msgpack_unpacked_destroy (&un);
    msgpack_unpacked_destroy (&none);
    yjc_pack_release (&refs);
    yjc_pack_release (&body);
    return rc;
}
