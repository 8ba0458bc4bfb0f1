/*  yjc-selftest - runs every class selftest, or one with --test NAME, and
    prints "N passed, N failed".  The proto selftest below derives its
    cases from proto/ itself: for every message it builds a valid body
    from the schema and round-trips it through the real codec, then breaks
    every field in every way the schema forbids and expects the exact
    error code and field path.                                            */
#include "yjc_advice.h"
#include "yjc_calendar.h"
#include "yjc_chain.h"
#include "yjc_client.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_describe.h"
#include "yjc_elastic.h"
#include "yjc_form.h"
#include "yjc_grant.h"
#include "yjc_json.h"
#include "yjc_keys.h"
#include "yjc_lifecycle.h"
#include "yjc_log.h"
#include "yjc_map.h"
#include "yjc_money.h"
#include "yjc_mpcheck.h"
#include "yjc_msg.h"
#include "yjc_outbox.h"
#include "yjc_prices.h"
#include "yjc_reclaim.h"
#include "yjc_test.h"
#include "yjc_time.h"
#include "yjc_webacct.h"
#include <czmq.h>
#include <stdarg.h>

typedef enum {
    M_NONE,
    M_OMIT,
    M_WRONG_TYPE,
    M_TOO_LONG,
    M_OUT_OF_RANGE,
    M_BAD_ENUM,
    M_UNKNOWN_KEY
} s_mutation_t;

typedef struct {
    char path[160]; //  field to break ("body.form.unit.name")
    s_mutation_t op;
} s_target_t;

//  Field paths are bounded by the schemas' depth; truncation is harmless.
static void
s_path (char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (buf, size, fmt, args);
    va_end (args);
}

static void s_pack_map (msgpack_packer *pk,
                        const yjc_schema_t *schema,
                        const char *path,
                        const s_target_t *t);

static void
s_first_enum (const char *enumv, char *buf, size_t size)
{
    const char *bar = strchr (enumv, '|');
    size_t n = bar ? (size_t)(bar - enumv) : strlen (enumv);
    snprintf (buf, size, "%.*s", (int)n, enumv);
}

static void
s_pack_wrong (msgpack_packer *pk, yjc_kind_t kind)
{
    if (kind == YJC_K_INT)
        yjc_pk_str (pk, "7");
    else if (kind == YJC_K_STR || kind == YJC_K_DATE || kind == YJC_K_PHONE ||
             kind == YJC_K_ENUM || kind == YJC_K_BOOL || kind == YJC_K_HEX)
        msgpack_pack_array (pk, 0);
    else
        msgpack_pack_int (pk, 7);
}

static void
s_pack_value (msgpack_packer *pk,
              const yjc_field_t *f,
              const char *path,
              const s_target_t *t)
{
    bool hit = streq (path, t->path);
    char value[64];
    if (hit && t->op == M_WRONG_TYPE) {
        s_pack_wrong (pk, f->kind);
        return;
    }
    switch (f->kind) {
        case YJC_K_STR: {
            int64_t len = hit && t->op == M_TOO_LONG
                              ? f->max + 1
                              : (f->min > 0 ? f->min : 1);
            char *s = (char *)malloc ((size_t)len);
            memset (s, 'x', (size_t)len);
            yjc_pk_strn (pk, s, (size_t)len);
            free (s);
            break;
        }
        case YJC_K_HEX:
        case YJC_K_BIN: {
            int64_t len = hit && t->op == M_TOO_LONG
                              ? f->max + 1
                              : (f->min > 0 ? f->min : 1);
            char *s = (char *)malloc ((size_t)len);
            //  a non-hex digit where the test breaks the value
            memset (s, hit && t->op == M_BAD_ENUM ? 'G' : 'a', (size_t)len);
            if (f->kind == YJC_K_BIN) {
                msgpack_pack_bin (pk, (size_t)len);
                msgpack_pack_bin_body (pk, s, (size_t)len);
            }
            else
                yjc_pk_strn (pk, s, (size_t)len);
            free (s);
            break;
        }
        case YJC_K_INT:
            msgpack_pack_int64 (
                pk, hit && t->op == M_OUT_OF_RANGE ? f->max + 1 : f->min);
            break;
        case YJC_K_BOOL: msgpack_pack_true (pk); break;
        case YJC_K_DATE: yjc_pk_str (pk, "2026-01-05"); break;
        case YJC_K_PHONE: yjc_pk_str (pk, "0577-67221234"); break;
        case YJC_K_ENUM:
            s_first_enum (f->enumv, value, sizeof value);
            yjc_pk_str (pk, hit && t->op == M_BAD_ENUM ? "bogus" : value);
            break;
        case YJC_K_MAP: s_pack_map (pk, f->sub, path, t); break;
        case YJC_K_ANYMAP: msgpack_pack_map (pk, 0); break;
        case YJC_K_ARR_STR:
        case YJC_K_ARR_ENUM:
        case YJC_K_ARR_MAP: {
            int64_t n = f->min > 0 ? f->min : (f->max > 0 ? 1 : 0);
            if (hit && t->op == M_OUT_OF_RANGE)
                n = f->max + 1; //  too many items
            msgpack_pack_array (pk, (uint32_t)n);
            for (int64_t i = 0; i < n; i++) {
                char ipath[180];
                s_path (ipath, sizeof ipath, "%s[%lld]", path, (long long)i);
                if (f->kind == YJC_K_ARR_MAP)
                    s_pack_map (pk, f->sub, ipath, t);
                else if (f->kind == YJC_K_ARR_ENUM) {
                    s_first_enum (f->enumv, value, sizeof value);
                    yjc_pk_str (pk, value);
                }
                else
                    yjc_pk_str (pk, "a");
            }
            break;
        }
    }
}

static void
s_pack_map (msgpack_packer *pk,
            const yjc_schema_t *schema,
            const char *path,
            const s_target_t *t)
{
    int n = 0;
    char fpath[180];
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        s_path (fpath, sizeof fpath, "%s.%s", path, f->key);
        n += !(t->op == M_OMIT && streq (fpath, t->path));
    }
    bool extra = t->op == M_UNKNOWN_KEY && streq (path, t->path);
    msgpack_pack_map (pk, n + extra);
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        s_path (fpath, sizeof fpath, "%s.%s", path, f->key);
        if (t->op == M_OMIT && streq (fpath, t->path))
            continue;
        yjc_pk_str (pk, f->key);
        s_pack_value (pk, f, fpath, t);
    }
    if (extra)
        yjc_pk_kv_int (pk, "no_such_field", 1);
}

//  Encodes a request of `msg` with target's mutation, decodes it with the
//  real codec; returns the decode result and the problems.
static int
s_roundtrip (int msg, const s_target_t *t, yjc_problems_t *problems)
{
    yjc_pack_t body, frame;
    yjc_pack_init (&body);
    yjc_pack_init (&frame);
    s_pack_map (&body.pk, yjc_msg_defs[msg].schema, "body", t);
    yjc_request_encode (
        &frame, "req-1", yjc_msg_defs[msg].wire, body.buf.data, body.buf.size);
    yjc_request_t req;
    yjc_request_init (&req);
    memset (problems, 0, sizeof *problems);
    int rc =
        yjc_request_decode (&req, frame.buf.data, frame.buf.size, problems);
    //  the body's shape, checked after the role in the server
    if (rc == 0 &&
        yjc_validate (yjc_msg_defs[msg].schema, req.body, "body", problems) > 0)
        rc = -1;
    if (rc == 0 && req.type != msg)
        rc = -2;
    yjc_request_release (&req);
    yjc_pack_release (&body);
    yjc_pack_release (&frame);
    return rc;
}

//  A clerk reads the problem of a field of a labelled body (the form, the
//  requests): its label first, then Chinese; never the path or its keys.
static bool
s_readable (const yjc_problem_t *p)
{
    const char *key = strrchr (p->field, '.');
    if (key && streq (key + 1, "no_such_field")) //  named as the unit wrote it
        return strstr (p->text, "no_such_field：") != NULL;
    if (!p->label[0] || strncmp (p->text, p->label, strlen (p->label)) != 0 ||
        strstr (p->text, "body") || strchr (p->text, '_'))
        return false;
    return !key || strlen (key + 1) < 3 || !strstr (p->text, key + 1);
}

static bool
s_has_problem (const yjc_problems_t *p, yjc_err_t code, const char *field)
{
    for (int i = 0; i < p->count; i++)
        if (p->items[i].code == code && streq (p->items[i].field, field)) {
            //  every field of what a unit, the bureau or the vendor sends
            //  has a label: events between services need none
            if (!strncmp (field, "body.events", 11) ||
                s_readable (&p->items[i]))
                return true;
            fprintf (stderr, "  not for a clerk: %s\n", p->items[i].text);
            return false;
        }
    return false;
}

static int s_cases;

//  Breaks each field of `schema` (under `path`) every way it can be broken.
static void
s_break_fields (yjc_test_t *t,
                int msg,
                const yjc_schema_t *schema,
                const char *path)
{
    yjc_problems_t p;
    s_target_t target = { "", M_UNKNOWN_KEY };
    s_path (target.path, sizeof target.path, "%s", path);
    char unknown[200];
    s_path (unknown, sizeof unknown, "%s.no_such_field", path);
    YJC_CHECK (t,
               s_roundtrip (msg, &target, &p) == -1 &&
                   s_has_problem (&p, YJC_E_UNKNOWN_FIELD, unknown));
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        s_path (target.path, sizeof target.path, "%s.%s", path, f->key);
        s_cases++;
        if (f->required) {
            target.op = M_OMIT;
            YJC_CHECK (
                t,
                s_roundtrip (msg, &target, &p) == -1 &&
                    s_has_problem (&p, YJC_E_MISSING_FIELD, target.path));
        }
        target.op = M_WRONG_TYPE;
        YJC_CHECK (t,
                   s_roundtrip (msg, &target, &p) == -1 &&
                       s_has_problem (&p, YJC_E_WRONG_TYPE, target.path));
        if ((f->kind == YJC_K_STR || f->kind == YJC_K_HEX ||
             f->kind == YJC_K_BIN) &&
            f->max < YJC_MAX_STR) {
            target.op = M_TOO_LONG;
            YJC_CHECK (t,
                       s_roundtrip (msg, &target, &p) == -1 &&
                           s_has_problem (&p, YJC_E_TOO_LONG, target.path));
        }
        if (f->kind == YJC_K_INT && f->max < INT64_MAX) {
            target.op = M_OUT_OF_RANGE;
            YJC_CHECK (t,
                       s_roundtrip (msg, &target, &p) == -1 &&
                           s_has_problem (&p, YJC_E_OUT_OF_RANGE, target.path));
        }
        if ((f->kind == YJC_K_ARR_MAP || f->kind == YJC_K_ARR_STR ||
             f->kind == YJC_K_ARR_ENUM) &&
            f->max < YJC_MAX_ITEMS) {
            target.op = M_OUT_OF_RANGE;
            YJC_CHECK (
                t,
                s_roundtrip (msg, &target, &p) == -1 &&
                    s_has_problem (&p, YJC_E_TOO_MANY_ITEMS, target.path));
        }
        if (f->kind == YJC_K_ENUM || f->kind == YJC_K_HEX) {
            target.op = M_BAD_ENUM;
            YJC_CHECK (
                t,
                s_roundtrip (msg, &target, &p) == -1 &&
                    s_has_problem (&p, YJC_E_INVALID_VALUE, target.path));
        }
        if (f->kind == YJC_K_MAP)
            s_break_fields (t, msg, f->sub, target.path);
        if (f->kind == YJC_K_ARR_MAP && f->max > 0) {
            char item[200];
            s_path (item, sizeof item, "%s[0]", target.path);
            s_break_fields (t, msg, f->sub, item);
        }
    }
}

static void
yjc_proto_test (yjc_test_t *t)
{
    yjc_problems_t p;
    s_target_t none = { "", M_NONE };
    for (int msg = 0; msg < YJC_MSG_COUNT; msg++) {
        //  A body built from the definition passes, as its own type.
        int rc = s_roundtrip (msg, &none, &p);
        YJC_CHECK (t, rc == 0);
        if (rc != 0)
            fprintf (stderr,
                     "  %s: %s\n",
                     yjc_msg_defs[msg].wire,
                     p.count ? p.items[0].message : "type mismatch");
        s_break_fields (t, msg, yjc_msg_defs[msg].schema, "body");
    }
    //  Every event's payload schema accepts its own sample.
    for (int ev = 0; ev < YJC_EV_COUNT; ev++) {
        yjc_pack_t payload;
        yjc_pack_init (&payload);
        s_pack_map (&payload.pk, yjc_event_defs[ev].schema, "payload", &none);
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, payload.buf.data, payload.buf.size, NULL);
        memset (&p, 0, sizeof p);
        YJC_CHECK (
            t,
            yjc_validate (yjc_event_defs[ev].schema, &un.data, "payload", &p) ==
                0);
        YJC_CHECK (t, yjc_event_defs[ev].receivers & S_AUDIT);
        msgpack_unpacked_destroy (&un);
        yjc_pack_release (&payload);
    }
    //  Lookups are exact: no prefix or case games.
    YJC_CHECK (t,
               yjc_msg_by_wire ("application.submit", 18) ==
                   YJC_MSG_APPLICATION_SUBMIT);
    YJC_CHECK (t, yjc_msg_by_wire ("application.sub", 15) == -1);
    YJC_CHECK (t, yjc_msg_by_wire ("Application.submit", 18) == -1);
    YJC_CHECK (t, yjc_err_by_code ("invalid_state") == YJC_E_INVALID_STATE);
    YJC_CHECK (t, streq (yjc_err_code (YJC_E_FORBIDDEN), "forbidden"));
    printf ("  proto: %d fields broken every way\n", s_cases);
    YJC_CHECK (t, s_cases >= 90); //  nested forms were walked
}

//  The envelope: every way a frame can be wrong gets its own code.
static void
s_expect_envelope (yjc_test_t *t,
                   const char *data,
                   size_t len,
                   yjc_err_t code,
                   const char *id)
{
    yjc_request_t req;
    yjc_request_init (&req);
    yjc_problems_t p = { 0 };
    int rc = yjc_request_decode (&req, data, len, &p);
    YJC_CHECK (t, rc == -1 && p.count >= 1 && p.items[0].code == code);
    if (!(rc == -1 && p.count >= 1 && p.items[0].code == code))
        fprintf (stderr,
                 "  expected %s, got %s\n",
                 yjc_err_code (code),
                 p.count ? yjc_err_code (p.items[0].code) : "success");
    YJC_CHECK (t, streq (req.id, id));
    yjc_request_release (&req);
}

//  Every string of an error reply is cut on character boundaries: the
//  encoded reply passes the strict UTF-8 check whatever was cut (keys of
//  100 bytes of Chinese at the 64-byte limit, paths over 160, details
//  over 200, texts over 400, a NULL empty key).
static bool
s_reply_valid_utf8 (const yjc_problems_t *p)
{
    yjc_pack_t out;
    yjc_pack_init (&out);
    yjc_reply_encode_error (&out, "u1", p);
    bool ok = yjc_mp_check (out.buf.data, out.buf.size, NULL) == YJC_MP_OK;
    yjc_pack_release (&out);
    return ok;
}

static void
s_utf8_test (yjc_test_t *t)
{
    const char *zh = "中文字"; //  3 bytes each
    YJC_CHECK (t, yjc_utf8_cut (zh, 9, 9) == 9);
    YJC_CHECK (t, yjc_utf8_cut (zh, 9, 8) == 6);
    YJC_CHECK (t, yjc_utf8_cut (zh, 9, 4) == 3);
    YJC_CHECK (t, yjc_utf8_cut (zh, 9, 2) == 0);
    YJC_CHECK (t, yjc_utf8_cut ("ab中", 5, 3) == 2);
    YJC_CHECK (t, yjc_utf8_cut ("abcd", 4, 2) == 2);
    YJC_CHECK (t, yjc_utf8_cut ("a\xf0\x9f\x98\x80", 5, 4) == 1); //  emoji
    char bad[] = "a\xe4\xb8|\xff中\xe4";
    YJC_CHECK (t, yjc_utf8_scrub (bad) == 5 && streq (bad, "a|中"));

    //  a key of 100 bytes (33 x 中 + 1), cut to 64 in the path
    char key[101] = "";
    for (int i = 0; i < 33; i++)
        strcat (key, "中");
    strcat (key, "x");
    char prefix[200] = "body"; //  a long path: cut at 160, then 128
    for (int i = 0; i < 40; i++)
        strcat (prefix, "名");
    msgpack_object_kv kv[2];
    memset (kv, 0, sizeof kv);
    kv[0].key.type = MSGPACK_OBJECT_STR;
    kv[0].key.via.str.ptr = key;
    kv[0].key.via.str.size = (uint32_t)strlen (key);
    kv[0].val.type = MSGPACK_OBJECT_NIL;
    kv[1].key.type = MSGPACK_OBJECT_STR; //  "" with no pointer at all
    kv[1].key.via.str.ptr = NULL;
    kv[1].key.via.str.size = 0;
    kv[1].val.type = MSGPACK_OBJECT_NIL;
    msgpack_object map = { .type = MSGPACK_OBJECT_MAP };
    map.via.map.size = 2;
    map.via.map.ptr = kv;
    const yjc_schema_t *schema = yjc_msg_defs[YJC_MSG_SYS_STATUS].schema;
    for (int round = 0; round < 2; round++) {
        yjc_problems_t p = { 0 };
        YJC_CHECK (
            t, yjc_validate (schema, &map, round ? prefix : "body", &p) == 2);
        YJC_CHECK (t, p.count == 2 && p.items[0].code == YJC_E_UNKNOWN_FIELD);
        YJC_CHECK (t, s_reply_valid_utf8 (&p));
        if (round == 0) //  33 - 12 characters dropped: 21 x 中 kept
            YJC_CHECK (t, strlen (p.items[0].field) == 5 + 21 * 3);
    }
    //  details and texts formatted past their buffers
    char longzh[700] = "";
    for (int i = 0; i < 200; i++)
        strcat (longzh, "审");
    yjc_problems_t p = { 0 };
    yjc_problems_add (&p, YJC_E_INVALID_VALUE, longzh, "%s", longzh);
    yjc_problems_say (&p, YJC_E_INVALID_VALUE, "x", longzh, "%s", longzh);
    yjc_problems_say (
        &p, YJC_E_INVALID_VALUE, "y", "d", "“%.*s”", 100, longzh); //  cut
    YJC_CHECK (t, p.count == 3 && s_reply_valid_utf8 (&p));
    for (int i = 0; i < p.count; i++) { //  each string whole characters
        char copy[sizeof p.items[i].text];
        strcpy (copy, p.items[i].text);
        YJC_CHECK (t, yjc_utf8_scrub (copy) == strlen (p.items[i].text));
        strcpy (copy, p.items[i].field);
        YJC_CHECK (t, yjc_utf8_scrub (copy) == strlen (p.items[i].field));
    }
    //  decoding a reply cuts too (yjc_obj_strcpy): 128 bytes of field
    yjc_pack_t out;
    yjc_pack_init (&out);
    yjc_reply_encode_error (&out, "u2", &p);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    YJC_CHECK (t, yjc_reply_decode (&reply, out.buf.data, out.buf.size) == 0);
    YJC_CHECK (t, strlen (reply.field) % 3 == 0 && strlen (reply.field) > 0);
    char copy[sizeof reply.message];
    strcpy (copy, reply.message);
    YJC_CHECK (t, yjc_utf8_scrub (copy) == strlen (reply.message));
    yjc_reply_release (&reply);
    yjc_pack_release (&out);
}

static void
yjc_msg_test (yjc_test_t *t)
{
    s_utf8_test (t);
    yjc_pack_t f;
    yjc_pack_init (&f);
    s_expect_envelope (t, "\xc1", 1, YJC_E_MALFORMED, "");
    s_expect_envelope (t, "not msgpack at all", 18, YJC_E_MALFORMED, "");
    //  a map nested 40 deep
    yjc_pack_reset (&f);
    for (int i = 0; i < 40; i++) {
        msgpack_pack_map (&f.pk, 1);
        yjc_pk_str (&f.pk, "k");
    }
    msgpack_pack_nil (&f.pk);
    s_expect_envelope (t, f.buf.data, f.buf.size, YJC_E_TOO_DEEP, "");
    //  over the frame limit
    char *big = (char *)calloc (1, YJC_MAX_FRAME + 16);
    big[0] = (char)0xc6; //  bin32 claiming more than the limit
    s_expect_envelope (t, big, YJC_MAX_FRAME + 16, YJC_E_TOO_LARGE, "");
    free (big);
    //  envelope shape
    yjc_pack_reset (&f);
    msgpack_pack_array (&f.pk, 0);
    s_expect_envelope (t, f.buf.data, f.buf.size, YJC_E_BAD_ENVELOPE, "");
    yjc_pack_reset (&f);
    msgpack_pack_map (&f.pk, 3);
    yjc_pk_kv_int (&f.pk, "v", 2);
    yjc_pk_kv_str (&f.pk, "id", "a1");
    yjc_pk_kv_str (&f.pk, "type", "sys.status");
    s_expect_envelope (
        t, f.buf.data, f.buf.size, YJC_E_UNSUPPORTED_VERSION, "a1");
    yjc_request_encode (&f, "a2", "no.such.type", NULL, 0);
    s_expect_envelope (t, f.buf.data, f.buf.size, YJC_E_UNKNOWN_TYPE, "a2");
    char longid[80];
    memset (longid, 'i', 79);
    longid[79] = 0;
    yjc_request_encode (&f, longid, "sys.status", NULL, 0);
    s_expect_envelope (t, f.buf.data, f.buf.size, YJC_E_BAD_ENVELOPE, "");
    yjc_pack_reset (&f);
    msgpack_pack_map (&f.pk, 3);
    yjc_pk_kv_int (&f.pk, "v", 1);
    yjc_pk_kv_str (&f.pk, "id", "a3");
    yjc_pk_kv_str (&f.pk, "type", "sys.status");
    s_expect_envelope (t, f.buf.data, f.buf.size, YJC_E_MISSING_FIELD, "a3");
    //  a valid one, and its replies decode back
    yjc_request_encode (&f, "a4", "sys.status", NULL, 0);
    yjc_request_t req;
    yjc_request_init (&req);
    yjc_problems_t p = { 0 };
    YJC_CHECK (t, yjc_request_decode (&req, f.buf.data, f.buf.size, &p) == 0);
    YJC_CHECK (t, req.type == YJC_MSG_SYS_STATUS && streq (req.id, "a4"));
    yjc_request_release (&req);
    yjc_problems_add (&p, YJC_E_INVALID_PHONE, "body.x", "bad");
    yjc_problems_add (&p, YJC_E_TOO_LONG, "body.y", "long");
    yjc_reply_encode_error (&f, "a5", &p);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    YJC_CHECK (t, yjc_reply_decode (&reply, f.buf.data, f.buf.size) == 0);
    YJC_CHECK (t,
               !reply.ok && streq (reply.code, "invalid_phone") &&
                   streq (reply.field, "body.x") && streq (reply.id, "a5"));
    const msgpack_object *details = yjc_obj_get (reply.error, "details");
    YJC_CHECK (t, details && details->via.array.size == 2);
    yjc_reply_release (&reply);
    yjc_pack_release (&f);
}

typedef struct {
    const char *name;
    void (*fn) (yjc_test_t *t);
} s_suite_t;

int
main (int argc, char **argv)
{
    static const s_suite_t suites[] = {
        { "time", yjc_time_test },
        { "clock", yjc_clock_test },
        { "calendar", yjc_calendar_test },
        { "mpcheck", yjc_mpcheck_test },
        { "json", yjc_json_test },
        { "proto", yjc_proto_test },
        { "msg", yjc_msg_test },
        { "map", yjc_map_test },
        { "form", yjc_form_test },
        { "lifecycle", yjc_lifecycle_test },
        { "grant", yjc_grant_test },
        { "config", yjc_config_test },
        { "log", yjc_log_test },
        { "keys", yjc_keys_test },
        { "webacct", yjc_webacct_test },
        { "client", yjc_client_test },
        { "db", yjc_db_test },
        { "outbox", yjc_outbox_test },
        { "elastic", yjc_elastic_test },
        { "reclaim", yjc_reclaim_test },
        { "chain", yjc_chain_test },
        { "describe", yjc_describe_test },
        { "money", yjc_money_test },
        { "prices", yjc_prices_test },
        { "advice", yjc_advice_test }, //  R16
    };
    //  [--test NAME] [--pg CONNSTR]: db and outbox need the database.
    const char *only = NULL, *pg = NULL;
    for (int i = 1; i + 1 < argc; i += 2)
        if (streq (argv[i], "--test"))
            only = argv[i + 1];
        else if (streq (argv[i], "--pg"))
            pg = argv[i + 1];
    yjc_test_t total = { 0, 0, "all", pg };
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++) {
        if (only && !streq (only, suites[i].name))
            continue;
        yjc_test_t t = { 0, 0, suites[i].name, pg };
        suites[i].fn (&t);
        printf ("unit %-10s %d passed, %d failed\n",
                suites[i].name,
                t.passed,
                t.failed);
        total.passed += t.passed;
        total.failed += t.failed;
    }
    printf ("%d passed, %d failed\n", total.passed, total.failed);
    return total.failed ? 1 : 0;
}
