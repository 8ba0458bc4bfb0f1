/*  bureau.c - 主管部门's pages: the queue of steps owed (to accept, to
    decide, requests, overdue), accept and reject, the review with its
    trim line by line and approve (R9.1, R9.2), a request's decision
    (R10.2, R11.1, R12.1, R13.1).  Each call goes as the signed-in
    person (page_call): review authorizes it exactly as for the CLI.    */
#include "bureau.h"
#include "yjc_describe.h"
#include "yjc_lifecycle.h"
#include "yjc_map.h"

/* ---- helpers shared with print.c, calendar.c, lists.c -------------------- */

const msgpack_object *
bureau_call_app (const session_t *s,
                 int service,
                 const char *type,
                 const char *app_id,
                 yjc_reply_t *reply)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_str (&body.pk, "app_id", app_id);
    const msgpack_object *b = page_call (s, service, type, &body, reply);
    yjc_pack_release (&body);
    return b;
}

bool
bureau_app_url (const char *url, const char *action, char id[33])
{
    if (strncmp (url, "/apps/", 6) != 0)
        return false;
    const char *p = url + 6, *slash = strchr (p, '/');
    size_t n = slash ? (size_t)(slash - p) : 0;
    if (!slash || n == 0 || n > 32 || !streq (slash, action))
        return false;
    memcpy (id, p, n);
    id[n] = 0;
    return true;
}

bool
bureau_refused (struct MHD_Connection *connection,
                yjc_reply_t *reply,
                enum MHD_Result *rc)
{
    *rc = page_refused (connection, reply);
    yjc_reply_release (reply);
    return true;
}

static void
s_problem_put (zhash_t *out, const msgpack_object *p)
{
    char field[160], message[512];
    yjc_obj_strcpy (p, "field", field, sizeof field);
    yjc_obj_strcpy (p, "message", message, sizeof message);
    const char *key = strncmp (field, "body.", 5) == 0 ? field + 5 : field;
    if (*message && !zhash_lookup (out, key))
        zhash_insert (out, key, message);
}

void
bureau_problems (const yjc_reply_t *reply, zhash_t *out)
{
    zhash_autofree (out);
    if (!reply->error)
        return;
    s_problem_put (out, reply->error);
    const msgpack_object *d = yjc_obj_get (reply->error, "details");
    for (uint32_t i = 0;
         d && d->type == MSGPACK_OBJECT_ARRAY && i < d->via.array.size;
         i++)
        s_problem_put (out, &d->via.array.ptr[i]);
}

const char *
bureau_word (const msgpack_object *obj, const char *key, char *buf, size_t size)
{
    yjc_obj_strcpy (obj, key, buf, size);
    const char *zh = yjc_value_zh (key, buf, strlen (buf));
    return zh ? zh : buf;
}

void
bureau_host (const msgpack_object *h, char *buf, size_t size)
{
    char c[32], o[32], other[72], d[32], p[260];
    int64_t disk = 0, count = 0;
    yjc_obj_int (h, "data_disk_gb", &disk);
    yjc_obj_int (h, "count", &count);
    yjc_obj_strcpy (h, "os_other", other, sizeof other);
    yjc_obj_strcpy (h, "purpose", p, sizeof p);
    snprintf (buf,
              size,
              "%s，%s%s%s，数据库 %s，数据盘 %lldGB，×%lld（%s）",
              bureau_word (h, "cpu_mem", c, sizeof c),
              bureau_word (h, "os", o, sizeof o),
              *other ? " " : "",
              other,
              bureau_word (h, "database", d, sizeof d),
              (long long)disk,
              (long long)count,
              p);
}

const char *
bureau_unit_of (const char *key)
{
    static const char *units[][2] = {
        { "dedicated_mbps", "Mbps" },
        { "data_disk_gb", "GB" },
        { "count", "台" },
        { "storage_tb", "TB" },
        { "max_sessions", "个会话" },
        { "clients", "个" },
        { "capacity_100gb", "份" },
        { "cloud_drive_10gb", "份" },
        { "load_balancers", "个实例" },
        { "data_exchange_clients", "个接入" },
        { "waf_domains", "个域名" },
        { "soc_domains", "个域名" },
        { "bastion_units", "套" },
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (streq (units[i][0], key))
            return units[i][1];
    return "";
}

static bool
s_bureau (const session_t *s)
{
    return s->actor.role == YJC_ROLE_BUREAU;
}

/* ---- the queue ----------------------------------------------------------- */

//  The step of an order row (order.overdue), the vendor's.
static void
s_order_step (tpl_t *item, const msgpack_object *e)
{
    char kind[33];
    int k = yjc_order_by_kind (yjc_obj_strcpy (e, "kind", kind, sizeof kind));
    tpl_set (item,
             "step",
             "%s",
             k >= 0 && yjc_orders[k].deadline >= 0
                 ? yjc_deadlines[yjc_orders[k].deadline].zh
                 : yjc_order_zh (kind));
    tpl_set (item, "owed_by", "%s", yjc_parties[YJC_PARTY_VENDOR].zh);
}

static void
s_overdue_rows (tpl_t *data, const msgpack_object *list, bool orders)
{
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "overdue_rows");
        page_str (item, "app_id", e, "app_id");
        page_str (item, "unit", e, "unit");
        page_str (item, "rule", e, "rule");
        page_due (item, e);
        if (orders)
            s_order_step (item, e);
    }
}

//  R9.1, R9.2: the application's own steps by deadline; every other duty
//  open (review.pending, as `yjcloud list` shows them).
static void
s_pending_rows (tpl_t *data, const msgpack_object *list)
{
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char step[48];
        yjc_obj_strcpy (e, "step", step, sizeof step);
        const char *section =
            streq (step, yjc_deadlines[YJC_DL_ACCEPT].code)   ? "accept_rows"
            : streq (step, yjc_deadlines[YJC_DL_DECIDE].code) ? "decide_rows"
                                                              : "duty_rows";
        tpl_t *item = tpl_add (data, section);
        page_str (item, "app_id", e, "app_id");
        page_str (item, "number", e, "number");
        page_str (item, "unit", e, "unit");
        page_str (item, "project", e, "project");
        page_str (item, "rule", e, "rule");
        page_due (item, e);
        int64_t late = 0;
        if (yjc_obj_int (e, "late_workdays", &late) && late > 0)
            tpl_set (item, "overdue", "1");
    }
}

//  The unit's requests waiting for the bureau (R10.2, R11.1, R12.1,
//  R13.1): a request bounded by no deadline is no duty with a date, so
//  review lists them itself (review.requests), oldest first, in one call.
static void
s_request_rows (tpl_t *data, const msgpack_object *b)
{
    const msgpack_object *reqs = b ? yjc_obj_get (b, "requests") : NULL;
    for (uint32_t k = 0;
         reqs && reqs->type == MSGPACK_OBJECT_ARRAY && k < reqs->via.array.size;
         k++) {
        const msgpack_object *q = &reqs->via.array.ptr[k];
        char kind[17];
        tpl_t *item = tpl_add (data, "request_rows");
        page_str (item, "request_id", q, "request_id");
        page_str (item, "app_id", q, "app_id");
        page_str (item, "unit", q, "unit");
        page_str (item, "submitted_at", q, "submitted_at");
        tpl_set (
            item,
            "kind",
            "%s",
            yjc_request_zh (yjc_obj_strcpy (q, "kind", kind, sizeof kind)));
    }
}

//  The queue shows the steps due soonest: past these the bureau works
//  from 全部申请, a page at a time (a page of thousands of rows is slow
//  to make and to read).
#define QUEUE_LIMIT 100

//  主管部门: to accept, to decide, requests, other duties, overdue (with
//  the vendor's orders, as `yjcloud list --overdue`): four reads at once.
static enum MHD_Result
s_queue (struct MHD_Connection *connection, const session_t *s)
{
    if (!s_bureau (s))
        return page_not_found (connection);
    yjc_pack_t query;
    yjc_pack_init (&query);
    msgpack_pack_map (&query.pk, 1);
    yjc_pk_kv_int (&query.pk, "limit", QUEUE_LIMIT);
    yjc_reply_t replies[4];
    page_req_t reqs[4] = {
        { YJC_SVC_REVIEW, "review.pending", &query, &replies[0], NULL },
        { YJC_SVC_REVIEW, "review.overdue", &query, &replies[1], NULL },
        { YJC_SVC_PROVISIONING, "order.overdue", &query, &replies[2], NULL },
        { YJC_SVC_REVIEW, "review.requests", &query, &replies[3], NULL },
    };
    page_call_all (s, reqs, 4);
    yjc_pack_release (&query);
    enum MHD_Result rc;
    if (!reqs[0].result)
        rc = page_refused (connection, &replies[0]);
    else {
        tpl_t *data = page_frame (s, "待办事项");
        const msgpack_object *pending = yjc_obj_get (reqs[0].result, "pending");
        s_pending_rows (data, pending);
        if (pending && pending->type == MSGPACK_OBJECT_ARRAY &&
            pending->via.array.size >= QUEUE_LIMIT)
            tpl_set (data, "more", "%d", QUEUE_LIMIT);
        const msgpack_object *l = reqs[1].result, *o = reqs[2].result;
        if (l)
            s_overdue_rows (data, yjc_obj_get (l, "overdue"), false);
        if (o)
            s_overdue_rows (data, yjc_obj_get (o, "overdue"), true);
        if (!l || !o)
            tpl_set (data, "overdue_partial", "1");
        s_request_rows (data, reqs[3].result);
        rc = page_render (connection, MHD_HTTP_OK, "queue", data);
    }
    for (int i = 0; i < 4; i++)
        yjc_reply_release (&replies[i]);
    return rc;
}

/* ---- the review: trim line by line --------------------------------------- */

//  One line of the review's table per quantity and per service asked
//  (the resource lines of the 审核表, named as the form names them): the
//  input is named by the wire path of the grant ("granted.hosts[0].count").
static void
s_review_line (tpl_t *data,
               const char *path,
               const char *key,
               const msgpack_object *v,
               zhash_t *form,
               zhash_t *problems)
{
    char label[160], field[200];
    snprintf (field, sizeof field, "body.%s", path);
    yjc_label_of (&yjc_schema_resources, field, label, sizeof label);
    snprintf (field, sizeof field, "granted.%s", path);
    const char *posted = form ? (const char *)zhash_lookup (form, field) : NULL;
    tpl_t *item = tpl_add (data, "lines");
    tpl_set (item, "label", "%s", label);
    tpl_set (item, "name", "%s", field);
    char id[200];
    snprintf (id, sizeof id, "%s", field);
    for (char *p = id; *p; p++)
        if (!isalnum ((unsigned char)*p))
            *p = '-';
    tpl_set (item, "id", "%s", id);
    const char *problem = (const char *)zhash_lookup (problems, field);
    if (problem)
        tpl_set (item, "line_problem", "%s", problem);
    if (v->type == MSGPACK_OBJECT_BOOLEAN) {
        tpl_set (item, "asked", "%s", "√");
        tpl_set (item, "flag", "1");
        if (!form || !zhash_lookup (form, "lines") || posted)
            tpl_set (item, "checked", "1");
        return;
    }
    int64_t n = (int64_t)v->via.u64;
    tpl_set (item, "asked", "%lld %s", (long long)n, bureau_unit_of (key));
    tpl_set (item, "max", "%lld", (long long)n);
    tpl_set (item, "value", "%s", posted ? posted : "");
    if (!posted)
        tpl_set (item, "value", "%lld", (long long)n);
}

static void
s_review_lines (tpl_t *data,
                const msgpack_object *o,
                char *path,
                size_t len,
                zhash_t *form,
                zhash_t *problems)
{
    if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size > 40)
                continue;
            char key[48];
            snprintf (key,
                      sizeof key,
                      "%.*s",
                      (int)kv->key.via.str.size,
                      kv->key.via.str.ptr);
            snprintf (path + len, 200 - len, "%s%s", len ? "." : "", key);
            const msgpack_object *v = &kv->val;
            if ((v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64) ||
                (v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean))
                s_review_line (data, path, key, v, form, problems);
            else if (v->type == MSGPACK_OBJECT_MAP ||
                     v->type == MSGPACK_OBJECT_ARRAY)
                s_review_lines (data, v, path, strlen (path), form, problems);
            path[len] = 0;
        }
    }
    else if (o->type == MSGPACK_OBJECT_ARRAY) {
        bool hosts = len >= 5 && streq (path + len - 5, "hosts");
        for (uint32_t i = 0; i < o->via.array.size && i < 50; i++) {
            const msgpack_object *e = &o->via.array.ptr[i];
            if (e->type != MSGPACK_OBJECT_MAP)
                return; //  ports, scope: not quantities
            snprintf (path + len, 200 - len, "[%u]", i);
            if (hosts) { //  the host line as the form words it, for context
                tpl_t *item = tpl_add (data, "lines");
                char text[512];
                bureau_host (e, text, sizeof text);
                tpl_set (item, "label", "云主机 配置%u", i + 1);
                tpl_set (item, "asked", "%s", text);
                tpl_set (item, "heading", "1");
            }
            s_review_lines (data, e, path, strlen (path), form, problems);
            path[len] = 0;
        }
    }
}

//  GET /apps/ID/review, and the same page again with the problems of a
//  refused approval next to their fields (R9.2).
static enum MHD_Result
s_review (struct MHD_Connection *connection,
          const session_t *s,
          const char *app_id,
          zhash_t *form,
          zhash_t *problems,
          unsigned status)
{
    if (!s_bureau (s))
        return page_not_found (connection);
    yjc_reply_t ar, rr;
    const msgpack_object *a =
        bureau_call_app (s, YJC_SVC_INTAKE, "application.get", app_id, &ar);
    enum MHD_Result rc;
    if (!a && bureau_refused (connection, &ar, &rc))
        return rc;
    const msgpack_object *r =
        bureau_call_app (s, YJC_SVC_REVIEW, "review.get", app_id, &rr);
    tpl_t *data = page_frame (s, "审核申请");
    page_str (data, "app_id", a, "app_id");
    page_str (data, "number", a, "number");
    page_str (data, "unit", a, "unit");
    page_str (data, "project", a, "project");
    page_str (data, "submitted_at", a, "submitted_at");
    //  the later of intake's state and review's own: review knows its
    //  decision at once, intake when the event reaches it (the page the
    //  bureau lands on after deciding must not show the step undone)
    char st[33], rst[33];
    int state = yjc_state_by_code (yjc_obj_strcpy (a, "state", st, sizeof st));
    int rstate =
        r ? yjc_state_by_code (yjc_obj_strcpy (r, "state", rst, sizeof rst))
          : -1;
    if (rstate >= 0 &&
        (state < 0 || yjc_states[rstate].rank > yjc_states[state].rank)) {
        state = rstate;
        memcpy (st, rst, sizeof st);
    }
    tpl_set (data, "state", "%s", yjc_state_zh (st));
    if (state == YJC_STATE_SUBMITTED)
        tpl_set (data, "can_accept", "1"); //  R9.1
    if (state == YJC_STATE_ACCEPTED)
        tpl_set (data, "can_decide", "1"); //  R9.2
    if (r) {
        char due[32];
        page_str (data, "accept_due", r, "accept_due");
        page_str (data, "decide_due", r, "decide_due");
        page_str (data, "prior_opinion", r, "opinion");
        yjc_obj_strcpy (r, "decide_due", due, sizeof due);
    }
    zhash_t *none = zhash_new ();
    zhash_t *p = problems ? problems : none;
    char path[200] = "";
    const msgpack_object *asked =
        yjc_obj_get (yjc_obj_get (a, "form"), "resources");
    if (asked)
        s_review_lines (data, asked, path, 0, form, p);
    const char *opinion =
        form ? (const char *)zhash_lookup (form, "opinion") : NULL;
    if (opinion)
        tpl_set (data, "opinion", "%s", opinion);
    const char *op = (const char *)zhash_lookup (p, "opinion");
    if (op)
        tpl_set (data, "opinion_problem", "%s", op);
    for (const char *m = (const char *)zhash_first (p); m;
         m = (const char *)zhash_next (p))
        tpl_set (tpl_add (data, "problems"), "text", "%s", m);
    zhash_destroy (&none);
    yjc_reply_release (&ar);
    yjc_reply_release (&rr);
    return page_render (connection, status, "review", data);
}

//  The grant: the application's own lines, each quantity as the form
//  lowered it, each service ticked or not; every other part as asked.
//  A value that is no whole number is a problem of its field.
static void
s_pack_granted (msgpack_packer *pk,
                const msgpack_object *o,
                char *path,
                size_t len,
                zhash_t *form,
                zhash_t *problems)
{
    bool lines = zhash_lookup (form, "lines") != NULL;
    if (o->type == MSGPACK_OBJECT_MAP) {
        msgpack_pack_map (pk, o->via.map.size);
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            msgpack_pack_object (pk, kv->key);
            if (kv->key.type != MSGPACK_OBJECT_STR ||
                kv->key.via.str.size > 40) {
                msgpack_pack_object (pk, kv->val);
                continue;
            }
            snprintf (path + len,
                      200 - len,
                      "%s%.*s",
                      len ? "." : "",
                      (int)kv->key.via.str.size,
                      kv->key.via.str.ptr);
            s_pack_granted (pk, &kv->val, path, strlen (path), form, problems);
            path[len] = 0;
        }
        return;
    }
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        msgpack_pack_array (pk, o->via.array.size);
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            snprintf (path + len, 200 - len, "[%u]", i);
            s_pack_granted (
                pk, &o->via.array.ptr[i], path, strlen (path), form, problems);
            path[len] = 0;
        }
        return;
    }
    char field[210];
    snprintf (field, sizeof field, "granted.%s", path);
    const char *v = (const char *)zhash_lookup (form, field);
    if (o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean && lines) {
        msgpack_pack_object (pk,
                             (msgpack_object){ .type = MSGPACK_OBJECT_BOOLEAN,
                                               .via.boolean = v != NULL });
        return;
    }
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v) {
        char *end;
        errno = 0;
        long long n = strtoll (v, &end, 10);
        while (*end == ' ')
            end++;
        if (end == v || *end || errno || n < 0) {
            if (!zhash_lookup (problems, field))
                zhash_insert (problems, field, (void *)"应填写不小于 0 的整数");
            msgpack_pack_object (pk, *o);
        }
        else
            msgpack_pack_int64 (pk, n);
        return;
    }
    msgpack_pack_object (pk, *o);
}

//  POST /apps/ID/approve: the same message as `yjcloud approve APP
//  --grant G.json --opinion T` (R9.2: any line trimmed, none raised; the
//  review service says which line asks too much).
static enum MHD_Result
s_approve (struct MHD_Connection *connection,
           const session_t *s,
           const char *app_id,
           zhash_t *form)
{
    if (!s_bureau (s))
        return page_not_found (connection);
    yjc_reply_t ar;
    const msgpack_object *a =
        bureau_call_app (s, YJC_SVC_INTAKE, "application.get", app_id, &ar);
    enum MHD_Result rc;
    if (!a && bureau_refused (connection, &ar, &rc))
        return rc;
    const msgpack_object *asked =
        yjc_obj_get (yjc_obj_get (a, "form"), "resources");
    zhash_t *problems = zhash_new ();
    zhash_autofree (problems);
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", app_id);
    const char *opinion = (const char *)zhash_lookup (form, "opinion");
    if (opinion && *opinion)
        yjc_map_str (&map, "opinion", opinion);
    if (asked && asked->type == MSGPACK_OBJECT_MAP) {
        char path[200] = "";
        s_pack_granted (
            yjc_map_key (&map, "granted"), asked, path, 0, form, problems);
    }
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_map_end (&map, &body.pk);
    yjc_map_release (&map);
    yjc_reply_release (&ar);
    if (zhash_size (problems) > 0) {
        yjc_pack_release (&body);
        rc = s_review (
            connection, s, app_id, form, problems, MHD_HTTP_BAD_REQUEST);
        zhash_destroy (&problems);
        return rc;
    }
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_REVIEW, "review.approve", &body, &reply);
    yjc_pack_release (&body);
    if (!b && *reply.code && !streq (reply.code, "not_found") &&
        !streq (reply.code, "forbidden")) {
        bureau_problems (&reply, problems);
        yjc_reply_release (&reply);
        rc = s_review (
            connection, s, app_id, form, problems, MHD_HTTP_BAD_REQUEST);
        zhash_destroy (&problems);
        return rc;
    }
    zhash_destroy (&problems);
    if (!b && bureau_refused (connection, &reply, &rc))
        return rc;
    yjc_reply_release (&reply);
    char *to = zsys_sprintf ("/apps/%s/review", app_id);
    rc = page_redirect (connection, to, NULL);
    zstr_free (&to);
    return rc;
}

//  POST /apps/ID/accept and /apps/ID/reject: R9.1 accept or decline a
//  submitted application, R9.2 reject an accepted one, with the opinion;
//  the review service decides which step it is (review.get's state).
static enum MHD_Result
s_decide (struct MHD_Connection *connection,
          const session_t *s,
          const char *app_id,
          zhash_t *form,
          bool accept)
{
    if (!s_bureau (s))
        return page_not_found (connection);
    enum MHD_Result rc;
    const char *type = "review.accept";
    if (!accept) {
        yjc_reply_t rr;
        const msgpack_object *r =
            bureau_call_app (s, YJC_SVC_REVIEW, "review.get", app_id, &rr);
        if (!r && bureau_refused (connection, &rr, &rc))
            return rc;
        char st[33];
        type = yjc_state_by_code (yjc_obj_strcpy (r, "state", st, sizeof st)) ==
                       YJC_STATE_SUBMITTED
                   ? "review.decline"
                   : "review.reject";
        yjc_reply_release (&rr);
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", app_id);
    const char *opinion = (const char *)zhash_lookup (form, "opinion");
    if (opinion && *opinion)
        yjc_map_str (&map, "opinion", opinion);
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_map_end (&map, &body.pk);
    yjc_map_release (&map);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_REVIEW, type, &body, &reply);
    yjc_pack_release (&body);
    if (!b && *reply.code && !streq (reply.code, "not_found") &&
        !streq (reply.code, "forbidden")) {
        zhash_t *problems = zhash_new ();
        bureau_problems (&reply, problems);
        yjc_reply_release (&reply);
        rc = s_review (
            connection, s, app_id, form, problems, MHD_HTTP_BAD_REQUEST);
        zhash_destroy (&problems);
        return rc;
    }
    if (!b && bureau_refused (connection, &reply, &rc))
        return rc;
    yjc_reply_release (&reply);
    const char *back = (const char *)zhash_lookup (form, "back");
    char *to = back && streq (back, "queue")
                   ? strdup ("/queue")
                   : zsys_sprintf ("/apps/%s/review", app_id);
    rc = page_redirect (connection, to, NULL);
    zstr_free (&to);
    return rc;
}

/* ---- a request's decision ------------------------------------------------ */

//  The request as review keeps it (review.get's requests) and as the unit
//  asked it (its request.submitted event, described as audit does).
static const msgpack_object *
s_request_of (const msgpack_object *review, const char *request_id)
{
    const msgpack_object *reqs = yjc_obj_get (review, "requests");
    for (uint32_t k = 0;
         reqs && reqs->type == MSGPACK_OBJECT_ARRAY && k < reqs->via.array.size;
         k++) {
        char id[33];
        if (streq (yjc_obj_strcpy (
                       &reqs->via.array.ptr[k], "request_id", id, sizeof id),
                   request_id))
            return &reqs->via.array.ptr[k];
    }
    return NULL;
}

static void
s_request_asked (tpl_t *data,
                 const session_t *s,
                 const char *app_id,
                 const char *request_id)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", app_id);
    yjc_pk_kv_str (&body.pk, "type", "request.submitted");
    yjc_pk_kv_int (&body.pk, "limit", 500);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_AUDIT, "audit.events", &body, &reply);
    yjc_pack_release (&body);
    const msgpack_object *list = b ? yjc_obj_get (b, "events") : NULL;
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *pl =
            yjc_obj_get (&list->via.array.ptr[i], "payload");
        char id[33], said[2048], until[16];
        if (!streq (yjc_obj_strcpy (pl, "request_id", id, sizeof id),
                    request_id))
            continue;
        yjc_describe (YJC_EV_REQUEST_SUBMITTED, pl, said, sizeof said);
        tpl_set (data, "said", "%s", said);
        page_str (data, "reason", pl, "reason");
        if (*yjc_obj_strcpy (pl, "until", until, sizeof until))
            tpl_set (data, "asked_until", "%s", until);
    }
    yjc_reply_release (&reply);
}

//  GET /requests/ID?app=APP (the queue links it so): the request and the
//  form of the decision; again with a refusal's problems at their fields.
static enum MHD_Result
s_request (struct MHD_Connection *connection,
           const session_t *s,
           const char *request_id,
           const char *app_id,
           zhash_t *form,
           zhash_t *problems,
           unsigned status)
{
    if (!s_bureau (s) || !app_id || !*app_id || strlen (app_id) > 32)
        return page_not_found (connection);
    yjc_reply_t rr;
    enum MHD_Result rc;
    const msgpack_object *r =
        bureau_call_app (s, YJC_SVC_REVIEW, "review.get", app_id, &rr);
    if (!r && bureau_refused (connection, &rr, &rc))
        return rc;
    const msgpack_object *q = s_request_of (r, request_id);
    if (!q) {
        yjc_reply_release (&rr);
        return page_not_found (connection);
    }
    tpl_t *data = page_frame (s, "申请事项审核");
    char kind[17], st[17];
    tpl_set (data, "request_id", "%s", request_id);
    tpl_set (data, "app_id", "%s", app_id);
    page_str (data, "unit", r, "unit");
    page_str (data, "project", r, "project");
    page_str (data, "submitted_at", q, "submitted_at");
    page_str (data, "decided_opinion", q, "opinion");
    yjc_obj_strcpy (q, "kind", kind, sizeof kind);
    tpl_set (data, "kind", "%s", yjc_request_zh (kind));
    yjc_obj_strcpy (q, "state", st, sizeof st);
    tpl_set (data, "state", "%s", yjc_request_state_zh (st));
    if (streq (st, yjc_request_states[YJC_RQS_PENDING].code))
        tpl_set (data, "pending", "1");
    if (streq (kind, yjc_requests[YJC_REQ_EXTEND_TEST].kind))
        tpl_set (data, "extend", "1"); //  R10.2: may agree to less
    s_request_asked (data, s, app_id, request_id);
    const char *v = form ? (const char *)zhash_lookup (form, "opinion") : NULL;
    if (v)
        tpl_set (data, "opinion", "%s", v);
    v = form ? (const char *)zhash_lookup (form, "until") : NULL;
    if (v)
        tpl_set (data, "until", "%s", v);
    const char *keys[][2] = { { "opinion", "opinion_problem" },
                              { "until", "until_problem" } };
    for (int i = 0; problems && i < 2; i++) {
        const char *m = (const char *)zhash_lookup (problems, keys[i][0]);
        if (m)
            tpl_set (data, keys[i][1], "%s", m);
    }
    for (const char *m = problems ? (const char *)zhash_first (problems) : NULL;
         m;
         m = (const char *)zhash_next (problems))
        tpl_set (tpl_add (data, "problems"), "text", "%s", m);
    yjc_reply_release (&rr);
    return page_render (connection, status, "request_decide", data);
}

//  POST /requests/ID: the same message as `yjcloud request approve|reject
//  ID --opinion T [--until D]` (the button pressed says which).
static enum MHD_Result
s_request_decide (struct MHD_Connection *connection,
                  const session_t *s,
                  const char *request_id,
                  zhash_t *form)
{
    if (!s_bureau (s))
        return page_not_found (connection);
    const char *app_id = (const char *)zhash_lookup (form, "app_id");
    const char *decision = (const char *)zhash_lookup (form, "decision");
    bool approve = decision && streq (decision, "approve");
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "request_id", request_id);
    const char *opinion = (const char *)zhash_lookup (form, "opinion");
    if (opinion && *opinion)
        yjc_map_str (&map, "opinion", opinion);
    const char *until = (const char *)zhash_lookup (form, "until");
    if (approve && until && *until)
        yjc_map_str (&map, "until", until);
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_map_end (&map, &body.pk);
    yjc_map_release (&map);
    zhash_t *problems = zhash_new ();
    zhash_autofree (problems);
    //  R10-R13: a refusal says why (as the CLI requires --opinion)
    if (!approve && (!opinion || !*opinion))
        zhash_insert (
            problems, "opinion", (void *)"审核意见：不同意时须填写意见");
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    const msgpack_object *b =
        zhash_size (problems)
            ? NULL
            : page_call (s,
                         YJC_SVC_REVIEW,
                         approve ? "request.approve" : "request.reject",
                         &body,
                         &reply);
    yjc_pack_release (&body);
    enum MHD_Result rc;
    if (!b && (zhash_size (problems) ||
               (*reply.code && !streq (reply.code, "not_found") &&
                !streq (reply.code, "forbidden")))) {
        bureau_problems (&reply, problems);
        yjc_reply_release (&reply);
        rc = s_request (connection,
                        s,
                        request_id,
                        app_id,
                        form,
                        problems,
                        MHD_HTTP_BAD_REQUEST);
        zhash_destroy (&problems);
        return rc;
    }
    zhash_destroy (&problems);
    if (!b && bureau_refused (connection, &reply, &rc))
        return rc;
    yjc_reply_release (&reply);
    char *to =
        zsys_sprintf ("/requests/%s?app=%s", request_id, app_id ? app_id : "");
    rc = page_redirect (connection, to, NULL);
    zstr_free (&to);
    return rc;
}

static bool
s_id_ok (const char *id)
{
    size_t n = strlen (id);
    if (n == 0 || n > 32)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum ((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

bool
bureau_route (struct MHD_Connection *connection,
              const char *url,
              bool post,
              zhash_t *form,
              const session_t *s,
              enum MHD_Result *rc)
{
    char id[33];
    if (!post && streq (url, "/queue"))
        *rc = s_queue (connection, s);
    else if (!post && bureau_app_url (url, "/review", id))
        *rc = s_review (connection, s, id, NULL, NULL, MHD_HTTP_OK);
    else if (post && bureau_app_url (url, "/approve", id))
        *rc = s_approve (connection, s, id, form);
    else if (post && bureau_app_url (url, "/accept", id))
        *rc = s_decide (connection, s, id, form, true);
    else if (post && bureau_app_url (url, "/reject", id))
        *rc = s_decide (connection, s, id, form, false);
    else if (strncmp (url, "/requests/", 10) == 0 && s_id_ok (url + 10)) {
        if (post)
            *rc = s_request_decide (connection, s, url + 10, form);
        else
            *rc = s_request (connection,
                             s,
                             url + 10,
                             MHD_lookup_connection_value (
                                 connection, MHD_GET_ARGUMENT_KIND, "app"),
                             NULL,
                             NULL,
                             MHD_HTTP_OK);
    }
    else
        return print_route (connection, url, post, form, s, rc) ||
               calendar_route (connection, url, post, form, s, rc) ||
               lists_route (connection, url, post, form, s, rc);
    return true;
}
