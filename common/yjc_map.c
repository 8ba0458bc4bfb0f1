/*  yjc_map.c - a msgpack map that counts its own entries.              */
#include "yjc_map.h"

void
yjc_map_init (yjc_map_t *self)
{
    yjc_pack_init (&self->entries);
    self->count = 0;
}

void
yjc_map_release (yjc_map_t *self)
{
    yjc_pack_release (&self->entries);
    self->count = 0;
}

msgpack_packer *
yjc_map_entries (yjc_map_t *self, uint32_t n)
{
    self->count += n;
    return &self->entries.pk;
}

msgpack_packer *
yjc_map_entry (yjc_map_t *self)
{
    return yjc_map_entries (self, 1);
}

msgpack_packer *
yjc_map_key (yjc_map_t *self, const char *key)
{
    msgpack_packer *pk = yjc_map_entry (self);
    yjc_pk_str (pk, key);
    return pk;
}

void
yjc_map_str (yjc_map_t *self, const char *key, const char *val)
{
    msgpack_packer *pk = yjc_map_key (self, key);
    if (val)
        yjc_pk_str (pk, val);
    else
        msgpack_pack_nil (pk);
}

void
yjc_map_str_or_nil (yjc_map_t *self, const char *key, const char *val)
{
    yjc_map_str (self, key, val && *val ? val : NULL);
}

void
yjc_map_int (yjc_map_t *self, const char *key, int64_t val)
{
    msgpack_pack_int64 (yjc_map_key (self, key), val);
}

void
yjc_map_bool (yjc_map_t *self, const char *key, bool val)
{
    msgpack_packer *pk = yjc_map_key (self, key);
    if (val)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

void
yjc_map_obj (yjc_map_t *self, const char *key, const msgpack_object *val)
{
    msgpack_packer *pk = yjc_map_key (self, key);
    if (val)
        msgpack_pack_object (pk, *val);
    else
        msgpack_pack_nil (pk);
}

void
yjc_map_raw (yjc_map_t *self, const char *key, const void *raw, size_t len)
{
    msgpack_packer *pk = yjc_map_key (self, key);
    if (len)
        yjc_pack_append (&self->entries, raw, len);
    else
        msgpack_pack_nil (pk); //  keeps the map well-formed
}

void
yjc_map_end (yjc_map_t *self, msgpack_packer *pk)
{
    msgpack_pack_map (pk, self->count);
    if (self->entries.buf.size)
        pk->callback (pk->data, self->entries.buf.data, self->entries.buf.size);
    yjc_pack_reset (&self->entries);
    self->count = 0;
}

/* ---- selftest ---------------------------------------------------------- */

//  Unpacks what `pack` holds: its one value, or NULL.
static const msgpack_object *
s_unpack (const yjc_pack_t *pack, msgpack_unpacked *un)
{
    size_t off = 0;
    if (msgpack_unpack_next (un, pack->buf.data, pack->buf.size, &off) !=
            MSGPACK_UNPACK_SUCCESS ||
        off != pack->buf.size)
        return NULL;
    return &un->data;
}

static bool
s_is_str (const msgpack_object *o, const char *s)
{
    return o && o->type == MSGPACK_OBJECT_STR &&
           o->via.str.size == strlen (s) &&
           memcmp (o->via.str.ptr, s, o->via.str.size) == 0;
}

//  The value of `key` in map `m`, or NULL.
static const msgpack_object *
s_get (const msgpack_object *m, const char *key)
{
    for (uint32_t i = 0; m && i < m->via.map.size; i++)
        if (s_is_str (&m->via.map.ptr[i].key, key))
            return &m->via.map.ptr[i].val;
    return NULL;
}

void
yjc_map_test (yjc_test_t *t)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_pack_t out, raw;
    yjc_pack_init (&out);
    yjc_pack_init (&raw);
    msgpack_pack_array (&raw.pk, 2);
    msgpack_pack_int (&raw.pk, 1);
    msgpack_pack_int (&raw.pk, 2);
    msgpack_unpacked un, inner;
    msgpack_unpacked_init (&un);
    msgpack_unpacked_init (&inner);
    const msgpack_object *arr = s_unpack (&raw, &inner);

    //  Every kind, optional entries left out or in: the count follows
    for (int with = 0; with < 2; with++) {
        yjc_pack_reset (&out);
        yjc_map_str (&map, "s", "text");
        yjc_map_str (&map, "null", NULL);
        yjc_map_str_or_nil (&map, "empty", "");
        yjc_map_str_or_nil (&map, "kept", "x");
        yjc_map_int (&map, "i", -42);
        yjc_map_bool (&map, "b", true);
        yjc_map_obj (&map, "o", arr);
        yjc_map_obj (&map, "no", NULL);
        yjc_map_raw (&map, "r", raw.buf.data, raw.buf.size);
        yjc_map_raw (&map, "nr", NULL, 0);
        if (with) {
            yjc_map_str (&map, "deadline", "2026-05-01");
            msgpack_pack_array (yjc_map_key (&map, "rows"), 0);
            yjc_pk_kv_int (yjc_map_entry (&map), "whole", 7);
            msgpack_packer *pk = yjc_map_entries (&map, 2);
            yjc_pk_kv_int (pk, "two", 2);
            yjc_pk_kv_bool (pk, "three", true);
        }
        yjc_map_end (&map, &out.pk);
        const msgpack_object *m = s_unpack (&out, &un);
        YJC_CHECK (t, m && m->type == MSGPACK_OBJECT_MAP);
        YJC_CHECK (t, m && m->via.map.size == (with ? 15u : 10u));
        YJC_CHECK (t, s_is_str (s_get (m, "s"), "text"));
        YJC_CHECK (t, s_get (m, "null")->type == MSGPACK_OBJECT_NIL);
        YJC_CHECK (t, s_get (m, "empty")->type == MSGPACK_OBJECT_NIL);
        YJC_CHECK (t, s_is_str (s_get (m, "kept"), "x"));
        YJC_CHECK (t, s_get (m, "i")->via.i64 == -42);
        YJC_CHECK (t,
                   s_get (m, "b")->type == MSGPACK_OBJECT_BOOLEAN &&
                       s_get (m, "b")->via.boolean);
        YJC_CHECK (t,
                   s_get (m, "o")->type == MSGPACK_OBJECT_ARRAY &&
                       s_get (m, "o")->via.array.size == 2);
        YJC_CHECK (t, s_get (m, "no")->type == MSGPACK_OBJECT_NIL);
        YJC_CHECK (t,
                   s_get (m, "r")->type == MSGPACK_OBJECT_ARRAY &&
                       s_get (m, "r")->via.array.ptr[1].via.u64 == 2);
        YJC_CHECK (t, s_get (m, "nr")->type == MSGPACK_OBJECT_NIL);
        YJC_CHECK (t, (s_get (m, "deadline") != NULL) == (with == 1));
        YJC_CHECK (t, (s_get (m, "rows") != NULL) == (with == 1));
        YJC_CHECK (t, with == 0 || s_get (m, "whole")->via.u64 == 7);
        YJC_CHECK (t, with == 0 || s_get (m, "three")->via.boolean);
    }

    //  Ended, it is empty again; a map with no entry is an empty map
    yjc_pack_reset (&out);
    yjc_map_end (&map, &out.pk);
    const msgpack_object *m = s_unpack (&out, &un);
    YJC_CHECK (t, m && m->type == MSGPACK_OBJECT_MAP && m->via.map.size == 0);

    //  Past 15 entries the header grows (map 16): still one whole map
    yjc_pack_reset (&out);
    char key[16];
    for (int i = 0; i < 40; i++) {
        snprintf (key, sizeof key, "k%d", i);
        yjc_map_int (&map, key, i);
    }
    yjc_map_end (&map, &out.pk);
    m = s_unpack (&out, &un);
    YJC_CHECK (t, m && m->via.map.size == 40);
    YJC_CHECK (t, s_get (m, "k39") && s_get (m, "k39")->via.u64 == 39);

    //  Nested: a map as the value of another's key
    yjc_map_t outer;
    yjc_map_init (&outer);
    yjc_pack_reset (&out);
    yjc_map_str (&map, "code", "not_found");
    yjc_map_end (&map, yjc_map_key (&outer, "error"));
    yjc_map_bool (&outer, "ok", false);
    yjc_map_end (&outer, &out.pk);
    m = s_unpack (&out, &un);
    YJC_CHECK (t, m && m->via.map.size == 2);
    YJC_CHECK (t, s_is_str (s_get (s_get (m, "error"), "code"), "not_found"));
    yjc_map_release (&outer);

    msgpack_unpacked_destroy (&inner);
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&raw);
    yjc_pack_release (&out);
    yjc_map_release (&map);
}
