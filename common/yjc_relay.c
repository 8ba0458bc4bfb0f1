/*  yjc_relay.c - the outbox relay (see yjc_relay.h).

    Each round: for every receiver not backing off, take the stream's
    advisory lock, read up to BATCH owed events in outbox order and send
    them as one event.deliver; then collect the acknowledgements and delete
    what was acknowledged.  A receiver that fails or is silent is retried
    with exponential backoff; its events wait, in order, in the outbox.  */
#include "yjc_relay.h"
#include "yjc_client.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_db.h"
#include "yjc_log.h"
#include "yjc_proto.h"
#include "yjc_time.h"

#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 5000

typedef struct {
    yjc_client_t *client; //  NULL until first needed
    int64_t retry_at;     //  zclock_mono() before which we wait
    int backoff_ms;
    bool locked;             //  holds the stream's advisory lock
    char id[YJC_MAX_ID + 1]; //  outstanding request, "" if none
    char *seqs;              //  "{1,2,3}" of the events in flight
    char *acked;             //  acknowledged, to delete next round
    int count;               //  events in flight
} s_stream_t;

typedef struct {
    int service;
    char *schema;
    char *conninfo;
    yjc_keys_t *keys;
    zcert_t *cert; //  our service key pair
    yjc_db_t *db;
    yjc_pack_t body;
    s_stream_t streams[YJC_SVC_COUNT];
    int batch, timeout_ms;
    int backend; //  PostgreSQL backend pid of our session
} s_relay_t;

static const char *
s_lock_key (s_relay_t *self, int receiver, char buf[96])
{
    snprintf (
        buf, 96, "relay:%s:%s", self->schema, yjc_service_name (receiver));
    return buf;
}

static void
s_backoff (s_relay_t *self, int receiver, const char *why)
{
    s_stream_t *st = &self->streams[receiver];
    st->backoff_ms = st->backoff_ms ? st->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (st->backoff_ms > BACKOFF_MAX_MS)
        st->backoff_ms = BACKOFF_MAX_MS;
    st->retry_at = zclock_mono () + st->backoff_ms;
    //  the delivery's envelope id: the receiver's log names it too
    yjc_log_about (st->id,
                   NULL,
                   YJC_LOG_WARNING,
                   "relay to %s: %s; retry in %d ms",
                   yjc_service_name (receiver),
                   why,
                   st->backoff_ms);
}

//  Packs the owed events of one stream as an event.deliver body.
static int
s_pack_events (s_relay_t *self, int receiver, PGresult *res)
{
    s_stream_t *st = &self->streams[receiver];
    int n = PQntuples (res);
    msgpack_packer *pk = &self->body.pk;
    yjc_pack_reset (&self->body);
    msgpack_pack_map (pk, 1);
    yjc_pk_str (pk, "events");
    msgpack_pack_array (pk, n);
    size_t cap = (size_t)n * 21 + 3;
    st->seqs = (char *)zmalloc (cap);
    strcat (st->seqs, "{");
    char event_id[64];
    for (int i = 0; i < n; i++) {
        const char *seq = PQgetvalue (res, i, 0);
        int seqlen = PQgetlength (res, i, 0);
        snprintf (
            event_id, sizeof event_id, "%s:%.*s", self->schema, seqlen, seq);
        strncat (st->seqs, seq, seqlen);
        strcat (st->seqs, i + 1 < n ? "," : "}");
        //  the actor only when a request caused it (proto/README.md)
        bool actor = !PQgetisnull (res, i, 5);
        msgpack_pack_map (pk, actor ? 7 : 6);
        yjc_pk_kv_str (pk, "event_id", event_id);
        yjc_pk_str (pk, "type");
        yjc_pk_strn (pk, PQgetvalue (res, i, 1), PQgetlength (res, i, 1));
        yjc_pk_kv_str (pk, "source", self->schema);
        yjc_pk_str (pk, "app_id");
        yjc_pk_strn (pk, PQgetvalue (res, i, 2), PQgetlength (res, i, 2));
        yjc_pk_str (pk, "at");
        yjc_pk_strn (pk, PQgetvalue (res, i, 3), PQgetlength (res, i, 3));
        yjc_pk_kv_raw (
            pk, "payload", PQgetvalue (res, i, 4), PQgetlength (res, i, 4));
        if (actor) {
            yjc_pk_str (pk, "actor");
            yjc_pk_strn (pk, PQgetvalue (res, i, 5), PQgetlength (res, i, 5));
        }
    }
    st->count = n;
    return n;
}

static yjc_client_t *
s_client (s_relay_t *self, int receiver)
{
    s_stream_t *st = &self->streams[receiver];
    if (!st->client)
        st->client = yjc_client_new_service (self->keys, receiver, self->cert);
    return st->client;
}

//  Takes the stream's advisory lock, once: while this relay's session
//  lives, no other instance relays the same stream (order holds).
static bool
s_own_stream (s_relay_t *self, int receiver)
{
    s_stream_t *st = &self->streams[receiver];
    if (st->locked)
        return true;
    char key[96];
    const char *lock[] = { s_lock_key (self, receiver, key) };
    PGresult *res = yjc_db_query (
        self->db, "SELECT pg_try_advisory_lock(hashtext($1))", 1, lock);
    if (!res)
        return false;
    st->locked = strcmp (PQgetvalue (res, 0, 0), "t") == 0;
    PQclear (res);
    return st->locked; //  false: another instance relays this stream
}

//  Forgets what was acknowledged last round and reads what is owed next,
//  in one statement.  Rows are deleted only after the receiver committed:
//  a crash in between redelivers, and the receiver's inbox drops those.
static PGresult *
s_next_events (s_relay_t *self, int receiver)
{
    s_stream_t *st = &self->streams[receiver];
    char limit[16];
    snprintf (limit, sizeof limit, "%d", self->batch);
    const char *params[] = { yjc_service_name (receiver),
                             limit,
                             st->acked ? st->acked : "{}" };
    PGresult *res = yjc_db_query_raw (
        self->db,
        "WITH done AS (DELETE FROM outbox_pending WHERE receiver = $1"
        "  AND seq = ANY ($3::bigint[]))"
        " SELECT o.seq::text, o.type, coalesce(o.app_id, ''),"
        " to_char(o.created_at AT TIME ZONE 'Asia/Shanghai',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+08:00\"'), o.payload, o.actor"
        " FROM outbox_pending p JOIN outbox o ON o.seq = p.seq"
        " WHERE p.receiver = $1 AND NOT p.seq = ANY ($3::bigint[])"
        " ORDER BY p.seq LIMIT $2::int",
        3,
        params,
        NULL,
        NULL);
    if (res)
        zstr_free (&st->acked); //  deleted, committed (autocommit)
    return res;
}

//  Sends the owed events of one stream; true when a request is in flight.
static bool
s_send (s_relay_t *self, int receiver)
{
    s_stream_t *st = &self->streams[receiver];
    if (!s_own_stream (self, receiver))
        return false;
    PGresult *res = s_next_events (self, receiver);
    if (!res || PQntuples (res) == 0) {
        PQclear (res);
        return false;
    }
    s_pack_events (self, receiver, res);
    PQclear (res);
    yjc_client_t *client = s_client (self, receiver);
    const char *id = client ? yjc_client_send (client,
                                               "event.deliver",
                                               self->body.buf.data,
                                               self->body.buf.size)
                            : NULL;
    if (!id) {
        s_backoff (self, receiver, "cannot send");
        zstr_free (&st->seqs);
        return false;
    }
    snprintf (st->id, sizeof st->id, "%s", id);
    return true;
}

//  Waits for one stream's acknowledgement; true when all was delivered.
//  The acknowledged rows are deleted with the next read of the stream.
static bool
s_collect (s_relay_t *self, int receiver)
{
    s_stream_t *st = &self->streams[receiver];
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    bool done = false;
    if (yjc_client_recv (st->client, st->id, self->timeout_ms, &reply) != 0) {
        //  A fresh socket drops whatever the silent peer still owes us.
        yjc_client_destroy (&st->client);
        s_backoff (self, receiver, "no acknowledgement");
    }
    else if (!reply.ok)
        s_backoff (self, receiver, reply.code);
    else {
        st->backoff_ms = 0;
        st->acked = st->seqs;
        st->seqs = NULL;
        done = true;
    }
    yjc_reply_release (&reply);
    zstr_free (&st->seqs);
    st->id[0] = 0;
    return done;
}

//  One round over all streams; returns true if a full batch went out
//  somewhere (so more may be waiting: go again at once).
static bool
s_round (s_relay_t *self)
{
    if (yjc_db_ensure (self->db) != 0)
        return false;
    //  A new session holds no advisory lock: own the streams again.
    int backend = PQbackendPID (yjc_db_conn (self->db));
    if (backend != self->backend) {
        self->backend = backend;
        for (int r = 0; r < YJC_SVC_COUNT; r++)
            self->streams[r].locked = false;
    }
    int64_t now = zclock_mono ();
    bool sent[YJC_SVC_COUNT] = { false };
    for (int r = 0; r < YJC_SVC_COUNT; r++)
        if (r != self->service && self->streams[r].retry_at <= now)
            sent[r] = s_send (self, r);
    bool more = false;
    for (int r = 0; r < YJC_SVC_COUNT; r++)
        if (sent[r]) {
            int count = self->streams[r].count;
            if (s_collect (self, r) && count == self->batch)
                more = true;
        }
    return more;
}

//  Prunes what no one needs any more: outbox rows every receiver has
//  acknowledged and inbox rows, once older than YJC_PRUNE_AFTER_S (the
//  audit trail is the record).  An inbox row guards against a redelivery,
//  and a producer redelivers only what it was not acknowledged, within
//  its relay timeout: the retention is far longer.  A thousand rows of
//  each at a time, so that no round holds locks for long.
static void
s_prune (s_relay_t *self)
{
    int64_t now = yjc_clock_now_or_system ();
    char before[40];
    yjc_time_format_iso (now - (int64_t)yjc_config_int (YJC_CFG_PRUNE_AFTER_S) *
                                   1000000,
                         before);
    const char *params[] = { before };
    PGresult *res = yjc_db_query (
        self->db,
        "WITH o AS (DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox x"
        "  WHERE created_at < $1::timestamptz AND NOT EXISTS (SELECT 1"
        "  FROM outbox_pending p WHERE p.seq = x.seq) ORDER BY seq"
        "  LIMIT 1000) RETURNING 1),"
        " i AS (DELETE FROM inbox WHERE event_id IN (SELECT event_id"
        "  FROM inbox WHERE received_at < $1::timestamptz LIMIT 1000)"
        "  RETURNING 1)"
        " SELECT (SELECT count(*) FROM o)::text, (SELECT count(*) FROM "
        "i)::text",
        1,
        params);
    if (res && PQntuples (res) == 1 &&
        (atoi (PQgetvalue (res, 0, 0)) || atoi (PQgetvalue (res, 0, 1))))
        yjc_log (YJC_LOG_DEBUG,
                 "relay: pruned %s outbox and %s inbox rows",
                 PQgetvalue (res, 0, 0),
                 PQgetvalue (res, 0, 1));
    PQclear (res);
}

static s_relay_t *
s_relay_new (const yjc_relay_args_t *args)
{
    s_relay_t *self = (s_relay_t *)zmalloc (sizeof (s_relay_t));
    self->service = args->service;
    self->schema = strdup (args->schema);
    self->conninfo = strdup (args->conninfo);
    self->keys = yjc_keys_new (args->keys_dir);
    char actor[33];
    yjc_keys_service_actor (args->service, actor);
    self->cert = yjc_keys_load_secret (self->keys, actor);
    self->batch = yjc_config_int (YJC_CFG_RELAY_BATCH);
    if (self->batch > 512)
        self->batch = 512; //  proto/: event_deliver.events max 512
    self->timeout_ms = yjc_config_int (YJC_CFG_RELAY_TIMEOUT_MS);
    yjc_pack_init (&self->body);
    return self;
}

static void
s_relay_destroy (s_relay_t **self_p)
{
    s_relay_t *self = *self_p;
    for (int r = 0; r < YJC_SVC_COUNT; r++) {
        yjc_client_destroy (&self->streams[r].client);
        zstr_free (&self->streams[r].acked);
    }
    yjc_db_destroy (&self->db);
    zcert_destroy (&self->cert);
    yjc_keys_destroy (&self->keys);
    yjc_pack_release (&self->body);
    free (self->schema);
    free (self->conninfo);
    free (self);
    *self_p = NULL;
}

//  Waits for a command or the poll interval; true on $TERM.  Several WAKEs
//  queued while we worked collapse into one round.
static bool
s_wait_pipe (zsock_t *pipe, int timeout_ms)
{
    zsock_set_rcvtimeo (pipe, timeout_ms);
    bool term = false;
    char *command = zstr_recv (pipe);
    while (command) {
        term |= streq (command, "$TERM");
        zstr_free (&command);
        if ((zsock_events (pipe) & ZMQ_POLLIN) == ZMQ_POLLIN)
            command = zstr_recv (pipe);
    }
    return term;
}

void
yjc_relay_actor (zsock_t *pipe, void *args)
{
    s_relay_t *self = s_relay_new ((const yjc_relay_args_t *)args);
    zsock_signal (pipe, 0);
    if (!self->cert) {
        yjc_log (YJC_LOG_ERROR, "relay: no key pair for %s", self->schema);
        s_relay_destroy (&self);
        return;
    }
    self->db = yjc_db_new (self->conninfo, self->schema);
    int poll_ms = yjc_config_int (YJC_CFG_RELAY_POLL_MS);
    int linger_ms = atoi (yjc_config (YJC_CFG_RELAY_LINGER_MS));
    int prune_ms = yjc_config_int (YJC_CFG_PRUNE_EVERY_MS);
    int64_t prune_at = zclock_mono () + prune_ms;
    bool more = true;
    while (!zsys_interrupted) {
        if (self->db && zclock_mono () >= prune_at) {
            s_prune (self);
            prune_at = zclock_mono () + prune_ms;
        }
        if (!more && s_wait_pipe (pipe, poll_ms))
            break;
        //  Let the events of concurrent commits gather: one delivery of
        //  many costs the receiver one transaction instead of many.
        if (linger_ms && !more && s_wait_pipe (pipe, linger_ms))
            break;
        if (!self->db)
            self->db = yjc_db_new (self->conninfo, self->schema);
        more = self->db && s_round (self);
    }
    s_relay_destroy (&self);
}
