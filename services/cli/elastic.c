/*  elastic.c - R11.2: the bureau approves, for a system with large load
    swings, a range per resource line the vendor may scale in without a
    change request: `yjcloud elastic APP --hosts 4c/8G:2-6 --bandwidth
    10-50 --storage 1-8 --opinion …` (review.elastic; the ranges given
    replace those in force).  A host range names a configuration as the
    form does (4c/8G or 4c8g), and `@N` its line (配置N) when the grant
    has several of that configuration: 8c/16G@2:1-3.                     */
#include "elastic.h"
#include <ctype.h>

//  "LOW-HIGH" as a range map; false after saying why not.
static bool
s_pack_range (msgpack_packer *pk, const char *text, const char *option)
{
    long long low, high;
    int used = 0;
    if (sscanf (text, "%lld-%lld%n", &low, &high, &used) != 2 ||
        text[used] != '\0' || low < 0 || high < 0) {
        fprintf (stderr, "%s 应为“下限-上限”，例如 10-50：%s\n", option, text);
        return false;
    }
    msgpack_pack_map (pk, 2);
    yjc_pk_kv_int (pk, "min", low);
    yjc_pk_kv_int (pk, "max", high);
    return true;
}

//  "4c/8G[@N]:LOW-HIGH" as a host range; false after saying why not.
static bool
s_pack_hosts (msgpack_packer *pk, const char *spec)
{
    char cpu[16] = "";
    size_t n = 0;
    const char *p = spec;
    for (; *p && *p != ':' && *p != '@'; p++)
        if (*p != '/' && n + 1 < sizeof cpu)
            cpu[n++] = (char)tolower ((unsigned char)*p);
    cpu[n] = '\0';
    long long line = 0;
    if (*p == '@') {
        char *end;
        line = strtoll (p + 1, &end, 10);
        p = end;
    }
    long long low, high;
    int used = 0;
    if (!*cpu || *p != ':' ||
        sscanf (p + 1, "%lld-%lld%n", &low, &high, &used) != 2 ||
        p[1 + used] != '\0') {
        fprintf (stderr,
                 "--hosts 应为“规格[@配置序号]:下限-上限”，例如 "
                 "4c/8G:2-6：%s\n",
                 spec);
        return false;
    }
    msgpack_pack_map (pk, line > 0 ? 4 : 3);
    yjc_pk_kv_str (pk, "cpu_mem", cpu);
    if (line > 0)
        yjc_pk_kv_int (pk, "line", line);
    yjc_pk_kv_int (pk, "min", low);
    yjc_pk_kv_int (pk, "max", high);
    return true;
}

//  The "elastic" map of the options given.
static bool
s_pack_elastic (cli_opts_t *opts, msgpack_packer *pk)
{
    msgpack_pack_map (pk,
                      (opts->nhosts > 0) + (opts->bandwidth != NULL) +
                          (opts->storage != NULL));
    if (opts->nhosts > 0) {
        yjc_pk_str (pk, "hosts");
        msgpack_pack_array (pk, (uint32_t)opts->nhosts);
        for (int i = 0; i < opts->nhosts; i++)
            if (!s_pack_hosts (pk, opts->hosts[i]))
                return false;
    }
    if (opts->bandwidth) {
        yjc_pk_str (pk, "bandwidth_mbps");
        if (!s_pack_range (pk, opts->bandwidth, "--bandwidth"))
            return false;
    }
    if (opts->storage) {
        yjc_pk_str (pk, "storage_tb");
        if (!s_pack_range (pk, opts->storage, "--storage"))
            return false;
    }
    return true;
}

static void
s_print_range (const char *what, const msgpack_object *range, const char *unit)
{
    int64_t min = 0, max = 0;
    yjc_obj_int (range, "min", &min);
    yjc_obj_int (range, "max", &max);
    printf ("  %s %lld–%lld %s\n", what, (long long)min, (long long)max, unit);
}

//  Each range, one line each; `by` and `at` say who approved them when.
static void
s_print_ranges (const msgpack_object *ranges, const char *by, const char *at)
{
    if (!ranges || ranges->type != MSGPACK_OBJECT_MAP)
        return;
    printf ("弹性范围（R11.2）%s%s%s%s\n",
            *by ? "：" : "",
            by,
            *at ? " 核定于 " : "",
            at);
    const msgpack_object *hosts = yjc_obj_get (ranges, "hosts");
    for (uint32_t i = 0; hosts && hosts->type == MSGPACK_OBJECT_ARRAY &&
                         i < hosts->via.array.size;
         i++) {
        const msgpack_object *h = &hosts->via.array.ptr[i];
        const char *cpu;
        size_t len;
        char what[96];
        int64_t line = 0;
        yjc_obj_int (h, "line", &line);
        if (!yjc_obj_str (h, "cpu_mem", &cpu, &len))
            continue;
        const char *zh = yjc_value_zh ("cpu_mem", cpu, len);
        if (zh)
            snprintf (what, sizeof what, "云主机 %s", zh);
        else
            snprintf (what, sizeof what, "云主机 %.*s", (int)len, cpu);
        if (line > 0)
            snprintf (what + strlen (what),
                      sizeof what - strlen (what),
                      "（配置%lld）",
                      (long long)line);
        s_print_range (what, h, "台");
    }
    const msgpack_object *r = yjc_obj_get (ranges, "bandwidth_mbps");
    if (r)
        s_print_range ("独享带宽", r, "Mbps");
    if ((r = yjc_obj_get (ranges, "storage_tb")))
        s_print_range ("云存储", r, "TB");
    if (!yjc_obj_get (ranges, "hosts") &&
        !yjc_obj_get (ranges, "bandwidth_mbps") && !r)
        printf ("  （无）\n");
}

void
elastic_print (const msgpack_object *review)
{
    const msgpack_object *e = yjc_obj_get (review, "elastic");
    char by[65], at[32];
    yjc_obj_strcpy (e, "approved_by", by, sizeof by);
    yjc_obj_strcpy (e, "approved_at", at, sizeof at);
    s_print_ranges (yjc_obj_get (e, "ranges"), by, at);
}

int
elastic_cmd_set (cli_opts_t *opts)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", opts->args[0]);
    if (opts->opinion)
        yjc_map_str (&map, "opinion", opts->opinion);
    if (!s_pack_elastic (opts, yjc_map_key (&map, "elastic"))) {
        yjc_map_release (&map);
        return 2;
    }
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "review.elastic", &body, &done);
    if (!done) {
        printf ("%s：已核定弹性范围\n", opts->args[0]);
        s_print_ranges (yjc_obj_get (b, "elastic"), "", "");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
