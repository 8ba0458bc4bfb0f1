/*  reclaim.c - R11.3: the bureau reclaims idle resources.  It proposes
    the lines to take back with its evidence; the unit may object within
    the window; the bureau then approves (the vendor takes them back) or
    rejects, with an opinion.                                            */
#include "reclaim.h"
#include "table.h"
#include "yjc_lifecycle.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

//  "4c/8G:2" or "4c8g:2" -> cpu_mem "4c8g", count 2; "mysql:1" -> the
//  same with the engine.  False after saying why not.
static bool
s_parse_item (const char *option,
              const char *text,
              bool size,
              char what[16],
              int64_t *count)
{
    const char *colon = strrchr (text, ':');
    size_t n = 0;
    for (const char *p = text; *p && p != colon && n < 15; p++)
        if (*p != '/')
            what[n++] = (char)tolower ((unsigned char)*p);
    what[n] = 0;
    char *end = NULL;
    *count = colon ? strtoll (colon + 1, &end, 10) : 0;
    if (!colon || !n || !end || *end || *count < 1) {
        fprintf (stderr,
                 "选项 --%s 应写成 %s:数量，例如 %s，填写的是 %s\n",
                 option,
                 size ? "配置" : "类型",
                 size ? "4c/8G:2" : "mysql:1",
                 text);
        return false;
    }
    return true;
}

//  "hosts": [{cpu_mem, count}…] or "databases": [{engine, count}…]
static bool
s_pack_items (yjc_map_t *lines,
              const char *key,
              const char *option,
              const char *field,
              const char **items,
              int nitems)
{
    if (!nitems)
        return true;
    msgpack_packer *pk = yjc_map_key (lines, key);
    msgpack_pack_array (pk, (uint32_t)nitems);
    for (int i = 0; i < nitems; i++) {
        char what[16];
        int64_t count;
        if (!s_parse_item (option, items[i], *field == 'c', what, &count))
            return false;
        msgpack_pack_map (pk, 2);
        yjc_pk_kv_str (pk, field, what);
        yjc_pk_str (pk, "count");
        msgpack_pack_int64 (pk, count);
    }
    return true;
}

//  --bandwidth MBPS, --storage TB: a whole number taken back (absent: 0)
static bool
s_parse_amount (const char *option, const char *text, int64_t *amount)
{
    if (!text)
        return true;
    char *end = NULL;
    errno = 0;
    long long n = strtoll (text, &end, 10);
    if (errno || end == text || *end || n < 1 || n > 1000000) {
        fprintf (stderr, "%s 须为正整数：%s\n", option, text);
        return false;
    }
    *amount = n;
    return true;
}

static bool
s_pack_lines (cli_opts_t *opts, yjc_map_t *map)
{
    yjc_map_t lines;
    yjc_map_init (&lines);
    bool ok =
        s_pack_items (
            &lines, "hosts", "hosts", "cpu_mem", opts->hosts, opts->nhosts) &&
        s_pack_items (&lines,
                      "databases",
                      "databases",
                      "engine",
                      opts->databases,
                      opts->ndatabases);
    int64_t bandwidth = 0, storage = 0;
    ok = ok && s_parse_amount ("--bandwidth", opts->bandwidth, &bandwidth) &&
         s_parse_amount ("--storage", opts->storage, &storage);
    if (ok && bandwidth > 0)
        yjc_map_int (&lines, "bandwidth_mbps", bandwidth);
    if (ok && storage > 0)
        yjc_map_int (&lines, "storage_tb", storage);
    if (ok) {
        yjc_map_end (&lines, yjc_map_key (map, "lines"));
    }
    yjc_map_release (&lines);
    return ok;
}

//  reclaim propose APP --hosts 4c/8G:2 --bandwidth 10 --storage 1
//  --databases mysql:1 --evidence TEXT
int
reclaim_cmd_propose (cli_opts_t *opts)
{
    if (!cli_need (opts->evidence, "--evidence 依据（实际使用情况）"))
        return 2;
    if (!opts->nhosts && !opts->ndatabases && !opts->bandwidth &&
        !opts->storage) {
        fprintf (stderr,
                 "请至少给出一项收回的资源：--hosts、--bandwidth、--storage"
                 " 或 --databases\n");
        return 2;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    yjc_map_str (&map, "evidence", opts->evidence);
    if (!s_pack_lines (opts, &map)) {
        yjc_map_release (&map);
        return 2;
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "reclaim.propose", &body, &done);
    if (!done) {
        char id[33];
        printf ("已提出收回闲置资源，编号 %s（R11.3）\n",
                yjc_obj_strcpy (b, "reclaim_id", id, sizeof id));
        cli_line ("异议期至", b, "window_end");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  One step on a reclamation: object (--text) or a decision (--opinion).
static int
s_step (cli_opts_t *opts,
        const char *type,
        const char *key,
        const char *text,
        const char *done_zh)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "reclaim_id", opts->args[0]);
    yjc_map_str (&map, key, text);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, YJC_SVC_REVIEW, type, &body, &done);
    if (!done)
        printf ("%s：%s\n", opts->args[0], done_zh);
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

int
reclaim_cmd_object (cli_opts_t *opts)
{
    if (!cli_need (opts->text, "--text 异议"))
        return 2;
    return s_step (
        opts, "reclaim.object", "text", opts->text, "异议已提交主管部门");
}

int
reclaim_cmd_approve (cli_opts_t *opts)
{
    if (!cli_need (opts->opinion, "--opinion 意见"))
        return 2;
    return s_step (opts,
                   "reclaim.approve",
                   "opinion",
                   opts->opinion,
                   "决定收回，已通知供应商（3 个工作日内完成）");
}

int
reclaim_cmd_reject (cli_opts_t *opts)
{
    if (!cli_need (opts->opinion, "--opinion 意见"))
        return 2;
    return s_step (
        opts, "reclaim.reject", "opinion", opts->opinion, "决定不收回");
}

//  reclaim show ID: the proposal, its evidence, the objection, the
//  decision.
int
reclaim_cmd_show (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "reclaim_id", opts->args[0]);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "reclaim.get", &body, &done);
    if (!done) {
        char st[17];
        printf ("收回闲置资源 %s（R11.3）\n", opts->args[0]);
        cli_line ("申请", b, "app_id");
        cli_line ("单位", b, "unit");
        printf (
            "%-10s %s\n",
            "状态",
            yjc_reclaim_state_zh (yjc_obj_strcpy (b, "state", st, sizeof st)));
        cli_line ("提出时间", b, "proposed_at");
        cli_line ("依据", b, "evidence");
        cli_line ("异议期至", b, "window_end");
        cli_line ("单位异议", b, "objection");
        cli_line ("异议时间", b, "objected_at");
        cli_line ("决定意见", b, "opinion");
        cli_line ("决定时间", b, "decided_at");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  reclaims [--app APP]: id, application, state, window end, objection.
int
reclaim_cmd_list (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->app)
        yjc_map_str (&map, "app_id", opts->app);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "reclaim.list", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "reclamations");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "编号", "申请", "状态", "异议期至", "单位异议");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], app[33], st[17], end[11], objection[2001];
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "reclaim_id", id, sizeof id),
                yjc_obj_strcpy (e, "app_id", app, sizeof app),
                yjc_reclaim_state_zh (
                    yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "window_end", end, sizeof end),
                *yjc_obj_strcpy (e, "objection", objection, sizeof objection)
                    ? objection
                    : "无");
        }
        if (cli_table_rows (table) == 1)
            printf ("（没有收回闲置资源事项）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
