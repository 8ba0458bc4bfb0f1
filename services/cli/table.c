/*  table.c - columns padded by display width (see table.h).             */
#include "table.h"
#include <czmq.h>
#include <stdarg.h>
#include <wchar.h>

struct _cli_table_t {
    int columns;
    int indent;
    char **cells; //  row-major, columns per row
    size_t count; //  cells used
    size_t size;  //  cells allocated
};

cli_table_t *
cli_table_new (int columns, int indent)
{
    cli_table_t *self = (cli_table_t *)zmalloc (sizeof (cli_table_t));
    self->columns = columns;
    self->indent = indent;
    return self;
}

void
cli_table_destroy (cli_table_t **self_p)
{
    cli_table_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->count; i++)
        free (self->cells[i]);
    free (self->cells);
    free (self);
    *self_p = NULL;
}

static void
s_add (cli_table_t *self, char *cell)
{
    if (self->count == self->size) {
        self->size = self->size ? self->size * 2 : 32;
        self->cells =
            (char **)realloc (self->cells, self->size * sizeof (char *));
        assert (self->cells);
    }
    self->cells[self->count++] = cell;
}

void
cli_table_row (cli_table_t *self, ...)
{
    va_list args;
    va_start (args, self);
    for (int c = 0; c < self->columns; c++) {
        const char *text = va_arg (args, const char *);
        s_add (self, strdup (text ? text : ""));
    }
    va_end (args);
}

void
cli_table_cell (cli_table_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *cell = NULL;
    if (vasprintf (&cell, format, args) < 0)
        cell = strdup ("");
    va_end (args);
    s_add (self, cell);
}

size_t
cli_table_rows (cli_table_t *self)
{
    return (self->count + (size_t)self->columns - 1) / (size_t)self->columns;
}

int
cli_text_width (const char *text)
{
    mbstate_t state;
    memset (&state, 0, sizeof state);
    int width = 0;
    size_t left = strlen (text);
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc (&wc, text, left, &state);
        if (n == (size_t)-1 || n == (size_t)-2) {
            //  not UTF-8: one column per byte, start afresh
            memset (&state, 0, sizeof state);
            width++;
            n = 1;
        }
        else {
            int w = wcwidth (wc);
            width += w > 0 ? w : 0;
            n = n ? n : 1;
        }
        text += n;
        left -= n;
    }
    return width;
}

void
cli_print_padded (FILE *out, const char *text, int width)
{
    fputs (text, out);
    for (int w = cli_text_width (text); w < width; w++)
        fputc (' ', out);
}

void
cli_table_print (cli_table_t *self, FILE *out)
{
    int *widths = (int *)zmalloc ((size_t)self->columns * sizeof (int));
    for (size_t i = 0; i < self->count; i++) {
        int w = cli_text_width (self->cells[i]);
        int c = (int)(i % (size_t)self->columns);
        if (w > widths[c])
            widths[c] = w;
    }
    size_t rows = cli_table_rows (self);
    for (size_t r = 0; r < rows; r++) {
        fprintf (out, "%*s", self->indent, "");
        //  the last non-empty cell ends the line: no trailing blanks
        int last = -1;
        for (int c = 0; c < self->columns; c++) {
            size_t i = r * (size_t)self->columns + (size_t)c;
            if (i < self->count && *self->cells[i])
                last = c;
        }
        for (int c = 0; c <= last; c++) {
            size_t i = r * (size_t)self->columns + (size_t)c;
            const char *text = i < self->count ? self->cells[i] : "";
            if (c < last) {
                cli_print_padded (out, text, widths[c]);
                fputs ("  ", out);
            }
            else
                fputs (text, out);
        }
        fputc ('\n', out);
    }
    free (widths);
}

void
cli_csv_field (const char *text, bool last)
{
    if (strpbrk (text, ",\"\r\n")) {
        putchar ('"');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                putchar ('"');
            putchar (*p);
        }
        putchar ('"');
    }
    else
        fputs (text, stdout);
    putchar (last ? '\n' : ',');
}
