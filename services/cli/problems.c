/*  problems.c - R15: a unit reports a problem of its system to the vendor
    and the bureau (report-problem), and everyone follows them with their
    state, the time to acknowledge and to resolve, and their age
    (problems).                                                         */
#include "problems.h"
#include "table.h"
#include <sodium.h>
#include <sys/stat.h>

static const char *s_severities[] = { "urgent", "high", "normal", "low" };

//  --severity: the wire value or its Chinese words (紧急, 高, 一般, 低).
static const char *
s_severity (const char *given)
{
    for (size_t i = 0; i < sizeof s_severities / sizeof *s_severities; i++) {
        const char *zh = yjc_value_zh (
            "severity", s_severities[i], strlen (s_severities[i]));
        if (streq (given, s_severities[i]) || (zh && streq (given, zh)))
            return s_severities[i];
    }
    return given; //  the service says what is allowed
}

//  An --attach names an attachment id (F…), or a file uploaded first to
//  intake (which keeps it; the report names its id).
static int
s_attachments (cli_opts_t *opts, yjc_map_t *map)
{
    if (opts->nattach == 0)
        return 0;
    msgpack_packer *pk = yjc_map_key (map, "attachments");
    msgpack_pack_array (pk, (uint32_t)opts->nattach);
    cli_session_t session;
    bool open = false;
    for (int i = 0; i < opts->nattach; i++) {
        struct stat st;
        if (stat (opts->attach[i], &st) != 0 || !S_ISREG (st.st_mode)) {
            yjc_pk_str (pk, opts->attach[i]);
            continue;
        }
        if (!open && cli_session_open (&session, opts, YJC_SVC_INTAKE) != 0)
            return 1;
        open = true;
        files_info_t info;
        int rc = cli_upload (&session, opts, opts->attach[i], "附件", &info);
        if (rc != 0) {
            cli_session_close (&session);
            return rc;
        }
        yjc_pk_str (pk, info.att_id);
    }
    if (open)
        cli_session_close (&session);
    return 0;
}

//  report-problem APP --severity S --text T [--attach ATT|FILE]…
int
problems_cmd_report (cli_opts_t *opts)
{
    if (!cli_need (opts->severity,
                   "--severity 严重程度（紧急、高、一般、低）") ||
        !cli_need (opts->text, "--text 问题描述"))
        return 2;
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    yjc_map_str (&map, "severity", s_severity (opts->severity));
    yjc_map_str (&map, "text", opts->text);
    int rc = s_attachments (opts, &map);
    if (rc != 0) {
        yjc_map_release (&map);
        return rc;
    }
    //  the report's own key: the same command run again (after a
    //  timeout) is the same report
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest,
                        (const unsigned char *)map.entries.buf.data,
                        map.entries.buf.size);
    char key[4 + 2 * 16 + 1] = "cli-";
    for (int i = 0; i < 16; i++)
        snprintf (key + 4 + 2 * i, 3, "%02x", digest[i]);
    yjc_map_str (&map, "report_key", key);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_PROVISIONING, "problem.report", &body, &done);
    if (!done) {
        char id[33];
        printf ("问题已报告，问题编号 %s，已送达供应商和主管部门\n",
                yjc_obj_strcpy (b, "problem_id", id, sizeof id));
    }
    rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  A duration in a clerk's words: 2天3小时, 3小时5分, 5分, 12秒; "" when
//  none (nil).
static void
s_duration (const msgpack_object *o, char *out, size_t size)
{
    *out = 0;
    if (!o || (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
               o->type != MSGPACK_OBJECT_NEGATIVE_INTEGER))
        return;
    long long s =
        o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (long long)o->via.u64 : 0;
    long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
    if (d)
        snprintf (out, size, "%lld天%lld小时", d, h);
    else if (h)
        snprintf (out, size, "%lld小时%lld分", h, m);
    else if (m)
        snprintf (out, size, "%lld分", m);
    else
        snprintf (out, size, "%lld秒", s);
}

static const char *
s_state_zh (const char *state)
{
    return streq (state, "reported")       ? "待确认"
           : streq (state, "acknowledged") ? "处理中"
           : streq (state, "resolved")     ? "已解决"
                                           : state;
}

//  problems [--open] [--app APP]: with their state, the time to
//  acknowledge and to resolve, and their age; a unit sees its own.
int
problems_cmd_list (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->open)
        yjc_map_bool (&map, "open", true);
    if (opts->app)
        yjc_map_str (&map, "app_id", opts->app);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_PROVISIONING, "problem.list", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "problems");
        cli_table_t *table = cli_table_new (10, 0);
        cli_table_row (table,
                       "问题",
                       "申请",
                       "单位",
                       "严重程度",
                       "状态",
                       "报告时间",
                       "确认用时",
                       "解决用时",
                       "已过",
                       "问题描述 / 处理说明");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], app[33], unit[129], sev[17], st[17], at[24];
            char ack[32], res[32], age[32], text[4001], note[2001];
            char what[6100];
            yjc_obj_strcpy (e, "severity", sev, sizeof sev);
            const char *sev_zh = yjc_value_zh ("severity", sev, strlen (sev));
            s_duration (yjc_obj_get (e, "ack_seconds"), ack, sizeof ack);
            s_duration (yjc_obj_get (e, "resolve_seconds"), res, sizeof res);
            s_duration (yjc_obj_get (e, "age_seconds"), age, sizeof age);
            yjc_obj_strcpy (e, "text", text, sizeof text);
            yjc_obj_strcpy (e, "note", note, sizeof note);
            snprintf (
                what, sizeof what, "%s%s%s", text, *note ? " / " : "", note);
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "problem_id", id, sizeof id),
                yjc_obj_strcpy (e, "app_id", app, sizeof app),
                yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                sev_zh ? sev_zh : sev,
                s_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "reported_at", at, sizeof at),
                ack,
                res,
                age,
                what);
        }
        if (cli_table_rows (table) == 1)
            printf (opts->open ? "（没有未解决的问题）\n"
                               : "（没有问题报告）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
