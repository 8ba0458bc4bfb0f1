/*  =========================================================================
    yjc_jsonmp - the bridge behind yjc_json.h: jansson <-> msgpack

    jansson parses and prints; this file only walks a json_t into a
    msgpack packer and a msgpack_object into a json_t. jansson preserves
    object insertion order (>= 2.8), so key order survives both ways.
    What jansson cannot be told is checked here: our depth limit (its own
    is 2048), a column that points at a bad UTF-8 byte, and real numbers
    printed with no more digits than they need.
    =========================================================================
*/

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yjc_json.h"
#include "yjc_mpcheck.h"

//  Strict: duplicate keys are errors; "\u0000" is kept in strings (not
//  in keys, which jansson refuses); scalars may be documents.
#define S_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)

//  --------------------------------------------------------------------------
//  JSON -> msgpack

static int
s_fail (char *err, size_t errlen, int line, int column, const char *what)
{
    if (err && errlen > 0)
        snprintf (err,
                  errlen,
                  "line %d column %d: %s",
                  line < 1 ? 1 : line,
                  column < 1 ? 1 : column,
                  what);
    return -1;
}

//  Offset of the first bracket in text[0..len) that opens a container
//  deeper than YJC_JSON_MAX_DEPTH, or len. Only called on text jansson
//  has read without error, so brackets in strings are all it must skip.
static size_t
s_too_deep_at (const char *text, size_t len)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        }
        else if (c == '"')
            in_string = true;
        else if ((c == '[' || c == '{') && ++depth > YJC_JSON_MAX_DEPTH)
            return i;
        else if (c == ']' || c == '}')
            depth--;
    }
    return len;
}

//  Line and column (in characters, as jansson counts) of offset at
static int
s_fail_at (char *err,
           size_t errlen,
           const char *text,
           size_t at,
           const char *what)
{
    int line = 1, column = 1;
    for (size_t i = 0; i < at; i++)
        if (text[i] == '\n') {
            line++;
            column = 1;
        }
        else if (((unsigned char)text[i] & 0xc0) != 0x80)
            column++;
    return s_fail (err, errlen, line, column, what);
}

//  Pack json; returns NULL or what went wrong
static const char *
s_pack (msgpack_packer *pk, json_t *json)
{
    int rc = 0;
    switch (json_typeof (json)) {
        case JSON_OBJECT:
            if (json_object_size (json) > UINT32_MAX)
                return "too many elements";
            rc = msgpack_pack_map (pk, (uint32_t)json_object_size (json));
            for (void *it = json_object_iter (json); it && !rc;
                 it = json_object_iter_next (json, it)) {
                rc = msgpack_pack_str_with_body (pk,
                                                 json_object_iter_key (it),
                                                 json_object_iter_key_len (it));
                const char *problem =
                    rc ? NULL : s_pack (pk, json_object_iter_value (it));
                if (problem)
                    return problem;
            }
            break;
        case JSON_ARRAY:
            if (json_array_size (json) > UINT32_MAX)
                return "too many elements";
            rc = msgpack_pack_array (pk, (uint32_t)json_array_size (json));
            for (size_t i = 0; i < json_array_size (json) && !rc; i++) {
                const char *problem = s_pack (pk, json_array_get (json, i));
                if (problem)
                    return problem;
            }
            break;
        case JSON_STRING:
            rc = msgpack_pack_str_with_body (
                pk, json_string_value (json), json_string_length (json));
            break;
        case JSON_INTEGER:
            rc = msgpack_pack_int64 (pk, json_integer_value (json));
            break;
        case JSON_REAL:
            rc = msgpack_pack_double (pk, json_real_value (json));
            break;
        case JSON_TRUE: rc = msgpack_pack_true (pk); break;
        case JSON_FALSE: rc = msgpack_pack_false (pk); break;
        default: rc = msgpack_pack_nil (pk); break;
    }
    return rc ? "out of memory" : NULL;
}

//  jansson's error, with the column moved onto a bad UTF-8 byte (jansson
//  names the character before it) and a plain name for that case
static int
s_fail_jansson (char *err, size_t errlen, const json_error_t *error)
{
    if (!error->text[0]) //  jansson sets no text when allocation fails
        return s_fail (
            err, errlen, error->line, error->column, "out of memory");
    if (json_error_code (error) != json_error_invalid_utf8)
        return s_fail (err, errlen, error->line, error->column, error->text);
    char what[JSON_ERROR_TEXT_LENGTH + 16];
    snprintf (what, sizeof what, "invalid UTF-8 (%s)", error->text);
    return s_fail (err, errlen, error->line, error->column + 1, what);
}

int
yjc_json_to_msgpack (const char *text,
                     size_t len,
                     msgpack_sbuffer *out,
                     char *err,
                     size_t errlen)
{
    if (err && errlen > 0)
        err[0] = '\0';
    if (!text)
        len = 0;
    text = text ? text : "";
    if (!out)
        return s_fail (err, errlen, 1, 1, "no output buffer");
    if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0) {
        text += 3; //  columns count from after the BOM
        len -= 3;
    }
    json_error_t error;
    json_t *json = json_loadb (text, len, S_LOAD_FLAGS, &error);
    //  The first error in the text wins: too deep, or jansson's
    size_t read = json || error.position < 0 ? len : (size_t)error.position;
    size_t deep = s_too_deep_at (text, read < len ? read : len);
    if (deep < read) {
        json_decref (json);
        char what[40];
        snprintf (
            what, sizeof what, "nesting deeper than %d", YJC_JSON_MAX_DEPTH);
        return s_fail_at (err, errlen, text, deep, what);
    }
    if (!json)
        return s_fail_jansson (err, errlen, &error);

    size_t saved = out->size;
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    const char *problem = s_pack (&pk, json);
    json_decref (json);
    if (problem) {
        out->size = saved; //  leave out as the caller gave it
        return s_fail (err, errlen, 1, 1, problem);
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  msgpack -> JSON

//  Fewest %g digits from DBL_DIG (FLT_DIG if single) that read back as
//  value: below DBL_DIG a normal double prints the same, and 1000.0 would
//  turn into 1e3. Both directions use the current locale, so they agree.
static int
s_digits (double value, bool single)
{
    char text[40];
    for (int digits = single ? FLT_DIG : DBL_DIG; digits < 17; digits++) {
        snprintf (text, sizeof text, "%.*g", digits, value);
        double back = strtod (text, NULL);
        if (single ? (float)back == (float)value : back == value)
            return digits;
    }
    return 17;
}

//  A real; *digits grows to what it needs. A float32 becomes the double
//  its shortest decimal names, so 0.1f prints as 0.1.
static json_t *
s_real (double value, bool single, int *digits)
{
    if (isnan (value) || isinf (value))
        return json_null ();
    if (single) {
        char text[40];
        snprintf (text, sizeof text, "%.*g", s_digits (value, true), value);
        value = strtod (text, NULL);
    }
    int need = s_digits (value, false);
    if (need > *digits)
        *digits = need;
    return json_real (value);
}

//  JSON text must be UTF-8: each invalid byte becomes U+FFFD
static json_t *
s_string (const char *s, size_t n)
{
    json_t *json = json_stringn (n ? s : "", n); //  msgpack's "" may be NULL
    if (json || n == 0 || n > SIZE_MAX / 3)
        return json;
    char *clean = (char *)malloc (n * 3);
    if (!clean)
        return NULL;
    size_t size = 0;
    for (size_t i = 0; i < n;) {
        size_t k = yjc_mp_utf8_seq (s + i, n - i);
        memcpy (clean + size, k ? s + i : "\xef\xbf\xbd", k ? k : 3);
        size += k ? k : 3;
        i += k ? k : 1;
    }
    json = json_stringn_nocheck (clean, size);
    free (clean);
    return json;
}

static json_t *
s_base64 (const char *data, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n > SIZE_MAX / 2)
        return NULL;
    char *text = (char *)malloc ((n + 2) / 3 * 4 + 1);
    if (!text)
        return NULL;
    const unsigned char *p = (const unsigned char *)data;
    size_t size = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        text[size++] = alphabet[v >> 18];
        text[size++] = alphabet[(v >> 12) & 63];
        text[size++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        text[size++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    json_t *json = json_stringn_nocheck (text, size);
    free (text);
    return json;
}

static json_t *s_to_json (const msgpack_object *obj, int depth, int *digits);

//  Keys that are not str or bin are rendered compactly, then quoted
static int
s_set (json_t *object, const msgpack_object *key, json_t *value, int depth)
{
    int key_digits = DBL_DIG;
    json_t *json = s_to_json (key, depth, &key_digits);
    char *text = NULL;
    if (json && !json_is_string (json))
        text = json_dumps (json,
                           JSON_COMPACT | JSON_ENCODE_ANY |
                               JSON_REAL_PRECISION (key_digits));
    int rc = -1;
    if (text)
        rc = json_object_setn_new (object, text, strlen (text), value);
    else if (json_is_string (json))
        rc = json_object_setn_new (
            object, json_string_value (json), json_string_length (json), value);
    else
        json_decref (value);
    free (text);
    json_decref (json);
    return rc;
}

static json_t *
s_container (const msgpack_object *obj, int depth, int *digits)
{
    if (depth >= YJC_JSON_MAX_DEPTH)
        return NULL;
    if (obj->type == MSGPACK_OBJECT_ARRAY) {
        json_t *array = json_array ();
        for (uint32_t i = 0; array && i < obj->via.array.size; i++)
            if (json_array_append_new (
                    array,
                    s_to_json (&obj->via.array.ptr[i], depth + 1, digits))) {
                json_decref (array);
                array = NULL;
            }
        return array;
    }
    json_t *object = json_object ();
    if (obj->type == MSGPACK_OBJECT_EXT) {
        //  No JSON equivalent; keep the type so nothing is lost
        if (object &&
            (json_object_set_new (
                 object, "ext_type", json_integer (obj->via.ext.type)) ||
             json_object_set_new (
                 object,
                 "data",
                 s_base64 (obj->via.ext.ptr, obj->via.ext.size)))) {
            json_decref (object);
            object = NULL;
        }
        return object;
    }
    for (uint32_t i = 0; object && i < obj->via.map.size; i++) {
        const msgpack_object_kv *kv = &obj->via.map.ptr[i];
        if (s_set (object,
                   &kv->key,
                   s_to_json (&kv->val, depth + 1, digits),
                   depth + 1)) {
            json_decref (object);
            object = NULL;
        }
    }
    return object;
}

//  NULL if out of memory or too deep
static json_t *
s_to_json (const msgpack_object *obj, int depth, int *digits)
{
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL: return json_null ();
        case MSGPACK_OBJECT_BOOLEAN: return json_boolean (obj->via.boolean);
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (obj->via.u64 > (uint64_t)INT64_MAX)
                return s_real ((double)obj->via.u64, false, digits);
            return json_integer ((json_int_t)obj->via.u64);
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return json_integer (obj->via.i64);
        case MSGPACK_OBJECT_FLOAT32: return s_real (obj->via.f64, true, digits);
        case MSGPACK_OBJECT_FLOAT64:
            return s_real (obj->via.f64, false, digits);
        case MSGPACK_OBJECT_STR:
            return s_string (obj->via.str.ptr, obj->via.str.size);
        case MSGPACK_OBJECT_BIN:
            return s_base64 (obj->via.bin.ptr, obj->via.bin.size);
        case MSGPACK_OBJECT_ARRAY:
        case MSGPACK_OBJECT_MAP:
        case MSGPACK_OBJECT_EXT: return s_container (obj, depth, digits);
        default: return json_null (); //  unknown type from a newer msgpack
    }
}

char *
yjc_json_from_object (const msgpack_object *obj, bool pretty)
{
    if (!obj)
        return NULL;
    int digits = DBL_DIG;
    json_t *json = s_to_json (obj, 0, &digits);
    if (!json)
        return NULL;
    char *text =
        json_dumps (json,
                    (pretty ? JSON_INDENT (2) : JSON_COMPACT) |
                        JSON_ENCODE_ANY | JSON_REAL_PRECISION (digits));
    json_decref (json);
    return text;
}

//  --------------------------------------------------------------------------
//  Selftest

//  JSON -> msgpack (which must pass yjc_mp_check) -> JSON, compared
static bool
s_test_roundtrip (const char *json, const char *expect, bool pretty)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char err[200];
    bool ok = false;
    if (yjc_json_to_msgpack (json, strlen (json), &sbuf, err, sizeof err)) {
        fprintf (stderr, "  parse error: %s\n", err);
        msgpack_sbuffer_destroy (&sbuf);
        return false;
    }
    yjc_mp_limits_t limits = yjc_mp_limits_default ();
    limits.max_items = SIZE_MAX;
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    if (yjc_mp_unpack_checked (
            sbuf.data, sbuf.size, &limits, &unpacked, NULL) == 0) {
        char *text = yjc_json_from_object (&unpacked.data, pretty);
        ok = text && strcmp (text, expect) == 0;
        if (!ok)
            fprintf (stderr, "  got: %s\n", text ? text : "(null)");
        free (text);
    }
    msgpack_unpacked_destroy (&unpacked);
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

//  Parsing must fail with err starting with prefix and containing what,
//  leaving what the buffer already held untouched
static bool
s_test_error (const char *json, const char *prefix, const char *what)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_sbuffer_write (&sbuf, "\x07", 1);
    char err[200] = "";
    int rc = yjc_json_to_msgpack (json, strlen (json), &sbuf, err, sizeof err);
    bool ok = rc == -1 && sbuf.size == 1 && sbuf.data[0] == 7 &&
              strncmp (err, prefix, strlen (prefix)) == 0 &&
              strstr (err, what) != NULL;
    if (!ok)
        fprintf (stderr, "  rc=%d err: %s\n", rc, err);
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

//  Parse a scalar and return its msgpack object (scalars own no memory)
static msgpack_object
s_test_scalar (const char *json)
{
    msgpack_object result = { .type = MSGPACK_OBJECT_NIL };
    result.via.u64 = 0xdead;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    if (yjc_json_to_msgpack (json, strlen (json), &sbuf, NULL, 0) == 0) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        if (yjc_mp_unpack_checked (
                sbuf.data, sbuf.size, NULL, &unpacked, NULL) == 0)
            result = unpacked.data;
        msgpack_unpacked_destroy (&unpacked);
    }
    msgpack_sbuffer_destroy (&sbuf);
    return result;
}

//  Render what a packer callback built
static char *
s_test_render (msgpack_sbuffer *sbuf, bool pretty)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    char *text = NULL;
    if (msgpack_unpack_next (&unpacked, sbuf->data, sbuf->size, &offset) ==
        MSGPACK_UNPACK_SUCCESS)
        text = yjc_json_from_object (&unpacked.data, pretty);
    msgpack_unpacked_destroy (&unpacked);
    return text;
}

static bool
s_test_bytes (const char *json, const char *bytes, size_t n)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    bool ok = yjc_json_to_msgpack (json, strlen (json), &sbuf, NULL, 0) == 0 &&
              sbuf.size == n && memcmp (sbuf.data, bytes, n) == 0;
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

//  A shipped document: JSON -> msgpack -> JSON gives what jansson prints
//  for the file itself, and the pretty form parses back to the same bytes
static bool
s_test_file (const char *path)
{
    json_error_t error;
    json_t *direct = json_load_file (path, S_LOAD_FLAGS, &error);
    char *expect = direct ? json_dumps (direct, JSON_COMPACT) : NULL;
    json_decref (direct);
    char *text = NULL;
    size_t len = 0;
    FILE *file = fopen (path, "rb");
    if (file) {
        text = (char *)malloc (1 << 16);
        len = text ? fread (text, 1, 1 << 16, file) : 0;
        fclose (file);
    }
    msgpack_sbuffer first, again;
    msgpack_sbuffer_init (&first);
    msgpack_sbuffer_init (&again);
    char *compact = NULL, *pretty = NULL;
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    if (text && yjc_json_to_msgpack (text, len, &first, NULL, 0) == 0 &&
        msgpack_unpack_next (&unpacked, first.data, first.size, NULL) ==
            MSGPACK_UNPACK_SUCCESS) {
        compact = yjc_json_from_object (&unpacked.data, false);
        pretty = yjc_json_from_object (&unpacked.data, true);
    }
    bool ok =
        expect && compact && pretty && strcmp (expect, compact) == 0 &&
        yjc_json_to_msgpack (pretty, strlen (pretty), &again, NULL, 0) == 0 &&
        again.size == first.size &&
        memcmp (again.data, first.data, first.size) == 0;
    if (!ok)
        fprintf (stderr, "  %s: got %s\n", path, compact ? compact : "(null)");
    msgpack_unpacked_destroy (&unpacked);
    msgpack_sbuffer_destroy (&first);
    msgpack_sbuffer_destroy (&again);
    free (expect);
    free (compact);
    free (pretty);
    free (text);
    return ok;
}

void
yjc_json_test (yjc_test_t *t)
{
    //  A Chinese form: compact and pretty round trips, key order kept
    const char *form =
        "{\n"
        "  \"表单\" : \"居民身份证申领\",\n"
        "  \"申请人\": {\"姓名\": \"张三\", \"年龄\": 35, \"已婚\": false},\n"
        "  \"材料\": [\"户口簿\", \"照片\"],\r\n"
        "  \"备注\": null, \"费用\": 20.5, \"空\": {}, \"列表\": [ ],\n"
        "  \"编号\": 110101199001011234\n"
        "}\n";
    YJC_CHECK (t,
               s_test_roundtrip (
                   form,
                   "{\"表单\":\"居民身份证申领\",\"申请人\":{\"姓名\":\"张三\","
                   "\"年龄\":35,\"已婚\":false},\"材料\":[\"户口簿\",\"照片\"],"
                   "\"备注\":null,\"费用\":20.5,\"空\":{},\"列表\":[],"
                   "\"编号\":110101199001011234}",
                   false));
    YJC_CHECK (t,
               s_test_roundtrip (form,
                                 "{\n"
                                 "  \"表单\": \"居民身份证申领\",\n"
                                 "  \"申请人\": {\n"
                                 "    \"姓名\": \"张三\",\n"
                                 "    \"年龄\": 35,\n"
                                 "    \"已婚\": false\n"
                                 "  },\n"
                                 "  \"材料\": [\n"
                                 "    \"户口簿\",\n"
                                 "    \"照片\"\n"
                                 "  ],\n"
                                 "  \"备注\": null,\n"
                                 "  \"费用\": 20.5,\n"
                                 "  \"空\": {},\n"
                                 "  \"列表\": [],\n"
                                 "  \"编号\": 110101199001011234\n"
                                 "}",
                                 true));
    //  Compact documents come back identical: order, nesting, numbers
    const char *same[] = {
        "{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":{}}}",
        "[[1,[2,[3,[4,[]]]]],[[[\"深\"]]],{\"a\":[{\"b\":[null,true]}]}]",
        "[9223372036854775807,-9223372036854775808,0,-1,127,128,-32,-33,"
        "65536,-2147483649,4294967296]",
        "[1.5,-0.25,0.1,1e300,-0.0,2.5e-7,100.0,-1e-300,3.14159]",
        "{\"单位\":\"县教育局\",\"说明\":\"面向全县中小学，服务约12万人。\","
        "\"emoji\":\"\xf0\x9f\x98\x80\",\"quote\":\"\\\"\\\\\\n\"}",
        "\"\"",
        "-7",
        "null",
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        YJC_CHECK (t, s_test_roundtrip (same[i], same[i], false));
    YJC_CHECK (t, s_test_roundtrip ("\xef\xbb\xbf [true] ", "[true]", false));
    YJC_CHECK (t, s_test_file ("tests/data/form-full.json"));
    YJC_CHECK (t, s_test_file ("tests/data/form-minimal.json"));
    YJC_CHECK (t, s_test_file ("tests/data/change-full.json"));
    YJC_CHECK (t, s_test_file ("tests/data/grant-full.json"));

    //  Canonical headers: fixarray, array16, map order as written
    YJC_CHECK (t, s_test_bytes ("[1,[],{}]", "\x93\x01\x90\x80", 4));
    YJC_CHECK (t,
               s_test_bytes ("{\"b\":1,\"a\":-1}",
                             "\x82\xa1"
                             "b\x01\xa1"
                             "a\xff",
                             7));
    char big[3 + 2 * 20];
    strcpy (big, "[");
    for (int i = 0; i < 20; i++)
        strcat (big, i ? ",0" : "0");
    strcat (big, "]");
    char expect[3 + 20] = "\xdc\x00\x14";
    memset (expect + 3, 0, 20);
    YJC_CHECK (t, s_test_bytes (big, expect, sizeof expect));

    //  Escapes in, escapes out; "\u0000" survives in a string
    YJC_CHECK (
        t,
        s_test_bytes ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4E2D\"",
                      "\xb2"
                      "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe4\xb8\xad",
                      19));
    YJC_CHECK (t,
               s_test_roundtrip (
                   "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4E2D\"",
                   "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\tA\xc3\xa9中\"",
                   false));
    YJC_CHECK (t,
               s_test_bytes ("\"a\\u0000\"",
                             "\xa2"
                             "a\x00",
                             3));
    YJC_CHECK (t,
               s_test_roundtrip ("\"\\u0000\\u0001\\u001f\"",
                                 "\"\\u0000\\u0001\\u001F\"",
                                 false));

    //  Surrogate pairs become one 4-byte UTF-8 sequence; halves are errors
    YJC_CHECK (t,
               s_test_bytes ("\"\\ud83d\\ude00\"", "\xa4\xf0\x9f\x98\x80", 5));
    YJC_CHECK (
        t, s_test_error ("\"\\ud83d\"", "line 1 column 8:", "invalid Unicode"));
    YJC_CHECK (
        t,
        s_test_error ("\"x\\ude00\"", "line 1 column 9:", "invalid Unicode"));
    YJC_CHECK (
        t, s_test_error ("\"\\u12g4\"", "line 1 column 6:", "invalid escape"));

    //  Integers stay integers over all of int64; beyond is an error, not
    //  a silently rounded float
    msgpack_object obj = s_test_scalar ("9223372036854775807");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                   obj.via.u64 == (uint64_t)INT64_MAX);
    obj = s_test_scalar ("-9223372036854775808");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_NEGATIVE_INTEGER &&
                   obj.via.i64 == INT64_MIN);
    obj = s_test_scalar ("-0");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_POSITIVE_INTEGER && obj.via.u64 == 0);
    obj = s_test_scalar ("-1");
    YJC_CHECK (
        t, obj.type == MSGPACK_OBJECT_NEGATIVE_INTEGER && obj.via.i64 == -1);
    YJC_CHECK (t, s_test_bytes ("200", "\xcc\xc8", 2));
    YJC_CHECK (t,
               s_test_error ("[\n 9223372036854775808]",
                             "line 2 column 20:",
                             "too big integer"));
    YJC_CHECK (t,
               s_test_error ("-9223372036854775809",
                             "line 1 column 20:",
                             "too big negative integer"));

    //  Reals are float64 and print with a '.' or exponent
    obj = s_test_scalar ("1e3");
    YJC_CHECK (t, obj.type == MSGPACK_OBJECT_FLOAT64 && obj.via.f64 == 1000);
    obj = s_test_scalar ("-2.5E-3");
    YJC_CHECK (t, obj.type == MSGPACK_OBJECT_FLOAT64 && obj.via.f64 == -0.0025);
    YJC_CHECK (t,
               s_test_roundtrip ("[1e3,2.5E-3,1E+2,5e-324]",
                                 "[1000.0,0.0025,100.0,4.94065645841247e-324]",
                                 false));
    //  One float that needs 17 digits sets the digits of the document
    YJC_CHECK (t,
               s_test_roundtrip ("[0.1,0.30000000000000004]",
                                 "[0.10000000000000001,0.30000000000000004]",
                                 false));
    YJC_CHECK (
        t,
        s_test_error ("[1e400]", "line 1 column 6:", "real number overflow"));

    //  Errors carry line and column, in characters
    YJC_CHECK (t,
               s_test_error ("{\n  \"a\": 1,\n  \"b\": tru\n}",
                             "line 3 column 10:",
                             "invalid token near 'tru'"));
    YJC_CHECK (t,
               s_test_error ("[\"中文\", x]", "line 1 column 8:", "near 'x'"));
    YJC_CHECK (t, s_test_error ("[1，2]", "line 1 column 3:", "near '，'"));
    YJC_CHECK (t, s_test_error ("", "line 1 column 1:", "near end of file"));
    YJC_CHECK (t, s_test_error ("  \n ", "line 2 column 1:", "end of file"));
    YJC_CHECK (
        t, s_test_error ("[1, 2,]", "line 1 column 7:", "unexpected token"));
    YJC_CHECK (t, s_test_error ("[1 2]", "line 1 column 4:", "']' expected"));
    YJC_CHECK (t,
               s_test_error ("{\"a\":1", "line 1 column 6:", "'}' expected"));
    YJC_CHECK (t,
               s_test_error ("{\"a\" 1}", "line 1 column 6:", "':' expected"));
    YJC_CHECK (
        t,
        s_test_error ("{1:2}", "line 1 column 2:", "string or '}' expected"));
    YJC_CHECK (t,
               s_test_error ("[\"abc]", "line 1 column 6:", "premature end"));
    YJC_CHECK (
        t, s_test_error ("\"a\tb\"", "line 1 column 2:", "control character"));
    YJC_CHECK (t, s_test_error ("[.5]", "line 1 column 2:", "invalid token"));
    YJC_CHECK (t, s_test_error ("01", "line 1 column 1:", "invalid token"));
    YJC_CHECK (t, s_test_error ("-", "line 1 column 1:", "invalid token"));
    YJC_CHECK (
        t,
        s_test_error ("\xef\xbb\xbf[x]", "line 1 column 2:", "invalid token"));
    YJC_CHECK (
        t, s_test_error ("{\"a\\u0000\":1}", "line 1 column 10:", "NUL byte"));

    //  Duplicate keys are refused where the second one ends
    YJC_CHECK (t,
               s_test_error ("{\"a\":1,\"a\":2}",
                             "line 1 column 10:",
                             "duplicate object key near '\"a\"'"));
    YJC_CHECK (t,
               s_test_error ("{\"单位\": {\"名称\": 1,\n  \"名称\": 2}}",
                             "line 2 column 6:",
                             "duplicate object key"));
    YJC_CHECK (t,
               s_test_roundtrip (
                   "[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]", false));

    //  Trailing garbage after the value
    YJC_CHECK (
        t, s_test_error ("[1] x", "line 1 column 5:", "end of file expected"));
    YJC_CHECK (
        t, s_test_error ("{}\n{}", "line 2 column 1:", "end of file expected"));

    //  Invalid UTF-8: the column is the bad byte's
    YJC_CHECK (
        t, s_test_error ("\"\xc0\x80\"", "line 1 column 2:", "invalid UTF-8"));
    YJC_CHECK (
        t,
        s_test_error ("\"\xed\xa0\x80\"", "line 1 column 2:", "invalid UTF-8"));
    YJC_CHECK (
        t,
        s_test_error ("[\"中\xe4\xb8\"]", "line 1 column 4:", "invalid UTF-8"));
    YJC_CHECK (t,
               s_test_error ("[1,\n\xff]",
                             "line 2 column 1:",
                             "invalid UTF-8 (unable to decode byte 0xff)"));

    //  err is optional and truncated safely; out is left as given
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    YJC_CHECK (t, yjc_json_to_msgpack ("[", 1, &sbuf, NULL, 0) == -1);
    char tiny[8];
    YJC_CHECK (t,
               yjc_json_to_msgpack ("[", 1, &sbuf, tiny, sizeof tiny) == -1 &&
                   strcmp (tiny, "line 1 ") == 0);
    YJC_CHECK (t, yjc_json_to_msgpack ("[2]", 2, &sbuf, NULL, 0) == -1);
    YJC_CHECK (t, sbuf.size == 0);

    //  Depth limit: YJC_JSON_MAX_DEPTH levels parse, and msgpack-c reads
    //  them back; one more does not parse
    char nest[2 * (YJC_JSON_MAX_DEPTH + 1) + 1];
    memset (nest, '[', YJC_JSON_MAX_DEPTH);
    memset (nest + YJC_JSON_MAX_DEPTH, ']', YJC_JSON_MAX_DEPTH);
    YJC_CHECK (t,
               yjc_json_to_msgpack (
                   nest, 2 * YJC_JSON_MAX_DEPTH, &sbuf, NULL, 0) == 0);
    YJC_CHECK (t, sbuf.size == YJC_JSON_MAX_DEPTH);
    {
        msgpack_unpacked back;
        msgpack_unpacked_init (&back);
        YJC_CHECK (t,
                   msgpack_unpack_next (&back, sbuf.data, sbuf.size, NULL) ==
                       MSGPACK_UNPACK_SUCCESS);
        msgpack_unpacked_destroy (&back);
    }
    sbuf.size = 0;
    memset (nest, '[', YJC_JSON_MAX_DEPTH + 1);
    memset (nest + YJC_JSON_MAX_DEPTH + 1, ']', YJC_JSON_MAX_DEPTH + 1);
    nest[2 * (YJC_JSON_MAX_DEPTH + 1)] = '\0';
    char where[48], what[48];
    snprintf (where, sizeof where, "line 1 column %d:", YJC_JSON_MAX_DEPTH + 1);
    snprintf (what, sizeof what, "nesting deeper than %d", YJC_JSON_MAX_DEPTH);
    YJC_CHECK (t, s_test_error (nest, where, what));
    //  ... unclosed too: the depth is the first error in the text
    nest[YJC_JSON_MAX_DEPTH + 1] = '\0';
    YJC_CHECK (t, s_test_error (nest, where, what));
    {
        //  Deep objects, on a second line, brackets in strings not counted
        char deep[8 * (YJC_JSON_MAX_DEPTH + 1) + 16] = "[\"[[{\",\n";
        for (int i = 0; i < YJC_JSON_MAX_DEPTH; i++)
            strcat (deep, "{\"k\":");
        strcat (deep, "1");
        for (int i = 0; i < YJC_JSON_MAX_DEPTH; i++)
            strcat (deep, "}");
        strcat (deep, "]");
        snprintf (where,
                  sizeof where,
                  "line 2 column %d:",
                  1 + 5 * (YJC_JSON_MAX_DEPTH - 1));
        YJC_CHECK (t, s_test_error (deep, where, "nesting deeper"));
        //  An earlier error is reported instead
        deep[1] = 'x';
        YJC_CHECK (t, s_test_error (deep, "line 1 column 2:", "invalid token"));
    }
    msgpack_object levels[YJC_JSON_MAX_DEPTH + 2];
    for (int i = 0; i <= YJC_JSON_MAX_DEPTH; i++) {
        levels[i].type = MSGPACK_OBJECT_ARRAY;
        levels[i].via.array.size = 1;
        levels[i].via.array.ptr = &levels[i + 1];
    }
    levels[YJC_JSON_MAX_DEPTH + 1].type = MSGPACK_OBJECT_NIL;
    char *text = yjc_json_from_object (&levels[1], false);
    YJC_CHECK (t, text && strlen (text) == 2 * YJC_JSON_MAX_DEPTH + 4);
    free (text);
    YJC_CHECK (t, yjc_json_from_object (&levels[0], false) == NULL);
    YJC_CHECK (t, yjc_json_from_object (NULL, false) == NULL);

    //  Rendering what JSON cannot express directly
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    sbuf.size = 0;
    msgpack_pack_map (&pk, 9);
    msgpack_pack_int64 (&pk, 1);
    msgpack_pack_str_with_body (&pk, "a", 1);
    msgpack_pack_nil (&pk);
    msgpack_pack_true (&pk);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_str_with_body (&pk, "x", 1);
    msgpack_pack_int64 (&pk, -2);
    msgpack_pack_int64 (&pk, 0);
    msgpack_pack_bin_with_body (&pk, "\x00", 1);
    msgpack_pack_float (&pk, 0.1f);
    msgpack_pack_double (&pk, 1.5);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_bin_with_body (&pk, "", 0);
    msgpack_pack_bin_with_body (&pk, "f", 1);
    msgpack_pack_bin_with_body (&pk, "fo", 2);
    msgpack_pack_bin_with_body (&pk, "foo", 3);
    msgpack_pack_bin_with_body (&pk, "foob", 4);
    msgpack_pack_bin_with_body (&pk, "\xfb\xff", 2);
    msgpack_pack_str_with_body (&pk, "nums", 4);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_double (&pk, NAN);
    msgpack_pack_double (&pk, -INFINITY);
    msgpack_pack_float (&pk, 3.0f);
    msgpack_pack_float (&pk, 16777216.0f);
    msgpack_pack_str_with_body (&pk, "bad\"utf8", 8);
    msgpack_pack_str_with_body (&pk,
                                "a\xff"
                                "b\xe4\xb8",
                                5);
    msgpack_pack_str_with_body (&pk, "ext", 3);
    msgpack_pack_ext_with_body (&pk, "\x01\x02", 2, 5);
    msgpack_pack_str_with_body (&pk, "k\xff", 2);
    msgpack_pack_str_with_body (&pk, "\x00", 1);
    text = s_test_render (&sbuf, false);
    YJC_CHECK (
        t,
        text &&
            strcmp (
                text,
                "{\"1\":\"a\",\"null\":true,\"[\\\"x\\\",-2]\":0,\"AA==\":0.1,"
                "\"1.5\":[\"\",\"Zg==\",\"Zm8=\",\"Zm9v\",\"Zm9vYg==\",\"+/"
                "8=\"],"
                "\"nums\":[null,null,3.0,16777216.0],"
                "\"bad\\\"utf8\":\"a\xef\xbf\xbd"
                "b\xef\xbf\xbd\xef\xbf\xbd\","
                "\"ext\":{\"ext_type\":5,\"data\":\"AQI=\"},"
                "\"k\xef\xbf\xbd\":\"\\u0000\"}") == 0);
    free (text);

    //  A uint beyond int64 can only be a float in JSON
    sbuf.size = 0;
    msgpack_pack_uint64 (&pk, UINT64_MAX);
    text = s_test_render (&sbuf, false);
    YJC_CHECK (t, text && strcmp (text, "1.8446744073709552e19") == 0);
    free (text);

    //  Pretty form of the same ext and a nested empty container
    sbuf.size = 0;
    msgpack_pack_array (&pk, 2);
    msgpack_pack_ext_with_body (&pk, "", 0, -1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_map (&pk, 0);
    text = s_test_render (&sbuf, true);
    YJC_CHECK (t,
               text && strcmp (text,
                               "[\n"
                               "  {\n"
                               "    \"ext_type\": -1,\n"
                               "    \"data\": \"\"\n"
                               "  },\n"
                               "  [\n"
                               "    {}\n"
                               "  ]\n"
                               "]") == 0);
    free (text);
    msgpack_sbuffer_destroy (&sbuf);
}
