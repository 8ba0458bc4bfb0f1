/*  table.h - columns a clerk can read: cells collected row by row, then
    printed with every column padded to its widest cell by display width
    (a Chinese character takes two columns on a terminal, one byte takes
    none of that into account).  The locale must be UTF-8 for LC_CTYPE
    (main sets C.UTF-8).                                                  */
#ifndef TABLE_H_INCLUDED
#define TABLE_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>

typedef struct _cli_table_t cli_table_t;

//  A table of `columns` columns, each cell indented by `indent` spaces
//  at the start of the row.
cli_table_t *cli_table_new (int columns, int indent);
void cli_table_destroy (cli_table_t **self_p);
//  Appends one row: `columns` strings (NULL reads as ""), copied.
void cli_table_row (cli_table_t *self, ...);
//  Appends one cell formatted printf-style; a new row starts when the
//  last one is full.
void cli_table_cell (cli_table_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
size_t cli_table_rows (cli_table_t *self);
//  Prints the rows: two spaces between columns, the last one unpadded.
void cli_table_print (cli_table_t *self, FILE *out);

//  Display width of UTF-8 text (2 for a wide character, 0 for a
//  combining one; an invalid byte counts 1).
int cli_text_width (const char *text);
//  Prints `text` then spaces up to `width` display columns.
void cli_print_padded (FILE *out, const char *text, int width);

//  One CSV field on stdout (RFC 4180: quoted when it holds a comma, a
//  quote or a line break), then ',' or, for the `last`, a line end.
void cli_csv_field (const char *text, bool last);

#endif
