/*  utilization_pdf.c - the quarterly utilization as PDF (see
    utilization_pdf.h).  The reply's shape is fixed by issue 13 (part C):
    percentages are numbers 0..100, days are "YYYY-MM-DD".             */
#include "utilization_pdf.h"
#include "pdf.h"
#include <stdio.h>
#include <string.h>

#define S_NCOLS   8
#define S_CHART_H PDF_MM (50)

static const pdf_column_t s_columns[S_NCOLS] = {
    { "资源", 56, PDF_LEFT },
    { "配置", 50, PDF_CENTER },
    { "CPU 使用率 %\nP50 / P95 / 最高", 84, PDF_CENTER },
    { "内存使用率 %\nP50 / P95 / 最高", 84, PDF_CENTER },
    { "磁盘峰值\nGB", 46, PDF_RIGHT },
    { "带宽峰值 Mbps\n入 / 出", 73, PDF_CENTER },
    { "无采样天数\n/ 天数", 52, PDF_CENTER },
    { "数据来源", 48.2, PDF_CENTER },
};

static double
s_double (const msgpack_object *obj, const char *key, bool *given)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    if (given)
        *given = v != NULL;
    if (!v)
        return 0;
    switch (v->type) {
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64: return v->via.f64;
        case MSGPACK_OBJECT_POSITIVE_INTEGER: return (double)v->via.u64;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER: return (double)v->via.i64;
        default: return 0;
    }
}

static const msgpack_object *
s_array (const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    return v && v->type == MSGPACK_OBJECT_ARRAY ? v : NULL;
}

//  Days since 1970-01-01 of "YYYY-MM-DD" (H. Hinnant's days_from_civil),
//  or -1 when it is no date; *day the day of the month.
static long
s_days (const char *date, int *day)
{
    int y, m, d;
    if (!date || sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return -1;
    if (day)
        *day = d;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

//  The month when days since 1970-01-01 fall on its first day, else 0
//  (civil_from_days, the inverse of s_days).
static int
s_first_of_month (long days)
{
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dom = doy - (153 * mp + 2) / 5 + 1;
    return dom == 1 ? (int)(mp < 10 ? mp + 3 : mp - 9) : 0;
}

//  "p50 / p95 / max" of a {p50, p95, max} object, "—" when absent.
static void
s_triple (const msgpack_object *line, const char *key, char *buf, size_t size)
{
    const msgpack_object *v = yjc_obj_get (line, key);
    if (!v || v->type != MSGPACK_OBJECT_MAP)
        snprintf (buf, size, "—");
    else
        snprintf (buf,
                  size,
                  "%.1f / %.1f / %.1f",
                  s_double (v, "p50", NULL),
                  s_double (v, "p95", NULL),
                  s_double (v, "max", NULL));
}

static void
s_table (pdf_doc_t *doc, const msgpack_object *lines)
{
    pdf_doc_table (doc, s_columns, S_NCOLS);
    for (uint32_t i = 0; lines && i < lines->via.array.size; i++) {
        const msgpack_object *l = &lines->via.array.ptr[i];
        char resource[64], alloc[64], cpu[64], mem[64], disk[24], bw[48],
            days[32], source[16];
        yjc_obj_strcpy (l, "resource", resource, sizeof resource);
        yjc_obj_strcpy (l, "allocated_zh", alloc, sizeof alloc);
        if (!*alloc)
            yjc_obj_strcpy (l, "allocated", alloc, sizeof alloc);
        s_triple (l, "cpu", cpu, sizeof cpu);
        s_triple (l, "mem", mem, sizeof mem);
        snprintf (disk, sizeof disk, "%.0f", s_double (l, "disk_gb_max", NULL));
        snprintf (bw,
                  sizeof bw,
                  "%.0f / %.0f",
                  s_double (l, "bw_in_max", NULL),
                  s_double (l, "bw_out_max", NULL));
        snprintf (days,
                  sizeof days,
                  "%.0f / %.0f",
                  s_double (l, "days_without_samples", NULL),
                  s_double (l, "days", NULL));
        yjc_obj_strcpy (l, "source", source, sizeof source);
        const char *cells[S_NCOLS] = { resource,
                                       alloc,
                                       cpu,
                                       mem,
                                       disk,
                                       bw,
                                       days,
                                       streq (source, "samples") ? "采样"
                                       : streq (source, "daily") ? "日汇总"
                                                                 : source };
        pdf_doc_row (doc, cells, PDF_ROW_PLAIN, NULL);
    }
    if (!lines || !lines->via.array.size) {
        const char *cells[S_NCOLS] = {
            "（本季度无资源）", NULL, NULL, NULL, NULL, NULL, NULL, NULL
        };
        pdf_doc_row (doc, cells, PDF_ROW_PLAIN, NULL);
    }
    pdf_doc_table_end (doc);
}

//  One series of the chart: breaks where days have no value.
static void
s_series (cairo_t *cr,
          const msgpack_object *series,
          const char *key,
          long first,
          long ndays,
          double px,
          double py,
          double pw,
          double ph)
{
    long prev = -2;
    for (uint32_t i = 0; series && i < series->via.array.size; i++) {
        const msgpack_object *point = &series->via.array.ptr[i];
        char day[16];
        bool given;
        yjc_obj_strcpy (point, "day", day, sizeof day);
        long d = s_days (day, NULL) - first;
        double v = s_double (point, key, &given);
        if (d < 0 || d >= ndays || !given || s_days (day, NULL) < 0) {
            prev = -2;
            continue;
        }
        v = v < 0 ? 0 : v > 100 ? 100 : v;
        double x =
            px + (ndays > 1 ? pw * (double)d / (double)(ndays - 1) : pw / 2);
        double y = py + ph - ph * v / 100;
        if (d == prev + 1)
            cairo_line_to (cr, x, y);
        else {
            cairo_move_to (cr, x, y);
            cairo_line_to (cr, x, y); //  a lone day still shows as a dot
        }
        prev = d;
    }
    cairo_stroke (cr);
}

//  A chart of one host's daily CPU and memory p95 over the quarter.
static void
s_chart (pdf_doc_t *doc,
         cairo_t *cr,
         double x,
         double y,
         double w,
         double h,
         const msgpack_object *line,
         long first,
         long ndays)
{
    char resource[64], alloc[64], title[200];
    yjc_obj_strcpy (line, "resource", resource, sizeof resource);
    yjc_obj_strcpy (line, "allocated_zh", alloc, sizeof alloc);
    snprintf (
        title, sizeof title, "%s（%s）每日 P95 使用率 %%", resource, alloc);
    pdf_doc_draw_text (doc, x, y, title, 8, PDF_LEFT, w * 0.62);
    //  the legend, right of the title
    static const double colors[2][3] = { { 0.12, 0.35, 0.75 },
                                         { 0.85, 0.42, 0.08 } };
    static const char *names[] = { "CPU", "内存" };
    for (int i = 0; i < 2; i++) {
        double lx = x + w - 74 + i * 40;
        cairo_set_source_rgb (cr, colors[i][0], colors[i][1], colors[i][2]);
        cairo_set_line_width (cr, 1.6);
        cairo_move_to (cr, lx, y + 6);
        cairo_line_to (cr, lx + 10, y + 6);
        cairo_stroke (cr);
        pdf_doc_draw_text (doc, lx + 13, y, names[i], 7.5, PDF_LEFT, 0);
    }
    double px = x + 20, py = y + 16, pw = w - 26, ph = h - 16 - 14;
    cairo_set_line_width (cr, 0.4);
    for (int v = 0; v <= 100; v += 25) {
        double gy = py + ph - ph * v / 100;
        cairo_set_source_rgb (
            cr, v ? 0.85 : 0.3, v ? 0.85 : 0.3, v ? 0.85 : 0.3);
        cairo_move_to (cr, px, gy);
        cairo_line_to (cr, px + pw, gy);
        cairo_stroke (cr);
        char label[8];
        snprintf (label, sizeof label, "%d", v);
        pdf_doc_draw_text (doc, px - 19, gy - 5, label, 7, PDF_RIGHT, 16);
    }
    cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
    cairo_move_to (cr, px, py);
    cairo_line_to (cr, px, py + ph);
    cairo_stroke (cr);
    //  a tick and the month under each first of a month
    for (long d = 0; d < ndays; d++) {
        int month = s_first_of_month (first + d);
        if (!month)
            continue;
        char date[16];
        double tx = px + (ndays > 1 ? pw * (double)d / (double)(ndays - 1) : 0);
        cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
        cairo_move_to (cr, tx, py + ph);
        cairo_line_to (cr, tx, py + ph + 3);
        cairo_stroke (cr);
        snprintf (date, sizeof date, "%d月1日", month);
        pdf_doc_draw_text (doc, tx - 20, py + ph + 3, date, 7, PDF_CENTER, 40);
    }
    const msgpack_object *series = s_array (line, "series");
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    const char *keys[] = { "cpu_p95", "mem_p95" };
    for (int i = 0; i < 2; i++) {
        cairo_set_source_rgb (cr, colors[i][0], colors[i][1], colors[i][2]);
        cairo_set_line_width (cr, 1.2);
        s_series (cr, series, keys[i], first, ndays, px, py, pw, ph);
    }
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
}

//  "2027Q1" → "2027年第一季度"
static void
s_quarter_zh (const char *quarter, char *buf, size_t size)
{
    static const char *q[] = { "一", "二", "三", "四" };
    int year, n;
    if (sscanf (quarter, "%4dQ%1d", &year, &n) == 2 && n >= 1 && n <= 4)
        snprintf (buf, size, "%d年第%s季度", year, q[n - 1]);
    else
        snprintf (buf, size, "%s", quarter);
}

//  The page (or pages) of one application.
static void
s_app (pdf_doc_t *doc, const msgpack_object *reply, const msgpack_object *app)
{
    char quarter[16], quarter_zh[40], from[16], to[16], period[48];
    char app_id[64], unit[160], allocated[400];
    yjc_obj_strcpy (reply, "quarter", quarter, sizeof quarter);
    yjc_obj_strcpy (reply, "from", from, sizeof from);
    yjc_obj_strcpy (reply, "to", to, sizeof to);
    s_quarter_zh (quarter, quarter_zh, sizeof quarter_zh);
    snprintf (period, sizeof period, "%s至%s", from, to);
    yjc_obj_strcpy (app, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (app, "unit", unit, sizeof unit);
    yjc_obj_strcpy (app, "allocated_zh", allocated, sizeof allocated);
    pdf_doc_title (doc, "永嘉县电子政务云资源使用情况季度报告");
    pdf_doc_fields (doc, "季度：", quarter_zh, "统计期间：", period);
    pdf_doc_fields (doc, "使用单位：", unit, "系统编号：", app_id);
    pdf_doc_fields (doc, "已分配资源：", allocated, NULL, NULL);
    pdf_doc_space (doc, 4);
    const msgpack_object *lines = s_array (app, "lines");
    s_table (doc, lines);
    pdf_doc_text (doc,
                  "数据来源：“采样”为原始采样数据；“日汇总”为每日汇总"
                  "（原始采样已过保存期）。",
                  8,
                  false,
                  PDF_LEFT);
    pdf_doc_space (doc, 4);
    pdf_doc_text (doc, "调整建议", 0, true, PDF_LEFT);
    const msgpack_object *advice = s_array (app, "advice");
    for (uint32_t i = 0; advice && i < advice->via.array.size; i++) {
        char resource[64], text[400], item[480];
        yjc_obj_strcpy (
            &advice->via.array.ptr[i], "resource", resource, sizeof resource);
        yjc_obj_strcpy (
            &advice->via.array.ptr[i], "text_zh", text, sizeof text);
        snprintf (item, sizeof item, "%u. %s：%s", i + 1, resource, text);
        pdf_doc_text (doc, item, 0, false, PDF_LEFT);
    }
    if (!advice || !advice->via.array.size)
        pdf_doc_text (doc, "无。", 0, false, PDF_LEFT);
    pdf_doc_space (doc, 6);
    //  the charts, two side by side
    long first = s_days (from, NULL), last = s_days (to, NULL);
    long ndays = first >= 0 && last >= first ? last - first + 1 : 0;
    double gap = PDF_MM (6), w = (pdf_doc_width (doc) - gap) / 2;
    for (uint32_t i = 0; lines && ndays && i < lines->via.array.size; i += 2) {
        double x, y;
        cairo_t *cr = pdf_doc_area (doc, S_CHART_H + PDF_MM (4), &x, &y);
        for (uint32_t j = i; j < i + 2 && j < lines->via.array.size; j++)
            s_chart (doc,
                     cr,
                     x + (j - i) * (w + gap),
                     y,
                     w,
                     S_CHART_H,
                     &lines->via.array.ptr[j],
                     first,
                     ndays);
    }
}

int
utilization_pdf_write (const msgpack_object *reply, const char *path)
{
    const msgpack_object *apps = s_array (reply, "apps");
    if (reply->type != MSGPACK_OBJECT_MAP || !apps ||
        !yjc_obj_get (reply, "quarter")) {
        fprintf (stderr, "不是资源使用情况（须有 quarter、apps）\n");
        return 1;
    }
    char quarter[16], footer[80];
    yjc_obj_strcpy (reply, "quarter", quarter, sizeof quarter);
    snprintf (footer, sizeof footer, "资源使用情况季度报告 %s", quarter);
    pdf_doc_t *doc = pdf_doc_new (footer);
    for (uint32_t i = 0; i < apps->via.array.size; i++) {
        if (i)
            pdf_doc_new_page (doc);
        s_app (doc, reply, &apps->via.array.ptr[i]);
    }
    if (!apps->via.array.size) {
        pdf_doc_title (doc, "永嘉县电子政务云资源使用情况季度报告");
        pdf_doc_text (doc, "本季度没有运行中的系统。", 0, false, PDF_LEFT);
    }
    int rc = pdf_doc_save (doc, path);
    pdf_doc_destroy (&doc);
    return rc ? 1 : 0;
}

int
utilization_pdf_cmd (cli_opts_t *opts)
{
    return cli_render_saved (
        opts, "apps", utilization_pdf_write, "已生成资源使用情况报告");
}
