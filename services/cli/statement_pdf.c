/*  statement_pdf.c - the annual statement as PDF (see statement_pdf.h).
    The reply's shape is fixed by issue 13 (part A); amounts are fen.  */
#include "statement_pdf.h"
#include "pdf.h"
#include "yjc_money.h"
#include <stdio.h>
#include <string.h>

#define S_NCOLS 8

//  widths in points, 493.2 in all (A4 less 18 mm margins)
static const pdf_column_t s_columns[S_NCOLS] = {
    { "系统", 86, PDF_LEFT },        { "资源项", 100, PDF_LEFT },
    { "计量单位", 62, PDF_CENTER },  { "起止", 70, PDF_CENTER },
    { "天数", 28, PDF_RIGHT },       { "数量", 28, PDF_RIGHT },
    { "单价（元）", 52, PDF_RIGHT }, { "金额（元）", 67.2, PDF_RIGHT },
};

static int64_t
s_int (const msgpack_object *obj, const char *key)
{
    int64_t value = 0;
    yjc_obj_int (obj, key, &value);
    return value;
}

//  A quantity: an integer, or a number with its decimals (storage TB).
static void
s_number (const msgpack_object *obj, const char *key, char *buf, size_t size)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    if (v && (v->type == MSGPACK_OBJECT_FLOAT64 ||
              v->type == MSGPACK_OBJECT_FLOAT32))
        snprintf (buf, size, "%g", v->via.f64);
    else
        snprintf (buf, size, "%lld", (long long)s_int (obj, key));
}

static const msgpack_object *
s_array (const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    return v && v->type == MSGPACK_OBJECT_ARRAY ? v : NULL;
}

//  "2027-01-01" → "01-01" inside the statement's year, else itself.
static const char *
s_day (const char *date, int64_t year)
{
    char prefix[8];
    snprintf (prefix, sizeof prefix, "%04lld-", (long long)year);
    return strlen (date) == 10 && strncmp (date, prefix, 5) == 0 ? date + 5
                                                                 : date;
}

static const char *
s_stage_zh (const char *stage)
{
    return streq (stage, "test")       ? "测试期"
           : streq (stage, "enforced") ? "强制措施期间"
                                       : "";
}

//  One charge line of a system.
static void
s_line (pdf_doc_t *doc,
        const msgpack_object *line,
        int64_t year,
        const char *system,
        const char *repeat)
{
    char line_zh[160], measure[64], stage[16], kind[16], cause[200];
    char from[16], to[16], span[48], days[16], qty[32], price[32], amount[32];
    char item[480];
    yjc_obj_strcpy (line, "line_zh", line_zh, sizeof line_zh);
    if (!*line_zh)
        yjc_obj_strcpy (line, "line", line_zh, sizeof line_zh);
    yjc_obj_strcpy (line, "measure_zh", measure, sizeof measure);
    yjc_obj_strcpy (line, "stage", stage, sizeof stage);
    yjc_obj_strcpy (line, "kind", kind, sizeof kind);
    yjc_obj_strcpy (line, "cause", cause, sizeof cause);
    yjc_obj_strcpy (line, "from", from, sizeof from);
    yjc_obj_strcpy (line, "to", to, sizeof to);
    const char *stage_zh = s_stage_zh (stage);
    snprintf (item,
              sizeof item,
              "%s%s%s%s%s%s%s",
              line_zh,
              *stage_zh ? "（" : "",
              stage_zh,
              *stage_zh ? "）" : "",
              streq (kind, "provisional")    ? "（暂计）"
              : streq (kind, "compensation") ? "\n补差"
                                             : "",
              streq (kind, "compensation") && *cause ? "：" : "",
              streq (kind, "compensation") ? cause : "");
    snprintf (
        span, sizeof span, "%s至%s", s_day (from, year), s_day (to, year));
    snprintf (days, sizeof days, "%lld", (long long)s_int (line, "days"));
    s_number (line, "qty", qty, sizeof qty);
    yjc_money_figures (s_int (line, "unit_price_fen"), price, sizeof price);
    yjc_money_figures (s_int (line, "amount_fen"), amount, sizeof amount);
    const char *cells[S_NCOLS] = { system, item, measure, span,
                                   days,   qty,  price,   amount };
    pdf_doc_row (doc, cells, PDF_ROW_PLAIN, repeat);
}

//  A row "label … amount" spanning the columns before the amount.
static void
s_total_row (pdf_doc_t *doc, const char *label, int64_t fen)
{
    char amount[32];
    yjc_money_figures (fen, amount, sizeof amount);
    const char *cells[S_NCOLS] = { label, NULL, NULL, NULL,
                                   NULL,  NULL, NULL, amount };
    pdf_doc_row (doc, cells, PDF_ROW_TOTAL, NULL);
}

//  The total in figures and in words, under a table; with `sign`, kept
//  on one page with the signature block that follows.
static void
s_total_text (pdf_doc_t *doc, const char *label, int64_t fen, bool sign)
{
    pdf_doc_need (doc, sign ? PDF_MM (62) : PDF_MM (14));
    char figures[40], words[256], text[400];
    yjc_money_figures (fen, figures, sizeof figures);
    if (yjc_money_words (fen, words, sizeof words) != 0)
        snprintf (words, sizeof words, "（金额过大）");
    snprintf (text, sizeof text, "%s（小写）：¥%s", label, figures);
    pdf_doc_text (doc, text, 11, true, PDF_LEFT);
    snprintf (text, sizeof text, "%s（大写）：人民币%s", label, words);
    pdf_doc_text (doc, text, 11, true, PDF_LEFT);
}

//  The table of one unit: its systems, their lines and subtotals.
static void
s_unit_table (pdf_doc_t *doc, const msgpack_object *unit, int64_t year)
{
    pdf_doc_table (doc, s_columns, S_NCOLS);
    const msgpack_object *systems = s_array (unit, "systems");
    for (uint32_t i = 0; systems && i < systems->via.array.size; i++) {
        const msgpack_object *sys = &systems->via.array.ptr[i];
        char app[64], name[160], label[240], repeat[200];
        yjc_obj_strcpy (sys, "app_id", app, sizeof app);
        yjc_obj_strcpy (sys, "name", name, sizeof name);
        snprintf (label, sizeof label, "%s%s%s", name, *name ? "\n" : "", app);
        snprintf (repeat, sizeof repeat, "%s（续）", *name ? name : app);
        const msgpack_object *lines = s_array (sys, "lines");
        for (uint32_t j = 0; lines && j < lines->via.array.size; j++)
            s_line (
                doc, &lines->via.array.ptr[j], year, j ? "" : label, repeat);
        if (!lines || !lines->via.array.size) {
            const char *cells[S_NCOLS] = {
                label, "（本年度无计费）", NULL, NULL, NULL, NULL, NULL, "0.00"
            };
            pdf_doc_row (doc, cells, PDF_ROW_PLAIN, NULL);
        }
        char subtotal[240];
        snprintf (subtotal, sizeof subtotal, "%s 小计", *name ? name : app);
        s_total_row (doc, subtotal, s_int (sys, "total_fen"));
    }
    s_total_row (doc, "单位合计", s_int (unit, "total_fen"));
    pdf_doc_table_end (doc);
}

//  The lines above a statement's table: who, when, how.
static void
s_heading (pdf_doc_t *doc, const msgpack_object *reply, const char *unit)
{
    int64_t year = s_int (reply, "year");
    char period[64], generated[32], rule[400];
    snprintf (period,
              sizeof period,
              "%lld年1月1日至%lld年12月31日",
              (long long)year,
              (long long)year);
    yjc_obj_strcpy (reply, "generated_at", generated, sizeof generated);
    yjc_obj_strcpy (reply, "rule", rule, sizeof rule);
    pdf_doc_fields (doc, "结算单位：", unit, "结算期间：", period);
    pdf_doc_fields (doc, "币种：", "人民币（元）", "编制时间：", generated);
    if (*rule)
        pdf_doc_fields (doc, "计费规则：", rule, NULL, NULL);
    const msgpack_object *p = yjc_obj_get (reply, "provisional");
    if (p && p->type == MSGPACK_OBJECT_BOOLEAN && p->via.boolean)
        pdf_doc_text (doc,
                      "注：本年度尚未结束，标注“暂计”的金额按当前资源暂计，"
                      "以年度结束后的结算为准。",
                      0,
                      true,
                      PDF_LEFT);
    pdf_doc_space (doc, 4);
}

static const char *s_title = "永嘉县电子政务云服务费用年度结算单";

int
statement_pdf_write (const msgpack_object *reply, const char *path)
{
    int64_t year = 0;
    const msgpack_object *units = s_array (reply, "units");
    if (reply->type != MSGPACK_OBJECT_MAP ||
        !yjc_obj_int (reply, "year", &year) || !units ||
        !yjc_obj_get (reply, "total_fen")) {
        fprintf (stderr, "不是年度结算单（须有 year、total_fen、units）\n");
        return 1;
    }
    char unit[160], generated[32], footer[200];
    yjc_obj_strcpy (reply, "unit", unit, sizeof unit);
    yjc_obj_strcpy (reply, "generated_at", generated, sizeof generated);
    snprintf (footer,
              sizeof footer,
              "%s %lld年度 %s",
              *unit ? unit : "全县",
              (long long)year,
              generated);
    pdf_doc_t *doc = pdf_doc_new (footer);
    int64_t total = s_int (reply, "total_fen");
    if (*unit) { //  one unit's statement
        pdf_doc_title (doc, s_title);
        s_heading (doc, reply, unit);
        for (uint32_t i = 0; i < units->via.array.size; i++)
            s_unit_table (doc, &units->via.array.ptr[i], year);
        s_total_text (doc, "结算金额合计", total, true);
        pdf_doc_signatures (doc, NULL);
    }
    else { //  the county: a section per unit, then the county's total
        for (uint32_t i = 0; i < units->via.array.size; i++) {
            const msgpack_object *u = &units->via.array.ptr[i];
            char name[160];
            yjc_obj_strcpy (u, "unit", name, sizeof name);
            if (i)
                pdf_doc_new_page (doc);
            pdf_doc_title (doc, s_title);
            s_heading (doc, reply, name);
            s_unit_table (doc, u, year);
            s_total_text (doc, "本单位结算金额", s_int (u, "total_fen"), false);
        }
        pdf_doc_new_page (doc);
        pdf_doc_title (doc, "永嘉县电子政务云服务费用年度结算汇总表");
        s_heading (doc, reply, "全县各使用单位");
        static const pdf_column_t columns[] = {
            { "序号", 40, PDF_CENTER },
            { "使用单位", 233.2, PDF_LEFT },
            { "系统数", 60, PDF_RIGHT },
            { "金额（元）", 160, PDF_RIGHT },
        };
        pdf_doc_table (doc, columns, 4);
        for (uint32_t i = 0; i < units->via.array.size; i++) {
            const msgpack_object *u = &units->via.array.ptr[i];
            const msgpack_object *systems = s_array (u, "systems");
            char n[16], name[160], count[16], amount[32];
            snprintf (n, sizeof n, "%u", i + 1);
            yjc_obj_strcpy (u, "unit", name, sizeof name);
            snprintf (count,
                      sizeof count,
                      "%u",
                      systems ? systems->via.array.size : 0);
            yjc_money_figures (s_int (u, "total_fen"), amount, sizeof amount);
            const char *cells[] = { n, name, count, amount };
            pdf_doc_row (doc, cells, PDF_ROW_PLAIN, NULL);
        }
        char amount[32];
        yjc_money_figures (total, amount, sizeof amount);
        const char *cells[] = { "全县合计", NULL, NULL, amount };
        pdf_doc_row (doc, cells, PDF_ROW_TOTAL, NULL);
        pdf_doc_table_end (doc);
        s_total_text (doc, "全县结算金额合计", total, true);
        pdf_doc_signatures (doc, NULL);
    }
    int rc = pdf_doc_save (doc, path);
    pdf_doc_destroy (&doc);
    return rc ? 1 : 0;
}

int
statement_pdf_cmd (cli_opts_t *opts)
{
    return cli_render_saved (
        opts, "units", statement_pdf_write, "已生成结算单");
}
