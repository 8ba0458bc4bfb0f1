/*  audit.c - what billing and audit keep: the resources allocated to an
    application with their billing intervals, and the audit trail.      */
#include "audit.h"
#include "table.h"
#include "yjc_describe.h"
#include "yjc_lifecycle.h"
#include <sodium.h>

//  allocations APP: the resources of each order and the intervals billed.
int
audit_cmd_allocations (cli_opts_t *opts)
{
    yjc_pack_t body;
    cli_pack_app (&body, opts->args[0], NULL);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.allocations", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "allocations");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "订单", "阶段", "资源项", "起", "止");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], stage[17], from[32], to[32], lines_text[24];
            int64_t lines = 0;
            yjc_obj_strcpy (e, "to", to, sizeof to);
            yjc_obj_int (e, "lines", &lines);
            snprintf (lines_text, sizeof lines_text, "%lld", (long long)lines);
            cli_table_row (table,
                           yjc_obj_strcpy (e, "order_id", id, sizeof id),
                           yjc_interval_zh (yjc_obj_strcpy (
                               e, "stage", stage, sizeof stage)),
                           lines_text,
                           yjc_obj_strcpy (e, "from", from, sizeof from),
                           *to ? to : "（使用中）");
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  --csv: the events for a spreadsheet, the event in words and its code.
static void
s_csv_print (const msgpack_object *list)
{
    const char *head[] = { "序号", "发生时间", "来源", "申请",  "事件",
                           "说明", "事件代码", "单位", "操作人" };
    for (int k = 0; k < 9; k++)
        cli_csv_field (head[k], k == 8);
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        char at[40], source[33], app[33], type[65], seq_text[24];
        int64_t seq = 0;
        yjc_obj_int (e, "seq", &seq);
        snprintf (seq_text, sizeof seq_text, "%lld", (long long)seq);
        yjc_obj_strcpy (e, "type", type, sizeof type);
        int t = yjc_event_by_wire (type, strlen (type));
        cli_csv_field (seq_text, false);
        cli_csv_field (yjc_obj_strcpy (e, "at", at, sizeof at), false);
        cli_csv_field (cli_service_zh (
                           yjc_obj_strcpy (e, "source", source, sizeof source)),
                       false);
        cli_csv_field (yjc_obj_strcpy (e, "app_id", app, sizeof app), false);
        cli_csv_field (t >= 0 ? yjc_event_defs[t].zh : type, false);
        char said[4096]; //  issue 12: what happened, in a clerk's words
        yjc_describe (t, yjc_obj_get (e, "payload"), said, sizeof said);
        cli_csv_field (said, false);
        cli_csv_field (type, false);
        char unit[129], actor[33];
        cli_csv_field (yjc_obj_strcpy (e, "unit", unit, sizeof unit), false);
        cli_csv_field (yjc_obj_strcpy (e, "actor", actor, sizeof actor), true);
    }
}

//  audit events [--app APP] [--type T] [--since D] [--until D] [--after
//  SEQ] [--limit N] [--csv]: the audit trail, paged on seq.
int
audit_cmd_events (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    if (opts->app)
        yjc_map_str (&map, "app_id", opts->app);
    if (opts->after)
        yjc_map_int (&map, "after", opts->after);
    if (opts->limit)
        yjc_map_int (&map, "limit", opts->limit);
    if (opts->type)
        yjc_map_str (&map, "type", opts->type);
    if (opts->since)
        yjc_map_str (&map, "since", opts->since);
    if (opts->until)
        yjc_map_str (&map, "until", opts->until);
    if (opts->unit)
        yjc_map_str (&map, "unit", opts->unit);
    if (opts->actor)
        yjc_map_str (&map, "actor", opts->actor);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "audit.events", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "events");
        cli_table_t *table = cli_table_new (7, 0);
        cli_table_row (table,
                       "序号",
                       "发生时间",
                       "来源",
                       "操作人",
                       "申请",
                       "事件",
                       "说明");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char at[40], source[33], app[33], type[65], seq_text[24];
            char actor[33];
            int64_t seq = 0;
            yjc_obj_strcpy (e, "type", type, sizeof type);
            yjc_obj_int (e, "seq", &seq);
            //  who caused it; the services' own steps are the system's
            if (!*yjc_obj_strcpy (e, "actor", actor, sizeof actor))
                snprintf (actor, sizeof actor, "%s", "（系统）");
            snprintf (seq_text, sizeof seq_text, "%lld", (long long)seq);
            int t = yjc_event_by_wire (type, strlen (type));
            char said[512]; //  issue 12: what happened, in a clerk's words
            yjc_describe (t, yjc_obj_get (e, "payload"), said, sizeof said);
            cli_table_row (table,
                           seq_text,
                           yjc_obj_strcpy (e, "at", at, sizeof at),
                           cli_service_zh (yjc_obj_strcpy (
                               e, "source", source, sizeof source)),
                           actor,
                           yjc_obj_strcpy (e, "app_id", app, sizeof app),
                           t >= 0 ? yjc_event_defs[t].zh : type,
                           said);
        }
        if (opts->csv)
            s_csv_print (list);
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

/* ---- the chain: checkpoints and verification ---------------------------- */

#define CP_TAG     "yjc-audit-checkpoint-v1"
#define CP_MSG_LEN (sizeof CP_TAG + 24 + 32)

//  audit checkpoints: one line per signed checkpoint (proto/README.md),
//  for the auditor to keep outside the platform.
int
audit_cmd_checkpoints (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 0);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "audit.checkpoints", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "checkpoints");
        printf (
            "# yjcloud audit checkpoints v1: seq count at_us head key sig\n");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            int64_t seq = 0, count = 0, at = 0;
            char head[65], key[65], sig[129];
            yjc_obj_int (e, "seq", &seq);
            yjc_obj_int (e, "count", &count);
            yjc_obj_int (e, "at_us", &at);
            printf ("%lld %lld %lld %s %s %s\n",
                    (long long)seq,
                    (long long)count,
                    (long long)at,
                    yjc_obj_strcpy (e, "head", head, sizeof head),
                    yjc_obj_strcpy (e, "key", key, sizeof key),
                    yjc_obj_strcpy (e, "sig", sig, sizeof sig));
        }
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

static void
s_be (unsigned char *out, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (unsigned char)(v & 0xff);
}

//  One line of a checkpoints file, its signature checked here (not by
//  the service: the auditor's copy is the reference).  0, or why not.
static const char *
s_checkpoint_line (const char *line, char *key0, int64_t *seq, char *head)
{
    long long s = 0, count = 0, at = 0;
    char key[65], sig[129];
    if (sscanf (line,
                "%lld %lld %lld %64s %64s %128s",
                &s,
                &count,
                &at,
                head,
                key,
                sig) != 6)
        return "格式不对";
    if (!*key0)
        strcpy (key0, key);
    if (strcmp (key0, key) != 0)
        return "公钥与第一行不同";
    unsigned char msg[CP_MSG_LEN], pk[32], sg[64];
    size_t n1 = 0, n2 = 0, n3 = 0;
    memcpy (msg, CP_TAG, sizeof CP_TAG);
    s_be (msg + sizeof CP_TAG, (uint64_t)s);
    s_be (msg + sizeof CP_TAG + 8, (uint64_t)count);
    s_be (msg + sizeof CP_TAG + 16, (uint64_t)at);
    if (sodium_hex2bin (
            msg + sizeof CP_TAG + 24, 32, head, 64, NULL, &n1, NULL) != 0 ||
        n1 != 32 || sodium_hex2bin (pk, 32, key, 64, NULL, &n2, NULL) != 0 ||
        n2 != 32 || sodium_hex2bin (sg, 64, sig, 128, NULL, &n3, NULL) != 0 ||
        n3 != 64)
        return "格式不对";
    if (crypto_sign_verify_detached (sg, msg, sizeof msg, pk) != 0)
        return "签名无效";
    *seq = s;
    return NULL;
}

//  The checkpoints file as the request's `heads`; 0, or 1 after saying why.
static int
s_read_checkpoints (const char *path, yjc_pack_t *heads, uint32_t *n)
{
    FILE *f = fopen (path, "r");
    if (!f) {
        fprintf (stderr, "无法读取检查点文件 %s\n", path);
        return 1;
    }
    char line[512], key0[65] = "";
    int lineno = 0;
    while (fgets (line, sizeof line, f)) {
        lineno++;
        if (*line == '#' || *line == '\n')
            continue;
        int64_t seq = 0;
        char head[65];
        const char *why = s_checkpoint_line (line, key0, &seq, head);
        if (why) {
            fprintf (stderr, "检查点文件 %s 第 %d 行%s\n", path, lineno, why);
            fclose (f);
            return 1;
        }
        msgpack_pack_map (&heads->pk, 2);
        yjc_pk_kv_int (&heads->pk, "seq", seq);
        yjc_pk_kv_str (&heads->pk, "head", head);
        (*n)++;
    }
    fclose (f);
    return 0;
}

static void
s_verdict_print (const msgpack_object *b)
{
    int64_t checked = 0, cps = 0, last = 0, us = 0, bad = 0, good = 0;
    int64_t streams = 1;
    yjc_obj_int (b, "streams", &streams);
    yjc_obj_int (b, "checked", &checked);
    yjc_obj_int (b, "checkpoints", &cps);
    yjc_obj_int (b, "last_seq", &last);
    yjc_obj_int (b, "elapsed_us", &us);
    const msgpack_object *why = yjc_obj_get (b, "bad");
    if (!why) {
        printf (
            "审计记录完整：核验 %lld 条事件（至序号 %lld），"
            "检查点 %lld 个相符，用时 %.1f 毫秒（每秒 %.0f 条，%lld 路并行）\n",
            (long long)checked,
            (long long)last,
            (long long)cps,
            us / 1000.0,
            us > 0 ? checked * 1e6 / us : 0.0,
            (long long)streams);
        return;
    }
    char ev[65], reason[16];
    yjc_obj_int (b, "bad_seq", &bad);
    yjc_obj_int (b, "good_seq", &good);
    yjc_obj_strcpy (why, "event_id", ev, sizeof ev);
    yjc_obj_strcpy (why, "reason", reason, sizeof reason);
    if (streq (reason, "hash"))
        printf ("审计记录被改动：序号 %lld 的事件 %s 与审计链不符"
                "（内容被修改或顺序被调换）\n",
                (long long)bad,
                ev);
    else if (streq (reason, "gap"))
        printf ("审计记录被改动：序号 %lld 的事件缺失（在事件 %s 之前）\n",
                (long long)bad,
                ev);
    else if (streq (reason, "head"))
        printf ("审计记录被改动：序号 %lld 起的事件缺失（链头对不上）\n",
                (long long)bad);
    else if (streq (reason, "checkpoint"))
        printf ("审计记录被改写：序号 %lld 处的检查点与重算的链不符%s%s，"
                "序号 %lld 之后、%lld 及以前的事件被整体改写\n",
                (long long)bad,
                *ev ? "，事件 " : "",
                ev,
                (long long)good,
                (long long)bad);
    else
        printf ("检查点签名无效：序号 %lld\n", (long long)bad);
}

//  audit verify [--from SEQ] [--to SEQ] [--checkpoints FILE]: the chain
//  recomputed by the audit service from the rows; the auditor's own
//  checkpoints (their signatures checked here) must lie on it.
int
audit_cmd_verify (cli_opts_t *opts)
{
    yjc_pack_t heads;
    yjc_pack_init (&heads);
    uint32_t nheads = 0;
    if (opts->checkpoints &&
        s_read_checkpoints (opts->checkpoints, &heads, &nheads) != 0) {
        yjc_pack_release (&heads);
        return 1;
    }
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      (opts->from > 0) + (opts->to > 0) + (nheads > 0));
    if (opts->from > 0)
        yjc_pk_kv_int (&body.pk, "from", opts->from);
    if (opts->to > 0)
        yjc_pk_kv_int (&body.pk, "to", opts->to);
    if (nheads > 0) {
        yjc_pk_str (&body.pk, "heads");
        msgpack_pack_array (&body.pk, nheads);
        msgpack_sbuffer_write (&body.buf, heads.buf.data, heads.buf.size);
    }
    yjc_pack_release (&heads);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "audit.verify", &body, &done);
    int rc = b ? 0 : 1;
    if (b && !done)
        s_verdict_print (b);
    if (b && yjc_obj_get (b, "bad"))
        rc = 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
