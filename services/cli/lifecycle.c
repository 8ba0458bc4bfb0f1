/*  lifecycle.c - the commands after approval (R10-R13): the unit's
    requests (extend the test, go live, change, terminate), an emergency
    change reported by the unit or the vendor, the bureau's decisions on
    requests, and every step owed by anyone with its deadline.          */
#include "cli.h"

//  The step a row of review.pending, review.overdue or order.overdue is
//  owed, in Chinese: its deadline code ("step") when the service names
//  it; else an order's deadline (the vendor's), or what the row's state
//  says (an application waiting to be accepted or decided, or a duty
//  named by its deadline code).  `buf` holds an unlisted code.
const char *
cli_step_zh (const msgpack_object *row, char *buf, size_t size)
{
    if (*yjc_obj_strcpy (row, "step", buf, size))
        return yjc_deadline_zh (buf);
    if (*yjc_obj_strcpy (row, "kind", buf, size)) {
        int k = yjc_order_by_kind (buf);
        return k >= 0 && yjc_orders[k].deadline >= 0
                   ? yjc_deadlines[yjc_orders[k].deadline].zh
                   : yjc_order_zh (buf);
    }
    int state = yjc_state_by_code (yjc_obj_strcpy (row, "state", buf, size));
    if (state == YJC_STATE_SUBMITTED)
        return yjc_deadlines[YJC_DL_ACCEPT].zh; //  R9.1
    if (state == YJC_STATE_ACCEPTED)
        return yjc_deadlines[YJC_DL_DECIDE].zh; //  R9.2
    return yjc_deadline_zh (buf);
}

//  Who owes the row's step, in Chinese; an order is the vendor's.
const char *
cli_owed_by_zh (const msgpack_object *row, char *buf, size_t size)
{
    if (*yjc_obj_strcpy (row, "owed_by", buf, size))
        return yjc_party_zh (buf);
    return yjc_obj_get (row, "kind") ? yjc_parties[YJC_PARTY_VENDOR].zh : "";
}

static void
s_overdue_rows (cli_table_t *table, const msgpack_object *list)
{
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char id[33], step[33], due[11], unit[129], owed[16], rule[96];
        char days[32];
        int64_t late = 0;
        yjc_obj_int (e, "late_workdays", &late);
        snprintf (days, sizeof days, "%lld 个工作日", (long long)late);
        cli_table_row (table,
                       yjc_obj_strcpy (e, "app_id", id, sizeof id),
                       cli_step_zh (e, step, sizeof step),
                       cli_owed_by_zh (e, owed, sizeof owed),
                       yjc_obj_strcpy (e, "due", due, sizeof due),
                       days,
                       yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                       yjc_obj_strcpy (e, "rule", rule, sizeof rule));
    }
}

//  list --overdue: what the bureau and the unit owe (review) and what the
//  vendor owes (provisioning), each with its deadline, its rule and how
//  many working days late (time rules).
int
cli_cmd_overdue (cli_opts_t *opts)
{
    cli_session_t review, orders;
    const msgpack_object *r =
        cli_call (&review, opts, YJC_SVC_REVIEW, "review.overdue", NULL);
    const msgpack_object *o =
        r ? cli_call (
                &orders, opts, YJC_SVC_PROVISIONING, "order.overdue", NULL)
          : NULL;
    const msgpack_object *late = r ? yjc_obj_get (r, "overdue") : NULL;
    const msgpack_object *late_orders = o ? yjc_obj_get (o, "overdue") : NULL;
    if (r && o && opts->json) {
        char *a = yjc_json_from_object (late, false);
        char *b = yjc_json_from_object (late_orders, false);
        printf (
            "{\"overdue\": %s, \"orders\": %s}\n", a ? a : "[]", b ? b : "[]");
        free (a);
        free (b);
    }
    else if (r && o) {
        cli_table_t *table = cli_table_new (7, 0);
        cli_table_row (table,
                       "申请编号",
                       "应办事项",
                       "谁办",
                       "办理期限",
                       "逾期",
                       "单位",
                       "依据");
        s_overdue_rows (table, late);
        s_overdue_rows (table, late_orders);
        if (cli_table_rows (table) == 1)
            printf ("（没有逾期事项）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = r && o ? 0 : 1;
    cli_session_close (&review);
    if (r)
        cli_session_close (&orders);
    return rc;
}

//  Sends one request of the unit to intake (or an emergency report to the
//  adapter) and says what became of it.
static int
s_send (cli_opts_t *opts,
        int service,
        const char *type,
        yjc_pack_t *body,
        const char *done_zh) //  printf format of the new id
{
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, service, type, body, &done);
    if (!done) {
        char id[33];
        if (!*yjc_obj_strcpy (b, "request_id", id, sizeof id))
            yjc_obj_strcpy (b, "order_id", id, sizeof id);
        printf (done_zh, id);
        printf ("\n");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (body);
    return rc;
}

static bool
s_need (const char *value, const char *option)
{
    if (value && *value)
        return true;
    fprintf (stderr, "请用 %s 给出\n", option);
    return false;
}

//  extend APP --until DATE --reason TEXT: R10.2.
int
cli_cmd_extend (cli_opts_t *opts)
{
    if (!s_need (opts->until, "--until 日期") ||
        !s_need (opts->reason, "--reason 理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_str (&body.pk, "until", opts->until);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    return s_send (opts,
                   YJC_SVC_INTAKE,
                   "request.extend_test",
                   &body,
                   "延长测试申请已提交，编号 %s");
}

//  golive APP --function T --performance T --security T
//         [--report FILE --lab NAME --cnas NO]: R10.3, R11.1.
int
cli_cmd_golive (cli_opts_t *opts)
{
    if (!s_need (opts->function, "--function 功能测试结果") ||
        !s_need (opts->performance, "--performance 性能测试结果") ||
        !s_need (opts->security, "--security 安全测试结果"))
        return 2;
    if (opts->report && (!s_need (opts->lab, "--lab 测评机构") ||
                         !s_need (opts->cnas, "--cnas CNAS 认可编号")))
        return 2;
    files_info_t report = { 0 };
    if (opts->report) {
        cli_session_t intake;
        if (cli_session_open (&intake, opts, YJC_SVC_INTAKE) != 0)
            return 1;
        int rc =
            cli_upload (&intake, opts, opts->report, "第三方测评报告", &report);
        cli_session_close (&intake);
        if (rc != 0)
            return rc;
    }
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, opts->report ? 3 : 2);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_str (&body.pk, "results");
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "function", opts->function);
    yjc_pk_kv_str (&body.pk, "performance", opts->performance);
    yjc_pk_kv_str (&body.pk, "security", opts->security);
    if (opts->report) {
        yjc_pk_str (&body.pk, "test_report");
        msgpack_pack_map (&body.pk, 3);
        yjc_pk_kv_str (&body.pk, "lab", opts->lab);
        yjc_pk_kv_str (&body.pk, "cnas_no", opts->cnas);
        yjc_pk_kv_str (&body.pk, "att_id", report.att_id);
    }
    return s_send (opts,
                   YJC_SVC_INTAKE,
                   "request.go_live",
                   &body,
                   "上线申请已提交，编号 %s");
}

//  change APP RESOURCES.json --reason TEXT [--major --attach K=F…]
//         [--emergency ORDER]: R12 (the paperwork of an emergency one).
int
cli_cmd_change (cli_opts_t *opts)
{
    if (!s_need (opts->reason, "--reason 变更理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      3 + opts->major + (opts->emergency != NULL) +
                          (opts->nattach > 0));
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    yjc_pk_str (&body.pk, "resources");
    int rc = cli_read_json (opts->args[1], &body.buf);
    if (opts->major)
        yjc_pk_kv_bool (&body.pk, "major", true);
    if (opts->emergency)
        yjc_pk_kv_str (&body.pk, "emergency_order", opts->emergency);
    if (rc == 0 && opts->nattach) {
        cli_session_t intake;
        rc = cli_session_open (&intake, opts, YJC_SVC_INTAKE) == 0
                 ? cli_upload_materials (&intake, opts, &body.pk)
                 : 1;
        cli_session_close (&intake);
    }
    if (rc != 0) {
        yjc_pack_release (&body);
        return rc;
    }
    return s_send (opts,
                   YJC_SVC_INTAKE,
                   "request.change",
                   &body,
                   opts->emergency ? "紧急变更补办手续已提交，编号 %s"
                                   : "变更申请已提交，编号 %s");
}

//  terminate APP --offline-confirmed --data backed_up|migrated
//            --reason TEXT: R13.1.
int
cli_cmd_terminate (cli_opts_t *opts)
{
    if (!s_need (opts->data, "--data backed_up|migrated") ||
        !s_need (opts->reason, "--reason 理由"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 4);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_bool (&body.pk, "offline_confirmed", opts->offline_confirmed);
    yjc_pk_kv_str (&body.pk, "data", opts->data);
    yjc_pk_kv_str (&body.pk, "reason", opts->reason);
    return s_send (opts,
                   YJC_SVC_INTAKE,
                   "request.terminate",
                   &body,
                   "终止申请已提交，编号 %s");
}

//  emergency APP RESOURCES.json --reason TEXT: R12.3, by the unit or the
//  vendor; the paperwork follows with change --emergency ORDER.
int
cli_cmd_emergency (cli_opts_t *opts)
{
    if (!s_need (opts->reason, "--reason 紧急情况说明"))
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    yjc_pk_kv_str (&body.pk, "description", opts->reason);
    yjc_pk_str (&body.pk, "resources");
    int rc = cli_read_json (opts->args[1], &body.buf);
    if (rc != 0) {
        yjc_pack_release (&body);
        return rc;
    }
    return s_send (opts,
                   YJC_SVC_PROVISIONING,
                   "emergency.report",
                   &body,
                   "紧急变更已报备，订单 "
                   "%s，供应商可立即实施；使用单位须在期限内补办变更手续");
}

static int
s_decide (cli_opts_t *opts, const char *type, const char *done_zh)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      1 + (opts->opinion != NULL) + (opts->grant != NULL) +
                          (opts->until != NULL));
    yjc_pk_kv_str (&body.pk, "request_id", opts->args[0]);
    if (opts->opinion)
        yjc_pk_kv_str (&body.pk, "opinion", opts->opinion);
    if (opts->until)
        yjc_pk_kv_str (&body.pk, "until", opts->until);
    if (cli_pack_grant (opts, &body) != 0) {
        yjc_pack_release (&body);
        return 2;
    }
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

//  reorder ORDER [--opinion TEXT]: R7, the bureau orders again what the
//  vendor failed.
int
cli_cmd_reorder (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, opts->opinion ? 2 : 1);
    yjc_pk_kv_str (&body.pk, "order_id", opts->args[0]);
    if (opts->opinion)
        yjc_pk_kv_str (&body.pk, "opinion", opts->opinion);
    return s_send (opts,
                   YJC_SVC_PROVISIONING,
                   "order.reorder",
                   &body,
                   "已重新下单，订单 %s");
}

int
cli_cmd_request_approve (cli_opts_t *opts)
{
    return s_decide (opts, "request.approve", "同意");
}

int
cli_cmd_request_reject (cli_opts_t *opts)
{
    if (!s_need (opts->opinion, "--opinion 意见"))
        return 2;
    return s_decide (opts, "request.reject", "不同意");
}

//  The unit's requests (kind and the bureau's decision, each in its own
//  vocabulary) and every duty with who owes it, as tables.
void
cli_print_lifecycle (const msgpack_object *review)
{
    const msgpack_object *requests = yjc_obj_get (review, "requests");
    const msgpack_object *duties = yjc_obj_get (review, "duties");
    if (requests && requests->type == MSGPACK_OBJECT_ARRAY &&
        requests->via.array.size) {
        printf ("申请事项：\n");
        cli_table_t *table = cli_table_new (5, 2);
        cli_table_row (table, "编号", "提交时间", "事项", "结果", "意见");
        for (uint32_t i = 0; i < requests->via.array.size; i++) {
            const msgpack_object *q = &requests->via.array.ptr[i];
            char id[33], kind[17], state[17], at[32], opinion[256];
            cli_table_row (
                table,
                yjc_obj_strcpy (q, "request_id", id, sizeof id),
                yjc_obj_strcpy (q, "submitted_at", at, sizeof at),
                yjc_request_zh (yjc_obj_strcpy (q, "kind", kind, sizeof kind)),
                yjc_request_state_zh (
                    yjc_obj_strcpy (q, "state", state, sizeof state)),
                yjc_obj_strcpy (q, "opinion", opinion, sizeof opinion));
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    if (duties && duties->type == MSGPACK_OBJECT_ARRAY &&
        duties->via.array.size) {
        printf ("期限事项：\n");
        cli_table_t *table = cli_table_new (6, 2);
        cli_table_row (
            table, "事项", "关联编号", "谁办", "期限", "办结", "依据");
        for (uint32_t i = 0; i < duties->via.array.size; i++) {
            const msgpack_object *d = &duties->via.array.ptr[i];
            char what[33], ref[33], owed[16], due[11], rule[96], closed[8];
            yjc_obj_strcpy (d, "closed", closed, sizeof closed);
            yjc_obj_strcpy (d, "due", due, sizeof due);
            cli_table_row (
                table,
                yjc_deadline_zh (yjc_obj_strcpy (d, "what", what, sizeof what)),
                yjc_obj_strcpy (d, "ref", ref, sizeof ref),
                yjc_party_zh (yjc_obj_strcpy (d, "owed_by", owed, sizeof owed)),
                *due ? due : "未设期限",
                streq (closed, "true") ? "已办结" : "未办结",
                yjc_obj_strcpy (d, "rule", rule, sizeof rule));
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
}
