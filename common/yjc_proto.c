/*  yjc_proto.c - tables and the one validator, expanded from proto/.      */
#include "yjc_proto.h"
#include "yjc_time.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- schemas ----------------------------------------------------------- */

//  `sub` is a schema name or NULL; NULL pastes to this empty schema.
static const yjc_field_t s_no_fields[] = {
    { NULL, 0, false, 0, 0, NULL, NULL }
};
static const yjc_schema_t yjc_schema_NULL = { "NULL", s_no_fields };

//  The material kinds as an enum string ("|a|b|c"; fields point past the
//  first bar), so that the schemas name them without repeating them.
static const char s_material_kinds[] = ""
#define MATERIAL(ident, wire, zh) "|" wire
#include "../proto/yjc_materials.def"
#undef MATERIAL
    ;
#define YJC_MATERIAL_KINDS (s_material_kinds + 1)

const yjc_material_def_t yjc_material_defs[YJC_MAT_COUNT] = {
#define MATERIAL(ident, wire, zh) { wire, zh },
#include "../proto/yjc_materials.def"
#undef MATERIAL
};

int
yjc_material_by_wire (const char *wire, size_t len)
{
    for (int i = 0; i < YJC_MAT_COUNT; i++)
        if (strlen (yjc_material_defs[i].wire) == len &&
            memcmp (yjc_material_defs[i].wire, wire, len) == 0)
            return i;
    return -1;
}

#define SCHEMA(n) static const yjc_field_t s_##n##_fields[] = {
#define F(key, kind, req, min, max, sub, enumv)                                \
    { key, YJC_K_##kind, YJC_##req, min, max, &yjc_schema_##sub, enumv },
#define END(n)                                                                 \
    {                                                                          \
        NULL, 0, false, 0, 0, NULL, NULL                                       \
    }                                                                          \
    }                                                                          \
    ;                                                                          \
    const yjc_schema_t yjc_schema_##n = { #n, s_##n##_fields };
#include "../proto/yjc_schemas.def"
#undef SCHEMA
#undef F
#undef END

/* ---- messages, events, errors ------------------------------------------ */

#define ANY          YJC_SVC_ANY
#define INTAKE       YJC_SVC_INTAKE
#define REVIEW       YJC_SVC_REVIEW
#define PROVISIONING YJC_SVC_PROVISIONING
#define BILLING      YJC_SVC_BILLING
#define AUDIT        YJC_SVC_AUDIT

const yjc_msg_def_t yjc_msg_defs[YJC_MSG_COUNT] = {
#define MSG(ident, wire, svc, roles, schema)                                   \
    { wire, svc, roles, &yjc_schema_##schema },
#include "../proto/yjc_messages.def"
#undef MSG
};

const yjc_event_def_t yjc_event_defs[YJC_EV_COUNT] = {
#define EVENT(ident, wire, producer, receivers, schema, zh)                    \
    { wire, producer, (receivers) | S_AUDIT, &yjc_schema_##schema, zh },
#include "../proto/yjc_events.def"
#undef EVENT
};

static const char *s_err_codes[YJC_E_COUNT] = {
#define ERR(ident, code, zh) code,
#include "../proto/yjc_errors.def"
#undef ERR
};

static const char *s_err_zh[YJC_E_COUNT] = {
#define ERR(ident, code, zh) zh,
#include "../proto/yjc_errors.def"
#undef ERR
};

static const char *s_services[YJC_SVC_COUNT] = { "intake",
                                                 "review",
                                                 "provisioning",
                                                 "billing",
                                                 "audit" };
static const char *s_roles[YJC_ROLE_COUNT] = { "unit",    "bureau", "vendor",
                                               "auditor", "admin",  "service" };

const char *
yjc_err_code (yjc_err_t err)
{
    return err >= 0 && err < YJC_E_COUNT ? s_err_codes[err] : "internal";
}

const char *
yjc_err_zh (yjc_err_t err)
{
    return err >= 0 && err < YJC_E_COUNT ? s_err_zh[err] : "";
}

static int
s_find (const char *const *names, int count, const char *name, size_t len)
{
    for (int i = 0; i < count; i++)
        if (strlen (names[i]) == len && memcmp (names[i], name, len) == 0)
            return i;
    return -1;
}

int
yjc_err_by_code (const char *code)
{
    return s_find (s_err_codes, YJC_E_COUNT, code, strlen (code));
}

const char *
yjc_service_name (int svc)
{
    return svc >= 0 && svc < YJC_SVC_COUNT ? s_services[svc] : "any";
}

int
yjc_service_by_name (const char *name)
{
    return s_find (s_services, YJC_SVC_COUNT, name, strlen (name));
}

const char *
yjc_role_name (int role)
{
    return role >= 0 && role < YJC_ROLE_COUNT ? s_roles[role] : "?";
}

int
yjc_role_by_name (const char *name)
{
    return s_find (s_roles, YJC_ROLE_COUNT, name, strlen (name));
}

int
yjc_msg_by_wire (const char *wire, size_t len)
{
    for (int i = 0; i < YJC_MSG_COUNT; i++)
        if (strlen (yjc_msg_defs[i].wire) == len &&
            memcmp (yjc_msg_defs[i].wire, wire, len) == 0)
            return i;
    return -1;
}

int
yjc_event_by_wire (const char *wire, size_t len)
{
    for (int i = 0; i < YJC_EV_COUNT; i++)
        if (strlen (yjc_event_defs[i].wire) == len &&
            memcmp (yjc_event_defs[i].wire, wire, len) == 0)
            return i;
    return -1;
}

/* ---- object access ----------------------------------------------------- */

const msgpack_object *
yjc_obj_get (const msgpack_object *obj, const char *key)
{
    if (!obj || obj->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t klen = strlen (key);
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
        const msgpack_object *k = &obj->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
            memcmp (k->via.str.ptr, key, klen) == 0)
            return &obj->via.map.ptr[i].val;
    }
    return NULL;
}

bool
yjc_obj_str (const msgpack_object *obj,
             const char *key,
             const char **ptr,
             size_t *len)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    if (!v || v->type != MSGPACK_OBJECT_STR)
        return false;
    *ptr = v->via.str.ptr;
    *len = v->via.str.size;
    return true;
}

bool
yjc_obj_int (const msgpack_object *obj, const char *key, int64_t *out)
{
    const msgpack_object *v = yjc_obj_get (obj, key);
    if (!v)
        return false;
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (v->via.u64 > INT64_MAX)
            return false;
        *out = (int64_t)v->via.u64;
        return true;
    }
    if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = v->via.i64;
        return true;
    }
    return false;
}

const char *
yjc_obj_strcpy (const msgpack_object *obj,
                const char *key,
                char *buf,
                size_t size)
{
    const char *p = NULL;
    size_t len = 0;
    if (!yjc_obj_str (obj, key, &p, &len))
        len = 0;
    if (len >= size)
        len = size - 1;
    if (len)
        memcpy (buf, p, len);
    buf[len] = 0;
    return buf;
}

/* ---- validation -------------------------------------------------------- */

void
yjc_problems_add (yjc_problems_t *self,
                  yjc_err_t code,
                  const char *field,
                  const char *fmt,
                  ...)
{
    if (self->count >= YJC_MAX_PROBLEMS) {
        self->truncated = true;
        return;
    }
    yjc_problem_t *p = &self->items[self->count++];
    p->code = code;
    snprintf (p->field, sizeof p->field, "%s", field ? field : "");
    char detail[200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (detail, sizeof detail, fmt, args);
    va_end (args);
    if (field && *field)
        snprintf (p->message,
                  sizeof p->message,
                  "%s: %s (%s)",
                  field,
                  yjc_err_zh (code),
                  detail);
    else
        snprintf (p->message,
                  sizeof p->message,
                  "%s (%s)",
                  yjc_err_zh (code),
                  detail);
}

static bool
s_enum_has (const char *enumv, const char *s, size_t len)
{
    const char *p = enumv;
    while (*p) {
        const char *bar = strchr (p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen (p);
        if (n == len && memcmp (p, s, len) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

static bool
s_is_phone (const char *s, size_t len)
{
    //  Mainland mobile or landline, as clerks write them: 13812345678,
    //  0577-67221234, +86 138 1234 5678.  7 to 15 digits in all.
    int digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if (c == '+' && i == 0)
            ;
        else if (c != '-' && c != ' ')
            return false;
    }
    return digits >= 7 && digits <= 15;
}

static const char *
s_type_name (yjc_kind_t kind)
{
    switch (kind) {
        case YJC_K_STR:
        case YJC_K_DATE:
        case YJC_K_PHONE:
        case YJC_K_ENUM: return "a string";
        case YJC_K_INT: return "a whole number";
        case YJC_K_BOOL: return "true or false";
        case YJC_K_MAP:
        case YJC_K_ANYMAP: return "a map";
        case YJC_K_BIN: return "binary data (msgpack bin)";
        case YJC_K_HEX: return "a hexadecimal string";
        default: return "an array";
    }
}

//  The path of the field being checked ("body.form.hosts[0].os"), built
//  in place as the walk goes down and cut back as it returns: no string
//  formatting unless a problem is reported.
typedef struct {
    char buf[160];
    size_t len;
} s_path_t;

static void
s_path_put (s_path_t *p, const char *s, size_t n)
{
    if (p->len + n >= sizeof p->buf)
        n = sizeof p->buf - 1 - p->len; //  truncated paths still say enough
    memcpy (p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = 0;
}

//  Appends ".key" (or "key" at the root); returns the length to restore.
static size_t
s_push_key (s_path_t *p, const char *key, size_t klen)
{
    size_t mark = p->len;
    if (p->len)
        s_path_put (p, ".", 1);
    s_path_put (p, key, klen);
    return mark;
}

static size_t
s_push_index (s_path_t *p, uint32_t index)
{
    size_t mark = p->len;
    char digits[12];
    int n = 0;
    do
        digits[n++] = (char)('0' + index % 10);
    while ((index /= 10) && n < 11);
    s_path_put (p, "[", 1);
    while (n)
        s_path_put (p, &digits[--n], 1);
    s_path_put (p, "]", 1);
    return mark;
}

static void
s_pop (s_path_t *p, size_t mark)
{
    p->len = mark;
    p->buf[mark] = 0;
}

static void s_validate_map (const yjc_schema_t *schema,
                            const msgpack_object *obj,
                            s_path_t *path,
                            yjc_problems_t *out);

static void
s_check_str (const yjc_field_t *f,
             const msgpack_object *v,
             s_path_t *path,
             yjc_problems_t *out)
{
    bool bin = v->type == MSGPACK_OBJECT_BIN;
    const char *s = bin ? v->via.bin.ptr : v->via.str.ptr;
    size_t len = bin ? v->via.bin.size : v->via.str.size;
    switch (f->kind) {
        case YJC_K_HEX:
            for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') ||
                      (s[i] >= 'a' && s[i] <= 'f'))) {
                    yjc_problems_add (out,
                                      YJC_E_INVALID_VALUE,
                                      path->buf,
                                      "lowercase hexadecimal digits only");
                    return;
                }
            __attribute__ ((fallthrough)); //  and its length
        case YJC_K_STR:
        case YJC_K_BIN:
            if ((int64_t)len > f->max)
                yjc_problems_add (out,
                                  YJC_E_TOO_LONG,
                                  path->buf,
                                  "at most %lld bytes, got %zu",
                                  (long long)f->max,
                                  len);
            else if ((int64_t)len < f->min)
                yjc_problems_add (out,
                                  YJC_E_TOO_SHORT,
                                  path->buf,
                                  "at least %lld bytes",
                                  (long long)f->min);
            break;
        case YJC_K_DATE: {
            char buf[16];
            yjc_date_t d;
            if (len >= sizeof buf || (memcpy (buf, s, len),
                                      buf[len] = 0,
                                      yjc_date_parse (buf, &d) != 0))
                yjc_problems_add (
                    out, YJC_E_INVALID_DATE, path->buf, "expected YYYY-MM-DD");
            break;
        }
        case YJC_K_PHONE:
            if (!s_is_phone (s, len))
                yjc_problems_add (out,
                                  YJC_E_INVALID_PHONE,
                                  path->buf,
                                  "7-15 digits, '-' or spaces, optional '+'");
            break;
        case YJC_K_ENUM:
        case YJC_K_ARR_ENUM:
            if (!s_enum_has (f->enumv, s, len))
                yjc_problems_add (
                    out, YJC_E_INVALID_VALUE, path->buf, "one of %s", f->enumv);
            break;
        default: break;
    }
}

static bool
s_kind_matches (yjc_kind_t kind, const msgpack_object *v)
{
    switch (kind) {
        case YJC_K_STR:
        case YJC_K_DATE:
        case YJC_K_PHONE:
        case YJC_K_ENUM:
        case YJC_K_HEX: return v->type == MSGPACK_OBJECT_STR;
        case YJC_K_BIN: return v->type == MSGPACK_OBJECT_BIN;
        case YJC_K_INT:
            return v->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
                   v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
        case YJC_K_BOOL: return v->type == MSGPACK_OBJECT_BOOLEAN;
        case YJC_K_MAP:
        case YJC_K_ANYMAP: return v->type == MSGPACK_OBJECT_MAP;
        default: return v->type == MSGPACK_OBJECT_ARRAY;
    }
}

static void
s_check_int (const yjc_field_t *f,
             const msgpack_object *v,
             s_path_t *path,
             yjc_problems_t *out)
{
    bool over = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                v->via.u64 > (uint64_t)INT64_MAX;
    int64_t n = over ? INT64_MAX : v->via.i64;
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && !over)
        n = (int64_t)v->via.u64;
    if (over || n < f->min || n > f->max)
        yjc_problems_add (out,
                          YJC_E_OUT_OF_RANGE,
                          path->buf,
                          "%lld to %lld",
                          (long long)f->min,
                          (long long)f->max);
}

static void
s_check_array (const yjc_field_t *f,
               const msgpack_object *v,
               s_path_t *path,
               yjc_problems_t *out)
{
    uint32_t n = v->via.array.size;
    if ((int64_t)n > f->max) {
        yjc_problems_add (out,
                          YJC_E_TOO_MANY_ITEMS,
                          path->buf,
                          "at most %lld items, got %u",
                          (long long)f->max,
                          n);
        return;
    }
    if ((int64_t)n < f->min)
        yjc_problems_add (out,
                          YJC_E_TOO_SHORT,
                          path->buf,
                          "at least %lld items",
                          (long long)f->min);
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *item = &v->via.array.ptr[i];
        size_t mark = s_push_index (path, i);
        if (f->kind == YJC_K_ARR_MAP) {
            if (item->type != MSGPACK_OBJECT_MAP)
                yjc_problems_add (
                    out, YJC_E_WRONG_TYPE, path->buf, "expected a map");
            else
                s_validate_map (f->sub, item, path, out);
        }
        else if (item->type != MSGPACK_OBJECT_STR)
            yjc_problems_add (
                out, YJC_E_WRONG_TYPE, path->buf, "expected a string");
        else if (f->kind == YJC_K_ARR_ENUM)
            s_check_str (f, item, path, out);
        else if (item->via.str.size > 256)
            yjc_problems_add (
                out, YJC_E_TOO_LONG, path->buf, "at most 256 bytes");
        s_pop (path, mark);
    }
}

static void
s_check_field (const yjc_field_t *f,
               const msgpack_object *v,
               s_path_t *path,
               yjc_problems_t *out)
{
    if (!s_kind_matches (f->kind, v)) {
        yjc_problems_add (out,
                          YJC_E_WRONG_TYPE,
                          path->buf,
                          "expected %s",
                          s_type_name (f->kind));
        return;
    }
    switch (f->kind) {
        case YJC_K_INT: s_check_int (f, v, path, out); break;
        case YJC_K_MAP: s_validate_map (f->sub, v, path, out); break;
        case YJC_K_ARR_STR:
        case YJC_K_ARR_ENUM:
        case YJC_K_ARR_MAP: s_check_array (f, v, path, out); break;
        case YJC_K_BOOL:
        case YJC_K_ANYMAP: break;
        default: s_check_str (f, v, path, out);
    }
}

static void
s_validate_map (const yjc_schema_t *schema,
                const msgpack_object *obj,
                s_path_t *path,
                yjc_problems_t *out)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        size_t mark = s_push_key (path, f->key, strlen (f->key));
        const msgpack_object *v = yjc_obj_get (obj, f->key);
        //  nil counts as absent, so JSON null can clear an optional line
        if (!v || v->type == MSGPACK_OBJECT_NIL) {
            if (f->required)
                yjc_problems_add (
                    out, YJC_E_MISSING_FIELD, path->buf, "required");
        }
        else
            s_check_field (f, v, path, out);
        s_pop (path, mark);
    }
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
        const msgpack_object *k = &obj->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            yjc_problems_add (
                out, YJC_E_WRONG_TYPE, path->buf, "map keys must be strings");
            continue;
        }
        const yjc_field_t *f = schema->fields;
        while (f->key &&
               !(strlen (f->key) == k->via.str.size &&
                 memcmp (f->key, k->via.str.ptr, k->via.str.size) == 0))
            f++;
        if (!f->key) {
            size_t mark =
                s_push_key (path,
                            k->via.str.ptr,
                            k->via.str.size > 64 ? 64 : k->via.str.size);
            yjc_problems_add (out,
                              YJC_E_UNKNOWN_FIELD,
                              path->buf,
                              "not part of %s",
                              schema->name);
            s_pop (path, mark);
        }
    }
}

int
yjc_validate (const yjc_schema_t *schema,
              const msgpack_object *obj,
              const char *prefix,
              yjc_problems_t *out)
{
    int before = out->count;
    s_path_t path = { "", 0 };
    s_push_key (&path, prefix ? prefix : "", prefix ? strlen (prefix) : 0);
    if (!obj || obj->type != MSGPACK_OBJECT_MAP)
        yjc_problems_add (out, YJC_E_WRONG_TYPE, path.buf, "expected a map");
    else
        s_validate_map (schema, obj, &path, out);
    return out->count - before + (out->truncated ? 1 : 0);
}
