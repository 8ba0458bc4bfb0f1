/*  verify.c - audit.verify: the chain recomputed from the rows themselves.

    Each link is checked against the hash before it: the stored hash of
    the row before a stretch is where the stretch starts, so stretches
    can be checked side by side, each on its own connection and thread
    (issue 12: a million events a second on two cores).  Rows stream in
    binary COPY while the previous ones are hashed.  The verdict is the
    one of a single pass: the first event in seq order that does not
    match, and why.                                                       */
#include "chain.h"
#include "yjc_chain.h"
#include "yjc_config.h"
#include <pthread.h>
#include <sodium.h>
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

//  One stretch of seq [from, to], checked from the row before it.
typedef struct {
    const char *conninfo, *schema;
    int64_t from, to, legacy_seq;
    bool last;             //  the stretch that ends the range
    const s_expect_t *exp; //  the expectations inside [from, to]
    int nexp;
    unsigned char h[HASH_LEN]; //  in: the hash before; out: the last
    s_verdict_t v;             //  in: last_seq = the seq before
    bool failed;               //  the database failed: no verdict
} s_stretch_t;

static void
s_bad (s_verdict_t *v, int64_t seq, const char *event_id, const char *why)
{
    if (v->reason)
        return;
    v->bad_seq = seq;
    snprintf (v->bad_event, sizeof v->bad_event, "%s", event_id);
    v->reason = why;
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

#define COLS 10 //  seq event_id source type app_id at payload hash unit actor

typedef struct {
    const unsigned char *data[COLS];
    int32_t len[COLS]; //  -1: NULL
} s_row_t;

//  Splits one COPY message: 1 a row, 0 none (the header alone, the
//  trailer), -1 anything malformed.
static int
s_row_parse (const unsigned char *p, size_t size, s_row_t *row)
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
    size_t at = 2;
    for (int c = 0; c < COLS; c++) {
        if (size - at < 4)
            return -1;
        int32_t len = (int32_t)s_u32 (p + at);
        at += 4;
        if (len > 0 && (size_t)len > size - at)
            return -1;
        row->data[c] = p + at;
        row->len[c] = len;
        at += len > 0 ? (size_t)len : 0;
    }
    //  app_id comes as it is stored (a coalesce per row costs the server
    //  more than this): NULL hashes as ''
    if (row->len[4] == -1)
        row->len[4] = 0;
    //  the fixed-size columns and the hash have their sizes
    bool ok = row->len[0] == 8 && row->len[5] == 8 && row->len[7] >= 0 &&
              row->len[1] >= 0 && row->len[2] >= 0 && row->len[3] >= 0 &&
              row->len[4] >= 0 && row->len[6] >= 0 &&
              (row->len[8] < 0) == (row->len[9] < 0);
    return ok ? 1 : -1;
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
    int64_t seq = s_i64 (r->data[0]);
    char event_id[65];
    snprintf (event_id,
              sizeof event_id,
              "%.*s",
              r->len[1] < 64 ? r->len[1] : 64,
              (const char *)r->data[1]);
    //  a checkpoint whose event is gone: removed before this one
    for (; *ei < st->nexp && st->exp[*ei].seq < seq; (*ei)++)
        s_bad (v, v->last_seq + 1, event_id, "gap");
    bool second = r->len[9] >= 0;
    yjc_chain_event_t e = { (const char *)r->data[1],
                            (const char *)r->data[2],
                            (const char *)r->data[3],
                            (const char *)r->data[4],
                            (size_t)r->len[1],
                            (size_t)r->len[2],
                            (size_t)r->len[3],
                            (size_t)r->len[4],
                            s_i64 (r->data[5]) + PG_EPOCH_US,
                            r->data[6],
                            (size_t)r->len[6],
                            second ? (const char *)r->data[8] : NULL,
                            second ? (const char *)r->data[9] : NULL,
                            second ? (size_t)r->len[8] : 0,
                            second ? (size_t)r->len[9] : 0 };
    yjc_chain_link (hasher, st->h, &e, st->h);
    //  after the migration's chain, seq has no gaps: one is a removal
    if (seq != v->last_seq + 1 && v->last_seq >= st->legacy_seq)
        s_bad (v, v->last_seq + 1, event_id, "gap");
    if (r->len[7] != HASH_LEN || memcmp (r->data[7], st->h, HASH_LEN) != 0)
        s_bad (v, seq, event_id, "hash");
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
        s_bad (v, seq, event_id, "checkpoint");
    else if (named && !v->reason)
        v->cp_ok_seq = seq;
    v->last_seq = seq;
    v->checked++;
}

//  The stretch's rows, in seq order, through binary COPY.  The range is
//  passed as session settings (parameters), COPY taking none itself.
static void *
s_stretch_run (void *arg)
{
    s_stretch_t *st = (s_stretch_t *)arg;
    yjc_db_t *db = yjc_db_new (st->conninfo, st->schema);
    yjc_chain_hasher_t *hasher = yjc_chain_hasher_new ();
    char from_t[24], to_t[24];
    snprintf (from_t, sizeof from_t, "%lld", (long long)st->from);
    snprintf (to_t, sizeof to_t, "%lld", (long long)st->to);
    const char *params[] = { from_t, to_t };
    //  a long read, not a stuck one: no statement timeout for it
    st->failed = !db || !hasher ||
                 yjc_db_exec (db,
                              "SELECT set_config('yjc.verify_from', $1, false),"
                              " set_config('yjc.verify_to', $2, false),"
                              " set_config('statement_timeout', '0', false)",
                              2,
                              params) < 0;
    PGconn *conn = db ? yjc_db_conn (db) : NULL;
    PGresult *res =
        st->failed
            ? NULL
            : PQexec (conn,
                      "COPY (SELECT seq, event_id, source, type,"
                      " app_id, occurred_at, payload_mp, hash,"
                      " unit, actor FROM events"
                      " WHERE seq BETWEEN current_setting('yjc.verify_from')"
                      "::bigint AND current_setting('yjc.verify_to')::bigint"
                      " ORDER BY seq) TO STDOUT (FORMAT binary)");
    st->failed = st->failed || PQresultStatus (res) != PGRES_COPY_OUT;
    PQclear (res);
    int ei = 0, n = 0;
    char *buf = NULL;
    while (!st->failed && (n = PQgetCopyData (conn, &buf, 0)) > 0) {
        s_row_t row;
        //  past the first bad row the rest is read, not checked
        if (!st->v.reason) {
            int got = s_row_parse ((const unsigned char *)buf, (size_t)n, &row);
            if (got == 1)
                s_check_row (st, hasher, &row, &ei);
            st->failed = got < 0;
        }
        PQfreemem (buf);
    }
    if (!st->failed && n == -1) {
        res = PQgetResult (conn);
        st->failed = PQresultStatus (res) != PGRES_COMMAND_OK;
        PQclear (res);
    }
    else
        st->failed = true;
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

//  Sets up stretch i of n over [from, to]; false on a database error.
static bool
s_stretch_init (yjc_ctx_t *ctx,
                s_stretch_t *st,
                int i,
                int n,
                int64_t from,
                int64_t to,
                int64_t legacy_seq,
                const s_expect_t *exp,
                int nexp)
{
    int64_t span = to - from + 1;
    st->conninfo = yjc_db_conninfo (ctx->db);
    st->schema = yjc_db_schema (ctx->db);
    st->from = from + span * i / n;
    st->to = from + span * (i + 1) / n - 1;
    st->legacy_seq = legacy_seq;
    st->last = i == n - 1;
    int k = 0;
    while (k < nexp && exp[k].seq < st->from)
        k++;
    st->exp = exp + k;
    while (k < nexp && exp[k].seq <= st->to)
        k++, st->nexp++;
    return s_before (ctx, st->from, &st->v.last_seq, st->h);
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
    int n = to >= from ? s_stretch_count (to - from + 1) : 1;
    s_stretch_t sts[STRETCHES];
    memset (sts, 0, sizeof sts);
    bool ok = true;
    for (int i = 0; ok && i < n; i++)
        ok = s_stretch_init (
            ctx, &sts[i], i, n, from, to, legacy_seq, exp, nexp);
    unsigned char h[HASH_LEN];
    memcpy (h, sts[0].h, HASH_LEN);
    v.last_seq = sts[0].v.last_seq;
    int64_t started = zclock_usecs ();
    if (ok && to >= from) {
        pthread_t threads[STRETCHES];
        bool threaded[STRETCHES] = { false };
        for (int i = 1; i < n; i++)
            threaded[i] =
                pthread_create (&threads[i], NULL, s_stretch_run, &sts[i]) == 0;
        //  the first on this thread, and any that got no thread of its own
        for (int i = 0; i < n; i++)
            if (!threaded[i])
                s_stretch_run (&sts[i]);
        for (int i = 1; i < n; i++)
            if (threaded[i])
                pthread_join (threads[i], NULL);
        for (int i = 0; i < n; i++)
            ok = ok && !sts[i].failed;
        if (ok)
            s_combine (sts, n, &v, h);
    }
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
