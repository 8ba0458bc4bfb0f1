/*  =========================================================================
    yjc_json - JSON <-> msgpack for the command-line client

    Parsing writes straight into the caller's sbuffer. A container's count
    is unknown until its closing bracket, so 5 bytes are reserved for the
    widest header and the body is slid back once the count is known; the
    output is canonical msgpack without building a tree first.

    Numbers go through a private "C" locale: the client may call setlocale
    for Chinese output, and a locale with a decimal comma must not change
    how 1.5 is read or written.
    =========================================================================
*/

#ifndef _GNU_SOURCE
#define _GNU_SOURCE //  strtod_l, newlocale, uselocale
#endif

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yjc_json.h"
#include "yjc_mpcheck.h"

//  --------------------------------------------------------------------------
//  Growable buffer. Failure is sticky so callers can check once at the end;
//  there is always room for a terminating NUL after a successful reserve.

typedef struct {
    char *data;
    size_t size;
    size_t alloc;
    bool oom;
} s_buf_t;

static bool
s_buf_reserve (s_buf_t *self, size_t more)
{
    if (self->oom)
        return false;
    if (self->alloc > self->size && more < self->alloc - self->size)
        return true;
    if (more >= SIZE_MAX - self->size) {
        self->oom = true;
        return false;
    }
    size_t need = self->size + more + 1;
    size_t alloc = self->alloc ? self->alloc : 64;
    while (alloc < need)
        alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
    char *data = (char *)realloc (self->data, alloc);
    if (!data) {
        self->oom = true;
        return false;
    }
    self->data = data;
    self->alloc = alloc;
    return true;
}

static bool
s_buf_put (s_buf_t *self, const char *bytes, size_t n)
{
    if (!s_buf_reserve (self, n))
        return false;
    if (n > 0)
        memcpy (self->data + self->size, bytes, n);
    self->size += n;
    return true;
}

static bool
s_buf_puts (s_buf_t *self, const char *string)
{
    return s_buf_put (self, string, strlen (string));
}

static bool
s_buf_putc (s_buf_t *self, char c)
{
    return s_buf_put (self, &c, 1);
}

//  Private "C" numeric locale, created on first use
static bool
s_c_locale (locale_t *locale)
{
    if (!*locale)
        *locale = newlocale (LC_NUMERIC_MASK, "C", (locale_t)0);
    return *locale != (locale_t)0;
}

//  --------------------------------------------------------------------------
//  JSON -> msgpack

typedef struct {
    const char *text;
    size_t len;
    size_t pos;
    size_t start; //  after an optional BOM, for columns
    msgpack_sbuffer *out;
    msgpack_packer pk;
    s_buf_t scratch; //  decoded string or number token
    locale_t c_locale;
    char *err;
    size_t errlen;
} s_parser_t;

//  Record "line L column C: what" for byte offset at; returns -1.
//  Columns count characters, not bytes, so they match what an editor
//  shows for Chinese text.
static int s_fail (s_parser_t *self, size_t at, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_fail (s_parser_t *self, size_t at, const char *format, ...)
{
    if (!self->err || self->errlen == 0)
        return -1;
    size_t line = 1, column = 1;
    for (size_t i = self->start; i < at && i < self->len; i++) {
        unsigned char c = (unsigned char)self->text[i];
        if (c == '\n') {
            line++;
            column = 1;
        }
        else if ((c & 0xc0) != 0x80)
            column++;
    }
    char what[160];
    va_list args;
    va_start (args, format);
    vsnprintf (what, sizeof what, format, args);
    va_end (args);
    snprintf (
        self->err, self->errlen, "line %zu column %zu: %s", line, column, what);
    return -1;
}

static int
s_oom (s_parser_t *self)
{
    return s_fail (self, self->pos, "out of memory");
}

//  Report the character at pos (or end of input) when it is not one of
//  what was expected. Non-ASCII characters are shown as themselves so a
//  full-width comma is recognisable.
static int
s_unexpected (s_parser_t *self, const char *expected)
{
    if (self->pos >= self->len)
        return s_fail (
            self, self->pos, "unexpected end of input, expected %s", expected);
    const char *here = self->text + self->pos;
    unsigned char c = (unsigned char)*here;
    if (c >= 0x20 && c < 0x7f)
        return s_fail (self,
                       self->pos,
                       "unexpected character '%c', expected %s",
                       c,
                       expected);
    size_t n = c >= 0x80 ? yjc_mp_utf8_seq (here, self->len - self->pos) : 0;
    if (n > 0)
        return s_fail (self,
                       self->pos,
                       "unexpected character '%.*s', expected %s",
                       (int)n,
                       here,
                       expected);
    return s_fail (
        self, self->pos, "unexpected byte 0x%02x, expected %s", c, expected);
}

static void
s_skip_ws (s_parser_t *self)
{
    while (self->pos < self->len) {
        char c = self->text[self->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        self->pos++;
    }
}

static bool
s_peek (s_parser_t *self, char c)
{
    return self->pos < self->len && self->text[self->pos] == c;
}

static bool
s_is_digit (s_parser_t *self)
{
    return self->pos < self->len && self->text[self->pos] >= '0' &&
           self->text[self->pos] <= '9';
}

//  Value of 4 hex digits at offset at, or -1
static long
s_hex4 (s_parser_t *self, size_t at)
{
    if (at > self->len || self->len - at < 4)
        return -1;
    long value = 0;
    for (size_t i = at; i < at + 4; i++) {
        char c = self->text[i];
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

static bool
s_put_utf8 (s_buf_t *buf, unsigned long cp)
{
    char bytes[4];
    size_t n;
    if (cp < 0x80) {
        bytes[0] = (char)cp;
        n = 1;
    }
    else if (cp < 0x800) {
        bytes[0] = (char)(0xc0 | (cp >> 6));
        bytes[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    }
    else if (cp < 0x10000) {
        bytes[0] = (char)(0xe0 | (cp >> 12));
        bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        bytes[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    }
    else {
        bytes[0] = (char)(0xf0 | (cp >> 18));
        bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        bytes[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return s_buf_put (buf, bytes, n);
}

//  Decode the escape at pos (a backslash) into the scratch buffer
static int
s_parse_escape (s_parser_t *self)
{
    size_t at = self->pos;
    if (self->len - at < 2)
        return s_fail (self, at, "unexpected end of input in string");
    char c = self->text[at + 1];
    self->pos += 2;
    const char *simple = NULL;
    switch (c) {
        case '"': simple = "\""; break;
        case '\\': simple = "\\"; break;
        case '/': simple = "/"; break;
        case 'b': simple = "\b"; break;
        case 'f': simple = "\f"; break;
        case 'n': simple = "\n"; break;
        case 'r': simple = "\r"; break;
        case 't': simple = "\t"; break;
        case 'u': break;
        default: return s_fail (self, at, "invalid escape sequence");
    }
    if (simple)
        return s_buf_putc (&self->scratch, *simple) ? 0 : s_oom (self);

    long cp = s_hex4 (self, self->pos);
    if (cp < 0)
        return s_fail (self, at, "invalid \\u escape");
    self->pos += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return s_fail (self, at, "unpaired surrogate \\u%04lx", cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        //  UTF-8 cannot carry a lone surrogate: demand the low half
        long low = -1;
        if (self->len - self->pos >= 2 && self->text[self->pos] == '\\' &&
            self->text[self->pos + 1] == 'u')
            low = s_hex4 (self, self->pos + 2);
        if (low < 0xdc00 || low > 0xdfff)
            return s_fail (self, at, "unpaired surrogate \\u%04lx", cp);
        self->pos += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    return s_put_utf8 (&self->scratch, (unsigned long)cp) ? 0 : s_oom (self);
}

//  Parse the string at pos (a quote) into the scratch buffer
static int
s_decode_string (s_parser_t *self)
{
    size_t open = self->pos++;
    s_buf_t *scratch = &self->scratch;
    scratch->size = 0;
    while (true) {
        if (self->pos >= self->len)
            return s_fail (self, open, "unterminated string");
        const char *here = self->text + self->pos;
        unsigned char c = (unsigned char)*here;
        if (c == '"') {
            self->pos++;
            return 0;
        }
        if (c == '\\') {
            if (s_parse_escape (self))
                return -1;
            continue;
        }
        if (c < 0x20)
            return s_fail (self,
                           self->pos,
                           "unescaped control character 0x%02x in string",
                           c);
        size_t n = 1;
        if (c >= 0x80) {
            n = yjc_mp_utf8_seq (here, self->len - self->pos);
            if (n == 0)
                return s_fail (self, self->pos, "invalid UTF-8 in string");
        }
        else //  copy a run of plain ASCII at once
            while (self->pos + n < self->len) {
                unsigned char next = (unsigned char)here[n];
                if (next < 0x20 || next >= 0x80 || next == '"' || next == '\\')
                    break;
                n++;
            }
        if (!s_buf_put (scratch, here, n))
            return s_oom (self);
        self->pos += n;
    }
}

static int
s_parse_string (s_parser_t *self)
{
    if (s_decode_string (self))
        return -1;
    const char *body = self->scratch.data ? self->scratch.data : "";
    if (msgpack_pack_str_with_body (&self->pk, body, self->scratch.size))
        return s_oom (self);
    return 0;
}

static int
s_parse_number (s_parser_t *self)
{
    size_t start = self->pos;
    bool negative = s_peek (self, '-');
    bool integral = true;
    if (negative)
        self->pos++;
    if (s_peek (self, '0'))
        self->pos++;
    else if (s_is_digit (self))
        while (s_is_digit (self))
            self->pos++;
    else
        return s_fail (self, start, "invalid number");
    if (s_peek (self, '.')) {
        integral = false;
        self->pos++;
        if (!s_is_digit (self))
            return s_fail (self, start, "invalid number");
        while (s_is_digit (self))
            self->pos++;
    }
    if (s_peek (self, 'e') || s_peek (self, 'E')) {
        integral = false;
        self->pos++;
        if (s_peek (self, '+') || s_peek (self, '-'))
            self->pos++;
        if (!s_is_digit (self))
            return s_fail (self, start, "invalid number");
        while (s_is_digit (self))
            self->pos++;
    }

    if (integral) {
        uint64_t magnitude = 0;
        bool overflow = false;
        for (size_t i = start + negative; i < self->pos; i++) {
            unsigned digit = (unsigned)(self->text[i] - '0');
            if (magnitude > (UINT64_MAX - digit) / 10) {
                overflow = true;
                break;
            }
            magnitude = magnitude * 10 + digit;
        }
        int64_t value = 0;
        bool fits = false;
        if (overflow)
            ;
        else if (!negative && magnitude <= (uint64_t)INT64_MAX) {
            value = (int64_t)magnitude;
            fits = true;
        }
        else if (negative && magnitude <= (uint64_t)INT64_MAX + 1) {
            //  Negate in unsigned arithmetic: -INT64_MIN overflows
            value = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN
                                                         : -(int64_t)magnitude;
            fits = true;
        }
        if (fits) //  msgpack-c uses uint formats for values >= 0
            return msgpack_pack_int64 (&self->pk, value) ? s_oom (self) : 0;
    }

    //  strtod needs a NUL-terminated copy of the token
    s_buf_t *scratch = &self->scratch;
    scratch->size = 0;
    if (!s_buf_put (scratch, self->text + start, self->pos - start) ||
        !s_c_locale (&self->c_locale))
        return s_oom (self);
    scratch->data[scratch->size] = '\0';
    double value = strtod_l (scratch->data, NULL, self->c_locale);
    if (isinf (value))
        return s_fail (self, start, "number out of range");
    return msgpack_pack_double (&self->pk, value) ? s_oom (self) : 0;
}

static int
s_parse_literal (s_parser_t *self, const char *word)
{
    size_t n = strlen (word);
    if (self->len - self->pos < n ||
        memcmp (self->text + self->pos, word, n) != 0)
        return s_fail (self, self->pos, "invalid literal");
    self->pos += n;
    int rc;
    if (*word == 't')
        rc = msgpack_pack_true (&self->pk);
    else if (*word == 'f')
        rc = msgpack_pack_false (&self->pk);
    else
        rc = msgpack_pack_nil (&self->pk);
    return rc ? s_oom (self) : 0;
}

//  Write the smallest header for count at offset header, where 5 bytes
//  were reserved, and slide the body back over the unused ones.
static void
s_patch_header (msgpack_sbuffer *out,
                size_t header,
                uint32_t count,
                bool is_map)
{
    unsigned char bytes[5];
    size_t width;
    if (count < 16) {
        bytes[0] = (unsigned char)((is_map ? 0x80 : 0x90) | count);
        width = 1;
    }
    else if (count <= 0xffff) {
        bytes[0] = is_map ? 0xde : 0xdc;
        bytes[1] = (unsigned char)(count >> 8);
        bytes[2] = (unsigned char)count;
        width = 3;
    }
    else {
        bytes[0] = is_map ? 0xdf : 0xdd;
        bytes[1] = (unsigned char)(count >> 24);
        bytes[2] = (unsigned char)(count >> 16);
        bytes[3] = (unsigned char)(count >> 8);
        bytes[4] = (unsigned char)count;
        width = 5;
    }
    size_t body = header + 5;
    memmove (out->data + header + width, out->data + body, out->size - body);
    memcpy (out->data + header, bytes, width);
    out->size -= 5 - width;
}

static int s_parse_value (s_parser_t *self, int depth);

static int
s_parse_container (s_parser_t *self, int depth, bool is_map)
{
    if (depth >= YJC_JSON_MAX_DEPTH)
        return s_fail (
            self, self->pos, "nesting deeper than %d", YJC_JSON_MAX_DEPTH);
    self->pos++;
    const char close = is_map ? '}' : ']';
    size_t header = self->out->size;
    static const char reserved[5] = { 0 };
    if (msgpack_sbuffer_write (self->out, reserved, sizeof reserved))
        return s_oom (self);

    uint64_t count = 0;
    s_skip_ws (self);
    if (s_peek (self, close))
        self->pos++;
    else
        while (true) {
            if (is_map) {
                s_skip_ws (self);
                if (!s_peek (self, '"'))
                    return s_unexpected (self, "a string key");
                if (s_parse_string (self))
                    return -1;
                s_skip_ws (self);
                if (!s_peek (self, ':'))
                    return s_unexpected (self, "':'");
                self->pos++;
            }
            if (s_parse_value (self, depth + 1))
                return -1;
            if (++count > UINT32_MAX)
                return s_fail (self, self->pos, "too many elements");
            s_skip_ws (self);
            if (s_peek (self, ',')) {
                self->pos++;
                continue;
            }
            if (s_peek (self, close)) {
                self->pos++;
                break;
            }
            return s_unexpected (self, is_map ? "',' or '}'" : "',' or ']'");
        }
    s_patch_header (self->out, header, (uint32_t)count, is_map);
    return 0;
}

static int
s_parse_value (s_parser_t *self, int depth)
{
    s_skip_ws (self);
    if (self->pos >= self->len)
        return s_unexpected (self, "a value");
    char c = self->text[self->pos];
    switch (c) {
        case '{': return s_parse_container (self, depth, true);
        case '[': return s_parse_container (self, depth, false);
        case '"': return s_parse_string (self);
        case 't': return s_parse_literal (self, "true");
        case 'f': return s_parse_literal (self, "false");
        case 'n': return s_parse_literal (self, "null");
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return s_parse_number (self);
            return s_unexpected (self, "a value");
    }
}

int
yjc_json_to_msgpack (const char *text,
                     size_t len,
                     msgpack_sbuffer *out,
                     char *err,
                     size_t errlen)
{
    s_parser_t self = { .text = text ? text : "",
                        .len = text ? len : 0,
                        .out = out,
                        .err = err,
                        .errlen = errlen };
    if (err && errlen > 0)
        err[0] = '\0';
    if (!out)
        return s_fail (&self, 0, "no output buffer");
    msgpack_packer_init (&self.pk, out, msgpack_sbuffer_write);
    if (self.len >= 3 && memcmp (self.text, "\xef\xbb\xbf", 3) == 0)
        self.pos = self.start = 3;

    size_t saved = out->size;
    int rc = s_parse_value (&self, 0);
    if (rc == 0) {
        s_skip_ws (&self);
        if (self.pos < self.len)
            rc = s_fail (
                &self, self.pos, "trailing characters after the JSON value");
    }
    if (rc)
        out->size = saved; //  leave out as the caller gave it
    free (self.scratch.data);
    if (self.c_locale)
        freelocale (self.c_locale);
    return rc;
}

//  --------------------------------------------------------------------------
//  msgpack -> JSON

static bool
s_put_string (s_buf_t *buf, const char *s, size_t n)
{
    s_buf_putc (buf, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t k = yjc_mp_utf8_seq (s + i, n - i);
            if (k > 0)
                s_buf_put (buf, s + i, k);
            else //  JSON must be valid UTF-8: U+FFFD
                s_buf_puts (buf, "\xef\xbf\xbd");
            i += k ? k : 1;
            continue;
        }
        char escape[8];
        const char *out = NULL;
        switch (c) {
            case '"': out = "\\\""; break;
            case '\\': out = "\\\\"; break;
            case '\b': out = "\\b"; break;
            case '\f': out = "\\f"; break;
            case '\n': out = "\\n"; break;
            case '\r': out = "\\r"; break;
            case '\t': out = "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    snprintf (escape, sizeof escape, "\\u%04x", c);
                    out = escape;
                }
        }
        if (out) {
            s_buf_puts (buf, out);
            i++;
            continue;
        }
        size_t run = i + 1; //  a run of plain ASCII at once
        while (run < n) {
            unsigned char next = (unsigned char)s[run];
            if (next < 0x20 || next >= 0x7f || next == '"' || next == '\\')
                break;
            run++;
        }
        s_buf_put (buf, s + i, run - i);
        i = run;
    }
    return s_buf_putc (buf, '"');
}

static bool
s_put_base64 (s_buf_t *buf, const char *data, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n > (SIZE_MAX / 4 - 1) * 3) {
        buf->oom = true;
        return false;
    }
    if (!s_buf_reserve (buf, (n / 3 + 1) * 4 + 2))
        return false;
    const unsigned char *p = (const unsigned char *)data;
    char *o = buf->data + buf->size;
    *o++ = '"';
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o++ = '"';
    buf->size = (size_t)(o - buf->data);
    return true;
}

//  Shortest %g that reads back to the same value; always with a '.' or
//  an exponent so the value is parsed back as a float, not an int.
static bool
s_put_double (s_buf_t *buf, double value, bool single, locale_t *locale)
{
    if (isnan (value) || isinf (value))
        return s_buf_puts (buf, "null");
    if (!s_c_locale (locale)) {
        buf->oom = true;
        return false;
    }
    char text[48];
    locale_t previous = uselocale (*locale);
    for (int precision = single ? 6 : 15;; precision++) {
        snprintf (text, sizeof text, "%.*g", precision, value);
        double back = strtod_l (text, NULL, *locale);
        if (precision >= (single ? 9 : 17) ||
            (single ? (float)back == (float)value : back == value))
            break;
    }
    if (previous)
        uselocale (previous);
    if (!strpbrk (text, ".e"))
        strcat (text, ".0");
    return s_buf_puts (buf, text);
}

static void
s_newline (s_buf_t *buf, bool pretty, int level)
{
    if (pretty) {
        s_buf_putc (buf, '\n');
        for (int i = 0; i < level; i++)
            s_buf_put (buf, "  ", 2);
    }
}

static bool s_render (s_buf_t *buf,
                      const msgpack_object *obj,
                      int depth,
                      bool pretty,
                      locale_t *locale);

//  Keys that are not str are rendered compactly, then quoted
static bool
s_render_key (s_buf_t *buf,
              const msgpack_object *key,
              int depth,
              locale_t *locale)
{
    if (key->type == MSGPACK_OBJECT_STR)
        return s_put_string (buf, key->via.str.ptr, key->via.str.size);
    if (key->type == MSGPACK_OBJECT_BIN)
        return s_put_base64 (buf, key->via.bin.ptr, key->via.bin.size);
    s_buf_t text = { NULL, 0, 0, false };
    bool ok = s_render (&text, key, depth, false, locale) &&
              s_put_string (buf, text.data, text.size);
    if (text.oom)
        buf->oom = true;
    free (text.data);
    return ok && !buf->oom;
}

static bool
s_render (s_buf_t *buf,
          const msgpack_object *obj,
          int depth,
          bool pretty,
          locale_t *locale)
{
    char number[32];
    const char *colon = pretty ? ": " : ":";
    switch (obj->type) {
        case MSGPACK_OBJECT_NIL: return s_buf_puts (buf, "null");
        case MSGPACK_OBJECT_BOOLEAN:
            return s_buf_puts (buf, obj->via.boolean ? "true" : "false");
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            snprintf (number, sizeof number, "%" PRIu64, obj->via.u64);
            return s_buf_puts (buf, number);
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            snprintf (number, sizeof number, "%" PRId64, obj->via.i64);
            return s_buf_puts (buf, number);
        case MSGPACK_OBJECT_FLOAT32:
            return s_put_double (buf, obj->via.f64, true, locale);
        case MSGPACK_OBJECT_FLOAT64:
            return s_put_double (buf, obj->via.f64, false, locale);
        case MSGPACK_OBJECT_STR:
            return s_put_string (buf, obj->via.str.ptr, obj->via.str.size);
        case MSGPACK_OBJECT_BIN:
            return s_put_base64 (buf, obj->via.bin.ptr, obj->via.bin.size);
        default: break;
    }
    //  Containers; recursion is bounded by YJC_JSON_MAX_DEPTH
    if (depth >= YJC_JSON_MAX_DEPTH)
        return false;
    if (obj->type == MSGPACK_OBJECT_ARRAY) {
        const msgpack_object_array *array = &obj->via.array;
        if (array->size == 0)
            return s_buf_puts (buf, "[]");
        s_buf_putc (buf, '[');
        for (uint32_t i = 0; i < array->size; i++) {
            if (i > 0)
                s_buf_putc (buf, ',');
            s_newline (buf, pretty, depth + 1);
            if (!s_render (buf, &array->ptr[i], depth + 1, pretty, locale))
                return false;
        }
        s_newline (buf, pretty, depth);
        return s_buf_putc (buf, ']');
    }
    if (obj->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *map = &obj->via.map;
        if (map->size == 0)
            return s_buf_puts (buf, "{}");
        s_buf_putc (buf, '{');
        for (uint32_t i = 0; i < map->size; i++) {
            if (i > 0)
                s_buf_putc (buf, ',');
            s_newline (buf, pretty, depth + 1);
            if (!s_render_key (buf, &map->ptr[i].key, depth + 1, locale))
                return false;
            s_buf_puts (buf, colon);
            if (!s_render (buf, &map->ptr[i].val, depth + 1, pretty, locale))
                return false;
        }
        s_newline (buf, pretty, depth);
        return s_buf_putc (buf, '}');
    }
    if (obj->type == MSGPACK_OBJECT_EXT) {
        //  No JSON equivalent; keep the type so nothing is lost
        s_buf_putc (buf, '{');
        s_newline (buf, pretty, depth + 1);
        snprintf (number, sizeof number, "%d", obj->via.ext.type);
        s_buf_puts (buf, "\"ext_type\"");
        s_buf_puts (buf, colon);
        s_buf_puts (buf, number);
        s_buf_putc (buf, ',');
        s_newline (buf, pretty, depth + 1);
        s_buf_puts (buf, "\"data\"");
        s_buf_puts (buf, colon);
        s_put_base64 (buf, obj->via.ext.ptr, obj->via.ext.size);
        s_newline (buf, pretty, depth);
        return s_buf_putc (buf, '}');
    }
    return s_buf_puts (buf, "null"); //  unknown type from a newer msgpack
}

char *
yjc_json_from_object (const msgpack_object *obj, bool pretty)
{
    if (!obj)
        return NULL;
    s_buf_t buf = { NULL, 0, 0, false };
    locale_t locale = (locale_t)0;
    bool ok =
        s_render (&buf, obj, 0, pretty, &locale) && s_buf_reserve (&buf, 0);
    if (locale)
        freelocale (locale);
    if (!ok || buf.oom) {
        free (buf.data);
        return NULL;
    }
    buf.data[buf.size] = '\0';
    return buf.data;
}

//  --------------------------------------------------------------------------
//  Selftest

//  JSON -> msgpack (which must pass yjc_mp_check) -> JSON, compared
static bool
s_test_roundtrip (const char *json, const char *expect, bool pretty)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char err[200];
    bool ok = false;
    if (yjc_json_to_msgpack (json, strlen (json), &sbuf, err, sizeof err)) {
        fprintf (stderr, "  parse error: %s\n", err);
        msgpack_sbuffer_destroy (&sbuf);
        return false;
    }
    yjc_mp_limits_t limits = yjc_mp_limits_default ();
    limits.max_items = SIZE_MAX;
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    if (yjc_mp_unpack_checked (
            sbuf.data, sbuf.size, &limits, &unpacked, NULL) == 0) {
        char *text = yjc_json_from_object (&unpacked.data, pretty);
        ok = text && strcmp (text, expect) == 0;
        if (!ok)
            fprintf (stderr, "  got: %s\n", text ? text : "(null)");
        free (text);
    }
    msgpack_unpacked_destroy (&unpacked);
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

//  Parsing must fail with err starting with prefix and containing what,
//  leaving what the buffer already held untouched
static bool
s_test_error (const char *json, const char *prefix, const char *what)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_sbuffer_write (&sbuf, "\x07", 1);
    char err[200] = "";
    int rc = yjc_json_to_msgpack (json, strlen (json), &sbuf, err, sizeof err);
    bool ok = rc == -1 && sbuf.size == 1 && sbuf.data[0] == 7 &&
              strncmp (err, prefix, strlen (prefix)) == 0 &&
              strstr (err, what) != NULL;
    if (!ok)
        fprintf (stderr, "  rc=%d err: %s\n", rc, err);
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

//  Parse a scalar and return its msgpack object (scalars own no memory)
static msgpack_object
s_test_scalar (const char *json)
{
    msgpack_object result = { .type = MSGPACK_OBJECT_NIL };
    result.via.u64 = 0xdead;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    if (yjc_json_to_msgpack (json, strlen (json), &sbuf, NULL, 0) == 0) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        if (yjc_mp_unpack_checked (
                sbuf.data, sbuf.size, NULL, &unpacked, NULL) == 0)
            result = unpacked.data;
        msgpack_unpacked_destroy (&unpacked);
    }
    msgpack_sbuffer_destroy (&sbuf);
    return result;
}

//  Render what a packer callback built
static char *
s_test_render (msgpack_sbuffer *sbuf, bool pretty)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    size_t offset = 0;
    char *text = NULL;
    if (msgpack_unpack_next (&unpacked, sbuf->data, sbuf->size, &offset) ==
        MSGPACK_UNPACK_SUCCESS)
        text = yjc_json_from_object (&unpacked.data, pretty);
    msgpack_unpacked_destroy (&unpacked);
    return text;
}

static bool
s_test_bytes (const char *json, const char *bytes, size_t n)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    bool ok = yjc_json_to_msgpack (json, strlen (json), &sbuf, NULL, 0) == 0 &&
              sbuf.size == n && memcmp (sbuf.data, bytes, n) == 0;
    msgpack_sbuffer_destroy (&sbuf);
    return ok;
}

void
yjc_json_test (yjc_test_t *t)
{
    //  A Chinese form: compact and pretty round trips
    const char *form =
        "{\n"
        "  \"表单\" : \"居民身份证申领\",\n"
        "  \"申请人\": {\"姓名\": \"张三\", \"年龄\": 35, \"已婚\": false},\n"
        "  \"材料\": [\"户口簿\", \"照片\"],\r\n"
        "  \"备注\": null, \"费用\": 20.5, \"空\": {}, \"列表\": [ ],\n"
        "  \"编号\": 110101199001011234\n"
        "}\n";
    YJC_CHECK (t,
               s_test_roundtrip (
                   form,
                   "{\"表单\":\"居民身份证申领\",\"申请人\":{\"姓名\":\"张三\","
                   "\"年龄\":35,\"已婚\":false},\"材料\":[\"户口簿\",\"照片\"],"
                   "\"备注\":null,\"费用\":20.5,\"空\":{},\"列表\":[],"
                   "\"编号\":110101199001011234}",
                   false));
    YJC_CHECK (t,
               s_test_roundtrip (form,
                                 "{\n"
                                 "  \"表单\": \"居民身份证申领\",\n"
                                 "  \"申请人\": {\n"
                                 "    \"姓名\": \"张三\",\n"
                                 "    \"年龄\": 35,\n"
                                 "    \"已婚\": false\n"
                                 "  },\n"
                                 "  \"材料\": [\n"
                                 "    \"户口簿\",\n"
                                 "    \"照片\"\n"
                                 "  ],\n"
                                 "  \"备注\": null,\n"
                                 "  \"费用\": 20.5,\n"
                                 "  \"空\": {},\n"
                                 "  \"列表\": [],\n"
                                 "  \"编号\": 110101199001011234\n"
                                 "}",
                                 true));
    YJC_CHECK (t, s_test_roundtrip ("\xef\xbb\xbf [true] ", "[true]", false));
    YJC_CHECK (t, s_test_roundtrip ("\"\"", "\"\"", false));

    //  Canonical headers: fixarray, array16, map16 after the body slides
    YJC_CHECK (t, s_test_bytes ("[1,[],{}]", "\x93\x01\x90\x80", 4));
    char big[3 + 2 * 20];
    strcpy (big, "[");
    for (int i = 0; i < 20; i++)
        strcat (big, i ? ",0" : "0");
    strcat (big, "]");
    char expect[3 + 20] = "\xdc\x00\x14";
    memset (expect + 3, 0, 20);
    YJC_CHECK (t, s_test_bytes (big, expect, sizeof expect));
    YJC_CHECK (t,
               s_test_roundtrip (
                   big, "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", false));
    YJC_CHECK (
        t,
        s_test_roundtrip (
            "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
            "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,"
            "\"p\":{\"q\":[16]}}",
            "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,"
            "\"i\":9,\"j\":10,\"k\":11,\"l\":12,\"m\":13,\"n\":14,\"o\":15,"
            "\"p\":{\"q\":[16]}}",
            false));

    //  Escapes in, escapes out
    YJC_CHECK (
        t,
        s_test_bytes ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4E2D\"",
                      "\xb2"
                      "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe4\xb8\xad",
                      19));
    YJC_CHECK (t,
               s_test_roundtrip (
                   "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4E2D\"",
                   "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\tA\xc3\xa9中\"",
                   false));
    YJC_CHECK (t,
               s_test_roundtrip ("\"\\u0000\\u0001\\u001f\\u007f\"",
                                 "\"\\u0000\\u0001\\u001f\\u007f\"",
                                 false));

    //  Surrogate pairs become one 4-byte UTF-8 sequence
    YJC_CHECK (t,
               s_test_bytes ("\"\\ud83d\\ude00\"", "\xa4\xf0\x9f\x98\x80", 5));
    YJC_CHECK (t,
               s_test_roundtrip (
                   "[\"\\uD83D\\uDE00\"]", "[\"\xf0\x9f\x98\x80\"]", false));
    YJC_CHECK (
        t,
        s_test_error ("\"\\ud83d\"", "line 1 column 2:", "unpaired surrogate"));
    YJC_CHECK (
        t,
        s_test_error (
            "\"\\ud83d\\u0041\"", "line 1 column 2:", "unpaired surrogate"));
    YJC_CHECK (t,
               s_test_error (
                   "\"x\\ude00\"", "line 1 column 3:", "unpaired surrogate"));
    YJC_CHECK (
        t,
        s_test_error ("\"\\u12g4\"", "line 1 column 2:", "invalid \\u escape"));
    YJC_CHECK (t,
               s_test_error ("\"\\x\"", "line 1 column 2:", "invalid escape"));

    //  Integers: int64 range stays integral, beyond becomes float64
    msgpack_object obj = s_test_scalar ("9223372036854775807");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                   obj.via.u64 == (uint64_t)INT64_MAX);
    obj = s_test_scalar ("-9223372036854775808");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_NEGATIVE_INTEGER &&
                   obj.via.i64 == INT64_MIN);
    obj = s_test_scalar ("9223372036854775808");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_FLOAT64 &&
                   obj.via.f64 == 9223372036854775808.0);
    obj = s_test_scalar ("-9223372036854775809");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_FLOAT64 &&
                   obj.via.f64 == -9223372036854775808.0);
    obj = s_test_scalar ("123456789012345678901234567890");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_FLOAT64 && obj.via.f64 > 1.2e29 &&
                   obj.via.f64 < 1.3e29);
    obj = s_test_scalar ("-0");
    YJC_CHECK (t,
               obj.type == MSGPACK_OBJECT_POSITIVE_INTEGER && obj.via.u64 == 0);
    obj = s_test_scalar ("-1");
    YJC_CHECK (
        t, obj.type == MSGPACK_OBJECT_NEGATIVE_INTEGER && obj.via.i64 == -1);
    YJC_CHECK (t, s_test_bytes ("200", "\xcc\xc8", 2));
    YJC_CHECK (
        t,
        s_test_roundtrip (
            "[9223372036854775807,-9223372036854775808,9223372036854775808,"
            "18446744073709551615]",
            "[9223372036854775807,-9223372036854775808,9.223372036854776e+18,"
            "1.8446744073709552e+19]",
            false));

    //  Floats keep a '.' or exponent; shortest round-trip digits
    obj = s_test_scalar ("1e3");
    YJC_CHECK (t, obj.type == MSGPACK_OBJECT_FLOAT64 && obj.via.f64 == 1000);
    YJC_CHECK (
        t,
        s_test_roundtrip (
            "[1.5,-0.25,1e3,0.1,2.5E-3,1E+2,-0.0,0.30000000000000004,1e300,"
            "5e-324]",
            "[1.5,-0.25,1000.0,0.1,0.0025,100.0,-0.0,0.30000000000000004,"
            "1e+300,4.94065645841247e-324]",
            false));
    YJC_CHECK (
        t, s_test_error ("[1e400]", "line 1 column 2:", "number out of range"));
    YJC_CHECK (t, s_test_error ("-", "line 1 column 1:", "invalid number"));
    YJC_CHECK (t, s_test_error ("[1.]", "line 1 column 2:", "invalid number"));
    YJC_CHECK (t, s_test_error ("1e+", "line 1 column 1:", "invalid number"));
    YJC_CHECK (
        t,
        s_test_error ("[.5]", "line 1 column 2:", "unexpected character '.'"));
    YJC_CHECK (t, s_test_error ("01", "line 1 column 2:", "trailing"));

    //  Errors carry line and column (in characters, not bytes)
    YJC_CHECK (t,
               s_test_error ("{\n  \"a\": 1,\n  \"b\": tru\n}",
                             "line 3 column 8:",
                             "invalid literal"));
    YJC_CHECK (
        t,
        s_test_error (
            "[\"中文\", x]", "line 1 column 8:", "unexpected character 'x'"));
    YJC_CHECK (t,
               s_test_error (
                   "[1，2]", "line 1 column 3:", "unexpected character '，'"));
    YJC_CHECK (
        t, s_test_error ("", "line 1 column 1:", "unexpected end of input"));
    YJC_CHECK (
        t,
        s_test_error ("  \n ", "line 2 column 2:", "unexpected end of input"));
    YJC_CHECK (t,
               s_test_error (
                   "[1, 2,]", "line 1 column 7:", "unexpected character ']'"));
    YJC_CHECK (
        t, s_test_error ("[1 2]", "line 1 column 4:", "expected ',' or ']'"));
    YJC_CHECK (t,
               s_test_error (
                   "{\"a\":1", "line 1 column 7:", "unexpected end of input"));
    YJC_CHECK (t,
               s_test_error ("{\"a\" 1}", "line 1 column 6:", "expected ':'"));
    YJC_CHECK (
        t, s_test_error ("{1:2}", "line 1 column 2:", "expected a string key"));
    YJC_CHECK (t,
               s_test_error (
                   "{\"a\":1,}", "line 1 column 8:", "expected a string key"));
    YJC_CHECK (t, s_test_error ("[1] x", "line 1 column 5:", "trailing"));
    YJC_CHECK (t, s_test_error ("{} {}", "line 1 column 4:", "trailing"));
    YJC_CHECK (
        t, s_test_error ("[\"abc]", "line 1 column 2:", "unterminated string"));
    YJC_CHECK (
        t, s_test_error ("\"a\tb\"", "line 1 column 3:", "control character"));
    YJC_CHECK (
        t, s_test_error ("\"\xc0\x80\"", "line 1 column 2:", "invalid UTF-8"));
    YJC_CHECK (
        t,
        s_test_error ("\"\xed\xa0\x80\"", "line 1 column 2:", "invalid UTF-8"));
    YJC_CHECK (
        t,
        s_test_error (
            "\xef\xbb\xbf[x]", "line 1 column 2:", "unexpected character 'x'"));
    YJC_CHECK (t, s_test_error ("nul", "line 1 column 1:", "invalid literal"));
    YJC_CHECK (
        t, s_test_error ("[\x01]", "line 1 column 2:", "unexpected byte 0x01"));
    //  err is optional and truncated safely
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    YJC_CHECK (t, yjc_json_to_msgpack ("[", 1, &sbuf, NULL, 0) == -1);
    char tiny[8];
    YJC_CHECK (t,
               yjc_json_to_msgpack ("[", 1, &sbuf, tiny, sizeof tiny) == -1 &&
                   strcmp (tiny, "line 1 ") == 0);
    YJC_CHECK (t, yjc_json_to_msgpack ("[2]", 2, &sbuf, NULL, 0) == -1);
    YJC_CHECK (t, sbuf.size == 0);

    //  Depth limit: 64 levels parse, 65 do not
    char nest[2 * (YJC_JSON_MAX_DEPTH + 1) + 1];
    memset (nest, '[', YJC_JSON_MAX_DEPTH);
    memset (nest + YJC_JSON_MAX_DEPTH, ']', YJC_JSON_MAX_DEPTH);
    YJC_CHECK (t,
               yjc_json_to_msgpack (
                   nest, 2 * YJC_JSON_MAX_DEPTH, &sbuf, NULL, 0) == 0);
    YJC_CHECK (t, sbuf.size == YJC_JSON_MAX_DEPTH);
    sbuf.size = 0;
    memset (nest, '[', YJC_JSON_MAX_DEPTH + 1);
    memset (nest + YJC_JSON_MAX_DEPTH + 1, ']', YJC_JSON_MAX_DEPTH + 1);
    nest[2 * (YJC_JSON_MAX_DEPTH + 1)] = '\0';
    YJC_CHECK (
        t, s_test_error (nest, "line 1 column 65:", "nesting deeper than 64"));
    {
        //  Deep objects too, then the same limit when rendering
        char deep[8 * (YJC_JSON_MAX_DEPTH + 1) + 2] = "";
        for (int i = 0; i <= YJC_JSON_MAX_DEPTH; i++)
            strcat (deep, "{\"k\":");
        strcat (deep, "1");
        for (int i = 0; i <= YJC_JSON_MAX_DEPTH; i++)
            strcat (deep, "}");
        YJC_CHECK (t,
                   s_test_error (deep, "line 1 column 321:", "nesting deeper"));
    }
    msgpack_object levels[YJC_JSON_MAX_DEPTH + 2];
    for (int i = 0; i <= YJC_JSON_MAX_DEPTH; i++) {
        levels[i].type = MSGPACK_OBJECT_ARRAY;
        levels[i].via.array.size = 1;
        levels[i].via.array.ptr = &levels[i + 1];
    }
    levels[YJC_JSON_MAX_DEPTH + 1].type = MSGPACK_OBJECT_NIL;
    char *text = yjc_json_from_object (&levels[1], false);
    YJC_CHECK (t, text && strlen (text) == 2 * YJC_JSON_MAX_DEPTH + 4);
    free (text);
    YJC_CHECK (t, yjc_json_from_object (&levels[0], false) == NULL);
    YJC_CHECK (t, yjc_json_from_object (NULL, false) == NULL);

    //  Rendering what JSON cannot express directly
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    sbuf.size = 0;
    msgpack_pack_map (&pk, 8);
    msgpack_pack_int64 (&pk, 1);
    msgpack_pack_str_with_body (&pk, "a", 1);
    msgpack_pack_nil (&pk);
    msgpack_pack_true (&pk);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_str_with_body (&pk, "x", 1);
    msgpack_pack_int64 (&pk, -2);
    msgpack_pack_int64 (&pk, 0);
    msgpack_pack_bin_with_body (&pk, "\x00", 1);
    msgpack_pack_float (&pk, 0.1f);
    msgpack_pack_double (&pk, 1.5);
    msgpack_pack_array (&pk, 6);
    msgpack_pack_bin_with_body (&pk, "", 0);
    msgpack_pack_bin_with_body (&pk, "f", 1);
    msgpack_pack_bin_with_body (&pk, "fo", 2);
    msgpack_pack_bin_with_body (&pk, "foo", 3);
    msgpack_pack_bin_with_body (&pk, "foob", 4);
    msgpack_pack_bin_with_body (&pk, "\xfb\xff", 2);
    msgpack_pack_str_with_body (&pk, "nums", 4);
    msgpack_pack_array (&pk, 4);
    msgpack_pack_double (&pk, NAN);
    msgpack_pack_double (&pk, -INFINITY);
    msgpack_pack_float (&pk, 3.0f);
    msgpack_pack_float (&pk, 16777216.0f);
    msgpack_pack_str_with_body (&pk, "bad\"utf8", 8);
    msgpack_pack_str_with_body (&pk,
                                "a\xff"
                                "b\xe4\xb8",
                                5);
    msgpack_pack_str_with_body (&pk, "ext", 3);
    msgpack_pack_ext_with_body (&pk, "\x01\x02", 2, 5);
    text = s_test_render (&sbuf, false);
    YJC_CHECK (
        t,
        text &&
            strcmp (
                text,
                "{\"1\":\"a\",\"null\":true,\"[\\\"x\\\",-2]\":0,\"AA==\":0.1,"
                "\"1.5\":[\"\",\"Zg==\",\"Zm8=\",\"Zm9v\",\"Zm9vYg==\",\"+/"
                "8=\"],"
                "\"nums\":[null,null,3.0,16777216.0],"
                "\"bad\\\"utf8\":\"a\xef\xbf\xbd"
                "b\xef\xbf\xbd\xef\xbf\xbd\","
                "\"ext\":{\"ext_type\":5,\"data\":\"AQI=\"}}") == 0);
    free (text);

    //  Pretty form of the same ext and a nested empty container
    sbuf.size = 0;
    msgpack_pack_array (&pk, 2);
    msgpack_pack_ext_with_body (&pk, "", 0, -1);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_map (&pk, 0);
    text = s_test_render (&sbuf, true);
    YJC_CHECK (t,
               text && strcmp (text,
                               "[\n"
                               "  {\n"
                               "    \"ext_type\": -1,\n"
                               "    \"data\": \"\"\n"
                               "  },\n"
                               "  [\n"
                               "    {}\n"
                               "  ]\n"
                               "]") == 0);
    free (text);
    msgpack_sbuffer_destroy (&sbuf);
}
