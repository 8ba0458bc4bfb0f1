/*  audit.c - what billing and audit keep: the resources allocated to an
    application with their billing intervals, and the audit trail.      */
#include "audit.h"
#include "table.h"
#include "yjc_lifecycle.h"

//  allocations APP: the resources of each order and the intervals billed.
int
audit_cmd_allocations (cli_opts_t *opts)
{
    yjc_pack_t body;
    cli_pack_app (&body, opts->args[0], NULL);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.allocations", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "allocations");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "订单", "阶段", "资源项", "起", "止");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], stage[17], from[32], to[32], lines_text[24];
            int64_t lines = 0;
            yjc_obj_strcpy (e, "to", to, sizeof to);
            yjc_obj_int (e, "lines", &lines);
            snprintf (lines_text, sizeof lines_text, "%lld", (long long)lines);
            cli_table_row (table,
                           yjc_obj_strcpy (e, "order_id", id, sizeof id),
                           yjc_interval_zh (yjc_obj_strcpy (
                               e, "stage", stage, sizeof stage)),
                           lines_text,
                           yjc_obj_strcpy (e, "from", from, sizeof from),
                           *to ? to : "（使用中）");
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  audit events [--app APP] [--after SEQ] [--limit N]: the audit trail.
int
audit_cmd_events (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->app)
        yjc_map_str (&map, "app_id", opts->app);
    if (opts->after)
        yjc_map_int (&map, "after", opts->after);
    if (opts->limit)
        yjc_map_int (&map, "limit", opts->limit);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "audit.events", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "events");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "序号", "发生时间", "来源", "申请", "事件");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char at[40], source[33], app[33], type[65], seq_text[24];
            int64_t seq = 0;
            yjc_obj_strcpy (e, "type", type, sizeof type);
            yjc_obj_int (e, "seq", &seq);
            snprintf (seq_text, sizeof seq_text, "%lld", (long long)seq);
            int t = yjc_event_by_wire (type, strlen (type));
            cli_table_row (table,
                           seq_text,
                           yjc_obj_strcpy (e, "at", at, sizeof at),
                           cli_service_zh (yjc_obj_strcpy (
                               e, "source", source, sizeof source)),
                           yjc_obj_strcpy (e, "app_id", app, sizeof app),
                           t >= 0 ? yjc_event_defs[t].zh : type);
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
