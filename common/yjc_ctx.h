/*  yjc_ctx.h - what a service's handler sees: the request or event being
    handled (yjc_ctx_t, yjc_event_in_t), what it returns (yjc_result_t),
    and the helpers it answers, refuses, emits and logs with.

    A handler is a pure function of the database and its input, run in a
    transaction with the other requests of its batch (yjc_work.c): it
    packs its reply into ctx->reply and returns YJC_OK, or refuses with
    yjc_ctx_fail (nothing it wrote is kept).                              */
#ifndef YJC_CTX_H_INCLUDED
#define YJC_CTX_H_INCLUDED

#include "yjc_calendar.h"
#include "yjc_db.h"
#include "yjc_keys.h"
#include "yjc_lifecycle.h"
#include "yjc_log.h"
#include "yjc_map.h"
#include "yjc_msg.h"

//  How a handler (request, event, tick) or a helper of one ended.
typedef enum {
    YJC_OK = 0,   //  done: the reply (if any) is packed
    YJC_FAIL,     //  refused: ctx->problems says why; nothing kept
    YJC_DB_ERROR, //  the database failed: answered as `internal`
    YJC_WAIT,     //  nothing yet: answer later (yjc_ctx_wait)
    YJC_REPLAY    //  the runtime's own: an event of a delivery was
                  //  refused; roll back and replay without it
} yjc_result_t;

typedef struct {
    yjc_db_t *db;                   //  this service's schema, in a tx
    const yjc_actor_t *actor;       //  who asks (from the connection)
    const char *request_id;         //  envelope id (sender-unique)
    int msg_type;                   //  yjc_msg_type_t being handled
    int64_t now;                    //  the clock, once per unit of work
    const yjc_calendar_t *calendar; //  working days (time rules)
    msgpack_packer *reply;          //  pack the reply body (a map) here
    yjc_problems_t *problems;       //  why the request is refused
    int service;                    //  yjc_service_t of this process
    int emitted;                    //  events written so far
    struct _yjc_outbox_t *outbox;   //  where yjc_ctx_emit puts them
    char now_iso[40];               //  ISO-8601 of now, for SQL
    int64_t *wait_until;            //  long poll: zclock_mono() deadline
    char app_id[33]; //  the application concerned, for logs; "" if none
    //  the calendar in force for this transaction, once looked up
    //  (yjc_ctx_calendar); NULL at the start of each transaction
    const yjc_calendar_t *in_force;
    //  what a service noted it holds in this transaction (a lock taken
    //  once, e.g.): its own bits, 0 at the start of each transaction
    unsigned held;
} yjc_ctx_t;

typedef struct {
    const char *event_id;          //  "intake:42"
    const char *source;            //  producing service
    const char *app_id;            //  "" if none
    const char *at;                //  ISO-8601 time of the event, as sent
    int64_t at_us;                 //  `at` parsed (microseconds); the
                                   //  clock's now when it is not ISO-8601
    int type;                      //  yjc_event_type_t
    const msgpack_object *payload; //  validated against proto/
    const char *actor; //  whose request caused it; "" if the service's own
} yjc_event_in_t;

typedef yjc_result_t (yjc_handler_fn) (yjc_ctx_t *ctx,
                                       const msgpack_object *body);
//  Periodic work (deadlines that fall due), in its own transaction.
typedef yjc_result_t (yjc_tick_fn) (yjc_ctx_t *ctx);
typedef yjc_result_t (yjc_event_fn) (yjc_ctx_t *ctx,
                                     const yjc_event_in_t *event);
//  YJC_OK or YJC_DB_ERROR: a refusal of one event cannot be told apart
//  here.
typedef yjc_result_t (yjc_events_fn) (yjc_ctx_t *ctx,
                                      const yjc_event_in_t *events,
                                      int count);

//  One request of a run answered at once (yjc_requests_fn).
typedef struct {
    const yjc_actor_t *actor;   //  who asks (from the connection)
    const char *request_id;     //  envelope id (sender-unique)
    const msgpack_object *body; //  validated against proto/
    msgpack_packer *reply;      //  its reply body (a map)
    yjc_problems_t *problems;   //  why it is refused
    bool refused;               //  set by the handler (see below)
} yjc_request_in_t;

//  Consecutive admitted requests of one type, answered at once so that
//  one statement serves them all (a multi-row INSERT instead of one per
//  request: issue 14).  Before it writes, emits or answers for one, the
//  handler makes it the context's request (yjc_ctx_for).  A request it
//  refuses gets its problems (yjc_ctx_fail) and `refused`, and must have
//  had nothing written for it: the others go on without a replay.
//  YJC_OK or YJC_DB_ERROR (all of them fail).
typedef yjc_result_t (yjc_requests_fn) (yjc_ctx_t *ctx,
                                        yjc_request_in_t *requests,
                                        int count);
//  Makes `request` (of a yjc_requests_fn run) the one the context is
//  about: its actor, id, reply and problems; no application yet.
void yjc_ctx_for (yjc_ctx_t *ctx, yjc_request_in_t *request);

//  Refuses the request: adds a problem and returns YJC_FAIL.
yjc_result_t yjc_ctx_fail (yjc_ctx_t *ctx,
                           yjc_err_t code,
                           const char *field,
                           const char *fmt,
                           ...) __attribute__ ((format (printf, 4, 5)));
//  Writes an event to the outbox in the current transaction.  The payload
//  is checked against its schema in proto/ (a bad one is a bug: logged,
//  YJC_DB_ERROR).  Returns YJC_OK or YJC_DB_ERROR.
yjc_result_t yjc_ctx_emit (yjc_ctx_t *ctx,
                           int event_type,
                           const char *app_id,
                           const yjc_pack_t *payload);
//  The same with the payload built as a map (ended and emptied here).
yjc_result_t yjc_ctx_emit_map (yjc_ctx_t *ctx,
                               int event_type,
                               const char *app_id,
                               yjc_map_t *payload);
//  Is the actor a unit that may see `unit`'s data?  Bureau and auditor
//  see everything; a unit only its own.
bool yjc_ctx_may_see (const yjc_ctx_t *ctx, const char *unit);
//  For a query of one record (an application, a file) whose first column
//  is its unit: YJC_OK when there is a row the actor may see; otherwise
//  clears `res` and returns YJC_DB_ERROR (no result) or YJC_FAIL with
//  not_found on `field` (no row, or another unit's: its existence is not
//  revealed).
yjc_result_t yjc_ctx_found (yjc_ctx_t *ctx,
                            PGresult *res,
                            const char *field,
                            const char *id);

//  The calendar in force for this unit of work (services that compute
//  deadlines: review, provisioning): the shipped one plus the years
//  published (calendar.publish) as this service's schema holds them.
//  Reads the calendar's version FOR SHARE, so that a publication waits
//  for the deadlines being computed and they see it once it committed.
//  A snapshot per version is built once and kept (immutable, shared by
//  the workers): no restart is needed. On a database error, the shipped
//  calendar (the transaction fails anyway).
const yjc_calendar_t *yjc_ctx_calendar (yjc_ctx_t *ctx);

//  A new calendar: `base` plus the publications in force in the schema of
//  `db` (full arrangements first, then local changes, each in order of
//  publication). NULL on a database error or a stored day that does not
//  apply (logged).
yjc_calendar_t *yjc_ctx_calendar_build (yjc_db_t *db,
                                        const yjc_calendar_t *base);

//  Stores a publication (calendar.publish / calendar.published) in this
//  service's schema and makes it the calendar in force: the earlier one of
//  the same year and kind is marked replaced (kept: the history). Takes
//  the calendar's lock first. `*pub_id` 0: a new id is taken (review);
//  else that id (review's, carried by the event). `days`: an array of
//  {date, off, name}, already validated. Returns YJC_OK or YJC_DB_ERROR.
yjc_result_t yjc_ctx_calendar_store (yjc_ctx_t *ctx,
                                     int64_t *pub_id,
                                     int year,
                                     const char *kind,
                                     const msgpack_object *days,
                                     const char *by,
                                     const char *at);

//  The deadline "N working days ('w'), or N days/months/years ('d', 'm',
//  'y'), after the date of `at`" (time rules) as YYYY-MM-DD; "" (logged)
//  when the calendar does not cover it: the step still happens.
//  *provisional (may be NULL): it rests on a provisional year (暂定).
void yjc_ctx_deadline (yjc_ctx_t *ctx,
                       int64_t at,
                       int n,
                       char unit,
                       char out[11],
                       bool *provisional);

//  The deadline `dl` (proto/yjc_lifecycle.def) of a step taken at `at`:
//  its date in `due` ("" when the rules set none or the calendar does not
//  cover it) and the rule that produced it in `rule`; *provisional (may be
//  NULL) when it rests on a provisional year (暂定).
#define YJC_RULE_MAX 160
void yjc_ctx_due (yjc_ctx_t *ctx,
                  yjc_deadline_t dl,
                  int64_t at,
                  char due[11],
                  char rule[YJC_RULE_MAX],
                  bool *provisional);

//  Packs "late_workdays" into `pk` (a key and its value): how many
//  working days past `due` (YYYY-MM-DD, its end at 24:00) today is, or
//  nil when not late (or not computable).
void yjc_ctx_pack_late (yjc_ctx_t *ctx, msgpack_packer *pk, const char *due);

//  Logs a line about the request (or event) being handled, its context
//  first: "[req=<envelope id> app=<application id>] ..." (yjc_log.h).
void yjc_ctx_log (const yjc_ctx_t *ctx,
                  yjc_log_level_t level,
                  const char *fmt,
                  ...) __attribute__ ((format (printf, 3, 4)));
//  The same about another application than the request's (periodic work
//  going through many).
void yjc_ctx_log_app (const yjc_ctx_t *ctx,
                      const char *app_id,
                      yjc_log_level_t level,
                      const char *fmt,
                      ...) __attribute__ ((format (printf, 4, 5)));

//  Long poll: a handler with nothing to answer yet returns this.  The
//  first time it parks the request for up to `wait_ms` and returns
//  YJC_WAIT (the handler must not have written anything); the request is
//  run again whenever this service commits events, and once the wait is
//  over this returns YJC_OK: answer with what there is.
yjc_result_t yjc_ctx_wait (yjc_ctx_t *ctx, int64_t wait_ms);

#endif
