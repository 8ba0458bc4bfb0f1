/*  chain.c - the audit trail proves it was not edited: every event's hash
    covers its canonical bytes and the previous event's hash, one chain in
    seq order (proto/README.md "The audit chain"); the head is signed at
    intervals with the service's own Ed25519 key; audit.verify recomputes
    the chain from the rows themselves, never from the stored hashes.   */
#include "chain.h"
#include "yjc_chain.h"
#include "yjc_config.h"
#include "yjc_rows.h"
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_LEN YJC_CHAIN_HASH_LEN

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
    return yjc_db_exec_later (
               ctx->db,
               "INSERT INTO checkpoints (seq, count, head,"
               " at_us, public_key, sig) VALUES ($1, $2,"
               " decode($3, 'hex'), $4, decode($5, 'hex'),"
               " decode($6, 'hex')) ON CONFLICT (seq) DO NOTHING",
               6,
               params,
               NULL,
               NULL) < 0
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

//  The unit each event concerns: its payload's `unit`, else the unit of
//  its application as an earlier event named it (this delivery's first,
//  then app_units); "" when none.  units[i] has room for 129 bytes.
static bool
s_units (yjc_ctx_t *ctx,
         const yjc_event_in_t *events,
         int count,
         char (*units)[129])
{
    zhashx_t *known = zhashx_new (); //  app_id -> unit, this delivery's
    zlistx_t *missing = zlistx_new ();
    for (int i = 0; i < count; i++) {
        const msgpack_object *u = yjc_obj_get (events[i].payload, "unit");
        units[i][0] = '\0';
        if (u && u->type == MSGPACK_OBJECT_STR)
            yjc_obj_strcpy (events[i].payload, "unit", units[i], 129);
        if (*units[i] && *events[i].app_id &&
            !zhashx_lookup (known, events[i].app_id))
            zhashx_insert (known, events[i].app_id, units[i]);
    }
    for (int i = 0; i < count; i++)
        if (!*units[i] && *events[i].app_id) {
            const char *u =
                (const char *)zhashx_lookup (known, events[i].app_id);
            if (u)
                snprintf (units[i], 129, "%s", u);
            else
                zlistx_add_end (missing, (void *)events[i].app_id);
        }
    bool ok = true;
    if (zlistx_size (missing)) {
        const char *apps[YJC_MAX_ITEMS];
        size_t n = 0;
        for (void *a = zlistx_first (missing); a && n < YJC_MAX_ITEMS;
             a = zlistx_next (missing))
            apps[n++] = (const char *)a;
        char *list = yjc_db_array_literal (apps, n);
        const char *params[] = { list };
        PGresult *res = yjc_db_query (ctx->db,
                                      "SELECT app_id, unit FROM app_units "
                                      "WHERE app_id = ANY ($1::text[])",
                                      1,
                                      params);
        free (list);
        ok = res != NULL;
        for (int r = 0; res && r < PQntuples (res); r++)
            for (int i = 0; i < count; i++)
                if (!*units[i] &&
                    streq (events[i].app_id, PQgetvalue (res, r, 0)))
                    snprintf (units[i], 129, "%s", PQgetvalue (res, r, 1));
        PQclear (res);
    }
    zlistx_destroy (&missing);
    zhashx_destroy (&known);
    return ok;
}

yjc_result_t
chain_store (yjc_ctx_t *ctx, const yjc_event_in_t *events, int count)
{
    //  the head's row lock orders the workers' deliveries: one chain
    s_head_t head;
    if (!s_head_read (ctx, &head, true))
        return YJC_DB_ERROR;
    char (*units)[129] = calloc ((size_t)count + 1, sizeof *units);
    if (!units || !s_units (ctx, events, count, units)) {
        free (units);
        return YJC_DB_ERROR;
    }
    //  one per delivery: the workers are threads
    yjc_chain_hasher_t *hasher = yjc_chain_hasher_new ();
    if (!hasher) {
        free (units);
        return YJC_DB_ERROR; //  out of memory
    }
    //  a checkpoint at every N-th event of the chain, as stored
    int64_t every = yjc_config_int (YJC_CFG_AUDIT_CHECKPOINT_EVERY);
    int ncp = 0;
    struct {
        int64_t seq, count;
        char hash_hex[HASH_LEN * 2 + 1];
    } *cps = calloc ((size_t)count + 1, sizeof *cps);
    if (!cps) {
        free (units);
        yjc_chain_hasher_destroy (&hasher);
        return YJC_DB_ERROR;
    }
    yjc_rows_t *rows = yjc_rows_new (9);
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    for (int i = 0; i < count; i++) {
        const yjc_event_in_t *ev = &events[i];
        const char *type = yjc_event_defs[ev->type].wire;
        const char *actor = ev->actor ? ev->actor : "";
        yjc_pack_reset (&mp);
        msgpack_pack_object (&mp.pk, *ev->payload);
        //  the second form: unit and actor in the hash
        yjc_chain_event_t c = { ev->event_id,
                                ev->source,
                                type,
                                ev->app_id,
                                strlen (ev->event_id),
                                strlen (ev->source),
                                strlen (type),
                                strlen (ev->app_id),
                                ev->at_us,
                                mp.buf.data,
                                mp.buf.size,
                                units[i],
                                actor,
                                strlen (units[i]),
                                strlen (actor) };
        yjc_chain_link (hasher, head.hash, &c, head.hash);
        head.seq++;
        head.count++;
        char at_t[24], seq_t[24], hash_hex[HASH_LEN * 2 + 1];
        snprintf (at_t, sizeof at_t, "%lld", (long long)ev->at_us);
        snprintf (seq_t, sizeof seq_t, "%lld", (long long)head.seq);
        s_hex (head.hash, HASH_LEN, hash_hex);
        if (every > 0 && head.count % every == 0) {
            cps[ncp].seq = head.seq;
            cps[ncp].count = head.count;
            memcpy (cps[ncp++].hash_hex, hash_hex, sizeof hash_hex);
        }
        const char *texts[] = { ev->event_id, ev->source,
                                type,         *ev->app_id ? ev->app_id : NULL,
                                at_t,         seq_t,
                                hash_hex,     units[i],
                                actor };
        yjc_rows_add (rows, texts, mp.buf.data, mp.buf.size);
    }
    free (units);
    yjc_chain_hasher_destroy (&hasher);
    char seq_t[24], n_t[24], hash_hex[HASH_LEN * 2 + 1];
    snprintf (seq_t, sizeof seq_t, "%lld", (long long)head.seq);
    snprintf (n_t, sizeof n_t, "%lld", (long long)head.count);
    s_hex (head.hash, HASH_LEN, hash_hex);
    //  occurred_at from at_us, so that the row and its hash agree; the
    //  applications' units learned in the same statement
    //  None of what follows is waited for: it goes out with the COMMIT,
    //  so the head's lock is held for one round trip less than three
    //  (issue 14: two workers' deliveries queue on it).
    const char *extra[] = { ctx->now_iso };
    int queued = yjc_rows_exec_later (
        rows,
        ctx->db,
        "WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[],"
        " $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],"
        " $9::text[], $10::bytea[]) AS u (e, s, t, a, o, q, h, un, w, p)),"
        " known AS (INSERT INTO app_units (app_id, unit)"
        "  SELECT DISTINCT ON (a) a, un FROM u WHERE a IS NOT NULL"
        "  AND un <> '' ORDER BY a, q::bigint ON CONFLICT DO NOTHING)"
        " INSERT INTO events (seq, event_id, source, type, app_id, occurred_at,"
        " received_at, payload_mp, hash, unit, actor)"
        " SELECT q::bigint, e, s, t, a,"
        " 'epoch'::timestamptz + o::bigint * interval '1 microsecond', $11, p,"
        " decode(h, 'hex'), un, w FROM u",
        1,
        extra);
    yjc_rows_destroy (&rows);
    yjc_pack_release (&mp);
    const char *params[] = { seq_t, n_t, hash_hex };
    yjc_result_t rc =
        queued == 0 && yjc_db_exec_later (ctx->db,
                                          "UPDATE chain_head SET seq = $1,"
                                          " count = $2, hash = decode($3,"
                                          " 'hex')",
                                          3,
                                          params,
                                          NULL,
                                          NULL) == 0
            ? YJC_OK
            : YJC_DB_ERROR;
    for (int i = 0; rc == YJC_OK && i < ncp; i++)
        rc = s_checkpoint (ctx, cps[i].seq, cps[i].count, cps[i].hash_hex);
    free (cps);
    return rc;
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

/* ---- what verify.c needs -------------------------------------------- */

bool
chain_checkpoint_valid (int64_t seq,
                        int64_t count,
                        int64_t at_us,
                        const unsigned char *head,
                        const unsigned char *pk,
                        const unsigned char *sig)
{
    unsigned char msg[CP_MSG_LEN];
    s_cp_msg (seq, count, at_us, head, msg);
    return memcmp (pk, s_pk, sizeof s_pk) == 0 &&
           crypto_sign_verify_detached (sig, msg, sizeof msg, pk) == 0;
}

bool
chain_head (yjc_ctx_t *ctx, int64_t *seq, unsigned char *hash)
{
    s_head_t head;
    if (!s_head_read (ctx, &head, false))
        return false;
    *seq = head.seq;
    memcpy (hash, head.hash, HASH_LEN);
    return true;
}

bool
chain_unhex (const char *hex, unsigned char *out, size_t len)
{
    return s_unhex (hex, out, len);
}
