/*  idle.c - R11.3: the rule that says what is idle (the bureau's data)
    and the systems it finds idle, with the evidence from the vendor's
    samples and what reclaiming them would free.                        */
#include "idle.h"
#include "table.h"

//  The rule as a clerk reads it.
static void
s_print_rule (const msgpack_object *rule)
{
    int64_t days = 0, cpu = 0, mem = 0, silent = 0;
    char by[65], at[32];
    yjc_obj_int (rule, "window_days", &days);
    yjc_obj_int (rule, "cpu_p95", &cpu);
    yjc_obj_int (rule, "mem_p95", &mem);
    yjc_obj_int (rule, "silent_days", &silent);
    printf ("闲置认定规则：近 %lld 天 CPU 使用率 p95 低于 %lld%% 且内存使用率 "
            "p95 低于 %lld%%，或连续 %lld 天无采样\n",
            (long long)days,
            (long long)cpu,
            (long long)mem,
            (long long)silent);
    //  the shipped rule until the bureau sets one
    if (streq (yjc_obj_strcpy (rule, "set_by", by, sizeof by), "default"))
        printf ("（默认规则，主管部门尚未调整）\n");
    else
        printf ("（%s 于 %s 设定）\n",
                by,
                yjc_obj_strcpy (rule, "set_at", at, sizeof at));
}

//  idle-rule set --days N --cpu-p95 P --mem-p95 P --silent-days N
int
idle_cmd_rule_set (cli_opts_t *opts)
{
    if (opts->days < 0 || opts->cpu_p95 < 0 || opts->mem_p95 < 0 ||
        opts->silent_days < 0) {
        fprintf (stderr,
                 "须给出 --days、--cpu-p95、--mem-p95 和 --silent-days\n");
        return 2;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_int (&map, "window_days", opts->days);
    yjc_map_int (&map, "cpu_p95", opts->cpu_p95);
    yjc_map_int (&map, "mem_p95", opts->mem_p95);
    yjc_map_int (&map, "silent_days", opts->silent_days);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "idle.rule_set", &body, &done);
    if (!done) {
        printf ("已调整。");
        s_print_rule (b);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  idle-rule: the rule in force.
int
idle_cmd_rule (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 0);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "idle.rule_get", &body, &done);
    if (!done)
        s_print_rule (b);
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  What reclaiming frees, in a line: hosts, storage, bandwidth.
static void
s_frees (const msgpack_object *frees, char *out, size_t size)
{
    const msgpack_object *res = yjc_obj_get (frees, "resources");
    const msgpack_object *hosts = yjc_obj_get (res, "hosts");
    int64_t count = 0, tb = 0, mbps = 0;
    for (uint32_t i = 0; hosts && hosts->type == MSGPACK_OBJECT_ARRAY &&
                         i < hosts->via.array.size;
         i++) {
        int64_t n = 0;
        yjc_obj_int (&hosts->via.array.ptr[i], "count", &n);
        count += n;
    }
    yjc_obj_int (res, "storage_tb", &tb);
    yjc_obj_int (yjc_obj_get (res, "network"), "dedicated_mbps", &mbps);
    snprintf (out,
              size,
              "云主机 %lld 台，存储 %lld TB，带宽 %lld Mbps",
              (long long)count,
              (long long)tb,
              (long long)mbps);
}

static const char *
s_status_zh (const char *status)
{
    return streq (status, "silent") ? "无采样"
           : streq (status, "low")  ? "利用率低"
                                    : "在用";
}

//  One row per resource of each candidate.
static void
s_rows (cli_table_t *table, const msgpack_object *c)
{
    char app[33], unit[129], reason[16], since[16], frees[160];
    yjc_obj_strcpy (c, "app_id", app, sizeof app);
    yjc_obj_strcpy (c, "unit", unit, sizeof unit);
    yjc_obj_strcpy (c, "reason", reason, sizeof reason);
    yjc_obj_strcpy (c, "running_since", since, sizeof since);
    s_frees (yjc_obj_get (c, "frees"), frees, sizeof frees);
    const msgpack_object *list = yjc_obj_get (c, "resources");
    uint32_t n =
        list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (n == 0)
        cli_table_row (table,
                       app,
                       unit,
                       "（全部）",
                       s_status_zh (reason),
                       "0",
                       "0",
                       "",
                       "",
                       "",
                       frees);
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char res[65], status[16], cpu[16], mem[16], last[32];
        char samples[24], days[24];
        int64_t ns = 0, nd = 0;
        yjc_obj_int (e, "samples", &ns);
        yjc_obj_int (e, "days", &nd);
        snprintf (samples, sizeof samples, "%lld", (long long)ns);
        snprintf (days, sizeof days, "%lld", (long long)nd);
        cli_table_row (
            table,
            i == 0 ? app : "",
            i == 0 ? unit : "",
            yjc_obj_strcpy (e, "resource", res, sizeof res),
            s_status_zh (yjc_obj_strcpy (e, "status", status, sizeof status)),
            samples,
            days,
            yjc_obj_strcpy (e, "cpu_p95", cpu, sizeof cpu),
            yjc_obj_strcpy (e, "mem_p95", mem, sizeof mem),
            yjc_obj_strcpy (e, "last_sample", last, sizeof last),
            i == 0 ? frees : "");
    }
}

//  idle: the candidates, each resource's evidence, what would be freed.
int
idle_cmd_list (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->limit)
        yjc_map_int (&map, "limit", opts->limit);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.idle", &body, &done);
    if (!done) {
        s_print_rule (yjc_obj_get (b, "rule"));
        const msgpack_object *list = yjc_obj_get (b, "candidates");
        uint32_t n = list ? list->via.array.size : 0;
        if (n == 0)
            printf ("没有闲置的系统。\n");
        else {
            printf ("闲置候选 %u 个：\n", n);
            cli_table_t *table = cli_table_new (10, 0);
            cli_table_row (table,
                           "申请编号",
                           "单位",
                           "资源",
                           "认定",
                           "采样数",
                           "天数",
                           "CPU p95%",
                           "内存 p95%",
                           "最后采样",
                           "回收可释放");
            for (uint32_t i = 0; i < n; i++)
                s_rows (table, &list->via.array.ptr[i]);
            cli_table_print (table, stdout);
            cli_table_destroy (&table);
        }
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
