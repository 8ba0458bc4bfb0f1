/*  form_render.c - rendering the application form (see form_render.h).
    The wording follows the annex of 永政办发〔2020〕18号.              */
#include "form_render.h"
#include "table.h"
#include "yjc_form.h"
#include "yjc_proto.h"
#include <string.h>

//  The form's word for `key`'s value in `obj` (proto/yjc_values.def), or
//  the value itself.
static const char *
s_word (const msgpack_object *obj, const char *key, char *buf, size_t size)
{
    yjc_obj_strcpy (obj, key, buf, size);
    const char *zh = yjc_value_zh (key, buf, strlen (buf));
    return zh ? zh : buf;
}

static const char *
s_text (const msgpack_object *obj, const char *key, char *buf, size_t size)
{
    return yjc_obj_strcpy (obj, key, buf, size);
}

//  One resource line: label, as asked, as granted (a column of the
//  table, aligned by display width whatever the line's length).
static void
s_row (cli_table_t *out,
       const char *label,
       const char *asked,
       const char *granted)
{
    cli_table_row (out, label, asked, granted);
}

//  `decided`: the application has a grant, so an absent line is refused.
static void
s_row_quantity (cli_table_t *out,
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
        s_row (out,
               label,
               *a ? a : "—",
               decided ? yjc_form_granted (
                             *a ? a : "—", g, got < want, cell, sizeof cell)
                       : "");
}

static void
s_row_flag (cli_table_t *out,
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
        s_row (out, label, "√", decided ? (got ? "√" : "不予核定") : "");
}

//  配置N: 8核/16G，CentOS 6.0，数据库 MySQL，数据盘 200GB，×2（用途）
static void
s_host (const msgpack_object *h, char *buf, size_t size)
{
    if (!h) {
        snprintf (buf, size, "不予核定");
        return;
    }
    char c[16], o[24], other[72], d[24], p[96];
    int64_t disk = 0, count = 0;
    yjc_obj_int (h, "data_disk_gb", &disk);
    yjc_obj_int (h, "count", &count);
    const char *os = s_word (h, "os", o, sizeof o);
    s_text (h, "os_other", other, sizeof other);
    snprintf (buf,
              size,
              "%s，%s%s%s，数据库 %s，数据盘 %lldGB，×%lld（%s）",
              s_word (h, "cpu_mem", c, sizeof c),
              os,
              *other ? " " : "",
              other,
              s_word (h, "database", d, sizeof d),
              (long long)disk,
              (long long)count,
              s_text (h, "purpose", p, sizeof p));
}

static const msgpack_object *
s_item (const msgpack_object *array, uint32_t i)
{
    return array && array->type == MSGPACK_OBJECT_ARRAY &&
                   i < array->via.array.size
               ? &array->via.array.ptr[i]
               : NULL;
}

static void
s_resources (FILE *file,
             const msgpack_object *asked,
             const msgpack_object *granted)
{
    bool decided = granted != NULL;
    fprintf (file, "三、云平台资源需求表\n");
    cli_table_t *out = cli_table_new (3, 2);
    s_row (out, "项目", "申请", granted ? "核定" : "");
    const msgpack_object *an = yjc_obj_get (asked, "network");
    const msgpack_object *gn = yjc_obj_get (granted, "network");
    char a[256], g[256], cell[300];
    const char *access = s_word (an, "access", a, sizeof a);
    s_row (out,
           "网络需求",
           access,
           granted ? yjc_form_granted (access,
                                       gn ? s_word (gn, "access", g, sizeof g)
                                          : NULL,
                                       false,
                                       cell,
                                       sizeof cell)
                   : "");
    s_row_quantity (out, "独享带宽", an, gn, decided, "dedicated_mbps", "Mbps");
    s_row_flag (out, "共享带宽（市共享免费 1000M）", an, gn, decided, "shared");
    const msgpack_object *ah = yjc_obj_get (asked, "hosts");
    const msgpack_object *gh = yjc_obj_get (granted, "hosts");
    for (uint32_t i = 0; s_item (ah, i); i++) {
        char label[32];
        snprintf (label, sizeof label, "云主机 配置%u", i + 1);
        s_host (s_item (ah, i), a, sizeof a);
        if (granted)
            s_host (s_item (gh, i), g, sizeof g);
        s_row (out,
               label,
               a,
               granted
                   ? yjc_form_granted (
                         a, s_item (gh, i) ? g : NULL, false, cell, sizeof cell)
                   : "");
    }
    s_row_quantity (out, "云存储", asked, granted, decided, "storage_tb", "TB");
    const msgpack_object *ad = yjc_obj_get (asked, "databases");
    const msgpack_object *gd = yjc_obj_get (granted, "databases");
    for (uint32_t i = 0; s_item (ad, i); i++) {
        char e[24];
        int64_t sessions = 0, count = 0;
        yjc_obj_int (s_item (ad, i), "max_sessions", &sessions);
        yjc_obj_int (s_item (ad, i), "count", &count);
        snprintf (a,
                  sizeof a,
                  "%s 最大会话数 %lld，×%lld",
                  s_word (s_item (ad, i), "engine", e, sizeof e),
                  (long long)sessions,
                  (long long)count);
        const msgpack_object *gi = s_item (gd, i);
        sessions = count = 0;
        yjc_obj_int (gi, "max_sessions", &sessions);
        yjc_obj_int (gi, "count", &count);
        snprintf (g,
                  sizeof g,
                  gi ? "%s 最大会话数 %lld，×%lld" : "不予核定",
                  gi ? s_word (gi, "engine", e, sizeof e) : "",
                  (long long)sessions,
                  (long long)count);
        s_row (out,
               "云数据库",
               a,
               granted ? yjc_form_granted (
                             a, gi ? g : NULL, false, cell, sizeof cell)
                       : "");
    }
    const msgpack_object *aa = yjc_obj_get (asked, "app_services");
    const msgpack_object *ga = yjc_obj_get (granted, "app_services");
    s_row_quantity (out,
                    "云备份 客户端授权",
                    yjc_obj_get (aa, "backup"),
                    yjc_obj_get (ga, "backup"),
                    decided,
                    "clients",
                    "个");
    s_row_quantity (out,
                    "云备份 容量（100GB）",
                    yjc_obj_get (aa, "backup"),
                    yjc_obj_get (ga, "backup"),
                    decided,
                    "capacity_100gb",
                    "份");
    s_row_quantity (
        out, "云网盘（10G）", aa, ga, decided, "cloud_drive_10gb", "份");
    s_row_quantity (
        out, "云负载均衡", aa, ga, decided, "load_balancers", "个实例");
    s_row_quantity (out,
                    "数据交换服务",
                    aa,
                    ga,
                    decided,
                    "data_exchange_clients",
                    "个接入");
    const msgpack_object *as = yjc_obj_get (asked, "security");
    const msgpack_object *gs = yjc_obj_get (granted, "security");
    s_row_flag (out, "防 DDOS 攻击", as, gs, decided, "ddos");
    s_row_flag (out, "云主机防护", as, gs, decided, "host_protection");
    s_row_flag (out, "日志审计", as, gs, decided, "log_audit");
    s_row_flag (out, "漏洞扫描", as, gs, decided, "vuln_scan");
    s_row_quantity (
        out, "WEB 防护（WAF）", as, gs, decided, "waf_domains", "个域名");
    s_row_quantity (
        out, "网站安全（SOC）", as, gs, decided, "soc_domains", "个域名");
    s_row_quantity (
        out, "运维审计（堡垒机）", as, gs, decided, "bastion_units", "套");
    cli_table_print (out, file);
    cli_table_destroy (&out);
}

void
form_render (FILE *out,
             const msgpack_object *form,
             const msgpack_object *granted)
{
    const msgpack_object *u = yjc_obj_get (form, "unit");
    const msgpack_object *p = yjc_obj_get (form, "project");
    char a[512], b[128], c[128], d[128];
    fprintf (out, "一、申请单位基本信息\n");
    fprintf (out,
             "  单位名称 %s    填表日期 %s\n",
             s_text (u, "name", a, sizeof a),
             s_text (u, "filled_on", b, sizeof b));
    fprintf (out,
             "  联系人 %s %s    分管领导 %s %s\n",
             s_text (yjc_obj_get (u, "contact"), "name", a, sizeof a),
             s_text (yjc_obj_get (u, "contact"), "phone", b, sizeof b),
             s_text (yjc_obj_get (u, "leader"), "name", c, sizeof c),
             s_text (yjc_obj_get (u, "leader"), "phone", d, sizeof d));
    fprintf (out, "二、申请项目基本信息\n");
    fprintf (out,
             "  项目名称 %s（%s，%s）\n",
             s_text (p, "name", a, sizeof a),
             s_word (p, "kind", b, sizeof b),
             s_word (p, "funding", c, sizeof c));
    fprintf (out, "  业务描述 %s\n", s_text (p, "description", a, sizeof a));
    fprintf (out, "  对外服务范围");
    const msgpack_object *scope = yjc_obj_get (p, "scope");
    for (uint32_t i = 0; s_item (scope, i); i++) {
        const msgpack_object *v = s_item (scope, i);
        const char *zh =
            v->type == MSGPACK_OBJECT_STR
                ? yjc_value_zh ("scope", v->via.str.ptr, v->via.str.size)
                : NULL;
        if (zh)
            fprintf (out, " %s", zh);
    }
    fprintf (out, "    等保定级 %s\n", s_word (p, "mlps", a, sizeof a));
    const msgpack_object *period = yjc_obj_get (p, "period");
    fprintf (out,
             "  预计使用时间 %s 至 %s，%s\n",
             s_text (period, "start", a, sizeof a),
             s_text (period, "end", b, sizeof b),
             s_word (period, "on_expiry", c, sizeof c));
    const msgpack_object *k = yjc_obj_get (p, "contractor");
    fprintf (out,
             "  项目承建单位 %s，负责人 %s %s\n",
             s_text (k, "name", a, sizeof a),
             s_text (k, "lead", b, sizeof b),
             s_text (k, "phone", c, sizeof c));
    s_resources (out, yjc_obj_get (form, "resources"), granted);
    if (*s_text (form, "other_needs", a, sizeof a))
        fprintf (out, "四、其他需求\n  %s\n", a);
}

void
form_render_materials (FILE *out, const msgpack_object *materials)
{
    fprintf (out, "申请材料\n");
    uint32_t n = materials && materials->type == MSGPACK_OBJECT_ARRAY
                     ? materials->via.array.size
                     : 0;
    if (n == 0)
        fprintf (out, "  （无）\n");
    //  in the order of proto/yjc_materials.def, as the regulation lists them
    for (int k = 0; k < YJC_MAT_COUNT; k++)
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *m = &materials->via.array.ptr[i];
            char kind[33], name[256], att_id[33], sha[65];
            int64_t size = 0;
            yjc_obj_strcpy (m, "kind", kind, sizeof kind);
            if (yjc_material_by_wire (kind, strlen (kind)) != k)
                continue;
            yjc_obj_int (m, "size", &size);
            fprintf (out,
                     "  %s：%s（%lld 字节，附件编号 %s，SHA-256 %s）\n",
                     yjc_material_defs[k].zh,
                     yjc_obj_strcpy (m, "name", name, sizeof name),
                     (long long)size,
                     yjc_obj_strcpy (m, "att_id", att_id, sizeof att_id),
                     yjc_obj_strcpy (m, "sha256", sha, sizeof sha));
        }
}
