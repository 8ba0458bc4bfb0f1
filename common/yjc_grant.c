/*  yjc_grant.c - checking the bureau's grant against the application.

    The walk follows proto's `resources` schema: numbers may shrink, a
    service asked for may be left out, a host may get a smaller size; the
    grant may not add what was not asked nor change what kind of thing
    it is (another OS, another database engine).                        */
#include "yjc_grant.h"
#include <stdio.h>
#include <string.h>

//  Enums that are sizes, smallest first in proto: a smaller one may be
//  granted.  Every other enum must stay as asked.
static const char *s_size_enums[] = { "cpu_mem" };

static bool
s_is_size (const char *key)
{
    for (size_t i = 0; i < sizeof s_size_enums / sizeof *s_size_enums; i++)
        if (strcmp (key, s_size_enums[i]) == 0)
            return true;
    return false;
}

//  Position of a value in "a|b|c", or -1.
static int
s_enum_index (const char *enumv, const msgpack_object *v)
{
    if (!v || v->type != MSGPACK_OBJECT_STR)
        return -1;
    int index = 0;
    for (const char *p = enumv; *p; index++) {
        const char *bar = strchr (p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen (p);
        if (n == v->via.str.size && memcmp (p, v->via.str.ptr, n) == 0)
            return index;
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

static int64_t
s_int (const msgpack_object *v)
{
    if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)v->via.u64;
    if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return v->via.i64;
    return 0; //  not asked: nothing
}

static void s_check_map (const yjc_schema_t *schema,
                         const msgpack_object *granted,
                         const msgpack_object *asked,
                         const char *path,
                         yjc_problems_t *out);

static void
s_check_field (const yjc_field_t *f,
               const msgpack_object *g,
               const msgpack_object *a,
               const char *path,
               yjc_problems_t *out)
{
    switch (f->kind) {
        case YJC_K_INT:
            if (s_int (g) > s_int (a))
                yjc_problems_add (out,
                                  YJC_E_OUT_OF_RANGE,
                                  path,
                                  "核定不能多于申请 (%lld)",
                                  (long long)s_int (a));
            break;
        case YJC_K_BOOL:
            if (g->via.boolean &&
                !(a && a->type == MSGPACK_OBJECT_BOOLEAN && a->via.boolean))
                yjc_problems_add (
                    out, YJC_E_INVALID_VALUE, path, "未申请的服务不能核定");
            break;
        case YJC_K_ENUM: {
            int gi = s_enum_index (f->enumv, g),
                ai = s_enum_index (f->enumv, a);
            bool ok =
                s_is_size (f->key) ? gi >= 0 && ai >= 0 && gi <= ai : gi == ai;
            if (!ok)
                yjc_problems_add (out,
                                  YJC_E_INVALID_VALUE,
                                  path,
                                  s_is_size (f->key) ? "核定规格不能高于申请"
                                                     : "核定须与申请一致");
            break;
        }
        case YJC_K_MAP: s_check_map (f->sub, g, a, path, out); break;
        case YJC_K_ARR_MAP: {
            uint32_t asked =
                a && a->type == MSGPACK_OBJECT_ARRAY ? a->via.array.size : 0;
            if (g->via.array.size > asked) {
                yjc_problems_add (out,
                                  YJC_E_TOO_MANY_ITEMS,
                                  path,
                                  "核定不能多于申请 (%u)",
                                  asked);
                break;
            }
            for (uint32_t i = 0; i < g->via.array.size; i++) {
                char item[160];
                snprintf (item, sizeof item, "%.140s[%u]", path, i);
                s_check_map (f->sub,
                             &g->via.array.ptr[i],
                             &a->via.array.ptr[i],
                             item,
                             out);
            }
            break;
        }
        default: break; //  names and notes: the bureau's wording
    }
}

static void
s_check_map (const yjc_schema_t *schema,
             const msgpack_object *granted,
             const msgpack_object *asked,
             const char *path,
             yjc_problems_t *out)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        const msgpack_object *g = yjc_obj_get (granted, f->key);
        if (!g || g->type == MSGPACK_OBJECT_NIL)
            continue; //  not granted at all: always allowed
        char field[160];
        snprintf (field, sizeof field, "%.120s.%s", path, f->key);
        s_check_field (f, g, yjc_obj_get (asked, f->key), field, out);
    }
}

int
yjc_grant_check (const msgpack_object *granted,
                 const msgpack_object *asked,
                 yjc_problems_t *out)
{
    int before = out->count;
    s_check_map (&yjc_schema_resources, granted, asked, "body.granted", out);
    return out->count - before;
}

/* ---- selftest ------------------------------------------------------------ */

#include "yjc_json.h"

static int
s_check_json (const char *granted, const char *asked, yjc_problems_t *out)
{
    msgpack_sbuffer g, a;
    msgpack_sbuffer_init (&g);
    msgpack_sbuffer_init (&a);
    char err[96];
    yjc_json_to_msgpack (granted, strlen (granted), &g, err, sizeof err);
    yjc_json_to_msgpack (asked, strlen (asked), &a, err, sizeof err);
    msgpack_unpacked ug, ua;
    msgpack_unpacked_init (&ug);
    msgpack_unpacked_init (&ua);
    msgpack_unpack_next (&ug, g.data, g.size, NULL);
    msgpack_unpack_next (&ua, a.data, a.size, NULL);
    memset (out, 0, sizeof *out);
    int n = yjc_grant_check (&ug.data, &ua.data, out);
    msgpack_unpacked_destroy (&ug);
    msgpack_unpacked_destroy (&ua);
    msgpack_sbuffer_destroy (&g);
    msgpack_sbuffer_destroy (&a);
    return n;
}

void
yjc_grant_test (yjc_test_t *t)
{
    const char *asked =
        "{\"network\": {\"access\": \"extranet_internet\","
        " \"dedicated_mbps\": 20}, \"storage_tb\": 2,"
        " \"hosts\": [{\"cpu_mem\": \"8c16g\", \"os\": \"centos6\","
        " \"database\": \"none\", \"count\": 2, \"purpose\": \"web\"}],"
        " \"security\": {\"waf_domains\": 1, \"ddos\": true}}";
    yjc_problems_t p;
    //  the whole request, or less of any line, or leaving a line out
    YJC_CHECK (t, s_check_json (asked, asked, &p) == 0);
    YJC_CHECK (t,
               s_check_json ("{\"network\": {\"access\": "
                             "\"extranet_internet\", \"dedicated_mbps\": "
                             "10}, \"storage_tb\": 1, \"hosts\": "
                             "[{\"cpu_mem\": \"4c8g\", \"os\": \"centos6\", "
                             "\"database\": \"none\", \"count\": 1, "
                             "\"purpose\": \"web\"}]}",
                             asked,
                             &p) == 0);
    //  more than asked, a bigger host, a service not asked for
    YJC_CHECK (t,
               s_check_json ("{\"network\": {\"access\": "
                             "\"extranet_internet\"}, \"storage_tb\": 3}",
                             asked,
                             &p) == 1 &&
                   p.items[0].code == YJC_E_OUT_OF_RANGE &&
                   strcmp (p.items[0].field, "body.granted.storage_tb") == 0);
    YJC_CHECK (t,
               s_check_json ("{\"network\": {\"access\": "
                             "\"extranet_internet\"}, \"hosts\": "
                             "[{\"cpu_mem\": \"8c16g\", \"os\": \"centos6\", "
                             "\"database\": \"none\", \"count\": 3, "
                             "\"purpose\": \"web\"}]}",
                             asked,
                             &p) == 1 &&
                   strcmp (p.items[0].field, "body.granted.hosts[0].count") ==
                       0);
    YJC_CHECK (t,
               s_check_json ("{\"network\": {\"access\": \"internet_only\"},"
                             " \"security\": {\"host_protection\": true}}",
                             asked,
                             &p) == 2 &&
                   strcmp (p.items[0].field, "body.granted.network.access") ==
                       0 &&
                   strcmp (p.items[1].field,
                           "body.granted.security.host_protection") == 0);
    YJC_CHECK (t,
               s_check_json ("{\"network\": {\"access\": "
                             "\"extranet_internet\"}, \"hosts\": [{}, {}]}",
                             asked,
                             &p) == 1 &&
                   p.items[0].code == YJC_E_TOO_MANY_ITEMS);
}
