/*  cursor.c - the vendor's fetch cursors (see cursor.h).               */
#include "cursor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cursor_parse (char letter, const char *text, long long *seq)
{
    *seq = -1;
    if (!*text)
        return 0;
    size_t len = strlen (text);
    if (text[0] != letter || len < 2 || len > 16)
        return -1;
    long long v = 0;
    for (const char *c = text + 1; *c; c++) {
        int d = *c >= '0' && *c <= '9'   ? *c - '0'
                : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10
                                         : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d; //  at most 15 digits: no overflow
    }
    *seq = v;
    return 0;
}

void
cursor_format (char letter, const char *seq, char out[24])
{
    snprintf (out, 24, "%c%llx", letter, strtoll (seq, NULL, 10));
}

yjc_result_t
cursor_request (yjc_ctx_t *ctx,
                const msgpack_object *body,
                char letter,
                const char *fetch,
                cursor_request_t *req)
{
    char cursor[33];
    long long after;
    req->limit = 20;
    req->wait_ms = 0;
    yjc_obj_int (body, "limit", &req->limit);
    yjc_obj_int (body, "wait_ms", &req->wait_ms);
    yjc_obj_strcpy (body, "cursor", cursor, sizeof cursor);
    if (cursor_parse (letter, cursor, &after) != 0)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.cursor",
                             "not a cursor of %s: send the one a reply gave,"
                             " or none",
                             fetch);
    snprintf (
        req->limit_text, sizeof req->limit_text, "%lld", (long long)req->limit);
    snprintf (req->after_text, sizeof req->after_text, "%lld", after);
    req->after = after >= 0 ? req->after_text : NULL;
    return YJC_OK;
}
