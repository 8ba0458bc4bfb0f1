/*  unit.c - 使用单位's pages: my applications, one application.  A
    bureau or auditor sees every unit's.                                 */
#include "page.h"
#include "yjc_lifecycle.h"
#include "yjc_map.h"
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
        page_call (s, YJC_SVC_INTAKE, "application.list", NULL, &reply);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        yjc_pack_release (&query);
        return r;
    }
    const msgpack_object *r =
        page_call (s, YJC_SVC_REVIEW, "review.pending", &query, &rreply);
    const msgpack_object *pending = r ? yjc_obj_get (r, "pending") : NULL;
    tpl_t *data = page_frame (
        s, s->actor.role == YJC_ROLE_UNIT ? "我的申请" : "全部申请");
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
        page_str (item, "unit", e, "unit");
        page_str (item, "project", e, "project");
        page_str (item, "submitted_at", e, "submitted_at");
        const msgpack_object *p = page_pending_of (pending, id);
        if (p)
            page_due (item, p);
    }
    if (!r)
        tpl_set (data, "no_pending", "1");
    if (list && list->type == MSGPACK_OBJECT_ARRAY && list->via.array.size)
        tpl_set (data, "any", "1");
    yjc_reply_release (&reply);
    yjc_reply_release (&rreply);
    yjc_pack_release (&query);
    return page_render (connection, MHD_HTTP_OK, "apps", data);
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
        page_call (s, YJC_SVC_INTAKE, "application.get", &body, &reply);
    yjc_pack_release (&body);
    if (!a) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "申请详情");
    char st[33];
    page_str (data, "app_id", a, "app_id");
    page_str (data, "number", a, "number");
    page_str (data, "unit", a, "unit");
    page_str (data, "project", a, "project");
    page_str (data, "submitted_at", a, "submitted_at");
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
        page_str (item, "at", e, "at");
        tpl_set (item,
                 "state",
                 "%s",
                 yjc_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        page_str (item, "note", e, "note");
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "app", data);
}

bool
unit_route (struct MHD_Connection *connection,
            const char *url,
            bool post,
            zhash_t *form,
            const session_t *s,
            enum MHD_Result *rc)
{
    (void)form;
    if (!post && streq (url, "/apps"))
        *rc = s_apps (connection, s);
    else if (!post && strncmp (url, "/apps/", 6) == 0 && !strchr (url + 6, '/'))
        *rc = s_app (connection, s, url + 6);
    else
        return false;
    return true;
}
