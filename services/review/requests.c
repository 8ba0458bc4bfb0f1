/*  requests.c - after approval: the unit's requests and the bureau's
    decisions on them (R10.2 extension, R11.1 go-live, R12 change, R13
    termination), and the other bounded steps someone owes (duties): the
    end of testing (R10.2), the paperwork of an emergency change (R12.3).

    Which request the application's state allows, the deadlines, and the
    state the vendor's orders move it to are the REQUEST, DEADLINE and
    MOVE tables of proto/yjc_lifecycle.def.                              */
#include "requests.h"
#include "grant.h"
#include "yjc_config.h"
#include "yjc_time.h"

//  Opens a duty once (a redelivered event opens nothing more).
static yjc_result_t
s_open_duty (yjc_ctx_t *ctx,
             const char *app_id,
             const char *unit,
             yjc_deadline_t what,
             const char *ref,
             const char *due,
             const char *rule,
             bool provisional,
             const char *at)
{
    const yjc_deadline_def_t *d = &yjc_deadlines[what];
    const char *params[] = { app_id,
                             unit,
                             d->code,
                             ref,
                             yjc_parties[d->party].code,
                             *due ? due : NULL,
                             rule,
                             at,
                             provisional ? "t" : "f" };
    //  due_from: where a recomputation starts (a published year)
    return yjc_db_exec (ctx->db,
                        "INSERT INTO duties (app_id, unit, what, ref, owed_by,"
                        " due, rule, opened_at, provisional, due_from)"
                        " VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8,"
                        " $9::bool, $8) ON CONFLICT (what, ref) DO NOTHING",
                        9,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  Closes the open duty `what` of `ref` (a request, order or application)
//  as done.
static yjc_result_t
s_close_duty (yjc_ctx_t *ctx, yjc_deadline_t what, const char *ref)
{
    const char *params[] = { yjc_deadlines[what].code,
                             ref,
                             ctx->now_iso,
                             yjc_duty_ends[YJC_DUTY_DONE].code };
    return yjc_db_exec (ctx->db,
                        "UPDATE duties SET closed_at = $3, closed_why = $4"
                        " WHERE what = $1 AND ref = $2 AND closed_at IS NULL",
                        4,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

yjc_result_t
requests_open_duty (yjc_ctx_t *ctx,
                    const char *app_id,
                    const char *unit,
                    yjc_deadline_t what,
                    const char *ref,
                    const char *due,
                    const char *rule,
                    bool provisional)
{
    return s_open_duty (
        ctx, app_id, unit, what, ref, due, rule, provisional, ctx->now_iso);
}

yjc_result_t
requests_close_duty (yjc_ctx_t *ctx, yjc_deadline_t what, const char *ref)
{
    return s_close_duty (ctx, what, ref);
}

//  An application that ended (declined, rejected, withdrawn, terminated,
//  purged) owes nothing more: every duty still open on it closes, with
//  the reason, and no list shows it again.
yjc_result_t
requests_end_duties (yjc_ctx_t *ctx, const char *app_id, const char *at)
{
    const char *params[] = { app_id, at, yjc_duty_ends[YJC_DUTY_ENDED].code };
    return yjc_db_exec (ctx->db,
                        "UPDATE duties SET closed_at = $2, closed_why = $3"
                        " WHERE app_id = $1 AND closed_at IS NULL",
                        3,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  request.submitted: the request waits for the bureau, with its
//  deadline when the rules bound it (R12.1, R13.1).
yjc_result_t
requests_on_submitted (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char request_id[33], unit[129], kind[17], emergency[33];
    const char *pending = yjc_request_states[YJC_RQS_PENDING].code;
    yjc_obj_strcpy (ev->payload, "request_id", request_id, sizeof request_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_obj_strcpy (
        ev->payload, "emergency_order", emergency, sizeof emergency);
    yjc_pack_t detail;
    yjc_pack_init (&detail);
    msgpack_pack_object (&detail.pk, *ev->payload);
    const char *params[] = {
        request_id, ev->app_id,      unit,
        kind,       detail.buf.data, *emergency ? emergency : NULL,
        ev->at,     pending
    };
    int lengths[] = { 0, 0, 0, 0, (int)detail.buf.size, 0, 0, 0 };
    int formats[] = { 0, 0, 0, 0, 1, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO requests (request_id, app_id, unit, kind, detail_mp,"
        " emergency_order, submitted_at, state) SELECT $1, $2, $3, $4, $5,"
        " $6, $7::timestamptz, $8 WHERE EXISTS (SELECT 1 FROM applications"
        " WHERE app_id = $2) ON CONFLICT DO NOTHING RETURNING request_id",
        8,
        params,
        lengths,
        formats);
    yjc_pack_release (&detail);
    if (!res)
        return YJC_DB_ERROR;
    bool inserted = PQntuples (res) > 0;
    PQclear (res);
    int row = yjc_request_by_kind (kind);
    if (!inserted || row < 0)
        return YJC_OK; //  again, or of an application review never saw
    char due[11], rule[YJC_RULE_MAX];
    yjc_deadline_t decide = yjc_requests[row].decide;
    bool provisional;
    yjc_ctx_due (ctx, decide, ev->at_us, due, rule, &provisional);
    return s_open_duty (ctx,
                        ev->app_id,
                        unit,
                        decide,
                        request_id,
                        due,
                        rule,
                        provisional,
                        ev->at);
}

//  emergency.reported: R12.3, the paperwork is owed from now (a setting,
//  YJC_EMERGENCY_PAPERWORK_DAYS working days).
yjc_result_t
requests_on_emergency (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char order_id[33], unit[129], due[11], rule[YJC_RULE_MAX];
    yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    bool provisional;
    yjc_ctx_due (ctx, YJC_DL_PAPERWORK, ev->at_us, due, rule, &provisional);
    return s_open_duty (ctx,
                        ev->app_id,
                        unit,
                        YJC_DL_PAPERWORK,
                        order_id,
                        due,
                        rule,
                        provisional,
                        ev->at);
}

//  order.created / completed / failed: the vendor's progress.  A delivered
//  test environment starts the test period (R10.2, 15 days).
yjc_result_t
requests_on_order (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17], order_id[33], unit[129];
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    yjc_state_t state = yjc_move (ev->type, kind);
    if (state != YJC_STATE_NONE) {
        const char *params[] = { ev->app_id, yjc_state_code (state), ev->at };
        //  nobody waits for it: out with the next statement (issue 14)
        if (yjc_db_exec_later (ctx->db,
                               "UPDATE applications SET state = $2,"
                               " updated_at = $3 WHERE app_id = $1",
                               3,
                               params,
                               NULL,
                               NULL) < 0)
            return YJC_DB_ERROR;
    }
    if (yjc_state_ended (state))
        return requests_end_duties (ctx, ev->app_id, ev->at);
    //  R10.2: a delivered test environment starts the test period
    if (state == YJC_STATE_TESTING && ev->type == YJC_EV_ORDER_COMPLETED) {
        char due[11], rule[YJC_RULE_MAX];
        bool provisional;
        yjc_ctx_due (ctx, YJC_DL_TEST_END, ev->at_us, due, rule, &provisional);
        return s_open_duty (ctx,
                            ev->app_id,
                            unit,
                            YJC_DL_TEST_END,
                            ev->app_id,
                            due,
                            rule,
                            provisional,
                            ev->at);
    }
    if (state == YJC_STATE_PRODUCTION)
        return s_close_duty (ctx, YJC_DL_TEST_END, ev->app_id);
    return YJC_OK;
}

typedef struct {
    char request_id[33];
    char app_id[33];
    char unit[129];
    char kind[17];
    char state[17];
    char app_state[33];
    char emergency[33];
    yjc_pack_t detail;
    int64_t years; //  R14.3: a renewal's years, as the unit asked
} s_req_t;

//  Loads and locks a request with its application's state, if there is
//  one.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *request_id, s_req_t *r, bool *found)
{
    const char *params[] = { request_id };
    PGresult *res =
        yjc_db_query_raw (ctx->db,
                          "SELECT r.app_id, r.unit, r.kind, r.state, a.state,"
                          " coalesce(r.emergency_order, ''), r.detail_mp"
                          " FROM requests r JOIN applications a USING (app_id)"
                          " WHERE r.request_id = $1 FOR UPDATE",
                          1,
                          params,
                          NULL,
                          NULL);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        yjc_db_copy (res, 0, 0, r->app_id, sizeof r->app_id);
        yjc_db_copy (res, 0, 1, r->unit, sizeof r->unit);
        yjc_db_copy (res, 0, 2, r->kind, sizeof r->kind);
        yjc_db_copy (res, 0, 3, r->state, sizeof r->state);
        yjc_db_copy (res, 0, 4, r->app_state, sizeof r->app_state);
        yjc_db_copy (res, 0, 5, r->emergency, sizeof r->emergency);
        yjc_pack_append (&r->detail,
                         PQgetvalue (res, 0, 6),
                         (size_t)PQgetlength (res, 0, 6));
        snprintf (r->request_id, sizeof r->request_id, "%s", request_id);
    }
    PQclear (res);
    return YJC_OK;
}

//  What the approval decides besides yes: the end of an extended test
//  (R10.2), the resources of a change (no more than asked, R11.2).
static yjc_result_t
s_approve_terms (yjc_ctx_t *ctx,
                 const s_req_t *r,
                 const msgpack_object *body,
                 const msgpack_object *detail,
                 yjc_pack_t *granted,
                 char until[11])
{
    if (yjc_request_by_kind (r->kind) == YJC_REQ_EXTEND_TEST) {
        yjc_obj_strcpy (body, "until", until, 11);
        if (!*until)
            yjc_obj_strcpy (detail, "until", until, 11);
        yjc_date_t d;
        if (yjc_date_parse (until, &d) != 0 ||
            yjc_date_cmp (d, yjc_time_local_date (ctx->now)) < 0)
            return yjc_ctx_fail (ctx,
                                 YJC_E_OUT_OF_RANGE,
                                 "body.until",
                                 "the new end of the test must not be past");
        const char *params[] = { r->app_id,
                                 until,
                                 yjc_deadlines[YJC_DL_TEST_EXTENDED].rule,
                                 yjc_deadlines[YJC_DL_TEST_END].code };
        return yjc_db_exec (ctx->db,
                            "UPDATE duties SET due = $2::date, rule = $3"
                            " WHERE what = $4 AND ref = $1"
                            " AND closed_at IS NULL",
                            4,
                            params) < 0
                   ? YJC_DB_ERROR
                   : YJC_OK;
    }
    if (yjc_request_by_kind (r->kind) != YJC_REQ_CHANGE)
        return YJC_OK;
    //  R12.2: a change the bureau rules major carries the R8 materials;
    //  without them it cannot be approved (the bureau rejects it, and the
    //  unit files it again as major, with them)
    const msgpack_object *major = yjc_obj_get (body, "major");
    const msgpack_object *materials = yjc_obj_get (detail, "materials");
    if (major && major->type == MSGPACK_OBJECT_BOOLEAN && major->via.boolean &&
        (!materials || materials->type != MSGPACK_OBJECT_ARRAY ||
         materials->via.array.size == 0))
        return yjc_ctx_fail (ctx,
                             YJC_E_INCOMPLETE,
                             "body.major",
                             "a major change carries the R8 materials again"
                             " (R12.2); this request has none");
    const msgpack_object *asked = yjc_obj_get (detail, "resources");
    const msgpack_object *grant = yjc_obj_get (body, "granted");
    if (grant && asked && grant_check (grant, asked, ctx->problems) > 0)
        return YJC_FAIL;
    msgpack_pack_object (&granted->pk, grant ? *grant : *asked);
    return YJC_OK;
}

static yjc_result_t
s_emit_decided (yjc_ctx_t *ctx,
                const s_req_t *r,
                bool approved,
                const char *opinion,
                const yjc_pack_t *granted,
                const char *until)
{
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "request_id", r->request_id);
    yjc_map_str (&ev, "app_id", r->app_id);
    yjc_map_str (&ev, "unit", r->unit);
    yjc_map_str (&ev, "kind", r->kind);
    yjc_map_str (&ev, "opinion", opinion);
    if (granted->buf.size)
        yjc_map_raw (&ev, "granted", granted->buf.data, granted->buf.size);
    if (*until)
        yjc_map_str (&ev, "until", until);
    if (*r->emergency)
        yjc_map_str (&ev, "emergency_order", r->emergency);
    if (r->years)
        yjc_map_int (&ev, "years", r->years);
    yjc_result_t rc = yjc_ctx_emit_map (ctx,
                                        approved ? YJC_EV_REQUEST_APPROVED
                                                 : YJC_EV_REQUEST_REJECTED,
                                        r->app_id,
                                        &ev);
    yjc_map_release (&ev);
    return rc;
}

static yjc_result_t
s_record (yjc_ctx_t *ctx,
          const s_req_t *r,
          bool approved,
          const char *opinion,
          const yjc_pack_t *granted)
{
    const char *params[] = {
        r->request_id,
        yjc_request_states[approved ? YJC_RQS_APPROVED : YJC_RQS_REJECTED].code,
        ctx->now_iso,
        opinion,
        granted->buf.size ? granted->buf.data : NULL,
        r->app_id,
        approved ? "request.approve" : "request.reject",
        ctx->actor->name
    };
    int lengths[] = { 0, 0, 0, 0, (int)granted->buf.size, 0, 0, 0 };
    int formats[] = { 0, 0, 0, 0, 1, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "WITH r AS (UPDATE requests SET state = $2, decided_at = $3,"
        " opinion = $4, granted_mp = $5 WHERE request_id = $1)"
        " INSERT INTO decisions (app_id, action, actor, opinion, at)"
        " VALUES ($6, $7 || ' ' || $1, $8, $4, $3)",
        8,
        params,
        lengths,
        formats);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    int kind = yjc_request_by_kind (r->kind);
    yjc_result_t rc =
        s_close_duty (ctx, yjc_requests[kind].decide, r->request_id);
    //  R12.3: the paperwork is done once the bureau has reviewed it
    if (rc == YJC_OK && *r->emergency)
        rc = s_close_duty (ctx, YJC_DL_PAPERWORK, r->emergency);
    //  R10.2: going live or terminating ends the test period
    if (rc == YJC_OK && approved &&
        (kind == YJC_REQ_GO_LIVE || kind == YJC_REQ_TERMINATE))
        rc = s_close_duty (ctx, YJC_DL_TEST_END, r->app_id);
    //  what the approval itself moves (a termination: 终止中)
    yjc_state_t to =
        approved ? yjc_move (YJC_EV_REQUEST_APPROVED, r->kind) : YJC_STATE_NONE;
    if (rc == YJC_OK && to != YJC_STATE_NONE) {
        const char *p[] = { r->app_id, ctx->now_iso, yjc_state_code (to) };
        rc = yjc_db_exec (ctx->db,
                          "UPDATE applications SET state = $3,"
                          " updated_at = $2 WHERE app_id = $1",
                          3,
                          p) < 0
                 ? YJC_DB_ERROR
                 : YJC_OK;
    }
    return rc;
}

//  request.approve / request.reject - the bureau's decision on a request.
yjc_result_t
requests_decide (yjc_ctx_t *ctx, const msgpack_object *body)
{
    bool approved = ctx->msg_type == YJC_MSG_REQUEST_APPROVE;
    char request_id[33], opinion[2001], until[11] = "";
    yjc_obj_strcpy (body, "request_id", request_id, sizeof request_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    if (!approved && !*opinion)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.opinion",
                             "a refusal carries an opinion");
    s_req_t r = { 0 };
    yjc_pack_init (&r.detail);
    yjc_pack_t granted;
    yjc_pack_init (&granted);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    bool found = false;
    yjc_result_t rc = s_load (ctx, request_id, &r, &found);
    int row = found ? yjc_request_by_kind (r.kind) : -1;
    if (rc == YJC_OK && !found)
        rc = yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.request_id", "%s", request_id);
    else if (rc == YJC_OK && row < 0)
        rc = YJC_DB_ERROR; //  the CHECK holds kinds to the list
    else if (rc == YJC_OK &&
             !streq (r.state, yjc_request_states[YJC_RQS_PENDING].code))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.request_id",
                           "the request is %s already",
                           r.state);
    else if (rc == YJC_OK && approved &&
             !yjc_request_allowed ((yjc_request_kind_t)row, r.app_state))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.request_id",
                           "the application is %s; %s is not possible then",
                           r.app_state,
                           r.kind);
    else if (rc == YJC_OK) {
        rc = msgpack_unpack_next (
                 &un, r.detail.buf.data, r.detail.buf.size, NULL) ==
                     MSGPACK_UNPACK_SUCCESS
                 ? YJC_OK
                 : YJC_DB_ERROR;
        if (rc == YJC_OK)
            yjc_obj_int (&un.data, "years", &r.years);
        if (rc == YJC_OK && approved)
            rc = s_approve_terms (ctx, &r, body, &un.data, &granted, until);
        if (rc == YJC_OK)
            rc = s_record (
                ctx, &r, approved, *opinion ? opinion : NULL, &granted);
        if (rc == YJC_OK)
            rc = s_emit_decided (
                ctx, &r, approved, *opinion ? opinion : NULL, &granted, until);
        if (rc == YJC_OK) {
            msgpack_pack_map (ctx->reply, 4);
            yjc_pk_kv_str (ctx->reply, "request_id", request_id);
            yjc_pk_kv_str (ctx->reply, "app_id", r.app_id);
            yjc_pk_kv_str (ctx->reply, "kind", r.kind);
            yjc_pk_kv_str (ctx->reply,
                           "state",
                           yjc_request_states[approved ? YJC_RQS_APPROVED
                                                       : YJC_RQS_REJECTED]
                               .code);
        }
    }
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&granted);
    yjc_pack_release (&r.detail);
    return rc;
}

yjc_result_t
requests_pack (yjc_ctx_t *ctx, const char *app_id, yjc_map_t *reply)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT request_id, kind, state,"
        " to_char(submitted_at, 'YYYY-MM-DD HH24:MI:SS'),"
        " coalesce(opinion, ''), coalesce(emergency_order, '')"
        " FROM requests WHERE app_id = $1 ORDER BY submitted_at, request_id",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "request_id", YJC_COL_TEXT }, { "kind", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },      { "submitted_at", YJC_COL_TEXT },
        { "opinion", YJC_COL_TEXT },    { "emergency_order", YJC_COL_TEXT },
    };
    yjc_pk_rows (yjc_map_entry (reply), "requests", res, cols, 6);
    PQclear (res);
    res = yjc_db_query (ctx->db,
                        "SELECT what, ref, owed_by, coalesce(due::text, ''),"
                        " coalesce(rule, ''), (closed_at IS NOT NULL)::text,"
                        " coalesce(closed_why, ''), provisional::text"
                        " FROM duties WHERE app_id = $1 ORDER BY opened_at, id",
                        1,
                        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t dcols[] = {
        { "what", YJC_COL_TEXT },       { "ref", YJC_COL_TEXT },
        { "owed_by", YJC_COL_TEXT },    { "due", YJC_COL_TEXT },
        { "rule", YJC_COL_TEXT },       { "closed", YJC_COL_TEXT },
        { "closed_why", YJC_COL_TEXT }, { "provisional", YJC_COL_TEXT },
    };
    yjc_pk_rows (yjc_map_entry (reply), "duties", res, dcols, 8);
    PQclear (res);
    return YJC_OK;
}

//  review.requests - every request still waiting for the bureau's
//  decision (R10.2, R11.1, R12.1, R13.1), oldest first, of applications
//  in test or production (where a decision can still be made); a unit
//  sees only its own unit's.  One call for the bureau's queue instead of
//  one review.get per application; read in submission order from
//  requests_pending (116) and stopped at the limit.
yjc_result_t
requests_pending (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t n = 200;
    yjc_obj_int (body, "limit", &n);
    char limit[16];
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    const char *params[] = { yjc_request_states[YJC_RQS_PENDING].code,
                             ctx->actor->role == YJC_ROLE_UNIT
                                 ? ctx->actor->unit
                                 : NULL,
                             limit,
                             yjc_state_code (YJC_STATE_TESTING),
                             yjc_state_code (YJC_STATE_PRODUCTION) };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT r.request_id, r.app_id, coalesce(a.number, ''), r.unit,"
        " a.project, r.kind, to_char(r.submitted_at, 'YYYY-MM-DD HH24:MI:SS'),"
        " coalesce(r.emergency_order, '')"
        " FROM requests r JOIN applications a USING (app_id)"
        " WHERE r.state = $1 AND ($2::text IS NULL OR r.unit = $2)"
        " AND a.state IN ($4, $5)"
        " ORDER BY r.submitted_at, r.request_id LIMIT $3::int",
        5,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "request_id", YJC_COL_TEXT },   { "app_id", YJC_COL_TEXT },
        { "number", YJC_COL_TEXT },       { "unit", YJC_COL_TEXT },
        { "project", YJC_COL_TEXT },      { "kind", YJC_COL_TEXT },
        { "submitted_at", YJC_COL_TEXT }, { "emergency_order", YJC_COL_TEXT },
    };
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "requests", res, cols, 8);
    PQclear (res);
    return YJC_OK;
}
