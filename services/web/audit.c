/*  audit.c - 审计's pages: events by application, unit, actor, type
    and time, paged with a cursor, and the same as CSV.                 */
#include "page.h"
#include "yjc_describe.h"
#include "yjc_map.h"

#define AUDIT_PAGE 50

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
        page_call (s, YJC_SVC_AUDIT, "audit.events", &body, &reply);
    yjc_pack_release (&body);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "审计事件");
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
        page_str (item, "at", e, "at");
        page_str (item, "app_id", e, "app_id");
        page_str (item, "unit", e, "unit");
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
    return page_render (connection, MHD_HTTP_OK, "audit", data);
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
            page_call (s, YJC_SVC_AUDIT, "audit.events", &body, &reply);
        yjc_pack_release (&body);
        if (!b) {
            zchunk_destroy (&out);
            enum MHD_Result r = page_refused (connection, &reply);
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

//  GET /audit/verify: the chain recomputed by the audit service from its
//  rows (audit.verify), said as `yjcloud audit verify` says it.
static enum MHD_Result
s_audit_verify (struct MHD_Connection *connection, const session_t *s)
{
    if (s->actor.role != YJC_ROLE_AUDITOR && s->actor.role != YJC_ROLE_BUREAU)
        return page_not_found (connection);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_AUDIT, "audit.verify", NULL, &reply);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    tpl_t *data = page_frame (s, "审计记录核验");
    int64_t checked = 0, cps = 0, last = 0, us = 0, bad = 0, good = 0;
    int64_t streams = 1;
    yjc_obj_int (b, "streams", &streams);
    yjc_obj_int (b, "checked", &checked);
    yjc_obj_int (b, "checkpoints", &cps);
    yjc_obj_int (b, "last_seq", &last);
    yjc_obj_int (b, "elapsed_us", &us);
    const msgpack_object *why = yjc_obj_get (b, "bad");
    if (!why) {
        tpl_set (data, "intact", "1");
        tpl_set (data,
                 "verdict",
                 "审计记录完整：核验 %lld 条事件（至序号 %lld），检查点 %lld "
                 "个相符，用时 %.1f 毫秒（%lld 路并行）",
                 (long long)checked,
                 (long long)last,
                 (long long)cps,
                 us / 1000.0,
                 (long long)streams);
    }
    else {
        char ev[65], reason[16];
        yjc_obj_int (b, "bad_seq", &bad);
        yjc_obj_int (b, "good_seq", &good);
        yjc_obj_strcpy (why, "event_id", ev, sizeof ev);
        yjc_obj_strcpy (why, "reason", reason, sizeof reason);
        if (streq (reason, "hash"))
            tpl_set (data,
                     "verdict",
                     "审计记录被改动：序号 %lld 的事件 %s "
                     "与审计链不符（内容被修改或顺序被调换）",
                     (long long)bad,
                     ev);
        else if (streq (reason, "gap"))
            tpl_set (data,
                     "verdict",
                     "审计记录被改动：序号 %lld 的事件缺失"
                     "（在事件 %s 之前）",
                     (long long)bad,
                     ev);
        else if (streq (reason, "head"))
            tpl_set (data,
                     "verdict",
                     "审计记录被改动：序号 %lld 起的事件缺失"
                     "（链头对不上）",
                     (long long)bad);
        else if (streq (reason, "checkpoint"))
            tpl_set (
                data,
                "verdict",
                "审计记录被改写：序号 %lld 处的检查点与"
                "重算的链不符，序号 %lld 之后、%lld 及以前的事件被整体改写",
                (long long)bad,
                (long long)good,
                (long long)bad);
        else
            tpl_set (
                data, "verdict", "检查点签名无效：序号 %lld", (long long)bad);
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "audit_verify", data);
}

bool
audit_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form,
             const session_t *s,
             enum MHD_Result *rc)
{
    (void)form;
    if (!post && streq (url, "/audit"))
        *rc = s_audit (connection, s);
    else if (!post && streq (url, "/audit.csv"))
        *rc = s_audit_csv (connection, s);
    else if (!post && streq (url, "/audit/verify"))
        *rc = s_audit_verify (connection, s);
    else
        return false;
    return true;
}
