/*  rating.c - R17: `yjcloud prices [--at DATE]`, `yjcloud prices publish
    FILE` and `yjcloud statement [UNIT] --year Y [--json|--csv]`: the
    bureau's prices and the annual statement billing computes from the
    ledger (services/billing/rating.c; the rule: common/yjc_prices.h).  */
#include "rating.h"
#include "statement_pdf.h"
#include "table.h"
#include "yjc_lifecycle.h"

//  分 as 元 with two decimals ("-12.30").
static void
s_yuan (int64_t fen, char out[32])
{
    unsigned long long a =
        fen < 0 ? (unsigned long long)-fen : (unsigned long long)fen;
    snprintf (out, 32, "%s%llu.%02llu", fen < 0 ? "-" : "", a / 100, a % 100);
}

static int64_t
s_int (const msgpack_object *obj, const char *key)
{
    int64_t v = 0;
    yjc_obj_int (obj, key, &v);
    return v;
}

static const char *
s_kind_zh (const char *kind)
{
    if (streq (kind, "compensation"))
        return "补差";
    if (streq (kind, "provisional"))
        return "暂计";
    return "计费";
}

//  prices publish FILE
int
rating_cmd_publish (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    if (cli_read_json (opts->args[0], &body.buf) != 0) {
        yjc_pack_release (&body);
        return 2;
    }
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "prices.publish", &body, &done);
    if (!done) {
        char from[16];
        printf ("已发布价格版本 %lld，自 %s 起执行%s\n",
                (long long)s_int (b, "version"),
                yjc_obj_strcpy (b, "effective_from", from, sizeof from),
                yjc_obj_get (b, "retroactive") &&
                        yjc_obj_get (b, "retroactive")->via.boolean
                    ? "（追溯：已结算月份将按新价格补差）"
                    : "");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  prices [--at DATE]
int
rating_cmd_prices (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->at)
        yjc_map_str (&map, "at", opts->at);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "prices.list", &body, &done);
    if (!done) {
        const msgpack_object *vers = yjc_obj_get (b, "versions");
        printf ("价格版本（单位：元/月）\n");
        cli_table_t *table = cli_table_new (5, 2);
        cli_table_row (table, "版本", "生效日期", "发布人", "发布时间", "说明");
        for (uint32_t i = 0; vers && i < vers->via.array.size; i++) {
            const msgpack_object *v = &vers->via.array.ptr[i];
            char from[16], by[65], at[32], note[256];
            cli_table_cell (table, "%lld", (long long)s_int (v, "version"));
            cli_table_cell (
                table,
                "%s",
                yjc_obj_strcpy (v, "effective_from", from, sizeof from));
            cli_table_cell (
                table, "%s", yjc_obj_strcpy (v, "published_by", by, sizeof by));
            cli_table_cell (
                table, "%s", yjc_obj_strcpy (v, "published_at", at, sizeof at));
            cli_table_cell (
                table, "%s", yjc_obj_strcpy (v, "note", note, sizeof note));
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
        const msgpack_object *force = yjc_obj_get (b, "in_force");
        char at[16];
        yjc_obj_strcpy (b, "at", at, sizeof at);
        if (!force)
            printf ("\n%s 无执行中的价格\n", at);
        else {
            printf ("\n%s 执行的价格：版本 %lld\n",
                    at,
                    (long long)s_int (force, "version"));
            table = cli_table_new (5, 2);
            cli_table_row (
                table, "资源项", "计量单位", "测试环境", "正式环境", "代码");
            const msgpack_object *lines = yjc_obj_get (force, "lines");
            for (uint32_t i = 0; lines && i < lines->via.array.size; i++) {
                const msgpack_object *l = &lines->via.array.ptr[i];
                char zh[64], measure[32], code[32], t[32], p[32];
                s_yuan (s_int (l, yjc_intervals[YJC_IV_TEST].code), t);
                s_yuan (s_int (l, yjc_intervals[YJC_IV_PRODUCTION].code), p);
                cli_table_row (
                    table,
                    yjc_obj_strcpy (l, "line_zh", zh, sizeof zh),
                    yjc_obj_strcpy (l, "measure_zh", measure, sizeof measure),
                    t,
                    p,
                    yjc_obj_strcpy (l, "line", code, sizeof code));
            }
            cli_table_print (table, stdout);
            cli_table_destroy (&table);
        }
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

#define S_COLS 12

//  The cells of one statement line (amounts in 元 for text, 分 for CSV).
static void
s_cells (const msgpack_object *l, bool fen, char cells[S_COLS][160])
{
    char stage[16];
    yjc_obj_strcpy (l, "line_zh", cells[0], 160);
    yjc_obj_strcpy (l, "measure_zh", cells[1], 160);
    yjc_obj_strcpy (l, "stage", stage, sizeof stage);
    snprintf (cells[2], 160, "%s", yjc_interval_zh (stage));
    yjc_obj_strcpy (l, "from", cells[3], 160);
    yjc_obj_strcpy (l, "to", cells[4], 160);
    snprintf (cells[5], 160, "%lld", (long long)s_int (l, "days"));
    snprintf (cells[6], 160, "%lld", (long long)s_int (l, "qty"));
    if (fen) {
        snprintf (
            cells[7], 160, "%lld", (long long)s_int (l, "unit_price_fen"));
        snprintf (cells[8], 160, "%lld", (long long)s_int (l, "amount_fen"));
    }
    else {
        s_yuan (s_int (l, "unit_price_fen"), cells[7]);
        s_yuan (s_int (l, "amount_fen"), cells[8]);
    }
    char kind[16];
    snprintf (cells[9],
              160,
              "%s",
              s_kind_zh (yjc_obj_strcpy (l, "kind", kind, sizeof kind)));
    yjc_obj_strcpy (l, "cause", cells[10], 160);
    yjc_obj_strcpy (l, "line", cells[11], 160);
}

static void
s_print_csv (const msgpack_object *b)
{
    static const char *head[] = {
        "单位", "系统", "资源项",     "计量单位",   "环境", "起",  "止",
        "天数", "数量", "单价（分）", "金额（分）", "类别", "说明"
    };
    for (int i = 0; i < 13; i++)
        cli_csv_field (head[i], i == 12);
    const msgpack_object *units = yjc_obj_get (b, "units");
    for (uint32_t u = 0; units && u < units->via.array.size; u++) {
        const msgpack_object *unit = &units->via.array.ptr[u];
        const msgpack_object *systems = yjc_obj_get (unit, "systems");
        char uname[129];
        yjc_obj_strcpy (unit, "unit", uname, sizeof uname);
        for (uint32_t s = 0; systems && s < systems->via.array.size; s++) {
            const msgpack_object *sys = &systems->via.array.ptr[s];
            const msgpack_object *lines = yjc_obj_get (sys, "lines");
            char app[33];
            yjc_obj_strcpy (sys, "app_id", app, sizeof app);
            for (uint32_t i = 0; lines && i < lines->via.array.size; i++) {
                char cells[S_COLS][160];
                s_cells (&lines->via.array.ptr[i], true, cells);
                cli_csv_field (uname, false);
                cli_csv_field (app, false);
                for (int c = 0; c < 11; c++)
                    cli_csv_field (cells[c], c == 10);
            }
        }
    }
    char total[32];
    snprintf (total, sizeof total, "%lld", (long long)s_int (b, "total_fen"));
    cli_csv_field ("合计", false);
    for (int i = 0; i < 9; i++)
        cli_csv_field ("", false);
    cli_csv_field (total, false);
    cli_csv_field ("", false);
    cli_csv_field ("", true);
}

static void
s_print_system (const msgpack_object *sys)
{
    char app[33], name[256], total[32];
    yjc_obj_strcpy (sys, "app_id", app, sizeof app);
    yjc_obj_strcpy (sys, "name", name, sizeof name);
    s_yuan (s_int (sys, "total_fen"), total);
    printf (
        "  系统 %s%s%s  小计 %s 元\n", app, name[0] ? " " : "", name, total);
    cli_table_t *table = cli_table_new (11, 4);
    cli_table_row (table,
                   "资源项",
                   "计量单位",
                   "环境",
                   "起",
                   "止",
                   "天数",
                   "数量",
                   "单价（元）",
                   "金额（元）",
                   "类别",
                   "说明");
    const msgpack_object *lines = yjc_obj_get (sys, "lines");
    for (uint32_t i = 0; lines && i < lines->via.array.size; i++) {
        char cells[S_COLS][160];
        s_cells (&lines->via.array.ptr[i], false, cells);
        cli_table_row (table,
                       cells[0],
                       cells[1],
                       cells[2],
                       cells[3],
                       cells[4],
                       cells[5],
                       cells[6],
                       cells[7],
                       cells[8],
                       cells[9],
                       cells[10]);
    }
    cli_table_print (table, stdout);
    cli_table_destroy (&table);
}

static void
s_print_text (const msgpack_object *b)
{
    char unit[129], at[32], rule[512], total[32];
    yjc_obj_strcpy (b, "unit", unit, sizeof unit);
    const msgpack_object *prov = yjc_obj_get (b, "provisional");
    bool provisional =
        prov && prov->type == MSGPACK_OBJECT_BOOLEAN && prov->via.boolean;
    printf ("永嘉县电子政务云服务费用 %lld 年度结算单%s%s%s%s\n",
            (long long)s_int (b, "year"),
            unit[0] ? "（" : "（全县",
            unit,
            "）",
            provisional ? "〔年度未结束，含暂计〕" : "");
    printf ("生成时间：%s\n",
            yjc_obj_strcpy (b, "generated_at", at, sizeof at));
    printf ("计费规则：%s\n", yjc_obj_strcpy (b, "rule", rule, sizeof rule));
    const msgpack_object *units = yjc_obj_get (b, "units");
    for (uint32_t u = 0; units && u < units->via.array.size; u++) {
        const msgpack_object *un = &units->via.array.ptr[u];
        char name[129], t[32];
        s_yuan (s_int (un, "total_fen"), t);
        printf ("\n单位：%s  合计 %s 元\n",
                yjc_obj_strcpy (un, "unit", name, sizeof name),
                t);
        const msgpack_object *systems = yjc_obj_get (un, "systems");
        if (!systems || systems->via.array.size == 0)
            printf ("  （本年度没有计费的资源）\n");
        for (uint32_t s = 0; systems && s < systems->via.array.size; s++)
            s_print_system (&systems->via.array.ptr[s]);
    }
    if (!units || units->via.array.size == 0)
        printf ("\n（本年度没有计费的资源）\n");
    s_yuan (s_int (b, "total_fen"), total);
    printf ("\n%s总计：%s 元\n", unit[0] ? "" : "全县应付供应商", total);
}

//  statement [UNIT] --year Y [--json|--csv]
int
rating_cmd_statement (cli_opts_t *opts)
{
    //  a statement saved with --json, rendered again (issue 13 part B)
    if (opts->from_json)
        return statement_pdf_cmd (opts);
    if (opts->year <= 0) {
        fprintf (stderr,
                 "用法：yjcloud statement [单位] --year 年度 "
                 "[--json|--csv|--pdf 文件]\n");
        return 2;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_int (&map, "year", opts->year);
    if (opts->nargs == 1)
        yjc_map_str (&map, "unit", opts->args[0]);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.statement", &body, &done);
    int rc = b ? 0 : 1;
    if (!done && opts->pdf) {
        rc = statement_pdf_write (b, opts->pdf);
        if (rc == 0)
            printf ("已生成结算单 %s\n", opts->pdf);
    }
    else if (!done) {
        if (opts->csv)
            s_print_csv (b);
        else
            s_print_text (b);
    }
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
