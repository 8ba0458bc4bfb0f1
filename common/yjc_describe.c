/*  yjc_describe.c - an event in a clerk's words: the templates of
    proto/yjc_describe.def rendered over an event's payload (issue 12).

    A template is literal text with {field[:conv]} and optional [parts];
    the syntax is documented in the .def.  Rendering never writes past
    `size` and never trusts the payload's shape: a field that is absent
    or of another type is simply empty.                                   */
#include "yjc_describe.h"
#include "yjc_json.h"
#include "yjc_lifecycle.h"
#include "yjc_msg.h"
#include "yjc_proto.h"
#include "yjc_time.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *s_templates[YJC_EV_COUNT] = {
#define DESCRIBE(ident, tmpl) [YJC_EV_##ident] = tmpl,
#include "../proto/yjc_describe.def"
#undef DESCRIBE
};

const char *
yjc_describe_template (int event_type)
{
    return event_type >= 0 && event_type < YJC_EV_COUNT
               ? s_templates[event_type]
               : NULL;
}

//  The conversions a field may name after ':'.
typedef enum {
    C_NONE,
    C_ORDER,
    C_REQUEST,
    C_INTERVAL,
    C_DEADLINE,
    C_PARTY,
    C_STATE,
    C_VALUE, //  value or value=KEY
    C_TIME,
    C_COUNT,
    C_FLAG,   //  flag=TEXT
    C_PERIOD, //  a usage map (ev_usage): its months, else its days
    C_BAD
} s_conv_t;

typedef struct {
    const char *name;
    s_conv_t conv;
    const char *(*zh) (const char *code); //  a lifecycle lookup, or NULL
} s_conv_def_t;

static const s_conv_def_t s_convs[] = {
    { "order", C_ORDER, yjc_order_zh },
    { "request", C_REQUEST, yjc_request_zh },
    { "interval", C_INTERVAL, yjc_interval_zh },
    { "deadline", C_DEADLINE, yjc_deadline_zh },
    { "party", C_PARTY, yjc_party_zh },
    { "state", C_STATE, yjc_state_zh },
    { "value", C_VALUE, NULL },
    { "time", C_TIME, NULL },
    { "count", C_COUNT, NULL },
    { "flag", C_FLAG, NULL },
    { "period", C_PERIOD, NULL },
};

//  One parsed {path:conv=arg}; pointers into the template.
typedef struct {
    const char *path;
    size_t path_len;
    const s_conv_def_t *conv; //  NULL: none
    bool bad;                 //  an unknown conversion
    const char *arg;          //  after '=', or NULL
    size_t arg_len;
} s_ref_t;

static void
s_ref_parse (const char *text, size_t len, s_ref_t *ref)
{
    memset (ref, 0, sizeof *ref);
    const char *colon = memchr (text, ':', len);
    ref->path = text;
    ref->path_len = colon ? (size_t)(colon - text) : len;
    if (!colon)
        return;
    const char *name = colon + 1;
    size_t name_len = len - ref->path_len - 1;
    const char *eq = memchr (name, '=', name_len);
    if (eq) {
        ref->arg = eq + 1;
        ref->arg_len = name_len - (size_t)(eq - name) - 1;
        name_len = (size_t)(eq - name);
    }
    for (size_t i = 0; i < sizeof s_convs / sizeof *s_convs; i++)
        if (strlen (s_convs[i].name) == name_len &&
            memcmp (s_convs[i].name, name, name_len) == 0)
            ref->conv = &s_convs[i];
    ref->bad = !ref->conv;
}

//  The output: bytes kept so far; `full` once a byte did not fit.
typedef struct {
    char *buf;
    size_t size;
    size_t len;
    bool full;
} s_out_t;

//  Appends n bytes; a control character (a line break in an opinion)
//  becomes a space so that a row stays one line.
static void
s_put (s_out_t *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (o->full || o->len + 1 >= o->size) {
            o->full = true;
            return;
        }
        unsigned char c = (unsigned char)s[i];
        o->buf[o->len++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
}

static void
s_puts (s_out_t *o, const char *s)
{
    s_put (o, s, strlen (s));
}

//  The value at a dotted path of the payload, or NULL.
static const msgpack_object *
s_lookup (const msgpack_object *obj, const char *path, size_t len)
{
    while (obj && len > 0) {
        const char *dot = memchr (path, '.', len);
        size_t n = dot ? (size_t)(dot - path) : len;
        char key[64];
        if (n >= sizeof key)
            return NULL;
        memcpy (key, path, n);
        key[n] = 0;
        obj = yjc_obj_get (obj, key);
        if (!dot)
            return obj;
        path += n + 1;
        len -= n + 1;
    }
    return NULL;
}

//  A str value in words by its conversion.
static void
s_put_str (s_out_t *o, const s_ref_t *ref, const char *p, size_t n)
{
    char code[64];
    bool fits = n < sizeof code;
    if (fits) {
        memcpy (code, p, n);
        code[n] = 0;
    }
    s_conv_t conv = ref->conv ? ref->conv->conv : C_NONE;
    if (fits && ref->conv && ref->conv->zh) {
        s_puts (o, ref->conv->zh (code));
        return;
    }
    if (conv == C_VALUE) {
        //  the field's own key: the path's last component
        char key[64];
        const char *k = ref->arg;
        size_t klen = ref->arg_len;
        if (!k) {
            const char *dot = memrchr (ref->path, '.', ref->path_len);
            k = dot ? dot + 1 : ref->path;
            klen = ref->path_len - (size_t)(k - ref->path);
        }
        const char *zh = NULL;
        if (klen < sizeof key) {
            memcpy (key, k, klen);
            key[klen] = 0;
            zh = yjc_value_zh (key, p, n);
        }
        if (zh)
            s_puts (o, zh);
        else
            s_put (o, p, n);
        return;
    }
    int64_t us;
    if (conv == C_TIME && fits && n > 10 &&
        yjc_time_parse_iso (code, &us) == 0) {
        char local[32];
        yjc_time_format_local (us, local);
        s_put (o, local, 16); //  "YYYY-MM-DD HH:MM"
        return;
    }
    s_put (o, p, n);
}

//  R14.1: a usage period asked in whole months, else in days.
static bool
s_put_period (s_out_t *o, const msgpack_object *usage)
{
    int64_t months = 0, days = 0;
    char text[48];
    if (yjc_obj_int (usage, "months", &months) && months > 0)
        snprintf (text, sizeof text, "%lld 个月", (long long)months);
    else if (yjc_obj_int (usage, "days", &days) && days > 0)
        snprintf (text, sizeof text, "%lld 天", (long long)days);
    else
        return false;
    s_puts (o, text);
    return true;
}

//  Writes one {field}; false when it is empty (absent, nil, "", 0,
//  false, an empty array, or another type than the template expects).
static bool
s_put_ref (s_out_t *o, const msgpack_object *payload, const char *t, size_t n)
{
    s_ref_t ref;
    s_ref_parse (t, n, &ref);
    const msgpack_object *v = s_lookup (payload, ref.path, ref.path_len);
    if (!v)
        return false;
    s_conv_t conv = ref.conv ? ref.conv->conv : C_NONE;
    char num[24];
    switch (v->type) {
        case MSGPACK_OBJECT_STR:
            if (conv == C_COUNT || conv == C_FLAG || conv == C_PERIOD ||
                v->via.str.size == 0)
                return false;
            s_put_str (o, &ref, v->via.str.ptr, v->via.str.size);
            return true;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (conv == C_COUNT || conv == C_FLAG)
                return false;
            snprintf (num, sizeof num, "%llu", (unsigned long long)v->via.u64);
            s_puts (o, num);
            return v->via.u64 != 0;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            if (conv == C_COUNT || conv == C_FLAG)
                return false;
            snprintf (num, sizeof num, "%lld", (long long)v->via.i64);
            s_puts (o, num);
            return true;
        case MSGPACK_OBJECT_BOOLEAN:
            //  only a flag says a boolean; elsewhere it is a mistyped field
            if (conv != C_FLAG || !v->via.boolean)
                return false;
            s_put (o, ref.arg, ref.arg_len);
            return true;
        case MSGPACK_OBJECT_MAP: return conv == C_PERIOD && s_put_period (o, v);
        case MSGPACK_OBJECT_ARRAY:
            if (conv != C_COUNT || v->via.array.size == 0)
                return false;
            snprintf (num, sizeof num, "%u", (unsigned)v->via.array.size);
            s_puts (o, num);
            return true;
        default: return false;
    }
}

//  Renders from `t` to the end (depth 0) or to the ']' closing an
//  optional part; sets *missing when a field was empty.  Returns where
//  it stopped.  An optional part that had an empty field is taken back.
static const char *
s_render (const char *t,
          const msgpack_object *payload,
          s_out_t *o,
          bool *missing,
          int depth)
{
    while (*t) {
        if (*t == ']' && depth > 0)
            return t + 1;
        if (*t == '[') {
            size_t len = o->len;
            bool full = o->full, inner = false;
            t = s_render (t + 1, payload, o, &inner, depth + 1);
            if (inner) {
                o->len = len;
                o->full = full;
            }
            continue;
        }
        if (*t == '{') {
            const char *end = strchr (t, '}');
            if (!end)
                break;
            if (!s_put_ref (o, payload, t + 1, (size_t)(end - t - 1)))
                *missing = true;
            t = end + 1;
            continue;
        }
        s_put (o, t++, 1);
    }
    return t;
}

size_t
yjc_describe (int event_type,
              const msgpack_object *payload,
              char *out,
              size_t size)
{
    if (!out || size == 0)
        return 0;
    s_out_t o = { out, size, 0, false };
    const char *tmpl = yjc_describe_template (event_type);
    bool missing = false;
    if (tmpl)
        s_render (tmpl, payload, &o, &missing, 0);
    if (o.full) {
        //  cut on a character boundary, leaving room for "…" (3 bytes)
        static const char ellipsis[] = "…";
        size_t room = sizeof ellipsis - 1;
        size_t keep = size > room + 1 ? size - room - 1 : 0;
        while (keep > 0 && ((unsigned char)out[keep] & 0xc0) == 0x80)
            keep--;
        if (keep + room < size) {
            memcpy (out + keep, ellipsis, room);
            keep += room;
        }
        o.len = keep;
    }
    out[o.len] = 0;
    return o.len;
}

//  --------------------------------------------------------------------
//  Selftest

//  Does `path` name a field of `schema` (through MAP fields)?  *kind
//  gets the field's kind.
static bool
s_schema_has (const yjc_schema_t *schema,
              const char *path,
              size_t len,
              yjc_kind_t *kind)
{
    while (schema) {
        const char *dot = memchr (path, '.', len);
        size_t n = dot ? (size_t)(dot - path) : len;
        const yjc_field_t *f = schema->fields;
        while (f->key && !(strlen (f->key) == n && !memcmp (f->key, path, n)))
            f++;
        if (!f->key)
            return false;
        if (!dot) {
            *kind = f->kind;
            return true;
        }
        if (f->kind != YJC_K_MAP)
            return false;
        schema = f->sub;
        path += n + 1;
        len -= n + 1;
    }
    return false;
}

//  Every template: brackets balanced, every field in the event's payload
//  schema, every conversion known and fitting the field's kind.
static void
s_templates_test (yjc_test_t *t)
{
    for (int e = 0; e < YJC_EV_COUNT; e++) {
        const char *tmpl = s_templates[e];
        if (!tmpl) {
            fprintf (
                stderr, "no DESCRIBE row for %s\n", yjc_event_defs[e].wire);
            YJC_CHECK (t, tmpl != NULL);
            continue;
        }
        int depth = 0, fields = 0;
        bool ok = true;
        for (const char *p = tmpl; *p && ok; p++) {
            if (*p == '[')
                depth++;
            else if (*p == ']')
                ok = --depth >= 0;
            else if (*p == '{') {
                const char *end = strchr (p, '}');
                ok = end != NULL;
                if (!ok)
                    break;
                s_ref_t ref;
                s_ref_parse (p + 1, (size_t)(end - p - 1), &ref);
                yjc_kind_t kind = YJC_K_STR;
                ok = !ref.bad && s_schema_has (yjc_event_defs[e].schema,
                                               ref.path,
                                               ref.path_len,
                                               &kind);
                s_conv_t conv = ref.conv ? ref.conv->conv : C_NONE;
                if (conv == C_COUNT)
                    ok =
                        ok && (kind == YJC_K_ARR_MAP || kind == YJC_K_ARR_STR ||
                               kind == YJC_K_ARR_ENUM);
                if (conv == C_PERIOD)
                    ok = ok && kind == YJC_K_MAP;
                if (conv == C_FLAG)
                    ok = ok && kind == YJC_K_BOOL && ref.arg_len > 0;
                if (!ok)
                    fprintf (stderr,
                             "%s: bad field {%.*s}\n",
                             yjc_event_defs[e].wire,
                             (int)(end - p - 1),
                             p + 1);
                fields++;
                p = end;
            }
        }
        YJC_CHECK (t, ok && depth == 0 && fields > 0);
    }
}

//  Renders `json` as event `e`'s payload into a buffer of `size`.
static size_t
s_render_json (int e, const char *json, char *out, size_t size)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    size_t n = 0;
    if (yjc_json_to_msgpack (json, strlen (json), &sb, NULL, 0) == 0) {
        msgpack_unpacked u;
        msgpack_unpacked_init (&u);
        if (msgpack_unpack_next (&u, sb.data, sb.size, NULL) ==
            MSGPACK_UNPACK_SUCCESS)
            n = yjc_describe (e, &u.data, out, size);
        msgpack_unpacked_destroy (&u);
    }
    else
        snprintf (out, size, "(bad test json)");
    msgpack_sbuffer_destroy (&sb);
    return n;
}

static bool
streq (const char *a, const char *b)
{
    return strcmp (a, b) == 0;
}

static bool
s_valid_utf8 (const char *s)
{
    char copy[1024];
    snprintf (copy, sizeof copy, "%s", s);
    return yjc_utf8_scrub (copy) == strlen (s);
}

void
yjc_describe_test (yjc_test_t *t)
{
    s_templates_test (t);
    char out[512];
    //  the order's kind, its deadline; the optional parts vanish
    s_render_json (YJC_EV_ORDER_CREATED,
                   "{\"order_id\":\"O000001\",\"kind\":\"test_env\","
                   "\"deadline\":\"2026-05-08\",\"request_id\":\"\"}",
                   out,
                   sizeof out);
    YJC_CHECK (t, streq (out, "下达开通测试环境订单 O000001，期限 2026-05-08"));
    //  the request's kind; a major change says so
    s_render_json (YJC_EV_REQUEST_SUBMITTED,
                   "{\"request_id\":\"Q000002\",\"kind\":\"change\","
                   "\"major\":true,\"reason\":\"扩容\"}",
                   out,
                   sizeof out);
    YJC_CHECK (t, streq (out, "提交变更申请 Q000002（重大变更）；理由：扩容"));
    //  the decision and its opinion, with and without
    int ev = YJC_EV_APPLICATION_APPROVED;
    s_render_json (ev, "{\"opinion\":\"同意\\n上线\"}", out, sizeof out);
    YJC_CHECK (t, streq (out, "审核通过；意见：同意 上线"));
    s_render_json (ev, "{\"opinion\":\"\"}", out, sizeof out);
    YJC_CHECK (t, streq (out, "审核通过"));
    s_render_json (ev,
                   "{\"usage\":{\"months\":12,\"days\":365,"
                   "\"on_expiry\":\"stop\"}}",
                   out,
                   sizeof out);
    YJC_CHECK (t, streq (out, "审核通过，使用期限 12 个月，期满过期停止服务"));
    s_render_json (
        ev, "{\"usage\":{\"months\":0,\"days\":45}}", out, sizeof out);
    YJC_CHECK (t, streq (out, "审核通过，使用期限 45 天"));
    //  a finding's severity through the VALUE table; a time in Shanghai
    s_render_json (YJC_EV_FINDING_ISSUED,
                   "{\"inspection_id\":\"I1\",\"finding_id\":\"G1\","
                   "\"severity\":\"major\",\"due\":\"2026-05-01T01:30:00Z\"}",
                   out,
                   sizeof out);
    YJC_CHECK (
        t,
        streq (out, "检查 I1 发现重大风险问题 G1，限 2026-05-01 09:30 前整改"));
    //  an unknown code is shown as it is
    s_render_json (YJC_EV_ORDER_ACKNOWLEDGED,
                   "{\"order_id\":\"O9\",\"kind\":\"warp\"}",
                   out,
                   sizeof out);
    YJC_CHECK (t, streq (out, "供应商确认warp订单 O9"));
    //  mistyped, missing, not a map, NULL: what it can, never a crash
    s_render_json (YJC_EV_ORDER_CREATED,
                   "{\"order_id\":7,\"kind\":[1],\"deadline\":{\"a\":1},"
                   "\"opinion\":null,\"replaces\":true}",
                   out,
                   sizeof out);
    YJC_CHECK (t, streq (out, "下达订单 7"));
    s_render_json (
        YJC_EV_APPLICATION_APPROVED, "{\"usage\":\"x\"}", out, sizeof out);
    YJC_CHECK (t, streq (out, "审核通过"));
    s_render_json (YJC_EV_REQUEST_SUBMITTED, "[1,2]", out, sizeof out);
    YJC_CHECK (t, streq (out, "提交申请 "));
    YJC_CHECK (t,
               yjc_describe (YJC_EV_ORDER_FAILED, NULL, out, sizeof out) > 0);
    YJC_CHECK (t, yjc_describe (-1, NULL, out, sizeof out) == 0 && !*out);
    YJC_CHECK (t, yjc_describe (YJC_EV_COUNT, NULL, out, sizeof out) == 0);
    YJC_CHECK (t, yjc_describe (0, NULL, NULL, 0) == 0);
    //  every event renders from an empty payload
    for (int e = 0; e < YJC_EV_COUNT; e++)
        YJC_CHECK (t, s_render_json (e, "{}", out, sizeof out) < sizeof out);
    //  bounded: every size, the result NUL-terminated whole characters,
    //  a cut one ending in "…"
    const char *long_opinion = "{\"opinion\":\"同意同意同意同意同意同意同意\"}";
    char full[512];
    size_t whole = s_render_json (
        YJC_EV_APPLICATION_REJECTED, long_opinion, full, sizeof full);
    bool bounded = true;
    for (size_t size = 1; size <= whole + 2; size++) {
        char small[512];
        memset (small, 'Z', sizeof small);
        size_t n = s_render_json (
            YJC_EV_APPLICATION_REJECTED, long_opinion, small, size);
        bool cut = size <= whole;
        bounded = bounded && n < size && small[n] == 0 && small[size] == 'Z' &&
                  strlen (small) == n && s_valid_utf8 (small) &&
                  (!cut || n == 0 || (n >= 3 && streq (small + n - 3, "…"))) &&
                  (cut || streq (small, full));
    }
    YJC_CHECK (t, bounded);
}
