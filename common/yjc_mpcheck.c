/*  =========================================================================
    yjc_mpcheck - bounded pre-scan of untrusted msgpack frames

    The scanner keeps one count per open container in a fixed array and a
    running total of elements still owed by all open containers. Because
    every element takes at least one byte, that total may never exceed the
    bytes left; this stops a tiny frame from declaring billions of elements
    and thereby bounds what msgpack_unpack_next will allocate afterwards.
    =========================================================================
*/

#include <stdint.h>
#include <string.h>

#include "yjc_mpcheck.h"

//  One open array or map. For a map, left counts keys and values, so an
//  even value means the next element is a key.
typedef struct {
    size_t left;
    bool is_map;
} s_level_t;

//  Read an n-byte big-endian unsigned integer.
static uint64_t
s_be (const unsigned char *p, size_t n)
{
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value = (value << 8) | p[i];
    return value;
}

yjc_mp_limits_t
yjc_mp_limits_default (void)
{
    yjc_mp_limits_t limits = { .max_bytes = 1024 * 1024,
                               .max_depth = 32,
                               .max_str = 256 * 1024,
                               .max_items = 65536,
                               .max_bin = 256 * 1024 };
    return limits;
}

size_t
yjc_mp_utf8_seq (const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0)
        return 0;
    unsigned char c = u[0];
    if (c < 0x80)
        return 1;

    //  The allowed range of the second byte is what excludes overlongs
    //  (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    }
    else
        return 0; //  80-C1 (continuation, overlong), F5-FF

    if (len < n || u[1] < lo || u[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((u[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static bool
s_utf8_valid (const char *s, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        if ((unsigned char)s[pos] < 0x80) {
            pos++;
            continue;
        }
        size_t n = yjc_mp_utf8_seq (s + pos, len - pos);
        if (n == 0)
            return false;
        pos += n;
    }
    return true;
}

yjc_mp_status_t
yjc_mp_check (const char *data, size_t len, const yjc_mp_limits_t *limits)
{
    yjc_mp_limits_t defaults = yjc_mp_limits_default ();
    if (!limits)
        limits = &defaults;
    if (len > limits->max_bytes)
        return YJC_MP_TOO_LARGE;
    if (!data || len == 0)
        return YJC_MP_MALFORMED;

    int max_depth = limits->max_depth;
    if (max_depth < 0)
        max_depth = 0;
    if (max_depth > YJC_MP_DEPTH_HARD)
        max_depth = YJC_MP_DEPTH_HARD;

    s_level_t stack[YJC_MP_DEPTH_HARD];
    int depth = 0;
    size_t pending = 1; //  elements owed, the top-level object first
    const unsigned char *p = (const unsigned char *)data;
    const unsigned char *end = p + len;

    while (pending > 0) {
        //  Invariant: pending <= end - p, so at least one byte is here
        bool is_key = depth > 0 && stack[depth - 1].is_map &&
                      stack[depth - 1].left % 2 == 0;
        unsigned char tag = *p++;
        size_t remain = (size_t)(end - p);
        pending--;
        if (depth > 0)
            stack[depth - 1].left--;

        size_t skip = 0;    //  payload bytes of a scalar
        uint64_t count = 0; //  declared container count
        size_t width = 0;   //  width of a length/count field
        bool is_str = false, is_bin = false;
        bool is_array = false, is_map = false;

        if (tag <= 0x7f || tag >= 0xe0 || tag == 0xc0 || tag == 0xc2 ||
            tag == 0xc3)
            ; //  fixint, nil, bool: no payload
        else if (tag <= 0x8f) {
            is_map = true;
            count = tag & 0x0f;
        }
        else if (tag <= 0x9f) {
            is_array = true;
            count = tag & 0x0f;
        }
        else if (tag <= 0xbf) {
            is_str = true;
            skip = tag & 0x1f;
        }
        else
            switch (tag) {
                case 0xc4:
                    is_bin = true;
                    width = 1;
                    break;
                case 0xc5:
                    is_bin = true;
                    width = 2;
                    break;
                case 0xc6:
                    is_bin = true;
                    width = 4;
                    break;
                case 0xca: skip = 4; break;
                case 0xcb: skip = 8; break;
                case 0xcc:
                case 0xd0: skip = 1; break;
                case 0xcd:
                case 0xd1: skip = 2; break;
                case 0xce:
                case 0xd2: skip = 4; break;
                case 0xcf:
                case 0xd3: skip = 8; break;
                case 0xd9:
                    is_str = true;
                    width = 1;
                    break;
                case 0xda:
                    is_str = true;
                    width = 2;
                    break;
                case 0xdb:
                    is_str = true;
                    width = 4;
                    break;
                case 0xdc:
                    is_array = true;
                    width = 2;
                    break;
                case 0xdd:
                    is_array = true;
                    width = 4;
                    break;
                case 0xde:
                    is_map = true;
                    width = 2;
                    break;
                case 0xdf:
                    is_map = true;
                    width = 4;
                    break;
                case 0xc7:
                case 0xc8:
                case 0xc9:
                case 0xd4:
                case 0xd5:
                case 0xd6:
                case 0xd7:
                case 0xd8:
                    if (is_key)
                        return YJC_MP_BAD_KEY;
                    return YJC_MP_UNSUPPORTED;
                default: //  0xc1 is never used
                    return YJC_MP_MALFORMED;
            }
        if (is_key && !is_str)
            return YJC_MP_BAD_KEY;

        if (width > 0) {
            if (width > remain)
                return YJC_MP_MALFORMED;
            uint64_t value = s_be (p, width);
            p += width;
            remain -= width;
            if (is_str || is_bin) {
                if (value > (is_bin ? limits->max_bin : limits->max_str))
                    return YJC_MP_STR_TOO_LONG;
                skip = (size_t)value;
            }
            else
                count = value;
        }
        if (is_str && skip > limits->max_str)
            return YJC_MP_STR_TOO_LONG;

        if (is_array || is_map) {
            if (depth + 1 > max_depth)
                return YJC_MP_TOO_DEEP;
            if (count > limits->max_items)
                return YJC_MP_TOO_MANY_ITEMS;
            //  Each owed element needs a byte; compare by division so
            //  2 * 0xffffffff cannot overflow a 32-bit size_t
            if (pending > remain)
                return YJC_MP_MALFORMED;
            size_t room = remain - pending;
            if (count > (is_map ? room / 2 : room))
                return YJC_MP_MALFORMED;
            size_t elements = (size_t)(is_map ? count * 2 : count);
            if (elements > 0) {
                stack[depth].left = elements;
                stack[depth].is_map = is_map;
                depth++;
                pending += elements;
            }
        }
        else {
            if (skip > remain)
                return YJC_MP_MALFORMED;
            if (is_str && !s_utf8_valid ((const char *)p, skip))
                return YJC_MP_MALFORMED;
            p += skip;
        }

        //  Close every container this element completed
        while (depth > 0 && stack[depth - 1].left == 0)
            depth--;
        if (pending > (size_t)(end - p))
            return YJC_MP_MALFORMED;
    }
    return p == end ? YJC_MP_OK : YJC_MP_TRAILING;
}

const char *
yjc_mp_status_str (yjc_mp_status_t s)
{
    switch (s) {
        case YJC_MP_OK: return "ok";
        case YJC_MP_MALFORMED: return "malformed";
        case YJC_MP_TRAILING: return "trailing";
        case YJC_MP_TOO_LARGE: return "too_large";
        case YJC_MP_TOO_DEEP: return "too_deep";
        case YJC_MP_STR_TOO_LONG: return "str_too_long";
        case YJC_MP_TOO_MANY_ITEMS: return "too_many_items";
        case YJC_MP_BAD_KEY: return "bad_key";
        case YJC_MP_UNSUPPORTED: return "unsupported";
        case YJC_MP_NO_MEMORY: return "no_memory";
    }
    return "unknown";
}

int
yjc_mp_unpack_checked (const char *data,
                       size_t len,
                       const yjc_mp_limits_t *limits,
                       msgpack_unpacked *out,
                       yjc_mp_status_t *status)
{
    yjc_mp_limits_t effective = limits ? *limits : yjc_mp_limits_default ();
    if (effective.max_depth > YJC_MP_UNPACK_DEPTH_MAX)
        effective.max_depth = YJC_MP_UNPACK_DEPTH_MAX;

    yjc_mp_status_t rc = yjc_mp_check (data, len, &effective);
    if (rc == YJC_MP_OK) {
        size_t offset = 0;
        msgpack_unpack_return ret =
            msgpack_unpack_next (out, data, len, &offset);
        if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
            rc = YJC_MP_NO_MEMORY;
        else if (ret != MSGPACK_UNPACK_SUCCESS || offset != len)
            rc = YJC_MP_MALFORMED; //  scanner and msgpack-c disagree
    }
    if (status)
        *status = rc;
    return rc == YJC_MP_OK ? 0 : -1;
}

//  --------------------------------------------------------------------------
//  Selftest

//  Check a byte string literal (sizeof includes the NUL, hence the - 1)
#define S_CHECK_BYTES(t, bytes, limits, expect)                                \
    YJC_CHECK (t, yjc_mp_check (bytes, sizeof (bytes) - 1, limits) == (expect))

//  n nested one-element arrays around a nil
static size_t
s_test_nest (char *buf, int n)
{
    for (int i = 0; i < n; i++)
        buf[i] = (char)0x91;
    buf[n] = (char)0xc0;
    return (size_t)n + 1;
}

void
yjc_mpcheck_test (yjc_test_t *t)
{
    yjc_mp_limits_t limits = yjc_mp_limits_default ();

    //  A valid nested map built by msgpack-c itself
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    msgpack_pack_str_with_body (&pk, "id", 2);
    msgpack_pack_uint64 (&pk, UINT64_MAX);
    msgpack_pack_str_with_body (&pk, "name", 4);
    msgpack_pack_str_with_body (&pk, "\xe5\xbc\xa0\xe4\xb8\x89", 6);
    msgpack_pack_str_with_body (&pk, "tags", 4);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_int64 (&pk, -5);
    msgpack_pack_double (&pk, 2.5);
    msgpack_pack_bin_with_body (&pk, "\x00\xff", 2);
    msgpack_pack_map (&pk, 0);
    YJC_CHECK (t, yjc_mp_check (sbuf.data, sbuf.size, &limits) == YJC_MP_OK);
    YJC_CHECK (t, yjc_mp_check (sbuf.data, sbuf.size, NULL) == YJC_MP_OK);

    //  Every proper prefix is truncated, never a crash
    bool all_malformed = true;
    for (size_t i = 0; i < sbuf.size; i++)
        if (yjc_mp_check (sbuf.data, i, &limits) != YJC_MP_MALFORMED)
            all_malformed = false;
    YJC_CHECK (t, all_malformed);

    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    yjc_mp_status_t status = YJC_MP_MALFORMED;
    YJC_CHECK (t,
               yjc_mp_unpack_checked (
                   sbuf.data, sbuf.size, &limits, &unpacked, &status) == 0);
    YJC_CHECK (t, status == YJC_MP_OK);
    YJC_CHECK (t,
               unpacked.data.type == MSGPACK_OBJECT_MAP &&
                   unpacked.data.via.map.size == 3);
    msgpack_unpacked_destroy (&unpacked);

    //  Malformed: truncated str, reserved byte, empty frame
    S_CHECK_BYTES (t,
                   "\xa5"
                   "abc",
                   &limits,
                   YJC_MP_MALFORMED);
    S_CHECK_BYTES (t,
                   "\xd9\x05"
                   "abc",
                   &limits,
                   YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xc1", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xcb\x00\x00", &limits, YJC_MP_MALFORMED);
    YJC_CHECK (t, yjc_mp_check ("", 0, &limits) == YJC_MP_MALFORMED);
    YJC_CHECK (t, yjc_mp_check (NULL, 0, &limits) == YJC_MP_MALFORMED);

    //  Strict UTF-8: overlong NUL, surrogate, > U+10FFFF, bare
    //  continuation, truncated sequence; valid 3- and 4-byte sequences
    S_CHECK_BYTES (t, "\xa2\xc0\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa3\xe0\x80\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa3\xed\xa0\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa4\xf4\x90\x80\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa4\xf5\x80\x80\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa1\x80", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa2\xe4\xb8", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\xa3\xe4\xb8\xad", &limits, YJC_MP_OK);
    S_CHECK_BYTES (t, "\xa4\xf4\x8f\xbf\xbf", &limits, YJC_MP_OK);
    S_CHECK_BYTES (t, "\xa4\xf0\x9f\x98\x80", &limits, YJC_MP_OK);
    //  bin is not text: any bytes are fine
    S_CHECK_BYTES (t, "\xc4\x02\xc0\x80", &limits, YJC_MP_OK);

    //  Map keys must be str, at any depth
    S_CHECK_BYTES (t, "\x81\x01\x02", &limits, YJC_MP_BAD_KEY);
    S_CHECK_BYTES (t, "\x81\xa1k\x81\xc0\x02", &limits, YJC_MP_BAD_KEY);
    S_CHECK_BYTES (t, "\x81\xa1k\x81\xa1j\x02", &limits, YJC_MP_OK);
    S_CHECK_BYTES (t, "\x81\xd4\x01\x00\x02", &limits, YJC_MP_BAD_KEY);

    //  Nesting: 32 deep passes at max_depth 32, 33 and 40 do not
    char nest[64];
    limits.max_depth = 32;
    size_t n = s_test_nest (nest, 32);
    YJC_CHECK (t, yjc_mp_check (nest, n, &limits) == YJC_MP_OK);
    n = s_test_nest (nest, 33);
    YJC_CHECK (t, yjc_mp_check (nest, n, &limits) == YJC_MP_TOO_DEEP);
    n = s_test_nest (nest, 40);
    YJC_CHECK (t, yjc_mp_check (nest, n, &limits) == YJC_MP_TOO_DEEP);
    //  An empty container still counts as a level
    memset (nest, 0x91, 32);
    nest[32] = (char)0x90;
    YJC_CHECK (t, yjc_mp_check (nest, 33, &limits) == YJC_MP_TOO_DEEP);
    //  max_depth 0 allows scalars only
    limits.max_depth = 0;
    S_CHECK_BYTES (t, "\x2a", &limits, YJC_MP_OK);
    S_CHECK_BYTES (t, "\x90", &limits, YJC_MP_TOO_DEEP);

    //  unpack_checked clamps to what msgpack-c can build: depth 33 would
    //  make msgpack_unpack_next fail, so it is refused as too deep
    limits.max_depth = 40;
    n = s_test_nest (nest, 33);
    YJC_CHECK (t, yjc_mp_check (nest, n, &limits) == YJC_MP_OK);
    msgpack_unpacked_init (&unpacked);
    YJC_CHECK (
        t, yjc_mp_unpack_checked (nest, n, &limits, &unpacked, &status) == -1);
    YJC_CHECK (t, status == YJC_MP_TOO_DEEP);
    n = s_test_nest (nest, 32);
    YJC_CHECK (t,
               yjc_mp_unpack_checked (nest, n, &limits, &unpacked, NULL) == 0);
    msgpack_unpacked_destroy (&unpacked);
    limits = yjc_mp_limits_default ();

    //  array32 claiming 0xffffffff items in 6 bytes: refused up front
    S_CHECK_BYTES (
        t, "\xdd\xff\xff\xff\xff\xc0", &limits, YJC_MP_TOO_MANY_ITEMS);
    limits.max_items = SIZE_MAX;
    S_CHECK_BYTES (t, "\xdd\xff\xff\xff\xff\xc0", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (
        t, "\xdf\xff\xff\xff\xff\xa0\xc0", &limits, YJC_MP_MALFORMED);
    //  Counts are checked against bytes owed by outer containers too
    S_CHECK_BYTES (t, "\x92\x93\xc0\xc0\xc0", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\x92\x92\xc0\xc0\xc0", &limits, YJC_MP_OK);
    //  A map of n pairs needs 2n bytes
    S_CHECK_BYTES (t, "\x82\xa0\xc0\xa0", &limits, YJC_MP_MALFORMED);
    S_CHECK_BYTES (t, "\x82\xa0\xc0\xa0\xc0", &limits, YJC_MP_OK);
    limits.max_items = 2;
    S_CHECK_BYTES (t, "\x93\xc0\xc0\xc0", &limits, YJC_MP_TOO_MANY_ITEMS);
    S_CHECK_BYTES (t, "\x92\xc0\xc0", &limits, YJC_MP_OK);
    S_CHECK_BYTES (
        t, "\x83\xa0\xc0\xa0\xc0\xa0\xc0", &limits, YJC_MP_TOO_MANY_ITEMS);
    limits = yjc_mp_limits_default ();

    //  Two objects back to back
    S_CHECK_BYTES (t, "\x01\x02", &limits, YJC_MP_TRAILING);
    S_CHECK_BYTES (t, "\x81\xa1k\x01\xc0", &limits, YJC_MP_TRAILING);
    msgpack_unpacked_init (&unpacked);
    YJC_CHECK (t,
               yjc_mp_unpack_checked (
                   "\x01\x02", 2, &limits, &unpacked, &status) == -1);
    YJC_CHECK (t, status == YJC_MP_TRAILING);
    msgpack_unpacked_destroy (&unpacked);

    //  ext of every width, including the timestamp type -1
    S_CHECK_BYTES (t, "\xd4\x01\x00", &limits, YJC_MP_UNSUPPORTED);
    S_CHECK_BYTES (t, "\xd6\xff\x00\x00\x00\x00", &limits, YJC_MP_UNSUPPORTED);
    S_CHECK_BYTES (t, "\xc7\x01\x05\x00", &limits, YJC_MP_UNSUPPORTED);
    S_CHECK_BYTES (
        t, "\x91\xc9\x00\x00\x00\x00\x07", &limits, YJC_MP_UNSUPPORTED);

    //  Frame over max_bytes, string over max_str
    limits.max_bytes = 4;
    S_CHECK_BYTES (t,
                   "\xa4"
                   "abcd",
                   &limits,
                   YJC_MP_TOO_LARGE);
    S_CHECK_BYTES (t,
                   "\xa3"
                   "abc",
                   &limits,
                   YJC_MP_OK);
    limits = yjc_mp_limits_default ();
    limits.max_str = 3;
    limits.max_bin = 3;
    S_CHECK_BYTES (t,
                   "\xa4"
                   "abcd",
                   &limits,
                   YJC_MP_STR_TOO_LONG);
    S_CHECK_BYTES (t,
                   "\xc4\x04"
                   "abcd",
                   &limits,
                   YJC_MP_STR_TOO_LONG);
    S_CHECK_BYTES (t, "\xdb\xff\xff\xff\xff", &limits, YJC_MP_STR_TOO_LONG);
    S_CHECK_BYTES (t,
                   "\xa3"
                   "abc",
                   &limits,
                   YJC_MP_OK);
    limits = yjc_mp_limits_default ();
    limits.max_str = SIZE_MAX;
    S_CHECK_BYTES (t, "\xdb\xff\xff\xff\xff", &limits, YJC_MP_MALFORMED);
    limits = yjc_mp_limits_default ();

    //  Status names are stable
    YJC_CHECK (t, strcmp (yjc_mp_status_str (YJC_MP_OK), "ok") == 0);
    YJC_CHECK (t,
               strcmp (yjc_mp_status_str (YJC_MP_TOO_DEEP), "too_deep") == 0);
    YJC_CHECK (t,
               strcmp (yjc_mp_status_str (YJC_MP_TOO_MANY_ITEMS),
                       "too_many_items") == 0);
    YJC_CHECK (
        t, strcmp (yjc_mp_status_str ((yjc_mp_status_t)99), "unknown") == 0);

    //  A hostile deep frame beyond the hard ceiling is rejected, iteratively
    static char deep[YJC_MP_DEPTH_HARD * 4 + 1];
    n = s_test_nest (deep, YJC_MP_DEPTH_HARD * 4);
    limits.max_depth = 1 << 30;
    limits.max_items = SIZE_MAX;
    YJC_CHECK (t, yjc_mp_check (deep, n, &limits) == YJC_MP_TOO_DEEP);

    msgpack_sbuffer_destroy (&sbuf);
}
