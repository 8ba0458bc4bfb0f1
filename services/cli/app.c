/*  app.c - the application (R8, R9): the empty form, its submission
    with its materials, the list of applications with the step each one
    waits for (or every step overdue, whoever owes it), and one
    application shown whole: the form, the review, the requests and
    duties after approval, the history.                                 */
#include "app.h"
#include "elastic.h"
#include "form_render.h"
#include "table.h"
#include "yjc_json.h"
#include "yjc_lifecycle.h"
#include "yjc_obligations.h"

//  An empty form, derived from its one definition in proto/: each value
//  shows what goes there ("a|b|c" lists the choices).

//  True when `o`'s `key` says so (a boolean, or the text "true"): a
//  deadline computed on a year not yet published (暂定).
static bool
s_flag (const msgpack_object *o, const char *key)
{
    const msgpack_object *v = yjc_obj_get (o, key);
    char text[8];
    return v && ((v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean) ||
                 streq (yjc_obj_strcpy (o, key, text, sizeof text), "true"));
}

//  A deadline as a clerk reads it: "2027-01-04", or "2027-01-04（暂定）"
//  when it rests on a provisional year; "" when there is none.
static const char *
s_date_mark (const msgpack_object *o,
             const char *due_key,
             const char *provisional_key,
             char *out,
             size_t size)
{
    char due[16];
    yjc_obj_strcpy (o, due_key, due, sizeof due);
    snprintf (out,
              size,
              "%s%s",
              due,
              *due && s_flag (o, provisional_key) ? "（暂定）" : "");
    return out;
}

static void
s_pack_template (msgpack_packer *pk, const yjc_schema_t *schema)
{
    int n = 0;
    for (const yjc_field_t *f = schema->fields; f->key; f++)
        n++;
    msgpack_pack_map (pk, n);
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        yjc_pk_str (pk, f->key);
        switch (f->kind) {
            case YJC_K_INT: msgpack_pack_int (pk, 0); break;
            case YJC_K_BOOL: msgpack_pack_false (pk); break;
            case YJC_K_DATE: yjc_pk_str (pk, "YYYY-MM-DD"); break;
            case YJC_K_ENUM: yjc_pk_str (pk, f->enumv); break;
            case YJC_K_MAP: s_pack_template (pk, f->sub); break;
            case YJC_K_ARR_MAP:
                msgpack_pack_array (pk, 1);
                s_pack_template (pk, f->sub);
                break;
            case YJC_K_ARR_ENUM:
                msgpack_pack_array (pk, 1);
                yjc_pk_str (pk, f->enumv);
                break;
            case YJC_K_ARR_STR:
                msgpack_pack_array (pk, 1);
                yjc_pk_str (pk, "");
                break;
            default: yjc_pk_str (pk, ""); break;
        }
    }
}

int
app_cmd_form_template (cli_opts_t *opts)
{
    (void)opts;
    yjc_pack_t form;
    yjc_pack_init (&form);
    s_pack_template (&form.pk, &yjc_schema_form);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, form.buf.data, form.buf.size, NULL);
    cli_print_json (&un.data);
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&form);
    return 0;
}

//  apply FORM.json --attach KIND=FILE ...: R8, the form and its materials.
int
app_cmd_apply (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_key (&map, "form");
    int rc = cli_read_json (opts->args[0], &map.entries.buf);
    cli_session_t session;
    bool open =
        rc == 0 && cli_session_open (&session, opts, YJC_SVC_INTAKE) == 0;
    if (rc == 0 && !open)
        rc = 1;
    if (open && opts->nattach)
        rc = cli_upload_materials (&session, opts, &map);
    yjc_pack_t body;
    cli_body (&map, &body);
    const msgpack_object *b = NULL;
    if (open && rc == 0) {
        b = cli_session_call (
            &session, opts, YJC_SVC_INTAKE, "application.submit", &body);
        if (b && opts->json)
            cli_print_json (b);
        else if (b) {
            char app_id[33];
            printf ("申请已提交，申请编号 %s\n",
                    yjc_obj_strcpy (b, "app_id", app_id, sizeof app_id));
        }
        rc = b ? 0 : 1;
    }
    if (open)
        cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  A state in Chinese, or a step of the history that moves no state
//  ("request.approved:change": the event, and the request's or the
//  order's kind, each from its own table).
static const char *
s_history_zh (const char *state)
{
    if (yjc_state_by_code (state) >= 0)
        return yjc_state_zh (state);
    static char step[160];
    const char *colon = strchr (state, ':');
    size_t n = colon ? (size_t)(colon - state) : strlen (state);
    int ev = yjc_event_by_wire (state, n);
    if (ev < 0)
        return state;
    const char *kind = colon ? colon + 1 : "";
    bool request = ev == YJC_EV_REQUEST_SUBMITTED ||
                   ev == YJC_EV_REQUEST_APPROVED ||
                   ev == YJC_EV_REQUEST_REJECTED;
    snprintf (step,
              sizeof step,
              "%s%s%s%s",
              yjc_event_defs[ev].zh,
              *kind ? "（" : "",
              !*kind    ? ""
              : request ? yjc_request_zh (kind)
                        : yjc_order_zh (kind),
              *kind ? "）" : "");
    return step;
}

//  The unit's requests (kind and the bureau's decision, each in its own
//  vocabulary) and every duty with who owes it, as tables.
static void
s_print_lifecycle (const msgpack_object *review)
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
            char what[33], ref[33], owed[16], due[32], rule[96], closed[8];
            yjc_obj_strcpy (d, "closed", closed, sizeof closed);
            s_date_mark (d, "due", "provisional", due, sizeof due);
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

//  R18: the enforcement measure while it lasts (the state never goes
//  back a rank, so it is shown beside it); R19: the security staff.
static void
s_print_inspect (const msgpack_object *review)
{
    char m[17], st[17], name[65], phone[41];
    if (*yjc_obj_strcpy (review, "enforcement", m, sizeof m)) {
        yjc_obj_strcpy (review, "enforcement_state", st, sizeof st);
        const char *zh = yjc_value_zh ("measure", m, strlen (m));
        cli_print_padded (stdout, "强制措施", 10);
        printf (" %s（%s，R18）\n",
                zh ? zh : m,
                streq (st, "in_force")  ? "执行中"
                : streq (st, "lifting") ? "解除中"
                                        : "已通知供应商执行");
    }
    const msgpack_object *staff = yjc_obj_get (review, "security_staff");
    if (staff && staff->type == MSGPACK_OBJECT_MAP) {
        cli_print_padded (stdout, "安全管理人员", 10);
        printf (" %s %s\n",
                yjc_obj_strcpy (staff, "name", name, sizeof name),
                yjc_obj_strcpy (staff, "phone", phone, sizeof phone));
    }
}

//  show APP: the 审核表 with the grant beside each line, the materials,
//  the requests and duties after approval, the review, the history.
int
app_cmd_show (cli_opts_t *opts)
{
    yjc_pack_t body;
    cli_pack_app (&body, opts->args[0], NULL);
    cli_session_t intake, review;
    const msgpack_object *a =
        cli_call (&intake, opts, YJC_SVC_INTAKE, "application.get", &body);
    const msgpack_object *r =
        a ? cli_call (&review, opts, YJC_SVC_REVIEW, "review.get", &body)
          : NULL;
    if (!a)
        memset (&review, 0, sizeof review);
    if (a && opts->json) {
        printf ("{\"application\": ");
        char *text = yjc_json_from_object (a, false);
        printf ("%s, \"review\": ", text ? text : "null");
        free (text);
        text = r ? yjc_json_from_object (r, false) : NULL;
        printf ("%s}\n", text ? text : "null");
        free (text);
    }
    else if (a) {
        char state[33];
        printf ("永嘉县政务云平台资源申请审核表\n");
        cli_line ("编号", a, "number");
        cli_line ("申请编号", a, "app_id");
        cli_line ("申请单位", a, "unit");
        cli_line ("项目名称", a, "project");
        cli_print_padded (stdout, "当前状态", 10);
        printf (
            " %s\n",
            yjc_state_zh (yjc_obj_strcpy (a, "state", state, sizeof state)));
        s_print_inspect (r); //  R18, R19
        cli_line ("提交时间", a, "submitted_at");
        char from[11], to[11], notice[11];
        int64_t months = 0, days = 0;
        yjc_obj_int (a, "usage_months", &months);
        yjc_obj_int (a, "usage_days", &days);
        //  R14.1-R14.2: the period from go-live, its last day (day-off
        //  shifted) once computed, and the notice day
        yjc_obj_strcpy (a, "usage_from", from, sizeof from);
        yjc_obj_strcpy (a, "usage_to", to, sizeof to);
        const msgpack_object *prov = yjc_obj_get (a, "usage_provisional");
        bool provisional =
            prov && prov->type == MSGPACK_OBJECT_BOOLEAN && prov->via.boolean;
        long long length = (long long)(months > 0 ? months : days);
        const char *unit = months > 0 ? "个月" : "日";
        if (*from && *to) {
            cli_print_padded (stdout, "使用期限", 10);
            printf (" 自 %s 至 %s（%lld %s%s，R14.1）\n",
                    from,
                    to,
                    length,
                    unit,
                    provisional ? "，暂定" : "");
        }
        else if (*from) {
            cli_print_padded (stdout, "使用期限", 10);
            printf (" 自 %s 起 %lld %s（R14.1，届满日计算中）\n",
                    from,
                    length,
                    unit);
        }
        if (*to && *yjc_obj_strcpy (a, "notice_due", notice, sizeof notice)) {
            cli_print_padded (stdout, "到期通知", 10);
            printf (" 供应商须于 %s 前通知使用单位和主管部门（R14.2）\n",
                    notice);
        }
        const msgpack_object *granted = r ? yjc_obj_get (r, "granted") : NULL;
        form_render (stdout,
                     yjc_obj_get (a, "form"),
                     granted && granted->type == MSGPACK_OBJECT_MAP ? granted
                                                                    : NULL);
        form_render_materials (stdout, yjc_obj_get (a, "materials"));
        if (r)
            s_print_lifecycle (r);
        if (r)
            elastic_print (r); //  R11.2
        printf ("审核\n");
        if (r) {
            char due_text[32];
            if (*s_date_mark (r,
                              "accept_due",
                              "accept_provisional",
                              due_text,
                              sizeof due_text)) {
                cli_print_padded (stdout, "受理期限", 10);
                printf (" %s\n", due_text);
            }
            cli_line ("期限依据", r, "accept_rule");
            if (*s_date_mark (r,
                              "decide_due",
                              "decide_provisional",
                              due_text,
                              sizeof due_text)) {
                cli_print_padded (stdout, "审核期限", 10);
                printf (" %s\n", due_text);
            }
            cli_line ("期限依据", r, "decide_rule");
            cli_line ("审核意见", r, "opinion");
            int64_t late;
            char due[16];
            if (yjc_obj_int (r, "late_workdays", &late)) {
                //  the application's own step (R9.1, R9.2) is the bureau's
                cli_print_padded (stdout, "逾期", 10);
                printf (" 已逾期 %lld 个工作日（期限 %s，%s办理）\n",
                        (long long)late,
                        yjc_obj_strcpy (r, "pending_due", due, sizeof due),
                        yjc_parties[YJC_PARTY_BUREAU].zh);
            }
        }
        const msgpack_object *h = yjc_obj_get (a, "history");
        printf ("办理过程：\n");
        cli_table_t *table = cli_table_new (3, 2);
        for (uint32_t i = 0; h && i < h->via.array.size; i++) {
            const msgpack_object *e = &h->via.array.ptr[i];
            char at[32], st[48], note[256];
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "at", at, sizeof at),
                s_history_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "note", note, sizeof note));
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = a ? 0 : 1;
    cli_session_close (&intake);
    if (a)
        cli_session_close (&review);
    yjc_pack_release (&body);
    return rc;
}

//  The step a row of review.pending, review.overdue or order.overdue is
//  owed, in Chinese: its deadline code ("step") when the service names
//  it; else an order's deadline (the vendor's), or what the row's state
//  says (an application waiting to be accepted or decided, or a duty
//  named by its deadline code).  `buf` holds an unlisted code.
static const char *
s_step_zh (const msgpack_object *row, char *buf, size_t size)
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
static const char *
s_owed_by_zh (const msgpack_object *row, char *buf, size_t size)
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
        char id[33], step[33], due[32], unit[129], owed[16], rule[96];
        char days[32];
        int64_t late = 0;
        yjc_obj_int (e, "late_workdays", &late);
        snprintf (days, sizeof days, "%lld 个工作日", (long long)late);
        cli_table_row (table,
                       yjc_obj_strcpy (e, "app_id", id, sizeof id),
                       s_step_zh (e, step, sizeof step),
                       s_owed_by_zh (e, owed, sizeof owed),
                       s_date_mark (e, "due", "provisional", due, sizeof due),
                       days,
                       yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                       yjc_obj_strcpy (e, "rule", rule, sizeof rule));
    }
}

//  R16: the vendor's O&M reports owed to units, past due: the period
//  stands where an application's id would.
static void
s_obligation_rows (cli_table_t *table, const msgpack_object *list)
{
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char code[33], period[16], due[11], unit[129], rule[400], days[32];
        int64_t late = 0;
        yjc_obj_int (e, "late_workdays", &late);
        snprintf (days, sizeof days, "%lld 个工作日", (long long)late);
        int o = yjc_obligation_by_code (
            yjc_obj_strcpy (e, "code", code, sizeof code));
        cli_table_row (table,
                       yjc_obj_strcpy (e, "period", period, sizeof period),
                       o >= 0 ? yjc_obligations[o].zh : code,
                       yjc_parties[YJC_PARTY_VENDOR].zh,
                       yjc_obj_strcpy (e, "due", due, sizeof due),
                       days,
                       yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                       yjc_obj_strcpy (e, "rule", rule, sizeof rule));
    }
}

//  list --overdue: what the bureau and the unit owe (review) and what the
//  vendor owes (provisioning: its orders, and its O&M reports owed to
//  units, R16), each with its deadline, its rule and how many working
//  days late (time rules).
static int
s_list_overdue (cli_opts_t *opts)
{
    cli_session_t review, orders, duties;
    const msgpack_object *r =
        cli_call (&review, opts, YJC_SVC_REVIEW, "review.overdue", NULL);
    const msgpack_object *o =
        r ? cli_call (
                &orders, opts, YJC_SVC_PROVISIONING, "order.overdue", NULL)
          : NULL;
    const msgpack_object *d =
        o ? cli_call (
                &duties, opts, YJC_SVC_PROVISIONING, "obligation.overdue", NULL)
          : NULL;
    const msgpack_object *late = r ? yjc_obj_get (r, "overdue") : NULL;
    const msgpack_object *late_orders = o ? yjc_obj_get (o, "overdue") : NULL;
    const msgpack_object *late_duties = d ? yjc_obj_get (d, "overdue") : NULL;
    if (r && o && d && opts->json) {
        char *a = yjc_json_from_object (late, false);
        char *b = yjc_json_from_object (late_orders, false);
        char *c = yjc_json_from_object (late_duties, false);
        printf ("{\"overdue\": %s, \"orders\": %s, \"obligations\": %s}\n",
                a ? a : "[]",
                b ? b : "[]",
                c ? c : "[]");
        free (a);
        free (b);
        free (c);
    }
    else if (r && o && d) {
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
        s_obligation_rows (table, late_duties);
        if (cli_table_rows (table) == 1)
            printf ("（没有逾期事项）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = r && o && d ? 0 : 1;
    cli_session_close (&review);
    if (r)
        cli_session_close (&orders);
    if (o)
        cli_session_close (&duties);
    return rc;
}

//  The step one application of review.pending's list waits for: the
//  earliest (the list is by deadline), or NULL when it owes nothing.
static const msgpack_object *
s_pending_of (const msgpack_object *pending, const char *app_id)
{
    for (uint32_t i = 0; pending && pending->type == MSGPACK_OBJECT_ARRAY &&
                         i < pending->via.array.size;
         i++) {
        const msgpack_object *p = &pending->via.array.ptr[i];
        char id[33];
        if (streq (yjc_obj_strcpy (p, "app_id", id, sizeof id), app_id))
            return p;
    }
    return NULL;
}

//  "2026-12-03" or "2026-12-03 逾期2个工作日": a pending step's deadline.
static const char *
s_due_text (const msgpack_object *p, char *out, size_t size)
{
    char due[32];
    int64_t late = 0;
    s_date_mark (p, "due", "provisional", due, sizeof due);
    if (yjc_obj_int (p, "late_workdays", &late) && late > 0)
        snprintf (out, size, "%.32s 逾期%lld个工作日", due, (long long)late);
    else
        snprintf (out, size, "%s", due);
    return out;
}

int
app_cmd_list (cli_opts_t *opts)
{
    if (opts->overdue && (opts->state || opts->unit || opts->year)) {
        fprintf (stderr, "选项 --overdue 不与 --state、--unit、--year 同用\n");
        return 2;
    }
    if (opts->overdue)
        return s_list_overdue (opts);
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->state)
        yjc_map_str (&map, "state", opts->state);
    if (opts->unit)
        yjc_map_str (&map, "unit", opts->unit);
    if (opts->year)
        yjc_map_int (&map, "year", opts->year);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session, review;
    const msgpack_object *b =
        cli_call (&session, opts, YJC_SVC_INTAKE, "application.list", &body);
    //  the deadline of the step each one waits for (R9.1, R9.2), from
    //  review; the list stands without it if review does not answer
    yjc_pack_t query;
    yjc_pack_init (&query);
    msgpack_pack_map (&query.pk, 1);
    yjc_pk_kv_int (&query.pk, "limit", 500);
    const msgpack_object *r =
        b ? cli_call (&review, opts, YJC_SVC_REVIEW, "review.pending", &query)
          : NULL;
    const msgpack_object *pending = r ? yjc_obj_get (r, "pending") : NULL;
    if (b && opts->json) {
        char *apps =
            yjc_json_from_object (yjc_obj_get (b, "applications"), false);
        char *due = pending ? yjc_json_from_object (pending, false) : NULL;
        printf ("{\"applications\": %s, \"pending\": %s}\n",
                apps ? apps : "[]",
                due ? due : "null");
        free (apps);
        free (due);
    }
    else if (b) {
        const msgpack_object *list = yjc_obj_get (b, "applications");
        cli_table_t *table = cli_table_new (8, 0);
        cli_table_row (table,
                       "申请编号",
                       "提交时间",
                       "状态",
                       "应办事项",
                       "谁办",
                       "办理期限",
                       "单位 / 项目",
                       "使用期限");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], at[32], st[33], unit[129], project[129];
            char step[33] = "", owed[16] = "", due[96] = "", who[300];
            char from[11], to[11], period[40] = "", measure[17];
            char state[96];
            yjc_obj_strcpy (e, "app_id", id, sizeof id);
            //  R18: the measure in force beside the state
            yjc_obj_strcpy (e, "state", st, sizeof st);
            yjc_obj_strcpy (e, "enforcement", measure, sizeof measure);
            const char *zh =
                yjc_value_zh ("measure", measure, strlen (measure));
            snprintf (state,
                      sizeof state,
                      "%s%s%s%s",
                      yjc_state_zh (st),
                      *measure ? "（" : "",
                      *measure ? (zh ? zh : measure) : "",
                      *measure ? "中）" : "");
            //  R14.1: 自 X 至 Y, once computed
            if (*yjc_obj_strcpy (e, "usage_from", from, sizeof from) &&
                *yjc_obj_strcpy (e, "usage_to", to, sizeof to))
                snprintf (period, sizeof period, "%s 至 %s", from, to);
            const msgpack_object *p = s_pending_of (pending, id);
            snprintf (who,
                      sizeof who,
                      "%s / %s",
                      yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                      yjc_obj_strcpy (e, "project", project, sizeof project));
            cli_table_row (table,
                           id,
                           yjc_obj_strcpy (e, "submitted_at", at, sizeof at),
                           state,
                           p ? s_step_zh (p, step, sizeof step) : "",
                           p ? s_owed_by_zh (p, owed, sizeof owed) : "",
                           p ? s_due_text (p, due, sizeof due) : "",
                           who,
                           period);
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    if (b)
        cli_session_close (&review);
    yjc_pack_release (&body);
    yjc_pack_release (&query);
    return rc;
}
