/*  inspect.c - R18, R19: the bureau, with the information-security
    authority, inspects and records its findings, each against one
    application with a severity and a rectification deadline in working
    days (a duty of the unit whose due is that last day).  The unit
    reports its rectification (text, attachments); the bureau accepts it
    or sends it back.  A major finding not rectified by its deadline lets
    the bureau order an enforcement measure (断网 cut_network, 下线
    take_offline, 暂停服务 suspend), announced as enforcement.ordered:
    the provisioning adapter orders the vendor (deadline YJC_ENFORCE_DAYS,
    the regulation names none).  After the rectification is accepted the
    bureau lifts it (another order).  The application's state never goes
    back a rank, so the measure is shown next to it (enforcement:
    ordered, in force, lifting) until the lifting order is done.  R19: the
    unit's security staff (from the form, then updated) and MLPS level.  */
#include "inspect.h"
#include "requests.h"
#include "yjc_attachref.h"
#include "yjc_time.h"

#define S_OPEN      "open"
#define S_RECTIFIED "rectified"
#define S_RETURNED  "returned"
#define S_ACCEPTED  "passed"

typedef struct {
    char finding_id[33];
    char inspection_id[33];
    char app_id[33];
    char unit[129];
    char severity[17];
    char state[17];
    char due[11];
    char enforcement[17];
    bool lifted;
} s_finding_t;

//  security_staff.update - R19: the unit names its security staff.
yjc_result_t
inspect_staff_update (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], name[65], phone[41];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "name", name, sizeof name);
    yjc_obj_strcpy (body, "phone", phone, sizeof phone);
    const char *params[] = { app_id, name, phone };
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT unit FROM applications"
                                  " WHERE app_id = $1 FOR UPDATE",
                                  1,
                                  params);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    PQclear (res);
    if (yjc_db_exec (ctx->db,
                     "UPDATE applications SET security_name = $2,"
                     " security_phone = $3 WHERE app_id = $1",
                     3,
                     params) != 1)
        return YJC_DB_ERROR;
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_kv_str (ctx->reply, "app_id", app_id);
    msgpack_pack_str_with_body (ctx->reply, "security_staff", 14);
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_kv_str (ctx->reply, "name", name);
    yjc_pk_kv_str (ctx->reply, "phone", phone);
    return YJC_OK;
}

static yjc_result_t
s_emit (yjc_ctx_t *ctx,
        int event,
        const s_finding_t *f,
        const char *text_key,
        const char *text)
{
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "finding_id", f->finding_id);
    yjc_map_str (&ev, "inspection_id", f->inspection_id);
    yjc_map_str (&ev, "app_id", f->app_id);
    yjc_map_str (&ev, "unit", f->unit);
    yjc_map_str (&ev, "severity", f->severity);
    yjc_map_str (&ev, "state", f->state);
    yjc_map_str (&ev, "deadline", yjc_deadlines[YJC_DL_RECTIFY].code);
    if (*f->due)
        yjc_map_str (&ev, "due", f->due);
    if (*f->enforcement)
        yjc_map_str (&ev, "measure", f->enforcement);
    if (text_key && *text)
        yjc_map_str (&ev, text_key, text);
    yjc_result_t rc = yjc_ctx_emit_map (ctx, event, f->app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  One finding: stored, its duty opened, its unit told (finding.issued).
static yjc_result_t
s_issue (yjc_ctx_t *ctx, const char *inspection_id, const msgpack_object *item)
{
    s_finding_t f = { 0 };
    char text[4001], days[12], rule[YJC_RULE_MAX];
    int64_t n = 0;
    snprintf (f.inspection_id, sizeof f.inspection_id, "%s", inspection_id);
    yjc_obj_strcpy (item, "app_id", f.app_id, sizeof f.app_id);
    yjc_obj_strcpy (item, "severity", f.severity, sizeof f.severity);
    yjc_obj_strcpy (item, "text", text, sizeof text);
    yjc_obj_int (item, "days", &n);
    snprintf (days, sizeof days, "%lld", (long long)n);
    snprintf (f.state, sizeof f.state, "%s", S_OPEN);
    const char *p1[] = { f.app_id };
    PGresult *res = yjc_db_query (
        ctx->db, "SELECT unit FROM applications WHERE app_id = $1", 1, p1);
    if (!res)
        return YJC_DB_ERROR;
    bool found = PQntuples (res) > 0;
    if (found)
        yjc_db_copy (res, 0, 0, f.unit, sizeof f.unit);
    PQclear (res);
    if (!found)
        return yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.findings.app_id", "%s", f.app_id);
    //  R18: the rectification is due at the end of the n-th working day
    bool provisional = false;
    yjc_ctx_deadline (ctx, ctx->now, (int)n, 'w', f.due, &provisional);
    snprintf (rule,
              sizeof rule,
              "%s（%lld个工作日）",
              yjc_deadlines[YJC_DL_RECTIFY].rule,
              (long long)n);
    const char *params[] = {
        inspection_id,         f.app_id,    f.unit, f.severity, text, days,
        *f.due ? f.due : NULL, ctx->now_iso
    };
    res = yjc_db_query (
        ctx->db,
        "INSERT INTO findings (finding_id, inspection_id, app_id, unit,"
        " severity, text, days, due, state, created_at)"
        " VALUES (yjc_new_id('Z', 'finding_seq'), $1, $2, $3, $4, $5,"
        " $6::int, $7::date, 'open', $8) RETURNING finding_id",
        8,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_db_copy (res, 0, 0, f.finding_id, sizeof f.finding_id);
    PQclear (res);
    yjc_result_t rc = requests_open_duty (ctx,
                                          f.app_id,
                                          f.unit,
                                          YJC_DL_RECTIFY,
                                          f.finding_id,
                                          f.due,
                                          rule,
                                          provisional);
    if (rc == YJC_OK)
        rc = s_emit (ctx, YJC_EV_FINDING_ISSUED, &f, "text", text);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 4);
        yjc_pk_kv_str (ctx->reply, "finding_id", f.finding_id);
        yjc_pk_kv_str (ctx->reply, "app_id", f.app_id);
        yjc_pk_kv_str (ctx->reply, "severity", f.severity);
        yjc_pk_kv_str (ctx->reply, "due", *f.due ? f.due : NULL);
    }
    return rc;
}

//  inspection.record - R18: the inspection and its findings.
yjc_result_t
inspect_record (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char date[11], authority[129], scope[2001], inspection_id[33];
    yjc_obj_strcpy (body, "date", date, sizeof date);
    yjc_obj_strcpy (body, "authority", authority, sizeof authority);
    yjc_obj_strcpy (body, "scope", scope, sizeof scope);
    const char *params[] = {
        date, authority, scope, ctx->actor->name, ctx->now_iso
    };
    PGresult *res = yjc_db_query (
        ctx->db,
        "INSERT INTO inspections (inspection_id, inspected_on, authority,"
        " scope, recorded_by, recorded_at)"
        " VALUES (yjc_new_id('I', 'inspection_seq'), $1::date, $2, $3, $4,"
        " $5) RETURNING inspection_id",
        5,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_db_copy (res, 0, 0, inspection_id, sizeof inspection_id);
    PQclear (res);
    const msgpack_object *items = yjc_obj_get (body, "findings");
    uint32_t n = items && items->type == MSGPACK_OBJECT_ARRAY
                     ? items->via.array.size
                     : 0;
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_kv_str (ctx->reply, "inspection_id", inspection_id);
    msgpack_pack_str_with_body (ctx->reply, "findings", 8);
    msgpack_pack_array (ctx->reply, n);
    yjc_result_t rc = YJC_OK;
    for (uint32_t i = 0; i < n && rc == YJC_OK; i++)
        rc = s_issue (ctx, inspection_id, &items->via.array.ptr[i]);
    return rc;
}

//  Loads and locks a finding the actor may see.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *finding_id, s_finding_t *f)
{
    const char *params[] = { finding_id };
    PGresult *res =
        yjc_db_query (ctx->db,
                      "SELECT unit, inspection_id, app_id, severity, state,"
                      " coalesce(due::text, ''), coalesce(enforcement, ''),"
                      " (lifted_at IS NOT NULL)::text"
                      " FROM findings WHERE finding_id = $1 FOR UPDATE",
                      1,
                      params);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.finding_id", finding_id);
    if (rc != YJC_OK)
        return rc;
    snprintf (f->finding_id, sizeof f->finding_id, "%s", finding_id);
    yjc_db_copy (res, 0, 0, f->unit, sizeof f->unit);
    yjc_db_copy (res, 0, 1, f->inspection_id, sizeof f->inspection_id);
    yjc_db_copy (res, 0, 2, f->app_id, sizeof f->app_id);
    yjc_db_copy (res, 0, 3, f->severity, sizeof f->severity);
    yjc_db_copy (res, 0, 4, f->state, sizeof f->state);
    yjc_db_copy (res, 0, 5, f->due, sizeof f->due);
    yjc_db_copy (res, 0, 6, f->enforcement, sizeof f->enforcement);
    f->lifted = *PQgetvalue (res, 0, 7) == 't';
    PQclear (res);
    return YJC_OK;
}

static yjc_result_t
s_refuse (yjc_ctx_t *ctx, const char *detail, const char *zh)
{
    yjc_problems_say (ctx->problems,
                      YJC_E_INVALID_STATE,
                      "body.finding_id",
                      detail,
                      "%s",
                      zh);
    return YJC_FAIL;
}

//  finding.rectify - R18, R19: the unit reports its rectification.
yjc_result_t
inspect_rectify (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char finding_id[33], text[4001];
    yjc_obj_strcpy (body, "finding_id", finding_id, sizeof finding_id);
    yjc_obj_strcpy (body, "text", text, sizeof text);
    s_finding_t f = { 0 };
    yjc_result_t rc = s_load (ctx, finding_id, &f);
    if (rc == YJC_OK && !streq (f.state, S_OPEN) &&
        !streq (f.state, S_RETURNED))
        rc = s_refuse (ctx,
                       "the finding is not awaiting a rectification",
                       "该问题当前不需要报送整改情况");
    //  the attachments as a Postgres text[] literal of intake's ids
    char atts[1024] = "{";
    const msgpack_object *a = yjc_obj_get (body, "attachments");
    for (uint32_t i = 0; rc == YJC_OK && a && a->type == MSGPACK_OBJECT_ARRAY &&
                         i < a->via.array.size;
         i++) {
        const msgpack_object *s = &a->via.array.ptr[i];
        if (s->type != MSGPACK_OBJECT_STR || s->via.str.size > 32 ||
            memchr (s->via.str.ptr, '"', s->via.str.size) ||
            memchr (s->via.str.ptr, ',', s->via.str.size) ||
            memchr (s->via.str.ptr, '\\', s->via.str.size))
            rc = yjc_ctx_fail (ctx,
                               YJC_E_INVALID_VALUE,
                               "body.attachments",
                               "an attachment id");
        else
            snprintf (atts + strlen (atts),
                      sizeof atts - strlen (atts),
                      "%s\"%.*s\"",
                      i ? "," : "",
                      (int)s->via.str.size,
                      s->via.str.ptr);
    }
    strncat (atts, "}", sizeof atts - strlen (atts) - 1);
    //  R18: each the unit's own upload, known here (nothing written yet:
    //  a wait for an upload still on its way parks the request)
    if (rc == YJC_OK)
        rc = yjc_attachref_check (ctx, a, "body.attachments");
    if (rc == YJC_OK) {
        snprintf (f.state, sizeof f.state, "%s", S_RECTIFIED);
        const char *params[] = { finding_id, text, atts, ctx->now_iso };
        if (yjc_db_exec (ctx->db,
                         "UPDATE findings SET state = 'rectified',"
                         " rectification = $2, attachments = $3::text[],"
                         " rectified_at = $4 WHERE finding_id = $1",
                         4,
                         params) != 1)
            rc = YJC_DB_ERROR;
    }
    if (rc == YJC_OK)
        rc = s_emit (ctx, YJC_EV_FINDING_RECTIFIED, &f, "text", text);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 2);
        yjc_pk_kv_str (ctx->reply, "finding_id", finding_id);
        yjc_pk_kv_str (ctx->reply, "state", f.state);
    }
    return rc;
}

//  finding.accept / finding.return - R18: the bureau's word, with an
//  opinion; an acceptance ends the unit's duty.
yjc_result_t
inspect_decide (yjc_ctx_t *ctx, const msgpack_object *body)
{
    bool accept = ctx->msg_type == YJC_MSG_FINDING_ACCEPT;
    char finding_id[33], opinion[2001];
    yjc_obj_strcpy (body, "finding_id", finding_id, sizeof finding_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    s_finding_t f = { 0 };
    yjc_result_t rc = s_load (ctx, finding_id, &f);
    if (rc == YJC_OK && !streq (f.state, S_RECTIFIED))
        rc = s_refuse (ctx,
                       "no rectification awaits a decision",
                       "该问题没有待审核的整改情况");
    if (rc == YJC_OK) {
        snprintf (
            f.state, sizeof f.state, "%s", accept ? S_ACCEPTED : S_RETURNED);
        const char *params[] = { finding_id, f.state, opinion, ctx->now_iso };
        if (yjc_db_exec (ctx->db,
                         "UPDATE findings SET state = $2, opinion = $3,"
                         " decided_at = $4, accepted_at = CASE WHEN"
                         " $2 = 'passed' THEN $4::timestamptz END"
                         " WHERE finding_id = $1",
                         4,
                         params) != 1)
            rc = YJC_DB_ERROR;
    }
    if (rc == YJC_OK && accept)
        rc = requests_close_duty (ctx, YJC_DL_RECTIFY, finding_id);
    if (rc == YJC_OK)
        rc = s_emit (ctx,
                     accept ? YJC_EV_FINDING_ACCEPTED : YJC_EV_FINDING_RETURNED,
                     &f,
                     "opinion",
                     opinion);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 2);
        yjc_pk_kv_str (ctx->reply, "finding_id", finding_id);
        yjc_pk_kv_str (ctx->reply, "state", f.state);
    }
    return rc;
}

static const yjc_col_t s_cols[] = {
    { "unit", YJC_COL_TEXT },          { "finding_id", YJC_COL_TEXT },
    { "inspection_id", YJC_COL_TEXT }, { "inspected_on", YJC_COL_TEXT },
    { "authority", YJC_COL_TEXT },     { "app_id", YJC_COL_TEXT },
    { "severity", YJC_COL_TEXT },      { "text", YJC_COL_TEXT },
    { "days", YJC_COL_INT },           { "due", YJC_COL_TEXT },
    { "state", YJC_COL_TEXT },         { "rectification", YJC_COL_TEXT },
    { "opinion", YJC_COL_TEXT },       { "enforcement", YJC_COL_TEXT },
    { "overdue", YJC_COL_TEXT },
};
#define S_NCOLS ((int)(sizeof s_cols / sizeof *s_cols))

//  finding.list - newest first; `open`: not accepted yet; `overdue`: past
//  its due day and not accepted.  A unit sees its own only.
yjc_result_t
inspect_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], limit[16], today[11];
    int64_t n = 200;
    yjc_obj_int (body, "limit", &n);
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const msgpack_object *o = yjc_obj_get (body, "open");
    const msgpack_object *d = yjc_obj_get (body, "overdue");
    bool open = o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
    bool overdue = d && d->type == MSGPACK_OBJECT_BOOLEAN && d->via.boolean;
    const char *params[] = { ctx->actor->role == YJC_ROLE_UNIT
                                 ? ctx->actor->unit
                                 : NULL,
                             *app_id ? app_id : NULL,
                             limit,
                             today,
                             open ? "t" : "f",
                             overdue ? "t" : "f" };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT f.unit, f.finding_id, f.inspection_id,"
        " i.inspected_on::text, i.authority, f.app_id, f.severity, f.text,"
        " f.days, coalesce(f.due::text, ''), f.state,"
        " coalesce(f.rectification, ''), coalesce(f.opinion, ''),"
        " CASE WHEN f.lifted_at IS NULL THEN coalesce(f.enforcement, '')"
        " ELSE '' END,"
        " (f.state <> 'passed' AND f.due < $4::date)::text"
        " FROM findings f JOIN inspections i USING (inspection_id)"
        " WHERE ($1::text IS NULL OR f.unit = $1)"
        " AND ($2::text IS NULL OR f.app_id = $2)"
        " AND (NOT $5::bool OR f.state <> 'passed')"
        " AND (NOT $6::bool OR (f.state <> 'passed' AND f.due < $4::date))"
        " ORDER BY f.created_at DESC, f.finding_id DESC LIMIT $3::int",
        6,
        params);
    if (!res)
        return YJC_DB_ERROR;
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "findings", res, s_cols, S_NCOLS);
    PQclear (res);
    return YJC_OK;
}

//  R18: only a major risk not rectified in time is enforced.
static yjc_result_t
s_may_enforce (yjc_ctx_t *ctx, const s_finding_t *f)
{
    yjc_date_t due;
    if (!streq (f->severity, "major"))
        return s_refuse (ctx,
                         "only a major finding is enforced (R18)",
                         "只有重大风险逾期未整改才能采取强制措施");
    if (!streq (f->state, S_OPEN) && !streq (f->state, S_RETURNED))
        return s_refuse (ctx,
                         "the finding has a rectification (R18)",
                         "该问题已报送或已通过整改，不能采取强制措施");
    if (*f->enforcement && !f->lifted)
        return s_refuse (
            ctx, "a measure is in force already", "该问题已采取强制措施");
    if (!*f->due || yjc_date_parse (f->due, &due) != 0 ||
        yjc_date_cmp (yjc_time_local_date (ctx->now), due) <= 0) {
        yjc_problems_say (ctx->problems,
                          YJC_E_INVALID_STATE,
                          "body.finding_id",
                          "the rectification is not overdue (R18)",
                          "整改期限至 %s 24 时，尚未逾期，不能采取强制措施",
                          *f->due ? f->due : "（待定）");
        return YJC_FAIL;
    }
    return YJC_OK;
}

//  Sets the application's enforcement (NULL measure: none) and records
//  the decision.
static yjc_result_t
s_set_enforcement (yjc_ctx_t *ctx,
                   const s_finding_t *f,
                   const char *measure,
                   const char *state,
                   const char *opinion)
{
    const char *params[] = { f->app_id,
                             measure,
                             state,
                             ctx->actor->name,
                             *opinion ? opinion : NULL,
                             ctx->now_iso,
                             yjc_msg_defs[ctx->msg_type].wire,
                             f->finding_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH a AS (UPDATE applications SET enforcement = $2,"
        " enforcement_state = $3 WHERE app_id = $1)"
        " INSERT INTO decisions (app_id, action, actor, opinion, at)"
        " VALUES ($1, $7 || ' ' || $8, $4, $5, $6)",
        8,
        params);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

//  enforcement.order - R18: 断网, 下线 or 暂停服务 of a major finding not
//  rectified by its deadline; the vendor is ordered (provisioning).
yjc_result_t
inspect_enforce (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char finding_id[33], measure[17], opinion[2001];
    yjc_obj_strcpy (body, "finding_id", finding_id, sizeof finding_id);
    yjc_obj_strcpy (body, "measure", measure, sizeof measure);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    s_finding_t f = { 0 };
    yjc_result_t rc = s_load (ctx, finding_id, &f);
    if (rc == YJC_OK)
        rc = s_may_enforce (ctx, &f);
    if (rc == YJC_OK) {
        const char *params[] = { finding_id, measure, ctx->now_iso };
        if (yjc_db_exec (ctx->db,
                         "UPDATE findings SET enforcement = $2,"
                         " enforced_at = $3, lifted_at = NULL"
                         " WHERE finding_id = $1",
                         3,
                         params) != 1)
            rc = YJC_DB_ERROR;
        snprintf (f.enforcement, sizeof f.enforcement, "%s", measure);
    }
    if (rc == YJC_OK)
        rc = s_set_enforcement (ctx, &f, measure, "issued", opinion);
    if (rc == YJC_OK)
        rc = s_emit (ctx, YJC_EV_ENFORCEMENT_ORDERED, &f, "opinion", opinion);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "finding_id", finding_id);
        yjc_pk_kv_str (ctx->reply, "app_id", f.app_id);
        yjc_pk_kv_str (ctx->reply, "measure", measure);
    }
    return rc;
}

//  enforcement.lift - R18: after the rectification is accepted, the
//  measure in force is lifted (another order to the vendor).
yjc_result_t
inspect_lift (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char finding_id[33], opinion[2001];
    yjc_obj_strcpy (body, "finding_id", finding_id, sizeof finding_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    s_finding_t f = { 0 };
    yjc_result_t rc = s_load (ctx, finding_id, &f);
    if (rc == YJC_OK && (!*f.enforcement || f.lifted))
        rc = s_refuse (
            ctx, "no measure to lift", "该问题没有正在执行的强制措施");
    else if (rc == YJC_OK && !streq (f.state, S_ACCEPTED))
        rc = s_refuse (ctx,
                       "lifted only after the rectification is accepted",
                       "整改通过后才能解除强制措施");
    if (rc == YJC_OK) {
        const char *params[] = { finding_id, ctx->now_iso };
        if (yjc_db_exec (ctx->db,
                         "UPDATE findings SET lifted_at = $2"
                         " WHERE finding_id = $1",
                         2,
                         params) != 1)
            rc = YJC_DB_ERROR;
    }
    if (rc == YJC_OK)
        rc = s_set_enforcement (ctx, &f, f.enforcement, "lifting", opinion);
    if (rc == YJC_OK)
        rc = s_emit (ctx, YJC_EV_ENFORCEMENT_LIFTED, &f, "opinion", opinion);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "finding_id", finding_id);
        yjc_pk_kv_str (ctx->reply, "app_id", f.app_id);
        yjc_pk_kv_str (ctx->reply, "measure", f.enforcement);
    }
    return rc;
}

//  order.completed: the measure is in force; a lifting ends it.
yjc_result_t
inspect_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17];
    int k = yjc_order_by_kind (
        yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind));
    const char *params[] = { ev->app_id, kind };
    if (k == YJC_ORDER_LIFT)
        return yjc_db_exec (ctx->db,
                            "UPDATE applications SET enforcement = NULL,"
                            " enforcement_state = NULL WHERE app_id = $1"
                            " AND enforcement_state = 'lifting'",
                            1,
                            params) < 0
                   ? YJC_DB_ERROR
                   : YJC_OK;
    if (k == YJC_ORDER_CUT_NETWORK || k == YJC_ORDER_TAKE_OFFLINE ||
        k == YJC_ORDER_SUSPEND)
        return yjc_db_exec (ctx->db,
                            "UPDATE applications SET enforcement_state ="
                            " 'in_force' WHERE app_id = $1 AND enforcement = $2"
                            " AND enforcement_state = 'issued'",
                            2,
                            params) < 0
                   ? YJC_DB_ERROR
                   : YJC_OK;
    return YJC_OK;
}

//  review.get: R19 the security staff and MLPS level; R18 the measure.
yjc_result_t
inspect_pack (yjc_ctx_t *ctx, const char *app_id, yjc_map_t *reply)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT coalesce(security_name, ''), coalesce(security_phone, ''),"
        " coalesce(mlps, ''), coalesce(enforcement, ''),"
        " coalesce(enforcement_state, '') FROM applications"
        " WHERE app_id = $1",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) == 1) {
        msgpack_packer *pk = yjc_map_key (reply, "security_staff");
        if (*PQgetvalue (res, 0, 0)) {
            msgpack_pack_map (pk, 2);
            yjc_pk_kv_str (pk, "name", PQgetvalue (res, 0, 0));
            yjc_pk_kv_str (pk, "phone", PQgetvalue (res, 0, 1));
        }
        else
            msgpack_pack_nil (pk);
        const char *keys[] = { "mlps", "enforcement", "enforcement_state" };
        for (int i = 0; i < 3; i++) {
            const char *v = PQgetvalue (res, 0, 2 + i);
            yjc_map_str_or_nil (reply, keys[i], *v ? v : NULL);
        }
    }
    PQclear (res);
    return YJC_OK;
}
