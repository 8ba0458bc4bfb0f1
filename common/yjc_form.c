/*  yjc_form.c - what a clerk is told when the form asks for something
    the 审核表 does not offer (requirements.md, "The application form").
    Each rule is a row: where it looks, what it allows, why.             */
#include "yjc_form.h"
#include "yjc_time.h"
#include <stdio.h>
#include <string.h>

//  Quantities the form counts in steps (section 3, 4): value % step.
typedef struct {
    const char *section; //  map under form.resources, or "" for itself
    const char *key;
    int64_t step;
    const char *unit; //  as the form writes it
} s_step_rule_t;

static const s_step_rule_t s_steps[] = {
    { "network", "dedicated_mbps", 2, "Mbps" },
};

//  MySQL / SQL Server maximum sessions (section 6).
static const struct {
    const char *engine;
    int64_t tiers[4];
} s_session_tiers[] = {
    { "mysql", { 150, 300, 600, 1500 } },
    { "sqlserver", { 100, 400, 600, 1200 } },
};

static bool
s_is (const msgpack_object *o, const char *key, const char *value)
{
    const char *p;
    size_t len;
    return yjc_obj_str (o, key, &p, &len) && len == strlen (value) &&
           memcmp (p, value, len) == 0;
}

//  The array at `key`, or NULL when absent or not an array (the shape
//  check says so): the rules read what they can.
static const msgpack_object *
s_array (const msgpack_object *map, const char *key)
{
    const msgpack_object *a = yjc_obj_get (map, key);
    return a && a->type == MSGPACK_OBJECT_ARRAY ? a : NULL;
}

static void
s_check_steps (const msgpack_object *resources,
               const char *at,
               yjc_problems_t *out)
{
    for (size_t i = 0; i < sizeof s_steps / sizeof *s_steps; i++) {
        const s_step_rule_t *r = &s_steps[i];
        const msgpack_object *section = yjc_obj_get (resources, r->section);
        int64_t value;
        char field[96];
        snprintf (field, sizeof field, "%s.%s.%s", at, r->section, r->key);
        if (yjc_obj_int (section, r->key, &value) && value % r->step != 0 &&
            !yjc_problems_at (out, field)) {
            char detail[96];
            snprintf (detail,
                      sizeof detail,
                      "in steps of %lld %s, got %lld",
                      (long long)r->step,
                      r->unit,
                      (long long)value);
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              detail,
                              "须为 %lld%s 的整数倍，填写的是 %lld%s",
                              (long long)r->step,
                              r->unit,
                              (long long)value,
                              r->unit);
        }
    }
}

//  Section 4: data disks come in 200 GB; "other" OS must be named.
static void
s_check_hosts (const msgpack_object *resources,
               const char *at,
               yjc_problems_t *out)
{
    const msgpack_object *hosts = s_array (resources, "hosts");
    for (uint32_t i = 0; hosts && i < hosts->via.array.size; i++) {
        const msgpack_object *h = &hosts->via.array.ptr[i];
        char field[96], detail[64];
        int64_t disk;
        snprintf (field, sizeof field, "%s.hosts[%u].data_disk_gb", at, i);
        if (yjc_obj_int (h, "data_disk_gb", &disk) &&
            (disk <= 0 || disk % 200 != 0) && !yjc_problems_at (out, field)) {
            snprintf (detail,
                      sizeof detail,
                      "in steps of 200 GB, got %lld",
                      (long long)disk);
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              detail,
                              disk <= 0
                                  ? "须为 200GB 的整数倍（至少 200GB），"
                                    "填写的是 %lldGB"
                                  : "须为 200GB 的整数倍，填写的是 %lldGB",
                              (long long)disk);
        }
        if (s_is (h, "os", "other") && !yjc_obj_get (h, "os_other")) {
            snprintf (field, sizeof field, "%s.hosts[%u].os_other", at, i);
            yjc_problems_say (out,
                              YJC_E_MISSING_FIELD,
                              field,
                              "required when os is other",
                              "操作系统选“其他”时必须注明");
        }
    }
}

static void
s_check_databases (const msgpack_object *resources,
                   const char *at,
                   yjc_problems_t *out)
{
    const msgpack_object *dbs = s_array (resources, "databases");
    for (uint32_t i = 0; dbs && i < dbs->via.array.size; i++) {
        const msgpack_object *d = &dbs->via.array.ptr[i];
        int64_t sessions = 0;
        if (!yjc_obj_int (d, "max_sessions", &sessions))
            continue; //  absent or not a number: the shape says so
        for (size_t e = 0; e < sizeof s_session_tiers / sizeof *s_session_tiers;
             e++) {
            if (!s_is (d, "engine", s_session_tiers[e].engine))
                continue;
            const int64_t *tiers = s_session_tiers[e].tiers;
            if (sessions == tiers[0] || sessions == tiers[1] ||
                sessions == tiers[2] || sessions == tiers[3])
                continue;
            char field[96], detail[96];
            snprintf (
                field, sizeof field, "%s.databases[%u].max_sessions", at, i);
            if (yjc_problems_at (out, field))
                continue;
            snprintf (detail,
                      sizeof detail,
                      "%s: one of %lld|%lld|%lld|%lld",
                      s_session_tiers[e].engine,
                      (long long)tiers[0],
                      (long long)tiers[1],
                      (long long)tiers[2],
                      (long long)tiers[3]);
            const char *engine = s_session_tiers[e].engine;
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              detail,
                              "%s 须为以下之一：%lld、%lld、%lld、%lld，"
                              "填写的是 %lld",
                              yjc_value_zh ("engine", engine, strlen (engine)),
                              (long long)tiers[0],
                              (long long)tiers[1],
                              (long long)tiers[2],
                              (long long)tiers[3],
                              (long long)sessions);
        }
    }
}

//  The day before the same date `years` later (month-end clamped): the
//  last day of a period of whole years that starts on `d`.
static yjc_date_t
s_years_end (yjc_date_t d, int years)
{
    yjc_date_t end = { d.y + years, d.m, d.d };
    int last = yjc_date_days_in_month (end.y, end.m);
    if (end.d > last)
        end.d = last;
    return yjc_date_add_days (end, -1);
}

//  R14.1: a period of 1 to 3 years, ending after it starts.
static void
s_check_period (const msgpack_object *project, yjc_problems_t *out)
{
    static const char *field = "body.form.project.period.end";
    const msgpack_object *period = yjc_obj_get (project, "period");
    char start_s[16], end_s[16], first[11], last[11];
    yjc_date_t start, end;
    if (yjc_date_parse (yjc_obj_strcpy (period, "start", start_s, 16),
                        &start) != 0 ||
        yjc_date_parse (yjc_obj_strcpy (period, "end", end_s, 16), &end) != 0)
        return; //  the schema already said so
    yjc_date_format (s_years_end (start, 1), first);
    yjc_date_format (s_years_end (start, 3), last);
    if (yjc_date_cmp (end, start) <= 0)
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "ends before it starts (R14.1)",
                          "须晚于开始日期 %s，填写的是 %s",
                          start_s,
                          end_s);
    else if (yjc_date_cmp (end, s_years_end (start, 1)) < 0)
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "at least 1 year (R14.1)",
                          "使用期限不少于 1 年：%s 开始，最早 %s 结束，"
                          "填写的是 %s",
                          start_s,
                          first,
                          end_s);
    else if (yjc_date_cmp (end, s_years_end (start, 3)) > 0)
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "at most 3 years (R14.1)",
                          "使用期限不超过 3 年：%s 开始，最晚 %s 结束，"
                          "填写的是 %s",
                          start_s,
                          last,
                          end_s);
}

int
yjc_form_check_resources (const msgpack_object *resources,
                          const char *at,
                          yjc_problems_t *out)
{
    int before = out->count;
    s_check_steps (resources, at, out);
    s_check_hosts (resources, at, out);
    s_check_databases (resources, at, out);
    return out->count - before;
}

bool
yjc_form_usage_length (const msgpack_object *form, int *months, int *days)
{
    const msgpack_object *period =
        yjc_obj_get (yjc_obj_get (form, "project"), "period");
    char start_s[16], end_s[16];
    yjc_date_t start, end;
    if (yjc_date_parse (yjc_obj_strcpy (period, "start", start_s, 16),
                        &start) != 0 ||
        yjc_date_parse (yjc_obj_strcpy (period, "end", end_s, 16), &end) != 0)
        return false;
    yjc_date_t after = yjc_date_add_days (end, 1);
    *days = yjc_date_to_days (after) - yjc_date_to_days (start);
    //  whole months: the day after the end is the start's day of a month
    //  (or that month's last day when it has none: from the 31st)
    int m = (after.y - start.y) * 12 + (after.m - start.m);
    yjc_date_t back = { start.y + (start.m - 1 + m) / 12,
                        (start.m - 1 + m) % 12 + 1,
                        start.d };
    int last = yjc_date_days_in_month (back.y, back.m);
    if (back.d > last)
        back.d = last;
    *months = yjc_date_cmp (back, after) == 0 ? m : 0;
    return true;
}

int
yjc_form_check (const msgpack_object *form, yjc_problems_t *out)
{
    int before = out->count;
    yjc_form_check_resources (
        yjc_obj_get (form, "resources"), "body.form.resources", out);
    s_check_period (yjc_obj_get (form, "project"), out);
    return out->count - before;
}

/* ---- a request's body, all at once ------------------------------------ */

//  R7: the unit is who the key says, never what the form says.
static void
s_check_unit (const msgpack_object *form, const char *unit, yjc_problems_t *out)
{
    static const char *field = "body.form.unit.name";
    const char *name;
    size_t len;
    if (!unit ||
        !yjc_obj_str (yjc_obj_get (form, "unit"), "name", &name, &len) ||
        (len == strlen (unit) && memcmp (name, unit, len) == 0) ||
        yjc_problems_at (out, field))
        return;
    char detail[200];
    snprintf (detail, sizeof detail, "must be your own unit, %s", unit);
    yjc_problems_say (out,
                      YJC_E_INVALID_VALUE,
                      field,
                      detail,
                      "须为本单位的名称“%s”，填写的是“%.*s”",
                      unit,
                      (int)(len > 128 ? 128 : len),
                      name);
}

int
yjc_form_check_body (int msg_type,
                     const msgpack_object *body,
                     const char *unit,
                     yjc_problems_t *out)
{
    int before = out->count;
    out->schema = yjc_msg_defs[msg_type].schema;
    yjc_validate (out->schema, body, "body", out);
    if (!body || body->type != MSGPACK_OBJECT_MAP)
        return -1; //  nothing to walk
    const msgpack_object *form = yjc_obj_get (body, "form");
    switch (msg_type) {
        case YJC_MSG_APPLICATION_SUBMIT:
            s_check_unit (form, unit, out);
            yjc_form_check (form, out);
            yjc_form_check_materials (
                form, yjc_obj_get (body, "attachments"), out);
            break;
        case YJC_MSG_REQUEST_CHANGE:   //  R12: the form's rules hold for a
        case YJC_MSG_EMERGENCY_REPORT: //  change, an emergency one too
            yjc_form_check_resources (
                yjc_obj_get (body, "resources"), "body.resources", out);
            break;
        default: break;
    }
    return out->count - before + (out->truncated ? 1 : 0);
}

/* ---- materials (R8, R20) ----------------------------------------------- */

static bool
s_always (const msgpack_object *form)
{
    (void)form;
    return true;
}

static bool
s_is_migration (const msgpack_object *form)
{
    return s_is (yjc_obj_get (form, "project"), "kind", "migration");
}

//  Any line of a map asked for: a true flag or a positive quantity.
static bool
s_asks_any (const msgpack_object *map)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return false;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *v = &map->via.map.ptr[i].val;
        if ((v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean) ||
            (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 > 0))
            return true;
    }
    return false;
}

static const msgpack_object *
s_app_services (const msgpack_object *form)
{
    return yjc_obj_get (yjc_obj_get (form, "resources"), "app_services");
}

static bool
s_asks_backup (const msgpack_object *form)
{
    return s_asks_any (yjc_obj_get (s_app_services (form), "backup"));
}

static bool
s_asks_exchange (const msgpack_object *form)
{
    int64_t n = 0;
    return yjc_obj_int (s_app_services (form), "data_exchange_clients", &n) &&
           n > 0;
}

static bool
s_asks_security (const msgpack_object *form)
{
    return s_asks_any (
        yjc_obj_get (yjc_obj_get (form, "resources"), "security"));
}

static bool
s_on_private_network (const msgpack_object *form)
{
    const msgpack_object *scope =
        yjc_obj_get (yjc_obj_get (form, "project"), "scope");
    if (!scope || scope->type != MSGPACK_OBJECT_ARRAY)
        return false;
    for (uint32_t i = 0; i < scope->via.array.size; i++) {
        const msgpack_object *v = &scope->via.array.ptr[i];
        if (v->type == MSGPACK_OBJECT_STR && v->via.str.size == 15 &&
            memcmp (v->via.str.ptr, "private_network", 15) == 0)
            return true;
    }
    return false;
}

static const struct {
    yjc_material_t kind;
    bool (*needs) (const msgpack_object *form);
    const char *why;    //  English, for programs
    const char *why_zh; //  what a clerk reads
} s_material_rules[] = {
    { YJC_MAT_CONSTRUCTION_PLAN,
      s_always,
      "every application (R8)",
      "每份申请都须提供" },
    { YJC_MAT_DEPLOYMENT_PLAN,
      s_always,
      "every application, with its network topology (the form)",
      "每份申请都须提供" },
    { YJC_MAT_EQUIPMENT_STATEMENT,
      s_is_migration,
      "project.kind is migration (R8)",
      "现有系统迁移须提供" },
    { YJC_MAT_BACKUP_PLAN,
      s_asks_backup,
      "resources.app_services.backup is asked for",
      "申请了云备份" },
    { YJC_MAT_EXCHANGE_DEPARTMENTS,
      s_asks_exchange,
      "resources.app_services.data_exchange_clients is asked for",
      "申请了数据交换服务" },
    { YJC_MAT_SECURITY_PLAN,
      s_asks_security,
      "a service of resources.security is asked for",
      "申请了云安全服务" },
    { YJC_MAT_SECURE_ACCESS_PLAN,
      s_on_private_network,
      "project.scope includes private_network (R20)",
      "对外服务范围含业务专网" },
};

unsigned
yjc_form_required_materials (const msgpack_object *form)
{
    unsigned mask = 0;
    for (size_t i = 0; i < sizeof s_material_rules / sizeof *s_material_rules;
         i++)
        if (s_material_rules[i].needs (form))
            mask |= 1u << s_material_rules[i].kind;
    return mask;
}

const char *
yjc_form_material_reason (int kind)
{
    for (size_t i = 0; i < sizeof s_material_rules / sizeof *s_material_rules;
         i++)
        if ((int)s_material_rules[i].kind == kind)
            return s_material_rules[i].why;
    return "asked for";
}

int
yjc_form_check_materials (const msgpack_object *form,
                          const msgpack_object *attachments,
                          yjc_problems_t *out)
{
    unsigned missing = yjc_form_required_materials (form);
    uint32_t n = attachments && attachments->type == MSGPACK_OBJECT_ARRAY
                     ? attachments->via.array.size
                     : 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *kind;
        size_t len;
        if (yjc_obj_str (&attachments->via.array.ptr[i], "kind", &kind, &len)) {
            int k = yjc_material_by_wire (kind, len);
            if (k >= 0)
                missing &= ~(1u << k);
        }
    }
    int before = out->count;
    for (size_t i = 0; i < sizeof s_material_rules / sizeof *s_material_rules;
         i++) {
        int k = (int)s_material_rules[i].kind;
        if (!(missing & (1u << k)))
            continue;
        char detail[160];
        snprintf (detail,
                  sizeof detail,
                  "%s is required: %s",
                  yjc_material_defs[k].wire,
                  s_material_rules[i].why);
        yjc_problems_say (out,
                          YJC_E_INCOMPLETE,
                          "body.attachments",
                          detail,
                          "缺少“%s”（%s）",
                          yjc_material_defs[k].zh,
                          s_material_rules[i].why_zh);
    }
    return out->count - before;
}

const char *
yjc_form_granted (const char *asked,
                  const char *granted,
                  bool trimmed,
                  char *buf,
                  size_t size)
{
    if (!granted || !*granted)
        return "不予核定";
    if (!trimmed && strcmp (asked, granted) != 0 && strcmp (asked, "—") != 0)
        trimmed = true;
    snprintf (buf, size, "%s%s", granted, trimmed ? "（核减）" : "");
    return buf;
}

void
yjc_form_quantity (const msgpack_object *obj,
                   const char *key,
                   const char *unit,
                   char *buf,
                   size_t size)
{
    int64_t n = 0;
    if (yjc_obj_int (obj, key, &n) && n > 0)
        snprintf (buf, size, "%lld %s", (long long)n, unit);
    else
        buf[0] = 0;
}

/* ---- selftest ------------------------------------------------------------ */

#include "yjc_json.h"

//  Checks the minimal example form with `patch` applied to one line of
//  its JSON, expecting `code` at `field` (or no problem when code < 0).
static void
s_expect (yjc_test_t *t,
          const char *from,
          const char *to,
          int code,
          const char *field)
{
    static const char *base =
        "{\"unit\": {\"name\": \"县卫生健康局\"},"
        " \"project\": {\"period\": {\"start\": \"2027-01-01\","
        " \"end\": \"2027-12-31\", \"on_expiry\": \"stop\"}},"
        " \"resources\": {\"network\": {\"access\": \"extranet_only\","
        " \"dedicated_mbps\": 4},"
        " \"hosts\": [{\"cpu_mem\": \"2c4g\", \"os\": \"centos6\","
        " \"database\": \"mysql\", \"data_disk_gb\": 400, \"count\": 1}],"
        " \"databases\": [{\"engine\": \"mysql\", \"max_sessions\": 300,"
        " \"count\": 1}, {\"engine\": \"sqlserver\", \"max_sessions\": 400,"
        " \"count\": 1}]}}";
    char json[1024];
    const char *at = strstr (base, from);
    YJC_CHECK (t, at != NULL);
    if (!at)
        return;
    snprintf (json,
              sizeof json,
              "%.*s%s%s",
              (int)(at - base),
              base,
              to,
              at + strlen (from));
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err[128];
    YJC_CHECK (
        t,
        yjc_json_to_msgpack (json, strlen (json), &buf, err, sizeof err) == 0);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, buf.data, buf.size, NULL);
    yjc_problems_t problems = { 0 };
    int n = yjc_form_check (&un.data, &problems);
    if (code < 0)
        YJC_CHECK (t, n == 0);
    else
        YJC_CHECK (t,
                   n == 1 && (int)problems.items[0].code == code &&
                       strcmp (problems.items[0].field, field) == 0);
    if (code < 0 ? n != 0 : n != 1)
        fprintf (stderr,
                 "  form: %s -> %s: %d problems: %s\n",
                 from,
                 to,
                 n,
                 n ? problems.items[0].message : "");
    msgpack_unpacked_destroy (&un);
    msgpack_sbuffer_destroy (&buf);
}

//  R8, R20: the materials a form (given as JSON) requires, as a mask.
static unsigned
s_required (const char *json)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err[128];
    unsigned mask = 0xffffffffu;
    if (yjc_json_to_msgpack (json, strlen (json), &buf, err, sizeof err) == 0) {
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, buf.data, buf.size, NULL);
        mask = yjc_form_required_materials (&un.data);
        msgpack_unpacked_destroy (&un);
    }
    msgpack_sbuffer_destroy (&buf);
    return mask;
}

#define S_MAT(k) (1u << YJC_MAT_##k)

static void
s_materials_test (yjc_test_t *t)
{
    const unsigned always = S_MAT (CONSTRUCTION_PLAN) | S_MAT (DEPLOYMENT_PLAN);
    YJC_CHECK (t, s_required ("{\"project\": {\"kind\": \"new\"}}") == always);
    YJC_CHECK (t,
               s_required ("{\"project\": {\"kind\": \"migration\"}}") ==
                   (always | S_MAT (EQUIPMENT_STATEMENT)));
    YJC_CHECK (t,
               s_required ("{\"project\": {\"scope\": [\"egov_extranet\","
                           " \"private_network\"]}}") ==
                   (always | S_MAT (SECURE_ACCESS_PLAN)));
    YJC_CHECK (t,
               s_required ("{\"resources\": {\"app_services\": {\"backup\":"
                           " {\"clients\": 0, \"capacity_100gb\": 2}}}}") ==
                   (always | S_MAT (BACKUP_PLAN)));
    //  a backup line of zeros asks for nothing
    YJC_CHECK (t,
               s_required ("{\"resources\": {\"app_services\": {\"backup\":"
                           " {\"clients\": 0, \"capacity_100gb\": 0}}}}") ==
                   always);
    YJC_CHECK (t,
               s_required ("{\"resources\": {\"app_services\":"
                           " {\"data_exchange_clients\": 1}}}") ==
                   (always | S_MAT (EXCHANGE_DEPARTMENTS)));
    YJC_CHECK (t,
               s_required ("{\"resources\": {\"security\": {\"ddos\": false,"
                           " \"waf_domains\": 1}}}") ==
                   (always | S_MAT (SECURITY_PLAN)));
    YJC_CHECK (t,
               s_required ("{\"resources\": {\"security\": {\"ddos\": false,"
                           " \"waf_domains\": 0}}}") == always);
    //  the material kinds of the enum are the table's, in order
    for (int k = 0; k < YJC_MAT_COUNT; k++)
        YJC_CHECK (t,
                   yjc_material_by_wire (yjc_material_defs[k].wire,
                                         strlen (yjc_material_defs[k].wire)) ==
                       k);
}

//  R14.1: the usage period's length, from the form's start and end.
static void
s_usage_test (yjc_test_t *t)
{
    static const struct {
        const char *start, *end;
        int months, days;
    } cases[] = {
        { "2027-01-01", "2029-12-31", 36, 1096 }, //  2028 is a leap year
        { "2027-01-01", "2027-12-31", 12, 365 },
        { "2027-03-15", "2028-03-14", 12, 366 },
        { "2027-01-31", "2028-01-30", 12, 365 },
        { "2027-01-10", "2028-01-20", 0, 376 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char json[160];
        snprintf (
            json,
            sizeof json,
            "{\"project\": {\"period\": {\"start\": \"%s\", \"end\": \"%s\"}}}",
            cases[i].start,
            cases[i].end);
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        char err[64];
        yjc_json_to_msgpack (json, strlen (json), &buf, err, sizeof err);
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, buf.data, buf.size, NULL);
        int months = -1, days = -1;
        YJC_CHECK (t, yjc_form_usage_length (&un.data, &months, &days));
        YJC_CHECK (t, months == cases[i].months && days == cases[i].days);
        if (months != cases[i].months || days != cases[i].days)
            fprintf (stderr,
                     "  usage %s..%s: %d months %d days\n",
                     cases[i].start,
                     cases[i].end,
                     months,
                     days);
        msgpack_unpacked_destroy (&un);
        msgpack_sbuffer_destroy (&buf);
    }
}

//  Every field of what a unit sends has its label, and every value of its
//  enums the form's words (proto/yjc_schemas.def, yjc_values.def).
static int
s_labelled (yjc_test_t *t, const yjc_schema_t *schema)
{
    int fields = 0;
    for (const yjc_field_t *f = schema->fields; f->key; f++, fields++) {
        YJC_CHECK (t, f->label && *f->label);
        if (!f->label)
            fprintf (stderr, "  %s.%s: no label\n", schema->name, f->key);
        for (const char *v = f->enumv; v && *v;) {
            size_t n = strcspn (v, "|");
            YJC_CHECK (t, yjc_value_zh (f->key, v, n) != NULL);
            if (!yjc_value_zh (f->key, v, n))
                fprintf (stderr, "  %s=%.*s: no words\n", f->key, (int)n, v);
            v += n + (v[n] == '|');
        }
        if (f->kind == YJC_K_MAP || f->kind == YJC_K_ARR_MAP)
            fields += s_labelled (t, f->sub);
    }
    return fields;
}

static void
s_labels_test (yjc_test_t *t)
{
    int n = s_labelled (t, &yjc_schema_application_submit) +
            s_labelled (t, &yjc_schema_req_change) +
            s_labelled (t, &yjc_schema_emergency_report) +
            s_labelled (t, &yjc_schema_review_decision);
    YJC_CHECK (t, n > 150);
    static const struct {
        const yjc_schema_t *schema;
        const char *path, *label;
    } cases[] = {
        { &yjc_schema_application_submit,
          "body.form.unit.contact.phone",
          "使用单位 · 联系人 · 电话" },
        { &yjc_schema_application_submit,
          "body.form.resources.hosts[0].data_disk_gb",
          "云主机 配置1 · 数据盘" },
        { &yjc_schema_application_submit,
          "body.form.project.period.end",
          "预计使用时间 · 结束日期" },
        { &yjc_schema_application_submit, "body.attachments", "申请材料" },
        { &yjc_schema_application_submit,
          "body.attachments[2].kind",
          "申请材料 第3项 · 材料类型" },
        //  a heading is named only for itself
        { &yjc_schema_application_submit,
          "body.form.resources",
          "云平台资源需求表" },
        { &yjc_schema_req_change,
          "body.resources.databases[1].max_sessions",
          "变更后的资源 · 云数据库 第2项 · 最大会话数" },
        { &yjc_schema_application_submit, "type", "请求类型" },
        //  a key the schema does not know, as the unit wrote it
        { &yjc_schema_application_submit,
          "body.form.unit.fax",
          "使用单位 · fax" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char label[128];
        yjc_label_of (cases[i].schema, cases[i].path, label, sizeof label);
        YJC_CHECK (t, strcmp (label, cases[i].label) == 0);
        if (strcmp (label, cases[i].label) != 0)
            fprintf (stderr, "  %s -> %s\n", cases[i].path, label);
    }
}

//  Every problem of a body in one go: shape, rules, materials, whose (R7,
//  R8, R14.1), on a form whose shape is partly wrong; the rules skip what
//  they cannot read.
static void
s_body_test (yjc_test_t *t)
{
    static const char *json =
        "{\"form\": {\"unit\": {\"name\": \"县教育局\","
        " \"contact\": {\"name\": \"王\", \"phone\": \"call me\"}},"
        " \"project\": {\"kind\": \"migration\", \"period\": {\"start\":"
        " \"2027-01-01\", \"end\": \"2031-01-01\", \"on_expiry\": \"stop\"}},"
        " \"resources\": {\"network\": {\"access\": \"extranet_only\","
        " \"dedicated_mbps\": 3}, \"hosts\": [{\"cpu_mem\": \"16c64g\","
        " \"data_disk_gb\": 300}, 7], \"databases\": \"mysql\"}}}";
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err[128];
    YJC_CHECK (
        t,
        yjc_json_to_msgpack (json, strlen (json), &buf, err, sizeof err) == 0);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, buf.data, buf.size, NULL);
    yjc_problems_t p;
    memset (&p, 0, sizeof p);
    int n = yjc_form_check_body (
        YJC_MSG_APPLICATION_SUBMIT, &un.data, "县卫生健康局", &p);
    static const struct {
        yjc_err_t code;
        const char *field, *text;
    } expected[] = {
        { YJC_E_INVALID_PHONE,
          "body.form.unit.contact.phone",
          "使用单位 · 联系人 · 电话：不是有效的电话号码" },
        { YJC_E_INVALID_VALUE,
          "body.form.resources.hosts[0].cpu_mem",
          "云主机 配置1 · CPU/内存：须为以下之一：2核/4G、4核/8G、6核/12G、"
          "8核/16G" },
        { YJC_E_WRONG_TYPE, "body.form.resources.hosts[1]", "云主机 配置2：" },
        { YJC_E_WRONG_TYPE, "body.form.resources.databases", "云数据库：" },
        { YJC_E_MISSING_FIELD, "body.form.project.name", "项目名称：必须填写" },
        { YJC_E_INVALID_VALUE,
          "body.form.resources.network.dedicated_mbps",
          "网络需求 · 独享带宽：须为 2Mbps 的整数倍，填写的是 3Mbps" },
        { YJC_E_INVALID_VALUE,
          "body.form.resources.hosts[0].data_disk_gb",
          "云主机 配置1 · 数据盘：须为 200GB 的整数倍，填写的是 300GB" },
        { YJC_E_OUT_OF_RANGE,
          "body.form.project.period.end",
          "预计使用时间 · 结束日期：使用期限不超过 3 年" },
        { YJC_E_INVALID_VALUE,
          "body.form.unit.name",
          "使用单位 · 单位名称：须为本单位的名称“县卫生健康局”" },
        { YJC_E_INCOMPLETE,
          "body.attachments",
          "申请材料：缺少“现有设备使用和利旧情况说明”（现有系统迁移须提供）" },
    };
    YJC_CHECK (t, n > (int)(sizeof expected / sizeof *expected));
    for (size_t e = 0; e < sizeof expected / sizeof *expected; e++) {
        bool found = false;
        for (int i = 0; i < p.count; i++)
            found |= p.items[i].code == expected[e].code &&
                     strcmp (p.items[i].field, expected[e].field) == 0 &&
                     strncmp (p.items[i].text,
                              expected[e].text,
                              strlen (expected[e].text)) == 0;
        YJC_CHECK (t, found);
        if (!found)
            fprintf (stderr, "  missing: %s\n", expected[e].text);
    }
    //  a body that cannot be walked stops there
    memset (&p, 0, sizeof p);
    msgpack_object nil = { .type = MSGPACK_OBJECT_NIL };
    YJC_CHECK (t,
               yjc_form_check_body (
                   YJC_MSG_APPLICATION_SUBMIT, &nil, NULL, &p) == -1 &&
                   p.count == 1 && p.items[0].code == YJC_E_WRONG_TYPE);
    msgpack_unpacked_destroy (&un);
    msgpack_sbuffer_destroy (&buf);
}

void
yjc_form_test (yjc_test_t *t)
{
    s_labels_test (t);
    s_body_test (t);
    s_expect (t, "\"2027-12-31\"", "\"2027-12-31\"", -1, NULL); //  one year
    //  R14.1: 1 to 3 years, ending after it starts
    s_expect (t, "\"2027-12-31\"", "\"2029-12-31\"", -1, NULL);
    s_expect (t,
              "\"2027-12-31\"",
              "\"2030-01-01\"",
              YJC_E_OUT_OF_RANGE,
              "body.form.project.period.end");
    s_expect (t,
              "\"2027-12-31\"",
              "\"2027-12-30\"",
              YJC_E_OUT_OF_RANGE,
              "body.form.project.period.end");
    s_expect (t,
              "\"2027-12-31\"",
              "\"2026-06-01\"",
              YJC_E_OUT_OF_RANGE,
              "body.form.project.period.end");
    //  bandwidth in 2 Mbps steps
    s_expect (t,
              "\"dedicated_mbps\": 4",
              "\"dedicated_mbps\": 3",
              YJC_E_INVALID_VALUE,
              "body.form.resources.network.dedicated_mbps");
    //  data disks in 200 GB, positive
    s_expect (t,
              "\"data_disk_gb\": 400",
              "\"data_disk_gb\": 250",
              YJC_E_INVALID_VALUE,
              "body.form.resources.hosts[0].data_disk_gb");
    s_expect (t,
              "\"data_disk_gb\": 400",
              "\"data_disk_gb\": 0",
              YJC_E_INVALID_VALUE,
              "body.form.resources.hosts[0].data_disk_gb");
    //  "other" OS must be named
    s_expect (t,
              "\"os\": \"centos6\"",
              "\"os\": \"other\"",
              YJC_E_MISSING_FIELD,
              "body.form.resources.hosts[0].os_other");
    s_expect (t,
              "\"os\": \"centos6\"",
              "\"os\": \"other\", \"os_other\": \"麒麟 V10\"",
              -1,
              NULL);
    //  session tiers per engine
    s_expect (t,
              "\"max_sessions\": 300",
              "\"max_sessions\": 200",
              YJC_E_INVALID_VALUE,
              "body.form.resources.databases[0].max_sessions");
    s_expect (t,
              "\"max_sessions\": 400",
              "\"max_sessions\": 300",
              YJC_E_INVALID_VALUE,
              "body.form.resources.databases[1].max_sessions");
    s_expect (t, "\"max_sessions\": 400", "\"max_sessions\": 1200", -1, NULL);
    s_materials_test (t);
    s_usage_test (t);
}
