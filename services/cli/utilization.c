/*  utilization.c - R16: `yjcloud utilization [APP|UNIT] --quarter 2027Q1`:
    per application and resource, what was allocated against what was
    used over the quarter, and the advice (billing.utilization).         */
#include "utilization.h"
#include "table.h"
#include "utilization_pdf.h"

//  A number of the reply (float or integer), 0 when absent.
static double
s_num (const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    if (!v)
        return 0;
    if (v->type == MSGPACK_OBJECT_FLOAT64 || v->type == MSGPACK_OBJECT_FLOAT32)
        return v->via.f64;
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (double)v->via.u64;
    if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return (double)v->via.i64;
    return 0;
}

//  "3.0 / 7.5 / 40" : p50 / p95 / max of a figure.
static const char *
s_figures (const msgpack_object *line, const char *key, char *out, size_t size)
{
    const msgpack_object *f = yjc_obj_get (line, key);
    snprintf (out,
              size,
              "%.1f / %.1f / %.0f",
              s_num (f, "p50"),
              s_num (f, "p95"),
              s_num (f, "max"));
    return out;
}

static void
s_print_app (const msgpack_object *app)
{
    char id[33], unit[129], alloc[512];
    printf ("\n%s  %s  分配：%s\n",
            yjc_obj_strcpy (app, "app_id", id, sizeof id),
            yjc_obj_strcpy (app, "unit", unit, sizeof unit),
            *yjc_obj_strcpy (app, "allocated_zh", alloc, sizeof alloc)
                ? alloc
                : "（无）");
    const msgpack_object *lines = yjc_obj_get (app, "lines");
    uint32_t n = lines && lines->type == MSGPACK_OBJECT_ARRAY
                     ? lines->via.array.size
                     : 0;
    if (n == 0)
        printf ("  （本季度没有采样数据）\n");
    else {
        cli_table_t *table = cli_table_new (9, 2);
        cli_table_row (table,
                       "资源",
                       "配置",
                       "CPU% p50/p95/最高",
                       "内存% p50/p95/最高",
                       "磁盘最高",
                       "带宽最高 入/出",
                       "天数",
                       "无采样天数",
                       "数据来源");
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *l = &lines->via.array.ptr[i];
            char res[65], cfg[32], cpu[48], mem[48], disk[24], bw[48];
            char days[16], silent[16], source[16];
            yjc_obj_strcpy (l, "resource", res, sizeof res);
            yjc_obj_strcpy (l, "allocated_zh", cfg, sizeof cfg);
            snprintf (disk, sizeof disk, "%.0f GB", s_num (l, "disk_gb_max"));
            snprintf (bw,
                      sizeof bw,
                      "%.0f / %.0f Mbps",
                      s_num (l, "bw_in_max"),
                      s_num (l, "bw_out_max"));
            snprintf (days, sizeof days, "%.0f", s_num (l, "days"));
            snprintf (silent,
                      sizeof silent,
                      "%.0f",
                      s_num (l, "days_without_samples"));
            yjc_obj_strcpy (l, "source", source, sizeof source);
            cli_table_row (table,
                           res,
                           *cfg ? cfg : "未知",
                           s_figures (l, "cpu", cpu, sizeof cpu),
                           s_figures (l, "mem", mem, sizeof mem),
                           disk,
                           bw,
                           days,
                           silent,
                           streq (source, "samples") ? "原始采样" : "日汇总");
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    const msgpack_object *advice = yjc_obj_get (app, "advice");
    uint32_t na = advice && advice->type == MSGPACK_OBJECT_ARRAY
                      ? advice->via.array.size
                      : 0;
    printf ("  优化建议：%s\n", na ? "" : "无");
    for (uint32_t i = 0; i < na; i++) {
        char res[65], text[512];
        const msgpack_object *a = &advice->via.array.ptr[i];
        printf ("    %s：%s\n",
                yjc_obj_strcpy (a, "resource", res, sizeof res),
                yjc_obj_strcpy (a, "text_zh", text, sizeof text));
    }
}

//  An application id (A000001) rather than a unit's name.
static bool
s_is_app_id (const char *s)
{
    if (strlen (s) != 7 || s[0] < 'A' || s[0] > 'Z')
        return false;
    for (int i = 1; i < 7; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

//  utilization [APP|UNIT] --quarter 2027Q1 [--json]
int
utilization_cmd (cli_opts_t *opts)
{
    //  a table saved with --json, rendered again (issue 13 part B)
    if (opts->from_json)
        return utilization_pdf_cmd (opts);
    if (!opts->quarter) {
        fprintf (stderr, "须给出 --quarter 季度（例如 2027Q1）\n");
        return 2;
    }
    //  no argument: every system the actor may see (a unit: its own)
    const char *who = opts->nargs ? opts->args[0] : NULL;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "quarter", opts->quarter);
    if (who)
        yjc_map_str (&map, s_is_app_id (who) ? "app_id" : "unit", who);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.utilization", &body, &done);
    int rc = b ? 0 : 1;
    if (!done && opts->pdf) {
        rc = utilization_pdf_write (b, opts->pdf);
        if (rc == 0)
            printf ("已生成使用情况报告 %s\n", opts->pdf);
    }
    else if (!done) {
        char q[16], from[11], to[11];
        printf ("%s 资源使用情况（%s 至 %s，R16）\n",
                yjc_obj_strcpy (b, "quarter", q, sizeof q),
                yjc_obj_strcpy (b, "from", from, sizeof from),
                yjc_obj_strcpy (b, "to", to, sizeof to));
        const msgpack_object *apps = yjc_obj_get (b, "apps");
        uint32_t n = apps && apps->type == MSGPACK_OBJECT_ARRAY
                         ? apps->via.array.size
                         : 0;
        if (n == 0)
            printf ("（本季度没有分配资源的系统）\n");
        for (uint32_t i = 0; i < n; i++)
            s_print_app (&apps->via.array.ptr[i]);
    }
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
