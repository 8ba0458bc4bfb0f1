/*  print.c - the printable 审核表 of one application (GET /apps/ID/
    print): the rows and labels of the paper form as `yjcloud show`
    renders it (services/cli/form_render.c, the annex of 永政办发〔2020〕
    18号), with the grant beside each line (R9.2) and the signature
    block of the CLI's PDFs; A4 by the style sheet's @media print.
    Every role that may read the application may print it.              */
#include "bureau.h"
#include "yjc_form.h"
#include "yjc_lifecycle.h"

static const msgpack_object *
s_item (const msgpack_object *array, uint32_t i)
{
    return array && array->type == MSGPACK_OBJECT_ARRAY &&
                   i < array->via.array.size
               ? &array->via.array.ptr[i]
               : NULL;
}

static void
s_row (tpl_t *data, const char *label, const char *asked, const char *granted)
{
    tpl_t *item = tpl_add (data, "res");
    tpl_set (item, "label", "%s", label);
    tpl_set (item, "asked", "%s", asked);
    tpl_set (item, "granted", "%s", granted);
}

static void
s_row_quantity (tpl_t *data,
                const char *label,
                const msgpack_object *asked,
                const msgpack_object *granted,
                bool decided,
                const char *key,
                const char *unit)
{
    char a[48], g[48], cell[80];
    yjc_form_quantity (asked, key, unit, a, sizeof a);
    yjc_form_quantity (granted, key, unit, g, sizeof g);
    int64_t want = 0, got = 0;
    yjc_obj_int (asked, key, &want);
    yjc_obj_int (granted, key, &got);
    if (*a || *g)
        s_row (data,
               label,
               *a ? a : "—",
               decided ? yjc_form_granted (
                             *a ? a : "—", g, got < want, cell, sizeof cell)
                       : "");
}

static void
s_row_flag (tpl_t *data,
            const char *label,
            const msgpack_object *asked,
            const msgpack_object *granted,
            bool decided,
            const char *key)
{
    const msgpack_object *a = yjc_obj_get (asked, key);
    const msgpack_object *g = yjc_obj_get (granted, key);
    bool want = a && a->type == MSGPACK_OBJECT_BOOLEAN && a->via.boolean;
    bool got = g && g->type == MSGPACK_OBJECT_BOOLEAN && g->via.boolean;
    if (want)
        s_row (data, label, "√", decided ? (got ? "√" : "不予核定") : "");
}

//  三、云平台资源需求表: the rows of form_render.c's s_resources.
static void
s_resources (tpl_t *data,
             const msgpack_object *asked,
             const msgpack_object *granted)
{
    bool decided = granted != NULL;
    if (decided)
        tpl_set (data, "decided", "1");
    const msgpack_object *an = yjc_obj_get (asked, "network");
    const msgpack_object *gn = yjc_obj_get (granted, "network");
    char a[512], g[512], cell[600];
    const char *access = bureau_word (an, "access", a, sizeof a);
    s_row (data,
           "网络需求",
           access,
           decided ? yjc_form_granted (
                         access,
                         gn ? bureau_word (gn, "access", g, sizeof g) : NULL,
                         false,
                         cell,
                         sizeof cell)
                   : "");
    s_row_quantity (
        data, "独享带宽", an, gn, decided, "dedicated_mbps", "Mbps");
    s_row_flag (
        data, "共享带宽（市共享免费 1000M）", an, gn, decided, "shared");
    const msgpack_object *ah = yjc_obj_get (asked, "hosts");
    const msgpack_object *gh = yjc_obj_get (granted, "hosts");
    for (uint32_t i = 0; s_item (ah, i); i++) {
        char label[32];
        snprintf (label, sizeof label, "云主机 配置%u", i + 1);
        bureau_host (s_item (ah, i), a, sizeof a);
        if (s_item (gh, i))
            bureau_host (s_item (gh, i), g, sizeof g);
        s_row (data,
               label,
               a,
               decided
                   ? yjc_form_granted (
                         a, s_item (gh, i) ? g : NULL, false, cell, sizeof cell)
                   : "");
    }
    s_row_quantity (
        data, "云存储", asked, granted, decided, "storage_tb", "TB");
    const msgpack_object *ad = yjc_obj_get (asked, "databases");
    const msgpack_object *gd = yjc_obj_get (granted, "databases");
    for (uint32_t i = 0; s_item (ad, i); i++) {
        char e[32];
        int64_t sessions = 0, count = 0;
        yjc_obj_int (s_item (ad, i), "max_sessions", &sessions);
        yjc_obj_int (s_item (ad, i), "count", &count);
        snprintf (a,
                  sizeof a,
                  "%s 最大会话数 %lld，×%lld",
                  bureau_word (s_item (ad, i), "engine", e, sizeof e),
                  (long long)sessions,
                  (long long)count);
        const msgpack_object *gi = s_item (gd, i);
        sessions = count = 0;
        yjc_obj_int (gi, "max_sessions", &sessions);
        yjc_obj_int (gi, "count", &count);
        if (gi)
            snprintf (g,
                      sizeof g,
                      "%s 最大会话数 %lld，×%lld",
                      bureau_word (gi, "engine", e, sizeof e),
                      (long long)sessions,
                      (long long)count);
        s_row (data,
               "云数据库",
               a,
               decided ? yjc_form_granted (
                             a, gi ? g : NULL, false, cell, sizeof cell)
                       : "");
    }
    const msgpack_object *aa = yjc_obj_get (asked, "app_services");
    const msgpack_object *ga = yjc_obj_get (granted, "app_services");
    s_row_quantity (data,
                    "云备份 客户端授权",
                    yjc_obj_get (aa, "backup"),
                    yjc_obj_get (ga, "backup"),
                    decided,
                    "clients",
                    "个");
    s_row_quantity (data,
                    "云备份 容量（100GB）",
                    yjc_obj_get (aa, "backup"),
                    yjc_obj_get (ga, "backup"),
                    decided,
                    "capacity_100gb",
                    "份");
    s_row_quantity (
        data, "云网盘（10G）", aa, ga, decided, "cloud_drive_10gb", "份");
    s_row_quantity (
        data, "云负载均衡", aa, ga, decided, "load_balancers", "个实例");
    s_row_quantity (data,
                    "数据交换服务",
                    aa,
                    ga,
                    decided,
                    "data_exchange_clients",
                    "个接入");
    const msgpack_object *as = yjc_obj_get (asked, "security");
    const msgpack_object *gs = yjc_obj_get (granted, "security");
    s_row_flag (data, "防 DDOS 攻击", as, gs, decided, "ddos");
    s_row_flag (data, "云主机防护", as, gs, decided, "host_protection");
    s_row_flag (data, "日志审计", as, gs, decided, "log_audit");
    s_row_flag (data, "漏洞扫描", as, gs, decided, "vuln_scan");
    s_row_quantity (
        data, "WEB 防护（WAF）", as, gs, decided, "waf_domains", "个域名");
    s_row_quantity (
        data, "网站安全（SOC）", as, gs, decided, "soc_domains", "个域名");
    s_row_quantity (
        data, "运维审计（堡垒机）", as, gs, decided, "bastion_units", "套");
}

//  一、二、四: the unit's and the project's facts, as form_render words them.
static void
s_facts (tpl_t *data, const msgpack_object *form)
{
    const msgpack_object *u = yjc_obj_get (form, "unit");
    const msgpack_object *p = yjc_obj_get (form, "project");
    char b[128];
    page_str (data, "f_unit", u, "name");
    page_str (data, "f_filled_on", u, "filled_on");
    page_str (data, "f_contact", yjc_obj_get (u, "contact"), "name");
    page_str (data, "f_contact_phone", yjc_obj_get (u, "contact"), "phone");
    page_str (data, "f_leader", yjc_obj_get (u, "leader"), "name");
    page_str (data, "f_leader_phone", yjc_obj_get (u, "leader"), "phone");
    page_str (data, "f_project", p, "name");
    tpl_set (data, "f_kind", "%s", bureau_word (p, "kind", b, sizeof b));
    tpl_set (data, "f_funding", "%s", bureau_word (p, "funding", b, sizeof b));
    page_str (data, "f_description", p, "description");
    tpl_set (data, "f_mlps", "%s", bureau_word (p, "mlps", b, sizeof b));
    char scope[256] = "";
    const msgpack_object *sc = yjc_obj_get (p, "scope");
    for (uint32_t i = 0; s_item (sc, i); i++) {
        const msgpack_object *v = s_item (sc, i);
        const char *zh =
            v->type == MSGPACK_OBJECT_STR
                ? yjc_value_zh ("scope", v->via.str.ptr, v->via.str.size)
                : NULL;
        if (zh && strlen (scope) + strlen (zh) + 4 < sizeof scope)
            strcat (strcat (scope, *scope ? "、" : ""), zh);
    }
    tpl_set (data, "f_scope", "%s", scope);
    const msgpack_object *period = yjc_obj_get (p, "period");
    page_str (data, "f_start", period, "start");
    page_str (data, "f_end", period, "end");
    tpl_set (data,
             "f_on_expiry",
             "%s",
             bureau_word (period, "on_expiry", b, sizeof b));
    const msgpack_object *k = yjc_obj_get (p, "contractor");
    page_str (data, "f_contractor", k, "name");
    page_str (data, "f_contractor_lead", k, "lead");
    page_str (data, "f_contractor_phone", k, "phone");
    page_str (data, "f_other_needs", form, "other_needs");
}

//  申请材料, in the order of proto/yjc_materials.def (R8).
static void
s_materials (tpl_t *data, const msgpack_object *materials)
{
    uint32_t n = materials && materials->type == MSGPACK_OBJECT_ARRAY
                     ? materials->via.array.size
                     : 0;
    for (int k = 0; k < YJC_MAT_COUNT; k++)
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *m = &materials->via.array.ptr[i];
            char kind[33];
            yjc_obj_strcpy (m, "kind", kind, sizeof kind);
            if (yjc_material_by_wire (kind, strlen (kind)) != k)
                continue;
            tpl_t *item = tpl_add (data, "materials");
            int64_t size = 0;
            yjc_obj_int (m, "size", &size);
            tpl_set (item, "kind", "%s", yjc_material_defs[k].zh);
            page_str (item, "name", m, "name");
            tpl_set (item, "size", "%lld", (long long)size);
            page_str (item, "sha256", m, "sha256");
        }
}

static enum MHD_Result
s_print (struct MHD_Connection *connection,
         const session_t *s,
         const char *app_id)
{
    yjc_reply_t ar, rr;
    enum MHD_Result rc;
    const msgpack_object *a =
        bureau_call_app (s, YJC_SVC_INTAKE, "application.get", app_id, &ar);
    if (!a && bureau_refused (connection, &ar, &rc))
        return rc;
    const msgpack_object *r =
        bureau_call_app (s, YJC_SVC_REVIEW, "review.get", app_id, &rr);
    tpl_t *data = page_frame (s, "永嘉县政务云平台资源申请审核表");
    char st[33];
    page_str (data, "app_id", a, "app_id");
    page_str (data, "number", a, "number");
    page_str (data, "submitted_at", a, "submitted_at");
    tpl_set (data,
             "state",
             "%s",
             yjc_state_zh (yjc_obj_strcpy (a, "state", st, sizeof st)));
    const msgpack_object *form = yjc_obj_get (a, "form");
    s_facts (data, form);
    const msgpack_object *granted = r ? yjc_obj_get (r, "granted") : NULL;
    s_resources (data,
                 yjc_obj_get (form, "resources"),
                 granted && granted->type == MSGPACK_OBJECT_MAP ? granted
                                                                : NULL);
    s_materials (data, yjc_obj_get (a, "materials"));
    if (r) {
        page_str (data, "opinion", r, "opinion");
        page_str (data, "accept_due", r, "accept_due");
        page_str (data, "decide_due", r, "decide_due");
    }
    yjc_reply_release (&ar);
    yjc_reply_release (&rr);
    return page_render (connection, MHD_HTTP_OK, "print", data);
}

bool
print_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form,
             const session_t *s,
             enum MHD_Result *rc)
{
    (void)form;
    char id[33];
    if (post || !bureau_app_url (url, "/print", id))
        return false;
    //  a unit reads only its own: intake answers not_found, the one 404
    *rc = s_print (connection, s, id);
    return true;
}
