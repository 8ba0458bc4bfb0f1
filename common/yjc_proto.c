/*  yjc_proto.c - tables and the one validator, expanded from proto/.      */
#include "yjc_proto.h"
#include "yjc_msg.h"
#include "yjc_time.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- schemas ----------------------------------------------------------- */

//  `sub` is a schema name or NULL; NULL pastes to this empty schema.
static const yjc_field_t s_no_fields[] = {
    { NULL, 0, false, 0, 0, NULL, NULL, NULL }
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

//  The vendor's obligations (R16, R21), the same way.
static const char s_obligation_codes[] = ""
#define OBLIGATION(                                                            \
    ident, code, period, count, months, due, held, per_unit, rule, zh)         \
    "|" code
#include "../proto/yjc_obligations.def"
    ;
#define YJC_OBLIGATION_CODES (s_obligation_codes + 1)

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
#define F(key, kind, req, min, max, sub, enumv, label)                         \
    { key, YJC_K_##kind, YJC_##req, min, max, &yjc_schema_##sub, enumv, label },
#define END(n)                                                                 \
    {                                                                          \
        NULL, 0, false, 0, 0, NULL, NULL, NULL                                 \
    }                                                                          \
    }                                                                          \
    ;                                                                          \
    const yjc_schema_t yjc_schema_##n = { #n, s_##n##_fields };
#include "../proto/yjc_schemas.def"
#undef SCHEMA
#undef F
#undef END

/* ---- messages, events, errors ------------------------------------------ */

//  The SERVICE column of the .def files: ANY or an IDENT of
//  yjc_services.def.
enum {
    ANY = YJC_SVC_ANY,
#define SVC(ident, name, dir, schema, port, zh) ident = YJC_SVC_##ident,
#include "../proto/yjc_services.def"
#undef SVC
};

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

static const char *s_services[YJC_SVC_COUNT] = {
#define SVC(ident, name, dir, schema, port, zh) name,
#include "../proto/yjc_services.def"
#undef SVC
};

static const struct {
    const char *dir, *schema, *zh;
    int port;
} s_service_defs[YJC_SVC_COUNT] = {
#define SVC(ident, name, dir, schema, port, zh) { dir, schema, zh, port },
#include "../proto/yjc_services.def"
#undef SVC
};
static const char *s_roles[YJC_ROLE_COUNT] = { "unit",    "bureau", "vendor",
                                               "auditor", "admin",  "service" };
static const char *s_roles_zh[YJC_ROLE_COUNT] = { "使用单位", "主管部门",
                                                  "供应商",   "监管审计",
                                                  "管理员",   "平台服务" };

static const struct {
    const char *key, *wire, *zh;
} s_values[] = {
#define VALUE(key, wire, zh) { key, wire, zh },
#include "../proto/yjc_values.def"
#undef VALUE
};

const char *
yjc_value_zh (const char *key, const char *value, size_t len)
{
    for (size_t i = 0; i < sizeof s_values / sizeof *s_values; i++)
        if (strcmp (s_values[i].key, key) == 0 &&
            strlen (s_values[i].wire) == len &&
            memcmp (s_values[i].wire, value, len) == 0)
            return s_values[i].zh;
    int k = yjc_material_by_wire (value, len);
    return k >= 0 ? yjc_material_defs[k].zh : NULL;
}

const char *
yjc_role_zh (int role)
{
    return role >= 0 && role < YJC_ROLE_COUNT ? s_roles_zh[role] : "";
}

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

static bool
s_service_known (int svc)
{
    return svc >= 0 && svc < YJC_SVC_COUNT;
}

const char *
yjc_service_dir (int svc)
{
    return s_service_known (svc) ? s_service_defs[svc].dir : "";
}

const char *
yjc_service_schema (int svc)
{
    return s_service_known (svc) ? s_service_defs[svc].schema : "";
}

int
yjc_service_port (int svc)
{
    return s_service_known (svc) ? s_service_defs[svc].port : 0;
}

const char *
yjc_service_zh (int svc)
{
    return s_service_known (svc) ? s_service_defs[svc].zh : "";
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
    len = yjc_utf8_cut (p, len, size - 1);
    if (len)
        memcpy (buf, p, len);
    buf[len] = 0;
    return buf;
}

/* ---- labels ------------------------------------------------------------ */

//  Envelope keys, for the problems that name them.
static const char *s_envelope_zh[][2] = {
    { "v", "协议版本" },
    { "id", "请求编号" },
    { "type", "请求类型" },
    { "body", "请求内容" },
};

static void
s_append (char *buf, size_t size, const char *s, size_t n)
{
    size_t len = strlen (buf);
    n = yjc_utf8_cut (s, n, size - 1 - len); //  never half a character
    if (n)
        memcpy (buf + len, s, n);
    buf[len + n] = 0;
}

//  Appends one level's label: "#" is the item's number (from 1); without
//  an item the label ends at the space before "#".
static void
s_append_label (char *buf, size_t size, const char *label, long item)
{
    if (*buf)
        s_append (buf, size, " · ", strlen (" · "));
    const char *hash = strchr (label, '#');
    if (!hash) {
        s_append (buf, size, label, strlen (label));
        return;
    }
    if (item < 0) {
        const char *end = hash;
        while (end > label && end[-1] != ' ')
            end--;
        s_append (buf,
                  size,
                  label,
                  (size_t)(end > label ? end - 1 - label : hash - label));
        return;
    }
    char number[24];
    snprintf (number, sizeof number, "%ld", item + 1);
    s_append (buf, size, label, (size_t)(hash - label));
    s_append (buf, size, number, strlen (number));
    s_append (buf, size, hash + 1, strlen (hash + 1));
}

void
yjc_label_of (const yjc_schema_t *schema,
              const char *path,
              char *buf,
              size_t size)
{
    buf[0] = 0;
    size_t n = strcspn (path, ".[");
    if (!path[n]) { //  the body itself, or a key of the envelope
        for (size_t i = 0; i < sizeof s_envelope_zh / sizeof *s_envelope_zh;
             i++)
            if (strlen (s_envelope_zh[i][0]) == n &&
                memcmp (s_envelope_zh[i][0], path, n) == 0)
                s_append (buf,
                          size,
                          s_envelope_zh[i][1],
                          strlen (s_envelope_zh[i][1]));
        return;
    }
    const char *p = path + n;
    while (*p == '.' && schema) {
        p++;
        size_t klen = strcspn (p, ".[");
        const yjc_field_t *f = schema->fields;
        while (f->key &&
               !(strlen (f->key) == klen && memcmp (f->key, p, klen) == 0))
            f++;
        if (!f->key) { //  a key the schema does not know: as written
            if (*buf)
                s_append (buf, size, " · ", strlen (" · "));
            s_append (buf, size, p, klen);
            return;
        }
        p += klen;
        long item = -1;
        if (*p == '[') {
            item = strtol (p + 1, NULL, 10);
            p += strcspn (p, "]");
            p += *p == ']';
        }
        const char *label = f->label ? f->label : f->key;
        if (*label == '~') //  a heading: named only for itself
            label = *p ? "" : label + 1;
        if (*label)
            s_append_label (buf, size, label, item);
        schema =
            f->kind == YJC_K_MAP || f->kind == YJC_K_ARR_MAP ? f->sub : NULL;
    }
}

/* ---- problems ---------------------------------------------------------- */

//  Copies a NUL-terminated string, truncated (the source may overlap).
static void
s_copy (char *dst, size_t size, const char *src)
{
    size_t n = yjc_utf8_cut (src, strlen (src), size - 1);
    memmove (dst, src, n);
    dst[n] = 0;
}

static yjc_problem_t *
s_problem_new (yjc_problems_t *self,
               yjc_err_t code,
               const char *field,
               const char *detail)
{
    if (self->count >= YJC_MAX_PROBLEMS) {
        self->truncated = true;
        return NULL;
    }
    yjc_problem_t *p = &self->items[self->count++];
    p->code = code;
    s_copy (p->field, sizeof p->field, field ? field : "");
    s_copy (p->detail, sizeof p->detail, detail);
    if (self->schema || !*p->field || !strchr (p->field, '.'))
        yjc_label_of (self->schema, p->field, p->label, sizeof p->label);
    else
        s_copy (p->label, sizeof p->label, p->field);
    //  the line for logs: "path: 中文说明 (detail)"
    p->message[0] = 0;
    if (*p->field) {
        s_append (p->message, sizeof p->message, p->field, strlen (p->field));
        s_append (p->message, sizeof p->message, ": ", 2);
    }
    s_append (p->message,
              sizeof p->message,
              yjc_err_zh (code),
              strlen (yjc_err_zh (code)));
    s_append (p->message, sizeof p->message, " (", 2);
    s_append (p->message, sizeof p->message, p->detail, strlen (p->detail));
    s_append (p->message, sizeof p->message, ")", 1);
    return p;
}

//  text = "label：what" (or "what" when the field has no label).
static void
s_problem_text (yjc_problem_t *p, const char *what)
{
    p->text[0] = 0;
    if (*p->label) {
        s_append (p->text, sizeof p->text, p->label, strlen (p->label));
        s_append (p->text, sizeof p->text, "：", strlen ("："));
    }
    s_append (p->text, sizeof p->text, what, strlen (what));
    //  whatever a caller formatted (%.*s cuts by bytes), the reply
    //  carries valid UTF-8 only
    yjc_utf8_scrub (p->field);
    yjc_utf8_scrub (p->label);
    yjc_utf8_scrub (p->detail);
    yjc_utf8_scrub (p->message);
    yjc_utf8_scrub (p->text);
}

void
yjc_problems_add (yjc_problems_t *self,
                  yjc_err_t code,
                  const char *field,
                  const char *fmt,
                  ...)
{
    char detail[200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (detail, sizeof detail, fmt, args);
    va_end (args);
    yjc_utf8_scrub (detail); //  vsnprintf cuts by bytes
    yjc_problem_t *p = s_problem_new (self, code, field, detail);
    if (p)
        s_problem_text (p, yjc_err_zh (code));
}

void
yjc_problems_say (yjc_problems_t *self,
                  yjc_err_t code,
                  const char *field,
                  const char *detail,
                  const char *fmt,
                  ...)
{
    yjc_problem_t *p = s_problem_new (self, code, field, detail);
    if (!p)
        return;
    char what[400];
    va_list args;
    va_start (args, fmt);
    vsnprintf (what, sizeof what, fmt, args);
    va_end (args);
    yjc_utf8_scrub (what);
    s_problem_text (p, what);
}

bool
yjc_problems_at (const yjc_problems_t *self, const char *field)
{
    for (int i = 0; i < self->count; i++)
        if (strcmp (self->items[i].field, field) == 0)
            return true;
    return false;
}

/* ---- validation -------------------------------------------------------- */

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

//  The path of the field being checked ("body.form.hosts[0].os"), built
//  in place as the walk goes down and cut back as it returns: no string
//  formatting unless a problem is reported.
typedef struct {
    char buf[160];
    size_t len;
} s_path_t;

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

//  What a value of the kind is, as a clerk says it.
static const char *
s_type_zh (yjc_kind_t kind)
{
    switch (kind) {
        case YJC_K_STR: return "文字";
        case YJC_K_DATE: return "日期（文字，如“2027-01-01”）";
        case YJC_K_PHONE: return "电话号码（文字）";
        case YJC_K_ENUM: return "选项（文字）";
        case YJC_K_INT: return "整数";
        case YJC_K_BOOL: return "“是”或“否”";
        case YJC_K_MAP:
        case YJC_K_ANYMAP: return "一组填写项";
        case YJC_K_BIN: return "文件内容（二进制）";
        case YJC_K_HEX: return "十六进制字符串";
        default: return "列表";
    }
}

static void
s_wrong_type (yjc_kind_t kind, s_path_t *path, yjc_problems_t *out)
{
    char detail[64];
    snprintf (detail, sizeof detail, "expected %s", s_type_name (kind));
    yjc_problems_say (
        out, YJC_E_WRONG_TYPE, path->buf, detail, "应填写%s", s_type_zh (kind));
}

static void
s_path_put (s_path_t *p, const char *s, size_t n)
{
    //  truncated paths still say enough (whole characters: keys are text)
    n = yjc_utf8_cut (s, n, sizeof p->buf - 1 - p->len);
    if (n) //  an empty key's pointer may be NULL
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

//  Length of a string (bytes), hex (characters) or bin (bytes).
static void
s_check_length (const yjc_field_t *f,
                size_t len,
                s_path_t *path,
                yjc_problems_t *out)
{
    char detail[64];
    if ((int64_t)len > f->max) {
        snprintf (detail,
                  sizeof detail,
                  "at most %lld bytes, got %zu",
                  (long long)f->max,
                  len);
        yjc_problems_say (out,
                          YJC_E_TOO_LONG,
                          path->buf,
                          detail,
                          f->kind == YJC_K_STR
                              ? "不能超过 %lld 字节（一个汉字占 3 字节），"
                                "填写了 %zu 字节"
                              : "不能超过 %lld 字节，填写了 %zu 字节",
                          (long long)f->max,
                          len);
    }
    else if ((int64_t)len < f->min) {
        snprintf (
            detail, sizeof detail, "at least %lld bytes", (long long)f->min);
        if (f->min == 1)
            yjc_problems_say (
                out, YJC_E_TOO_SHORT, path->buf, detail, "不能为空");
        else
            yjc_problems_say (out,
                              YJC_E_TOO_SHORT,
                              path->buf,
                              detail,
                              "至少 %lld 个字符",
                              (long long)f->min);
    }
}

//  An enum value not listed: the allowed ones, in the form's words.
static void
s_bad_choice (const yjc_field_t *f, s_path_t *path, yjc_problems_t *out)
{
    char detail[200], allowed[360] = "";
    snprintf (detail, sizeof detail, "one of %s", f->enumv);
    const char *p = f->enumv;
    while (*p) {
        size_t n = strcspn (p, "|");
        const char *zh = yjc_value_zh (f->key, p, n);
        if (*allowed)
            s_append (allowed, sizeof allowed, "、", strlen ("、"));
        s_append (allowed, sizeof allowed, zh ? zh : p, zh ? strlen (zh) : n);
        p += n + (p[n] == '|');
    }
    yjc_problems_say (out,
                      YJC_E_INVALID_VALUE,
                      path->buf,
                      detail,
                      "须为以下之一：%s",
                      allowed);
}

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
                    yjc_problems_say (out,
                                      YJC_E_INVALID_VALUE,
                                      path->buf,
                                      "lowercase hexadecimal digits only",
                                      "只能含数字 0-9 和小写字母 a-f");
                    return;
                }
            __attribute__ ((fallthrough)); //  and its length
        case YJC_K_STR:
        case YJC_K_BIN: s_check_length (f, len, path, out); break;
        case YJC_K_DATE: {
            char buf[16];
            yjc_date_t d;
            if (len >= sizeof buf || (memcpy (buf, s, len),
                                      buf[len] = 0,
                                      yjc_date_parse (buf, &d) != 0))
                yjc_problems_say (out,
                                  YJC_E_INVALID_DATE,
                                  path->buf,
                                  "expected YYYY-MM-DD",
                                  "须为真实的日期，写作“2027-01-01”的样式");
            break;
        }
        case YJC_K_PHONE:
            if (!s_is_phone (s, len))
                yjc_problems_say (out,
                                  YJC_E_INVALID_PHONE,
                                  path->buf,
                                  "7-15 digits, '-' or spaces, optional '+'",
                                  "不是有效的电话号码（7 到 15 位数字，可用“-”"
                                  "或空格分隔，开头可加“+”）");
            break;
        case YJC_K_ENUM:
        case YJC_K_ARR_ENUM:
            if (!s_enum_has (f->enumv, s, len))
                s_bad_choice (f, path, out);
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
    char detail[64];
    snprintf (detail,
              sizeof detail,
              "%lld to %lld",
              (long long)f->min,
              (long long)f->max);
    if (over)
        yjc_problems_say (
            out, YJC_E_OUT_OF_RANGE, path->buf, detail, "填写的数值过大");
    else if (n < f->min || n > f->max)
        yjc_problems_say (out,
                          YJC_E_OUT_OF_RANGE,
                          path->buf,
                          detail,
                          "须在 %lld 到 %lld 之间，填写的是 %lld",
                          (long long)f->min,
                          (long long)f->max,
                          (long long)n);
}

static void
s_check_array (const yjc_field_t *f,
               const msgpack_object *v,
               s_path_t *path,
               yjc_problems_t *out)
{
    uint32_t n = v->via.array.size;
    char detail[64];
    if ((int64_t)n > f->max) {
        snprintf (detail,
                  sizeof detail,
                  "at most %lld items, got %u",
                  (long long)f->max,
                  n);
        yjc_problems_say (out,
                          YJC_E_TOO_MANY_ITEMS,
                          path->buf,
                          detail,
                          "最多 %lld 项，填写了 %u 项",
                          (long long)f->max,
                          n);
        return;
    }
    if ((int64_t)n < f->min) {
        snprintf (
            detail, sizeof detail, "at least %lld items", (long long)f->min);
        yjc_problems_say (out,
                          YJC_E_TOO_SHORT,
                          path->buf,
                          detail,
                          "至少填写 %lld 项",
                          (long long)f->min);
    }
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *item = &v->via.array.ptr[i];
        size_t mark = s_push_index (path, i);
        if (f->kind == YJC_K_ARR_MAP) {
            if (item->type != MSGPACK_OBJECT_MAP)
                s_wrong_type (YJC_K_MAP, path, out);
            else
                s_validate_map (f->sub, item, path, out);
        }
        else if (item->type != MSGPACK_OBJECT_STR)
            s_wrong_type (YJC_K_STR, path, out);
        else if (f->kind == YJC_K_ARR_ENUM)
            s_check_str (f, item, path, out);
        else if (item->via.str.size > 256)
            yjc_problems_say (out,
                              YJC_E_TOO_LONG,
                              path->buf,
                              "at most 256 bytes",
                              "每项不能超过 256 字节");
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
        s_wrong_type (f->kind, path, out);
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
                yjc_problems_say (out,
                                  YJC_E_MISSING_FIELD,
                                  path->buf,
                                  "required",
                                  "必须填写");
        }
        else
            s_check_field (f, v, path, out);
        s_pop (path, mark);
    }
    for (uint32_t i = 0; i < obj->via.map.size; i++) {
        const msgpack_object *k = &obj->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            yjc_problems_say (out,
                              YJC_E_WRONG_TYPE,
                              path->buf,
                              "map keys must be strings",
                              "填写项的名称须为文字");
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
                            yjc_utf8_cut (k->via.str.ptr, k->via.str.size, 64));
            char detail[96];
            snprintf (detail, sizeof detail, "not part of %s", schema->name);
            yjc_problems_say (out,
                              YJC_E_UNKNOWN_FIELD,
                              path->buf,
                              detail,
                              "表中没有这一项，请删除");
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
    if (!out->schema)
        out->schema = schema;
    s_path_t path = { "", 0 };
    s_push_key (&path, prefix ? prefix : "", prefix ? strlen (prefix) : 0);
    if (!obj || obj->type != MSGPACK_OBJECT_MAP)
        s_wrong_type (YJC_K_MAP, &path, out);
    else
        s_validate_map (schema, obj, &path, out);
    return out->count - before + (out->truncated ? 1 : 0);
}
