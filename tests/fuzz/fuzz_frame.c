/*  fuzz_frame.c - libFuzzer harness for the path of an incoming frame:
    pre-scan and envelope (yjc_request_decode), the body's shape, the
    form's rules and the materials (yjc_form_check_body) for every message
    type, and the error reply, which must decode again and be valid
    UTF-8 in every string.  A crash, a sanitizer report or a failed
    check is a finding.                                                  */
#include "yjc_form.h"
#include "yjc_mpcheck.h"
#include "yjc_msg.h"
#include <stdlib.h>
#include <string.h>

//  True when `s` (NUL-terminated) is valid UTF-8 (no overlongs, no
//  surrogates, nothing above U+10FFFF).
static int
s_utf8 (const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80         ? 1
                     : (c >> 5) == 6  ? 2
                     : (c >> 4) == 14 ? 3
                     : (c >> 3) == 30 ? 4
                                      : 0;
        if (!len || i + len > n)
            return 0;
        unsigned cp = len == 1 ? c : c & (0x7f >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

//  Every string in a decoded object is valid UTF-8.
static void
s_check_strings (const msgpack_object *o, int depth)
{
    if (depth > 32)
        return;
    if (o->type == MSGPACK_OBJECT_STR &&
        !s_utf8 ((const unsigned char *)o->via.str.ptr, o->via.str.size))
        abort ();
    if (o->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < o->via.array.size; i++)
            s_check_strings (&o->via.array.ptr[i], depth + 1);
    if (o->type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            s_check_strings (&o->via.map.ptr[i].key, depth + 1);
            s_check_strings (&o->via.map.ptr[i].val, depth + 1);
        }
}

//  The error reply the server would send must decode and be valid UTF-8.
static void
s_check_reply (const char *id, const yjc_problems_t *problems)
{
    yjc_pack_t out;
    yjc_pack_init (&out);
    yjc_reply_encode_error (&out, id, problems);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    if (yjc_reply_decode (&reply, out.buf.data, out.buf.size) != 0)
        abort ();
    if (reply.ok || !reply.error)
        abort ();
    s_check_strings (reply.error, 0);
    if (!s_utf8 ((const unsigned char *)reply.id, strlen (reply.id)))
        abort ();
    yjc_reply_release (&reply);
    yjc_pack_release (&out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    yjc_request_t req;
    yjc_request_init (&req);
    yjc_problems_t problems;
    memset (&problems, 0, sizeof problems);
    if (yjc_request_decode (&req, data, size, &problems) == 0) {
        //  the body's checks, as the server runs them once the role may
        //  send the type (and, for a form, the sender's own unit)
        yjc_form_check_body (req.type, req.body, "县教育局", &problems);
        //  the same body under every other message type: a body valid for
        //  one type is a malformed one for another
        int other = (int)(size % YJC_MSG_COUNT);
        yjc_problems_t more;
        memset (&more, 0, sizeof more);
        yjc_form_check_body (other, req.body, NULL, &more);
        s_check_reply (req.id, &more);
    }
    s_check_reply (req.id, &problems);
    yjc_request_release (&req);
    return 0;
}
