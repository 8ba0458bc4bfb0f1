/*  yjc_proto.h - the protocol, expanded from the definitions in proto/.

    proto/yjc_errors.def, yjc_schemas.def, yjc_messages.def and
    yjc_events.def are the single source of every error code, body, request
    and event; this header and yjc_proto.c turn them into enums, lookup
    tables and one generic validator.  Nothing here is written per message. */
#ifndef YJC_PROTO_H_INCLUDED
#define YJC_PROTO_H_INCLUDED

#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

#define YJC_PROTO_VERSION 1

//  Bounds every service applies to every frame before decoding it.
#define YJC_MAX_FRAME (1024 * 1024)
#define YJC_MAX_DEPTH 16
#define YJC_MAX_STR   (64 * 1024)
#define YJC_MAX_ITEMS 5000         //  a metering.report batch (R11.3)
#define YJC_MAX_BIN   (256 * 1024) //  one file chunk (attachment.put)
#define YJC_MAX_ID    64
#define YJC_MAX_TYPE  64

typedef enum {
#define ERR(ident, code, zh) YJC_E_##ident,
#include "../proto/yjc_errors.def"
#undef ERR
    YJC_E_COUNT
} yjc_err_t;

//  The services, from proto/yjc_services.def.
typedef enum {
#define SVC(ident, name, dir, schema, port, zh) YJC_SVC_##ident,
#include "../proto/yjc_services.def"
#undef SVC
    YJC_SVC_COUNT,
    YJC_SVC_ANY = -1
} yjc_service_t;

//  S_INTAKE ...: one bit per service, for event receivers.
enum {
#define SVC(ident, name, dir, schema, port, zh)                                \
    S_##ident = 1u << YJC_SVC_##ident,
#include "../proto/yjc_services.def"
#undef SVC
};

typedef enum {
    YJC_ROLE_UNIT,
    YJC_ROLE_BUREAU,
    YJC_ROLE_VENDOR,
    YJC_ROLE_AUDITOR,
    YJC_ROLE_ADMIN,
    YJC_ROLE_SERVICE,
    YJC_ROLE_COUNT
} yjc_role_t;

#define R_UNIT    (1u << YJC_ROLE_UNIT)
#define R_BUREAU  (1u << YJC_ROLE_BUREAU)
#define R_VENDOR  (1u << YJC_ROLE_VENDOR)
#define R_AUDITOR (1u << YJC_ROLE_AUDITOR)
#define R_ADMIN   (1u << YJC_ROLE_ADMIN)
#define R_SERVICE (1u << YJC_ROLE_SERVICE)
#define R_ANY     0xffffu

typedef enum {
    YJC_K_STR,
    YJC_K_INT,
    YJC_K_BOOL,
    YJC_K_DATE,
    YJC_K_PHONE,
    YJC_K_ENUM,
    YJC_K_MAP,
    YJC_K_ANYMAP,
    YJC_K_ARR_STR,
    YJC_K_ARR_ENUM,
    YJC_K_ARR_MAP,
    YJC_K_BIN, //  msgpack bin; min/max in bytes
    YJC_K_HEX  //  lowercase hex digits; min/max in characters
} yjc_kind_t;

//  The kinds of material an application carries (R8), from
//  proto/yjc_materials.def.
typedef enum {
#define MATERIAL(ident, wire, zh) YJC_MAT_##ident,
#include "../proto/yjc_materials.def"
#undef MATERIAL
    YJC_MAT_COUNT
} yjc_material_t;

typedef struct {
    const char *wire; //  "construction_plan"
    const char *zh;   //  "信息系统建设方案"
} yjc_material_def_t;

extern const yjc_material_def_t yjc_material_defs[YJC_MAT_COUNT];
int yjc_material_by_wire (const char *wire, size_t len); //  -1 if unknown

#define YJC_REQ true
#define YJC_OPT false

typedef struct yjc_schema_s yjc_schema_t;

typedef struct {
    const char *key;         //  map key on the wire
    yjc_kind_t kind;         //  what the value must be
    bool required;           //  missing -> missing_field
    int64_t min, max;        //  length, value or item count (see .def)
    const yjc_schema_t *sub; //  MAP / ARR_MAP element schema
    const char *enumv;       //  ENUM / ARR_ENUM: "a|b|c"
    const char *label;       //  as the 审核表 words it, NULL if none
} yjc_field_t;

struct yjc_schema_s {
    const char *name;          //  as in yjc_schemas.def
    const yjc_field_t *fields; //  terminated by key == NULL
};

#define SCHEMA(n) extern const yjc_schema_t yjc_schema_##n;
#define F(...)
#define END(n)
#include "../proto/yjc_schemas.def"
#undef SCHEMA
#undef F
#undef END

typedef enum {
#define MSG(ident, wire, svc, roles, schema) YJC_MSG_##ident,
#include "../proto/yjc_messages.def"
#undef MSG
    YJC_MSG_COUNT
} yjc_msg_type_t;

typedef struct {
    const char *wire;           //  "application.submit"
    int service;                //  yjc_service_t, or YJC_SVC_ANY
    unsigned roles;             //  R_* mask of who may send it
    const yjc_schema_t *schema; //  its body
} yjc_msg_def_t;

typedef enum {
#define EVENT(ident, wire, producer, receivers, schema, zh) YJC_EV_##ident,
#include "../proto/yjc_events.def"
#undef EVENT
    YJC_EV_COUNT
} yjc_event_type_t;

typedef struct {
    const char *wire;           //  "application.submitted"
    yjc_service_t producer;     //  the only service that may emit it
    unsigned receivers;         //  S_* mask, always including S_AUDIT
    const yjc_schema_t *schema; //  its payload
    const char *zh;             //  what a clerk reads: "受理"
} yjc_event_def_t;

extern const yjc_msg_def_t yjc_msg_defs[YJC_MSG_COUNT];
extern const yjc_event_def_t yjc_event_defs[YJC_EV_COUNT];

const char *yjc_err_code (yjc_err_t err);             //  "missing_field"
const char *yjc_err_zh (yjc_err_t err);               //  "缺少必填项"
int yjc_err_by_code (const char *code);               //  -1 if unknown
const char *yjc_service_name (int svc);               //  "intake"
int yjc_service_by_name (const char *name);           //  -1 if unknown
const char *yjc_role_name (int role);                 //  "unit"
int yjc_role_by_name (const char *name);              //  -1 if unknown
int yjc_msg_by_wire (const char *wire, size_t len);   //  -1 if unknown
int yjc_event_by_wire (const char *wire, size_t len); //  -1 if unknown

//  A service's columns of yjc_services.def ("", 0 if unknown).
const char *yjc_service_dir (int svc);    //  "provisioning-adapter"
const char *yjc_service_schema (int svc); //  "provisioning"
int yjc_service_port (int svc);           //  7103
const char *yjc_service_zh (int svc);     //  "供应商接口"

//  The Chinese words of an enum value (yjc_values.def, or a material
//  kind's from yjc_materials.def), by the key of its field; NULL if none.
const char *yjc_value_zh (const char *key, const char *value, size_t len);
//  The Chinese role name ("供应商"), for what a clerk reads.
const char *yjc_role_zh (int role);

//  One problem of a request.  `field` is the path for programs
//  ("body.form.resources.hosts[0].data_disk_gb"), `label` the same field
//  as the 审核表 words it ("云主机 配置1 · 数据盘"), `text` what a clerk
//  reads (the wire's `message`: the label, what is wrong and what is
//  allowed, in Chinese), `detail` the English detail for programs, and
//  `message` the line for logs ("path: 中文说明 (detail)").
typedef struct {
    yjc_err_t code;
    char field[128];
    char label[128];
    char text[512];
    char detail[200];
    char message[256];
} yjc_problem_t;

#define YJC_MAX_PROBLEMS 32

typedef struct {
    int count;      //  problems found (capped)
    bool truncated; //  more than YJC_MAX_PROBLEMS
    //  the body's schema, to name fields by their labels (NULL: by path)
    const yjc_schema_t *schema;
    yjc_problem_t items[YJC_MAX_PROBLEMS];
} yjc_problems_t;

//  Checks `obj` against `schema`; every problem (not just the first) is
//  added to `out` with its field path prefixed by `path` (may be "").
//  Returns the number of problems found.
int yjc_validate (const yjc_schema_t *schema,
                  const msgpack_object *obj,
                  const char *path,
                  yjc_problems_t *out);

//  Adds one problem with an English detail (printf-style); a clerk reads
//  the field's label and the code's Chinese text.
void yjc_problems_add (yjc_problems_t *self,
                       yjc_err_t code,
                       const char *field,
                       const char *fmt,
                       ...) __attribute__ ((format (printf, 4, 5)));

//  Adds one problem that says in Chinese (printf-style `fmt`) what is
//  wrong and what is allowed: a clerk reads "标签：<that>"; `detail` is
//  the English detail for programs.
void yjc_problems_say (yjc_problems_t *self,
                       yjc_err_t code,
                       const char *field,
                       const char *detail,
                       const char *fmt,
                       ...) __attribute__ ((format (printf, 5, 6)));

//  Is there a problem at `field` already?
bool yjc_problems_at (const yjc_problems_t *self, const char *field);

//  The label of the field at `path` under `schema` (the path's first
//  component is the body's own name, "body" or "payload").
void yjc_label_of (const yjc_schema_t *schema,
                   const char *path,
                   char *buf,
                   size_t size);

//  Map lookup on a decoded object; NULL when absent or obj not a map.
const msgpack_object *yjc_obj_get (const msgpack_object *obj, const char *key);
//  Typed views; return false when absent or of another type.
bool yjc_obj_str (const msgpack_object *obj,
                  const char *key,
                  const char **ptr,
                  size_t *len);
bool yjc_obj_int (const msgpack_object *obj, const char *key, int64_t *out);
//  Copies a string field into buf (NUL-terminated, truncated); "" if absent.
const char *yjc_obj_strcpy (const msgpack_object *obj,
                            const char *key,
                            char *buf,
                            size_t size);

#endif
