/*  requests.c - after approval: the unit's requests and the bureau's
    decisions on them (R10.2 extension, R11.1 go-live, R12 change, R13
    termination), and the other bounded steps someone owes (duties): the
    end of testing (R10.2), the paperwork of an emergency change (R12.3).

    Which request the application's stage allows is a table; so is the
    stage the vendor's completed orders move it to.                      */
#include "requests.h"
#include "grant.h"
#include "yjc_config.h"
#include "yjc_time.h"

#define TEST_DAYS      15 //  R10.2, calendar days from delivery
#define TEST_RULE      "R10.2 测试期自交付起不超过15天"
#define EXTENDED_RULE  "R10.2 经主管部门同意延长测试期"
#define PAPERWORK_RULE "R12.3 紧急变更事后补办变更手续"

//  The requests, the stage each is allowed in, and the bureau's deadline.
static const struct {
    const char *kind;
    const char *stages[2]; //  review's application states allowing it
    int workdays;          //  bureau's decision, 0 = not bounded
    const char *rule;
} s_requests[] = {
    { "extend_test", { "testing", NULL }, 0, NULL },
    { "go_live", { "testing", NULL }, 0, NULL },
    { "change", { "production", NULL }, 5, "R12.1 5个工作日内审核变更申请" },
    { "terminate",
      { "production", "testing" },
      5,
      "R13.1 5个工作日内审核终止申请" },
};

//  What a completed order of each kind makes of the application.
static const struct {
    const char *kind;
    const char *state; //  NULL: unchanged
} s_completed[] = {
    { "test_env", "testing" },
    { "go_live", "production" },
    { "change", NULL },
    { "emergency", NULL },
    { "terminate", "terminated" },
    { "purge", "purged" },
};

static int
s_request_row (const char *kind)
{
    for (size_t i = 0; i < sizeof s_requests / sizeof *s_requests; i++)
        if (streq (s_requests[i].kind, kind))
            return (int)i;
    return -1;
}

//  Opens a duty once (a redelivered event opens nothing more).
static int
s_open_duty (yjc_ctx_t *ctx,
             const char *app_id,
             const char *unit,
             const char *what,
             const char *ref,
             const char *owed_by,
             const char *due,
             const char *rule,
             const char *at)
{
    const char *params[] = { app_id, unit,    what,
                             ref,    owed_by, *due ? due : NULL,
                             rule,   at };
    return yjc_db_exec (ctx->db,
                        "INSERT INTO duties (app_id, unit, what, ref, owed_by,"
                        " due, rule, opened_at) VALUES ($1, $2, $3, $4, $5,"
                        " $6::date, $7, $8) ON CONFLICT (what, ref) DO NOTHING",
                        8,
                        params) < 0
               ? YJC_DB_ERROR
               : 0;
}

static int
s_close_duty (yjc_ctx_t *ctx, const char *what, const char *ref)
{
    const char *params[] = { what, ref, ctx->now_iso };
    return yjc_db_exec (ctx->db,
                        "UPDATE duties SET closed_at = $3 WHERE what = $1"
                        " AND ref = $2 AND closed_at IS NULL",
                        3,
                        params) < 0
               ? YJC_DB_ERROR
               : 0;
}

//  request.submitted: the request waits for the bureau, with its
//  deadline when the rules bound it (R12.1, R13.1).
int
requests_on_submitted (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char request_id[33], unit[129], kind[17], emergency[33];
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
        ev->at
    };
    int lengths[] = { 0, 0, 0, 0, (int)detail.buf.size, 0, 0 };
    int formats[] = { 0, 0, 0, 0, 1, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO requests (request_id, app_id, unit, kind, detail_mp,"
        " emergency_order, submitted_at) SELECT $1, $2, $3, $4, $5, $6,"
        " $7::timestamptz WHERE EXISTS (SELECT 1 FROM applications WHERE"
        " app_id = $2) ON CONFLICT DO NOTHING RETURNING request_id",
        7,
        params,
        lengths,
        formats);
    yjc_pack_release (&detail);
    if (!res)
        return YJC_DB_ERROR;
    int inserted = PQntuples (res);
    PQclear (res);
    int row = s_request_row (kind);
    if (!inserted || row < 0)
        return 0; //  again, or of an application review never saw
    char due[11] = "";
    int64_t at = ctx->now;
    yjc_time_parse_iso (ev->at, &at);
    if (s_requests[row].workdays)
        yjc_ctx_deadline (ctx, at, s_requests[row].workdays, 'w', due);
    return s_open_duty (ctx,
                        ev->app_id,
                        unit,
                        "decide_request",
                        request_id,
                        "bureau",
                        due,
                        s_requests[row].rule,
                        ev->at);
}

//  emergency.reported: R12.3, the paperwork is owed from now (a setting,
//  YJC_EMERGENCY_PAPERWORK_DAYS working days).
int
requests_on_emergency (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char order_id[33], unit[129], due[11], rule[96];
    yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    int days = yjc_config_int (YJC_CFG_EMERGENCY_PAPERWORK_DAYS);
    int64_t at = ctx->now;
    yjc_time_parse_iso (ev->at, &at);
    yjc_ctx_deadline (ctx, at, days, 'w', due);
    snprintf (rule, sizeof rule, "%s（%d个工作日）", PAPERWORK_RULE, days);
    return s_open_duty (ctx,
                        ev->app_id,
                        unit,
                        "paperwork",
                        order_id,
                        "unit",
                        due,
                        rule,
                        ev->at);
}

//  order.created / completed / failed: the vendor's progress.  A delivered
//  test environment starts the test period (R10.2, 15 days).
int
requests_on_order (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17], order_id[33], unit[129];
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    const char *state = NULL;
    if (ev->type == YJC_EV_ORDER_CREATED)
        state = streq (kind, "test_env") ? "ordered" : NULL;
    else if (ev->type == YJC_EV_ORDER_FAILED)
        state = streq (kind, "test_env") ? "provision_failed" : NULL;
    else
        for (size_t i = 0; i < sizeof s_completed / sizeof *s_completed; i++)
            if (streq (s_completed[i].kind, kind))
                state = s_completed[i].state;
    if (state) {
        const char *params[] = { ev->app_id, state, ev->at };
        if (yjc_db_exec (ctx->db,
                         "UPDATE applications SET state = $2,"
                         " updated_at = $3 WHERE app_id = $1",
                         3,
                         params) < 0)
            return YJC_DB_ERROR;
    }
    if (ev->type != YJC_EV_ORDER_COMPLETED)
        return 0;
    if (streq (kind, "test_env")) {
        char due[11];
        int64_t at = ctx->now;
        yjc_time_parse_iso (ev->at, &at);
        yjc_ctx_deadline (ctx, at, TEST_DAYS, 'd', due);
        return s_open_duty (ctx,
                            ev->app_id,
                            unit,
                            "test_end",
                            ev->app_id,
                            "unit",
                            due,
                            TEST_RULE,
                            ev->at);
    }
    if (streq (kind, "go_live"))
        return s_close_duty (ctx, "test_end", ev->app_id);
    return 0;
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
} s_req_t;

//  Loads and locks a request with its application's state: 1, 0 or
//  YJC_DB_ERROR.
static int
s_load (yjc_ctx_t *ctx, const char *request_id, s_req_t *r)
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
    int found = PQntuples (res);
    if (found) {
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
    return found;
}

//  What the approval decides besides yes: the end of an extended test
//  (R10.2), the resources of a change (no more than asked, R11.2).
static int
s_approve_terms (yjc_ctx_t *ctx,
                 const s_req_t *r,
                 const msgpack_object *body,
                 const msgpack_object *detail,
                 yjc_pack_t *granted,
                 char until[11])
{
    if (streq (r->kind, "extend_test")) {
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
        const char *params[] = { r->app_id, until, EXTENDED_RULE };
        return yjc_db_exec (ctx->db,
                            "UPDATE duties SET due = $2::date, rule = $3"
                            " WHERE what = 'test_end' AND ref = $1"
                            " AND closed_at IS NULL",
                            3,
                            params) < 0
                   ? YJC_DB_ERROR
                   : 0;
    }
    if (!streq (r->kind, "change"))
        return 0;
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
    return 0;
}

static int
s_emit_decided (yjc_ctx_t *ctx,
                const s_req_t *r,
                bool approved,
                const char *opinion,
                const yjc_pack_t *granted,
                const char *until)
{
    yjc_pack_t ev;
    yjc_pack_init (&ev);
    bool has_granted = granted->buf.size > 0, has_until = *until,
         has_emergency = *r->emergency;
    msgpack_pack_map (&ev.pk, 5 + has_granted + has_until + has_emergency);
    yjc_pk_kv_str (&ev.pk, "request_id", r->request_id);
    yjc_pk_kv_str (&ev.pk, "app_id", r->app_id);
    yjc_pk_kv_str (&ev.pk, "unit", r->unit);
    yjc_pk_kv_str (&ev.pk, "kind", r->kind);
    yjc_pk_kv_str (&ev.pk, "opinion", opinion);
    if (has_granted)
        yjc_pk_kv_raw (&ev.pk, "granted", granted->buf.data, granted->buf.size);
    if (has_until)
        yjc_pk_kv_str (&ev.pk, "until", until);
    if (has_emergency)
        yjc_pk_kv_str (&ev.pk, "emergency_order", r->emergency);
    int rc = yjc_ctx_emit (ctx,
                           approved ? YJC_EV_REQUEST_APPROVED
                                    : YJC_EV_REQUEST_REJECTED,
                           r->app_id,
                           &ev);
    yjc_pack_release (&ev);
    return rc;
}

static int
s_record (yjc_ctx_t *ctx,
          const s_req_t *r,
          bool approved,
          const char *opinion,
          const yjc_pack_t *granted)
{
    const char *params[] = { r->request_id,
                             approved ? "approved" : "rejected",
                             ctx->now_iso,
                             opinion,
                             granted->buf.size ? granted->buf.data : NULL,
                             r->app_id,
                             approved ? "request.approve" : "request.reject",
                             ctx->actor->name };
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
    int rc = s_close_duty (ctx, "decide_request", r->request_id);
    //  R12.3: the paperwork is done once the bureau has reviewed it
    if (rc == 0 && *r->emergency)
        rc = s_close_duty (ctx, "paperwork", r->emergency);
    //  R10.2: the unit asked to go live: its test period is over
    if (rc == 0 && approved && streq (r->kind, "go_live"))
        rc = s_close_duty (ctx, "test_end", r->app_id);
    //  a terminated system owes no more testing
    if (rc == 0 && approved && streq (r->kind, "terminate"))
        rc = s_close_duty (ctx, "test_end", r->app_id);
    if (rc == 0 && approved && streq (r->kind, "terminate")) {
        const char *p[] = { r->app_id, ctx->now_iso };
        rc = yjc_db_exec (ctx->db,
                          "UPDATE applications SET state = 'terminating',"
                          " updated_at = $2 WHERE app_id = $1",
                          2,
                          p) < 0
                 ? YJC_DB_ERROR
                 : 0;
    }
    return rc;
}

//  request.approve / request.reject - the bureau's decision on a request.
int
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
    int rc = s_load (ctx, request_id, &r);
    int row = rc > 0 ? s_request_row (r.kind) : -1;
    if (rc == 0)
        rc = yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.request_id", "%s", request_id);
    else if (rc > 0 && !streq (r.state, "pending"))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.request_id",
                           "the request is %s already",
                           r.state);
    else if (rc > 0 && approved && row >= 0 &&
             !streq (r.app_state, s_requests[row].stages[0]) &&
             !(s_requests[row].stages[1] &&
               streq (r.app_state, s_requests[row].stages[1])))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.request_id",
                           "the application is %s; %s is not possible then",
                           r.app_state,
                           r.kind);
    else if (rc > 0) {
        rc = msgpack_unpack_next (
                 &un, r.detail.buf.data, r.detail.buf.size, NULL) ==
                     MSGPACK_UNPACK_SUCCESS
                 ? 0
                 : YJC_DB_ERROR;
        if (rc == 0 && approved)
            rc = s_approve_terms (ctx, &r, body, &un.data, &granted, until);
        if (rc == 0)
            rc = s_record (
                ctx, &r, approved, *opinion ? opinion : NULL, &granted);
        if (rc == 0)
            rc = s_emit_decided (
                ctx, &r, approved, *opinion ? opinion : NULL, &granted, until);
        if (rc == 0) {
            msgpack_pack_map (ctx->reply, 4);
            yjc_pk_kv_str (ctx->reply, "request_id", request_id);
            yjc_pk_kv_str (ctx->reply, "app_id", r.app_id);
            yjc_pk_kv_str (ctx->reply, "kind", r.kind);
            yjc_pk_kv_str (
                ctx->reply, "state", approved ? "approved" : "rejected");
        }
    }
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&granted);
    yjc_pack_release (&r.detail);
    return rc;
}

int
requests_pack (yjc_ctx_t *ctx, const char *app_id)
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
    yjc_pk_rows (ctx->reply, "requests", res, cols, 6);
    PQclear (res);
    res = yjc_db_query (ctx->db,
                        "SELECT what, ref, owed_by, coalesce(due::text, ''),"
                        " coalesce(rule, ''), (closed_at IS NOT NULL)::text"
                        " FROM duties WHERE app_id = $1 ORDER BY opened_at, id",
                        1,
                        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t dcols[] = {
        { "what", YJC_COL_TEXT },    { "ref", YJC_COL_TEXT },
        { "owed_by", YJC_COL_TEXT }, { "due", YJC_COL_TEXT },
        { "rule", YJC_COL_TEXT },    { "closed", YJC_COL_TEXT },
    };
    yjc_pk_rows (ctx->reply, "duties", res, dcols, 6);
    PQclear (res);
    return 0;
}
