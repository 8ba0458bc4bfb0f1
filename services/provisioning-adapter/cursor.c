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
