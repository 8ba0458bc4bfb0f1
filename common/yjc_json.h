/*  =========================================================================
    yjc_json - JSON <-> msgpack for the command-line client

    The client lets operators type requests as JSON and read replies as
    JSON; services only ever see msgpack. JSON itself is jansson's
    (strict RFC 8259); yjc_jsonmp.c is only the bridge between a json_t
    and msgpack, plus the limits below.
    =========================================================================
*/
#ifndef YJC_JSON_H_INCLUDED
#define YJC_JSON_H_INCLUDED

#include <msgpack.h>
#include <msgpack/unpack_define.h>
#include <stdbool.h>
#include <stddef.h>

#include "yjc_test.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Deepest nesting of arrays/objects accepted in either direction: what
//  msgpack-c's unpacker can read back (its stack holds 32 levels; deeper
//  msgpack is refused by msgpack_unpack_next, found by fuzzing)
#define YJC_JSON_MAX_DEPTH MSGPACK_EMBED_STACK_SIZE

//  Parse UTF-8 JSON text (RFC 8259) and append it as one msgpack object
//  to out. Any value may be at the top; a leading UTF-8 BOM is skipped.
//  Integers become msgpack ints (non-negative ones in uint formats) and
//  must fit int64; numbers with a fraction or exponent become float64.
//  Object keys keep their order; a duplicate key is an error, as are
//  invalid UTF-8, lone surrogates, a NUL in a key, trailing text and
//  nesting deeper than YJC_JSON_MAX_DEPTH. Returns 0, or -1 with out
//  unchanged and "line L column C: what" in err (columns count
//  characters, lines end at LF). err may be NULL.
int yjc_json_to_msgpack (const char *text,
                         size_t len,
                         msgpack_sbuffer *out,
                         char *err,
                         size_t errlen);

//  Render a msgpack object as JSON. UTF-8 is written as is, control
//  characters are escaped, invalid UTF-8 bytes become U+FFFD. bin is a
//  base64 string; ext is {"ext_type": N, "data": "<base64>"}; NaN and
//  infinities are null; uints above int64 become floats. Floats always
//  carry a '.' or exponent so they stay floats when parsed back, with the
//  fewest digits that read back exactly for the most demanding float of
//  the document. Non-string map keys are rendered as JSON and then
//  quoted (1 -> "1"); a repeated key keeps its first place and its last
//  value. pretty: 2-space indent, one element per line; otherwise
//  compact. No trailing newline. Returns a malloc'd string the caller
//  frees, or NULL if out of memory or nested deeper than
//  YJC_JSON_MAX_DEPTH.
char *yjc_json_from_object (const msgpack_object *obj, bool pretty);

//  Selftest
void yjc_json_test (yjc_test_t *t);

#ifdef __cplusplus
}
#endif

#endif
