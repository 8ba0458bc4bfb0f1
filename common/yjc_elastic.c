/*  yjc_elastic.c - the elastic range (R11.2): the bureau's ranges
    against the grant, and the vendor's scaling step against the ranges.

    What the step leaves is the resources in place with the lines it
    names set to their new value; every other line stays as it was.     */
#include "yjc_elastic.h"
#include "yjc_pack.h"
#include <stdio.h>
#include <string.h>

#define S_LINES_MAX 64 //  above the schema's 50 host lines

//  What a range or step item names, when it is not a host line.
enum { S_NONE = -1, S_AMBIGUOUS = -2, S_MISMATCH = -3 };

static int64_t
s_int (const msgpack_object *obj, const char *key)
{
    int64_t v = 0; //  absent: none of it
    yjc_obj_int (obj, key, &v);
    return v;
}

static uint32_t
s_size (const msgpack_object *array)
{
    return array && array->type == MSGPACK_OBJECT_ARRAY ? array->via.array.size
                                                        : 0;
}

//  The index of the host line of `resources` that `item` names by its
//  cpu_mem (and `line`, from 1, when given), or S_NONE, S_AMBIGUOUS
//  (several lines of that cpu_mem and no line), S_MISMATCH (the line
//  has another cpu_mem).
static int
s_host_line (const msgpack_object *resources, const msgpack_object *item)
{
    const msgpack_object *hosts = yjc_obj_get (resources, "hosts");
    uint32_t n = s_size (hosts);
    char cpu[16], other[16];
    yjc_obj_strcpy (item, "cpu_mem", cpu, sizeof cpu);
    int64_t line = s_int (item, "line");
    if (line > 0) {
        if (line > (int64_t)n)
            return S_NONE;
        yjc_obj_strcpy (
            &hosts->via.array.ptr[line - 1], "cpu_mem", other, sizeof other);
        return strcmp (cpu, other) == 0 ? (int)line - 1 : S_MISMATCH;
    }
    int found = S_NONE;
    for (uint32_t i = 0; i < n; i++) {
        yjc_obj_strcpy (
            &hosts->via.array.ptr[i], "cpu_mem", other, sizeof other);
        if (strcmp (cpu, other) == 0) {
            if (found >= 0)
                return S_AMBIGUOUS;
            found = (int)i;
        }
    }
    return found;
}

//  Names why an item names no host line; false when it names one.
static bool
s_line_problem (int line, const char *path, yjc_problems_t *out)
{
    char field[192];
    if (line == S_AMBIGUOUS) {
        snprintf (field, sizeof field, "%.170s.line", path);
        yjc_problems_say (out,
                          YJC_E_MISSING_FIELD,
                          field,
                          "several host lines of this cpu_mem: name the line",
                          "有多个该规格的云主机配置，须注明配置序号");
    }
    else if (line < 0) {
        snprintf (field, sizeof field, "%.170s.cpu_mem", path);
        yjc_problems_say (out,
                          YJC_E_INVALID_VALUE,
                          field,
                          line == S_MISMATCH ? "no host line of this cpu_mem"
                                               " at that line"
                                             : "no host line of this cpu_mem",
                          "核定资源中没有该规格的云主机%s",
                          line == S_MISMATCH ? "（配置序号不符）" : "");
    }
    return line < 0;
}

//  The range of host line `line` of `resources`, or NULL.
static const msgpack_object *
s_host_range (const msgpack_object *elastic,
              const msgpack_object *resources,
              int line)
{
    const msgpack_object *ranges = yjc_obj_get (elastic, "hosts");
    for (uint32_t i = 0; i < s_size (ranges); i++)
        if (s_host_line (resources, &ranges->via.array.ptr[i]) == line)
            return &ranges->via.array.ptr[i];
    return NULL;
}

//  min <= max, and what is granted inside; `unit_zh` says in what.
static void
s_check_bounds (const msgpack_object *range,
                int64_t granted,
                const char *path,
                const char *unit_zh,
                yjc_problems_t *out)
{
    int64_t min = s_int (range, "min"), max = s_int (range, "max");
    char field[192];
    if (min > max) {
        snprintf (field, sizeof field, "%.170s.max", path);
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "max below min",
                          "上限不能小于下限（%lld%s）",
                          (long long)min,
                          unit_zh);
    }
    else if (granted < min || granted > max) {
        bool low = granted < min;
        snprintf (field, sizeof field, "%.170s.%s", path, low ? "min" : "max");
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "the range must contain what is granted",
                          "%s不能%s目前核定的 %lld%s",
                          low ? "下限" : "上限",
                          low ? "高于" : "低于",
                          (long long)granted,
                          unit_zh);
    }
}

//  The form's 2 Mbps steps, on a bandwidth range's bounds.
static void
s_check_steps (const msgpack_object *range,
               const char *path,
               yjc_problems_t *out)
{
    static const char *keys[] = { "min", "max" };
    for (int k = 0; k < 2; k++) {
        int64_t v = s_int (range, keys[k]);
        if (v % 2 != 0) {
            char field[192];
            snprintf (field, sizeof field, "%.170s.%s", path, keys[k]);
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              "in steps of 2 Mbps",
                              "须为 2Mbps 的整数倍，填写的是 %lldMbps",
                              (long long)v);
        }
    }
}

int
yjc_elastic_check (const msgpack_object *elastic,
                   const msgpack_object *granted,
                   const char *at,
                   yjc_problems_t *out)
{
    int before = out->count;
    const msgpack_object *hosts = yjc_obj_get (granted, "hosts");
    const msgpack_object *ranges = yjc_obj_get (elastic, "hosts");
    bool seen[S_LINES_MAX] = { false };
    for (uint32_t i = 0; i < s_size (ranges); i++) {
        const msgpack_object *range = &ranges->via.array.ptr[i];
        char path[160], field[192];
        snprintf (path, sizeof path, "%.100s.hosts[%u]", at, i);
        int line = s_host_line (granted, range);
        if (s_line_problem (line, path, out))
            continue;
        if (line < S_LINES_MAX && seen[line]) {
            snprintf (field, sizeof field, "%s.cpu_mem", path);
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              "a second range of the same host line",
                              "同一云主机配置只能核定一个弹性范围（配置%d）",
                              line + 1);
            continue;
        }
        if (line < S_LINES_MAX)
            seen[line] = true;
        s_check_bounds (range,
                        s_int (&hosts->via.array.ptr[line], "count"),
                        path,
                        "台",
                        out);
    }
    char path[160];
    const msgpack_object *range = yjc_obj_get (elastic, "bandwidth_mbps");
    if (range) {
        snprintf (path, sizeof path, "%.100s.bandwidth_mbps", at);
        int n = out->count;
        s_check_steps (range, path, out);
        if (out->count == n)
            s_check_bounds (
                range,
                s_int (yjc_obj_get (granted, "network"), "dedicated_mbps"),
                path,
                "Mbps",
                out);
    }
    range = yjc_obj_get (elastic, "storage_tb");
    if (range) {
        snprintf (path, sizeof path, "%.100s.storage_tb", at);
        s_check_bounds (range, s_int (granted, "storage_tb"), path, "TB", out);
    }
    return out->count - before;
}

//  One value of a step against its range; false when refused.
static bool
s_inside (const msgpack_object *range,
          int64_t value,
          const char *field,
          const char *unit_zh,
          yjc_problems_t *out)
{
    if (!range) {
        yjc_problems_say (out,
                          YJC_E_NO_ELASTIC_RANGE,
                          field,
                          "no elastic range approved for this line",
                          "主管部门未核定该项资源的弹性范围，须按变更申请办理");
        return false;
    }
    int64_t min = s_int (range, "min"), max = s_int (range, "max");
    if (value < min || value > max) {
        yjc_problems_say (
            out,
            YJC_E_OUTSIDE_ELASTIC_RANGE,
            field,
            "outside the approved elastic range",
            "须在核定的弹性范围 %lld–%lld%s 之内，报告的是 %lld%s",
            (long long)min,
            (long long)max,
            unit_zh,
            (long long)value,
            unit_zh);
        return false;
    }
    return true;
}

//  `map` packed with `key` set to `value` (added when absent).
static void
s_pack_set (msgpack_packer *pk,
            const msgpack_object *map,
            const char *key,
            int64_t value)
{
    bool has = yjc_obj_get (map, key) != NULL;
    uint32_t n = map && map->type == MSGPACK_OBJECT_MAP ? map->via.map.size : 0;
    msgpack_pack_map (pk, n + (has ? 0 : 1));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object_kv *kv = &map->via.map.ptr[i];
        msgpack_pack_object (pk, kv->key);
        if (kv->key.type == MSGPACK_OBJECT_STR &&
            kv->key.via.str.size == strlen (key) &&
            memcmp (kv->key.via.str.ptr, key, strlen (key)) == 0)
            msgpack_pack_int64 (pk, value);
        else
            msgpack_pack_object (pk, kv->val);
    }
    if (!has) {
        yjc_pk_str (pk, key);
        msgpack_pack_int64 (pk, value);
    }
}

static bool
s_key_is (const msgpack_object *k, const char *key)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen (key) &&
           memcmp (k->via.str.ptr, key, k->via.str.size) == 0;
}

//  The resources after the step: counts[i] >= 0 sets host line i;
//  mbps, tb >= 0 set the bandwidth and the storage.
static void
s_pack_after (msgpack_packer *pk,
              const msgpack_object *resources,
              const int64_t *counts,
              int64_t mbps,
              int64_t tb)
{
    bool add_tb = tb >= 0 && !yjc_obj_get (resources, "storage_tb");
    uint32_t n = resources->via.map.size;
    msgpack_pack_map (pk, n + (add_tb ? 1 : 0));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object_kv *kv = &resources->via.map.ptr[i];
        msgpack_pack_object (pk, kv->key);
        if (s_key_is (&kv->key, "hosts") &&
            kv->val.type == MSGPACK_OBJECT_ARRAY) {
            msgpack_pack_array (pk, kv->val.via.array.size);
            for (uint32_t h = 0; h < kv->val.via.array.size; h++)
                if (h < S_LINES_MAX && counts[h] >= 0)
                    s_pack_set (
                        pk, &kv->val.via.array.ptr[h], "count", counts[h]);
                else
                    msgpack_pack_object (pk, kv->val.via.array.ptr[h]);
        }
        else if (s_key_is (&kv->key, "network") && mbps >= 0)
            s_pack_set (pk, &kv->val, "dedicated_mbps", mbps);
        else if (s_key_is (&kv->key, "storage_tb") && tb >= 0)
            msgpack_pack_int64 (pk, tb);
        else
            msgpack_pack_object (pk, kv->val);
    }
    if (add_tb) {
        yjc_pk_str (pk, "storage_tb");
        msgpack_pack_int64 (pk, tb);
    }
}

int
yjc_elastic_step (const msgpack_object *elastic,
                  const msgpack_object *resources,
                  const msgpack_object *step,
                  msgpack_packer *after,
                  yjc_problems_t *out)
{
    int before = out->count;
    int64_t counts[S_LINES_MAX], mbps = -1, tb = -1;
    for (int i = 0; i < S_LINES_MAX; i++)
        counts[i] = -1;
    const msgpack_object *hosts = yjc_obj_get (step, "hosts");
    bool has_mbps = yjc_obj_int (step, "bandwidth_mbps", &mbps);
    bool has_tb = yjc_obj_int (step, "storage_tb", &tb);
    if (!s_size (hosts) && !has_mbps && !has_tb)
        yjc_problems_say (out,
                          YJC_E_MISSING_FIELD,
                          "body.hosts",
                          "a step changes hosts, bandwidth_mbps or storage_tb",
                          "须至少报告一项调整（云主机、独享带宽或云存储）");
    for (uint32_t i = 0; i < s_size (hosts); i++) {
        const msgpack_object *item = &hosts->via.array.ptr[i];
        char path[64], field[96];
        snprintf (path, sizeof path, "body.hosts[%u]", i);
        int line = s_host_line (resources, item);
        if (s_line_problem (line, path, out) || line >= S_LINES_MAX)
            continue;
        snprintf (field, sizeof field, "%s.cpu_mem", path);
        if (counts[line] >= 0) {
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              field,
                              "the same host line named twice",
                              "同一云主机配置报告了两次（配置%d）",
                              line + 1);
            continue;
        }
        const msgpack_object *range = s_host_range (elastic, resources, line);
        int64_t count = s_int (item, "count");
        if (!range)
            s_inside (NULL, count, field, "台", out);
        else {
            snprintf (field, sizeof field, "%s.count", path);
            if (s_inside (range, count, field, "台", out))
                counts[line] = count;
        }
    }
    if (has_mbps) {
        const msgpack_object *range = yjc_obj_get (elastic, "bandwidth_mbps");
        if (range && mbps % 2 != 0)
            yjc_problems_say (out,
                              YJC_E_INVALID_VALUE,
                              "body.bandwidth_mbps",
                              "in steps of 2 Mbps",
                              "须为 2Mbps 的整数倍，报告的是 %lldMbps",
                              (long long)mbps);
        else
            s_inside (range, mbps, "body.bandwidth_mbps", "Mbps", out);
    }
    if (has_tb)
        s_inside (yjc_obj_get (elastic, "storage_tb"),
                  tb,
                  "body.storage_tb",
                  "TB",
                  out);
    if (out->count == before)
        s_pack_after (after, resources, counts, mbps, tb);
    return out->count - before;
}

/* ---- selftest ------------------------------------------------------------ */

#include "yjc_json.h"

typedef struct {
    msgpack_sbuffer buf[3];
    msgpack_unpacked un[3];
} s_objs_t;

static void
s_objs_load (s_objs_t *self, const char *json[3])
{
    char err[96];
    for (int i = 0; i < 3; i++) {
        msgpack_sbuffer_init (&self->buf[i]);
        msgpack_unpacked_init (&self->un[i]);
        if (!json[i])
            continue;
        yjc_json_to_msgpack (
            json[i], strlen (json[i]), &self->buf[i], err, sizeof err);
        msgpack_unpack_next (
            &self->un[i], self->buf[i].data, self->buf[i].size, NULL);
    }
}

static void
s_objs_release (s_objs_t *self)
{
    for (int i = 0; i < 3; i++) {
        msgpack_unpacked_destroy (&self->un[i]);
        msgpack_sbuffer_destroy (&self->buf[i]);
    }
}

static const char *s_granted =
    "{\"network\": {\"access\": \"extranet_only\", \"dedicated_mbps\": 20},"
    " \"storage_tb\": 2, \"hosts\": [{\"cpu_mem\": \"4c8g\", \"os\": "
    "\"centos6\", \"database\": \"none\", \"count\": 2, \"purpose\": \"web\"},"
    " {\"cpu_mem\": \"8c16g\", \"os\": \"centos6\", \"database\": \"mysql\","
    " \"count\": 1, \"purpose\": \"db\"}]}";

//  The problems of ranges against a grant; the first one's field.
static int
s_check_in (const char *elastic, const char *granted, char *field, size_t size)
{
    const char *json[3] = { elastic, granted, NULL };
    s_objs_t o;
    s_objs_load (&o, json);
    yjc_problems_t p;
    memset (&p, 0, sizeof p);
    int n =
        yjc_elastic_check (&o.un[0].data, &o.un[1].data, "body.elastic", &p);
    snprintf (field, size, "%s", n ? p.items[0].field : "");
    s_objs_release (&o);
    return n;
}

static int
s_check_json (const char *elastic, char *field, size_t size)
{
    return s_check_in (elastic, s_granted, field, size);
}

//  A step inside the ranges: the JSON of the resources after it in
//  `after_json` (NULL when refused); else the first problem's field.
static int
s_step_json (const char *elastic,
             const char *step,
             char *field,
             size_t size,
             char **after_json)
{
    const char *json[3] = { elastic, s_granted, step };
    s_objs_t o;
    s_objs_load (&o, json);
    yjc_problems_t p;
    memset (&p, 0, sizeof p);
    yjc_pack_t after;
    yjc_pack_init (&after);
    int n = yjc_elastic_step (
        &o.un[0].data, &o.un[1].data, &o.un[2].data, &after.pk, &p);
    snprintf (field, size, "%s", n ? p.items[0].field : "");
    *after_json = NULL;
    if (n == 0) {
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, after.buf.data, after.buf.size, NULL);
        *after_json = yjc_json_from_object (&un.data, false);
        msgpack_unpacked_destroy (&un);
    }
    yjc_pack_release (&after);
    s_objs_release (&o);
    return n;
}

void
yjc_elastic_test (yjc_test_t *t)
{
    char field[192];
    const char *ranges =
        "{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"min\": 2, \"max\": 6}],"
        " \"bandwidth_mbps\": {\"min\": 10, \"max\": 50}}";
    //  R11.2: ranges that contain the grant
    YJC_CHECK (t, s_check_json (ranges, field, sizeof field) == 0);
    YJC_CHECK (t, s_check_json ("{}", field, sizeof field) == 0);
    //  a range that does not contain what is granted, max below min
    YJC_CHECK (t,
               s_check_json ("{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"min\": 3,"
                             " \"max\": 6}]}",
                             field,
                             sizeof field) == 1 &&
                   strcmp (field, "body.elastic.hosts[0].min") == 0);
    YJC_CHECK (t,
               s_check_json ("{\"storage_tb\": {\"min\": 3, \"max\": 1}}",
                             field,
                             sizeof field) == 1 &&
                   strcmp (field, "body.elastic.storage_tb.max") == 0);
    //  bandwidth in 2 Mbps steps; a configuration the grant lacks
    YJC_CHECK (t,
               s_check_json ("{\"bandwidth_mbps\": {\"min\": 11, \"max\": 50}}",
                             field,
                             sizeof field) == 1 &&
                   strcmp (field, "body.elastic.bandwidth_mbps.min") == 0);
    YJC_CHECK (t,
               s_check_json ("{\"hosts\": [{\"cpu_mem\": \"2c4g\", \"min\": 1,"
                             " \"max\": 6}]}",
                             field,
                             sizeof field) == 1 &&
                   strcmp (field, "body.elastic.hosts[0].cpu_mem") == 0);
    //  two lines of one configuration: the range names its line
    const char *twice = "{\"network\": {\"access\": \"extranet_only\"},"
                        " \"hosts\": [{\"cpu_mem\": \"8c16g\", \"count\": 2},"
                        " {\"cpu_mem\": \"8c16g\", \"count\": 1}]}";
    YJC_CHECK (t,
               s_check_in ("{\"hosts\": [{\"cpu_mem\": \"8c16g\", \"min\": 1,"
                           " \"max\": 4}]}",
                           twice,
                           field,
                           sizeof field) == 1 &&
                   strcmp (field, "body.elastic.hosts[0].line") == 0);
    YJC_CHECK (t,
               s_check_in ("{\"hosts\": [{\"cpu_mem\": \"8c16g\", \"line\": 2,"
                           " \"min\": 1, \"max\": 4}, {\"cpu_mem\": \"8c16g\","
                           " \"line\": 1, \"min\": 2, \"max\": 3}]}",
                           twice,
                           field,
                           sizeof field) == 0);
    YJC_CHECK (t,
               s_check_in ("{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"line\": 2,"
                           " \"min\": 1, \"max\": 4}]}",
                           twice,
                           field,
                           sizeof field) == 1 &&
                   strcmp (field, "body.elastic.hosts[0].cpu_mem") == 0);
    //  a step inside: only the lines named change
    char *after = NULL;
    YJC_CHECK (
        t,
        s_step_json (ranges,
                     "{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"count\": 5}],"
                     " \"bandwidth_mbps\": 40}",
                     field,
                     sizeof field,
                     &after) == 0 &&
            after && strstr (after, "\"count\":5") &&
            strstr (after, "\"count\":1") &&
            strstr (after, "\"dedicated_mbps\":40") &&
            strstr (after, "\"storage_tb\":2"));
    free (after);
    //  outside the range; a line without a range
    YJC_CHECK (
        t,
        s_step_json (ranges,
                     "{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"count\": 7}]}",
                     field,
                     sizeof field,
                     &after) == 1 &&
            !after && strcmp (field, "body.hosts[0].count") == 0);
    YJC_CHECK (
        t,
        s_step_json (
            ranges, "{\"storage_tb\": 3}", field, sizeof field, &after) == 1 &&
            strcmp (field, "body.storage_tb") == 0);
    YJC_CHECK (
        t,
        s_step_json (
            ranges, "{\"bandwidth_mbps\": 60}", field, sizeof field, &after) ==
                1 &&
            strcmp (field, "body.bandwidth_mbps") == 0);
    YJC_CHECK (t,
               s_step_json (ranges, "{}", field, sizeof field, &after) == 1 &&
                   strcmp (field, "body.hosts") == 0);
}
