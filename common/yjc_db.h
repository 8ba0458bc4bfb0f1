/*  yjc_db.h - one PostgreSQL connection of one service, to its own schema.

    Every statement is parameterised and prepared once per connection (the
    cache is keyed by the SQL text's address, so pass string literals).
    Errors are logged with the SQLSTATE; a lost connection is re-opened by
    yjc_db_ensure at the start of the next unit of work.                  */
#ifndef YJC_DB_H_INCLUDED
#define YJC_DB_H_INCLUDED

#include "yjc_pack.h"
#include "yjc_test.h"
#include <libpq-fe.h>
#include <stdbool.h>

typedef struct _yjc_db_t yjc_db_t;

typedef struct {
    const char *name; //  "001_outbox.sql": applied once, in list order
    const char *sql;
} yjc_migration_t;

//  Connects with `conninfo` and pins search_path to `schema`.  NULL on
//  failure (logged).
yjc_db_t *yjc_db_new (const char *conninfo, const char *schema);
void yjc_db_destroy (yjc_db_t **self_p);

//  Reconnects when the connection was lost.  0 when usable, -1 otherwise.
int yjc_db_ensure (yjc_db_t *self);
//  The connection is gone (the last statement failed with it).
bool yjc_db_lost (yjc_db_t *self);
//  The last failure is the database's state, not the request's: the
//  connection is gone, a statement timeout, too many connections, a
//  serialization failure.  The request gets `unavailable` (retry).
bool yjc_db_unavailable (yjc_db_t *self);
PGconn *yjc_db_conn (yjc_db_t *self);
//  What it connected with: another connection to the same schema.
const char *yjc_db_conninfo (yjc_db_t *self);
const char *yjc_db_schema (yjc_db_t *self);

//  Runs a parameterised statement (text parameters, NULL = SQL NULL).
//  Returns the result (caller PQclear()s) or NULL on error.
PGresult *yjc_db_query (yjc_db_t *self,
                        const char *sql,
                        int nparams,
                        const char *const *params);
//  Same, with binary-capable parameters (lengths/formats may be NULL).
PGresult *yjc_db_query_bin (yjc_db_t *self,
                            const char *sql,
                            int nparams,
                            const char *const *params,
                            const int *lengths,
                            const int *formats);
//  Same, asking for binary results (use it when every column is text,
//  bytea or cast to text: the values are then raw bytes, no unescaping).
PGresult *yjc_db_query_raw (yjc_db_t *self,
                            const char *sql,
                            int nparams,
                            const char *const *params,
                            const int *lengths,
                            const int *formats);
//  Same as yjc_db_query_raw, planned for its parameters at every call,
//  never prepared: for a search whose filters are optional (`$n IS NULL
//  OR ...`), where a generic plan cannot see which are given and may read
//  every row that matches instead of the first page of an index.
PGresult *yjc_db_query_raw_planned (yjc_db_t *self,
                                    const char *sql,
                                    int nparams,
                                    const char *const *params);
//  Runs a statement, discards the rows; returns rows affected or -1.
int yjc_db_exec (yjc_db_t *self,
                 const char *sql,
                 int nparams,
                 const char *const *params);
//  Queues a statement whose result nobody waits for (an UPDATE or INSERT
//  whose row count does not matter): it goes out with the next statement
//  or the COMMIT, in order, in the same round trip (issue 14: a round
//  trip costs more CPU than most statements here).  Its failure is that
//  statement's (which then returns NULL / -1); a rollback drops it.
//  Parameters are copied; `lengths` and `formats` as PQexecParams' (may
//  be NULL: all text).  0, or -1 when it cannot be queued.
int yjc_db_exec_later (yjc_db_t *self,
                       const char *sql,
                       int nparams,
                       const char *const *params,
                       const int *lengths,
                       const int *formats);
//  BEGIN / COMMIT / ROLLBACK.  0 or -1.
int yjc_db_begin (yjc_db_t *self);
int yjc_db_commit (yjc_db_t *self);
int yjc_db_rollback (yjc_db_t *self);
//  Runs a last statement and COMMIT in one round trip.  0, or -1 with the
//  transaction rolled back.
int yjc_db_exec_commit (yjc_db_t *self,
                        const char *sql,
                        int nparams,
                        const char *const *params,
                        const int *lengths,
                        const int *formats);

//  A text[] parameter: "{\"a\",\"b\"}" with quotes and backslashes
//  escaped, so that one statement can take many rows (unnest).  Caller
//  frees.  NULL items become SQL NULL.
char *yjc_db_array_literal (const char *const *items, size_t count);

//  A bytea[] parameter in binary format (pass it with format 1): rows of
//  msgpack go to the server as they are, with no hex and no literal to
//  parse.  Add elements, then take the finished parameter.
typedef struct {
    char *data; //  elements so far: int32 size + bytes each
    size_t size, cap;
    int count;
} yjc_db_bytea_array_t;

void yjc_db_bytea_array_add (yjc_db_bytea_array_t *self,
                             const void *data,
                             size_t size);
//  The whole parameter (array header + elements), malloc'd, its size in
//  *size; the builder is emptied for reuse.
char *yjc_db_bytea_array_take (yjc_db_bytea_array_t *self, size_t *size);
void yjc_db_bytea_array_release (yjc_db_bytea_array_t *self);

//  How a result column goes on the wire.  Queries select every column as
//  text (cast if need be) except msgpack and bin ones, which are bytea
//  read with yjc_db_query_raw (msgpack: as it is; bin: as msgpack bin).
typedef enum {
    YJC_COL_TEXT,
    YJC_COL_INT,
    YJC_COL_MSGPACK,
    YJC_COL_BIN
} yjc_col_kind_t;

typedef struct {
    const char *key; //  map key in the reply
    yjc_col_kind_t kind;
} yjc_col_t;

//  Packs row `row` of `res` as a map: column i under cols[i].key.
void yjc_pk_row (msgpack_packer *pk,
                 const PGresult *res,
                 int row,
                 const yjc_col_t *cols,
                 int ncols);

//  The same entries without the map header, for a reply that adds more.
void yjc_pk_columns (msgpack_packer *pk,
                     const PGresult *res,
                     int row,
                     const yjc_col_t *cols,
                     int ncols);

//  Packs `key` and, as its value, an array of every row of `res`.
void yjc_pk_rows (msgpack_packer *pk,
                  const char *key,
                  const PGresult *res,
                  const yjc_col_t *cols,
                  int ncols);

//  Copies a value of a result into buf (NUL-terminated, truncated; raw
//  bytes of a binary result too); returns buf.
const char *yjc_db_copy (const PGresult *res,
                         int row,
                         int col,
                         char *buf,
                         size_t size);

//  SQLSTATE of the last failed statement ("" if none).
const char *yjc_db_sqlstate (yjc_db_t *self);
const char *yjc_db_error (yjc_db_t *self);

//  Applies, under an advisory lock, every migration of `list` (NULL-name
//  terminated) not yet recorded in the schema's schema_migrations table.
//  0 or -1.
int yjc_db_migrate (yjc_db_t *self, const yjc_migration_t *list);

//  Needs a database: yjc-selftest --pg CONNSTR (a superuser's; it makes
//  and drops its own schema).  Skipped without.
void yjc_db_test (yjc_test_t *t);

#endif
