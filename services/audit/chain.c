/*  chain.c - the audit trail proves it was not edited: every event's hash
    covers its canonical bytes and the previous event's hash, one chain in
    seq order (proto/README.md "The audit chain"); the head is signed at
    intervals with the service's own Ed25519 key; audit.verify recomputes
    the chain from the rows themselves, never from the stored hashes.   */
#include "chain.h"
#include "yjc_config.h"
#include "yjc_rows.h"
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_LEN    crypto_hash_sha256_BYTES
#define VERIFY_PAGE 50000

static unsigned char s_pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char s_sk[crypto_sign_SECRETKEYBYTES];

static void
s_hex (const unsigned char *bin, size_t len, char *out)
{
    sodium_bin2hex (out, len * 2 + 1, bin, len);
}

static bool
s_unhex (const char *hex, unsigned char *out, size_t len)
{
    size_t got = 0;
    return sodium_hex2bin (out, len, hex, strlen (hex), NULL, &got, NULL) ==
               0 &&
           got == len;
}

static int
s_write_file (const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return -1;
    bool ok = write (fd, data, len) == (ssize_t)len;
    return close (fd) == 0 && ok ? 0 : -1;
}

int
chain_key_load (void)
{
    if (sodium_init () < 0)
        return -1;
    char path[1024], pub[1024];
    snprintf (path,
              sizeof path,
              "%s/audit-checkpoint.key",
              yjc_config (YJC_CFG_KEYS));
    snprintf (
        pub, sizeof pub, "%s/audit-checkpoint.pub", yjc_config (YJC_CFG_KEYS));
    FILE *f = fopen (path, "rb");
    if (f) {
        bool ok = fread (s_sk, 1, sizeof s_sk, f) == sizeof s_sk;
        fclose (f);
        if (!ok || crypto_sign_ed25519_sk_to_pk (s_pk, s_sk) != 0) {
            yjc_log (YJC_LOG_ERROR, "audit: %s is not an Ed25519 key", path);
            return -1;
        }
        return 0;
    }
    //  the first start: a new key, kept only here (never in the database)
    crypto_sign_keypair (s_pk, s_sk);
    char hex[crypto_sign_PUBLICKEYBYTES * 2 + 2];
    s_hex (s_pk, sizeof s_pk, hex);
    strcat (hex, "\n");
    mkdir (yjc_config (YJC_CFG_KEYS), 0700);
    if (s_write_file (path, s_sk, sizeof s_sk, 0600) != 0) {
        yjc_log (YJC_LOG_ERROR, "audit: cannot create %s", path);
        return -1;
    }
    unlink (pub);
    s_write_file (pub, hex, strlen (hex), 0644);
    yjc_log (YJC_LOG_INFO, "audit: created checkpoint key %s", path);
    return 0;
}

/* ---- the canonical bytes ------------------------------------------------ */

static void
s_be (unsigned char *out, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        out[i] = (unsigned char)(v & 0xff);
}

static void
s_field (crypto_hash_sha256_state *st, const void *data, size_t len)
{
    unsigned char n[4];
    s_be (n, len, 4);
    crypto_hash_sha256_update (st, n, 4);
    crypto_hash_sha256_update (st, data, len);
}

typedef struct {
    const char *event_id, *source, *type, *app_id; //  app_id "" if none
    size_t event_id_len, source_len, type_len, app_id_len;
    int64_t at_us;
    const void *payload;
    size_t payload_len;
} s_canon_t;

//  out = SHA-256(prev || canonical bytes of the event)
static void
s_link (const unsigned char *prev, const s_canon_t *e, unsigned char *out)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init (&st);
    crypto_hash_sha256_update (&st, prev, HASH_LEN);
    s_field (&st, e->event_id, e->event_id_len);
    s_field (&st, e->source, e->source_len);
    s_field (&st, e->type, e->type_len);
    s_field (&st, e->app_id, e->app_id_len);
    unsigned char at[8];
    s_be (at, (uint64_t)e->at_us, 8);
    crypto_hash_sha256_update (&st, at, 8);
    s_field (&st, e->payload, e->payload_len);
    crypto_hash_sha256_final (&st, out);
}

//  The bytes a checkpoint's signature covers.
#define CP_TAG     "yjc-audit-checkpoint-v1"
#define CP_MSG_LEN (sizeof CP_TAG + 24 + HASH_LEN)
static void
s_cp_msg (int64_t seq,
          int64_t count,
          int64_t at_us,
          const unsigned char *head,
          unsigned char *msg)
{
    memcpy (msg, CP_TAG, sizeof CP_TAG); //  with its NUL
    s_be (msg + sizeof CP_TAG, (uint64_t)seq, 8);
    s_be (msg + sizeof CP_TAG + 8, (uint64_t)count, 8);
    s_be (msg + sizeof CP_TAG + 16, (uint64_t)at_us, 8);
    memcpy (msg + sizeof CP_TAG + 24, head, HASH_LEN);
}

/* ---- storing ------------------------------------------------------------ */

//  Signs (seq, count, head, now) and keeps it.
static yjc_result_t
s_checkpoint (yjc_ctx_t *ctx, int64_t seq, int64_t count, const char *head_hex)
{
    unsigned char head[HASH_LEN], msg[CP_MSG_LEN], sig[crypto_sign_BYTES];
    if (!s_unhex (head_hex, head, HASH_LEN))
        return YJC_DB_ERROR;
    s_cp_msg (seq, count, ctx->now, head, msg);
    crypto_sign_detached (sig, NULL, msg, sizeof msg, s_sk);
    char seq_t[24], count_t[24], at_t[24], pk_hex[65], sig_hex[129];
    snprintf (seq_t, sizeof seq_t, "%lld", (long long)seq);
    snprintf (count_t, sizeof count_t, "%lld", (long long)count);
    snprintf (at_t, sizeof at_t, "%lld", (long long)ctx->now);
    s_hex (s_pk, sizeof s_pk, pk_hex);
    s_hex (sig, sizeof sig, sig_hex);
    const char *params[] = { seq_t, count_t, head_hex, at_t, pk_hex, sig_hex };
    return yjc_db_exec (ctx->db,
                        "INSERT INTO checkpoints (seq, count, head, at_us,"
                        " public_key, sig) VALUES ($1, $2, decode($3, 'hex'),"
                        " $4, decode($5, 'hex'), decode($6, 'hex'))"
                        " ON CONFLICT (seq) DO NOTHING",
                        6,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

typedef struct {
    int64_t seq, count;
    unsigned char hash[HASH_LEN];
} s_head_t;

static bool
s_head_read (yjc_ctx_t *ctx, s_head_t *head, bool lock)
{
    PGresult *res = yjc_db_query (
        ctx->db,
        lock ? "SELECT seq, count, encode(hash, 'hex') FROM chain_head"
               " FOR UPDATE"
             : "SELECT seq, count, encode(hash, 'hex') FROM chain_head",
        0,
        NULL);
    if (!res)
        return false;
    bool ok = PQntuples (res) == 1 &&
              s_unhex (PQgetvalue (res, 0, 2), head->hash, HASH_LEN);
    if (ok) {
        head->seq = atoll (PQgetvalue (res, 0, 0));
        head->count = atoll (PQgetvalue (res, 0, 1));
    }
    PQclear (res);
    return ok;
}

yjc_result_t
chain_store (yjc_ctx_t *ctx, const yjc_event_in_t *events, int count)
{
    //  the head's row lock orders the workers' deliveries: one chain
    s_head_t head;
    if (!s_head_read (ctx, &head, true))
        return YJC_DB_ERROR;
    int64_t count_before = head.count;
    yjc_rows_t *rows = yjc_rows_new (7);
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    for (int i = 0; i < count; i++) {
        const yjc_event_in_t *ev = &events[i];
        const char *type = yjc_event_defs[ev->type].wire;
        yjc_pack_reset (&mp);
        msgpack_pack_object (&mp.pk, *ev->payload);
        s_canon_t c = { ev->event_id,
                        ev->source,
                        type,
                        ev->app_id,
                        strlen (ev->event_id),
                        strlen (ev->source),
                        strlen (type),
                        strlen (ev->app_id),
                        ev->at_us,
                        mp.buf.data,
                        mp.buf.size };
        s_link (head.hash, &c, head.hash);
        head.seq++;
        head.count++;
        char at_t[24], seq_t[24], hash_hex[HASH_LEN * 2 + 1];
        snprintf (at_t, sizeof at_t, "%lld", (long long)ev->at_us);
        snprintf (seq_t, sizeof seq_t, "%lld", (long long)head.seq);
        s_hex (head.hash, HASH_LEN, hash_hex);
        const char *texts[] = { ev->event_id, ev->source,
                                type,         *ev->app_id ? ev->app_id : NULL,
                                at_t,         seq_t,
                                hash_hex };
        yjc_rows_add (rows, texts, mp.buf.data, mp.buf.size);
    }
    char seq_t[24], n_t[24], hash_hex[HASH_LEN * 2 + 1];
    snprintf (seq_t, sizeof seq_t, "%lld", (long long)head.seq);
    snprintf (n_t, sizeof n_t, "%lld", (long long)head.count);
    s_hex (head.hash, HASH_LEN, hash_hex);
    //  occurred_at from at_us, so that the row and its hash agree
    const char *extra[] = { ctx->now_iso };
    PGresult *res = yjc_rows_exec (
        rows,
        ctx->db,
        "INSERT INTO events (seq, event_id, source, type, app_id, occurred_at,"
        " received_at, payload_mp, hash)"
        " SELECT q::bigint, e, s, t, a,"
        " 'epoch'::timestamptz + o::bigint * interval '1 microsecond', $9, p,"
        " decode(h, 'hex') FROM unnest($1::text[], $2::text[], $3::text[],"
        " $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[])"
        " AS u (e, s, t, a, o, q, h, p)",
        1,
        extra);
    yjc_rows_destroy (&rows);
    yjc_pack_release (&mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    const char *params[] = { seq_t, n_t, hash_hex };
    if (yjc_db_exec (ctx->db,
                     "UPDATE chain_head SET seq = $1, count = $2,"
                     " hash = decode($3, 'hex')",
                     3,
                     params) != 1)
        return YJC_DB_ERROR;
    int64_t every = yjc_config_int (YJC_CFG_AUDIT_CHECKPOINT_EVERY);
    if (every > 0 && count_before / every != head.count / every)
        return s_checkpoint (ctx, head.seq, head.count, hash_hex);
    return YJC_OK;
}

//  Signs the head if it moved since the last checkpoint and, unless
//  `always`, that one is older than YJC_AUDIT_CHECKPOINT_S.
static yjc_result_t
s_checkpoint_head (yjc_ctx_t *ctx, bool always)
{
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT h.seq, h.count, encode(h.hash, 'hex'),"
        " coalesce(c.seq, -1), coalesce(c.at_us, 0) FROM chain_head h"
        " LEFT JOIN (SELECT seq, at_us FROM checkpoints ORDER BY seq DESC"
        " LIMIT 1) c ON true",
        0,
        NULL);
    if (!res || PQntuples (res) != 1) {
        if (res)
            PQclear (res);
        return YJC_DB_ERROR;
    }
    int64_t seq = atoll (PQgetvalue (res, 0, 0));
    int64_t count = atoll (PQgetvalue (res, 0, 1));
    int64_t last = atoll (PQgetvalue (res, 0, 3));
    int64_t at = atoll (PQgetvalue (res, 0, 4));
    int64_t every_us =
        (int64_t)yjc_config_int (YJC_CFG_AUDIT_CHECKPOINT_S) * 1000000;
    yjc_result_t rc = YJC_OK;
    if (count > 0 && seq != last && (always || ctx->now - at >= every_us))
        rc = s_checkpoint (ctx, seq, count, PQgetvalue (res, 0, 2));
    PQclear (res);
    return rc;
}

yjc_result_t
chain_tick (yjc_ctx_t *ctx)
{
    return s_checkpoint_head (ctx, false);
}

//  audit.checkpoints: every checkpoint, the current head signed first.
yjc_result_t
chain_checkpoints (yjc_ctx_t *ctx, const msgpack_object *body)
{
    (void)body;
    if (s_checkpoint_head (ctx, true) != YJC_OK)
        return YJC_DB_ERROR;
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT seq, count, at_us, encode(head, 'hex'),"
        " encode(public_key, 'hex'), encode(sig, 'hex') FROM checkpoints"
        " ORDER BY seq",
        0,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    int n = PQntuples (res);
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_str (ctx->reply, "checkpoints");
    msgpack_pack_array (ctx->reply, (uint32_t)n);
    static const char *keys[] = {
        "seq", "count", "at_us", "head", "key", "sig"
    };
    for (int i = 0; i < n; i++) {
        msgpack_pack_map (ctx->reply, 6);
        for (int k = 0; k < 3; k++)
            yjc_pk_kv_int (ctx->reply, keys[k], atoll (PQgetvalue (res, i, k)));
        for (int k = 3; k < 6; k++)
            yjc_pk_kv_str (ctx->reply, keys[k], PQgetvalue (res, i, k));
    }
    PQclear (res);
    return YJC_OK;
}

/* ---- verifying ---------------------------------------------------------- */

typedef struct {
    int64_t seq;
    unsigned char head[HASH_LEN];
    bool stored; //  from the checkpoints table (else: the auditor's)
    bool seen;
} s_expect_t;

typedef struct {
    int64_t checked, checkpoints, last_seq;
    int64_t bad_seq;    //  0: none
    char bad_event[65]; //  its event_id ("" when none names it)
    const char *reason; //  hash | gap | head | checkpoint | signature
    int64_t legacy_seq; //  chain_head.legacy_seq: no gaps after it
    int64_t cp_ok_seq;  //  the last checkpoint that matched
} s_verdict_t;

static void
s_bad (s_verdict_t *v, int64_t seq, const char *event_id, const char *why)
{
    if (v->reason)
        return;
    v->bad_seq = seq;
    snprintf (v->bad_event, sizeof v->bad_event, "%s", event_id);
    v->reason = why;
}

static int
s_cmp_expect (const void *a, const void *b)
{
    int64_t x = ((const s_expect_t *)a)->seq, y = ((const s_expect_t *)b)->seq;
    return x < y ? -1 : x > y;
}

//  The stored checkpoints in [from, to], their signatures checked against
//  this service's key, and the auditor's heads: what the chain must hit.
static s_expect_t *
s_expectations (yjc_ctx_t *ctx,
                const msgpack_object *heads,
                const char *from_t,
                const char *to_t,
                int *n_out,
                s_verdict_t *v)
{
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
    int given = heads ? (int)heads->via.array.size : 0;
    s_expect_t *list = calloc ((size_t)(stored + given + 1), sizeof *list);
    int n = 0;
    for (int i = 0; i < stored; i++) {
        s_expect_t *e = &list[n];
        unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES],
            msg[CP_MSG_LEN];
        e->seq = atoll (PQgetvalue (res, i, 0));
        bool ok = s_unhex (PQgetvalue (res, i, 3), e->head, HASH_LEN) &&
                  s_unhex (PQgetvalue (res, i, 4), pk, sizeof pk) &&
                  s_unhex (PQgetvalue (res, i, 5), sig, sizeof sig);
        if (ok) {
            s_cp_msg (e->seq,
                      atoll (PQgetvalue (res, i, 1)),
                      atoll (PQgetvalue (res, i, 2)),
                      e->head,
                      msg);
            ok = memcmp (pk, s_pk, sizeof pk) == 0 &&
                 crypto_sign_verify_detached (sig, msg, sizeof msg, pk) == 0;
        }
        if (!ok)
            s_bad (v, e->seq, "", "signature");
        e->stored = true;
        n++;
    }
    PQclear (res);
    for (int i = 0; i < given; i++) {
        const msgpack_object *h = &heads->via.array.ptr[i];
        char hex[65];
        int64_t seq = 0;
        yjc_obj_int (h, "seq", &seq);
        yjc_obj_strcpy (h, "head", hex, sizeof hex);
        if (seq < atoll (from_t) || seq > atoll (to_t) ||
            !s_unhex (hex, list[n].head, HASH_LEN))
            continue;
        list[n++].seq = seq;
    }
    qsort (list, (size_t)n, sizeof *list, s_cmp_expect);
    *n_out = n;
    return list;
}

//  A binary int8 / timestamptz value (big-endian; timestamptz counts
//  microseconds from 2000-01-01, PG_EPOCH_US after the Unix epoch).
#define PG_EPOCH_US 946684800000000LL
static int64_t
s_int8 (const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | (unsigned char)p[i];
    return (int64_t)v;
}

//  Recomputes one page of rows after `head`; false on a database error.
static bool
s_verify_page (yjc_ctx_t *ctx,
               int64_t *after,
               int64_t to,
               unsigned char *head,
               s_expect_t *exp,
               int nexp,
               int *ei,
               s_verdict_t *v,
               bool *more)
{
    char after_t[24], to_t[24], limit_t[16];
    snprintf (after_t, sizeof after_t, "%lld", (long long)*after);
    snprintf (to_t, sizeof to_t, "%lld", (long long)to);
    snprintf (limit_t, sizeof limit_t, "%d", VERIFY_PAGE);
    const char *params[] = { after_t, to_t, limit_t };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT seq, event_id, source, type, coalesce(app_id, ''),"
        " occurred_at, payload_mp, hash FROM events WHERE seq > $1::bigint"
        " AND seq <= $2::bigint ORDER BY events.seq LIMIT $3::int",
        3,
        params,
        NULL,
        NULL);
    if (!res)
        return false;
    int n = PQntuples (res);
    for (int i = 0; i < n && !v->reason; i++) {
        int64_t seq = s_int8 (PQgetvalue (res, i, 0));
        const char *event_id = PQgetvalue (res, i, 1);
        //  a checkpoint whose event is gone: removed before this one
        for (; *ei < nexp && exp[*ei].seq < seq; (*ei)++)
            s_bad (v, v->last_seq + 1, event_id, "gap");
        s_canon_t c = { event_id,
                        PQgetvalue (res, i, 2),
                        PQgetvalue (res, i, 3),
                        PQgetvalue (res, i, 4),
                        (size_t)PQgetlength (res, i, 1),
                        (size_t)PQgetlength (res, i, 2),
                        (size_t)PQgetlength (res, i, 3),
                        (size_t)PQgetlength (res, i, 4),
                        s_int8 (PQgetvalue (res, i, 5)) + PG_EPOCH_US,
                        PQgetvalue (res, i, 6),
                        (size_t)PQgetlength (res, i, 6) };
        s_link (head, &c, head);
        //  after the migration's chain, seq has no gaps: one is a removal
        if (seq != v->last_seq + 1 && v->last_seq >= v->legacy_seq)
            s_bad (v, v->last_seq + 1, event_id, "gap");
        if (PQgetlength (res, i, 7) != HASH_LEN ||
            memcmp (PQgetvalue (res, i, 7), head, HASH_LEN) != 0)
            s_bad (v, seq, event_id, "hash");
        for (; *ei < nexp && exp[*ei].seq == seq; (*ei)++) {
            v->checkpoints++;
            if (memcmp (exp[*ei].head, head, HASH_LEN) != 0)
                s_bad (v, seq, event_id, "checkpoint");
            else if (!v->reason)
                v->cp_ok_seq = seq;
        }
        v->last_seq = seq;
        v->checked++;
    }
    *after = v->last_seq;
    *more = n == VERIFY_PAGE && !v->reason;
    PQclear (res);
    return true;
}

//  audit.verify {from, to, heads}: R13/R-audit - recomputes each event's
//  hash from its row and the previous recomputed hash; names the first
//  event that does not match.
yjc_result_t
chain_verify (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t from = 1, to = INT64_MAX;
    if (!yjc_obj_int (body, "from", &from))
        from = 1;
    if (!yjc_obj_int (body, "to", &to))
        to = INT64_MAX;
    s_head_t head;
    if (!s_head_read (ctx, &head, false))
        return YJC_DB_ERROR;
    if (to > head.seq)
        to = head.seq;
    char from_t[24], to_t[24];
    snprintf (from_t, sizeof from_t, "%lld", (long long)from);
    snprintf (to_t, sizeof to_t, "%lld", (long long)to);
    //  the chain before `from` is taken as stored (whole chain: genesis)
    unsigned char h[HASH_LEN] = { 0 };
    const char *params[] = { from_t };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT seq, encode(hash, 'hex') FROM events WHERE seq < $1"
        " ORDER BY seq DESC LIMIT 1",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    s_verdict_t v = { 0 };
    if (PQntuples (res) == 1) {
        s_unhex (PQgetvalue (res, 0, 1), h, HASH_LEN);
        v.last_seq = atoll (PQgetvalue (res, 0, 0));
    }
    PQclear (res);
    res = yjc_db_query (ctx->db, "SELECT legacy_seq FROM chain_head", 0, NULL);
    if (!res)
        return YJC_DB_ERROR;
    v.legacy_seq = atoll (PQgetvalue (res, 0, 0));
    PQclear (res);
    int nexp = 0, ei = 0;
    s_expect_t *exp = s_expectations (
        ctx, yjc_obj_get (body, "heads"), from_t, to_t, &nexp, &v);
    if (!exp)
        return YJC_DB_ERROR;
    int64_t started = zclock_usecs ();
    int64_t after = from - 1;
    bool more = true, ok = true;
    while (ok && more)
        ok = s_verify_page (ctx, &after, to, h, exp, nexp, &ei, &v, &more);
    //  checkpoints past the last row: events removed at the end
    for (; ok && ei < nexp; ei++)
        s_bad (&v, v.last_seq + 1, "", "head");
    free (exp);
    if (!ok)
        return YJC_DB_ERROR;
    //  the whole chain up to the head: its last link must be the head's
    if (to == head.seq &&
        (v.last_seq != head.seq || memcmp (h, head.hash, HASH_LEN) != 0))
        s_bad (&v, v.last_seq + 1, "", "head");
    int64_t elapsed = zclock_usecs () - started;
    msgpack_pack_map (ctx->reply, v.reason ? 8 : 5);
    yjc_pk_kv_bool (ctx->reply, "intact", !v.reason);
    yjc_pk_kv_int (ctx->reply, "checked", v.checked);
    yjc_pk_kv_int (ctx->reply, "checkpoints", v.checkpoints);
    yjc_pk_kv_int (ctx->reply, "last_seq", v.last_seq);
    yjc_pk_kv_int (ctx->reply, "elapsed_us", elapsed);
    if (v.reason) {
        yjc_pk_kv_int (ctx->reply, "bad_seq", v.bad_seq);
        //  a rewritten stretch lies after the last checkpoint that held
        yjc_pk_kv_int (ctx->reply, "good_seq", v.cp_ok_seq);
        yjc_pk_str (ctx->reply, "bad");
        msgpack_pack_map (ctx->reply, 2);
        yjc_pk_kv_str (ctx->reply, "event_id", v.bad_event);
        yjc_pk_kv_str (ctx->reply, "reason", v.reason);
    }
    return YJC_OK;
}
