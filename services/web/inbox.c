/*  inbox.c - 使用单位: my inbox (inbox.list, as `yjcloud inbox`) and my
    statement (billing.statement, as `yjcloud statement --year Y`).   */
#include "apply.h"
#include "yjc_lifecycle.h"

static enum MHD_Result
s_inbox (struct MHD_Connection *connection, const session_t *s)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_int (&body.pk, "limit", 200);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_AUDIT, "inbox.list", &body, &reply);
    yjc_pack_release (&body);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "我的通知");
    const msgpack_object *list = yjc_obj_get (b, "notifications");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "notes");
        int64_t id = 0;
        yjc_obj_int (e, "id", &id);
        tpl_set (item, "id", "%lld", (long long)id);
        page_str (item, "at", e, "at");
        page_str (item, "title", e, "title");
        page_str (item, "body", e, "body");
        page_str (item, "app_id", e, "app_id");
        const msgpack_object *read = yjc_obj_get (e, "read");
        bool is_read =
            read && read->type == MSGPACK_OBJECT_BOOLEAN && read->via.boolean;
        tpl_set (item, "read", "%s", is_read ? "已读" : "未读");
        if (!is_read)
            tpl_set (item, "unread", "1");
    }
    int64_t unread = 0;
    yjc_obj_int (b, "unread", &unread);
    tpl_set (data, "unread_count", "%lld", (long long)unread);
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "inbox", data);
}

static void
s_yuan (tpl_t *item, const char *key, int64_t fen)
{
    unsigned long long a =
        fen < 0 ? (unsigned long long)-fen : (unsigned long long)fen;
    tpl_set (item, key, "%s%llu.%02llu", fen < 0 ? "-" : "", a / 100, a % 100);
}

static int64_t
s_int (const msgpack_object *o, const char *key)
{
    int64_t v = 0;
    yjc_obj_int (o, key, &v);
    return v;
}

//  The lines of one system, as the CLI's statement prints them.
static void
s_system (tpl_t *data, const msgpack_object *sys)
{
    tpl_t *item = tpl_add (data, "systems");
    page_str (item, "app_id", sys, "app_id");
    page_str (item, "name", sys, "name");
    s_yuan (item, "total", s_int (sys, "total_fen"));
    const msgpack_object *lines = yjc_obj_get (sys, "lines");
    for (uint32_t i = 0; lines && lines->type == MSGPACK_OBJECT_ARRAY &&
                         i < lines->via.array.size;
         i++) {
        const msgpack_object *l = &lines->via.array.ptr[i];
        tpl_t *row = tpl_add (item, "lines");
        char stage[16], kind[16];
        page_str (row, "line", l, "line_zh");
        page_str (row, "measure", l, "measure_zh");
        tpl_set (
            row,
            "stage",
            "%s",
            yjc_interval_zh (yjc_obj_strcpy (l, "stage", stage, sizeof stage)));
        page_str (row, "from", l, "from");
        page_str (row, "to", l, "to");
        tpl_set (row, "days", "%lld", (long long)s_int (l, "days"));
        tpl_set (row, "qty", "%lld", (long long)s_int (l, "qty"));
        s_yuan (row, "price", s_int (l, "unit_price_fen"));
        s_yuan (row, "amount", s_int (l, "amount_fen"));
        yjc_obj_strcpy (l, "kind", kind, sizeof kind);
        tpl_set (row,
                 "kind",
                 "%s",
                 streq (kind, "compensation")  ? "补差"
                 : streq (kind, "provisional") ? "暂计"
                                               : "计费");
        page_str (row, "cause", l, "cause");
    }
}

static enum MHD_Result
s_statement (struct MHD_Connection *connection, const session_t *s)
{
    const char *y =
        MHD_lookup_connection_value (connection, MHD_GET_ARGUMENT_KIND, "year");
    time_t now = time (NULL);
    struct tm tm;
    localtime_r (&now, &tm);
    int year = y && *y ? atoi (y) : tm.tm_year + 1900;
    if (year < 2000 || year > 9999)
        year = tm.tm_year + 1900;
    yjc_pack_t body;
    yjc_pack_init (&body);
    bool unit = s->actor.role == YJC_ROLE_UNIT;
    msgpack_pack_map (&body.pk, unit ? 2 : 1);
    yjc_pk_kv_int (&body.pk, "year", year);
    if (unit)
        yjc_pk_kv_str (&body.pk, "unit", s->actor.unit);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_BILLING, "billing.statement", &body, &reply);
    yjc_pack_release (&body);
    tpl_t *data = page_frame (s, "费用结算单");
    tpl_set (data, "year", "%d", year);
    if (!b) {
        //  billing not built or not answering: said, not an error page
        tpl_set (data,
                 "problem",
                 "%s",
                 *reply.code ? reply.message
                             : "计费服务暂时没有应答，结算单未显示");
        yjc_reply_release (&reply);
        return page_render (connection, MHD_HTTP_OK, "statement", data);
    }
    const msgpack_object *prov = yjc_obj_get (b, "provisional");
    if (prov && prov->type == MSGPACK_OBJECT_BOOLEAN && prov->via.boolean)
        tpl_set (data, "provisional", "1");
    page_str (data, "generated_at", b, "generated_at");
    page_str (data, "rule", b, "rule");
    s_yuan (data, "total", s_int (b, "total_fen"));
    const msgpack_object *units = yjc_obj_get (b, "units");
    for (uint32_t u = 0; units && units->type == MSGPACK_OBJECT_ARRAY &&
                         u < units->via.array.size;
         u++) {
        const msgpack_object *systems =
            yjc_obj_get (&units->via.array.ptr[u], "systems");
        for (uint32_t i = 0; systems && systems->type == MSGPACK_OBJECT_ARRAY &&
                             i < systems->via.array.size;
             i++)
            s_system (data, &systems->via.array.ptr[i]);
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "statement", data);
}

bool
inbox_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form,
             const session_t *s,
             enum MHD_Result *rc)
{
    (void)form;
    if (post)
        return false;
    if (streq (url, "/inbox"))
        *rc = s_inbox (connection, s);
    else if (streq (url, "/statement"))
        *rc = s_statement (connection, s);
    else
        return false;
    return true;
}
