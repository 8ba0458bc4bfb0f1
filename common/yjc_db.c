/*  yjc_db.c - one PostgreSQL connection, prepared statements, migrations. */
#include "yjc_db.h"
#include "yjc_config.h"
#include "yjc_lifecycle.h"
#include "yjc_log.h"
#include <czmq.h>
#include <poll.h>

#define MAX_PREPARED 256
#define MAX_LATER    32 //  statements queued by yjc_db_exec_later
#define MAX_PARAMS   16 //  of such a statement

//  A statement queued to go out with the next one (yjc_db_exec_later):
//  its prepared name and a copy of its parameters, in one block.
typedef struct {
    char name[16];
    const char *sql; //  for the log of a failure
    int nparams;
    const char *params[MAX_PARAMS];
    int lengths[MAX_PARAMS];
    int formats[MAX_PARAMS];
    char *copy;
} s_later_t;

struct _yjc_db_t {
    PGconn *conn;                       //  NULL when not connected
    char *conninfo;                     //  how to reconnect
    char *schema;                       //  our own schema only
    const char *prepared[MAX_PREPARED]; //  SQL text addresses prepared
    int nprepared;
    char sqlstate[6];           //  of the last failure
    char error[512];            //  of the last failure
    bool begin_pending;         //  BEGIN goes out with the next statement
    s_later_t later[MAX_LATER]; //  go out before the next statement
    int nlater;
};

static void
s_later_clear (yjc_db_t *self)
{
    for (int i = 0; i < self->nlater; i++)
        free (self->later[i].copy);
    self->nlater = 0;
}

static void
s_fail (yjc_db_t *self, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
    snprintf (self->sqlstate, sizeof self->sqlstate, "%s", state ? state : "");
    const char *msg = res ? PQresultErrorMessage (res) : NULL;
    if (!msg || !*msg)
        msg = self->conn ? PQerrorMessage (self->conn) : "no connection";
    snprintf (self->error, sizeof self->error, "%s", msg);
    //  Unique violations are answers, not faults: callers handle them.
    if (strcmp (self->sqlstate, "23505") != 0)
        yjc_log (YJC_LOG_ERROR,
                 "db: %s failed: [%s] %s",
                 what,
                 self->sqlstate,
                 self->error);
}

//  Opens the connection with the platform's defaults before the
//  service's conninfo (which may override them): a connect timeout, and
//  TCP keepalives and a user timeout so that a peer gone silent is found
//  out, not waited for (a worker would hang; nothing else may).
static PGconn *
s_open (const char *conninfo)
{
    char timeout[16], idle[16], user_timeout[24];
    int keepalive = yjc_config_int (YJC_CFG_DB_KEEPALIVE_S);
    snprintf (timeout,
              sizeof timeout,
              "%d",
              yjc_config_int (YJC_CFG_DB_CONNECT_TIMEOUT_S));
    snprintf (idle, sizeof idle, "%d", keepalive);
    snprintf (user_timeout, sizeof user_timeout, "%d", 4 * keepalive * 1000);
    const char *keys[] = { "connect_timeout",  "keepalives",
                           "keepalives_idle",  "keepalives_interval",
                           "keepalives_count", "tcp_user_timeout",
                           "dbname",           NULL };
    const char *values[] = { timeout, "1",          idle,     idle,
                             "3",     user_timeout, conninfo, NULL };
    return PQconnectdbParams (keys, values, 1);
}

static int
s_connect (yjc_db_t *self)
{
    self->conn = s_open (self->conninfo);
    self->nprepared = 0;
    self->begin_pending = false;
    s_later_clear (self);
    if (PQstatus (self->conn) != CONNECTION_OK) {
        s_fail (self, NULL, "connect");
        PQfinish (self->conn);
        self->conn = NULL;
        return -1;
    }
    //  Times are stored as timestamptz and shown in Asia/Shanghai.  No
    //  statement runs for ever (a lock held by a stuck session, a hung
    //  disk): it fails, and the request gets `unavailable`.  Large values
    //  (forms, event payloads) are compressed with lz4 where the server
    //  has it: pglz was the costliest function of a submission (issue 14).
    //  No JIT: its compilation is paid by every statement it thinks big
    //  (3.2 s of billing's 3.4 s rating search at 20 000 applications),
    //  and no statement here runs long enough to earn it back.
    char timeout[16];
    snprintf (timeout,
              sizeof timeout,
              "%d",
              yjc_config_int (YJC_CFG_DB_STATEMENT_TIMEOUT_MS));
    const char *params[] = { self->schema, timeout };
    PGresult *res =
        PQexecParams (self->conn,
                      "SELECT set_config('search_path', $1, false),"
                      " set_config('TimeZone', 'Asia/Shanghai', false),"
                      " set_config('statement_timeout', $2, false),"
                      " set_config('jit', 'off', false),"
                      " set_config('default_toast_compression', CASE WHEN"
                      " 'lz4' = ANY (enumvals) THEN 'lz4' ELSE setting END,"
                      " false) FROM pg_settings"
                      " WHERE name = 'default_toast_compression'",
                      2,
                      NULL,
                      params,
                      NULL,
                      NULL,
                      0);
    bool ok = PQresultStatus (res) == PGRES_TUPLES_OK;
    if (!ok)
        s_fail (self, res, "set search_path");
    PQclear (res);
    if (!ok) {
        PQfinish (self->conn);
        self->conn = NULL;
        return -1;
    }
    return 0;
}

yjc_db_t *
yjc_db_new (const char *conninfo, const char *schema)
{
    yjc_db_t *self = (yjc_db_t *)zmalloc (sizeof (yjc_db_t));
    self->conninfo = strdup (conninfo);
    self->schema = strdup (schema);
    if (s_connect (self) != 0)
        yjc_db_destroy (&self);
    return self;
}

void
yjc_db_destroy (yjc_db_t **self_p)
{
    if (*self_p) {
        yjc_db_t *self = *self_p;
        if (self->conn)
            PQfinish (self->conn);
        s_later_clear (self);
        free (self->conninfo);
        free (self->schema);
        free (self);
        *self_p = NULL;
    }
}

//  Is an idle connection still there?  After a server restart or a
//  pg_terminate_backend its socket holds a FATAL message and EOF: reading
//  them marks it bad, so that the next unit of work opens a new one
//  instead of failing its first statement.
static bool
s_alive (PGconn *conn)
{
    if (PQstatus (conn) != CONNECTION_OK)
        return false;
    if (PQtransactionStatus (conn) != PQTRANS_IDLE)
        return true;
    struct pollfd pfd = { PQsocket (conn), POLLIN, 0 };
    for (int i = 0; i < 4 && poll (&pfd, 1, 0) > 0; i++)
        if (!PQconsumeInput (conn))
            break;
    return PQstatus (conn) == CONNECTION_OK;
}

bool
yjc_db_lost (yjc_db_t *self)
{
    return !self->conn || PQstatus (self->conn) != CONNECTION_OK;
}

bool
yjc_db_unavailable (yjc_db_t *self)
{
    //  08 connection, 53 resources, 57 operator intervention (57014: the
    //  statement timeout), 40001/40P01 serialization failure, deadlock
    const char *s = self->sqlstate;
    return yjc_db_lost (self) || strncmp (s, "08", 2) == 0 ||
           strncmp (s, "53", 2) == 0 || strncmp (s, "57", 2) == 0 ||
           streq (s, "40001") || streq (s, "40P01");
}

int
yjc_db_ensure (yjc_db_t *self)
{
    if (self->conn && s_alive (self->conn))
        return 0;
    if (self->conn) {
        yjc_log (YJC_LOG_WARNING, "db: connection lost, reconnecting");
        PQfinish (self->conn);
        self->conn = NULL;
    }
    return s_connect (self);
}

PGconn *
yjc_db_conn (yjc_db_t *self)
{
    return self->conn;
}

const char *
yjc_db_conninfo (yjc_db_t *self)
{
    return self->conninfo;
}

const char *
yjc_db_schema (yjc_db_t *self)
{
    return self->schema;
}

//  Returns the prepared statement name for `sql`, preparing it if needed.
static int
s_prepare (yjc_db_t *self, const char *sql, int nparams, char name[16])
{
    for (int i = 0; i < self->nprepared; i++)
        if (self->prepared[i] == sql) {
            snprintf (name, 16, "s%d", i);
            return 0;
        }
    if (self->nprepared == MAX_PREPARED) {
        name[0] = 0; //  unnamed statement: still parameterised
        return 0;
    }
    int index = self->nprepared;
    snprintf (name, 16, "s%d", index);
    PGresult *res = PQprepare (self->conn, name, sql, nparams, NULL);
    bool ok = PQresultStatus (res) == PGRES_COMMAND_OK;
    if (!ok)
        s_fail (self, res, "prepare");
    PQclear (res);
    if (!ok)
        return -1;
    self->prepared[self->nprepared++] = sql;
    return 0;
}

//  Queues a statement: the prepared one when there is one.
static bool
s_send (PGconn *conn,
        const char *sql,
        const char *name,
        int nparams,
        const char *const *params,
        const int *lengths,
        const int *formats,
        int result_format)
{
    return name[0] ? PQsendQueryPrepared (conn,
                                          name,
                                          nparams,
                                          params,
                                          lengths,
                                          formats,
                                          result_format)
                   : PQsendQueryParams (conn,
                                        sql,
                                        nparams,
                                        NULL,
                                        params,
                                        lengths,
                                        formats,
                                        result_format);
}

static bool
s_send_simple (PGconn *conn, const char *sql)
{
    return !sql || PQsendQueryParams (conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

static bool
s_result_ok (const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

//  Sends a statement, with BEGIN before it or COMMIT after it when asked
//  and the statements queued by yjc_db_exec_later before it, in one round
//  trip (libpq pipeline mode): a unit of work saves two, and every
//  statement nobody waits for one.  Returns the statement's result when
//  it and all its companions succeeded (the queue is emptied either way).
static PGresult *
s_run (yjc_db_t *self,
       const char *before,
       const char *after,
       const char *sql,
       const char *name,
       int nparams,
       const char *const *params,
       const int *lengths,
       const int *formats,
       int result_format)
{
    PGconn *conn = self->conn;
    int nlater = self->nlater;
    bool piped = before || after || nlater;
    bool sent =
        (!piped || PQenterPipelineMode (conn)) && s_send_simple (conn, before);
    for (int i = 0; sent && i < nlater; i++) {
        s_later_t *l = &self->later[i];
        sent = s_send (conn,
                       l->sql,
                       l->name,
                       l->nparams,
                       l->params,
                       l->lengths,
                       l->formats,
                       0);
    }
    sent = sent &&
           s_send (conn,
                   sql,
                   name,
                   nparams,
                   params,
                   lengths,
                   formats,
                   result_format) &&
           s_send_simple (conn, after) &&
           (!piped || (PQpipelineSync (conn) && PQflush (conn) == 0));
    //  Results come in order, each query's ended by a NULL (and in a
    //  pipeline, then the sync): BEGIN's, the queued ones', this one's,
    //  COMMIT's.
    int first = before ? 1 : 0; //  index of the first queued one
    int mine = first + nlater, expected = mine + 1 + (after ? 1 : 0);
    PGresult *res = NULL, *failed = NULL, *r, *extra;
    const char *failed_sql = sql;
    for (int index = 0;
         sent && index < expected && (r = PQgetResult (conn)) != NULL;
         index++) {
        while ((extra = PQgetResult (conn)) != NULL)
            PQclear (extra); //  a statement has one result here
        if (index == mine) {
            res = r;
            continue;
        }
        //  the first failure is the one to tell: one before this
        //  statement, or COMMIT's when this one succeeded
        bool ok = s_result_ok (r);
        if (!ok && !failed && (index < mine || s_result_ok (res))) {
            failed = r;
            failed_sql = index < first  ? before
                         : index < mine ? self->later[index - first].sql
                                        : after;
        }
        else
            PQclear (r);
    }
    if (piped) {
        while (sent && (r = PQgetResult (conn)) != NULL) {
            bool sync = PQresultStatus (r) == PGRES_PIPELINE_SYNC;
            PQclear (r);
            if (sync)
                break;
        }
        PQexitPipelineMode (conn);
    }
    s_later_clear (self);
    if (!sent || failed || !s_result_ok (res)) {
        s_fail (self, failed ? failed : res, failed ? failed_sql : sql);
        PQclear (res);
        res = NULL;
    }
    PQclear (failed);
    return res;
}

static PGresult *
s_query (yjc_db_t *self,
         const char *sql,
         int nparams,
         const char *const *params,
         const int *lengths,
         const int *formats,
         int result_format,
         bool planned)
{
    self->sqlstate[0] = 0;
    if (!self->conn) {
        s_fail (self, NULL, "query");
        return NULL;
    }
    char name[16] = ""; //  "": the unnamed statement, planned each time
    if (!planned && s_prepare (self, sql, nparams, name) != 0)
        return NULL;
    const char *before = self->begin_pending ? "BEGIN" : NULL;
    self->begin_pending = false;
    return s_run (self,
                  before,
                  NULL,
                  sql,
                  name,
                  nparams,
                  params,
                  lengths,
                  formats,
                  result_format);
}

PGresult *
yjc_db_query_bin (yjc_db_t *self,
                  const char *sql,
                  int nparams,
                  const char *const *params,
                  const int *lengths,
                  const int *formats)
{
    return s_query (self, sql, nparams, params, lengths, formats, 0, false);
}

PGresult *
yjc_db_query_raw (yjc_db_t *self,
                  const char *sql,
                  int nparams,
                  const char *const *params,
                  const int *lengths,
                  const int *formats)
{
    return s_query (self, sql, nparams, params, lengths, formats, 1, false);
}

PGresult *
yjc_db_query_raw_planned (yjc_db_t *self,
                          const char *sql,
                          int nparams,
                          const char *const *params)
{
    return s_query (self, sql, nparams, params, NULL, NULL, 1, true);
}

PGresult *
yjc_db_query (yjc_db_t *self,
              const char *sql,
              int nparams,
              const char *const *params)
{
    return yjc_db_query_bin (self, sql, nparams, params, NULL, NULL);
}

int
yjc_db_exec (yjc_db_t *self,
             const char *sql,
             int nparams,
             const char *const *params)
{
    PGresult *res = yjc_db_query (self, sql, nparams, params);
    if (!res)
        return -1;
    const char *n = PQcmdTuples (res);
    int rows = n && *n ? atoi (n) : 0;
    PQclear (res);
    return rows;
}

int
yjc_db_exec_later (yjc_db_t *self,
                   const char *sql,
                   int nparams,
                   const char *const *params,
                   const int *lengths,
                   const int *formats)
{
    if (!self->conn || nparams > MAX_PARAMS)
        return -1;
    //  a full queue goes out first, alone (in order)
    if (self->nlater == MAX_LATER) {
        const char *before = self->begin_pending ? "BEGIN" : NULL;
        self->begin_pending = false;
        PGresult *res =
            s_run (self, before, NULL, "SELECT 1", "", 0, NULL, NULL, NULL, 0);
        if (!res)
            return -1;
        PQclear (res);
    }
    s_later_t *l = &self->later[self->nlater];
    if (s_prepare (self, sql, nparams, l->name) != 0)
        return -1;
    size_t size = 1;
    for (int i = 0; i < nparams; i++) {
        l->lengths[i] = !params[i] ? 0
                        : formats && formats[i] == 1
                            ? lengths[i]
                            : (int)strlen (params[i]) + 1;
        size += (size_t)l->lengths[i];
    }
    l->copy = (char *)malloc (size);
    if (!l->copy)
        return -1;
    char *at = l->copy;
    for (int i = 0; i < nparams; i++) {
        l->formats[i] = formats ? formats[i] : 0;
        l->params[i] = params[i] ? at : NULL;
        if (params[i])
            memcpy (at, params[i], (size_t)l->lengths[i]);
        at += l->lengths[i];
    }
    l->sql = sql;
    l->nparams = nparams;
    self->nlater++;
    return 0;
}

static int
s_simple (yjc_db_t *self, const char *sql)
{
    return yjc_db_exec (self, sql, 0, NULL) < 0 ? -1 : 0;
}

int
yjc_db_begin (yjc_db_t *self)
{
    if (!self->conn)
        return -1;
    self->begin_pending = true;
    return 0;
}

int
yjc_db_exec_commit (yjc_db_t *self,
                    const char *sql,
                    int nparams,
                    const char *const *params,
                    const int *lengths,
                    const int *formats)
{
    char name[16];
    if (!self->conn || s_prepare (self, sql, nparams, name) != 0)
        return -1;
    const char *before = self->begin_pending ? "BEGIN" : NULL;
    self->begin_pending = false;
    PGresult *res = s_run (self,
                           before,
                           "COMMIT",
                           sql,
                           name,
                           nparams,
                           params,
                           lengths,
                           formats,
                           0);
    if (!res) {
        //  the statement failed: end the tx, and tell why it failed
        char sqlstate[sizeof self->sqlstate];
        memcpy (sqlstate, self->sqlstate, sizeof sqlstate);
        s_simple (self, "ROLLBACK");
        memcpy (self->sqlstate, sqlstate, sizeof sqlstate);
        return -1;
    }
    PQclear (res);
    return 0;
}

//  A transaction that ran no statement was never begun on the server.
int
yjc_db_commit (yjc_db_t *self)
{
    if (self->begin_pending && self->nlater == 0) {
        self->begin_pending = false;
        return 0;
    }
    return s_simple (self, "COMMIT");
}

int
yjc_db_rollback (yjc_db_t *self)
{
    s_later_clear (self); //  never sent: nothing to undo
    if (self->begin_pending) {
        self->begin_pending = false;
        return 0;
    }
    return s_simple (self, "ROLLBACK");
}

char *
yjc_db_array_literal (const char *const *items, size_t count)
{
    size_t size = 3;
    for (size_t i = 0; i < count; i++)
        size += (items[i] ? 2 * strlen (items[i]) : 4) + 3;
    char *out = (char *)zmalloc (size), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < count; i++) {
        if (i)
            *p++ = ',';
        if (!items[i]) {
            memcpy (p, "NULL", 4);
            p += 4;
            continue;
        }
        *p++ = '"';
        for (const char *c = items[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = 0;
    return out;
}

static void
s_bytes (yjc_db_bytea_array_t *self, const void *data, size_t size)
{
    if (self->size + size > self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 4096;
        while (cap < self->size + size)
            cap *= 2;
        self->data = (char *)realloc (self->data, cap);
        assert (self->data);
        self->cap = cap;
    }
    if (size)
        memcpy (self->data + self->size, data, size);
    self->size += size;
}

static void
s_int32 (yjc_db_bytea_array_t *self, uint32_t value)
{
    unsigned char be[4] = { (unsigned char)(value >> 24),
                            (unsigned char)(value >> 16),
                            (unsigned char)(value >> 8),
                            (unsigned char)value };
    s_bytes (self, be, 4);
}

void
yjc_db_bytea_array_add (yjc_db_bytea_array_t *self,
                        const void *data,
                        size_t size)
{
    s_int32 (self, (uint32_t)size);
    s_bytes (self, data, size);
    self->count++;
}

char *
yjc_db_bytea_array_take (yjc_db_bytea_array_t *self, size_t *size)
{
    //  array_recv's layout: dimensions, has-nulls, element type (bytea),
    //  then length and lower bound of the one dimension.
    yjc_db_bytea_array_t out = { 0 };
    s_int32 (&out, 1);
    s_int32 (&out, 0);
    s_int32 (&out, 17);
    s_int32 (&out, (uint32_t)self->count);
    s_int32 (&out, 1);
    s_bytes (&out, self->data, self->size);
    self->size = 0;
    self->count = 0;
    *size = out.size;
    return out.data;
}

void
yjc_db_bytea_array_release (yjc_db_bytea_array_t *self)
{
    free (self->data);
    memset (self, 0, sizeof *self);
}

void
yjc_pk_row (msgpack_packer *pk,
            const PGresult *res,
            int row,
            const yjc_col_t *cols,
            int ncols)
{
    msgpack_pack_map (pk, ncols);
    yjc_pk_columns (pk, res, row, cols, ncols);
}

void
yjc_pk_columns (msgpack_packer *pk,
                const PGresult *res,
                int row,
                const yjc_col_t *cols,
                int ncols)
{
    for (int c = 0; c < ncols; c++) {
        const char *value = PQgetvalue (res, row, c);
        int size = PQgetlength (res, row, c);
        yjc_pk_str (pk, cols[c].key);
        if (cols[c].kind == YJC_COL_INT)
            msgpack_pack_int64 (pk, atoll (value)); //  libpq NUL-terminates
        else if (cols[c].kind == YJC_COL_MSGPACK && size > 0)
            msgpack_sbuffer_write (pk->data, value, size);
        else if (cols[c].kind == YJC_COL_MSGPACK)
            msgpack_pack_nil (pk);
        else if (cols[c].kind == YJC_COL_BIN) {
            msgpack_pack_bin (pk, (size_t)size);
            msgpack_pack_bin_body (pk, value, (size_t)size);
        }
        else
            yjc_pk_strn (pk, value, size);
    }
}

void
yjc_pk_rows (msgpack_packer *pk,
             const char *key,
             const PGresult *res,
             const yjc_col_t *cols,
             int ncols)
{
    int rows = PQntuples (res);
    yjc_pk_str (pk, key);
    msgpack_pack_array (pk, rows);
    for (int i = 0; i < rows; i++)
        yjc_pk_row (pk, res, i, cols, ncols);
}

const char *
yjc_db_copy (const PGresult *res, int row, int col, char *buf, size_t size)
{
    snprintf (buf,
              size,
              "%.*s",
              PQgetlength (res, row, col),
              PQgetvalue (res, row, col));
    return buf;
}

const char *
yjc_db_sqlstate (yjc_db_t *self)
{
    return self->sqlstate;
}

const char *
yjc_db_error (yjc_db_t *self)
{
    return self->error;
}

static int
s_apply (yjc_db_t *self, const yjc_migration_t *m)
{
    const char *params[] = { m->name };
    PGresult *res = yjc_db_query (
        self, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, params);
    if (!res)
        return -1;
    bool done = PQntuples (res) > 0;
    PQclear (res);
    if (done)
        return 0;
    //  A migration file holds several statements: simple protocol, no
    //  parameters, and it is our own text, never input.  (The lookup above
    //  already sent the pending BEGIN.)
    assert (!self->begin_pending);
    res = PQexec (self->conn, m->sql);
    bool ok = PQresultStatus (res) == PGRES_COMMAND_OK ||
              PQresultStatus (res) == PGRES_TUPLES_OK;
    if (!ok)
        s_fail (self, res, m->name);
    PQclear (res);
    if (!ok)
        return -1;
    if (yjc_db_exec (self,
                     "INSERT INTO schema_migrations (name) VALUES ($1)",
                     1,
                     params) < 0)
        return -1;
    yjc_log (YJC_LOG_INFO,
             "db: applied migration %s to schema %s",
             m->name,
             self->schema);
    return 0;
}

int
yjc_db_migrate (yjc_db_t *self, const yjc_migration_t *list)
{
    if (yjc_db_ensure (self) != 0 || yjc_db_begin (self) != 0)
        return -1;
    //  Two instances starting together must not both apply a migration.
    const char *params[] = { self->schema };
    int rc = yjc_db_exec (self,
                          "SELECT pg_advisory_xact_lock(hashtext('migrate:' "
                          "|| $1::text))",
                          1,
                          params);
    //  a migration may rewrite a big table: no statement timeout
    if (rc >= 0)
        rc = yjc_db_exec (self, "SET LOCAL statement_timeout = 0", 0, NULL);
    if (rc >= 0)
        rc = yjc_db_exec (self,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " name text PRIMARY KEY,"
                          " applied_at timestamptz NOT NULL DEFAULT now())",
                          0,
                          NULL);
    //  the CHECKs of every schema call the lifecycle's functions, defined
    //  anew from proto/yjc_lifecycle.def at every start (our own text)
    if (rc >= 0) {
        PGresult *res = PQexec (self->conn, yjc_lifecycle_sql ());
        if (PQresultStatus (res) != PGRES_COMMAND_OK) {
            s_fail (self, res, "lifecycle functions");
            rc = -1;
        }
        PQclear (res);
    }
    //  an upgrade in steps stops after the migration named (names sort
    //  in the order they apply: 001_ common, 100_ a service's baseline)
    const char *upto = yjc_config (YJC_CFG_MIGRATE_UPTO);
    for (const yjc_migration_t *m = list; rc >= 0 && m->name; m++)
        if (!*upto || strcmp (m->name, upto) <= 0)
            rc = s_apply (self, m);
    if (rc < 0) {
        yjc_db_rollback (self);
        return -1;
    }
    return yjc_db_commit (self);
}

/* ---- selftest ------------------------------------------------------------ */

#include "yjc_proto.h"

//  One value of a one-row, one-column query ("" when it failed).
static const char *
s_value (yjc_db_t *db, const char *sql, const char *param, char *buf)
{
    const char *params[] = { param };
    PGresult *res = yjc_db_query (db, sql, param ? 1 : 0, params);
    buf[0] = 0;
    if (res && PQntuples (res) == 1)
        yjc_db_copy (res, 0, 0, buf, 64);
    PQclear (res);
    return buf;
}

static void
s_test_migrate (yjc_test_t *t, yjc_db_t *db)
{
    char v[64];
    static const yjc_migration_t good[] = {
        { "001_t.sql",
          "CREATE TABLE t (k text PRIMARY KEY, v text);"
          " CREATE TABLE u (n int)" },
        { "002_seed.sql", "INSERT INTO t (k, v) VALUES ('seed', 'x')" },
        { NULL, NULL }
    };
    //  the third fails half way: none of it stays, nor its record
    static const yjc_migration_t bad[] = {
        { "001_t.sql", "CREATE TABLE t (k text PRIMARY KEY, v text)" },
        { "003_bad.sql", "CREATE TABLE w (x int); SELECT nope FROM t" },
        { NULL, NULL }
    };
    YJC_CHECK (t, yjc_db_migrate (db, good) == 0);
    YJC_CHECK (t, yjc_db_migrate (db, good) == 0); //  applied once only
    YJC_CHECK (t, streq (s_value (db, "SELECT count(*) FROM t", NULL, v), "1"));
    YJC_CHECK (t, yjc_db_migrate (db, bad) == -1);
    YJC_CHECK (
        t,
        streq (s_value (db, "SELECT to_regclass('w') IS NULL", NULL, v), "t"));
    YJC_CHECK (t,
               streq (s_value (db,
                               "SELECT string_agg(name, ',' ORDER BY name)"
                               " FROM schema_migrations",
                               NULL,
                               v),
                      "001_t.sql,002_seed.sql"));
}

static void s_test_later (yjc_test_t *t,
                          yjc_db_t *db,
                          const char *insert,
                          const char *count);

static void
s_test_statements (yjc_test_t *t, yjc_db_t *db)
{
    char v[64];
    static const char *insert = "INSERT INTO t (k, v) VALUES ($1, $2)";
    static const char *count = "SELECT count(*) FROM t WHERE k = $1";
    //  parameters are parameters: NULL is SQL NULL, quotes are data
    const char *row[] = { "a'); DROP TABLE t; --", NULL };
    YJC_CHECK (t, yjc_db_exec (db, insert, 2, row) == 1);
    YJC_CHECK (
        t,
        streq (s_value (db, "SELECT v IS NULL FROM t WHERE k = $1", row[0], v),
               "t"));
    //  a unique violation is an answer: -1 and its SQLSTATE
    YJC_CHECK (t, yjc_db_exec (db, insert, 2, row) == -1);
    YJC_CHECK (t, streq (yjc_db_sqlstate (db), "23505"));
    YJC_CHECK (t, yjc_db_exec (db, "SELECT nope FROM t", 0, NULL) == -1);
    YJC_CHECK (t, streq (yjc_db_sqlstate (db), "42703") && *yjc_db_error (db));

    //  transactions: rolled back, committed, committed with the last
    //  statement in one round trip, and rolled back when that one fails
    const char *r1[] = { "rolled", "1" }, *r2[] = { "kept", "2" },
               *r3[] = { "both", "3" }, *r4[] = { "gone", "4" };
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 && yjc_db_exec (db, insert, 2, r1) == 1);
    YJC_CHECK (t, yjc_db_rollback (db) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "rolled", v), "0"));
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 && yjc_db_exec (db, insert, 2, r2) == 1);
    YJC_CHECK (t, yjc_db_commit (db) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "kept", v), "1"));
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 && yjc_db_exec (db, insert, 2, r4) == 1);
    YJC_CHECK (t, yjc_db_exec_commit (db, insert, 2, r3, NULL, NULL) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "both", v), "1"));
    YJC_CHECK (t, streq (s_value (db, count, "gone", v), "1"));
    r4[0] = "gone2";
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 && yjc_db_exec (db, insert, 2, r4) == 1);
    YJC_CHECK (t, yjc_db_exec_commit (db, insert, 2, r3, NULL, NULL) == -1);
    YJC_CHECK (t, streq (s_value (db, count, "gone2", v), "0"));
    //  a transaction that ran nothing commits as nothing
    YJC_CHECK (t, yjc_db_begin (db) == 0 && yjc_db_commit (db) == 0);
    YJC_CHECK (t, streq (s_value (db, "SELECT 1", NULL, v), "1"));
    s_test_later (t, db, insert, count);
}

//  Statements queued by yjc_db_exec_later: in order before the next one,
//  their parameters copied; committed with the transaction, dropped by a
//  rollback, their failure the next statement's.
static void
s_test_later (yjc_test_t *t,
              yjc_db_t *db,
              const char *insert,
              const char *count)
{
    char v[64], key[16] = "later1", bin[] = { 'x', 0, 'y' };
    const char *row[] = { key, "1" };
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    snprintf (key, sizeof key, "later2"); //  the queued copy stays later1
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    //  binary parameters keep their length (a zero byte inside)
    const char *brow[] = { "later3", bin };
    int lengths[] = { 0, 3 }, formats[] = { 0, 1 };
    YJC_CHECK (t,
               yjc_db_exec_later (db,
                                  "INSERT INTO t (k, v) VALUES ($1,"
                                  " encode($2::bytea, 'hex'))",
                                  2,
                                  brow,
                                  lengths,
                                  formats) == 0);
    //  the next statement sees them, in one round trip with them
    YJC_CHECK (t,
               streq (s_value (db,
                               "SELECT string_agg(k || '=' || coalesce(v, ''),"
                               " ',' ORDER BY k) FROM t WHERE k LIKE $1",
                               "later%",
                               v),
                      "later1=1,later2=1,later3=780079"));
    YJC_CHECK (t, yjc_db_commit (db) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "later2", v), "1"));
    //  queued alone, they go out with the COMMIT (BEGIN first)
    row[0] = "later4";
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    YJC_CHECK (t, yjc_db_commit (db) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "later4", v), "1"));
    //  a rollback drops them unsent
    row[0] = "later5";
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    YJC_CHECK (t, yjc_db_rollback (db) == 0);
    YJC_CHECK (t, streq (s_value (db, count, "later5", v), "0"));
    //  a queued one that fails fails the statement it went out with, with
    //  its own SQLSTATE; the transaction is then rolled back
    row[0] = "later1"; //  a unique violation
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    YJC_CHECK (t, yjc_db_exec (db, "SELECT 1", 0, NULL) == -1);
    YJC_CHECK (t, streq (yjc_db_sqlstate (db), "23505"));
    YJC_CHECK (t, yjc_db_rollback (db) == 0);
    //  with the last statement and COMMIT: both fail, nothing is kept
    const char *r6[] = { "later6", "6" };
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    YJC_CHECK (t, yjc_db_exec_later (db, insert, 2, row, NULL, NULL) == 0);
    YJC_CHECK (t, yjc_db_exec_commit (db, insert, 2, r6, NULL, NULL) == -1);
    YJC_CHECK (t, streq (yjc_db_sqlstate (db), "23505"));
    YJC_CHECK (t, streq (s_value (db, count, "later6", v), "0"));
    //  more than the queue holds: the full queue goes out first, in order
    YJC_CHECK (t, yjc_db_begin (db) == 0);
    bool queued = true;
    for (int i = 0; i < MAX_LATER + 5; i++) {
        char k[16];
        snprintf (k, sizeof k, "many%02d", i);
        const char *r[] = { k, k };
        queued =
            queued && yjc_db_exec_later (db, insert, 2, r, NULL, NULL) == 0;
    }
    YJC_CHECK (t, queued && yjc_db_commit (db) == 0);
    snprintf (key, sizeof key, "%d", MAX_LATER + 5);
    YJC_CHECK (
        t,
        streq (
            s_value (db, "SELECT count(*) FROM t WHERE k LIKE $1", "many%", v),
            key));
}

static void
s_test_arrays (yjc_test_t *t, yjc_db_t *db)
{
    //  text[]: quotes, backslashes, braces, commas, NULL, "" survive
    const char *items[] = { "plain", "quo\"te", "back\\slash",
                            NULL,    "",        "空 格,{}" };
    size_t n = sizeof items / sizeof *items;
    char *literal = yjc_db_array_literal (items, n);
    const char *params[] = { literal };
    PGresult *res = yjc_db_query (
        db,
        "SELECT x, x IS NULL FROM unnest($1::text[]) WITH ORDINALITY"
        " AS u (x, n) ORDER BY n",
        1,
        params);
    YJC_CHECK (t, res && PQntuples (res) == (int)n);
    for (int i = 0; res && i < PQntuples (res) && i < (int)n; i++)
        YJC_CHECK (t,
                   items[i] ? streq (PQgetvalue (res, i, 0), items[i]) &&
                                  streq (PQgetvalue (res, i, 1), "f")
                            : streq (PQgetvalue (res, i, 1), "t"));
    PQclear (res);
    free (literal);

    //  bytea[] in binary: bytes go and come back as they are
    yjc_db_bytea_array_t builder = { 0 };
    const char blobs[][4] = { { 0, 1, (char)0xff, 0 }, { 'a', 0, 'b', 0 } };
    yjc_db_bytea_array_add (&builder, blobs[0], 3);
    yjc_db_bytea_array_add (&builder, "", 0);
    yjc_db_bytea_array_add (&builder, blobs[1], 3);
    size_t size = 0;
    char *param = yjc_db_bytea_array_take (&builder, &size);
    YJC_CHECK (t, builder.count == 0 && builder.size == 0);
    const char *bparams[] = { param };
    int lengths[] = { (int)size }, formats[] = { 1 };
    res = yjc_db_query_raw (db,
                            "SELECT b FROM unnest($1::bytea[]) WITH ORDINALITY"
                            " AS u (b, n) ORDER BY n",
                            1,
                            bparams,
                            lengths,
                            formats);
    YJC_CHECK (t, res && PQntuples (res) == 3);
    if (res && PQntuples (res) == 3) {
        YJC_CHECK (t,
                   PQgetlength (res, 0, 0) == 3 &&
                       memcmp (PQgetvalue (res, 0, 0), blobs[0], 3) == 0);
        YJC_CHECK (t, PQgetlength (res, 1, 0) == 0);
        YJC_CHECK (t,
                   PQgetlength (res, 2, 0) == 3 &&
                       memcmp (PQgetvalue (res, 2, 0), blobs[1], 3) == 0);
    }
    PQclear (res);
    free (param);
    yjc_db_bytea_array_release (&builder);
}

//  A row packed as the reply map: text, number and msgpack columns.
static void
s_test_pack (yjc_test_t *t, yjc_db_t *db)
{
    yjc_pack_t mp, out;
    yjc_pack_init (&mp);
    yjc_pack_init (&out);
    msgpack_pack_map (&mp.pk, 1);
    yjc_pk_kv_int (&mp.pk, "k", 7);
    const char *params[] = { mp.buf.data };
    int lengths[] = { (int)mp.buf.size }, formats[] = { 1 };
    PGresult *res =
        yjc_db_query_raw (db,
                          "SELECT 'A000001'::text, 42::text, $1::bytea",
                          1,
                          params,
                          lengths,
                          formats);
    static const yjc_col_t cols[] = { { "app_id", YJC_COL_TEXT },
                                      { "n", YJC_COL_INT },
                                      { "m", YJC_COL_MSGPACK } };
    YJC_CHECK (t, res && PQntuples (res) == 1);
    if (res && PQntuples (res) == 1) {
        yjc_pk_row (&out.pk, res, 0, cols, 3);
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        YJC_CHECK (
            t,
            msgpack_unpack_next (&un, out.buf.data, out.buf.size, NULL) ==
                MSGPACK_UNPACK_SUCCESS);
        char app[16];
        int64_t n = 0, k = 0;
        yjc_obj_strcpy (&un.data, "app_id", app, sizeof app);
        YJC_CHECK (t, streq (app, "A000001"));
        YJC_CHECK (t, yjc_obj_int (&un.data, "n", &n) && n == 42);
        YJC_CHECK (
            t, yjc_obj_int (yjc_obj_get (&un.data, "m"), "k", &k) && k == 7);
        msgpack_unpacked_destroy (&un);
        char small[4];
        YJC_CHECK (t,
                   streq (yjc_db_copy (res, 0, 0, small, sizeof small), "A00"));
    }
    PQclear (res);
    yjc_pack_release (&mp);
    yjc_pack_release (&out);
}

//  A connection the server drops is re-opened by yjc_db_ensure.
static void
s_test_reconnect (yjc_test_t *t, yjc_db_t *db, const char *conninfo)
{
    char before[64], after[64], v[64];
    s_value (db, "SELECT pg_backend_pid()::text", NULL, before);
    yjc_db_t *other = yjc_db_new (conninfo, "public");
    YJC_CHECK (t, other != NULL);
    if (!other)
        return;
    s_value (other, "SELECT pg_terminate_backend($1::int)::text", before, v);
    YJC_CHECK (t, streq (v, "true"));
    yjc_db_destroy (&other);
    YJC_CHECK (t, *s_value (db, "SELECT 1", NULL, v) == 0); //  lost
    YJC_CHECK (t, yjc_db_ensure (db) == 0);
    s_value (db, "SELECT pg_backend_pid()::text", NULL, after);
    YJC_CHECK (t, *after && !streq (before, after));
    //  statements prepared on the old connection are prepared again
    YJC_CHECK (
        t,
        streq (s_value (db, "SELECT count(*) FROM t WHERE k = $1", "kept", v),
               "1"));
}

//  A connection terminated while idle is found dead by yjc_db_ensure
//  before any statement fails on it (after a server restart, the first
//  request must not get `internal`); a statement past the timeout fails
//  as `unavailable`, and the connection stays usable.
static void
s_test_stale_and_timeout (yjc_test_t *t, yjc_db_t *db, const char *conninfo)
{
    char before[64], after[64], v[64];
    s_value (db, "SELECT pg_backend_pid()::text", NULL, before);
    yjc_db_t *other = yjc_db_new (conninfo, "public");
    YJC_CHECK (t, other != NULL);
    if (!other)
        return;
    s_value (other, "SELECT pg_terminate_backend($1::int)::text", before, v);
    yjc_db_destroy (&other);
    zclock_sleep (200); //  the FATAL message and EOF reach the socket
    YJC_CHECK (t, yjc_db_ensure (db) == 0);
    s_value (db, "SELECT pg_backend_pid()::text", NULL, after);
    YJC_CHECK (t, *after && !streq (before, after));
    YJC_CHECK (t, !yjc_db_lost (db));

    YJC_CHECK (t,
               streq (s_value (db, "SHOW statement_timeout", NULL, v), "30s"));
    YJC_CHECK (t,
               yjc_db_exec (db, "SET statement_timeout = 100", 0, NULL) >= 0);
    YJC_CHECK (t, yjc_db_exec (db, "SELECT pg_sleep(2)", 0, NULL) == -1);
    YJC_CHECK (t, streq (yjc_db_sqlstate (db), "57014"));
    YJC_CHECK (t, yjc_db_unavailable (db) && !yjc_db_lost (db));
    YJC_CHECK (t, yjc_db_exec (db, "SELECT nope", 0, NULL) == -1);
    YJC_CHECK (t, !yjc_db_unavailable (db)); //  a fault, not the database
    YJC_CHECK (t,
               yjc_db_exec (db, "SET statement_timeout = 30000", 0, NULL) >= 0);
}

void
yjc_db_test (yjc_test_t *t)
{
    if (!t->pg) {
        printf ("  db: skipped (no --pg CONNSTR)\n");
        return;
    }
    printf ("  db: the errors logged below are expected\n");
    YJC_CHECK (
        t, yjc_db_new ("host=127.0.0.1 port=1 connect_timeout=2", "x") == NULL);
    yjc_db_t *db = yjc_db_new (t->pg, "selftest_db");
    YJC_CHECK (t, db != NULL);
    if (!db)
        return;
    YJC_CHECK (t,
               yjc_db_exec (
                   db, "DROP SCHEMA IF EXISTS selftest_db CASCADE", 0, NULL) >=
                       0 &&
                   yjc_db_exec (db, "CREATE SCHEMA selftest_db", 0, NULL) >= 0);
    s_test_migrate (t, db);
    s_test_statements (t, db);
    s_test_arrays (t, db);
    s_test_pack (t, db);
    s_test_reconnect (t, db, t->pg);
    s_test_stale_and_timeout (t, db, t->pg);
    YJC_CHECK (
        t, yjc_db_exec (db, "DROP SCHEMA selftest_db CASCADE", 0, NULL) >= 0);
    yjc_db_destroy (&db);
    YJC_CHECK (t, db == NULL);
}
