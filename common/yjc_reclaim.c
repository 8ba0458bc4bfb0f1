/*  yjc_reclaim.c - the resources left after a reclamation (R11.3).

    Hosts are taken by configuration (cpu_mem) and databases by engine,
    from the last line of that kind up, so the first lines of the grant
    stay as they were; bandwidth and storage are plain numbers.          */
#include "yjc_reclaim.h"
#include <stdio.h>
#include <string.h>

//  Lines of an array the rule walks (the schema allows 50).
#define S_MAX_ITEMS 64

static int64_t
s_int (const msgpack_object *v)
{
    if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)v->via.u64;
    if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return v->via.i64;
    return 0;
}

static bool
s_str_eq (const msgpack_object *a, const msgpack_object *b)
{
    return a && b && a->type == MSGPACK_OBJECT_STR &&
           b->type == MSGPACK_OBJECT_STR &&
           a->via.str.size == b->via.str.size &&
           memcmp (a->via.str.ptr, b->via.str.ptr, a->via.str.size) == 0;
}

static uint32_t
s_items (const msgpack_object *arr)
{
    if (!arr || arr->type != MSGPACK_OBJECT_ARRAY)
        return 0;
    return arr->via.array.size < S_MAX_ITEMS ? arr->via.array.size
                                             : S_MAX_ITEMS;
}

//  Takes each line of `asked` (array of {key, count}) from the items of
//  `have` whose `key` matches, last first; left[j] is what item j keeps.
static void
s_take_items (const msgpack_object *have,
              const msgpack_object *asked,
              const char *key,
              const char *path,
              bool clamp,
              int64_t left[S_MAX_ITEMS],
              yjc_problems_t *out)
{
    uint32_t n = s_items (have);
    for (uint32_t j = 0; j < n; j++)
        left[j] = s_int (yjc_obj_get (&have->via.array.ptr[j], "count"));
    for (uint32_t i = 0; i < s_items (asked); i++) {
        const msgpack_object *line = &asked->via.array.ptr[i];
        const msgpack_object *what = yjc_obj_get (line, key);
        int64_t want = s_int (yjc_obj_get (line, "count")), there = 0;
        for (uint32_t j = n; j-- > 0 && want > 0;) {
            if (!s_str_eq (yjc_obj_get (&have->via.array.ptr[j], key), what))
                continue;
            int64_t take = left[j] < want ? left[j] : want;
            left[j] -= take;
            want -= take;
            there += take;
        }
        if (want > 0 && !clamp) {
            char field[96];
            snprintf (field, sizeof field, "body.lines.%s[%u].count", path, i);
            yjc_problems_say (out,
                              YJC_E_OUT_OF_RANGE,
                              field,
                              "more than the application has (R11.3)",
                              "收回不能多于现有（现有 %lld）",
                              (long long)there);
        }
    }
}

//  A number taken from what there is: the value left.
static int64_t
s_take_number (int64_t have,
               const msgpack_object *lines,
               const char *key,
               bool clamp,
               yjc_problems_t *out)
{
    int64_t want = s_int (yjc_obj_get (lines, key));
    if (want <= have)
        return have - want;
    if (!clamp) {
        char field[64];
        snprintf (field, sizeof field, "body.lines.%s", key);
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          field,
                          "more than the application has (R11.3)",
                          "收回不能多于现有（现有 %lld）",
                          (long long)have);
    }
    return 0;
}

//  Packs `map` with the integer `key` set to `value`.
static void
s_pack_map_with (msgpack_packer *pk,
                 const msgpack_object *map,
                 const char *key,
                 int64_t value)
{
    const msgpack_object_map *m = &map->via.map;
    bool present = yjc_obj_get (map, key) != NULL;
    msgpack_pack_map (pk, m->size + (present ? 0 : 1));
    for (uint32_t i = 0; i < m->size; i++) {
        msgpack_pack_object (pk, m->ptr[i].key);
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen (key) &&
            memcmp (k->via.str.ptr, key, k->via.str.size) == 0)
            msgpack_pack_int64 (pk, value);
        else
            msgpack_pack_object (pk, m->ptr[i].val);
    }
    if (!present) {
        msgpack_pack_str (pk, strlen (key));
        msgpack_pack_str_body (pk, key, strlen (key));
        msgpack_pack_int64 (pk, value);
    }
}

//  The items that keep something, each with its count left.
static void
s_pack_items (msgpack_packer *pk,
              const msgpack_object *arr,
              const int64_t left[S_MAX_ITEMS])
{
    uint32_t n = s_items (arr), kept = 0;
    for (uint32_t j = 0; j < arr->via.array.size; j++)
        kept += j >= n || left[j] > 0;
    msgpack_pack_array (pk, kept);
    for (uint32_t j = 0; j < arr->via.array.size; j++)
        if (j >= n)
            msgpack_pack_object (pk, arr->via.array.ptr[j]);
        else if (left[j] > 0)
            s_pack_map_with (pk, &arr->via.array.ptr[j], "count", left[j]);
}

static bool
s_key_is (const msgpack_object *k, const char *key)
{
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen (key) &&
           memcmp (k->via.str.ptr, key, k->via.str.size) == 0;
}

int
yjc_reclaim_apply (const msgpack_object *resources,
                   const msgpack_object *lines,
                   bool clamp,
                   msgpack_packer *pk,
                   yjc_problems_t *out)
{
    int before = out->count;
    if (!resources || resources->type != MSGPACK_OBJECT_MAP)
        return 0; //  nothing here to reclaim: the caller's own bug
    const msgpack_object *hosts = yjc_obj_get (resources, "hosts");
    const msgpack_object *dbs = yjc_obj_get (resources, "databases");
    const msgpack_object *net = yjc_obj_get (resources, "network");
    int64_t host_left[S_MAX_ITEMS], db_left[S_MAX_ITEMS];
    s_take_items (hosts,
                  yjc_obj_get (lines, "hosts"),
                  "cpu_mem",
                  "hosts",
                  clamp,
                  host_left,
                  out);
    s_take_items (dbs,
                  yjc_obj_get (lines, "databases"),
                  "engine",
                  "databases",
                  clamp,
                  db_left,
                  out);
    int64_t mbps = s_take_number (s_int (yjc_obj_get (net, "dedicated_mbps")),
                                  lines,
                                  "bandwidth_mbps",
                                  clamp,
                                  out);
    //  the grant's rule: dedicated bandwidth in steps of 2 Mbps
    if (mbps % 2 != 0 && !clamp)
        yjc_problems_say (out,
                          YJC_E_INVALID_VALUE,
                          "body.lines.bandwidth_mbps",
                          "the bandwidth left must be a multiple of 2 Mbps",
                          "收回后的独享带宽须为 2Mbps 的整数倍");
    int64_t storage =
        s_take_number (s_int (yjc_obj_get (resources, "storage_tb")),
                       lines,
                       "storage_tb",
                       clamp,
                       out);
    if (!pk || out->count > before)
        return out->count - before;
    const msgpack_object_map *m = &resources->via.map;
    msgpack_pack_map (pk, m->size);
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
        msgpack_pack_object (pk, *k);
        if (s_key_is (k, "hosts") && v->type == MSGPACK_OBJECT_ARRAY)
            s_pack_items (pk, v, host_left);
        else if (s_key_is (k, "databases") && v->type == MSGPACK_OBJECT_ARRAY)
            s_pack_items (pk, v, db_left);
        else if (s_key_is (k, "storage_tb"))
            msgpack_pack_int64 (pk, storage);
        else if (s_key_is (k, "network") && v->type == MSGPACK_OBJECT_MAP &&
                 yjc_obj_get (v, "dedicated_mbps"))
            s_pack_map_with (pk, v, "dedicated_mbps", mbps);
        else
            msgpack_pack_object (pk, *v);
    }
    return 0;
}

/* ---- selftest ------------------------------------------------------------ */

#include "yjc_json.h"

typedef struct {
    msgpack_sbuffer buf;
    msgpack_unpacked un;
} s_json_t;

static const msgpack_object *
s_json (s_json_t *j, const char *text)
{
    char err[96];
    msgpack_sbuffer_init (&j->buf);
    msgpack_unpacked_init (&j->un);
    yjc_json_to_msgpack (text, strlen (text), &j->buf, err, sizeof err);
    msgpack_unpack_next (&j->un, j->buf.data, j->buf.size, NULL);
    return &j->un.data;
}

static void
s_json_free (s_json_t *j)
{
    msgpack_unpacked_destroy (&j->un);
    msgpack_sbuffer_destroy (&j->buf);
}

//  Applies `lines` to `have`; the problems, and the result as JSON-ish
//  numbers read back by key.
static int
s_apply (const char *have,
         const char *lines,
         bool clamp,
         yjc_problems_t *p,
         msgpack_sbuffer *left)
{
    s_json_t h, l;
    msgpack_packer pk;
    msgpack_packer_init (&pk, left, msgpack_sbuffer_write);
    memset (p, 0, sizeof *p);
    int n = yjc_reclaim_apply (
        s_json (&h, have), s_json (&l, lines), clamp, &pk, p);
    s_json_free (&h);
    s_json_free (&l);
    return n;
}

void
yjc_reclaim_test (yjc_test_t *t)
{
    const char *have =
        "{\"network\": {\"access\": \"extranet_internet\","
        " \"dedicated_mbps\": 20}, \"storage_tb\": 3,"
        " \"hosts\": [{\"cpu_mem\": \"4c8g\", \"os\": \"centos6\","
        " \"database\": \"none\", \"count\": 2, \"purpose\": \"web\"},"
        " {\"cpu_mem\": \"8c16g\", \"os\": \"centos6\","
        " \"database\": \"none\", \"count\": 1, \"purpose\": \"db\"},"
        " {\"cpu_mem\": \"4c8g\", \"os\": \"centos6\","
        " \"database\": \"none\", \"count\": 3, \"purpose\": \"app\"}],"
        " \"databases\": [{\"engine\": \"mysql\", \"max_sessions\": 600,"
        " \"count\": 1}]}";
    yjc_problems_t p;
    msgpack_sbuffer left;
    msgpack_sbuffer_init (&left);
    //  R11.3: 4 of the 5 4c8g hosts (the last line first), 10 Mbps, 1 TB,
    //  the one database
    YJC_CHECK (t,
               s_apply (have,
                        "{\"hosts\": [{\"cpu_mem\": \"4c8g\", \"count\": 4}],"
                        " \"bandwidth_mbps\": 10, \"storage_tb\": 1,"
                        " \"databases\": [{\"engine\": \"mysql\","
                        " \"count\": 1}]}",
                        false,
                        &p,
                        &left) == 0);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, left.data, left.size, NULL);
    const msgpack_object *hosts = yjc_obj_get (&un.data, "hosts");
    YJC_CHECK (t, hosts && hosts->via.array.size == 2);
    YJC_CHECK (
        t,
        hosts && s_int (yjc_obj_get (&hosts->via.array.ptr[0], "count")) == 1);
    YJC_CHECK (t, s_int (yjc_obj_get (&un.data, "storage_tb")) == 2);
    YJC_CHECK (t,
               s_int (yjc_obj_get (yjc_obj_get (&un.data, "network"),
                                   "dedicated_mbps")) == 10);
    YJC_CHECK (t, yjc_obj_get (&un.data, "databases")->via.array.size == 0);
    msgpack_unpacked_destroy (&un);
    //  more than there is, line by line; an odd bandwidth left
    msgpack_sbuffer_clear (&left);
    YJC_CHECK (
        t,
        s_apply (have,
                 "{\"hosts\": [{\"cpu_mem\": \"8c16g\", \"count\": 2},"
                 " {\"cpu_mem\": \"2c4g\", \"count\": 1}],"
                 " \"storage_tb\": 4}",
                 false,
                 &p,
                 &left) == 3 &&
            strcmp (p.items[0].field, "body.lines.hosts[0].count") == 0 &&
            strcmp (p.items[1].field, "body.lines.hosts[1].count") == 0 &&
            strcmp (p.items[2].field, "body.lines.storage_tb") == 0);
    YJC_CHECK (t,
               s_apply (have, "{\"bandwidth_mbps\": 3}", false, &p, &left) ==
                       1 &&
                   p.items[0].code == YJC_E_INVALID_VALUE);
    //  clamped: what there is
    msgpack_sbuffer_clear (&left);
    YJC_CHECK (t, s_apply (have, "{\"storage_tb\": 9}", true, &p, &left) == 0);
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, left.data, left.size, NULL);
    YJC_CHECK (t, s_int (yjc_obj_get (&un.data, "storage_tb")) == 0);
    msgpack_unpacked_destroy (&un);
    msgpack_sbuffer_destroy (&left);
}
