/*  lists.c - the read-only lists the services keep, as the CLI's tables:
    GET /idle (R11.3 idle candidates, `yjcloud idle`), GET /findings
    (R18 inspections' findings, `yjcloud finding list`), GET /compliance
    (R16, R21 the vendor's obligations and the deadlines' SLA,
    `yjcloud compliance --year Y`).  The bureau and the auditor.        */
#include "bureau.h"
#include "yjc_clock.h"
#include "yjc_lifecycle.h"
#include "yjc_obligations.h"
#include "yjc_time.h"

static bool
s_reader (const session_t *s)
{
    return s->actor.role == YJC_ROLE_BUREAU ||
           s->actor.role == YJC_ROLE_AUDITOR;
}

static const msgpack_object *
s_call_limit (const session_t *s, int svc, const char *type, yjc_reply_t *reply)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_int (&body.pk, "limit", 500);
    const msgpack_object *b = page_call (s, svc, type, &body, reply);
    yjc_pack_release (&body);
    return b;
}

static const char *
s_idle_zh (const char *status)
{
    return streq (status, "silent") ? "无采样"
           : streq (status, "low")  ? "利用率低"
                                    : "在用";
}

//  R11.3: each candidate, each resource's evidence, what reclaiming frees.
static enum MHD_Result
s_idle (struct MHD_Connection *connection, const session_t *s)
{
    yjc_reply_t reply;
    enum MHD_Result rc;
    const msgpack_object *b =
        s_call_limit (s, YJC_SVC_BILLING, "billing.idle", &reply);
    if (!b && bureau_refused (connection, &reply, &rc))
        return rc;
    tpl_t *data = page_frame (s, "闲置资源");
    const msgpack_object *rule = yjc_obj_get (b, "rule");
    int64_t days = 0, cpu = 0, mem = 0, silent = 0;
    yjc_obj_int (rule, "window_days", &days);
    yjc_obj_int (rule, "cpu_p95", &cpu);
    yjc_obj_int (rule, "mem_p95", &mem);
    yjc_obj_int (rule, "silent_days", &silent);
    tpl_set (data,
             "rule",
             "认定规则：近 %lld 天 CPU p95 低于 %lld%%、内存 p95 低于 %lld%%，"
             "或连续 %lld 天无采样",
             (long long)days,
             (long long)cpu,
             (long long)mem,
             (long long)silent);
    const msgpack_object *list = yjc_obj_get (b, "candidates");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *c = &list->via.array.ptr[i];
        const msgpack_object *res = yjc_obj_get (c, "resources");
        uint32_t n =
            res && res->type == MSGPACK_OBJECT_ARRAY ? res->via.array.size : 0;
        char st[16];
        for (uint32_t k = 0; k < (n ? n : 1); k++) {
            const msgpack_object *e = n ? &res->via.array.ptr[k] : NULL;
            tpl_t *item = tpl_add (data, "rows");
            if (k == 0) {
                page_str (item, "app_id", c, "app_id");
                page_str (item, "unit", c, "unit");
            }
            tpl_set (item, "resource", "%s", "（全部）");
            tpl_set (item,
                     "status",
                     "%s",
                     s_idle_zh (yjc_obj_strcpy (c, "reason", st, sizeof st)));
            if (!e)
                continue;
            int64_t ns = 0, nd = 0;
            yjc_obj_int (e, "samples", &ns);
            yjc_obj_int (e, "days", &nd);
            page_str (item, "resource", e, "resource");
            tpl_set (item,
                     "status",
                     "%s",
                     s_idle_zh (yjc_obj_strcpy (e, "status", st, sizeof st)));
            tpl_set (item, "samples", "%lld", (long long)ns);
            tpl_set (item, "days", "%lld", (long long)nd);
            page_str (item, "cpu_p95", e, "cpu_p95");
            page_str (item, "mem_p95", e, "mem_p95");
            page_str (item, "last_sample", e, "last_sample");
        }
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "idle", data);
}

//  R18: every finding, its deadline, state and measure.
static enum MHD_Result
s_findings (struct MHD_Connection *connection, const session_t *s)
{
    yjc_reply_t reply;
    enum MHD_Result rc;
    const msgpack_object *b =
        s_call_limit (s, YJC_SVC_REVIEW, "finding.list", &reply);
    if (!b && bureau_refused (connection, &reply, &rc))
        return rc;
    static const char *states[][2] = { { "open", "待整改" },
                                       { "rectified", "已报送整改" },
                                       { "returned", "整改被退回" },
                                       { "passed", "整改通过" } };
    tpl_t *data = page_frame (s, "检查发现的问题");
    const msgpack_object *list = yjc_obj_get (b, "findings");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *f = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "rows");
        char st[17], sev[17], m[17], due[16], over[8];
        page_str (item, "finding_id", f, "finding_id");
        page_str (item, "app_id", f, "app_id");
        page_str (item, "text", f, "text");
        yjc_obj_strcpy (f, "state", st, sizeof st);
        const char *st_zh = st;
        for (size_t k = 0; k < sizeof states / sizeof *states; k++)
            if (streq (states[k][0], st))
                st_zh = states[k][1];
        tpl_set (item, "state", "%s", st_zh);
        yjc_obj_strcpy (f, "severity", sev, sizeof sev);
        const char *sev_zh = yjc_value_zh ("severity", sev, strlen (sev));
        tpl_set (item, "severity", "%s", sev_zh ? sev_zh : sev);
        yjc_obj_strcpy (f, "enforcement", m, sizeof m);
        const char *m_zh = yjc_value_zh ("measure", m, strlen (m));
        tpl_set (item, "measure", "%s", *m ? (m_zh ? m_zh : m) : "无");
        bool late =
            streq (yjc_obj_strcpy (f, "overdue", over, sizeof over), "true");
        tpl_set (item,
                 "due",
                 "%s%s",
                 yjc_obj_strcpy (f, "due", due, sizeof due),
                 late ? "（已逾期）" : "");
        if (late)
            tpl_set (item, "overdue", "1");
    }
    yjc_reply_release (&reply);
    return page_render (connection, MHD_HTTP_OK, "findings", data);
}

static const char *
s_status_zh (const char *status)
{
    return streq (status, "on_time")   ? "按时"
           : streq (status, "late")    ? "逾期"
           : streq (status, "missing") ? "缺失"
                                       : "未到期";
}

static void
s_sla_rows (tpl_t *data, const msgpack_object *list)
{
    static const char *keys[] = { "steps", "on_time",     "late",
                                  "open",  "median_late", "worst_late" };
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "sla");
        char what[33], by[17];
        tpl_set (
            item,
            "what",
            "%s",
            yjc_deadline_zh (yjc_obj_strcpy (e, "what", what, sizeof what)));
        tpl_set (item,
                 "owed_by",
                 "%s",
                 yjc_party_zh (yjc_obj_strcpy (e, "owed_by", by, sizeof by)));
        for (int k = 0; k < 6; k++) {
            int64_t v = 0;
            yjc_obj_int (e, keys[k], &v);
            tpl_set (item, keys[k], "%lld", (long long)v);
        }
        page_str (item, "rule", e, "rule");
    }
}

//  R16, R21: the vendor's obligations period by period, and how each
//  deadline rule was kept (provisioning's and review's SLA).
static enum MHD_Result
s_compliance (struct MHD_Connection *connection, const session_t *s)
{
    const char *v =
        MHD_lookup_connection_value (connection, MHD_GET_ARGUMENT_KIND, "year");
    long year = v ? strtol (v, NULL, 10) : 0;
    if (year < 2000 || year > 9999)
        year = yjc_time_local_date (yjc_clock_now_or_system ()).y;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_int (&body.pk, "year", year);
    yjc_reply_t pr, rr;
    enum MHD_Result rc;
    const msgpack_object *p =
        page_call (s, YJC_SVC_PROVISIONING, "compliance.report", &body, &pr);
    if (!p) {
        yjc_pack_release (&body);
        bureau_refused (connection, &pr, &rc);
        return rc;
    }
    const msgpack_object *r =
        page_call (s, YJC_SVC_REVIEW, "review.sla", &body, &rr);
    yjc_pack_release (&body);
    tpl_t *data = page_frame (s, "履约情况");
    tpl_set (data, "year", "%ld", year);
    const msgpack_object *list = yjc_obj_get (p, "obligations");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "obligations");
        char code[33], status[16];
        int64_t late = 0, version = 0;
        int o = yjc_obligation_by_code (
            yjc_obj_strcpy (e, "code", code, sizeof code));
        tpl_set (item, "what", "%s", o >= 0 ? yjc_obligations[o].zh : code);
        page_str (item, "period", e, "period");
        page_str (item, "unit", e, "unit");
        page_str (item, "due", e, "due");
        page_str (item, "rule", e, "rule");
        yjc_obj_strcpy (e, "status", status, sizeof status);
        yjc_obj_int (e, "late_workdays", &late);
        yjc_obj_int (e, "version", &version);
        if (streq (status, "late"))
            tpl_set (item, "verdict", "逾期 %lld 个工作日", (long long)late);
        else if (streq (status, "missing"))
            tpl_set (item,
                     "verdict",
                     "缺失（已过期限 %lld 个工作日）",
                     (long long)late);
        else
            tpl_set (item, "verdict", "%s", s_status_zh (status));
        char id[33];
        if (*yjc_obj_strcpy (e, "submission_id", id, sizeof id))
            tpl_set (
                item, "delivered", "%s（第 %lld 版）", id, (long long)version);
        if (streq (status, "late") || streq (status, "missing"))
            tpl_set (item, "overdue", "1");
    }
    s_sla_rows (data, yjc_obj_get (p, "sla"));
    if (r)
        s_sla_rows (data, yjc_obj_get (r, "sla"));
    else
        tpl_set (data, "sla_partial", "1");
    yjc_reply_release (&pr);
    yjc_reply_release (&rr);
    return page_render (connection, MHD_HTTP_OK, "compliance", data);
}

bool
lists_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form,
             const session_t *s,
             enum MHD_Result *rc)
{
    (void)form;
    if (post)
        return false;
    bool idle = streq (url, "/idle"), findings = streq (url, "/findings"),
         compliance = streq (url, "/compliance");
    if (!idle && !findings && !compliance)
        return false;
    if (!s_reader (s))
        *rc = page_not_found (connection);
    else if (idle)
        *rc = s_idle (connection, s);
    else if (findings)
        *rc = s_findings (connection, s);
    else
        *rc = s_compliance (connection, s);
    return true;
}
