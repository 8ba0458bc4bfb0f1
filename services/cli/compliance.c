/*  compliance.c - `yjcloud compliance --year Y`: for each of the vendor's
    obligations (proto/yjc_obligations.def; R16, R21) and period, on time,
    late by N working days or missing; then the SLA of every deadline
    rule: the provisioning adapter answers its orders' (compliance.report),
    review its decisions' and duties' (review.sla), and the rows are
    shown together.  --json: one object; --csv: two blocks (obligations,
    then the SLA), each with its header line.                           */
#include "compliance.h"
#include "table.h"
#include "yjc_lifecycle.h"
#include "yjc_obligations.h"

static const char *
s_status_zh (const char *status)
{
    return streq (status, "on_time")   ? "按时"
           : streq (status, "late")    ? "逾期"
           : streq (status, "missing") ? "缺失"
                                       : "未到期";
}

static const char *
s_obligation_zh (const char *code)
{
    int o = yjc_obligation_by_code (code);
    return o >= 0 ? yjc_obligations[o].zh : code;
}

static void
s_print_obligations (cli_opts_t *opts, const msgpack_object *list)
{
    cli_table_t *table = cli_table_new (7, 0);
    if (opts->csv)
        printf ("code,period,due,status,late_workdays,submission_id,"
                "version,rule,unit\n");
    else
        cli_table_row (
            table, "履约事项", "期间", "单位", "期限", "情况", "提交", "依据");
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char code[33], period[16], due[11], status[16], id[33], rule[400];
        char unit[129]; //  R16: the unit a per-unit report is owed to
        yjc_obj_strcpy (e, "unit", unit, sizeof unit);
        int64_t late = 0, version = 0;
        yjc_obj_strcpy (e, "code", code, sizeof code);
        yjc_obj_strcpy (e, "period", period, sizeof period);
        yjc_obj_strcpy (e, "due", due, sizeof due);
        yjc_obj_strcpy (e, "status", status, sizeof status);
        yjc_obj_strcpy (e, "submission_id", id, sizeof id);
        yjc_obj_strcpy (e, "rule", rule, sizeof rule);
        yjc_obj_int (e, "late_workdays", &late);
        yjc_obj_int (e, "version", &version);
        char num[24], ver[24];
        snprintf (num, sizeof num, "%lld", (long long)late);
        snprintf (ver, sizeof ver, "%lld", (long long)version);
        if (opts->csv) {
            const char *cells[] = { code, period, due,  status, num,
                                    id,   ver,    rule, unit };
            for (int c = 0; c < 9; c++)
                cli_csv_field (cells[c], c == 8);
            continue;
        }
        char verdict[64], delivered[96] = "";
        if (streq (status, "late"))
            snprintf (
                verdict, sizeof verdict, "逾期 %lld 个工作日", (long long)late);
        else if (streq (status, "missing"))
            snprintf (verdict,
                      sizeof verdict,
                      "缺失（已过期限 %lld 个工作日）",
                      (long long)late);
        else
            snprintf (verdict, sizeof verdict, "%s", s_status_zh (status));
        if (*id && version > 1)
            snprintf (delivered,
                      sizeof delivered,
                      "%s（第 %lld 版）",
                      id,
                      (long long)version);
        else if (*id)
            snprintf (delivered, sizeof delivered, "%s", id);
        cli_table_row (table,
                       s_obligation_zh (code),
                       period,
                       *unit ? unit : "（全县）",
                       due,
                       verdict,
                       delivered,
                       rule);
    }
    if (!opts->csv)
        cli_table_print (table, stdout);
    cli_table_destroy (&table);
}

static void
s_print_sla (cli_opts_t *opts, const msgpack_object *const lists[2])
{
    cli_table_t *table = cli_table_new (9, 0);
    if (opts->csv)
        printf ("what,owed_by,steps,on_time,late,open,median_late,"
                "worst_late,rule\n");
    else
        cli_table_row (table,
                       "期限规则",
                       "办理方",
                       "步数",
                       "按时",
                       "逾期",
                       "其中未办",
                       "逾期中位数",
                       "最长逾期",
                       "依据");
    for (int l = 0; l < 2; l++)
        for (uint32_t i = 0; lists[l] && i < lists[l]->via.array.size; i++) {
            const msgpack_object *e = &lists[l]->via.array.ptr[i];
            char what[33], by[17], rule[400], n[6][24];
            static const char *keys[] = {
                "steps", "on_time", "late", "open", "median_late", "worst_late"
            };
            yjc_obj_strcpy (e, "what", what, sizeof what);
            yjc_obj_strcpy (e, "owed_by", by, sizeof by);
            yjc_obj_strcpy (e, "rule", rule, sizeof rule);
            for (int k = 0; k < 6; k++) {
                int64_t v = 0;
                yjc_obj_int (e, keys[k], &v);
                snprintf (n[k], sizeof n[k], "%lld", (long long)v);
            }
            if (opts->csv) {
                const char *cells[] = { what, by,   n[0], n[1], n[2],
                                        n[3], n[4], n[5], rule };
                for (int c = 0; c < 9; c++)
                    cli_csv_field (cells[c], c == 8);
                continue;
            }
            cli_table_row (table,
                           yjc_deadline_zh (what),
                           yjc_party_zh (by),
                           n[0],
                           n[1],
                           n[2],
                           n[3],
                           n[4],
                           n[5],
                           rule);
        }
    if (!opts->csv) {
        if (cli_table_rows (table) == 1)
            printf ("（本年度没有期限届满的办理步骤）\n");
        else
            cli_table_print (table, stdout);
    }
    cli_table_destroy (&table);
}

//  --json: the adapter's reply with review's SLA rows appended.
static void
s_print_json (const msgpack_object *prov, const msgpack_object *rev)
{
    const msgpack_object *a = yjc_obj_get (prov, "sla");
    const msgpack_object *b = yjc_obj_get (rev, "sla");
    yjc_pack_t out;
    yjc_pack_init (&out);
    msgpack_pack_map (&out.pk, 4);
    const char *keys[] = { "year", "today", "obligations" };
    for (int k = 0; k < 3; k++) {
        yjc_pk_str (&out.pk, keys[k]);
        msgpack_pack_object (&out.pk, *yjc_obj_get (prov, keys[k]));
    }
    yjc_pk_str (&out.pk, "sla");
    uint32_t na = a ? a->via.array.size : 0, nb = b ? b->via.array.size : 0;
    msgpack_pack_array (&out.pk, na + nb);
    for (uint32_t i = 0; i < na; i++)
        msgpack_pack_object (&out.pk, a->via.array.ptr[i]);
    for (uint32_t i = 0; i < nb; i++)
        msgpack_pack_object (&out.pk, b->via.array.ptr[i]);
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    if (msgpack_unpack_next (&u, out.buf.data, out.buf.size, NULL) ==
        MSGPACK_UNPACK_SUCCESS)
        cli_print_json (&u.data);
    msgpack_unpacked_destroy (&u);
    yjc_pack_release (&out);
}

static void
s_pack_year (yjc_pack_t *body, int64_t year)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_int (&map, "year", year);
    cli_body (&map, body);
}

//  compliance --year Y [--json|--csv]
int
compliance_cmd (cli_opts_t *opts)
{
    if (opts->year <= 0) {
        fprintf (stderr,
                 "用法：yjcloud compliance --year 年度 [--json|--csv]\n");
        return 2;
    }
    cli_session_t prov, rev;
    memset (&prov, 0, sizeof prov);
    memset (&rev, 0, sizeof rev);
    yjc_pack_t body[2];
    s_pack_year (&body[0], opts->year);
    s_pack_year (&body[1], opts->year);
    const msgpack_object *p = cli_call (
        &prov, opts, YJC_SVC_PROVISIONING, "compliance.report", &body[0]);
    const msgpack_object *r =
        p ? cli_call (&rev, opts, YJC_SVC_REVIEW, "review.sla", &body[1])
          : NULL;
    if (p && r) {
        if (opts->json)
            s_print_json (p, r);
        else {
            const msgpack_object *lists[2] = { yjc_obj_get (p, "sla"),
                                               yjc_obj_get (r, "sla") };
            if (!opts->csv)
                printf ("供应商履约情况（%lld 年，R16、R21）\n",
                        (long long)opts->year);
            s_print_obligations (opts, yjc_obj_get (p, "obligations"));
            if (opts->csv)
                printf ("\n");
            else
                printf ("\n期限规则执行情况（逾期以工作日计）\n");
            s_print_sla (opts, lists);
        }
    }
    yjc_pack_release (&body[0]);
    yjc_pack_release (&body[1]);
    cli_session_close (&rev);
    cli_session_close (&prov);
    return p && r ? 0 : 1;
}
