/*  yjc_pack.h - a msgpack buffer with its packer, and key/value helpers.

    Handlers write reply bodies and event payloads through these, so that
    a map entry is one line, not three.                                  */
#ifndef YJC_PACK_H_INCLUDED
#define YJC_PACK_H_INCLUDED

#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    msgpack_sbuffer buf; //  owns the bytes
    msgpack_packer pk;   //  writes into buf
} yjc_pack_t;

static inline void
yjc_pack_init (yjc_pack_t *self)
{
    msgpack_sbuffer_init (&self->buf);
    msgpack_packer_init (&self->pk, &self->buf, msgpack_sbuffer_write);
}

static inline void
yjc_pack_reset (yjc_pack_t *self)
{
    msgpack_sbuffer_clear (&self->buf);
}

static inline void
yjc_pack_release (yjc_pack_t *self)
{
    msgpack_sbuffer_destroy (&self->buf);
}

//  Appends raw bytes (already msgpack); nothing when len is 0.
static inline void
yjc_pack_append (yjc_pack_t *self, const void *data, size_t len)
{
    if (len)
        msgpack_sbuffer_write (&self->buf, (const char *)data, len);
}

static inline void
yjc_pk_str (msgpack_packer *pk, const char *s)
{
    size_t len = s ? strlen (s) : 0;
    msgpack_pack_str (pk, len);
    msgpack_pack_str_body (pk, s ? s : "", len);
}

static inline void
yjc_pk_strn (msgpack_packer *pk, const char *s, size_t len)
{
    msgpack_pack_str (pk, len);
    msgpack_pack_str_body (pk, s, len);
}

static inline void
yjc_pk_kv_str (msgpack_packer *pk, const char *key, const char *val)
{
    yjc_pk_str (pk, key);
    if (val)
        yjc_pk_str (pk, val);
    else
        msgpack_pack_nil (pk);
}

static inline void
yjc_pk_kv_int (msgpack_packer *pk, const char *key, int64_t val)
{
    yjc_pk_str (pk, key);
    msgpack_pack_int64 (pk, val);
}

static inline void
yjc_pk_kv_bool (msgpack_packer *pk, const char *key, bool val)
{
    yjc_pk_str (pk, key);
    if (val)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

static inline void
yjc_pk_kv_obj (msgpack_packer *pk, const char *key, const msgpack_object *o)
{
    yjc_pk_str (pk, key);
    if (o)
        msgpack_pack_object (pk, *o);
    else
        msgpack_pack_nil (pk);
}

//  Appends already-encoded msgpack bytes as the value of `key`.
static inline void
yjc_pk_kv_raw (msgpack_packer *pk, const char *key, const void *raw, size_t len)
{
    yjc_pk_str (pk, key);
    if (len)
        msgpack_sbuffer_write (pk->data, (const char *)raw, len);
    else
        msgpack_pack_nil (pk); //  keeps the map well-formed
}

#endif
