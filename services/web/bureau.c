/*  bureau.c - 主管部门's pages: the queue of steps owed.              */
#include "page.h"
#include "yjc_lifecycle.h"
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
        page_call (s, YJC_SVC_REVIEW, "review.pending", &query, &reply);
    yjc_pack_release (&query);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "待办事项");
    const msgpack_object *list = yjc_obj_get (b, "pending");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "rows");
        page_str (item, "app_id", e, "app_id");
        page_str (item, "unit", e, "unit");
        page_due (item, e);
        int64_t late = 0;
        if (yjc_obj_int (e, "late_workdays", &late) && late > 0)
            tpl_set (item, "overdue", "1");
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "queue", data);
}

bool
bureau_route (struct MHD_Connection *connection,
              const char *url,
              bool post,
              zhash_t *form,
              const session_t *s,
              enum MHD_Result *rc)
{
    (void)form;
    if (!post && streq (url, "/queue"))
        *rc = s_queue (connection, s);
    else
        return false;
    return true;
}
