/*  inbox.c - what reached the actor: decisions, new duties, deadlines
    one working day away or past (proto/yjc_notify.def), and marking
    them read (per actor).                                             */
#include "inbox.h"
#include "table.h"
#include "yjc_lifecycle.h"

//  Who a notification went to, as a clerk reads it: the unit's name, or
//  the party's.
static const char *
s_recipient (const msgpack_object *e, char *buf, size_t size)
{
    char party[17];
    yjc_obj_strcpy (e, "recipient", party, sizeof party);
    if (*yjc_obj_strcpy (e, "unit", buf, size))
        return buf;
    return yjc_party_zh (party);
}

//  inbox [--unread] [--limit N] [--unit 单位]: newest first.
int
inbox_cmd_list (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->unread)
        yjc_map_bool (&map, "unread", true);
    if (opts->limit)
        yjc_map_int (&map, "limit", opts->limit);
    if (opts->unit)
        yjc_map_str (&map, "unit", opts->unit);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "inbox.list", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "notifications");
        cli_table_t *table = cli_table_new (6, 0);
        cli_table_row (table, "编号", "时间", "状态", "接收方", "通知", "内容");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[24], at[40], to[129], title[256], text[4096];
            int64_t n = 0;
            yjc_obj_int (e, "id", &n);
            snprintf (id, sizeof id, "%lld", (long long)n);
            const msgpack_object *read = yjc_obj_get (e, "read");
            bool is_read = read && read->type == MSGPACK_OBJECT_BOOLEAN &&
                           read->via.boolean;
            cli_table_row (table,
                           id,
                           yjc_obj_strcpy (e, "at", at, sizeof at),
                           is_read ? "已读" : "未读",
                           s_recipient (e, to, sizeof to),
                           yjc_obj_strcpy (e, "title", title, sizeof title),
                           yjc_obj_strcpy (e, "body", text, sizeof text));
        }
        int64_t unread = 0;
        yjc_obj_int (b, "unread", &unread);
        if (cli_table_rows (table) == 1)
            printf ("（没有通知）\n");
        else
            cli_table_print (table, stdout);
        printf ("未读 %lld 条\n", (long long)unread);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  inbox read ID | --all: marked read for this actor only.
int
inbox_cmd_read (cli_opts_t *opts)
{
    if (opts->all == (opts->nargs == 1)) {
        fprintf (stderr, "用法：yjcloud inbox read 通知编号 或 --all\n");
        return 2;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->all)
        yjc_map_bool (&map, "all", true);
    else {
        msgpack_packer *pk = yjc_map_key (&map, "ids");
        msgpack_pack_array (pk, 1);
        yjc_pk_str (pk, opts->args[0]);
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "inbox.read", &body, &done);
    if (!done) {
        int64_t n = 0;
        yjc_obj_int (b, "marked", &n);
        printf ("已标为已读 %lld 条\n", (long long)n);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
