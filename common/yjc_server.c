/*  yjc_server.c - the request loop every service shares.

    The main thread owns the ROUTER socket: it reads whatever is waiting
    into a batch, decodes and authorises each request, and hands the batch
    to an idle worker (yjc_work.c), which runs it in one transaction.
    While one worker waits for its commit, the next batch fills and goes
    to another: commits overlap and PostgreSQL flushes them together.  The
    replies go out when the worker hands the batch back.

    Nothing on the main thread waits on the database: sys.status answers
    from what a status thread of its own last read.  What the service
    holds of incoming requests is bounded in bytes, in all and per
    connection (YJC_HELD_BYTES, YJC_PEER_BYTES), and ZeroMQ queues a few
    messages per connection only (YJC_PEER_QUEUE).                      */
#include "yjc_client.h"
#include "yjc_config.h"
#include "yjc_form.h"
#include "yjc_relay.h"
#include "yjc_work.h"
#include <malloc.h>
#include <stdatomic.h>
#include <sys/socket.h>

#define MAX_WORKERS 16

//  The two batches being filled: people's requests, and what the other
//  services send (the relays' deliveries).  A request never shares its
//  transaction with a delivery: one of 256 events runs 50-100 ms, and
//  the approvals batched with it waited for all of it (issue 14: that
//  was review.approve's p99).
enum { LANE_REQUESTS, LANE_SERVICES, LANES };

#define MAX_PARKED 256 //  long polls waiting at once

//  A long poll waiting for something to answer (yjc_ctx_wait): the request
//  as received, run again when this service commits events or its wait
//  ends.
typedef struct {
    zmsg_t *route;
    char *bytes;
    size_t len;
    yjc_actor_t actor;
    int64_t wait_until;
    size_t held; //  charged to its peer until answered
} s_parked_t;

//  What the status thread last read, for sys.status.
typedef struct {
    const char *conninfo;
    const char *schema;
    atomic_llong backlog; //  outbox rows not yet delivered
    atomic_llong read_at; //  zclock_mono() of that read, 0: never
} s_status_t;

#define STATUS_EVERY_MS 500
#define STATUS_STALE_MS 3000 //  older: the database does not answer
#define TRIM_EVERY_MS   1000
#define STALL_MS        1000 //  every worker busy this long: stalled

typedef struct {
    const yjc_service_def_t *def;
    yjc_keys_t *keys;
    yjc_db_t *db;      //  migrations, then closed
    s_status_t status; //  read by the status thread
    zactor_t *status_reader;
    size_t held;              //  request bytes held, in all
    size_t held_max;          //  YJC_HELD_BYTES
    size_t peer_max;          //  YJC_PEER_BYTES
    zhashx_t *peers;          //  routing id (hex) -> bytes held for it
    int64_t next_trim;        //  zclock_mono() of the next malloc_trim
    bool active;              //  read something since the last trim
    zsock_t *monitor;         //  the router's connections come and go
    zhashx_t *conns;          //  fd -> 1, connections open
    size_t max_conns;         //  YJC_MAX_CONNECTIONS
    int64_t next_cap_log;     //  zclock_mono() when refusals are told again
    yjc_calendar_t *calendar; //  shared read-only with the workers
    zsock_t *router;
    zactor_t *relay;
    zactor_t *auth; //  ZAP handler: CURVE keys in the registry
    zactor_t *workers[MAX_WORKERS];
    bool busy[MAX_WORKERS];
    int64_t busy_since[MAX_WORKERS]; //  zclock_mono() of its dispatch
    int lane_of[MAX_WORKERS];        //  whose batch it runs
    yjc_batch_t *spill;              //  one job at a time, read while stalled
    int nworkers;
    yjc_batch_t *spare[MAX_WORKERS + LANES]; //  batches not in use
    int nspare;
    yjc_batch_t *filling[LANES]; //  being read into from the socket
    zpoller_t *poller;
    bool reading;  //  router in the poller (a batch to fill)
    int batch_min; //  jobs a batch waits for while others run
    yjc_pack_t scratch;
    s_parked_t parked[MAX_PARKED];
    int nparked;
    bool wake;         //  events committed: run the parked again
    int64_t next_tick; //  zclock_mono() of the next periodic work
} s_server_t;

/* ---- status ------------------------------------------------------------ */

//  Reads the outbox backlog now, on the status thread's connection.
static void
s_status_read (s_status_t *st, yjc_db_t **db_p)
{
    if (!*db_p)
        *db_p = yjc_db_new (st->conninfo, st->schema);
    if (!*db_p || yjc_db_ensure (*db_p) != 0)
        return;
    PGresult *res =
        yjc_db_query (*db_p, "SELECT count(*) FROM outbox_pending", 0, NULL);
    if (res) {
        atomic_store (&st->backlog, atoll (PQgetvalue (res, 0, 0)));
        atomic_store (&st->read_at, zclock_mono ());
        PQclear (res);
    }
}

//  The status thread: reads the backlog every STATUS_EVERY_MS (backing
//  off while the database is away), so that the main thread never waits
//  on the database.  A read that hangs leaves the last one to go stale.
static void
s_status_actor (zsock_t *pipe, void *args)
{
    s_status_t *st = (s_status_t *)args;
    yjc_db_t *db = NULL;
    s_status_read (st, &db); //  the first status after start is right
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    int wait = STATUS_EVERY_MS;
    while (!zsys_interrupted) {
        if (zpoller_wait (poller, wait) == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
        if (zpoller_terminated (poller))
            break;
        s_status_read (st, &db);
        bool fresh =
            zclock_mono () - atomic_load (&st->read_at) < STATUS_EVERY_MS * 2;
        wait = fresh ? STATUS_EVERY_MS : (wait < 8000 ? wait * 2 : 8000);
    }
    zpoller_destroy (&poller);
    yjc_db_destroy (&db);
}

static void
s_handle_status (s_server_t *self, yjc_job_t *job)
{
    msgpack_packer *pk = &job->body.pk;
    long long backlog = atomic_load (&self->status.backlog);
    long long at = atomic_load (&self->status.read_at);
    if (!at || zclock_mono () - at > STATUS_STALE_MS)
        backlog = -1;
    msgpack_pack_map (pk, 5);
    yjc_pk_kv_str (pk, "service", yjc_service_name (self->def->service));
    yjc_pk_kv_str (pk, "version", YJC_VERSION_STRING);
    yjc_pk_kv_bool (pk, "db", backlog >= 0);
    yjc_pk_kv_int (pk, "outbox_backlog", backlog);
    yjc_pk_kv_int (pk, "pid", getpid ());
    job->state = YJC_JOB_DONE;
}

/* ---- memory held for incoming requests -------------------------------- */

//  The connection a request came on: its routing id, as a key.
static char *
s_peer_key (zmsg_t *route)
{
    zframe_t *id = route ? zmsg_first (route) : NULL;
    return id ? zframe_strhex (id) : NULL;
}

static size_t
s_peer_held (s_server_t *self, const char *key)
{
    return key ? (size_t)(uintptr_t)zhashx_lookup (self->peers, key) : 0;
}

static void
s_peer_set (s_server_t *self, const char *key, size_t held)
{
    if (!key)
        return;
    if (held)
        zhashx_update (self->peers, key, (void *)(uintptr_t)held);
    else
        zhashx_delete (self->peers, key); //  no state kept per peer
}

//  Charges an admitted request's bytes to its peer and to the service;
//  past the peer's bound it is refused at once (`unavailable`: retry).
//  A request answered already holds nothing: its copy is freed now.
static void
s_charge (s_server_t *self, yjc_job_t *job)
{
    size_t size = job->req.len;
    if (job->state != YJC_JOB_TO_RUN || !job->req.bytes) {
        yjc_request_release (&job->req); //  its id stays for the reply
        return;
    }
    char *key = s_peer_key (job->route);
    size_t held = s_peer_held (self, key);
    if (held + size > self->peer_max) {
        yjc_request_release (&job->req);
        yjc_job_refuse (job,
                        YJC_E_UNAVAILABLE,
                        "",
                        "too much in flight on this connection; retry");
    }
    else {
        s_peer_set (self, key, held + size);
        self->held += size;
        job->held = size;
    }
    zstr_free (&key);
}

static void
s_discharge (s_server_t *self, zmsg_t *route, size_t size)
{
    if (!size)
        return;
    char *key = s_peer_key (route);
    size_t held = s_peer_held (self, key);
    s_peer_set (self, key, held > size ? held - size : 0);
    self->held = self->held > size ? self->held - size : 0;
    zstr_free (&key);
}

/* ---- connections ------------------------------------------------------- */

//  Each connection costs ZeroMQ some 40 KiB (pipes, engine buffers,
//  CURVE), whatever it sends: past YJC_MAX_CONNECTIONS a new one is shut
//  down as soon as it is accepted (the client reconnects later).  Counted
//  by fd from the router's monitor; a reused fd replaces its stale entry,
//  so a missed event cannot leak a place.
static void
s_monitor_event (s_server_t *self)
{
    zmsg_t *msg = zmsg_recv (self->monitor);
    zframe_t *head = msg ? zmsg_first (msg) : NULL;
    if (!head || zframe_size (head) < 6) {
        zmsg_destroy (&msg);
        return;
    }
    uint16_t event;
    uint32_t fd;
    memcpy (&event, zframe_data (head), 2);
    memcpy (&fd, zframe_data (head) + 2, 4);
    zmsg_destroy (&msg);
    char key[16];
    snprintf (key, sizeof key, "%u", fd);
    if (event == ZMQ_EVENT_DISCONNECTED) {
        zhashx_delete (self->conns, key);
        return;
    }
    if (event != ZMQ_EVENT_ACCEPTED)
        return;
    zhashx_update (self->conns, key, (void *)1);
    if (zhashx_size (self->conns) <= self->max_conns)
        return;
    shutdown ((int)fd, SHUT_RDWR); //  ZeroMQ sees it close, and cleans up
    if (zclock_mono () >= self->next_cap_log) {
        yjc_log (YJC_LOG_WARNING,
                 "%zu connections open: new ones refused"
                 " (YJC_MAX_CONNECTIONS)",
                 zhashx_size (self->conns) - 1);
        self->next_cap_log = zclock_mono () + 10000;
    }
}

static int
s_monitor_start (s_server_t *self)
{
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://yjc-conns-%p", self);
    if (zmq_socket_monitor (zsock_resolve (self->router),
                            endpoint,
                            ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        return -1;
    self->monitor = zsock_new (ZMQ_PAIR);
    self->conns = zhashx_new ();
    self->max_conns = (size_t)yjc_config_int (YJC_CFG_MAX_CONNECTIONS);
    return zsock_connect (self->monitor, "%s", endpoint);
}

/* ---- reading ----------------------------------------------------------- */

//  Decodes and authorises one request; what needs the database stays 0.
//  The order (proto/README.md §2.5): can the envelope be read; may this
//  actor send this type - `forbidden` says nothing of the body; then every
//  problem of the body in one reply (shape, the form's rules, materials).
static void
s_admit (s_server_t *self, yjc_job_t *job, zframe_t *payload, bool known)
{
    if (yjc_request_decode (&job->req,
                            zframe_data (payload),
                            zframe_size (payload),
                            &job->problems) != 0) {
        job->state = YJC_JOB_REFUSED;
        return;
    }
    if (!known) {
        yjc_job_refuse (job, YJC_E_FORBIDDEN, "", "unknown actor");
        return;
    }
    const yjc_msg_def_t *def = &yjc_msg_defs[job->req.type];
    if (!(def->roles & (1u << job->actor.role))) {
        char why[96];
        snprintf (why,
                  sizeof why,
                  "role %s may not send %s",
                  yjc_role_name (job->actor.role),
                  def->wire);
        yjc_problems_say (&job->problems,
                          YJC_E_FORBIDDEN,
                          "type",
                          why,
                          "%s无权进行该操作",
                          yjc_role_zh (job->actor.role));
        job->state = YJC_JOB_REFUSED;
        return;
    }
    if (def->service != YJC_SVC_ANY && def->service != self->def->service) {
        char why[96];
        snprintf (why,
                  sizeof why,
                  "%s is served by %s",
                  def->wire,
                  yjc_service_name (def->service));
        yjc_job_refuse (job, YJC_E_WRONG_SERVICE, "type", why);
        return;
    }
    if (yjc_form_check_body (job->req.type,
                             job->req.body,
                             job->actor.role == YJC_ROLE_UNIT ? job->actor.unit
                                                              : NULL,
                             &job->problems) != 0) {
        job->state = YJC_JOB_REFUSED;
        return;
    }
    if (job->req.type == YJC_MSG_SYS_STATUS)
        s_handle_status (self, job);
}

//  Who sent a message (routing frames, then the request as the last
//  frame): the key its connection was made with.  False if unknown.
static bool
s_sender (s_server_t *self, zmsg_t *msg, yjc_actor_t *actor)
{
    zframe_t *payload = zmsg_last (msg);
    const char *key = payload ? zframe_meta (payload, "User-Id") : NULL;
    return key && yjc_keys_lookup (self->keys, key, actor) == 0;
}

//  Takes a message into a job, its sender's actor already there when
//  `known`.
static void
s_receive (s_server_t *self, yjc_job_t *job, zmsg_t *msg, bool known)
{
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    job->route = msg;
    if (zmsg_size (msg) == 0 || !payload)
        yjc_job_refuse (job, YJC_E_BAD_ENVELOPE, "", "no routing frame");
    else if (zframe_size (payload) > YJC_MAX_FRAME)
        yjc_job_refuse (job, YJC_E_TOO_LARGE, "", "frame over 1 MiB");
    else
        s_admit (self, job, payload, known);
    zframe_destroy (&payload);
    s_charge (self, job);
}

/* ---- answering --------------------------------------------------------- */

static void
s_reply (s_server_t *self, yjc_job_t *job)
{
    if (!job->route)
        return; //  the service's own periodic work: nobody to answer
    s_discharge (self, job->route, job->held);
    job->held = 0;
    if (job->state == YJC_JOB_DONE)
        yjc_reply_encode_ok (&self->scratch,
                             job->req.id,
                             job->body.buf.data,
                             job->body.buf.size);
    else
        yjc_reply_encode_error (&self->scratch, job->req.id, &job->problems);
    zmsg_addmem (job->route, self->scratch.buf.data, self->scratch.buf.size);
    zmsg_send (&job->route, self->router);
}

//  Keeps a long poll to run again later (a full list refuses it: retry).
static void
s_park (s_server_t *self, yjc_job_t *job)
{
    if (self->nparked == MAX_PARKED) {
        job->problems.count = 0;
        yjc_job_refuse (
            job, YJC_E_UNAVAILABLE, "", "too many requests waiting; retry");
        s_reply (self, job);
        return;
    }
    s_parked_t *p = &self->parked[self->nparked++];
    p->route = job->route;
    job->route = NULL;
    p->len = job->req.len;
    p->bytes = (char *)malloc (p->len ? p->len : 1);
    memcpy (p->bytes, job->req.bytes, p->len);
    p->actor = job->actor;
    p->wait_until = job->wait_until;
    p->held = job->held;
    job->held = 0;
}

//  Puts parked requests back into the filling batch: all of them after a
//  commit that wrote events (there may be something for them now), else
//  those whose wait is over (to answer them).
static void
s_unpark (s_server_t *self)
{
    int64_t now = zclock_mono ();
    int kept = 0;
    for (int i = 0; i < self->nparked; i++) {
        s_parked_t *p = &self->parked[i];
        yjc_job_t *job = NULL;
        if ((self->wake || p->wait_until <= now) &&
            self->filling[LANE_REQUESTS])
            job = yjc_batch_add (self->filling[LANE_REQUESTS]);
        if (!job) {
            self->parked[kept++] = *p;
            continue;
        }
        if (yjc_request_decode (&job->req, p->bytes, p->len, &job->problems) !=
            0)
            job->state = YJC_JOB_REFUSED; //  it decoded once: cannot happen
        job->route = p->route;
        job->actor = p->actor;
        job->wait_until = p->wait_until;
        job->held = p->held;
        free (p->bytes);
    }
    self->nparked = kept;
    self->wake = false;
}

//  Answers every job of a batch and puts the batch back for reuse.
static void
s_answer (s_server_t *self, yjc_batch_t *batch)
{
    for (int i = 0; i < batch->count; i++)
        if (batch->jobs[i].state == YJC_JOB_PARKED)
            s_park (self, &batch->jobs[i]);
        else
            s_reply (self, &batch->jobs[i]);
    if (batch->emitted) {
        zstr_send (self->relay, "WAKE");
        self->wake = self->nparked > 0;
    }
    batch->count = 0;
    batch->emitted = 0;
    self->spare[self->nspare++] = batch;
}

/* ---- dispatching ------------------------------------------------------- */

//  When every worker has been busy for STALL_MS, the database is not
//  answering (hung, or far too slow): returns when that began, else 0.
static int64_t
s_stall_from (s_server_t *self)
{
    int64_t newest = 0;
    for (int w = 0; w < self->nworkers; w++) {
        if (!self->busy[w])
            return 0;
        if (self->busy_since[w] > newest)
            newest = self->busy_since[w];
    }
    return newest + STALL_MS;
}

static bool
s_stalled (s_server_t *self)
{
    int64_t from = s_stall_from (self);
    return from && zclock_mono () >= from;
}

static bool
s_needs_db (const yjc_batch_t *batch)
{
    for (int i = 0; i < batch->count; i++)
        if (batch->jobs[i].state == YJC_JOB_TO_RUN)
            return true;
    return false;
}

//  Gives a lane's filling batch to an idle worker, if it has work and one
//  is.  The services' lane starts no batch once half the workers are
//  busy: a burst of deliveries from every relay at once does not make
//  people wait.
static void
s_dispatch_lane (s_server_t *self, int lane)
{
    yjc_batch_t *batch = self->filling[lane];
    if (!batch || batch->count == 0)
        return;
    if (s_stalled (self)) //  what waits for a worker would wait unanswered
        for (int i = 0; i < batch->count; i++)
            if (batch->jobs[i].state == YJC_JOB_TO_RUN) {
                batch->jobs[i].problems.count = 0;
                yjc_job_refuse (&batch->jobs[i],
                                YJC_E_UNAVAILABLE,
                                "",
                                "the database is not answering; retry");
            }
    if (!s_needs_db (batch)) { //  all refused or answered already
        self->filling[lane] = NULL;
        s_answer (self, batch);
        return;
    }
    int busy = 0, busy_requests = 0;
    for (int w = 0; w < self->nworkers; w++) {
        busy += self->busy[w];
        busy_requests += self->busy[w] && self->lane_of[w] == LANE_REQUESTS;
    }
    if (lane == LANE_SERVICES && self->nworkers > 1 &&
        busy >= (self->nworkers + 1) / 2)
        return;
    //  With a transaction of requests already in flight, a batch of
    //  requests waits to hold a few: fewer, fuller commits under load; no
    //  wait when idle, nor behind a delivery.  (A delivery is a batch of
    //  events already.)
    if (lane == LANE_REQUESTS && busy_requests &&
        batch->count < self->batch_min)
        return;
    for (int w = 0; w < self->nworkers; w++)
        if (!self->busy[w]) {
            self->busy[w] = true;
            self->busy_since[w] = zclock_mono ();
            self->lane_of[w] = lane;
            self->filling[lane] = NULL;
            zsock_send (self->workers[w], "sp", "RUN", batch);
            return;
        }
}

static void
s_dispatch (s_server_t *self)
{
    s_dispatch_lane (self, LANE_REQUESTS);
    s_dispatch_lane (self, LANE_SERVICES);
}

static bool
s_has_room (const yjc_batch_t *batch)
{
    return batch && batch->count < YJC_BATCH;
}

//  The router is polled while there is a batch to read into and memory
//  to hold what it reads: a platform at capacity stops reading rather
//  than queueing in memory (ZeroMQ pushes back).  When the database is
//  stalled it reads again, to answer at once: status, refusals, and
//  `unavailable` for what would wait: no request waits on a stalled
//  database without an answer.

static void
s_update_reading (s_server_t *self)
{
    for (int lane = 0; lane < LANES; lane++)
        if (!self->filling[lane] && self->nspare > 0) {
            self->filling[lane] = self->spare[--self->nspare];
            self->filling[lane]->count = 0;
        }
    bool room = ((s_has_room (self->filling[LANE_REQUESTS]) ||
                  s_has_room (self->filling[LANE_SERVICES])) &&
                 self->held < self->held_max) ||
                s_stalled (self);
    if (room && !self->reading)
        zpoller_add (self->poller, self->router);
    else if (!room && self->reading)
        zpoller_remove (self->poller, self->router);
    self->reading = room;
}

//  Reads what is waiting.  A request that needs no database (status, a
//  refusal) is answered at once, never queued behind one that does.
static void
s_read (s_server_t *self)
{
    while ((zsock_events (self->router) & ZMQ_POLLIN) == ZMQ_POLLIN) {
        bool stalled = s_stalled (self);
        yjc_batch_t *own = self->filling[LANE_REQUESTS],
                    *other = self->filling[LANE_SERVICES];
        if (!stalled && (self->held >= self->held_max ||
                         (!s_has_room (own) && !s_has_room (other))))
            break;
        zmsg_t *msg = zmsg_recv (self->router);
        if (!msg)
            break;
        yjc_actor_t actor;
        bool known = s_sender (self, msg, &actor);
        if (known && actor.role == YJC_ROLE_SERVICE) {
            own = self->filling[LANE_SERVICES];
            other = self->filling[LANE_REQUESTS];
        }
        //  its own lane's batch, else the other's (a full lane does not
        //  stop the reading of the other)
        yjc_batch_t *batch = s_has_room (own) ? own : other;
        if (stalled) {
            batch = self->spill;
            batch->count = 0;
        }
        yjc_job_t *job = yjc_batch_add (batch);
        if (known)
            job->actor = actor;
        s_receive (self, job, msg, known);
        if (batch == self->spill && job->state == YJC_JOB_TO_RUN) {
            yjc_request_release (&job->req);
            yjc_job_refuse (job,
                            YJC_E_UNAVAILABLE,
                            "",
                            "the database is not answering; retry");
        }
        if (job->state != YJC_JOB_TO_RUN) {
            s_reply (self, job);
            batch->count--;
        }
    }
}

static void
s_worker_done (s_server_t *self, int w)
{
    void *batch = NULL;
    if (zsock_recv (self->workers[w], "p", &batch) != 0 || !batch)
        return;
    self->busy[w] = false;
    s_answer (self, (yjc_batch_t *)batch);
}

//  True when the periodic work could start now, its time come or not: a
//  worker and a batch free, the database answering.
static bool
s_tick_can_run (s_server_t *self)
{
    bool idle = false;
    for (int w = 0; w < self->nworkers; w++)
        idle = idle || !self->busy[w];
    return self->def->on_tick && idle && self->nspare > 0 && !s_stalled (self);
}

//  The service's periodic work, as a batch of its own on an idle worker
//  (else at the next turn of the loop).  Not a job in the batch being
//  filled: the requests of that batch would wait for its scan and share
//  its transaction; under load that was every second's slowest replies
//  (issue 14: review.approve p99 ten times its p50).
static void
s_tick (s_server_t *self)
{
    if (zclock_mono () < self->next_tick || !s_tick_can_run (self))
        return;
    int w = 0;
    while (self->busy[w])
        w++;
    yjc_batch_t *batch = self->spare[--self->nspare];
    batch->count = 0;
    yjc_job_t *job = yjc_batch_add (batch);
    job->tick = true;
    memset (&job->actor, 0, sizeof job->actor);
    job->actor.role = YJC_ROLE_SERVICE;
    yjc_keys_service_actor (self->def->service, job->actor.name);
    self->busy[w] = true;
    self->busy_since[w] = zclock_mono ();
    self->lane_of[w] = LANE_SERVICES; //  the service's own work
    zsock_send (self->workers[w], "sp", "RUN", batch);
    self->next_tick = zclock_mono () + yjc_config_int (YJC_CFG_TICK_MS);
}

//  How long the loop may sleep: until the next tick or parked deadline.
static int
s_poll_ms (s_server_t *self)
{
    int64_t now = zclock_mono (), until = now + 1000;
    //  a tick waiting for a worker is woken by the worker's answer
    if (self->next_tick < until && s_tick_can_run (self))
        until = self->next_tick;
    int64_t stall = s_stall_from (self);
    if (stall > now && stall < until)
        until = stall; //  to start reading again then
    for (int i = 0; i < self->nparked; i++)
        if (self->parked[i].wait_until < until)
            until = self->parked[i].wait_until;
    return until > now ? (int)(until - now) : 0;
}

//  Gives freed heap back to the system after activity, when nothing is
//  held: what a burst of connections (ZeroMQ's pipes and buffers, some
//  40 KiB each) or of big requests left free between live blocks.
//  Without it the heap stays at its peak for good (measured: 7 rounds of
//  2 000 connections, 15 -> 190 MiB; trimmed, back to 16 MiB).
static void
s_trim (s_server_t *self)
{
    int64_t now = zclock_mono ();
    if (self->held || !self->active || now < self->next_trim)
        return;
    malloc_trim (0);
    self->active = false;
    self->next_trim = now + TRIM_EVERY_MS;
}

static void
s_loop (s_server_t *self)
{
    self->poller = zpoller_new (NULL);
    for (int w = 0; w < self->nworkers; w++)
        zpoller_add (self->poller, self->workers[w]);
    zpoller_add (self->poller, self->monitor);
    while (!zsys_interrupted) {
        s_update_reading (self);
        s_unpark (self);
        s_tick (self);
        s_dispatch (self);
        s_update_reading (self);
        void *which = zpoller_wait (self->poller, s_poll_ms (self));
        if (zpoller_terminated (self->poller))
            break;
        while (which == self->monitor &&
               (zsock_events (self->monitor) & ZMQ_POLLIN) == ZMQ_POLLIN)
            s_monitor_event (self);
        if (which == self->router) {
            s_read (self);
            self->active = true;
        }
        for (int w = 0; w < self->nworkers; w++)
            if (which == self->workers[w])
                s_worker_done (self, w);
        s_update_reading (self);
        s_dispatch (self);
        s_trim (self);
    }
    zpoller_destroy (&self->poller);
}

/* ---- start-up ---------------------------------------------------------- */

static yjc_db_t *
s_connect_db (const char *schema)
{
    //  In containers PostgreSQL may come up after us: keep trying.
    int delay = 200;
    while (!zsys_interrupted) {
        yjc_db_t *db = yjc_db_new (yjc_config (YJC_CFG_DB), schema);
        if (db)
            return db;
        yjc_log (YJC_LOG_WARNING, "waiting for the database (%d ms)", delay);
        zclock_sleep (delay);
        delay = delay < 5000 ? delay * 2 : 5000;
    }
    return NULL;
}

extern const yjc_migration_t yjc_common_migrations[];

//  The connection migrations run on: the owner role of the schema when
//  the bootstrap made one (<runtime role>_owner, deploy/pg.sh), so that
//  the runtime role need not own, alter or drop its tables (append-only
//  ones stay so against it); else the runtime connection itself.
static yjc_db_t *
s_migration_db (yjc_db_t **db_p, const char *schema)
{
    PGresult *res =
        yjc_db_query (*db_p,
                      "SELECT r.rolname FROM pg_roles r JOIN pg_namespace n"
                      " ON n.nspowner = r.oid WHERE n.nspname = $1"
                      " AND r.rolname = current_user || '_owner'",
                      1,
                      &schema);
    if (!res)
        return NULL;
    yjc_db_t *owner = *db_p;
    if (PQntuples (res) == 1) {
        char conninfo[1024];
        //  libpq: a keyword given twice, the last one counts
        snprintf (conninfo,
                  sizeof conninfo,
                  "%s user=%s",
                  yjc_config (YJC_CFG_DB),
                  PQgetvalue (res, 0, 0));
        owner = yjc_db_new (conninfo, schema);
        yjc_db_destroy (db_p);
    }
    PQclear (res);
    *db_p = owner;
    return owner;
}

static int
s_start (s_server_t *self, const char *name)
{
    self->keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char actor[33];
    yjc_keys_service_actor (self->def->service, actor);
    zcert_t *cert = yjc_keys_load_secret (self->keys, actor);
    if (!cert) {
        yjc_log (YJC_LOG_ERROR,
                 "no key pair for %s under %s/secret (run make up, or "
                 "yjcloud keys init)",
                 actor,
                 yjc_keys_dir (self->keys));
        return -1;
    }
    char err[256];
    self->calendar = yjc_calendar_load_default (err, sizeof err);
    if (!self->calendar) {
        yjc_log (YJC_LOG_ERROR, "calendar: %s", err);
        zcert_destroy (&cert);
        return -1;
    }
    self->db = s_connect_db (name);
    if (self->db && !s_migration_db (&self->db, name))
        yjc_db_destroy (&self->db);
    if (!self->db || yjc_db_migrate (self->db, yjc_common_migrations) != 0 ||
        yjc_db_migrate (self->db, self->def->migrations) != 0) {
        zcert_destroy (&cert);
        return -1;
    }
    yjc_db_destroy (&self->db); //  the main thread needs it no more
    self->status.conninfo = yjc_config (YJC_CFG_DB);
    self->status.schema = name;
    self->status_reader = zactor_new (s_status_actor, &self->status);
    self->held_max = (size_t)yjc_config_int (YJC_CFG_HELD_BYTES);
    self->peer_max = (size_t)yjc_config_int (YJC_CFG_PEER_BYTES);
    //  zauth checks every client key against the registry (CURVE always),
    //  configured before the first client can connect.
    if (*yjc_config (YJC_CFG_AUTH_VERBOSE)) {
        zstr_send (self->auth, "VERBOSE");
        zsock_wait (self->auth);
    }
    zstr_sendx (self->auth, "CURVE", yjc_keys_public_dir (self->keys), NULL);
    zsock_wait (self->auth);
    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_zap_domain (self->router, "yjcloud");
    zcert_apply (cert, self->router);
    zsock_set_curve_server (self->router, 1);
    //  Frames up to 4 MiB are read and answered too_large; larger ones
    //  drop the connection.  A few messages queued per connection: a
    //  client that floods is pushed back by TCP, not buffered.  Replies
    //  go out in bursts (a read answered at once): more room that way,
    //  or a burst would be dropped; a client that never reads loses its
    //  replies past it.
    int queue = yjc_config_int (YJC_CFG_PEER_QUEUE);
    zsock_set_maxmsgsize (self->router, 4 * YJC_MAX_FRAME);
    zsock_set_rcvhwm (self->router, queue);
    zsock_set_sndhwm (self->router, 8 * queue);
    zsock_set_router_mandatory (self->router, 0);
    zcert_destroy (&cert);
    if (s_monitor_start (self) != 0) {
        yjc_log (YJC_LOG_ERROR, "cannot monitor the router's connections");
        return -1;
    }
    const char *bind = yjc_config (YJC_CFG_BIND);
    if (!*bind)
        bind = yjc_config_endpoint (self->def->service);
    if (zsock_bind (self->router, "%s", bind) < 0) {
        yjc_log (YJC_LOG_ERROR,
                 "cannot bind %s: %s",
                 bind,
                 zmq_strerror (zmq_errno ()));
        return -1;
    }
    const char *vendor = *yjc_config (YJC_CFG_VENDOR_BIND)
                             ? yjc_config (YJC_CFG_VENDOR_BIND)
                             : yjc_config (YJC_CFG_VENDOR_EP);
    if (self->def->vendor_endpoint &&
        zsock_bind (self->router, "%s", vendor) < 0) {
        yjc_log (YJC_LOG_ERROR,
                 "cannot bind %s: %s",
                 vendor,
                 zmq_strerror (zmq_errno ()));
        return -1;
    }
    yjc_relay_args_t args = { self->def->service,
                              yjc_config (YJC_CFG_DB),
                              name,
                              yjc_config (YJC_CFG_KEYS) };
    self->relay = zactor_new (yjc_relay_actor, &args);
    //  Workers: each its own connection, so commits overlap.
    yjc_worker_args_t wargs = {
        self->def, self->calendar, yjc_config (YJC_CFG_DB), name
    };
    self->nworkers = yjc_config_int (YJC_CFG_WORKERS);
    self->batch_min = yjc_config_int (YJC_CFG_BATCH_MIN);
    if (self->nworkers > MAX_WORKERS)
        self->nworkers = MAX_WORKERS;
    for (int i = 0; i < self->nworkers; i++) {
        self->workers[i] = zactor_new (yjc_worker_actor, &wargs);
        self->spare[self->nspare++] = yjc_batch_new ();
    }
    for (int lane = 0; lane < LANES; lane++)
        self->spare[self->nspare++] = yjc_batch_new ();
    self->spill = yjc_batch_new ();
    yjc_log (YJC_LOG_INFO,
             "%s %s serving on %s%s%s",
             name,
             YJC_VERSION_STRING,
             bind,
             self->def->vendor_endpoint ? ", vendor on " : "",
             self->def->vendor_endpoint ? vendor : "");
    return 0;
}

/* ---- --health: the container healthcheck ------------------------------ */

//  The address this service answers on, seen from its own host: its bind
//  address with a wildcard host made loopback, else its endpoint.
static char *
s_health_endpoint (const yjc_service_def_t *def)
{
    const char *bind = yjc_config (YJC_CFG_BIND);
    if (!*bind)
        return strdup (yjc_config_endpoint (def->service));
    const char *host = strstr (bind, "://");
    if (host && (strncmp (host + 3, "0.0.0.0:", 8) == 0 ||
                 strncmp (host + 3, "*:", 2) == 0))
        return zsys_sprintf ("tcp://127.0.0.1%s", strchr (host + 3, ':'));
    return strdup (bind);
}

//  `yjc-NAME --health`: asks the running service for sys.status over
//  CURVE with the service's own key pair (a container holds no other
//  key) and exits 0 when it answers and reaches its database.  For
//  docker-compose's healthcheck.
static int
s_health (const yjc_service_def_t *def, const char *name)
{
    char actor[64];
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    yjc_keys_service_actor (def->service, actor);
    zcert_t *cert = yjc_keys_load_secret (keys, actor);
    char *endpoint = s_health_endpoint (def);
    int rc = 1;
    yjc_client_t *client =
        cert ? yjc_client_new (endpoint, zcert_public_txt (cert), cert) : NULL;
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    if (!cert)
        fprintf (stderr, "%s: no key pair for %s\n", name, actor);
    else if (!client ||
             yjc_client_call (client, "sys.status", NULL, 0, 3000, &reply))
        fprintf (stderr, "%s: no answer on %s\n", name, endpoint);
    else if (reply.ok && reply.body && reply.body->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object_map *map = &reply.body->via.map;
        for (uint32_t i = 0; i < map->size; i++) {
            const msgpack_object *k = &map->ptr[i].key;
            if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 2 &&
                memcmp (k->via.str.ptr, "db", 2) == 0 &&
                map->ptr[i].val.type == MSGPACK_OBJECT_BOOLEAN &&
                map->ptr[i].val.via.boolean)
                rc = 0;
        }
        if (rc)
            fprintf (stderr, "%s: answers, but not its database\n", name);
    }
    else
        fprintf (stderr, "%s: sys.status refused: %s\n", name, reply.code);
    yjc_reply_release (&reply);
    yjc_client_destroy (&client);
    zcert_destroy (&cert);
    yjc_keys_destroy (&keys);
    free (endpoint);
    return rc;
}

int
yjc_server_main (const yjc_service_def_t *def, int argc, char **argv)
{
    const char *name = yjc_service_name (def->service);
    if (argc > 1 && strcmp (argv[1], "--version") == 0) {
        printf ("yjc-%s %s\n", name, YJC_VERSION_STRING);
        return 0;
    }
    if (argc > 1 && strcmp (argv[1], "--health") == 0) {
        zsys_init ();
        zsys_set_logident ("yjc-health");
        return s_health (def, name);
    }
    zsys_init ();
    char ident[40];
    snprintf (ident, sizeof ident, "yjc-%s", name);
    zsys_set_logident (ident);
    //  Big blocks (request copies, file chunks) always come from mmap and
    //  go back on free, and few arenas: a burst of them does not leave
    //  the heap fragmented and grown for good.
    mallopt (M_MMAP_THRESHOLD, 64 * 1024);
    mallopt (M_ARENA_MAX, 2);
    s_server_t self = { .def = def };
    atomic_init (&self.status.backlog, -1);
    atomic_init (&self.status.read_at, 0);
    self.peers = zhashx_new ();
    yjc_pack_init (&self.scratch);
    self.auth = zactor_new (zauth, NULL);
    int rc = 0;
    if (s_start (&self, name) != 0)
        rc = 1;
    else {
        s_loop (&self);
        yjc_log (YJC_LOG_INFO, "%s stopping", name);
    }
    //  Workers finish the batch they run (committed or not, as the
    //  database decides); its replies are not sent, clients retry.
    for (int w = 0; w < self.nworkers; w++) {
        void *batch = NULL;
        if (self.busy[w] && zsock_recv (self.workers[w], "p", &batch) == 0)
            self.spare[self.nspare++] = (yjc_batch_t *)batch;
        zactor_destroy (&self.workers[w]);
    }
    for (int i = 0; i < self.nparked; i++) {
        zmsg_destroy (&self.parked[i].route);
        free (self.parked[i].bytes);
    }
    zactor_destroy (&self.relay);
    zactor_destroy (&self.status_reader);
    zhashx_destroy (&self.peers);
    if (self.router)
        zmq_socket_monitor (zsock_resolve (self.router), NULL, 0);
    zsock_destroy (&self.monitor);
    zhashx_destroy (&self.conns);
    zsock_destroy (&self.router);
    zactor_destroy (&self.auth);
    yjc_db_destroy (&self.db);
    yjc_calendar_destroy (&self.calendar);
    yjc_keys_destroy (&self.keys);
    for (int i = 0; i < self.nspare; i++)
        yjc_batch_destroy (&self.spare[i]);
    for (int lane = 0; lane < LANES; lane++)
        yjc_batch_destroy (&self.filling[lane]);
    yjc_batch_destroy (&self.spill);
    yjc_pack_release (&self.scratch);
    return rc;
}
