/*  yjc_server.c - the request loop every service shares.

    Requests are read in batches: everything waiting on the socket (up to
    BATCH) is decoded and authorised, then run in one transaction and
    committed once, so that one WAL flush serves many requests.  A handler
    that refuses its request may already have written: the transaction is
    rolled back and the batch replayed without it (handlers are pure
    functions of the database, so a replay is safe).                     */
#include "yjc_server.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_relay.h"
#include "yjc_time.h"
#include <stdarg.h>

#define BATCH      64
#define YJC_REPLAY (-3) //  an event was refused: roll back, replay

typedef struct {
    zmsg_t *route;     //  routing frames to answer on
    yjc_request_t req; //  decoded request
    yjc_actor_t actor; //  who sent it
    yjc_problems_t problems;
    yjc_pack_t body; //  reply body
    int status;      //  0 to run, 1 done, -1 refused
} s_job_t;

typedef struct {
    const yjc_service_def_t *def;
    yjc_keys_t *keys;
    yjc_db_t *db;
    yjc_calendar_t *calendar;
    zsock_t *router;
    zactor_t *relay;
    zactor_t *auth; //  ZAP handler: CURVE keys in the registry
    s_job_t jobs[BATCH];
    zhashx_t *rejected; //  event id -> reason, within one batch
    yjc_pack_t scratch;
} s_server_t;

/* ---- context helpers for handlers -------------------------------------- */

int
yjc_ctx_fail (yjc_ctx_t *ctx,
              yjc_err_t code,
              const char *field,
              const char *fmt,
              ...)
{
    char detail[200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (detail, sizeof detail, fmt, args);
    va_end (args);
    yjc_problems_add (ctx->problems, code, field, "%s", detail);
    return YJC_FAIL;
}

const char *
yjc_ctx_now_iso (yjc_ctx_t *ctx)
{
    return ctx->now_iso;
}

bool
yjc_ctx_may_see (const yjc_ctx_t *ctx, const char *unit)
{
    if (ctx->actor->role != YJC_ROLE_UNIT)
        return true;
    return strcmp (ctx->actor->unit, unit) == 0;
}

int
yjc_ctx_emit (yjc_ctx_t *ctx,
              int event_type,
              const char *app_id,
              const yjc_pack_t *payload)
{
    const yjc_event_def_t *def = &yjc_event_defs[event_type];
    assert (def->producer == ctx->service);
    //  The one definition in proto/ binds the producer too.
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    yjc_problems_t problems = { 0 };
    bool valid =
        msgpack_unpack_next (&un, payload->buf.data, payload->buf.size, NULL) ==
            MSGPACK_UNPACK_SUCCESS &&
        yjc_validate (def->schema, &un.data, "payload", &problems) == 0;
    msgpack_unpacked_destroy (&un);
    if (!valid) {
        zsys_error ("emit %s: payload does not match proto: %s",
                    def->wire,
                    problems.count ? problems.items[0].message : "undecodable");
        return YJC_DB_ERROR;
    }
    char receivers[128] = "{";
    for (int s = 0; s < YJC_SVC_COUNT; s++)
        if (def->receivers & (1u << s)) {
            if (receivers[1])
                strcat (receivers, ",");
            strcat (receivers, yjc_service_name (s));
        }
    strcat (receivers, "}");
    const char *params[] = {
        def->wire, app_id, ctx->now_iso, payload->buf.data, receivers
    };
    int lengths[] = { 0, 0, 0, (int)payload->buf.size, 0 };
    int formats[] = { 0, 0, 0, 1, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "WITH e AS (INSERT INTO outbox (type, app_id, created_at, payload)"
        " VALUES ($1, $2, $3, $4) RETURNING seq)"
        " INSERT INTO outbox_pending (seq, receiver)"
        " SELECT e.seq, r FROM e, unnest($5::text[]) AS r",
        5,
        params,
        lengths,
        formats);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    ctx->emitted++;
    return 0;
}

/* ---- receiving events (inbox) ------------------------------------------ */

static int
s_record_inbox (yjc_ctx_t *ctx,
                const yjc_event_in_t *ev,
                const char *type,
                const char *rejected)
{
    const char *params[] = { ev->event_id, ev->source,
                             type,         rejected ? "rejected" : "applied",
                             rejected,     ctx->now_iso };
    int rows = yjc_db_exec (
        ctx->db,
        "INSERT INTO inbox (event_id, source, type, outcome, detail,"
        " received_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (event_id) DO NOTHING",
        6,
        params);
    return rows;
}

//  Applies one delivered event unless it was applied before.  Returns 1
//  applied, 0 duplicate, 2 recorded as rejected, or an error.
static int
s_apply_event (s_server_t *self, yjc_ctx_t *ctx, const msgpack_object *e)
{
    char event_id[65], source[33], app_id[33], at[41], type[65];
    yjc_obj_strcpy (e, "event_id", event_id, sizeof event_id);
    yjc_obj_strcpy (e, "source", source, sizeof source);
    yjc_obj_strcpy (e, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (e, "at", at, sizeof at);
    yjc_obj_strcpy (e, "type", type, sizeof type);
    yjc_event_in_t ev = { event_id,
                          source,
                          app_id,
                          at,
                          yjc_event_by_wire (type, strlen (type)),
                          yjc_obj_get (e, "payload") };
    const char *rejected =
        (const char *)zhashx_lookup (self->rejected, event_id);
    //  Unknown types and bad payloads are recorded, never retried forever.
    yjc_problems_t problems = { 0 };
    if (!rejected && ev.type < 0)
        rejected = "unknown event type";
    else if (!rejected && yjc_validate (yjc_event_defs[ev.type].schema,
                                        ev.payload,
                                        "payload",
                                        &problems) > 0)
        rejected = problems.items[0].message;
    int rows = s_record_inbox (ctx, &ev, type, rejected);
    if (rows < 0)
        return YJC_DB_ERROR;
    if (rows == 0)
        return 0;
    if (rejected) {
        zsys_warning ("event %s (%s) rejected: %s", event_id, type, rejected);
        return 2;
    }
    yjc_event_fn *fn = self->def->on_any_event ? self->def->on_any_event
                                               : self->def->on_event[ev.type];
    if (!fn)
        return 1;
    yjc_problems_t *outer = ctx->problems;
    ctx->problems = &problems;
    int rc = fn (ctx, &ev);
    ctx->problems = outer;
    if (rc == YJC_FAIL) {
        zhashx_insert (self->rejected,
                       event_id,
                       problems.count ? problems.items[0].message : "refused");
        return YJC_REPLAY;
    }
    return rc < 0 ? rc : 1;
}

//  Only the producer of an event may deliver it, and only to a service
//  that receives it (R7: no order without a bureau decision; a forged
//  application.approved from another service's key must not count).
static int
s_check_sender (s_server_t *self,
                yjc_ctx_t *ctx,
                const msgpack_object *e,
                uint32_t index)
{
    char source[33], type[65], field[48], expected[33];
    yjc_obj_strcpy (e, "source", source, sizeof source);
    yjc_obj_strcpy (e, "type", type, sizeof type);
    snprintf (field, sizeof field, "body.events[%u]", index);
    int producer = yjc_service_by_name (source);
    if (producer >= 0)
        yjc_keys_service_actor (producer, expected);
    if (producer < 0 || !streq (ctx->actor->name, expected))
        return yjc_ctx_fail (ctx,
                             YJC_E_FORBIDDEN,
                             field,
                             "%s may not deliver events of %s",
                             ctx->actor->name,
                             source);
    int ev = yjc_event_by_wire (type, strlen (type));
    if (ev >= 0 &&
        (yjc_event_defs[ev].producer != producer ||
         !(yjc_event_defs[ev].receivers & (1u << self->def->service))))
        return yjc_ctx_fail (ctx,
                             YJC_E_FORBIDDEN,
                             field,
                             "%s does not produce %s for %s",
                             source,
                             type,
                             yjc_service_name (self->def->service));
    return 0;
}

static int
s_handle_deliver (s_server_t *self, yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *events = yjc_obj_get (body, "events");
    for (uint32_t i = 0; i < events->via.array.size; i++)
        if (s_check_sender (self, ctx, &events->via.array.ptr[i], i) != 0)
            return YJC_FAIL;
    int counts[3] = { 0, 0, 0 }; //  duplicates, applied, rejected
    for (uint32_t i = 0; i < events->via.array.size; i++) {
        int rc = s_apply_event (self, ctx, &events->via.array.ptr[i]);
        if (rc < 0)
            return rc;
        counts[rc]++;
    }
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_int (ctx->reply, "applied", counts[1]);
    yjc_pk_kv_int (ctx->reply, "duplicates", counts[0]);
    yjc_pk_kv_int (ctx->reply, "rejected", counts[2]);
    return 0;
}

/* ---- status ------------------------------------------------------------ */

static void
s_handle_status (s_server_t *self, s_job_t *job)
{
    msgpack_packer *pk = &job->body.pk;
    long long backlog = -1;
    if (yjc_db_ensure (self->db) == 0) {
        PGresult *res = yjc_db_query (
            self->db, "SELECT count(*) FROM outbox_pending", 0, NULL);
        if (res) {
            backlog = atoll (PQgetvalue (res, 0, 0));
            PQclear (res);
        }
    }
    msgpack_pack_map (pk, 5);
    yjc_pk_kv_str (pk, "service", yjc_service_name (self->def->service));
    yjc_pk_kv_str (pk, "version", YJC_VERSION_STRING);
    yjc_pk_kv_bool (pk, "db", backlog >= 0);
    yjc_pk_kv_int (pk, "outbox_backlog", backlog);
    yjc_pk_kv_int (pk, "pid", getpid ());
    job->status = 1;
}

/* ---- the batch --------------------------------------------------------- */

static void
s_job_refuse (s_job_t *job,
              yjc_err_t code,
              const char *field,
              const char *detail)
{
    yjc_problems_add (&job->problems, code, field, "%s", detail);
    job->status = -1;
}

//  Decodes and authorises one request; what needs the database stays 0.
static void
s_admit (s_server_t *self, s_job_t *job, zframe_t *payload)
{
    if (yjc_request_decode (&job->req,
                            zframe_data (payload),
                            zframe_size (payload),
                            &job->problems) != 0) {
        job->status = -1;
        return;
    }
    const char *key = zframe_meta (payload, "User-Id");
    if (!key || yjc_keys_lookup (self->keys, key, &job->actor) != 0) {
        s_job_refuse (job, YJC_E_FORBIDDEN, "", "unknown actor");
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
        s_job_refuse (job, YJC_E_FORBIDDEN, "type", why);
        return;
    }
    if (def->service != YJC_SVC_ANY && def->service != self->def->service) {
        char why[96];
        snprintf (why,
                  sizeof why,
                  "%s is served by %s",
                  def->wire,
                  yjc_service_name (def->service));
        s_job_refuse (job, YJC_E_WRONG_SERVICE, "type", why);
        return;
    }
    if (job->req.type == YJC_MSG_SYS_STATUS)
        s_handle_status (self, job);
}

static int
s_run_job (s_server_t *self, s_job_t *job, yjc_ctx_t *ctx)
{
    yjc_pack_reset (&job->body);
    ctx->actor = &job->actor;
    ctx->request_id = job->req.id;
    ctx->reply = &job->body.pk;
    ctx->problems = &job->problems;
    if (job->req.type == YJC_MSG_EVENT_DELIVER)
        return s_handle_deliver (self, ctx, job->req.body);
    yjc_handler_fn *fn = self->def->handlers[job->req.type];
    if (!fn)
        return yjc_ctx_fail (
            ctx, YJC_E_UNKNOWN_TYPE, "type", "not implemented by this service");
    return fn (ctx, job->req.body);
}

static void
s_fail_pending (s_server_t *self, int count, yjc_err_t code)
{
    for (int i = 0; i < count; i++)
        if (self->jobs[i].status == 0) {
            self->jobs[i].problems.count = 0;
            s_job_refuse (&self->jobs[i], code, "", "database unavailable");
        }
}

//  Runs every admitted job in one transaction; returns events emitted.
static int
s_run_batch (s_server_t *self, int count)
{
    yjc_ctx_t ctx = { 0 };
    ctx.db = self->db;
    ctx.calendar = self->calendar;
    ctx.service = self->def->service;
    if (yjc_clock_now (&ctx.now) != 0) {
        zsys_error ("clock: cannot read YJC_NOW_FILE");
        s_fail_pending (self, count, YJC_E_INTERNAL);
        return 0;
    }
    yjc_time_format_iso (ctx.now, ctx.now_iso);
    zhashx_purge (self->rejected);
    for (int attempt = 0; attempt <= count + 64; attempt++) {
        if (yjc_db_ensure (self->db) != 0 || yjc_db_begin (self->db) != 0) {
            s_fail_pending (self, count, YJC_E_UNAVAILABLE);
            return 0;
        }
        ctx.emitted = 0;
        int rc = 0, i;
        for (i = 0; i < count && rc == 0; i++)
            if (self->jobs[i].status == 0)
                rc = s_run_job (self, &self->jobs[i], &ctx);
        if (rc == 0) {
            if (yjc_db_commit (self->db) != 0) {
                s_fail_pending (self, count, YJC_E_UNAVAILABLE);
                return 0;
            }
            for (i = 0; i < count; i++)
                if (self->jobs[i].status == 0)
                    self->jobs[i].status = 1;
            return ctx.emitted;
        }
        yjc_db_rollback (self->db);
        s_job_t *culprit = &self->jobs[i - 1];
        if (rc == YJC_FAIL)
            culprit->status = -1;
        else if (rc == YJC_DB_ERROR) {
            culprit->problems.count = 0;
            s_job_refuse (culprit, YJC_E_INTERNAL, "", "see service log");
        }
        //  YJC_REPLAY: the refused event is now in self->rejected
        for (i = 0; i < count; i++)
            if (self->jobs[i].status == 0)
                self->jobs[i].problems.count = 0;
    }
    s_fail_pending (self, count, YJC_E_INTERNAL);
    return 0;
}

static void
s_reply (s_server_t *self, s_job_t *job)
{
    if (job->status == 1)
        yjc_reply_encode_ok (&self->scratch,
                             job->req.id,
                             job->body.buf.data,
                             job->body.buf.size);
    else
        yjc_reply_encode_error (&self->scratch, job->req.id, &job->problems);
    zmsg_addmem (job->route, self->scratch.buf.data, self->scratch.buf.size);
    zmsg_send (&job->route, self->router);
}

//  Reads one message: routing frames, then the request as the last frame.
static bool
s_receive (s_server_t *self, s_job_t *job)
{
    zmsg_t *msg = zmsg_recv (self->router);
    if (!msg)
        return false;
    yjc_request_release (&job->req);
    yjc_request_init (&job->req);
    job->problems.count = 0;
    job->problems.truncated = false;
    job->status = 0;
    yjc_pack_reset (&job->body);
    zframe_t *payload = zmsg_last (msg);
    zmsg_remove (msg, payload);
    job->route = msg;
    if (zmsg_size (msg) == 0 || !payload)
        s_job_refuse (job, YJC_E_BAD_ENVELOPE, "", "no routing frame");
    else if (zframe_size (payload) > YJC_MAX_FRAME)
        s_job_refuse (job, YJC_E_TOO_LARGE, "", "frame over 1 MiB");
    else
        s_admit (self, job, payload);
    zframe_destroy (&payload);
    return true;
}

static void
s_serve_once (s_server_t *self)
{
    int count = 0;
    while (count < BATCH &&
           (zsock_events (self->router) & ZMQ_POLLIN) == ZMQ_POLLIN &&
           s_receive (self, &self->jobs[count]))
        count++;
    bool pending = false;
    for (int i = 0; i < count; i++)
        pending |= self->jobs[i].status == 0;
    int emitted = pending ? s_run_batch (self, count) : 0;
    for (int i = 0; i < count; i++)
        s_reply (self, &self->jobs[i]);
    if (emitted)
        zstr_send (self->relay, "WAKE");
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
        zsys_warning ("waiting for the database (%d ms)", delay);
        zclock_sleep (delay);
        delay = delay < 5000 ? delay * 2 : 5000;
    }
    return NULL;
}

extern const yjc_migration_t yjc_common_migrations[];

static int
s_start (s_server_t *self, const char *name)
{
    self->keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char actor[33];
    yjc_keys_service_actor (self->def->service, actor);
    zcert_t *cert = yjc_keys_load_secret (self->keys, actor);
    if (!cert) {
        zsys_error ("no key pair for %s under %s/secret (run make up, or "
                    "yjcloud keys init)",
                    actor,
                    yjc_keys_dir (self->keys));
        return -1;
    }
    char err[256];
    self->calendar = yjc_calendar_load_default (err, sizeof err);
    if (!self->calendar) {
        zsys_error ("calendar: %s", err);
        zcert_destroy (&cert);
        return -1;
    }
    self->db = s_connect_db (name);
    if (!self->db || yjc_db_migrate (self->db, yjc_common_migrations) != 0 ||
        yjc_db_migrate (self->db, self->def->migrations) != 0) {
        zcert_destroy (&cert);
        return -1;
    }
    //  zauth checks every client key against the registry (CURVE always),
    //  configured before the first client can connect.
    if (getenv ("YJC_AUTH_VERBOSE")) {
        zstr_send (self->auth, "VERBOSE");
        zsock_wait (self->auth);
    }
    zstr_sendx (self->auth, "CURVE", yjc_keys_public_dir (self->keys), NULL);
    zsock_wait (self->auth);
    self->router = zsock_new (ZMQ_ROUTER);
    zsock_set_zap_domain (self->router, "yjcloud");
    zcert_apply (cert, self->router);
    zsock_set_curve_server (self->router, 1);
    zsock_set_maxmsgsize (self->router, 16 * YJC_MAX_FRAME);
    zsock_set_rcvhwm (self->router, 100000);
    zsock_set_sndhwm (self->router, 100000);
    zsock_set_router_mandatory (self->router, 0);
    zcert_destroy (&cert);
    const char *bind = yjc_config (YJC_CFG_BIND);
    if (!*bind)
        bind = yjc_config_endpoint (self->def->service);
    if (zsock_bind (self->router, "%s", bind) < 0) {
        zsys_error ("cannot bind %s: %s", bind, zmq_strerror (zmq_errno ()));
        return -1;
    }
    yjc_relay_args_t args = { self->def->service,
                              yjc_config (YJC_CFG_DB),
                              name,
                              yjc_config (YJC_CFG_KEYS) };
    self->relay = zactor_new (yjc_relay_actor, &args);
    zsys_info ("%s %s serving on %s", name, YJC_VERSION_STRING, bind);
    return 0;
}

int
yjc_server_main (const yjc_service_def_t *def, int argc, char **argv)
{
    const char *name = yjc_service_name (def->service);
    if (argc > 1 && strcmp (argv[1], "--version") == 0) {
        printf ("yjc-%s %s\n", name, YJC_VERSION_STRING);
        return 0;
    }
    zsys_init ();
    char ident[40];
    snprintf (ident, sizeof ident, "yjc-%s", name);
    zsys_set_logident (ident);
    s_server_t self = { .def = def };
    for (int i = 0; i < BATCH; i++) {
        yjc_request_init (&self.jobs[i].req);
        yjc_pack_init (&self.jobs[i].body);
    }
    yjc_pack_init (&self.scratch);
    self.rejected = zhashx_new ();
    zhashx_set_destructor (self.rejected, (zhashx_destructor_fn *)zstr_free);
    zhashx_set_duplicator (self.rejected, (zhashx_duplicator_fn *)strdup);

    self.auth = zactor_new (zauth, NULL);
    int rc = 0;
    if (s_start (&self, name) != 0)
        rc = 1;
    else {
        zpoller_t *poller = zpoller_new (self.router, NULL);
        while (!zsys_interrupted) {
            if (zpoller_wait (poller, 1000) == self.router)
                s_serve_once (&self);
            else if (zpoller_terminated (poller))
                break;
        }
        zpoller_destroy (&poller);
        zsys_info ("%s stopping", name);
    }
    zactor_destroy (&self.relay);
    zsock_destroy (&self.router);
    zactor_destroy (&self.auth);
    yjc_db_destroy (&self.db);
    yjc_calendar_destroy (&self.calendar);
    yjc_keys_destroy (&self.keys);
    zhashx_destroy (&self.rejected);
    for (int i = 0; i < BATCH; i++) {
        yjc_request_release (&self.jobs[i].req);
        yjc_pack_release (&self.jobs[i].body);
        zmsg_destroy (&self.jobs[i].route);
    }
    yjc_pack_release (&self.scratch);
    return rc;
}
