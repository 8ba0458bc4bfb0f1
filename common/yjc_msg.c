/*  yjc_msg.c - the wire envelope: decode with bounds, encode.            */
#include "yjc_msg.h"
#include "yjc_map.h"
#include "yjc_mpcheck.h"
#include <stdio.h>

static const yjc_mp_limits_t s_limits = { YJC_MAX_FRAME,
                                          YJC_MAX_DEPTH,
                                          YJC_MAX_STR,
                                          YJC_MAX_ITEMS,
                                          YJC_MAX_BIN };

void
yjc_request_init (yjc_request_t *self)
{
    memset (self, 0, sizeof *self);
    msgpack_unpacked_init (&self->unpacked);
    self->type = -1;
}

void
yjc_request_release (yjc_request_t *self)
{
    msgpack_unpacked_destroy (&self->unpacked);
    free (self->bytes);
    self->bytes = NULL;
}

//  msgpack-c leaves strings pointing into the input: decode from a copy
//  that lives as long as the objects do, not as long as the frame.
static const char *
s_own_copy (char **bytes_p, const void *data, size_t len)
{
    free (*bytes_p);
    *bytes_p = (char *)malloc (len ? len : 1);
    if (*bytes_p && len)
        memcpy (*bytes_p, data, len);
    return *bytes_p;
}

static yjc_err_t
s_err_of_status (yjc_mp_status_t status)
{
    switch (status) {
        case YJC_MP_TOO_LARGE: return YJC_E_TOO_LARGE;
        case YJC_MP_TOO_DEEP: return YJC_E_TOO_DEEP;
        case YJC_MP_STR_TOO_LONG: return YJC_E_TOO_LONG;
        case YJC_MP_TOO_MANY_ITEMS: return YJC_E_TOO_MANY_ITEMS;
        case YJC_MP_NO_MEMORY: return YJC_E_INTERNAL;
        default: return YJC_E_MALFORMED;
    }
}

//  Reads the id early, so that even a refused request gets a framed reply.
static void
s_read_id (yjc_request_t *self, const msgpack_object *root)
{
    const char *p;
    size_t len;
    if (yjc_obj_str (root, "id", &p, &len) && len > 0 && len <= YJC_MAX_ID) {
        memcpy (self->id, p, len);
        self->id[len] = 0;
    }
}

static int
s_check_envelope (yjc_request_t *self,
                  const msgpack_object *root,
                  yjc_problems_t *out)
{
    int64_t v;
    const char *p;
    size_t len;
    if (root->type != MSGPACK_OBJECT_MAP) {
        yjc_problems_add (out, YJC_E_BAD_ENVELOPE, "", "expected a map");
        return -1;
    }
    s_read_id (self, root);
    if (!yjc_obj_int (root, "v", &v)) {
        yjc_problems_add (out, YJC_E_BAD_ENVELOPE, "v", "integer required");
        return -1;
    }
    if (v != YJC_PROTO_VERSION) {
        yjc_problems_add (out,
                          YJC_E_UNSUPPORTED_VERSION,
                          "v",
                          "this service speaks version %d",
                          YJC_PROTO_VERSION);
        return -1;
    }
    if (!*self->id) {
        yjc_problems_add (out,
                          YJC_E_BAD_ENVELOPE,
                          "id",
                          "string of 1 to %d bytes required",
                          YJC_MAX_ID);
        return -1;
    }
    if (!yjc_obj_str (root, "type", &p, &len) || len == 0 ||
        len > YJC_MAX_TYPE) {
        yjc_problems_add (out,
                          YJC_E_BAD_ENVELOPE,
                          "type",
                          "string of 1 to %d bytes required",
                          YJC_MAX_TYPE);
        return -1;
    }
    memcpy (self->type_wire, p, len);
    self->type_wire[len] = 0;
    self->type = yjc_msg_by_wire (p, len);
    if (self->type < 0) {
        yjc_problems_add (
            out, YJC_E_UNKNOWN_TYPE, "type", "%s", self->type_wire);
        return -1;
    }
    for (uint32_t i = 0; i < root->via.map.size; i++) {
        const msgpack_object *k = &root->via.map.ptr[i].key;
        static const char *known[] = { "v", "id", "type", "body" };
        bool found = false;
        for (size_t j = 0; j < 4 && k->type == MSGPACK_OBJECT_STR; j++)
            if (k->via.str.size == strlen (known[j]) &&
                memcmp (k->via.str.ptr, known[j], k->via.str.size) == 0)
                found = true;
        if (!found) {
            yjc_problems_add (
                out, YJC_E_BAD_ENVELOPE, "", "unknown envelope key");
            return -1;
        }
    }
    self->body = yjc_obj_get (root, "body");
    if (!self->body) {
        yjc_problems_add (out, YJC_E_MISSING_FIELD, "body", "map required");
        return -1;
    }
    return 0;
}

int
yjc_request_decode (yjc_request_t *self,
                    const void *data,
                    size_t len,
                    yjc_problems_t *out)
{
    yjc_mp_status_t status = YJC_MP_NO_MEMORY;
    self->len = len;
    const char *bytes = len <= YJC_MAX_FRAME
                            ? s_own_copy (&self->bytes, data, len)
                            : (const char *)data; //  refused unread
    if (!bytes || yjc_mp_unpack_checked (
                      bytes, len, &s_limits, &self->unpacked, &status) != 0) {
        yjc_problems_add (out,
                          s_err_of_status (status),
                          "",
                          "%s",
                          yjc_mp_status_str (status));
        return -1;
    }
    //  the body is checked after the sender's role (yjc_form_check_body)
    if (s_check_envelope (self, &self->unpacked.data, out) != 0)
        return -1;
    out->schema = yjc_msg_defs[self->type].schema;
    return 0;
}

static void
s_pack_head (yjc_pack_t *out, const char *id, int entries)
{
    yjc_pack_reset (out);
    msgpack_pack_map (&out->pk, entries);
    yjc_pk_kv_int (&out->pk, "v", YJC_PROTO_VERSION);
    yjc_pk_kv_str (&out->pk, "id", id ? id : "");
}

static void
s_pack_body (yjc_pack_t *out, const void *body, size_t body_len)
{
    if (body && body_len)
        yjc_pk_kv_raw (&out->pk, "body", body, body_len);
    else {
        yjc_pk_str (&out->pk, "body");
        msgpack_pack_map (&out->pk, 0);
    }
}

void
yjc_request_encode (yjc_pack_t *out,
                    const char *id,
                    const char *type,
                    const void *body,
                    size_t body_len)
{
    s_pack_head (out, id, 4);
    yjc_pk_kv_str (&out->pk, "type", type);
    s_pack_body (out, body, body_len);
}

void
yjc_reply_encode_ok (yjc_pack_t *out,
                     const char *id,
                     const void *body,
                     size_t body_len)
{
    s_pack_head (out, id, 4);
    yjc_pk_kv_bool (&out->pk, "ok", true);
    s_pack_body (out, body, body_len);
}

//  code and field for programs, message (and label) for a clerk, detail
//  in English for programs and logs.
static void
s_problem_fields (yjc_map_t *map, const yjc_problem_t *p)
{
    yjc_map_str (map, "code", yjc_err_code (p->code));
    yjc_map_str (map, "message", p->text);
    yjc_map_str_or_nil (map, "field", p->field);
    yjc_map_str_or_nil (map, "label", p->label);
    yjc_map_str (map, "detail", p->detail);
}

void
yjc_reply_encode_error (yjc_pack_t *out,
                        const char *id,
                        const yjc_problems_t *problems)
{
    s_pack_head (out, id, 4);
    yjc_pk_kv_bool (&out->pk, "ok", false);
    yjc_map_t error, detail;
    yjc_map_init (&error);
    yjc_map_init (&detail);
    s_problem_fields (&error, &problems->items[0]);
    if (problems->count > 1) {
        //  Every problem of the request, so a clerk fixes a form in one go.
        msgpack_packer *pk = yjc_map_key (&error, "details");
        msgpack_pack_array (pk, problems->count);
        for (int i = 0; i < problems->count; i++) {
            s_problem_fields (&detail, &problems->items[i]);
            yjc_map_end (&detail, pk);
        }
    }
    yjc_pk_str (&out->pk, "error");
    yjc_map_end (&error, &out->pk);
    yjc_map_release (&detail);
    yjc_map_release (&error);
}

void
yjc_reply_init (yjc_reply_t *self)
{
    memset (self, 0, sizeof *self);
    msgpack_unpacked_init (&self->unpacked);
}

void
yjc_reply_release (yjc_reply_t *self)
{
    msgpack_unpacked_destroy (&self->unpacked);
    free (self->bytes);
    self->bytes = NULL;
}

int
yjc_reply_decode (yjc_reply_t *self, const void *data, size_t len)
{
    static const yjc_mp_limits_t limits = {
        64 * 1024 * 1024, 64, 64 * 1024 * 1024, 1 << 20, 64 * 1024 * 1024
    };
    yjc_mp_status_t status;
    const char *bytes = s_own_copy (&self->bytes, data, len);
    if (!bytes || yjc_mp_unpack_checked (
                      bytes, len, &limits, &self->unpacked, &status) != 0)
        return -1;
    const msgpack_object *root = &self->unpacked.data;
    yjc_obj_strcpy (root, "id", self->id, sizeof self->id);
    const msgpack_object *ok = yjc_obj_get (root, "ok");
    if (!ok || ok->type != MSGPACK_OBJECT_BOOLEAN)
        return -1;
    self->ok = ok->via.boolean;
    if (self->ok) {
        self->body = yjc_obj_get (root, "body");
        return self->body && self->body->type == MSGPACK_OBJECT_MAP ? 0 : -1;
    }
    self->error = yjc_obj_get (root, "error");
    yjc_obj_strcpy (self->error, "code", self->code, sizeof self->code);
    yjc_obj_strcpy (self->error, "field", self->field, sizeof self->field);
    yjc_obj_strcpy (
        self->error, "message", self->message, sizeof self->message);
    return 0;
}

size_t
yjc_utf8_cut (const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    //  s[max] is the first byte left out: back up to the start of its
    //  character (at most 3 continuation bytes)
    size_t n = max;
    while (n > 0 && max - n < 3 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return ((unsigned char)s[n] & 0xc0) == 0x80 ? max : n;
}

size_t
yjc_utf8_scrub (char *s)
{
    size_t len = strlen (s), in = 0, out = 0;
    while (in < len) {
        size_t n = yjc_mp_utf8_seq (s + in, len - in);
        if (n == 0) {
            in++; //  not the start of a valid character: dropped
            continue;
        }
        memmove (s + out, s + in, n);
        in += n;
        out += n;
    }
    s[out] = 0;
    return out;
}
