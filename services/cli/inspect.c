/*  inspect.c - R18: the bureau records an inspection and its findings,
    the unit reports each rectification, the bureau accepts it or sends
    it back, and orders (then lifts) an enforcement measure of a major
    finding not rectified in time; R19: the unit's security staff.      */
#include "inspect.h"
#include "table.h"
#include "yjc_lifecycle.h"

//  Sends `map` to review as `type`; prints `done_zh` after `id`.
static int
s_send (cli_opts_t *opts,
        yjc_map_t *map,
        const char *type,
        const char *id,
        const char *done_zh)
{
    yjc_pack_t body;
    cli_body (map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, YJC_SVC_REVIEW, type, &body, &done);
    if (!done)
        printf ("%s：%s\n", id, done_zh);
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  security-staff APP --name … --phone … (R19, the unit)
int
inspect_cmd_staff (cli_opts_t *opts)
{
    if (!cli_need (opts->name, "--name 姓名") ||
        !cli_need (opts->phone, "--phone 电话"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    yjc_map_str (&map, "name", opts->name);
    yjc_map_str (&map, "phone", opts->phone);
    return s_send (opts,
                   &map,
                   "security_staff.update",
                   opts->args[0],
                   "安全管理人员已更新");
}

//  inspect record FILE.json: {date, authority, scope, findings: […]}
int
inspect_cmd_record (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    int rc = cli_read_json (opts->args[0], &body.buf);
    cli_session_t session;
    memset (&session, 0, sizeof session);
    bool done = true;
    const msgpack_object *b = rc == 0 ? cli_call_body (&session,
                                                       opts,
                                                       YJC_SVC_REVIEW,
                                                       "inspection.record",
                                                       &body,
                                                       &done)
                                      : NULL;
    if (b && !done) {
        char id[33];
        printf ("检查已记录，编号 %s\n",
                yjc_obj_strcpy (b, "inspection_id", id, sizeof id));
        const msgpack_object *list = yjc_obj_get (b, "findings");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
                             i < list->via.array.size;
             i++) {
            const msgpack_object *f = &list->via.array.ptr[i];
            char fid[33], app[33], due[11];
            printf ("  问题 %s（申请 %s）整改期限 %s\n",
                    yjc_obj_strcpy (f, "finding_id", fid, sizeof fid),
                    yjc_obj_strcpy (f, "app_id", app, sizeof app),
                    *yjc_obj_strcpy (f, "due", due, sizeof due) ? due : "待定");
        }
    }
    if (rc == 0)
        rc = b ? 0 : 1;
    if (rc != 2)
        cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  rectify FINDING --text … [--attach ID]… (the unit)
int
inspect_cmd_rectify (cli_opts_t *opts)
{
    if (!cli_need (opts->text, "--text 整改情况"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "finding_id", opts->args[0]);
    yjc_map_str (&map, "text", opts->text);
    if (opts->nattach) {
        msgpack_packer *pk = yjc_map_key (&map, "attachments");
        msgpack_pack_array (pk, (uint32_t)opts->nattach);
        for (int i = 0; i < opts->nattach; i++)
            yjc_pk_str (pk, opts->attach[i]);
    }
    return s_send (
        opts, &map, "finding.rectify", opts->args[0], "整改情况已报送主管部门");
}

static int
s_decide (cli_opts_t *opts, const char *type, const char *done_zh)
{
    if (!cli_need (opts->opinion, "--opinion 意见"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "finding_id", opts->args[0]);
    yjc_map_str (&map, "opinion", opts->opinion);
    return s_send (opts, &map, type, opts->args[0], done_zh);
}

int
inspect_cmd_accept (cli_opts_t *opts)
{
    return s_decide (opts, "finding.accept", "整改通过");
}

int
inspect_cmd_return (cli_opts_t *opts)
{
    return s_decide (opts, "finding.return", "整改退回，单位须继续整改");
}

//  findings [--open] [--overdue] [--app APP]
int
inspect_cmd_list (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->open)
        yjc_map_bool (&map, "open", true);
    if (opts->overdue)
        yjc_map_bool (&map, "overdue", true);
    if (opts->app)
        yjc_map_str (&map, "app_id", opts->app);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "finding.list", &body, &done);
    if (!done) {
        static const struct {
            const char *code, *zh;
        } states[] = { { "open", "待整改" },
                       { "rectified", "已报送整改" },
                       { "returned", "整改被退回" },
                       { "passed", "整改通过" } };
        const msgpack_object *list = yjc_obj_get (b, "findings");
        cli_table_t *table = cli_table_new (7, 0);
        cli_table_row (table,
                       "编号",
                       "申请",
                       "等级",
                       "整改期限",
                       "状态",
                       "强制措施",
                       "问题");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *f = &list->via.array.ptr[i];
            char id[33], app[33], sev[17], due[11], st[17], m[17], text[256],
                over[8], due_text[40];
            yjc_obj_strcpy (f, "state", st, sizeof st);
            const char *st_zh = st;
            for (size_t k = 0; k < sizeof states / sizeof *states; k++)
                if (streq (st, states[k].code))
                    st_zh = states[k].zh;
            yjc_obj_strcpy (f, "severity", sev, sizeof sev);
            yjc_obj_strcpy (f, "enforcement", m, sizeof m);
            const char *sev_zh = yjc_value_zh ("severity", sev, strlen (sev));
            const char *m_zh = yjc_value_zh ("measure", m, strlen (m));
            snprintf (
                due_text,
                sizeof due_text,
                "%s%s",
                yjc_obj_strcpy (f, "due", due, sizeof due),
                streq (yjc_obj_strcpy (f, "overdue", over, sizeof over), "true")
                    ? "（已逾期）"
                    : "");
            cli_table_row (table,
                           yjc_obj_strcpy (f, "finding_id", id, sizeof id),
                           yjc_obj_strcpy (f, "app_id", app, sizeof app),
                           sev_zh ? sev_zh : sev,
                           due_text,
                           st_zh,
                           *m ? (m_zh ? m_zh : m) : "无",
                           yjc_obj_strcpy (f, "text", text, sizeof text));
        }
        if (cli_table_rows (table) == 1)
            printf ("（没有检查发现的问题）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  enforce FINDING --measure cut_network|take_offline|suspend [--opinion]
int
inspect_cmd_enforce (cli_opts_t *opts)
{
    if (!cli_need (opts->measure, "--measure cut_network|take_offline|suspend"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "finding_id", opts->args[0]);
    yjc_map_str (&map, "measure", opts->measure);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    return s_send (opts,
                   &map,
                   "enforcement.order",
                   opts->args[0],
                   "已决定采取强制措施，已通知供应商执行");
}

//  enforce lift FINDING [--opinion] (after the rectification is accepted)
int
inspect_cmd_lift (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "finding_id", opts->args[0]);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    return s_send (opts,
                   &map,
                   "enforcement.lift",
                   opts->args[0],
                   "已决定解除强制措施，已通知供应商执行");
}
