/*  orders.c - the vendor's orders (R7): those it has to deliver, and a
    failed one ordered again by the bureau.                             */
#include "orders.h"
#include "table.h"
#include "yjc_lifecycle.h"

//  orders: what the vendor has to deliver, each with its deadline.
int
orders_cmd_list (cli_opts_t *opts)
{
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_PROVISIONING, "order.fetch", NULL, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "orders");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "订单", "申请", "类型", "状态", "交付期限");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], app[33], kind[17], st[17], due[11];
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "order_id", id, sizeof id),
                yjc_obj_strcpy (e, "app_id", app, sizeof app),
                yjc_order_zh (yjc_obj_strcpy (e, "kind", kind, sizeof kind)),
                yjc_order_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "deadline", due, sizeof due));
        }
        if (cli_table_rows (table) == 1)
            printf ("（没有待处理订单）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    return rc;
}

//  reorder ORDER [--opinion TEXT]: R7, the bureau orders again what the
//  vendor failed.
int
orders_cmd_reorder (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "order_id", opts->args[0]);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    yjc_pack_t body;
    cli_body (&map, &body);
    return cli_send (opts,
                     YJC_SVC_PROVISIONING,
                     "order.reorder",
                     &body,
                     "已重新下单，订单 %s");
}
