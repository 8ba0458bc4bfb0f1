/*  =========================================================================
    yjc_mpcheck - bounded pre-scan of untrusted msgpack frames

    Frames arrive from the network. Before any byte reaches msgpack_unpack
    (which allocates in proportion to the counts a frame declares), the
    scanner walks the raw bytes without allocating and enforces limits on
    size, nesting, string length and element counts. It is iterative: its
    stack is a fixed array, so hostile nesting cannot exhaust the C stack.
    =========================================================================
*/
#ifndef YJC_MPCHECK_H_INCLUDED
#define YJC_MPCHECK_H_INCLUDED

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#include "yjc_test.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Hard ceiling on nesting; a larger limits->max_depth is clamped to this.
#define YJC_MP_DEPTH_HARD 256

//  Deepest nesting msgpack-c's C unpacker can build (its internal
//  MSGPACK_EMBED_STACK_SIZE, not exported by <msgpack.h>). Deeper frames
//  fail inside msgpack_unpack_next, so yjc_mp_unpack_checked clamps to it.
#define YJC_MP_UNPACK_DEPTH_MAX 32

typedef struct {
    size_t max_bytes; //  whole frame
    int max_depth;    //  nesting of maps/arrays (top-level map is depth 1)
    size_t max_str;   //  bytes of one str
    size_t max_items; //  elements of one array / pairs of one map
    size_t max_bin;   //  bytes of one bin (file chunks)
} yjc_mp_limits_t;

typedef enum {
    YJC_MP_OK = 0,
    YJC_MP_MALFORMED,      //  truncated, invalid byte, invalid UTF-8
    YJC_MP_TRAILING,       //  bytes after the first complete object
    YJC_MP_TOO_LARGE,      //  frame longer than max_bytes
    YJC_MP_TOO_DEEP,       //  nesting deeper than max_depth
    YJC_MP_STR_TOO_LONG,   //  str/bin longer than max_str/max_bin
    YJC_MP_TOO_MANY_ITEMS, //  array/map count above max_items
    YJC_MP_BAD_KEY,        //  map key that is not a str
    YJC_MP_UNSUPPORTED,    //  ext types (incl. timestamp)
    YJC_MP_NO_MEMORY       //  msgpack_unpack_next ran out of memory
} yjc_mp_status_t;

//  Default limits: 1 MiB frame, depth 32, 256 KiB strings, 65536 items.
yjc_mp_limits_t yjc_mp_limits_default (void);

//  Check that exactly one complete msgpack object fills data[0..len).
//  Map keys must be str; str must be strict UTF-8 (no overlongs, no
//  surrogates, max U+10FFFF); ext is unsupported. A declared count must
//  also fit in the bytes left (every element needs at least one byte).
//  limits may be NULL for yjc_mp_limits_default ().
yjc_mp_status_t yjc_mp_check (const char *data,
                              size_t len,
                              const yjc_mp_limits_t *limits);

//  Stable English snake_case name of a status, e.g. "too_deep".
const char *yjc_mp_status_str (yjc_mp_status_t s);

//  Check, then msgpack_unpack_next into out (caller has done
//  msgpack_unpacked_init and later does msgpack_unpacked_destroy).
//  max_depth is clamped to YJC_MP_UNPACK_DEPTH_MAX. Returns 0 on success,
//  -1 on failure; *status (if not NULL) receives the reason.
int yjc_mp_unpack_checked (const char *data,
                           size_t len,
                           const yjc_mp_limits_t *limits,
                           msgpack_unpacked *out,
                           yjc_mp_status_t *status);

//  Length (1-4) of the strictly valid UTF-8 sequence at s[0..len), or 0
//  if it is invalid or truncated. Shared with yjc_jsonmp.
size_t yjc_mp_utf8_seq (const char *s, size_t len);

//  Selftest
void yjc_mpcheck_test (yjc_test_t *t);

#ifdef __cplusplus
}
#endif

#endif
