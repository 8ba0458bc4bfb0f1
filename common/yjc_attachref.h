/*  yjc_attachref.h - intake's attachments as another service may name
    them (R15 problem reports, R18 rectifications).  The service learns
    each from intake's attachment.stored event (its own table
    known_attachments, migration 113) and checks, when a request names
    ids, that each exists and belongs to the asking unit.  An upload just
    made may not have reached the service yet: the request waits for it,
    a little, before it is refused.                                      */
#ifndef YJC_ATTACHREF_H_INCLUDED
#define YJC_ATTACHREF_H_INCLUDED

#include "yjc_ctx.h"

//  How long a request naming an attachment not yet known waits (ms).
#define YJC_ATTACHREF_WAIT_MS 3000

//  attachment.stored: remembers the attachment (once).
yjc_result_t yjc_attachref_learn (yjc_ctx_t *ctx, const yjc_event_in_t *ev);

//  Every id of `list` (an array of strings, or NULL) names an attachment
//  known here and, for a unit, its own: YJC_OK; else every one that does
//  not is refused under `field`[i] (YJC_FAIL), or YJC_WAIT while an
//  unknown one may still arrive.
yjc_result_t yjc_attachref_check (yjc_ctx_t *ctx,
                                  const msgpack_object *list,
                                  const char *field);

#endif
