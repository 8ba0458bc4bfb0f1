/*  yjc_rows.h - rows for one multi-row INSERT ... SELECT FROM unnest().

    Text columns travel as text[] literals, one or two bytea columns
    (msgpack) as binary bytea[]: a whole batch of rows is one statement and one round
    trip ("batch rows, not statements").                               */
#ifndef YJC_ROWS_H_INCLUDED
#define YJC_ROWS_H_INCLUDED

#include "yjc_db.h"

typedef struct _yjc_rows_t yjc_rows_t;

//  Rows of `columns` text columns and one bytea column.
yjc_rows_t *yjc_rows_new (int columns);
//  Rows of `columns` text columns and `blobs` (1 or 2) bytea columns.
yjc_rows_t *yjc_rows_new_blobs (int columns, int blobs);
void yjc_rows_destroy (yjc_rows_t **self_p);
void yjc_rows_reset (yjc_rows_t *self);
int yjc_rows_count (const yjc_rows_t *self);

//  Adds a row: `texts` holds one value per text column (NULL = SQL NULL),
//  `blob` the bytea value.
void yjc_rows_add (yjc_rows_t *self,
                   const char *const *texts,
                   const void *blob,
                   size_t size);
//  The same with one value per bytea column.
void yjc_rows_add_blobs (yjc_rows_t *self,
                         const char *const *texts,
                         const void *const *blobs,
                         const size_t *sizes);

//  Runs `sql`, whose $1..$N are the text columns (text[]), $N+1.. the
//  bytea columns (bytea[]) and then the `extra` text parameters.  Returns the
//  result (caller PQclear()s) or NULL.  The rows are emptied either way.
PGresult *yjc_rows_exec (yjc_rows_t *self,
                         yjc_db_t *db,
                         const char *sql,
                         int nextra,
                         const char *const *extra);
//  The same, queued to go out with the next statement (yjc_db_exec_later):
//  0, or -1 when it cannot be queued.
int yjc_rows_exec_later (yjc_rows_t *self,
                         yjc_db_t *db,
                         const char *sql,
                         int nextra,
                         const char *const *extra);
//  The same, and COMMIT in the same round trip (yjc_db_exec_commit).
int yjc_rows_exec_commit (yjc_rows_t *self,
                          yjc_db_t *db,
                          const char *sql,
                          int nextra,
                          const char *const *extra);

#endif
