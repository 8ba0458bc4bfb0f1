/*  yjc_describe.h - an event in a clerk's words (issue 12).

    Each event type has one Chinese sentence template in
    proto/yjc_describe.def over its payload's fields; yjc_describe renders
    it for the audit trail: the order's kind, the request's kind, the
    decision and its opinion, not just the event's name.                 */
#ifndef YJC_DESCRIBE_H_INCLUDED
#define YJC_DESCRIBE_H_INCLUDED

#include <msgpack.h>
#include <stddef.h>

#include "yjc_test.h"

//  Renders event `event_type`'s sentence from `payload` into `out` (at
//  most `size` bytes with the NUL; a longer sentence is cut on a UTF-8
//  boundary and ends with "…").  Pure; a payload that lacks or mistypes
//  fields, or is not a map, or is NULL, renders what it can.  Returns the
//  length written; "" (0) for an unknown event type.
size_t yjc_describe (int event_type,
                     const msgpack_object *payload,
                     char *out,
                     size_t size);

//  The template of `event_type` (yjc_describe.def), or NULL.
const char *yjc_describe_template (int event_type);

void yjc_describe_test (yjc_test_t *t);

#endif
