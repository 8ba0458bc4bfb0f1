/*  yjc_rows.c - multi-row parameters (see yjc_rows.h).                  */
#include "yjc_rows.h"
#include <czmq.h>

#define MAX_COLUMNS 12
#define MAX_BLOBS   2
#define MAX_PARAMS  (MAX_COLUMNS + MAX_BLOBS + 8)

typedef struct {
    char *data;
    size_t size, cap;
} s_text_t;

struct _yjc_rows_t {
    int columns, nblobs;
    s_text_t text[MAX_COLUMNS];            //  elements of each text[] literal
    yjc_db_bytea_array_t blobs[MAX_BLOBS]; //  the bytea columns, binary
};

static void
s_append (s_text_t *t, const char *data, size_t size)
{
    if (t->size + size + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->size + size + 1)
            cap *= 2;
        t->data = (char *)realloc (t->data, cap);
        assert (t->data);
        t->cap = cap;
    }
    memcpy (t->data + t->size, data, size);
    t->size += size;
    t->data[t->size] = 0;
}

//  One quoted array element, with quotes and backslashes escaped.
static void
s_append_element (s_text_t *t, const char *value)
{
    if (t->size)
        s_append (t, ",", 1);
    if (!value) {
        s_append (t, "NULL", 4);
        return;
    }
    s_append (t, "\"", 1);
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\')
            s_append (t, "\\", 1);
        s_append (t, c, 1);
    }
    s_append (t, "\"", 1);
}

yjc_rows_t *
yjc_rows_new_blobs (int columns, int blobs)
{
    assert (columns >= 0 && columns <= MAX_COLUMNS);
    assert (blobs >= 1 && blobs <= MAX_BLOBS);
    yjc_rows_t *self = (yjc_rows_t *)zmalloc (sizeof (yjc_rows_t));
    self->columns = columns;
    self->nblobs = blobs;
    return self;
}

yjc_rows_t *
yjc_rows_new (int columns)
{
    return yjc_rows_new_blobs (columns, 1);
}

void
yjc_rows_destroy (yjc_rows_t **self_p)
{
    if (*self_p) {
        yjc_rows_t *self = *self_p;
        for (int c = 0; c < self->columns; c++)
            free (self->text[c].data);
        for (int b = 0; b < self->nblobs; b++)
            yjc_db_bytea_array_release (&self->blobs[b]);
        free (self);
        *self_p = NULL;
    }
}

void
yjc_rows_reset (yjc_rows_t *self)
{
    for (int c = 0; c < self->columns; c++)
        self->text[c].size = 0;
    for (int b = 0; b < self->nblobs; b++) {
        self->blobs[b].size = 0;
        self->blobs[b].count = 0;
    }
}

int
yjc_rows_count (const yjc_rows_t *self)
{
    return self->blobs[0].count;
}

void
yjc_rows_add_blobs (yjc_rows_t *self,
                    const char *const *texts,
                    const void *const *blobs,
                    const size_t *sizes)
{
    for (int c = 0; c < self->columns; c++)
        s_append_element (&self->text[c], texts[c]);
    for (int b = 0; b < self->nblobs; b++)
        yjc_db_bytea_array_add (&self->blobs[b], blobs[b], sizes[b]);
}

void
yjc_rows_add (yjc_rows_t *self,
              const char *const *texts,
              const void *blob,
              size_t size)
{
    assert (self->nblobs == 1);
    yjc_rows_add_blobs (self, texts, &blob, &size);
}

//  The parameters of one execution, and what to free after it.
typedef struct {
    const char *params[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    char *owned[MAX_COLUMNS + MAX_BLOBS];
    int count;
} s_call_t;

static void
s_put (s_call_t *call, const char *value, int length, int format)
{
    call->params[call->count] = value;
    call->lengths[call->count] = length;
    call->formats[call->count++] = format;
}

static void
s_call_init (s_call_t *call,
             yjc_rows_t *self,
             int nextra,
             const char *const *extra)
{
    assert (nextra >= 0 && self->columns + self->nblobs + nextra <= MAX_PARAMS);
    call->count = 0;
    for (int c = 0; c < self->columns; c++) {
        call->owned[c] =
            zsys_sprintf ("{%s}", self->text[c].size ? self->text[c].data : "");
        s_put (call, call->owned[c], 0, 0);
    }
    for (int b = 0; b < self->nblobs; b++) {
        size_t size;
        call->owned[self->columns + b] =
            yjc_db_bytea_array_take (&self->blobs[b], &size);
        s_put (call, call->owned[self->columns + b], (int)size, 1);
    }
    for (int i = 0; i < nextra; i++)
        s_put (call, extra[i], 0, 0);
}

static void
s_call_done (s_call_t *call, yjc_rows_t *self)
{
    for (int c = 0; c < self->columns + self->nblobs; c++)
        free (call->owned[c]);
    yjc_rows_reset (self);
}

PGresult *
yjc_rows_exec (yjc_rows_t *self,
               yjc_db_t *db,
               const char *sql,
               int nextra,
               const char *const *extra)
{
    s_call_t call;
    s_call_init (&call, self, nextra, extra);
    PGresult *res = yjc_db_query_bin (
        db, sql, call.count, call.params, call.lengths, call.formats);
    s_call_done (&call, self);
    return res;
}

int
yjc_rows_exec_commit (yjc_rows_t *self,
                      yjc_db_t *db,
                      const char *sql,
                      int nextra,
                      const char *const *extra)
{
    s_call_t call;
    s_call_init (&call, self, nextra, extra);
    int rc = yjc_db_exec_commit (
        db, sql, call.count, call.params, call.lengths, call.formats);
    s_call_done (&call, self);
    return rc;
}

int
yjc_rows_exec_later (yjc_rows_t *self,
                     yjc_db_t *db,
                     const char *sql,
                     int nextra,
                     const char *const *extra)
{
    s_call_t call;
    s_call_init (&call, self, nextra, extra);
    int rc = yjc_db_exec_later (
        db, sql, call.count, call.params, call.lengths, call.formats);
    s_call_done (&call, self);
    return rc;
}
