/*  cursor.h - the vendor's fetch cursors (order.fetch, problem.fetch): a
    letter naming the queue and a change number in hex, opaque to the
    vendor (proto/README.md §8.3; the change numbers of
    101_vendor_cursor.sql), so a cursor of one queue is refused by the
    other.                                                               */
#ifndef CURSOR_H_INCLUDED
#define CURSOR_H_INCLUDED

//  Reads `text`, a cursor of the queue `letter`, into *seq (-1 when the
//  text is empty: no cursor).  Returns 0, or -1 when it is not one of
//  that queue's cursors.
int cursor_parse (char letter, const char *text, long long *seq);

//  Writes the cursor of the queue `letter` at the change number `seq`
//  (decimal text, as PostgreSQL gives it).
void cursor_format (char letter, const char *seq, char out[24]);

#endif
