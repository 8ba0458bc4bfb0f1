/*  yjc_work.h - a unit of work: a batch of admitted requests run in one
    transaction by a worker with its own database connection.  The server
    (yjc_server.c) reads, authorises and answers; workers only run.      */
#ifndef YJC_WORK_H_INCLUDED
#define YJC_WORK_H_INCLUDED

#include "yjc_server.h"

#define YJC_BATCH 64

//  Where a job of a batch stands.
typedef enum {
    YJC_JOB_TO_RUN = 0, //  admitted: the worker runs it
    YJC_JOB_DONE,       //  answered: its reply body is packed
    YJC_JOB_REFUSED,    //  its problems say why
    YJC_JOB_PARKED      //  a long poll waiting (yjc_ctx_wait)
} yjc_job_state_t;

typedef struct {
    zmsg_t *route;           //  routing frames to answer on
    yjc_request_t req;       //  decoded request
    yjc_actor_t actor;       //  who sent it
    yjc_problems_t problems; //  why it is refused
    yjc_pack_t body;         //  reply body
    yjc_job_state_t state;   //  to run, done, refused, parked
    bool tick;               //  no request: the service's periodic work
    int64_t wait_until;      //  long poll deadline (zclock_mono), or 0
    size_t held;             //  request bytes charged to its peer
} yjc_job_t;

typedef struct {
    yjc_job_t jobs[YJC_BATCH];
    int count;   //  jobs in use
    int emitted; //  events the committed batch wrote
} yjc_batch_t;

yjc_batch_t *yjc_batch_new (void);
void yjc_batch_destroy (yjc_batch_t **self_p);
//  Takes the next job slot, reset; NULL when the batch is full.
yjc_job_t *yjc_batch_add (yjc_batch_t *self);
//  Refuses a job before it reaches the database.
void yjc_job_refuse (yjc_job_t *job,
                     yjc_err_t code,
                     const char *field,
                     const char *detail);

typedef struct {
    const yjc_service_def_t *def;
    const yjc_calendar_t *calendar; //  read-only, shared
    const char *conninfo;
    const char *schema;
} yjc_worker_args_t;

//  zactor_new (yjc_worker_actor, &args).  Send it a batch with
//  zsock_send (worker, "p", batch); it answers on the same pipe with the
//  same pointer when the batch has run (jobs' states and bodies filled).
//  Until then the batch is the worker's.
void yjc_worker_actor (zsock_t *pipe, void *args);

#endif
