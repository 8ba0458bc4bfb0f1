/*  decide.c - the decisions on an application (R9): the bureau's
    accept, decline, approve (with its grant) and reject, the unit's
    withdraw; and the bureau's decision on a request after approval
    (R10-R13).                                                          */
#include "decide.h"
#include "yjc_lifecycle.h"

//  R9.2, R12.1: --grant GRANT.json as "granted", the bureau's grant line
//  by line (yjcloud form template, its "resources" part); 0 or 2.
static int
s_pack_grant (cli_opts_t *opts, yjc_map_t *map)
{
    if (!opts->grant)
        return 0;
    yjc_map_key (map, "granted");
    return cli_read_json (opts->grant, &map->entries.buf);
}

//  accept / decline / approve / reject / withdraw: one shape.
static int
s_decision (cli_opts_t *opts, const char *type, const char *done_zh)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    if (s_pack_grant (opts, &map) != 0) {
        yjc_map_release (&map);
        return 2;
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, YJC_SVC_REVIEW, type, &body, &done);
    if (!done) {
        printf ("%s：%s\n", opts->args[0], done_zh);
        cli_line ("编号", b, "number");
        cli_line ("审核期限", b, "decide_due");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

int
decide_cmd_accept (cli_opts_t *opts)
{
    return s_decision (opts, "review.accept", "已受理");
}

int
decide_cmd_decline (cli_opts_t *opts)
{
    return s_decision (opts, "review.decline", "不予受理");
}

int
decide_cmd_approve (cli_opts_t *opts)
{
    return s_decision (
        opts, "review.approve", "审核通过，已通知供应商开通测试环境");
}

int
decide_cmd_reject (cli_opts_t *opts)
{
    return s_decision (opts, "review.reject", "审核未通过");
}

int
decide_cmd_withdraw (cli_opts_t *opts)
{
    return s_decision (opts, "review.withdraw", "已撤回");
}

//  expire APP --opinion TEXT: R14.4 the bureau approves taking an expired
//  system offline; the vendor owes it with the backup in 15 working days.
int
decide_cmd_expire (cli_opts_t *opts)
{
    if (!cli_need (opts->opinion, "--opinion 意见"))
        return 2;
    return s_decision (
        opts, "review.expire", "已批准到期下线，已通知供应商下线并备份数据");
}

//  request approve / reject: the bureau's decision on a request of the
//  unit (R10-R13), with --until or --grant where it grants less.
static int
s_request_decision (cli_opts_t *opts, const char *type, const char *done_zh)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "request_id", opts->args[0]);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    if (opts->until)
        yjc_map_str (&map, "until", opts->until);
    if (s_pack_grant (opts, &map) != 0) {
        yjc_map_release (&map);
        return 2;
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, YJC_SVC_REVIEW, type, &body, &done);
    if (!done) {
        char id[33], kind[17];
        printf ("%s（%s）：%s\n",
                yjc_obj_strcpy (b, "request_id", id, sizeof id),
                yjc_request_zh (yjc_obj_strcpy (b, "kind", kind, sizeof kind)),
                done_zh);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

int
decide_cmd_request_approve (cli_opts_t *opts)
{
    return s_request_decision (opts, "request.approve", "同意");
}

int
decide_cmd_request_reject (cli_opts_t *opts)
{
    if (!cli_need (opts->opinion, "--opinion 意见"))
        return 2;
    return s_request_decision (opts, "request.reject", "不同意");
}
