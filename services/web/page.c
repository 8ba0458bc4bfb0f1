/*  page.c - what every page of the console shares: responses, calls
    to the services as the signed-in person, the page frame.            */
#include "page.h"
#include "yjc_client.h"
#include "yjc_config.h"
#include "yjc_lifecycle.h"
#include <arpa/inet.h>
#include <sodium.h>

#define CALL_TIMEOUT_MS 5000

static const char *s_roles_zh[YJC_ROLE_COUNT] = {
    [YJC_ROLE_UNIT] = "使用单位", [YJC_ROLE_BUREAU] = "主管部门",
    [YJC_ROLE_VENDOR] = "供应商", [YJC_ROLE_AUDITOR] = "审计",
    [YJC_ROLE_ADMIN] = "运维",    [YJC_ROLE_SERVICE] = "服务",
};

/* ---- responses ----------------------------------------------------------- */
enum MHD_Result
page_send (struct MHD_Connection *connection,
           unsigned status,
           const char *type,
           char *body, //  taken
           size_t size)
{
    return page_send_cookie (connection, status, type, body, size, NULL);
}

enum MHD_Result
page_send_cookie (struct MHD_Connection *connection,
                  unsigned status,
                  const char *type,
                  char *body, //  taken
                  size_t size,
                  const char *cookie)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer (size, body, MHD_RESPMEM_MUST_FREE);
    if (cookie)
        MHD_add_response_header (r, "Set-Cookie", cookie);
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
enum MHD_Result
page_render (struct MHD_Connection *connection,
             unsigned status,
             const char *name,
             tpl_t *data)
{
    char *html = tpl_render (web.templates, name, data);
    tpl_destroy (&data);
    if (!html)
        return pages_error (
            connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "页面模板缺失");
    return page_send (
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
    return page_send (
        connection, status, "text/html; charset=utf-8", html, strlen (html));
}

enum MHD_Result
page_not_found (struct MHD_Connection *connection)
{
    return pages_error (connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
}
enum MHD_Result
page_redirect (struct MHD_Connection *connection,
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
//  The address a request came from: the peer's, or behind the county's
//  reverse proxy (YJC_WEB_TRUSTED_PROXY, the peer) the last address of
//  X-Forwarded-For, the one that proxy appended (earlier ones are the
//  client's to invent).  The sign-in throttle counts per this address.
void
page_addr (struct MHD_Connection *connection, char out[64])
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
    const char *proxy = yjc_config (YJC_CFG_WEB_TRUSTED_PROXY);
    const char *xff = MHD_lookup_connection_value (
        connection, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!*proxy || !streq (out, proxy) || !xff)
        return;
    const char *last = strrchr (xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char addr[64];
    snprintf (addr, sizeof addr, "%s", last);
    addr[strcspn (addr, " ")] = 0;
    unsigned char bin[16];
    if (inet_pton (AF_INET, addr, bin) == 1 ||
        inet_pton (AF_INET6, addr, bin) == 1)
        snprintf (out, 64, "%s", addr);
}

/* ---- calls as the signed-in person --------------------------------------- */
//  A connection made with the person's own key; the copies of the key
//  czmq and this function hold are wiped (libzmq keeps its own for the
//  socket's life).
static yjc_client_t *
s_connect_as (const session_t *s, int service)
{
    unsigned char *secret = sessions_secret (s->sid);
    if (!secret)
        return NULL;
    unsigned char pub[32];
    zmq_z85_decode (pub, s->actor.public_txt);
    zcert_t *cert = zcert_new_from (pub, secret);
    sodium_free (secret);
    yjc_client_t *client = yjc_client_new_service (web.keys, service, cert);
    sodium_memzero ((unsigned char *)zcert_secret_key (cert), 32);
    sodium_memzero ((char *)zcert_secret_txt (cert), 40);
    zcert_destroy (&cert);
    return client;
}

//  One request to a service as the signed-in person, over a connection of
//  the session's own (kept for its next calls: see sessions_give).
//  The reply's body, or NULL with reply->code set ("" when no reply).
const msgpack_object *
page_call (const session_t *s,
           int service,
           const char *type,
           yjc_pack_t *body,
           yjc_reply_t *reply)
{
    page_req_t req = { service, type, body, reply, NULL };
    page_call_all (s, &req, 1);
    return req.result;
}

void
page_call_all (const session_t *s, page_req_t *reqs, size_t n)
{
    yjc_client_t *clients[PAGE_CALLS_MAX] = { NULL };
    char sent[PAGE_CALLS_MAX][YJC_MAX_ID + 1];
    for (size_t i = 0; i < n; i++) {
        page_req_t *q = &reqs[i];
        yjc_reply_init (q->reply);
        q->result = NULL;
        if (i >= PAGE_CALLS_MAX)
            continue;
        clients[i] = sessions_take (s->sid, q->service);
        if (!clients[i])
            clients[i] = s_connect_as (s, q->service);
        const char *id =
            clients[i] ? yjc_client_send (clients[i],
                                          q->type,
                                          q->body ? q->body->buf.data : NULL,
                                          q->body ? q->body->buf.size : 0)
                       : NULL;
        if (id)
            snprintf (sent[i], sizeof sent[i], "%s", id);
        else
            yjc_client_destroy (&clients[i]);
    }
    int64_t deadline = zclock_mono () + CALL_TIMEOUT_MS;
    for (size_t i = 0; i < n && i < PAGE_CALLS_MAX; i++) {
        if (!clients[i])
            continue;
        int64_t left = deadline - zclock_mono ();
        int rc = yjc_client_recv (
            clients[i], sent[i], left > 1 ? (int)left : 1, reqs[i].reply);
        //  a connection that answered serves the next call; one that
        //  timed out or was refused is not trusted again
        if (rc == 0)
            sessions_give (s->sid, reqs[i].service, &clients[i]);
        yjc_client_destroy (&clients[i]);
        if (rc == 0 && reqs[i].reply->ok)
            reqs[i].result = reqs[i].reply->body;
    }
}

/* ---- the page frame ------------------------------------------------------ */
tpl_t *
page_frame (const session_t *s, const char *title)
{
    tpl_t *data = tpl_new ();
    tpl_set (data, "title", "%s", title);
    if (s) {
        tpl_set (data, "signed_in", "1");
        tpl_set (data, "me", "%s", s->actor.name);
        tpl_set (data, "role_zh", "%s", s_roles_zh[s->actor.role]);
        tpl_set (data, "my_unit", "%s", s->actor.unit);
        tpl_set (data, "csrf", "%s", s->csrf);
        //  nothing but the new password until it is set (pages.c)
        int r = s->onetime ? YJC_ROLE_ADMIN : s->actor.role;
        if (r == YJC_ROLE_UNIT || r == YJC_ROLE_BUREAU || r == YJC_ROLE_AUDITOR)
            tpl_set (data, "nav_apps", "1");
        if (r == YJC_ROLE_UNIT)
            tpl_set (data, "nav_unit", "1");
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
enum MHD_Result
page_refused (struct MHD_Connection *connection, const yjc_reply_t *reply)
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
void
page_str (tpl_t *item,
          const char *key,
          const msgpack_object *obj,
          const char *field)
{
    char buf[2048];
    tpl_set (item, key, "%s", yjc_obj_strcpy (obj, field, buf, sizeof buf));
}
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
void
page_due (tpl_t *item, const msgpack_object *p)
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
const msgpack_object *
page_pending_of (const msgpack_object *pending, const char *app_id)
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

zhashx_t *
page_pending_index (const msgpack_object *pending)
{
    zhashx_t *index = zhashx_new ();
    for (uint32_t i = 0; pending && pending->type == MSGPACK_OBJECT_ARRAY &&
                         i < pending->via.array.size;
         i++) {
        char id[33];
        const msgpack_object *row = &pending->via.array.ptr[i];
        //  the first is the soonest (review.pending's order), as
        //  page_pending_of finds it: insert keeps it
        zhashx_insert (
            index, yjc_obj_strcpy (row, "app_id", id, sizeof id), (void *)row);
    }
    return index;
}
