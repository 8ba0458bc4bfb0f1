/*  =========================================================================
    yjc_json - JSON <-> msgpack for the command-line client

    The client lets operators type requests as JSON and read replies as
    JSON; services only ever see msgpack. Parsing is strict RFC 8259 over
    UTF-8 text so that what the operator typed is exactly what is sent.
    =========================================================================
*/
#ifndef YJC_JSON_H_INCLUDED
#define YJC_JSON_H_INCLUDED

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>

#include "yjc_test.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Deepest nesting of arrays/objects accepted in either direction
#define YJC_JSON_MAX_DEPTH 64

//  Parse UTF-8 JSON text (RFC 8259) and append it as one msgpack object
//  to out. Strings: all escapes, \uXXXX surrogate pairs become UTF-8,
//  lone surrogates and invalid UTF-8 are errors. Numbers: integers that
//  fit int64 become msgpack ints (non-negative ones in uint formats), all
//  others float64; values beyond double range are errors. A leading
//  UTF-8 BOM is skipped; trailing non-whitespace is an error. Duplicate
//  object keys are kept in order. Returns 0, or -1 with out unchanged
//  and "line L column C: what" in err (columns count characters, lines
//  end at LF). err may be NULL.
int yjc_json_to_msgpack (const char *text,
                         size_t len,
                         msgpack_sbuffer *out,
                         char *err,
                         size_t errlen);

//  Render a msgpack object as JSON. UTF-8 is written as is, control
//  characters are escaped, invalid UTF-8 bytes become U+FFFD. bin is a
//  base64 string; ext is {"ext_type": N, "data": "<base64>"}; NaN and
//  infinities are null; floats always carry a '.' or exponent so they
//  stay floats when parsed back. Non-string map keys are rendered as JSON
//  and then quoted (1 -> "1"). pretty: 2-space indent, one element per
//  line; otherwise compact. No trailing newline. Returns a malloc'd
//  string the caller frees, or NULL if out of memory or nested deeper
//  than YJC_JSON_MAX_DEPTH.
char *yjc_json_from_object (const msgpack_object *obj, bool pretty);

//  Selftest
void yjc_json_test (yjc_test_t *t);

#ifdef __cplusplus
}
#endif

#endif
