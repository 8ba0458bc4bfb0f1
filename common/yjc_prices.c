/*  yjc_prices.c - the price catalog and the pure rating of a month (R17);
    the rule is stated once, in yjc_prices.h.                            */
#include "yjc_prices.h"
#include "yjc_json.h"
#include "yjc_proto.h"
#include <stdlib.h>
#include <string.h>

const yjc_price_def_t yjc_prices[YJC_PRICE_COUNT] = {
#define PRICE(ident, code, zh, measure) { code, zh, measure },
#include "../proto/yjc_prices.def"
#undef PRICE
};

int
yjc_price_by_code (const char *code)
{
    for (int i = 0; code && i < YJC_PRICE_COUNT; i++)
        if (strcmp (yjc_prices[i].code, code) == 0)
            return i;
    return -1;
}

static int64_t
s_int (const msgpack_object *obj, const char *key)
{
    int64_t v = 0;
    if (!yjc_obj_int (obj, key, &v) || v < 0)
        return 0;
    return v;
}

static bool
s_str_is (const msgpack_object *obj, const char *key, const char *want)
{
    const char *s;
    size_t len;
    return yjc_obj_str (obj, key, &s, &len) && len == strlen (want) &&
           memcmp (s, want, len) == 0;
}

static bool
s_true (const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    return v && v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
}

//  Sum over the items of array `key`: count (or per-item weight) of those
//  matching.
static int64_t
s_hosts (const msgpack_object *resources, const char *cpu_mem, bool disk)
{
    const msgpack_object *arr = yjc_obj_get (resources, "hosts");
    int64_t n = 0;
    for (uint32_t i = 0;
         arr && arr->type == MSGPACK_OBJECT_ARRAY && i < arr->via.array.size;
         i++) {
        const msgpack_object *h = &arr->via.array.ptr[i];
        int64_t count = s_int (h, "count");
        if (disk)
            //  started 200 GB steps of each host's data disk
            n += count * ((s_int (h, "data_disk_gb") + 199) / 200);
        else if (s_str_is (h, "cpu_mem", cpu_mem))
            n += count;
    }
    return n;
}

static int64_t
s_databases (const msgpack_object *resources, const char *engine)
{
    const msgpack_object *arr = yjc_obj_get (resources, "databases");
    int64_t n = 0;
    for (uint32_t i = 0;
         arr && arr->type == MSGPACK_OBJECT_ARRAY && i < arr->via.array.size;
         i++)
        if (s_str_is (&arr->via.array.ptr[i], "engine", engine))
            n += s_int (&arr->via.array.ptr[i], "count");
    return n;
}

int64_t
yjc_price_qty (const msgpack_object *r, int line)
{
    const msgpack_object *app = yjc_obj_get (r, "app_services");
    const msgpack_object *sec = yjc_obj_get (r, "security");
    switch (line) {
        case YJC_PRICE_HOST_2C4G: return s_hosts (r, "2c4g", false);
        case YJC_PRICE_HOST_4C8G: return s_hosts (r, "4c8g", false);
        case YJC_PRICE_HOST_6C12G: return s_hosts (r, "6c12g", false);
        case YJC_PRICE_HOST_8C16G: return s_hosts (r, "8c16g", false);
        case YJC_PRICE_DATA_DISK_200GB: return s_hosts (r, NULL, true);
        case YJC_PRICE_BANDWIDTH_MBPS:
            return s_int (yjc_obj_get (r, "network"), "dedicated_mbps");
        case YJC_PRICE_STORAGE_TB: return s_int (r, "storage_tb");
        case YJC_PRICE_DB_MYSQL: return s_databases (r, "mysql");
        case YJC_PRICE_DB_SQLSERVER: return s_databases (r, "sqlserver");
        case YJC_PRICE_BACKUP_CLIENT:
            return s_int (yjc_obj_get (app, "backup"), "clients");
        case YJC_PRICE_BACKUP_100GB:
            return s_int (yjc_obj_get (app, "backup"), "capacity_100gb");
        case YJC_PRICE_CLOUD_DRIVE_10GB: return s_int (app, "cloud_drive_10gb");
        case YJC_PRICE_LOAD_BALANCER: return s_int (app, "load_balancers");
        case YJC_PRICE_DATA_EXCHANGE_CLIENT:
            return s_int (app, "data_exchange_clients");
        case YJC_PRICE_DDOS: return s_true (sec, "ddos");
        case YJC_PRICE_HOST_PROTECTION: return s_true (sec, "host_protection");
        case YJC_PRICE_LOG_AUDIT: return s_true (sec, "log_audit");
        case YJC_PRICE_VULN_SCAN: return s_true (sec, "vuln_scan");
        case YJC_PRICE_WAF_DOMAIN: return s_int (sec, "waf_domains");
        case YJC_PRICE_SOC_DOMAIN: return s_int (sec, "soc_domains");
        case YJC_PRICE_BASTION_UNIT: return s_int (sec, "bastion_units");
        default: return 0;
    }
}

//  round_half_up(p*x/d) for p, x >= 0, d > 0.
static int64_t
s_round (int64_t p, int x, int d)
{
    return (2 * p * x + d) / (2 * (int64_t)d);
}

int64_t
yjc_prorate (int64_t p, int d, int a, int b)
{
    return s_round (p, b, d) - s_round (p, a, d);
}

//  Which interval owns day `d` (the last one overlapping it), or -1.
static int
s_owner (const yjc_rate_interval_t *iv, int niv, int d)
{
    for (int i = niv - 1; i >= 0; i--)
        if (iv[i].first <= d && d <= iv[i].last)
            return i;
    return -1;
}

static int
s_version (const yjc_rate_version_t *ver, int nver, int d)
{
    for (int i = nver - 1; i >= 0; i--)
        if (ver[i].first <= d)
            return i;
    return -1;
}

//  The stage, unit price and quantity of `line` on day `d`; false when
//  nothing is charged that day.
static bool
s_day (const yjc_rate_interval_t *iv,
       int owner,
       const yjc_rate_version_t *ver,
       int version,
       int line,
       int enforced_as,
       yjc_rate_item_t *out)
{
    if (owner < 0 || version < 0 || iv[owner].qty[line] <= 0)
        return false;
    int stage = iv[owner].stage;
    int column = stage == YJC_RATE_ENFORCED ? enforced_as : stage;
    out->line = line;
    out->stage = stage;
    out->qty = iv[owner].qty[line];
    out->unit_price = column < 0 ? 0 : ver[version].price[line][column];
    return true;
}

int
yjc_rate_month (int days,
                int upto,
                const yjc_rate_interval_t *iv,
                int niv,
                const yjc_rate_version_t *ver,
                int nver,
                int enforced_as,
                yjc_rate_item_t **items)
{
    if (upto > days)
        upto = days;
    int owner[31], version[31];
    for (int d = 0; d < upto; d++) {
        owner[d] = s_owner (iv, niv, d);
        version[d] = s_version (ver, nver, d);
    }
    *items = malloc (sizeof (yjc_rate_item_t) * YJC_PRICE_COUNT * 31);
    if (!*items)
        return -1;
    int n = 0;
    for (int line = 0; line < YJC_PRICE_COUNT; line++) {
        yjc_rate_item_t cur;
        bool open = false;
        for (int d = 0; d <= upto; d++) {
            yjc_rate_item_t day;
            bool on =
                d < upto &&
                s_day (iv, owner[d], ver, version[d], line, enforced_as, &day);
            if (open && on && day.stage == cur.stage &&
                day.unit_price == cur.unit_price && day.qty == cur.qty)
                continue;
            if (open) {
                cur.to = d;
                cur.amount = yjc_prorate (
                    cur.qty * cur.unit_price, days, cur.from, cur.to);
                if (cur.amount != 0)
                    (*items)[n++] = cur;
            }
            open = on;
            if (on) {
                cur = day;
                cur.from = d;
            }
        }
    }
    return n;
}

void
yjc_prices_test (yjc_test_t *t)
{
    //  the catalog: codes unique, all found
    for (int i = 0; i < YJC_PRICE_COUNT; i++)
        YJC_CHECK (t, yjc_price_by_code (yjc_prices[i].code) == i);
    YJC_CHECK (t, yjc_price_by_code ("host_3c6g") == -1);

    //  R17 cumulative rounding: a whole month is exactly P, parts add up
    for (int64_t p = 0; p < 2000; p += 7)
        for (int d = 28; d <= 31; d++) {
            int64_t sum = 0;
            for (int a = 0; a < d; a++)
                sum += yjc_prorate (p, d, a, a + 1);
            YJC_CHECK (t, sum == p);
            YJC_CHECK (t, yjc_prorate (p, d, 0, d) == p);
            YJC_CHECK (
                t, yjc_prorate (p, d, 0, 10) + yjc_prorate (p, d, 10, d) == p);
        }
    //  100 分 over 3 days' month-fragments: 33.33 -> 33, 66.67 -> 67
    YJC_CHECK (t, yjc_prorate (100, 3, 0, 1) == 33);
    YJC_CHECK (t, yjc_prorate (100, 3, 1, 2) == 34);
    YJC_CHECK (t, yjc_prorate (100, 3, 2, 3) == 33);
    //  half up: 30000 * 15 / 31 = 14516.13; 1 * 1 / 2 = 0.5 -> 1
    YJC_CHECK (t, yjc_prorate (30000, 31, 0, 15) == 14516);
    YJC_CHECK (t, yjc_prorate (1, 2, 0, 1) == 1);
    YJC_CHECK (t, yjc_prorate (1, 2, 1, 2) == 0);
    //  leap February: 29 days
    YJC_CHECK (t, yjc_prorate (2900, 29, 28, 29) == 100);

    //  quantities from a grant
    const char *json =
        "{\"network\":{\"access\":\"extranet_only\",\"dedicated_mbps\":10},"
        "\"hosts\":[{\"cpu_mem\":\"4c8g\",\"count\":2,\"data_disk_gb\":300},"
        "{\"cpu_mem\":\"2c4g\",\"count\":1},"
        "{\"cpu_mem\":\"4c8g\",\"count\":1,\"data_disk_gb\":200}],"
        "\"storage_tb\":3,"
        "\"databases\":[{\"engine\":\"mysql\",\"max_sessions\":150,"
        "\"count\":2}],"
        "\"app_services\":{\"backup\":{\"clients\":4,\"capacity_100gb\":5},"
        "\"load_balancers\":1},"
        "\"security\":{\"ddos\":true,\"vuln_scan\":false,\"waf_domains\":2}}";
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err[128];
    YJC_CHECK (
        t,
        yjc_json_to_msgpack (json, strlen (json), &buf, err, sizeof err) == 0);
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    msgpack_unpack_next (&u, buf.data, buf.size, NULL);
    const msgpack_object *r = &u.data;
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_HOST_4C8G) == 3);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_HOST_2C4G) == 1);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_HOST_8C16G) == 0);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_DATA_DISK_200GB) == 2 * 2 + 1);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_BANDWIDTH_MBPS) == 10);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_STORAGE_TB) == 3);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_DB_MYSQL) == 2);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_DB_SQLSERVER) == 0);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_BACKUP_CLIENT) == 4);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_BACKUP_100GB) == 5);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_LOAD_BALANCER) == 1);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_DDOS) == 1);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_VULN_SCAN) == 0);
    YJC_CHECK (t, yjc_price_qty (r, YJC_PRICE_WAF_DOMAIN) == 2);
    msgpack_unpacked_destroy (&u);
    msgpack_sbuffer_destroy (&buf);

    //  R17 the last interval of a day owns it: 2 hosts from day 0, 3 from
    //  a change on day 10 (overlapping day 10), terminated in day 20.
    yjc_rate_interval_t iv[2];
    memset (iv, 0, sizeof iv);
    iv[0] = (yjc_rate_interval_t){ .first = 0, .last = 10, .stage = 1 };
    iv[0].qty[YJC_PRICE_HOST_4C8G] = 2;
    iv[1] = (yjc_rate_interval_t){ .first = 10, .last = 20, .stage = 1 };
    iv[1].qty[YJC_PRICE_HOST_4C8G] = 3;
    yjc_rate_version_t ver[2];
    memset (ver, 0, sizeof ver);
    ver[0].first = -100;
    ver[0].price[YJC_PRICE_HOST_4C8G][1] = 30000;
    ver[1].first = 15; //  a new price from day 15
    ver[1].price[YJC_PRICE_HOST_4C8G][1] = 31000;
    yjc_rate_item_t *it = NULL;
    int n = yjc_rate_month (31, 31, iv, 2, ver, 2, 1, &it);
    YJC_CHECK (t, n == 3);
    if (n == 3) {
        YJC_CHECK (t, it[0].qty == 2 && it[0].from == 0 && it[0].to == 10);
        YJC_CHECK (t, it[1].qty == 3 && it[1].from == 10 && it[1].to == 15);
        YJC_CHECK (t, it[2].unit_price == 31000 && it[2].to == 21);
        YJC_CHECK (t, it[0].amount == yjc_prorate (60000, 31, 0, 10));
        YJC_CHECK (t, it[2].amount == yjc_prorate (93000, 31, 15, 21));
    }
    free (it);
    //  enforced: priced as test, or zero
    iv[1].stage = YJC_RATE_ENFORCED;
    ver[0].price[YJC_PRICE_HOST_4C8G][0] = 1000;
    n = yjc_rate_month (31, 31, iv, 2, ver, 1, -1, &it);
    YJC_CHECK (t, n == 1 && it[0].to == 10);
    free (it);
    n = yjc_rate_month (31, 31, iv, 2, ver, 1, 0, &it);
    YJC_CHECK (t, n == 2 && it[1].unit_price == 1000 && it[1].stage == 2);
    free (it);
    //  provisional: only the days up to today
    n = yjc_rate_month (31, 5, iv, 2, ver, 1, 1, &it);
    YJC_CHECK (t,
               n == 1 && it[0].to == 5 &&
                   it[0].amount == yjc_prorate (60000, 31, 0, 5));
    free (it);
}
