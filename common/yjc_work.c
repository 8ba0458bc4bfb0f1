/*  yjc_work.c - running batches of requests in transactions.

    Everything admitted from one read of the socket is run in one
    transaction and committed once, so that one WAL flush serves many
    requests; several workers, each with its own connection, overlap their
    commits (PostgreSQL groups them).  A handler that refuses its request
    may already have written: the transaction is rolled back and the batch
    replayed without it (handlers are pure functions of the database, so a
    replay is safe).  Events received are recorded in the inbox in the
    same transaction as their effect, so a redelivery changes nothing.   */
#include "yjc_work.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_outbox.h"
#include "yjc_time.h"
#include <stdarg.h>

typedef struct {
    const yjc_service_def_t *def;
    const yjc_calendar_t *calendar;
    yjc_db_t *db; //  this worker's own connection
    char *conninfo;
    char *schema;
    zhashx_t *rejected;   //  event id -> reason, within one batch
    yjc_outbox_t *outbox; //  events of the batch being run
} s_worker_t;

/* ---- receiving events (inbox) ------------------------------------------ */

//  Records every delivered event in the inbox with one statement; the
//  ids it could insert (not seen before) go into `fresh`.
static yjc_result_t
s_claim_events (yjc_ctx_t *ctx, const msgpack_object *events, zhashx_t *fresh)
{
    uint32_t n = events->via.array.size;
    char (*fields)[3][65] = zmalloc (n * sizeof *fields);
    const char **columns[3];
    for (int c = 0; c < 3; c++)
        columns[c] = (const char **)zmalloc (n * sizeof (char *));
    static const char *keys[] = { "event_id", "source", "type" };
    for (uint32_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            columns[c][i] = yjc_obj_strcpy (
                &events->via.array.ptr[i], keys[c], fields[i][c], 65);
    char *arrays[3];
    for (int c = 0; c < 3; c++)
        arrays[c] = yjc_db_array_literal (columns[c], n);
    const char *params[] = { arrays[0], arrays[1], arrays[2], ctx->now_iso };
    PGresult *res = yjc_db_query (
        ctx->db,
        "INSERT INTO inbox (event_id, source, type, received_at)"
        " SELECT e, s, t, $4 FROM unnest($1::text[], $2::text[], $3::text[])"
        " AS u (e, s, t) ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        4,
        params);
    for (int r = 0; res && r < PQntuples (res); r++)
        zhashx_insert (fresh, PQgetvalue (res, r, 0), (void *)1);
    for (int c = 0; c < 3; c++) {
        free (arrays[c]);
        free (columns[c]);
    }
    free (fields);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

static yjc_result_t
s_mark_rejected (yjc_ctx_t *ctx,
                 const char *event_id,
                 const char *app_id,
                 const char *why)
{
    yjc_ctx_log_app (
        ctx, app_id, YJC_LOG_WARNING, "event %s rejected: %s", event_id, why);
    const char *params[] = { event_id, why };
    return yjc_db_exec (ctx->db,
                        "UPDATE inbox SET outcome = 'refused', detail = $2"
                        " WHERE event_id = $1",
                        2,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  One delivered event, decoded, with room for its strings.
typedef struct {
    char event_id[65], source[33], app_id[33], at[41], type[65], actor[33];
    yjc_event_in_t in;
} s_event_t;

//  Decodes one event; its `at` is parsed here, once for every handler:
//  the relay writes ISO-8601, and a value that is not must not block the
//  stream, so it counts as `now`.
static void
s_read_event (const msgpack_object *e, int64_t now, s_event_t *ev)
{
    yjc_obj_strcpy (e, "event_id", ev->event_id, sizeof ev->event_id);
    yjc_obj_strcpy (e, "source", ev->source, sizeof ev->source);
    yjc_obj_strcpy (e, "app_id", ev->app_id, sizeof ev->app_id);
    yjc_obj_strcpy (e, "at", ev->at, sizeof ev->at);
    yjc_obj_strcpy (e, "type", ev->type, sizeof ev->type);
    yjc_obj_strcpy (e, "actor", ev->actor, sizeof ev->actor);
    int64_t at_us = now;
    yjc_time_parse_iso (ev->at, &at_us);
    yjc_event_in_t in = { ev->event_id,
                          ev->source,
                          ev->app_id,
                          ev->at,
                          at_us,
                          yjc_event_by_wire (ev->type, strlen (ev->type)),
                          yjc_obj_get (e, "payload"),
                          ev->actor };
    ev->in = in;
}

//  What became of one delivered event.
typedef enum {
    S_DUPLICATE, //  seen before (or twice in this delivery)
    S_APPLIED,
    S_REJECTED, //  recorded as refused, never retried
    S_GATHERED, //  for a batch handler (on_events, on_all_events)
    S_OUTCOMES
} s_outcome_t;

//  Applies one freshly claimed event; `outcome` says what became of it.
//  YJC_REPLAY when its handler refused it (now in self->rejected).
static yjc_result_t
s_apply_event (s_worker_t *self,
               yjc_ctx_t *ctx,
               s_event_t *ev,
               s_outcome_t *outcome)
{
    const char *rejected =
        (const char *)zhashx_lookup (self->rejected, ev->event_id);
    //  Unknown types and bad payloads are recorded, never retried forever.
    yjc_problems_t problems = { 0 };
    if (!rejected && ev->in.type < 0)
        rejected = "unknown event type";
    else if (!rejected && yjc_validate (yjc_event_defs[ev->in.type].schema,
                                        ev->in.payload,
                                        "payload",
                                        &problems) > 0)
        rejected = problems.items[0].message;
    *outcome = S_APPLIED;
    if (rejected) {
        *outcome = S_REJECTED;
        return s_mark_rejected (ctx, ev->event_id, ev->app_id, rejected);
    }
    if (self->def->on_all_events || self->def->on_events[ev->in.type]) {
        *outcome = S_GATHERED;
        return YJC_OK;
    }
    yjc_event_fn *fn = self->def->on_event[ev->in.type];
    if (!fn)
        return YJC_OK;
    yjc_problems_t *outer = ctx->problems;
    ctx->problems = &problems;
    snprintf (ctx->app_id, sizeof ctx->app_id, "%s", ev->app_id);
    yjc_result_t rc = fn (ctx, &ev->in);
    ctx->app_id[0] = 0; //  the delivery itself concerns no one application
    ctx->problems = outer;
    if (rc == YJC_FAIL) {
        zhashx_insert (self->rejected,
                       ev->event_id,
                       problems.count ? problems.items[0].message : "refused");
        return YJC_REPLAY;
    }
    return rc;
}

//  Only the producer of an event may deliver it, and only to a service
//  that receives it (R7: no order without a bureau decision; a forged
//  application.approved from another service's key must not count).
static yjc_result_t
s_check_sender (s_worker_t *self,
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
    return YJC_OK;
}

//  Consecutive events that go to one batch handler: applied together, in
//  their order, and before any event that follows them.
typedef struct {
    int type; //  of the run, or -1 (on_all_events: any)
    int count;
    yjc_event_in_t *events; //  room for a whole delivery
} s_run_t;

static yjc_result_t
s_run_flush (s_worker_t *self, yjc_ctx_t *ctx, s_run_t *run)
{
    if (run->count == 0)
        return YJC_OK;
    yjc_events_fn *fn = self->def->on_all_events
                            ? self->def->on_all_events
                            : self->def->on_events[run->type];
    yjc_result_t rc = fn (ctx, run->events, run->count);
    run->count = 0;
    return rc == YJC_OK ? YJC_OK : YJC_DB_ERROR;
}

static yjc_result_t
s_run_add (s_worker_t *self,
           yjc_ctx_t *ctx,
           s_run_t *run,
           const yjc_event_in_t *event)
{
    int type = self->def->on_all_events ? -1 : event->type;
    yjc_result_t rc = type != run->type ? s_run_flush (self, ctx, run) : YJC_OK;
    run->type = type;
    run->events[run->count++] = *event;
    return rc;
}

static yjc_result_t
s_handle_deliver (s_worker_t *self, yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *events = yjc_obj_get (body, "events");
    for (uint32_t i = 0; i < events->via.array.size; i++)
        if (s_check_sender (self, ctx, &events->via.array.ptr[i], i) != YJC_OK)
            return YJC_FAIL;
    int counts[S_OUTCOMES] = { 0 };
    uint32_t n = events->via.array.size;
    s_event_t *evs = (s_event_t *)zmalloc (n * sizeof (s_event_t));
    s_run_t run = { -1,
                    0,
                    (yjc_event_in_t *)zmalloc (n * sizeof (yjc_event_in_t)) };
    zhashx_t *fresh = zhashx_new ();
    yjc_result_t rc = s_claim_events (ctx, events, fresh);
    for (uint32_t i = 0; rc == YJC_OK && i < n; i++) {
        s_read_event (&events->via.array.ptr[i], ctx->now, &evs[i]);
        int type = evs[i].in.type;
        //  what a batch handler gathered takes effect before this one
        if (type < 0 ||
            !(self->def->on_all_events || self->def->on_events[type]))
            rc = s_run_flush (self, ctx, &run);
        //  a redelivery, or twice in one batch: the first one counts
        s_outcome_t outcome = S_DUPLICATE;
        if (rc == YJC_OK && zhashx_lookup (fresh, evs[i].event_id))
            rc = s_apply_event (self, ctx, &evs[i], &outcome);
        zhashx_delete (fresh, evs[i].event_id);
        if (rc == YJC_OK && outcome == S_GATHERED)
            rc = s_run_add (self, ctx, &run, &evs[i].in);
        counts[outcome]++;
    }
    if (rc == YJC_OK)
        rc = s_run_flush (self, ctx, &run);
    free (run.events);
    zhashx_destroy (&fresh);
    free (evs);
    if (rc != YJC_OK)
        return rc;
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_int (
        ctx->reply, "applied", counts[S_APPLIED] + counts[S_GATHERED]);
    yjc_pk_kv_int (ctx->reply, "duplicates", counts[S_DUPLICATE]);
    yjc_pk_kv_int (ctx->reply, "refused", counts[S_REJECTED]);
    return YJC_OK;
}

/* ---- the batch --------------------------------------------------------- */

yjc_batch_t *
yjc_batch_new (void)
{
    yjc_batch_t *self = (yjc_batch_t *)zmalloc (sizeof (yjc_batch_t));
    for (int i = 0; i < YJC_BATCH; i++) {
        yjc_request_init (&self->jobs[i].req);
        yjc_pack_init (&self->jobs[i].body);
    }
    return self;
}

void
yjc_batch_destroy (yjc_batch_t **self_p)
{
    if (*self_p) {
        yjc_batch_t *self = *self_p;
        for (int i = 0; i < YJC_BATCH; i++) {
            yjc_request_release (&self->jobs[i].req);
            yjc_pack_release (&self->jobs[i].body);
            zmsg_destroy (&self->jobs[i].route);
        }
        free (self);
        *self_p = NULL;
    }
}

yjc_job_t *
yjc_batch_add (yjc_batch_t *self)
{
    if (self->count == YJC_BATCH)
        return NULL;
    yjc_job_t *job = &self->jobs[self->count++];
    yjc_request_release (&job->req);
    yjc_request_init (&job->req);
    job->problems.count = 0;
    job->problems.truncated = false;
    job->state = YJC_JOB_TO_RUN;
    job->tick = false;
    job->wait_until = 0;
    job->held = 0;
    zmsg_destroy (&job->route);
    yjc_pack_reset (&job->body);
    return job;
}

void
yjc_job_refuse (yjc_job_t *job,
                yjc_err_t code,
                const char *field,
                const char *detail)
{
    yjc_problems_add (&job->problems, code, field, "%s", detail);
    job->state = YJC_JOB_REFUSED;
}

//  The application a request names (its body's app_id), for logs.
static void
s_job_app (const yjc_job_t *job, char app_id[33])
{
    app_id[0] = 0;
    if (!job->tick && job->req.body)
        yjc_obj_strcpy (job->req.body, "app_id", app_id, 33);
}

//  How a job ended, as a line with its context: what debug shows of every
//  request, and what an error says of one the database failed.  A request
//  that creates its application (application.submit) names it in the reply.
static void
s_log_outcome (const yjc_job_t *job, yjc_log_level_t level, const char *how)
{
    //  periodic work runs every YJC_TICK_MS: at debug it would drown the
    //  requests; only its failures are told
    if (!yjc_log_enabled (level) || (job->tick && level == YJC_LOG_DEBUG))
        return;
    char app_id[33];
    s_job_app (job, app_id);
    if (!*app_id && job->state == YJC_JOB_DONE && job->body.buf.size) {
        msgpack_unpacked reply;
        msgpack_unpacked_init (&reply);
        if (msgpack_unpack_next (
                &reply, job->body.buf.data, job->body.buf.size, NULL) ==
            MSGPACK_UNPACK_SUCCESS)
            yjc_obj_strcpy (&reply.data, "app_id", app_id, sizeof app_id);
        msgpack_unpacked_destroy (&reply);
    }
    const char *what = job->tick ? "tick" : yjc_msg_defs[job->req.type].wire;
    const yjc_problem_t *p =
        job->problems.count ? &job->problems.items[0] : NULL;
    yjc_log_about (job->req.id,
                   app_id,
                   level,
                   "%s %s%s%s%s%s",
                   what,
                   how,
                   p ? ": " : "",
                   p ? yjc_err_code (p->code) : "",
                   p && *p->field ? " " : "",
                   p ? p->field : "");
}

static yjc_result_t
s_run_job (s_worker_t *self, yjc_job_t *job, yjc_ctx_t *ctx)
{
    yjc_pack_reset (&job->body);
    ctx->actor = &job->actor;
    ctx->request_id = job->req.id;
    ctx->msg_type = job->req.type;
    ctx->reply = &job->body.pk;
    ctx->problems = &job->problems;
    ctx->wait_until = &job->wait_until;
    s_job_app (job, ctx->app_id);
    if (job->tick)
        return self->def->on_tick ? self->def->on_tick (ctx) : YJC_OK;
    if (job->req.type == YJC_MSG_EVENT_DELIVER)
        return s_handle_deliver (self, ctx, job->req.body);
    yjc_handler_fn *fn = self->def->handlers[job->req.type];
    if (!fn)
        return yjc_ctx_fail (
            ctx, YJC_E_UNKNOWN_TYPE, "type", "not implemented by this service");
    return fn (ctx, job->req.body);
}

//  Does the service answer this job together with the ones after it?
static bool
s_runs_many (const s_worker_t *self, const yjc_job_t *job)
{
    return !job->tick && job->req.type != YJC_MSG_EVENT_DELIVER &&
           self->def->on_requests[job->req.type];
}

//  Runs the admitted requests of one type from `first` on (the jobs
//  already settled between them aside) with the service's yjc_requests_fn;
//  *last is the index of the last of them.  YJC_OK or YJC_DB_ERROR.
static yjc_result_t
s_run_requests (s_worker_t *self,
                yjc_batch_t *batch,
                int first,
                yjc_ctx_t *ctx,
                int *last)
{
    int type = batch->jobs[first].req.type;
    yjc_request_in_t reqs[YJC_BATCH];
    int index[YJC_BATCH], n = 0;
    for (int i = first; i < batch->count; i++) {
        yjc_job_t *job = &batch->jobs[i];
        if (job->state != YJC_JOB_TO_RUN)
            continue;
        if (job->tick || job->req.type != type)
            break;
        yjc_pack_reset (&job->body);
        yjc_request_in_t req = { &job->actor,   job->req.id,    job->req.body,
                                 &job->body.pk, &job->problems, false };
        reqs[n] = req;
        index[n++] = i;
    }
    *last = index[n - 1];
    ctx->msg_type = type;
    ctx->wait_until = NULL; //  no long poll here
    yjc_result_t rc = self->def->on_requests[type](ctx, reqs, n);
    for (int k = 0; rc == YJC_OK && k < n; k++)
        if (reqs[k].refused) {
            batch->jobs[index[k]].state = YJC_JOB_REFUSED;
            s_log_outcome (&batch->jobs[index[k]], YJC_LOG_DEBUG, "refused");
        }
    return rc == YJC_OK ? YJC_OK : YJC_DB_ERROR;
}

static void
s_fail_pending (yjc_batch_t *batch, yjc_err_t code)
{
    for (int i = 0; i < batch->count; i++)
        if (batch->jobs[i].state == YJC_JOB_TO_RUN) {
            batch->jobs[i].problems.count = 0;
            yjc_job_refuse (&batch->jobs[i], code, "", "database unavailable");
        }
}

//  Runs every admitted job of the batch in one transaction; sets
//  batch->emitted to the events the committed transaction wrote.
static void
s_run_batch (s_worker_t *self, yjc_batch_t *batch)
{
    yjc_ctx_t ctx = { 0 };
    ctx.db = self->db;
    ctx.calendar = self->calendar;
    ctx.service = self->def->service;
    ctx.outbox = self->outbox;
    batch->emitted = 0;
    if (yjc_clock_now (&ctx.now) != 0) {
        yjc_log (YJC_LOG_ERROR, "clock: cannot read YJC_NOW_FILE");
        s_fail_pending (batch, YJC_E_INTERNAL);
        return;
    }
    yjc_time_format_iso (ctx.now, ctx.now_iso);
    zhashx_purge (self->rejected);
    //  A connection found dead before COMMIT (a server restart, a
    //  terminated backend) committed nothing: the batch runs again, once,
    //  on a new one, and nobody sees `internal` for it.
    bool reconnected = false;
    //  Each replay settles one job (refused) or one event (rejected).
    for (int attempt = 0; attempt <= batch->count + YJC_BATCH + 1; attempt++) {
        if (yjc_db_ensure (self->db) != 0 || yjc_db_begin (self->db) != 0) {
            s_fail_pending (batch, YJC_E_UNAVAILABLE);
            return;
        }
        ctx.emitted = 0;
        ctx.in_force = NULL; //  a new transaction: look the calendar up anew
        ctx.held = 0;
        yjc_outbox_reset (self->outbox);
        yjc_result_t rc = YJC_OK;
        int i, failed = 0; //  the job that ended the attempt
        for (i = 0; i < batch->count && rc == YJC_OK; i++) {
            if (batch->jobs[i].state != YJC_JOB_TO_RUN)
                continue;
            failed = i;
            if (s_runs_many (self, &batch->jobs[i]))
                rc = s_run_requests (self, batch, i, &ctx, &i);
            else if ((rc = s_run_job (self, &batch->jobs[i], &ctx)) ==
                     YJC_WAIT) {
                //  parked (it wrote nothing); the server runs it again
                batch->jobs[i].state = YJC_JOB_PARKED;
                rc = YJC_OK;
            }
            if (rc != YJC_OK)
                failed = i;
        }
        if (rc == YJC_OK) {
            if (yjc_outbox_commit (self->outbox, self->db, ctx.now_iso) != 0) {
                s_fail_pending (batch, YJC_E_UNAVAILABLE);
                return;
            }
            for (i = 0; i < batch->count; i++)
                if (batch->jobs[i].state == YJC_JOB_TO_RUN) {
                    batch->jobs[i].state = YJC_JOB_DONE;
                    s_log_outcome (&batch->jobs[i], YJC_LOG_DEBUG, "done");
                }
            batch->emitted = ctx.emitted;
            return;
        }
        yjc_db_rollback (self->db);
        yjc_job_t *culprit = &batch->jobs[failed];
        if (rc == YJC_FAIL) {
            culprit->state = YJC_JOB_REFUSED;
            s_log_outcome (culprit, YJC_LOG_DEBUG, "refused");
        }
        else if (rc == YJC_DB_ERROR && yjc_db_lost (self->db)) {
            for (i = 0; i < batch->count; i++)
                if (batch->jobs[i].state == YJC_JOB_TO_RUN)
                    batch->jobs[i].problems.count = 0;
            if (reconnected) {
                s_fail_pending (batch, YJC_E_UNAVAILABLE);
                return;
            }
            yjc_log (YJC_LOG_WARNING,
                     "db: connection lost before commit: running the batch"
                     " again on a new one");
            reconnected = true;
            continue;
        }
        else if (rc == YJC_DB_ERROR && yjc_db_unavailable (self->db)) {
            //  a statement timeout, a deadlock: the database's state
            culprit->problems.count = 0;
            yjc_job_refuse (
                culprit, YJC_E_UNAVAILABLE, "", "database busy; retry");
            s_log_outcome (culprit, YJC_LOG_WARNING, "failed (database)");
        }
        else if (rc == YJC_DB_ERROR) {
            culprit->problems.count = 0;
            yjc_job_refuse (culprit, YJC_E_INTERNAL, "", "see service log");
            s_log_outcome (culprit, YJC_LOG_ERROR, "failed (database)");
        }
        //  YJC_REPLAY: the refused event is now in self->rejected
        for (i = 0; i < batch->count; i++)
            if (batch->jobs[i].state == YJC_JOB_TO_RUN)
                batch->jobs[i].problems.count = 0;
    }
    s_fail_pending (batch, YJC_E_INTERNAL);
}

/* ---- the worker -------------------------------------------------------- */

void
yjc_worker_actor (zsock_t *pipe, void *args)
{
    const yjc_worker_args_t *a = (const yjc_worker_args_t *)args;
    s_worker_t self = { a->def,
                        a->calendar,
                        NULL,
                        strdup (a->conninfo),
                        strdup (a->schema),
                        zhashx_new (),
                        NULL };
    zhashx_set_destructor (self.rejected, (zhashx_destructor_fn *)zstr_free);
    zhashx_set_duplicator (self.rejected, (zhashx_duplicator_fn *)strdup);
    self.db = yjc_db_new (self.conninfo, self.schema);
    self.outbox = yjc_outbox_new ();
    zsock_signal (pipe, 0);
    while (!zsys_interrupted) {
        char *command = NULL;
        void *batch = NULL;
        if (zsock_recv (pipe, "sp", &command, &batch) != 0)
            break;
        bool term = streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            break;
        if (!self.db)
            self.db = yjc_db_new (self.conninfo, self.schema);
        if (self.db)
            s_run_batch (&self, (yjc_batch_t *)batch);
        else
            s_fail_pending ((yjc_batch_t *)batch, YJC_E_UNAVAILABLE);
        zsock_send (pipe, "p", batch);
    }
    yjc_db_destroy (&self.db);
    zhashx_destroy (&self.rejected);
    yjc_outbox_destroy (&self.outbox);
    free (self.conninfo);
    free (self.schema);
}
