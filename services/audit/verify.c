/*  verify.c - audit.verify: the chain recomputed from the rows themselves.

    Each link is checked against the hash before it: the stored hash of
    the row before a stretch is where the stretch starts, so stretches
    can be checked side by side, each on its own connection and thread
    (issue 12: a million events a second on two cores).  Rows stream in
    binary COPY while the previous ones are hashed.  The verdict is the
    one of a single pass: the first event in seq order that does not
    match, and why.

    The whole chain is read in the table's physical order (TID ranges, no
    index: the scan costs the server half as much), each stretch a range
    of blocks that must hold its stretch of seq in increasing order.  The
    table is append-only, so it nearly always does; when a row is out of
    place (an edit, a removal refilled, a reorder) the pass is redone in
    seq order through the index.  Either way the rows checked are the same
    sequence, so the verdict is the same.                                */
#include "chain.h"
#include "yjc_chain.h"
#include "yjc_config.h"
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <unistd.h>

#define HASH_LEN YJC_CHAIN_HASH_LEN
//  At most this many stretches side by side (and one per core).
#define STRETCHES 4
//  timestamptz counts microseconds from 2000-01-01
#define PG_EPOCH_US 946684800000000LL

typedef struct {
    int64_t seq;
    unsigned char head[HASH_LEN];
} s_expect_t;

typedef struct {
    int64_t checked, checkpoints, last_seq;
    int64_t bad_seq;    //  0: none
    char bad_event[65]; //  its event_id ("" when none names it)
    const char *reason; //  hash | gap | head | checkpoint | signature
    int64_t cp_ok_seq;  //  the last checkpoint that matched
} s_verdict_t;

//  One stretch of seq [from, to], checked from the row before it; by TID,
//  the rows of blocks [blk_from, blk_to), in seq order, of all [all_from,
//  all_to] they hold.
typedef struct {
    const char *conninfo, *schema;
    int64_t from, to, legacy_seq;
    bool by_tid;
    int64_t blk_from, blk_to, all_from, all_to;
    bool unordered;        //  by TID: a row out of order (redo in seq order)
    atomic_bool *abandon;  //  by TID: some stretch's row was: all stop
    bool last;             //  the stretch that ends the range
    const s_expect_t *exp; //  the expectations inside [from, to]
    int nexp;
    unsigned char h[HASH_LEN]; //  in: the hash before; out: the last
    s_verdict_t v;             //  in: last_seq = the seq before
    bool failed;               //  the database failed: no verdict
} s_stretch_t;

static void
s_bad_n (s_verdict_t *v,
         int64_t seq,
         const char *event_id,
         int len,
         const char *why)
{
    if (v->reason)
        return;
    v->bad_seq = seq;
    snprintf (v->bad_event,
              sizeof v->bad_event,
              "%.*s",
              len < 64 ? len : 64,
              event_id);
    v->reason = why;
}

static void
s_bad (s_verdict_t *v, int64_t seq, const char *event_id, const char *why)
{
    s_bad_n (v, seq, event_id, (int)strlen (event_id), why);
}

static uint32_t
s_u32 (const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t
s_i64 (const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

/* ---- one row of the binary COPY stream ------------------------------------ */

//  The columns in this order: a text or bytea column comes as u32be
//  length + bytes, as the canonical bytes have it, so from event_id on
//  the row is nearly its own canonical bytes (proto/README.md "The audit
//  chain") and is hashed where it lies, not gathered.
#define COLS 10
enum { C_HASH, C_SEQ, C_ID, C_SOURCE, C_TYPE, C_APP, C_AT, C_PAYLOAD, C_UNIT };
#define COPY_COLS                                                              \
    "COPY (SELECT hash, seq, event_id, source, type, app_id, occurred_at,"     \
    " payload_mp, unit, actor FROM events WHERE "

typedef struct {
    int64_t seq;
    bool hash_ok;                   //  the stored hash has its size
    unsigned char stored[HASH_LEN]; //  the stored hash
    const char *event_id;
    int id_len;
    unsigned char *link; //  room for the previous hash, then the bytes
    size_t link_len;     //  NULL, 0: no room (a stored hash too short)
} s_row_t;

static void
s_put_i64 (unsigned char *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        p[i] = (unsigned char)(v & 0xff);
}

//  Lays the row out as its link, in place: app_id NULL as '' (a coalesce
//  per row costs the server more than this), event_id to app_id moved up
//  over occurred_at's length, occurred_at from the Unix epoch, then
//  payload (unit, actor) as they are; the previous hash goes before.
static void
s_row_lay (s_row_t *row, unsigned char **data, const int32_t *len)
{
    if (len[C_APP] == -1)
        memset (data[C_APP] - 4, 0, 4);
    unsigned char *first = data[C_ID] - 4, *at_len = data[C_AT] - 4;
    int64_t at = s_i64 (data[C_AT]) + PG_EPOCH_US;
    memmove (first + 4, first, (size_t)(at_len - first));
    s_put_i64 (data[C_AT], at);
    row->event_id = (const char *)data[C_ID] + 4;
    unsigned char *end = len[C_UNIT] >= 0 ? data[COLS - 1] + len[COLS - 1]
                                          : data[C_PAYLOAD] + len[C_PAYLOAD];
    row->link = first + 4 - HASH_LEN;
    row->link_len = (size_t)(end - row->link);
}

//  Splits one COPY message and lays the row out (s_row_lay): 1 a row, 0
//  none (the header alone, the trailer), -1 anything malformed.
static int
s_row_parse (unsigned char *p, size_t size, s_row_t *row)
{
    static const unsigned char sig[] = "PGCOPY\n\377\r\n";
    //  the header precedes the first row: signature, flags, extension
    if (size >= 19 && memcmp (p, sig, 11) == 0) {
        size_t ext = s_u32 (p + 15);
        if (size < 19 + ext)
            return -1;
        p += 19 + ext;
        size -= 19 + ext;
    }
    if (size == 0 || (size == 2 && p[0] == 0xff && p[1] == 0xff))
        return 0;
    if (size < 2 || (int16_t)((p[0] << 8) | p[1]) != COLS)
        return -1;
    unsigned char *data[COLS];
    int32_t len[COLS]; //  -1: NULL
    size_t at = 2;
    for (int c = 0; c < COLS; c++) {
        if (size - at < 4)
            return -1;
        len[c] = (int32_t)s_u32 (p + at);
        at += 4;
        if (len[c] > 0 && (size_t)len[c] > size - at)
            return -1;
        data[c] = p + at;
        at += len[c] > 0 ? (size_t)len[c] : 0;
    }
    //  the fixed-size columns have their sizes; only app_id, unit and
    //  actor may be NULL (unit and actor together)
    bool ok = len[C_HASH] >= 0 && len[C_SEQ] == 8 && len[C_AT] == 8 &&
              len[C_ID] >= 0 && len[C_SOURCE] >= 0 && len[C_TYPE] >= 0 &&
              len[C_APP] >= -1 && len[C_PAYLOAD] >= 0 &&
              (len[C_UNIT] < 0) == (len[COLS - 1] < 0);
    if (!ok)
        return -1;
    row->seq = s_i64 (data[C_SEQ]);
    row->hash_ok = len[C_HASH] == HASH_LEN;
    if (row->hash_ok)
        memcpy (row->stored, data[C_HASH], HASH_LEN);
    row->event_id = (const char *)data[C_ID];
    row->id_len = len[C_ID];
    row->link = NULL;
    row->link_len = 0;
    //  the room before event_id: the hash's and seq's, 28 bytes and more
    //  when the hash has its size
    if (row->hash_ok)
        s_row_lay (row, data, len);
    return 1;
}

//  Checks one row: its link, its place after the one before, and the
//  checkpoints that name it.
static void
s_check_row (s_stretch_t *st,
             yjc_chain_hasher_t *hasher,
             const s_row_t *r,
             int *ei)
{
    s_verdict_t *v = &st->v;
    int64_t seq = r->seq;
    //  (the event_id is copied only for a verdict: not a printf a row)
    const char *event_id = r->event_id;
    int id_len = r->id_len;
    //  a checkpoint whose event is gone: removed before this one
    for (; *ei < st->nexp && st->exp[*ei].seq < seq; (*ei)++)
        s_bad_n (v, v->last_seq + 1, event_id, id_len, "gap");
    if (r->link) {
        memcpy (r->link, st->h, HASH_LEN);
        yjc_chain_link_bytes (hasher, r->link, r->link_len, st->h);
    }
    //  after the migration's chain, seq has no gaps: one is a removal
    if (seq != v->last_seq + 1 && v->last_seq >= st->legacy_seq)
        s_bad_n (v, v->last_seq + 1, event_id, id_len, "gap");
    if (!r->hash_ok || memcmp (r->stored, st->h, HASH_LEN) != 0)
        s_bad_n (v, seq, event_id, id_len, "hash");
    //  every checkpoint at this event must hold (the stored one and the
    //  auditor's may differ: then the event is where the chain was
    //  rewritten, and no checkpoint held at it)
    bool named = false, held = true;
    for (; *ei < st->nexp && st->exp[*ei].seq == seq; (*ei)++) {
        v->checkpoints++;
        named = true;
        held = held && memcmp (st->exp[*ei].head, st->h, HASH_LEN) == 0;
    }
    if (!held)
        s_bad_n (v, seq, event_id, id_len, "checkpoint");
    else if (named && !v->reason)
        v->cp_ok_seq = seq;
    v->last_seq = seq;
    v->checked++;
}

//  By TID, whether the row of seq `seq` belongs where it is: a row of the
//  range must lie in the stretch's seq and after the one before it.
//  Rows out of the range are not verified (as the index's WHERE drops
//  them).  0: skip it, 1: check it, -1: out of order.
static int
s_in_order (s_stretch_t *st, int64_t seq, int64_t *order_last)
{
    if (seq < st->all_from || seq > st->all_to)
        return 0;
    if (seq < st->from || seq > st->to || seq <= *order_last)
        return -1;
    *order_last = seq;
    return 1;
}

//  The range comes as session settings (parameters), COPY taking none.
static const char *s_copy_by_seq =
    COPY_COLS "seq BETWEEN current_setting('yjc.verify_from')::bigint"
              " AND current_setting('yjc.verify_to')::bigint"
              " ORDER BY seq) TO STDOUT (FORMAT binary)";
static const char *s_copy_by_tid =
    COPY_COLS "ctid >= format('(%s,0)', current_setting('yjc.verify_blk_from'))"
              "::tid AND ctid < format('(%s,0)',"
              " current_setting('yjc.verify_blk_to'))::tid)"
              " TO STDOUT (FORMAT binary)";

//  Asks the server to stop the COPY under way; true when asked.
static bool
s_cancel (PGconn *conn)
{
    char err[256];
    PGcancel *c = PQgetCancel (conn);
    bool asked = c && PQcancel (c, err, sizeof err);
    PQfreeCancel (c);
    return asked;
}

//  The stretch's rows through binary COPY: in seq order, or by TID in the
//  table's order, checked to be seq order.  No JIT: compiling the row's
//  expressions costs more than it saves on a plain scan.
static void *
s_stretch_run (void *arg)
{
    s_stretch_t *st = (s_stretch_t *)arg;
    yjc_db_t *db = yjc_db_new (st->conninfo, st->schema);
    yjc_chain_hasher_t *hasher = yjc_chain_hasher_new ();
    char from_t[24], to_t[24], blk_from_t[24], blk_to_t[24];
    snprintf (from_t, sizeof from_t, "%lld", (long long)st->from);
    snprintf (to_t, sizeof to_t, "%lld", (long long)st->to);
    snprintf (blk_from_t, sizeof blk_from_t, "%lld", (long long)st->blk_from);
    snprintf (blk_to_t, sizeof blk_to_t, "%lld", (long long)st->blk_to);
    const char *params[] = { from_t, to_t, blk_from_t, blk_to_t };
    //  a long read, not a stuck one: no statement timeout for it
    st->failed = !db || !hasher ||
                 yjc_db_exec (db,
                              "SELECT set_config('yjc.verify_from', $1, false),"
                              " set_config('yjc.verify_to', $2, false),"
                              " set_config('yjc.verify_blk_from', $3, false),"
                              " set_config('yjc.verify_blk_to', $4, false),"
                              " set_config('statement_timeout', '0', false),"
                              " set_config('jit', 'off', false)",
                              4,
                              params) < 0;
    PGconn *conn = db ? yjc_db_conn (db) : NULL;
    PGresult *res =
        st->failed ? NULL
                   : PQexec (conn, st->by_tid ? s_copy_by_tid : s_copy_by_seq);
    st->failed = st->failed || PQresultStatus (res) != PGRES_COPY_OUT;
    PQclear (res);
    int ei = 0, n = 0;
    int64_t order_last = st->from - 1;
    char *buf = NULL;
    bool cancelled = false;
    while (!st->failed && (n = PQgetCopyData (conn, &buf, 0)) > 0) {
        s_row_t row;
        //  past the first bad row the rest is read, not checked (by TID
        //  its order still is: a row out of place may come before it)
        if (!st->v.reason || (st->by_tid && !st->unordered)) {
            int got = s_row_parse ((unsigned char *)buf, (size_t)n, &row);
            int place = got == 1 && st->by_tid
                            ? s_in_order (st, row.seq, &order_last)
                            : 1;
            if (place < 0) {
                st->unordered = true;
                atomic_store (st->abandon, true);
            }
            if (got == 1 && place == 1 && !st->v.reason)
                s_check_row (st, hasher, &row, &ei);
            st->failed = got < 0;
        }
        PQfreemem (buf);
        //  the pass is to be redone in seq order: the rest is not read
        if (st->by_tid && !cancelled && atomic_load (st->abandon))
            cancelled = s_cancel (conn);
    }
    if (!st->failed && n == -1) {
        res = PQgetResult (conn);
        st->failed = PQresultStatus (res) != PGRES_COMMAND_OK && !cancelled;
        PQclear (res);
    }
    else
        st->failed = true;
    st->unordered = st->unordered || cancelled;
    //  checkpoints past the stretch's last row: their events are gone
    for (; !st->failed && ei < st->nexp; ei++)
        s_bad (&st->v, st->v.last_seq + 1, "", st->last ? "head" : "gap");
    if (st->failed && db)
        yjc_log (YJC_LOG_ERROR,
                 "audit.verify: stretch %lld-%lld: %s",
                 (long long)st->from,
                 (long long)st->to,
                 PQerrorMessage (conn));
    yjc_chain_hasher_destroy (&hasher);
    yjc_db_destroy (&db);
    return NULL;
}

/* ---- what the chain must hit -------------------------------------------- */

static int
s_cmp_expect (const void *a, const void *b)
{
    int64_t x = ((const s_expect_t *)a)->seq, y = ((const s_expect_t *)b)->seq;
    return x < y ? -1 : x > y;
}

//  The stored checkpoints in [from, to], their signatures checked against
//  this service's key, and the auditor's heads, in seq order.
static s_expect_t *
s_expectations (yjc_ctx_t *ctx,
                const msgpack_object *heads,
                int64_t from,
                int64_t to,
                int *n_out,
                s_verdict_t *v)
{
    char from_t[24], to_t[24];
    snprintf (from_t, sizeof from_t, "%lld", (long long)from);
    snprintf (to_t, sizeof to_t, "%lld", (long long)to);
    const char *params[] = { from_t, to_t };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT seq, count, at_us, encode(head, 'hex'),"
        " encode(public_key, 'hex'), encode(sig, 'hex') FROM checkpoints"
        " WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
        2,
        params);
    if (!res)
        return NULL;
    int stored = PQntuples (res);
    int given = heads && heads->type == MSGPACK_OBJECT_ARRAY
                    ? (int)heads->via.array.size
                    : 0;
    s_expect_t *list = calloc ((size_t)(stored + given + 1), sizeof *list);
    int n = 0;
    for (int i = 0; list && i < stored; i++) {
        s_expect_t *e = &list[n++];
        unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
        e->seq = atoll (PQgetvalue (res, i, 0));
        bool ok = chain_unhex (PQgetvalue (res, i, 3), e->head, HASH_LEN) &&
                  chain_unhex (PQgetvalue (res, i, 4), pk, sizeof pk) &&
                  chain_unhex (PQgetvalue (res, i, 5), sig, sizeof sig) &&
                  chain_checkpoint_valid (e->seq,
                                          atoll (PQgetvalue (res, i, 1)),
                                          atoll (PQgetvalue (res, i, 2)),
                                          e->head,
                                          pk,
                                          sig);
        if (!ok)
            s_bad (v, e->seq, "", "signature");
    }
    PQclear (res);
    for (int i = 0; list && i < given; i++) {
        const msgpack_object *h = &heads->via.array.ptr[i];
        char hex[65];
        int64_t seq = 0;
        yjc_obj_int (h, "seq", &seq);
        yjc_obj_strcpy (h, "head", hex, sizeof hex);
        if (seq < from || seq > to ||
            !chain_unhex (hex, list[n].head, HASH_LEN))
            continue;
        list[n++].seq = seq;
    }
    if (list)
        qsort (list, (size_t)n, sizeof *list, s_cmp_expect);
    *n_out = n;
    return list;
}

/* ---- the stretches ------------------------------------------------------ */

//  The row before seq `from`: its seq and stored hash (genesis: 0, zeros).
static bool
s_before (yjc_ctx_t *ctx, int64_t from, int64_t *seq, unsigned char *h)
{
    char from_t[24];
    snprintf (from_t, sizeof from_t, "%lld", (long long)from);
    const char *params[] = { from_t };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT seq, encode(hash, 'hex') FROM events WHERE seq < $1"
        " ORDER BY seq DESC LIMIT 1",
        1,
        params);
    if (!res)
        return false;
    *seq = 0;
    memset (h, 0, HASH_LEN);
    if (PQntuples (res) == 1) {
        chain_unhex (PQgetvalue (res, 0, 1), h, HASH_LEN);
        *seq = atoll (PQgetvalue (res, 0, 0));
    }
    PQclear (res);
    return true;
}

//  How many stretches: one per core (at most STRETCHES), each of at least
//  YJC_AUDIT_VERIFY_STRETCH rows.
static int
s_stretch_count (int64_t rows)
{
    long cores = sysconf (_SC_NPROCESSORS_ONLN);
    int64_t n64 = rows / yjc_config_int (YJC_CFG_AUDIT_VERIFY_STRETCH);
    int n = n64 > STRETCHES ? STRETCHES : (int)n64;
    if (n > cores)
        n = (int)cores;
    if (n > STRETCHES)
        n = STRETCHES;
    return n < 1 ? 1 : n;
}

//  Sets up stretch st over seq [from, to] (the last one when `last`);
//  false on a database error.
static bool
s_stretch_init (yjc_ctx_t *ctx,
                s_stretch_t *st,
                int64_t from,
                int64_t to,
                bool last,
                int64_t legacy_seq,
                const s_expect_t *exp,
                int nexp)
{
    st->conninfo = yjc_db_conninfo (ctx->db);
    st->schema = yjc_db_schema (ctx->db);
    st->from = from;
    st->to = to;
    st->legacy_seq = legacy_seq;
    st->last = last;
    int k = 0;
    while (k < nexp && exp[k].seq < st->from)
        k++;
    st->exp = exp + k;
    while (k < nexp && exp[k].seq <= st->to)
        k++, st->nexp++;
    return s_before (ctx, st->from, &st->v.last_seq, st->h);
}

//  The seq of the first row of block `blk` (by a TID scan: a handful of
//  rows), 0 when the block holds none; -1 on a database error.
static int64_t
s_block_first (yjc_ctx_t *ctx, int64_t blk)
{
    char blk_t[24];
    snprintf (blk_t, sizeof blk_t, "%lld", (long long)blk);
    const char *params[] = { blk_t };
    //  (291: the most tuples an 8 kB page holds)
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT seq FROM events WHERE ctid = ANY (ARRAY (SELECT"
        " format('(%s,%s)', $1::bigint, i)::tid FROM generate_series(1, 291)"
        " i)) ORDER BY ctid LIMIT 1",
        1,
        params);
    if (!res)
        return -1;
    int64_t seq = PQntuples (res) == 1 ? atoll (PQgetvalue (res, 0, 0)) : 0;
    PQclear (res);
    return seq;
}

//  By TID: n stretches of the table's blocks, each from the seq of its
//  first row (any choice is sound: each stretch checks that its rows lie
//  in its seq, in order).  A boundary that falls on an empty stretch or
//  out of order is dropped.  Fills blk[] and seq_at[], returns how many
//  stretches, -1 on a database error.
static int
s_tid_bounds (yjc_ctx_t *ctx,
              int n,
              int64_t from,
              int64_t to,
              int64_t *blk,
              int64_t *seq_at)
{
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT pg_relation_size('events')"
                                  " / current_setting('block_size')::bigint",
                                  0,
                                  NULL);
    if (!res)
        return -1;
    int64_t blocks = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    int kept = 1;
    blk[0] = 0;
    seq_at[0] = from;
    for (int i = 1; i < n; i++) {
        int64_t b = blocks * i / n, end = blocks * (i + 1) / n, seq = 0;
        for (; b < end && b < blocks * i / n + 8 && seq == 0; b++)
            seq = s_block_first (ctx, b);
        if (seq < 0)
            return -1;
        if (seq > seq_at[kept - 1] && seq <= to) {
            blk[kept] = b - 1;
            seq_at[kept++] = seq;
        }
    }
    return kept;
}

//  Runs the stretches side by side (the first on this thread, and any
//  that got no thread of its own); false when the database failed.
static bool
s_run (s_stretch_t *sts, int n)
{
    pthread_t threads[STRETCHES];
    bool threaded[STRETCHES] = { false };
    for (int i = 1; i < n; i++)
        threaded[i] =
            pthread_create (&threads[i], NULL, s_stretch_run, &sts[i]) == 0;
    for (int i = 0; i < n; i++)
        if (!threaded[i])
            s_stretch_run (&sts[i]);
    for (int i = 1; i < n; i++)
        if (threaded[i])
            pthread_join (threads[i], NULL);
    bool ok = true;
    for (int i = 0; i < n; i++)
        ok = ok && !sts[i].failed;
    return ok;
}

//  Sets up the stretches over [from, to]: by TID when `by_tid` (the whole
//  chain), else equal spans of seq.  Returns how many, -1 on a database
//  error.
static int
s_plan (yjc_ctx_t *ctx,
        s_stretch_t *sts,
        atomic_bool *abandon,
        bool by_tid,
        int64_t from,
        int64_t to,
        int64_t legacy_seq,
        const s_expect_t *exp,
        int nexp)
{
    int n = to >= from ? s_stretch_count (to - from + 1) : 1;
    int64_t blk[STRETCHES + 1], seq_at[STRETCHES + 1];
    if (by_tid)
        n = s_tid_bounds (ctx, n, from, to, blk, seq_at);
    else
        for (int i = 0; i < n; i++)
            seq_at[i] = from + (to - from + 1) * i / n;
    if (n < 0)
        return -1;
    seq_at[n] = to + 1;
    //  the last stretch's blocks: to the end, whatever was added since
    blk[n] = 4294967295LL;
    memset (sts, 0, sizeof *sts * STRETCHES);
    for (int i = 0; i < n; i++) {
        s_stretch_t *st = &sts[i];
        st->by_tid = by_tid;
        st->abandon = abandon;
        st->blk_from = by_tid ? blk[i] : 0;
        st->blk_to = by_tid ? blk[i + 1] : 0;
        st->all_from = from;
        st->all_to = to;
        if (!s_stretch_init (ctx,
                             st,
                             seq_at[i],
                             seq_at[i + 1] - 1,
                             i == n - 1,
                             legacy_seq,
                             exp,
                             nexp))
            return -1;
    }
    return n;
}

//  The stretches' verdicts as one pass's: the first bad one decides; what
//  was checked and the checkpoints that held count up to it.
static void
s_combine (s_stretch_t *sts, int n, s_verdict_t *v, unsigned char *h)
{
    for (int i = 0; i < n; i++) {
        s_verdict_t *w = &sts[i].v;
        v->checked += w->checked;
        v->checkpoints += w->checkpoints;
        if (w->checked)
            v->last_seq = w->last_seq;
        if (w->cp_ok_seq > v->cp_ok_seq)
            v->cp_ok_seq = w->cp_ok_seq;
        memcpy (h, sts[i].h, HASH_LEN);
        if (w->reason) {
            s_bad (v, w->bad_seq, w->bad_event, w->reason);
            return;
        }
    }
}

static void
s_reply (yjc_ctx_t *ctx, const s_verdict_t *v, int64_t elapsed, int streams)
{
    msgpack_pack_map (ctx->reply, v->reason ? 9 : 6);
    yjc_pk_kv_bool (ctx->reply, "intact", !v->reason);
    yjc_pk_kv_int (ctx->reply, "checked", v->checked);
    yjc_pk_kv_int (ctx->reply, "checkpoints", v->checkpoints);
    yjc_pk_kv_int (ctx->reply, "last_seq", v->last_seq);
    yjc_pk_kv_int (ctx->reply, "elapsed_us", elapsed);
    yjc_pk_kv_int (ctx->reply, "streams", streams);
    if (v->reason) {
        yjc_pk_kv_int (ctx->reply, "bad_seq", v->bad_seq);
        //  a rewritten stretch lies after the last checkpoint that held
        yjc_pk_kv_int (ctx->reply, "good_seq", v->cp_ok_seq);
        yjc_pk_str (ctx->reply, "bad");
        msgpack_pack_map (ctx->reply, 2);
        yjc_pk_kv_str (ctx->reply, "event_id", v->bad_event);
        yjc_pk_kv_str (ctx->reply, "reason", v->reason);
    }
}

//  audit.verify {from, to, heads}: recomputes each event's hash from its
//  row and the hash before it; names the first event that does not match.
yjc_result_t
chain_verify (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t from = 1, to = INT64_MAX, head_seq = 0;
    unsigned char head[HASH_LEN];
    if (!yjc_obj_int (body, "from", &from) || from < 1)
        from = 1;
    if (!yjc_obj_int (body, "to", &to))
        to = INT64_MAX;
    if (!chain_head (ctx, &head_seq, head))
        return YJC_DB_ERROR;
    if (to > head_seq)
        to = head_seq;
    PGresult *res =
        yjc_db_query (ctx->db, "SELECT legacy_seq FROM chain_head", 0, NULL);
    if (!res)
        return YJC_DB_ERROR;
    int64_t legacy_seq = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    s_verdict_t v = { 0 };
    int nexp = 0;
    s_expect_t *exp =
        s_expectations (ctx, yjc_obj_get (body, "heads"), from, to, &nexp, &v);
    if (!exp)
        return YJC_DB_ERROR;
    //  the whole chain by TID; in seq order when a row is out of place
    bool by_tid = from == 1 && to == head_seq && to >= from;
    s_stretch_t sts[STRETCHES];
    int n = 0;
    bool ok = true, ran = false;
    unsigned char h[HASH_LEN];
    int64_t started = zclock_usecs ();
    atomic_bool abandon;
    while (ok && !ran) {
        atomic_init (&abandon, false);
        n = s_plan (
            ctx, sts, &abandon, by_tid, from, to, legacy_seq, exp, nexp);
        ok = n > 0;
        if (ok) {
            memcpy (h, sts[0].h, HASH_LEN);
            v.last_seq = sts[0].v.last_seq;
        }
        if (ok && to >= from)
            ok = s_run (sts, n);
        ran = true;
        for (int i = 0; ok && by_tid && i < n; i++)
            if (sts[i].unordered) {
                yjc_log (YJC_LOG_INFO,
                         "audit.verify: a row out of seq order in the table"
                         " (stretch %lld-%lld): again in seq order",
                         (long long)sts[i].from,
                         (long long)sts[i].to);
                by_tid = false;
                ran = false;
                break;
            }
    }
    if (ok && to >= from)
        s_combine (sts, n, &v, h);
    free (exp);
    if (!ok)
        return YJC_DB_ERROR;
    //  the whole chain up to the head: its last link must be the head's
    if (to == head_seq &&
        (v.last_seq != head_seq || memcmp (h, head, HASH_LEN) != 0))
        s_bad (&v, v.last_seq + 1, "", "head");
    s_reply (ctx, &v, zclock_usecs () - started, n);
    return YJC_OK;
}
