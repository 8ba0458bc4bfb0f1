/*  yjc_map.h - a msgpack map built entry by entry that counts its own
    entries.

    msgpack writes a map's entry count before its entries; a map whose
    entries depend on the data (an optional deadline, a reason only when
    there is one) would need its count worked out by hand beforehand, and
    kept in step with the code below it.  A yjc_map_t keeps the entries
    aside and writes the header when the map ends, with the real count:
    an optional entry is an `if`, nothing else.

        yjc_map_t map;
        yjc_map_init (&map);
        yjc_map_str (&map, "app_id", app_id);
        if (*due)
            yjc_map_str (&map, "deadline", due);
        yjc_map_end (&map, ctx->reply);
        yjc_map_release (&map);                                          */
#ifndef YJC_MAP_H_INCLUDED
#define YJC_MAP_H_INCLUDED

#include "yjc_pack.h"
#include "yjc_test.h"

typedef struct {
    yjc_pack_t entries; //  keys and values so far
    uint32_t count;     //  entries so far
} yjc_map_t;

void yjc_map_init (yjc_map_t *self);
void yjc_map_release (yjc_map_t *self);

//  A string; NULL packs nil.
void yjc_map_str (yjc_map_t *self, const char *key, const char *val);
//  A string; NULL or "" packs nil (an optional text column, a date not
//  computed).
void yjc_map_str_or_nil (yjc_map_t *self, const char *key, const char *val);
void yjc_map_int (yjc_map_t *self, const char *key, int64_t val);
void yjc_map_bool (yjc_map_t *self, const char *key, bool val);
//  An object; NULL packs nil.
void yjc_map_obj (yjc_map_t *self, const char *key, const msgpack_object *val);
//  Already-encoded msgpack (one value); none (len 0) packs nil.
void yjc_map_raw (yjc_map_t *self,
                  const char *key,
                  const void *raw,
                  size_t len);
//  The packer for the value of `key` when it is of another kind (an
//  array, rows, a nested map): the caller packs exactly one value there.
msgpack_packer *yjc_map_key (yjc_map_t *self, const char *key);
//  The packer for one whole entry packed by other code that writes its
//  key too (yjc_pk_rows, yjc_pk_kv_*): exactly one key and one value.
msgpack_packer *yjc_map_entry (yjc_map_t *self);
//  The same for `n` whole entries (yjc_pk_columns of n columns).
msgpack_packer *yjc_map_entries (yjc_map_t *self, uint32_t n);

//  Writes the map into `pk`, its header with the count then its entries,
//  and empties it for reuse.
void yjc_map_end (yjc_map_t *self, msgpack_packer *pk);

void yjc_map_test (yjc_test_t *t);

#endif
