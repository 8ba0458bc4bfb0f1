/*  pages.c - sign-in, sign-out and the read-only pages of each role.    */
#include "pages.h"
#include "yjc_client.h"
#include "yjc_describe.h"
#include "yjc_lifecycle.h"
#include "yjc_map.h"
#include "yjc_webacct.h"
#include <arpa/inet.h>
#include <sodium.h>

#define CALL_TIMEOUT_MS 5000
#define AUDIT_PAGE      50

static const char *s_roles_zh[YJC_ROLE_COUNT] = {
    [YJC_ROLE_UNIT] = "使用单位", [YJC_ROLE_BUREAU] = "主管部门",
    [YJC_ROLE_VENDOR] = "供应商", [YJC_ROLE_AUDITOR] = "审计",
    [YJC_ROLE_ADMIN] = "运维",    [YJC_ROLE_SERVICE] = "服务",
};

/* ---- responses ----------------------------------------------------------- */

static enum MHD_Result
s_send (struct MHD_Connection *connection,
        unsigned status,
        const char *type,
        char *body, //  taken
        size_t size)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer (size, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (r, "Content-Type", type);
    MHD_add_response_header (r, "Cache-Control", "no-store");
    MHD_add_response_header (r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (r, "X-Frame-Options", "DENY");
    MHD_add_response_header (r, "Referrer-Policy", "no-referrer");
    //  no script, no third party: every asset is ours (issue 16)
    MHD_add_response_header (r,
                             "Content-Security-Policy",
                             "default-src 'self'; script-src 'none'; "
                             "form-action 'self'; frame-ancestors 'none'");
    enum MHD_Result rc = MHD_queue_response (connection, status, r);
    MHD_destroy_response (r);
    return rc;
}

static enum MHD_Result
s_page (struct MHD_Connection *connection,
        unsigned status,
        const char *name,
        tpl_t *data)
{
    char *html = tpl_render (web.templates, name, data);
    tpl_destroy (&data);
    if (!html)
        return pages_error (
            connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "页面模板缺失");
    return s_send (
        connection, status, "text/html; charset=utf-8", html, strlen (html));
}

enum MHD_Result
pages_error (struct MHD_Connection *connection,
             unsigned status,
             const char *message)
{
    tpl_t *data = tpl_new ();
    tpl_set (data, "title", "%s", "出错了");
    tpl_set (data, "message", "%s", message);
    tpl_set (data, "status", "%u", status);
    char *html = tpl_render (web.templates, "error", data);
    tpl_destroy (&data);
    if (!html)
        html = strdup ("<!DOCTYPE html><meta charset=utf-8><p>出错了</p>");
    return s_send (
        connection, status, "text/html; charset=utf-8", html, strlen (html));
}

static enum MHD_Result
s_redirect (struct MHD_Connection *connection,
            const char *to,
            const char *cookie)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer (0, (void *)"", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header (r, "Location", to);
    MHD_add_response_header (r, "Cache-Control", "no-store");
    if (cookie)
        MHD_add_response_header (r, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response (connection, MHD_HTTP_SEE_OTHER, r);
    MHD_destroy_response (r);
    return rc;
}

static void
s_addr (struct MHD_Connection *connection, char out[64])
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (
        connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    *out = 0;
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop (
            AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop (
            AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, 64);
}

/* ---- calls as the signed-in person --------------------------------------- */

//  One request to a service over a connection made with the person's own
//  key; the copy of the key czmq and the client hold is wiped after.
//  The reply's body, or NULL with reply->code set ("" when no reply).
static const msgpack_object *
s_call (const session_t *s,
        int service,
        const char *type,
        yjc_pack_t *body,
        yjc_reply_t *reply)
{
    yjc_reply_init (reply);
    unsigned char pub[32];
    zmq_z85_decode (pub, s->actor.public_txt);
    zcert_t *cert = zcert_new_from (pub, s->secret);
    yjc_client_t *client = yjc_client_new_service (web.keys, service, cert);
    sodium_memzero ((unsigned char *)zcert_secret_key (cert), 32);
    sodium_memzero ((char *)zcert_secret_txt (cert), 40);
    zcert_destroy (&cert);
    int rc = client ? yjc_client_call (client,
                                       type,
                                       body ? body->buf.data : NULL,
                                       body ? body->buf.size : 0,
                                       CALL_TIMEOUT_MS,
                                       reply)
                    : -1;
    yjc_client_destroy (&client);
    if (rc != 0)
        return NULL;
    return reply->ok ? reply->body : NULL;
}

/* ---- the page frame ------------------------------------------------------ */

static tpl_t *
s_frame (const session_t *s, const char *title)
{
    tpl_t *data = tpl_new ();
    tpl_set (data, "title", "%s", title);
    if (s) {
        tpl_set (data, "signed_in", "1");
        tpl_set (data, "me", "%s", s->actor.name);
        tpl_set (data, "role_zh", "%s", s_roles_zh[s->actor.role]);
        tpl_set (data, "my_unit", "%s", s->actor.unit);
        tpl_set (data, "csrf", "%s", s->csrf);
        int r = s->actor.role;
        if (r == YJC_ROLE_UNIT || r == YJC_ROLE_BUREAU || r == YJC_ROLE_AUDITOR)
            tpl_set (data, "nav_apps", "1");
        if (r == YJC_ROLE_BUREAU)
            tpl_set (data, "nav_queue", "1");
        if (r == YJC_ROLE_BUREAU || r == YJC_ROLE_AUDITOR)
            tpl_set (data, "nav_audit", "1");
        if (r == YJC_ROLE_VENDOR)
            tpl_set (data, "nav_orders", "1");
    }
    return data;
}

//  A service's refusal or silence as a page: not_found and forbidden are
//  the same 404 (another unit's application is not revealed to exist).
static enum MHD_Result
s_refused (struct MHD_Connection *connection, const yjc_reply_t *reply)
{
    if (streq (reply->code, "not_found") || streq (reply->code, "forbidden"))
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    if (!*reply->code)
        return pages_error (connection,
                            MHD_HTTP_SERVICE_UNAVAILABLE,
                            "服务暂时没有应答，请稍后再试");
    return pages_error (connection, MHD_HTTP_BAD_REQUEST, reply->message);
}

static void
s_str (tpl_t *item,
       const char *key,
       const msgpack_object *obj,
       const char *field)
{
    char buf[2048];
    tpl_set (item, key, "%s", yjc_obj_strcpy (obj, field, buf, sizeof buf));
}

/* ---- sign-in and sign-out ------------------------------------------------ */

static char *
s_cookie (const char *sid, bool clear)
{
    return zsys_sprintf ("yjc_sid=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
                         clear ? "" : sid,
                         web.tls ? "; Secure" : "",
                         clear ? "; Max-Age=0" : "");
}

static enum MHD_Result
s_login_page (struct MHD_Connection *connection,
              unsigned status,
              const char *problem)
{
    tpl_t *data = s_frame (NULL, "登录");
    if (problem)
        tpl_set (data, "problem", "%s", problem);
    return s_page (connection, status, "login", data);
}

//  Issue 16: five failures in a minute for an account, and its sixth
//  attempt is refused before any password check; an address gets four
//  times as many (a county office's clerks share one behind NAT).
#define THROTTLE_MAX      5
#define THROTTLE_ADDR_MAX 20

static enum MHD_Result
s_login (struct MHD_Connection *connection, zhash_t *form)
{
    const char *name = (const char *)zhash_lookup (form, "name");
    const char *password = (const char *)zhash_lookup (form, "password");
    char addr[64], akey[80], ikey[80];
    s_addr (connection, addr);
    if (!name || !password || !yjc_actor_name_valid (name))
        return s_login_page (
            connection, MHD_HTTP_UNAUTHORIZED, "账号或密码不正确");
    snprintf (akey, sizeof akey, "a:%s", name);
    snprintf (ikey, sizeof ikey, "i:%s", addr);
    if (throttle_count (akey) >= THROTTLE_MAX ||
        throttle_count (ikey) >= THROTTLE_ADDR_MAX) {
        web_record ("web.signin_throttled", name, addr);
        return s_login_page (connection,
                             MHD_HTTP_TOO_MANY_REQUESTS,
                             "登录失败次数过多，请一分钟后再试");
    }
    unsigned char *secret = (unsigned char *)sodium_malloc (32);
    char public_txt[41];
    int rc =
        secret
            ? yjc_webacct_unseal (web.keys, name, password, secret, public_txt)
            : YJC_WEBACCT_BAD;
    yjc_actor_t actor;
    if (rc == 0 && yjc_keys_lookup (web.keys, public_txt, &actor) != 0)
        rc = YJC_WEBACCT_DISABLED;
    if (rc != 0) {
        sodium_free (secret);
        throttle_fail (akey);
        throttle_fail (ikey);
        web_record (rc == YJC_WEBACCT_DISABLED ? "web.signin_disabled"
                                               : "web.signin_failed",
                    name,
                    addr);
        return s_login_page (connection,
                             MHD_HTTP_UNAUTHORIZED,
                             rc == YJC_WEBACCT_DISABLED ? "该账号已停用"
                                                        : "账号或密码不正确");
    }
    session_t s;
    sessions_open (&actor, secret, addr, &s);
    web_record ("web.signed_in", name, addr);
    char *cookie = s_cookie (s.sid, false);
    sodium_free (s.secret);
    enum MHD_Result r = s_redirect (connection, "/", cookie);
    zstr_free (&cookie);
    return r;
}

void
pages_session_closed (const session_t *s, const char *why)
{
    web_record (streq (why, "idle") ? "web.session_expired" : "web.signed_out",
                s->actor.name,
                s->addr);
}

/* ---- pages --------------------------------------------------------------- */

static const char *
s_step_zh (const msgpack_object *row, char *buf, size_t size)
{
    if (*yjc_obj_strcpy (row, "step", buf, size))
        return yjc_deadline_zh (buf);
    int state = yjc_state_by_code (yjc_obj_strcpy (row, "state", buf, size));
    if (state == YJC_STATE_SUBMITTED)
        return yjc_deadlines[YJC_DL_ACCEPT].zh; //  R9.1
    if (state == YJC_STATE_ACCEPTED)
        return yjc_deadlines[YJC_DL_DECIDE].zh; //  R9.2
    return yjc_deadline_zh (buf);
}

static void
s_due (tpl_t *item, const msgpack_object *p)
{
    char due[16], buf[64];
    int64_t late = 0;
    yjc_obj_strcpy (p, "due", due, sizeof due);
    const msgpack_object *prov = yjc_obj_get (p, "provisional");
    bool provisional =
        prov && prov->type == MSGPACK_OBJECT_BOOLEAN && prov->via.boolean;
    tpl_set (item, "due", "%s%s", due, *due && provisional ? "（暂定）" : "");
    if (yjc_obj_int (p, "late_workdays", &late) && late > 0) {
        snprintf (buf, sizeof buf, "逾期 %lld 个工作日", (long long)late);
        tpl_set (item, "late", "%s", buf);
    }
    char owed[16];
    if (*yjc_obj_strcpy (p, "owed_by", owed, sizeof owed))
        tpl_set (item, "owed_by", "%s", yjc_party_zh (owed));
    char step[48];
    tpl_set (item, "step", "%s", s_step_zh (p, step, sizeof step));
}

static const msgpack_object *
s_pending_of (const msgpack_object *pending, const char *app_id)
{
    for (uint32_t i = 0; pending && pending->type == MSGPACK_OBJECT_ARRAY &&
                         i < pending->via.array.size;
         i++) {
        char id[33];
        if (streq (yjc_obj_strcpy (
                       &pending->via.array.ptr[i], "app_id", id, sizeof id),
                   app_id))
            return &pending->via.array.ptr[i];
    }
    return NULL;
}

//  使用单位: my applications (a bureau or auditor sees all): state, who
//  owes the next step and by when (review.pending, as `yjcloud list`).
static enum MHD_Result
s_apps (struct MHD_Connection *connection, const session_t *s)
{
    yjc_reply_t reply, rreply;
    yjc_pack_t query;
    yjc_pack_init (&query);
    msgpack_pack_map (&query.pk, 1);
    yjc_pk_kv_int (&query.pk, "limit", 500);
    const msgpack_object *b =
        s_call (s, YJC_SVC_INTAKE, "application.list", NULL, &reply);
    if (!b) {
        enum MHD_Result r = s_refused (connection, &reply);
        yjc_reply_release (&reply);
        yjc_pack_release (&query);
        return r;
    }
    const msgpack_object *r =
        s_call (s, YJC_SVC_REVIEW, "review.pending", &query, &rreply);
    const msgpack_object *pending = r ? yjc_obj_get (r, "pending") : NULL;
    tpl_t *data =
        s_frame (s, s->actor.role == YJC_ROLE_UNIT ? "我的申请" : "全部申请");
    const msgpack_object *list = yjc_obj_get (b, "applications");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "apps");
        char id[33], st[33];
        tpl_set (
            item, "app_id", "%s", yjc_obj_strcpy (e, "app_id", id, sizeof id));
        tpl_set (item,
                 "state",
                 "%s",
                 yjc_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        s_str (item, "unit", e, "unit");
        s_str (item, "project", e, "project");
        s_str (item, "submitted_at", e, "submitted_at");
        const msgpack_object *p = s_pending_of (pending, id);
        if (p)
            s_due (item, p);
    }
    if (!r)
        tpl_set (data, "no_pending", "1");
    if (list && list->type == MSGPACK_OBJECT_ARRAY && list->via.array.size)
        tpl_set (data, "any", "1");
    yjc_reply_release (&reply);
    yjc_reply_release (&rreply);
    yjc_pack_release (&query);
    return s_page (connection, MHD_HTTP_OK, "apps", data);
}

//  One application: its header and its history (application.get).
static enum MHD_Result
s_app (struct MHD_Connection *connection,
       const session_t *s,
       const char *app_id)
{
    if (strlen (app_id) > 32 || !*app_id)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_str (&body.pk, "app_id", app_id);
    yjc_reply_t reply;
    const msgpack_object *a =
        s_call (s, YJC_SVC_INTAKE, "application.get", &body, &reply);
    yjc_pack_release (&body);
    if (!a) {
        enum MHD_Result r = s_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = s_frame (s, "申请详情");
    char st[33];
    s_str (data, "app_id", a, "app_id");
    s_str (data, "number", a, "number");
    s_str (data, "unit", a, "unit");
    s_str (data, "project", a, "project");
    s_str (data, "submitted_at", a, "submitted_at");
    tpl_set (data,
             "state",
             "%s",
             yjc_state_zh (yjc_obj_strcpy (a, "state", st, sizeof st)));
    const msgpack_object *h = yjc_obj_get (a, "history");
    for (uint32_t i = 0;
         h && h->type == MSGPACK_OBJECT_ARRAY && i < h->via.array.size;
         i++) {
        const msgpack_object *e = &h->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "history");
        s_str (item, "at", e, "at");
        tpl_set (item,
                 "state",
                 "%s",
                 yjc_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        s_str (item, "note", e, "note");
    }
    yjc_reply_release (&reply);
    return s_page (connection, MHD_HTTP_OK, "app", data);
}

//  主管部门: the steps owed, by deadline, and the overdue ones.
static enum MHD_Result
s_queue (struct MHD_Connection *connection, const session_t *s)
{
    if (s->actor.role != YJC_ROLE_BUREAU)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    yjc_pack_t query;
    yjc_pack_init (&query);
    msgpack_pack_map (&query.pk, 1);
    yjc_pk_kv_int (&query.pk, "limit", 500);
    yjc_reply_t reply;
    const msgpack_object *b =
        s_call (s, YJC_SVC_REVIEW, "review.pending", &query, &reply);
    yjc_pack_release (&query);
    if (!b) {
        enum MHD_Result r = s_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = s_frame (s, "待办事项");
    const msgpack_object *list = yjc_obj_get (b, "pending");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "rows");
        s_str (item, "app_id", e, "app_id");
        s_str (item, "unit", e, "unit");
        s_due (item, e);
        int64_t late = 0;
        if (yjc_obj_int (e, "late_workdays", &late) && late > 0)
            tpl_set (item, "overdue", "1");
    }
    yjc_reply_release (&reply);
    return s_page (connection, MHD_HTTP_OK, "queue", data);
}

/* ---- audit: filters, cursor paging, CSV ---------------------------------- */

static const char *s_audit_filters[][2] = {
    { "app", "app_id" }, { "unit", "unit" },   { "actor", "actor" },
    { "type", "type" },  { "since", "since" }, { "until", "until" },
};
#define AUDIT_FILTERS (sizeof s_audit_filters / sizeof *s_audit_filters)

static void
s_audit_query (struct MHD_Connection *connection,
               yjc_pack_t *body,
               int64_t after,
               int limit)
{
    yjc_map_t map;
    yjc_map_init (&map);
    for (size_t i = 0; i < AUDIT_FILTERS; i++) {
        const char *v = MHD_lookup_connection_value (
            connection, MHD_GET_ARGUMENT_KIND, s_audit_filters[i][0]);
        if (v && *v)
            yjc_map_str (&map, s_audit_filters[i][1], v);
    }
    if (after > 0)
        yjc_map_int (&map, "after", after);
    yjc_map_int (&map, "limit", limit);
    yjc_pack_init (body);
    yjc_map_end (&map, &body->pk);
    yjc_map_release (&map);
}

static int64_t
s_after (struct MHD_Connection *connection)
{
    const char *v = MHD_lookup_connection_value (
        connection, MHD_GET_ARGUMENT_KIND, "after");
    long long n = v ? strtoll (v, NULL, 10) : 0;
    return n > 0 ? n : 0;
}

static void
s_event_fields (const msgpack_object *e,
                char *type,
                char *said,
                size_t said_size,
                const char **type_zh)
{
    yjc_obj_strcpy (e, "type", type, 65);
    int t = yjc_event_by_wire (type, strlen (type));
    *type_zh = t >= 0 ? yjc_event_defs[t].zh : type;
    yjc_describe (t, yjc_obj_get (e, "payload"), said, said_size);
}

static enum MHD_Result
s_audit (struct MHD_Connection *connection, const session_t *s)
{
    if (s->actor.role != YJC_ROLE_AUDITOR && s->actor.role != YJC_ROLE_BUREAU)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    yjc_pack_t body;
    s_audit_query (connection, &body, s_after (connection), AUDIT_PAGE);
    yjc_reply_t reply;
    const msgpack_object *b =
        s_call (s, YJC_SVC_AUDIT, "audit.events", &body, &reply);
    yjc_pack_release (&body);
    if (!b) {
        enum MHD_Result r = s_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = s_frame (s, "审计事件");
    zchunk_t *qs = zchunk_new (NULL, 256); //  the filters, for the links
    for (size_t i = 0; i < AUDIT_FILTERS; i++) {
        const char *v = MHD_lookup_connection_value (
            connection, MHD_GET_ARGUMENT_KIND, s_audit_filters[i][0]);
        if (v && *v) {
            tpl_set (data, s_audit_filters[i][0], "%s", v);
            char *enc = zsys_sprintf ("&%s=", s_audit_filters[i][0]);
            zchunk_extend (qs, enc, strlen (enc));
            zstr_free (&enc);
            for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
                char hex[4];
                if (isalnum (*p) || strchr ("-_.", *p))
                    zchunk_extend (qs, p, 1);
                else {
                    snprintf (hex, sizeof hex, "%%%02X", *p);
                    zchunk_extend (qs, hex, 3);
                }
            }
        }
    }
    char *filters = zchunk_strdup (qs);
    zchunk_destroy (&qs);
    tpl_set (data, "filters", "%s", filters);
    const msgpack_object *list = yjc_obj_get (b, "events");
    int64_t last = 0;
    uint32_t n =
        list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "events");
        char type[65], said[1024];
        const char *zh;
        s_event_fields (e, type, said, sizeof said, &zh);
        yjc_obj_int (e, "seq", &last);
        tpl_set (item, "seq", "%lld", (long long)last);
        s_str (item, "at", e, "at");
        s_str (item, "app_id", e, "app_id");
        s_str (item, "unit", e, "unit");
        char actor[33];
        tpl_set (item,
                 "actor",
                 "%s",
                 *yjc_obj_strcpy (e, "actor", actor, sizeof actor)
                     ? actor
                     : "（系统）");
        tpl_set (item, "type_zh", "%s", zh);
        tpl_set (item, "said", "%s", said);
    }
    if (n == AUDIT_PAGE)
        tpl_set (data, "next", "%lld", (long long)last);
    free (filters);
    yjc_reply_release (&reply);
    return s_page (connection, MHD_HTTP_OK, "audit", data);
}

static void
s_csv_field (zchunk_t *out, const char *v, bool last)
{
    //  a leading = + - @ would be a formula in a spreadsheet
    bool quote = true;
    zchunk_extend (out, "\"", quote);
    if (strchr ("=+-@", *v) && *v)
        zchunk_extend (out, "'", 1);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            zchunk_extend (out, "\"", 1);
        zchunk_extend (out, p, 1);
    }
    zchunk_extend (out, last ? "\"\r\n" : "\",", last ? 3 : 2);
}

//  The same filters, every page, as CSV (UTF-8 with BOM for 表格软件).
static enum MHD_Result
s_audit_csv (struct MHD_Connection *connection, const session_t *s)
{
    if (s->actor.role != YJC_ROLE_AUDITOR && s->actor.role != YJC_ROLE_BUREAU)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    zchunk_t *out = zchunk_new ("\xEF\xBB\xBF", 3);
    const char *head[] = { "序号",   "发生时间", "申请", "单位",
                           "操作人", "事件",     "说明", "类型" };
    for (int i = 0; i < 8; i++)
        s_csv_field (out, head[i], i == 7);
    int64_t after = s_after (connection);
    for (int pages = 0; pages < 1000; pages++) {
        yjc_pack_t body;
        s_audit_query (connection, &body, after, 1000);
        yjc_reply_t reply;
        const msgpack_object *b =
            s_call (s, YJC_SVC_AUDIT, "audit.events", &body, &reply);
        yjc_pack_release (&body);
        if (!b) {
            zchunk_destroy (&out);
            enum MHD_Result r = s_refused (connection, &reply);
            yjc_reply_release (&reply);
            return r;
        }
        const msgpack_object *list = yjc_obj_get (b, "events");
        uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY
                         ? list->via.array.size
                         : 0;
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char type[65], said[4096], seq[24], at[40], app[33], unit[129],
                actor[33];
            const char *zh;
            s_event_fields (e, type, said, sizeof said, &zh);
            yjc_obj_int (e, "seq", &after);
            snprintf (seq, sizeof seq, "%lld", (long long)after);
            s_csv_field (out, seq, false);
            s_csv_field (out, yjc_obj_strcpy (e, "at", at, sizeof at), false);
            s_csv_field (
                out, yjc_obj_strcpy (e, "app_id", app, sizeof app), false);
            s_csv_field (
                out, yjc_obj_strcpy (e, "unit", unit, sizeof unit), false);
            s_csv_field (
                out, yjc_obj_strcpy (e, "actor", actor, sizeof actor), false);
            s_csv_field (out, zh, false);
            s_csv_field (out, said, false);
            s_csv_field (out, type, true);
        }
        yjc_reply_release (&reply);
        if (n < 1000)
            break;
    }
    size_t size = zchunk_size (out);
    char *csv = (char *)malloc (size ? size : 1);
    memcpy (csv, zchunk_data (out), size);
    zchunk_destroy (&out);
    struct MHD_Response *r =
        MHD_create_response_from_buffer (size, csv, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header (r, "Content-Type", "text/csv; charset=utf-8");
    MHD_add_response_header (
        r, "Content-Disposition", "attachment; filename=\"audit-events.csv\"");
    MHD_add_response_header (r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response (connection, MHD_HTTP_OK, r);
    MHD_destroy_response (r);
    return rc;
}

//  供应商: its open orders and their deadlines (order.fetch without a
//  cursor lists every open order and changes nothing).
static enum MHD_Result
s_orders (struct MHD_Connection *connection, const session_t *s)
{
    if (s->actor.role != YJC_ROLE_VENDOR)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    yjc_reply_t reply;
    const msgpack_object *b =
        s_call (s, YJC_SVC_PROVISIONING, "order.fetch", NULL, &reply);
    if (!b) {
        enum MHD_Result r = s_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = s_frame (s, "待办订单");
    const msgpack_object *list = yjc_obj_get (b, "orders");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "orders");
        char kind[17], st[17];
        s_str (item, "order_id", e, "order_id");
        s_str (item, "app_id", e, "app_id");
        s_str (item, "unit", e, "unit");
        tpl_set (item,
                 "kind",
                 "%s",
                 yjc_order_zh (yjc_obj_strcpy (e, "kind", kind, sizeof kind)));
        tpl_set (
            item,
            "state",
            "%s",
            yjc_order_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        s_str (item, "deadline", e, "deadline");
    }
    yjc_reply_release (&reply);
    return s_page (connection, MHD_HTTP_OK, "orders", data);
}

static enum MHD_Result
s_home (struct MHD_Connection *connection, const session_t *s)
{
    switch (s->actor.role) {
        case YJC_ROLE_UNIT: return s_redirect (connection, "/apps", NULL);
        case YJC_ROLE_BUREAU: return s_redirect (connection, "/queue", NULL);
        case YJC_ROLE_AUDITOR: return s_redirect (connection, "/audit", NULL);
        case YJC_ROLE_VENDOR: return s_redirect (connection, "/orders", NULL);
        default:
            return s_page (
                connection, MHD_HTTP_OK, "home", s_frame (s, "首页"));
    }
}

/* ---- routing ------------------------------------------------------------- */

static enum MHD_Result
s_static (struct MHD_Connection *connection)
{
    char *path = zsys_sprintf ("%s/style.css", web.templates);
    zfile_t *file = zfile_new (NULL, path);
    zstr_free (&path);
    char *css = NULL;
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, zfile_cursize (file), 0);
        css = chunk ? zchunk_strdup (chunk) : NULL;
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    if (!css)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    return s_send (
        connection, MHD_HTTP_OK, "text/css; charset=utf-8", css, strlen (css));
}

//  Every POST but the sign-in carries the session's CSRF token.
static bool
s_csrf_ok (const session_t *s, zhash_t *form)
{
    const char *token = (const char *)zhash_lookup (form, "csrf");
    return token && strlen (token) == 64 &&
           sodium_memcmp (token, s->csrf, 64) == 0;
}

enum MHD_Result
pages_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form)
{
    if (streq (url, "/static/style.css") && !post)
        return s_static (connection);
    if (streq (url, "/login"))
        return post ? s_login (connection, form)
                    : s_login_page (connection, MHD_HTTP_OK, NULL);
    const char *sid =
        MHD_lookup_connection_value (connection, MHD_COOKIE_KIND, "yjc_sid");
    session_t s;
    if (!sessions_get (sid, &s, pages_session_closed))
        return post ? pages_error (connection,
                                   MHD_HTTP_FORBIDDEN,
                                   "会话已失效，请重新登录")
                    : s_redirect (connection, "/login", NULL);
    enum MHD_Result rc;
    if (post && !s_csrf_ok (&s, form))
        rc = pages_error (
            connection, MHD_HTTP_FORBIDDEN, "表单已失效，请刷新页面后重试");
    else if (post && streq (url, "/logout")) {
        sessions_close (s.sid, pages_session_closed, "signout");
        char *cookie = s_cookie ("", true);
        rc = s_redirect (connection, "/login", cookie);
        zstr_free (&cookie);
    }
    else if (post)
        rc = pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    else if (streq (url, "/"))
        rc = s_home (connection, &s);
    else if (streq (url, "/apps"))
        rc = s_apps (connection, &s);
    else if (strncmp (url, "/apps/", 6) == 0)
        rc = s_app (connection, &s, url + 6);
    else if (streq (url, "/queue"))
        rc = s_queue (connection, &s);
    else if (streq (url, "/audit"))
        rc = s_audit (connection, &s);
    else if (streq (url, "/audit.csv"))
        rc = s_audit_csv (connection, &s);
    else if (streq (url, "/orders"))
        rc = s_orders (connection, &s);
    else
        rc = pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    sodium_free (s.secret);
    return rc;
}
