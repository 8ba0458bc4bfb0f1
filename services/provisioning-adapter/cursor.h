/*  cursor.h - the vendor's fetch cursors (order.fetch, problem.fetch): a
    letter naming the queue and a change number in hex, opaque to the
    vendor (proto/README.md §8.3; the change numbers of
    101_vendor_cursor.sql), so a cursor of one queue is refused by the
    other.                                                               */
#ifndef CURSOR_H_INCLUDED
#define CURSOR_H_INCLUDED

#include "yjc_ctx.h"

//  Reads `text`, a cursor of the queue `letter`, into *seq (-1 when the
//  text is empty: no cursor).  Returns 0, or -1 when it is not one of
//  that queue's cursors.
int cursor_parse (char letter, const char *text, long long *seq);

//  Writes the cursor of the queue `letter` at the change number `seq`
//  (decimal text, as PostgreSQL gives it).
void cursor_format (char letter, const char *seq, char out[24]);

//  What a fetch asks (order.fetch, problem.fetch): how many, how long to
//  wait for one, and after which change, as the statements' parameters.
typedef struct {
    int64_t limit, wait_ms;
    char limit_text[16];
    char after_text[24];
    const char *after; //  after_text, or NULL without a cursor
} cursor_request_t;

//  Reads a fetch's body with a cursor of the queue `letter`; YJC_OK, or
//  refused on body.cursor (naming `fetch`, the message).
yjc_result_t cursor_request (yjc_ctx_t *ctx,
                             const msgpack_object *body,
                             char letter,
                             const char *fetch,
                             cursor_request_t *req);

#endif
