/*  vendor.c - 供应商's page: its open orders, read-only (the vendor
    works through its queue).                                           */
#include "page.h"
#include "yjc_lifecycle.h"
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
        page_call (s, YJC_SVC_PROVISIONING, "order.fetch", NULL, &reply);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "待办订单");
    const msgpack_object *list = yjc_obj_get (b, "orders");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "orders");
        char kind[17], st[17];
        page_str (item, "order_id", e, "order_id");
        page_str (item, "app_id", e, "app_id");
        page_str (item, "unit", e, "unit");
        tpl_set (item,
                 "kind",
                 "%s",
                 yjc_order_zh (yjc_obj_strcpy (e, "kind", kind, sizeof kind)));
        tpl_set (
            item,
            "state",
            "%s",
            yjc_order_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        page_str (item, "deadline", e, "deadline");
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "orders", data);
}

bool
vendor_route (struct MHD_Connection *connection,
              const char *url,
              bool post,
              zhash_t *form,
              const session_t *s,
              enum MHD_Result *rc)
{
    (void)form;
    if (!post && streq (url, "/orders"))
        *rc = s_orders (connection, s);
    else
        return false;
    return true;
}
