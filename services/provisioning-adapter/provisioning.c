/*  yjc-provisioning-adapter: the vendor's queue (R7, R10-R13).

    An order exists only because a bureau decision produced it (R7): the
    approval of an application (test environment), of a go-live, a change
    or a termination; the one exception is an emergency change (R12.3),
    reported by the unit or the vendor and done first.  The purge of a
    terminated system's data is ordered the day after its retention ends
    (R13.2), by the periodic tick, never before.  The vendor fetches
    (waiting for new orders, not polling), acknowledges and reports orders
    by their stable id; reporting the same result twice changes nothing,
    and a result for an unknown or closed order is refused.  Each kind's
    deadline and what its completion moves are the ORDER table of
    proto/yjc_lifecycle.def.                                             */
#include "cursor.h"
#include "obligations.h"
#include "period.h"
#include "problems.h"
#include "reminders.h"
#include "scaling.h"
#include "yjc_attachref.h"
#include "yjc_config.h"
#include "yjc_form.h"
#include "yjc_lifecycle.h"
#include "yjc_reclaim.h"
#include "yjc_server.h"
#include "yjc_time.h"

extern const yjc_migration_t yjc_provisioning_migrations[];

//  The kinds and states of orders are proto/yjc_lifecycle.def's.
#define S_KIND(k)  (yjc_orders[YJC_ORDER_##k].kind)
#define S_STATE(s) (yjc_order_states[YJC_OS_##s].code)

typedef struct {
    char order_id[33];
    char app_id[33];
    char unit[129];
    char kind[17];
    char state[17];
    char due[11];
    char due_rule[YJC_RULE_MAX];
    char request_id[33];
    yjc_pack_t resources; //  msgpack of the resources ordered
    yjc_pack_t built;     //  msgpack of the vendor's report, if any
    char reason[2001];
    char replaces[33];  //  a re-order: the failed order it replaces
    char opinion[2001]; //  a re-order: the bureau's opinion
} s_order_t;

static void
s_order_init (s_order_t *o)
{
    memset (o, 0, sizeof *o);
    yjc_pack_init (&o->resources);
    yjc_pack_init (&o->built);
}

static void
s_order_release (s_order_t *o)
{
    yjc_pack_release (&o->resources);
    yjc_pack_release (&o->built);
}

//  Serialises the writers of orders, so that the vendor's cursor sees
//  change numbers in the order they were taken (101_vendor_cursor.sql):
//  taken first by every handler that changes orders, before any row
//  lock, so that two writers never wait on each other.  Held to the
//  commit: asked once per transaction (a delivery of 200 approvals asked
//  200 times, a round trip each: issue 14).
#define S_HELD_CHANGES 1u

static yjc_result_t
s_lock_changes (yjc_ctx_t *ctx)
{
    if (ctx->held & S_HELD_CHANGES)
        return YJC_OK;
    if (yjc_db_exec (ctx->db, "SELECT orders_change_lock()", 0, NULL) < 0)
        return YJC_DB_ERROR;
    ctx->held |= S_HELD_CHANGES;
    return YJC_OK;
}

//  Loads and locks an order, if there is one.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *order_id, s_order_t *o, bool *found)
{
    const char *params[] = { order_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT app_id, unit, kind, state, coalesce(due::text, ''),"
        " coalesce(due_rule, ''), resources_mp, coalesce(built_mp, ''::bytea),"
        " coalesce(reason, ''), coalesce(request_id, '')"
        " FROM orders WHERE order_id = $1 FOR UPDATE",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        snprintf (o->order_id, sizeof o->order_id, "%s", order_id);
        yjc_db_copy (res, 0, 0, o->app_id, sizeof o->app_id);
        yjc_db_copy (res, 0, 1, o->unit, sizeof o->unit);
        yjc_db_copy (res, 0, 2, o->kind, sizeof o->kind);
        yjc_db_copy (res, 0, 3, o->state, sizeof o->state);
        yjc_db_copy (res, 0, 4, o->due, sizeof o->due);
        yjc_db_copy (res, 0, 5, o->due_rule, sizeof o->due_rule);
        yjc_pack_append (
            &o->resources, PQgetvalue (res, 0, 6), PQgetlength (res, 0, 6));
        yjc_pack_append (
            &o->built, PQgetvalue (res, 0, 7), PQgetlength (res, 0, 7));
        yjc_db_copy (res, 0, 8, o->reason, sizeof o->reason);
        yjc_db_copy (res, 0, 9, o->request_id, sizeof o->request_id);
    }
    PQclear (res);
    return YJC_OK;
}

//  The ev_order payload announcing an order's new state.
static yjc_result_t
s_emit_order (yjc_ctx_t *ctx, int event, const s_order_t *o)
{
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "order_id", o->order_id);
    yjc_map_str (&ev, "app_id", o->app_id);
    yjc_map_str (&ev, "unit", o->unit);
    yjc_map_str (&ev, "kind", o->kind);
    yjc_map_str (&ev, "state", o->state);
    if (*o->due) {
        yjc_map_str (&ev, "deadline", o->due);
        yjc_map_str (&ev, "deadline_rule", o->due_rule);
    }
    if (*o->request_id)
        yjc_map_str (&ev, "request_id", o->request_id);
    yjc_map_raw (
        &ev, "resources", o->resources.buf.data, o->resources.buf.size);
    if (o->built.buf.size)
        yjc_map_raw (&ev, "built", o->built.buf.data, o->built.buf.size);
    if (*o->reason)
        yjc_map_str (&ev, "reason", o->reason);
    if (*o->replaces)
        yjc_map_str (&ev, "replaces", o->replaces);
    if (*o->opinion)
        yjc_map_str (&ev, "opinion", o->opinion);
    yjc_result_t rc = yjc_ctx_emit_map (ctx, event, o->app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  Creates an order once per cause (the event or report that produced
//  it) and announces it; `created` is false when this cause already has
//  its order (a redelivery: o->order_id and o->state are then that
//  order's).  o->kind, app_id, unit, resources, state and request_id
//  are set by the caller; the deadline comes from the kind's rule unless
//  o->due is set.
static yjc_result_t
s_create (yjc_ctx_t *ctx,
          s_order_t *o,
          const char *cause,
          int64_t at,
          bool *created)
{
    int k = yjc_order_by_kind (o->kind);
    assert (k >= 0);
    yjc_deadline_t dl = yjc_orders[k].deadline;
    bool provisional = false, by_rule = !*o->due && dl != YJC_DL_NONE;
    if (by_rule) {
        char rule[YJC_RULE_MAX];
        yjc_ctx_due (ctx, dl, at, o->due, rule, &provisional);
        snprintf (o->due_rule, sizeof o->due_rule, "%s", *o->due ? rule : "");
    }
    //  暂定 and where the rule counts from: recomputed when the year is
    //  published (s_on_calendar); written with the row (a second UPDATE
    //  was a new version of it, and a change number, per order: issue 14)
    char from[40];
    yjc_time_format_iso (at, from);
    const char *params[] = { o->app_id,
                             o->unit,
                             o->kind,
                             o->resources.buf.data,
                             *o->due ? o->due : NULL,
                             *o->due ? o->due_rule : NULL,
                             cause,
                             ctx->now_iso,
                             o->state,
                             *o->request_id ? o->request_id : NULL,
                             S_STATE (ACKNOWLEDGED),
                             by_rule && provisional ? "t" : "f",
                             by_rule ? from : NULL };
    int lengths[] = { 0, 0, 0, (int)o->resources.buf.size, 0, 0, 0, 0, 0, 0,
                      0, 0, 0 };
    int formats[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO orders (order_id, app_id, unit, kind, resources_mp, due,"
        " due_rule, cause_event, created_at, state, request_id,"
        " acked_at, due_provisional, due_from)"
        " VALUES (yjc_new_id('O', 'order_seq'),"
        " $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " CASE WHEN $9 = $11 THEN $8::timestamptz END, $12::bool,"
        " $13::timestamptz)"
        " ON CONFLICT (cause_event) DO NOTHING RETURNING order_id, true",
        13,
        params,
        lengths,
        formats);
    if (res && PQntuples (res) == 0) {
        PQclear (res);
        res = yjc_db_query (ctx->db,
                            "SELECT order_id, false, state FROM orders"
                            " WHERE cause_event = $1",
                            1,
                            &params[6]);
    }
    if (!res || PQntuples (res) == 0) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    yjc_db_copy (res, 0, 0, o->order_id, sizeof o->order_id);
    *created = strcmp (PQgetvalue (res, 0, 1), "t") == 0 ||
               strcmp (PQgetvalue (res, 0, 1), "true") == 0;
    if (!*created)
        yjc_db_copy (res, 0, 2, o->state, sizeof o->state);
    PQclear (res);
    return *created ? s_emit_order (ctx, YJC_EV_ORDER_CREATED, o) : YJC_OK;
}

//  application.approved: R10.1 order the test environment of what was
//  granted; the application's resources are what was granted.
static yjc_result_t
s_on_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    s_order_t o;
    s_order_init (&o);
    yjc_obj_strcpy (ev->payload, "unit", o.unit, sizeof o.unit);
    snprintf (o.app_id, sizeof o.app_id, "%s", ev->app_id);
    snprintf (o.kind, sizeof o.kind, "%s", S_KIND (TEST_ENV));
    snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
    msgpack_pack_object (&o.resources.pk,
                         *yjc_obj_get (ev->payload, "granted"));
    if (s_lock_changes (ctx) != YJC_OK) {
        s_order_release (&o);
        return YJC_DB_ERROR;
    }
    const char *params[] = { o.app_id,
                             o.unit,
                             o.resources.buf.data,
                             ctx->now_iso,
                             yjc_state_code (YJC_STATE_APPROVED) };
    int lengths[] = { 0, 0, (int)o.resources.buf.size, 0, 0 };
    int formats[] = { 0, 0, 1, 0, 0 };
    //  nobody waits for it: out with the order's INSERT (issue 14)
    bool created;
    yjc_result_t rc =
        yjc_db_exec_later (
            ctx->db,
            "INSERT INTO apps (app_id, unit, state, resources_mp, updated_at)"
            " VALUES ($1, $2, $5, $3, $4) ON CONFLICT DO NOTHING",
            5,
            params,
            lengths,
            formats) == 0
            ? s_create (ctx, &o, ev->event_id, ev->at_us, &created)
            : YJC_DB_ERROR;
    if (rc == YJC_OK) //  R14.1: the period the form asked, for the go-live
        rc = period_on_approved (ctx, ev);
    s_order_release (&o);
    return rc;
}

//  The resources an application has in place, and its unit and state,
//  if it is known here.
static yjc_result_t
s_app (yjc_ctx_t *ctx,
       const char *app_id,
       s_order_t *o,
       char stage[33],
       bool *found)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, state, resources_mp FROM apps WHERE app_id = $1"
        " FOR UPDATE",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        snprintf (o->app_id, sizeof o->app_id, "%s", app_id);
        yjc_db_copy (res, 0, 0, o->unit, sizeof o->unit);
        yjc_db_copy (res, 0, 1, stage, 33);
        yjc_pack_reset (&o->resources);
        yjc_pack_append (
            &o->resources, PQgetvalue (res, 0, 2), PQgetlength (res, 0, 2));
    }
    PQclear (res);
    return YJC_OK;
}

//  request.approved: R11.1 convert to production, R12.1 change, R13.1
//  terminate.  The paperwork of an emergency change orders nothing: the
//  vendor did it already (R12.3).
static yjc_result_t
s_on_request_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17], emergency[33];
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_obj_strcpy (
        ev->payload, "emergency_order", emergency, sizeof emergency);
    //  each approved request orders its own kind, bar the paperwork of an
    //  emergency (done already) and an extension (nothing to build)
    int request = yjc_request_by_kind (kind);
    if (request == YJC_REQ_RENEW) //  R14.3: the period moves on
        return s_lock_changes (ctx) == YJC_OK ? period_on_renewed (ctx, ev)
                                              : YJC_DB_ERROR;
    const char *order_kind = request == YJC_REQ_GO_LIVE     ? S_KIND (GO_LIVE)
                             : request == YJC_REQ_TERMINATE ? S_KIND (TERMINATE)
                             : request == YJC_REQ_CHANGE && !*emergency
                                 ? S_KIND (CHANGE)
                                 : NULL;
    if (!order_kind)
        return YJC_OK;
    if (s_lock_changes (ctx) != YJC_OK)
        return YJC_DB_ERROR;
    s_order_t o;
    s_order_init (&o);
    char stage[33];
    bool found = false, created;
    yjc_result_t rc = s_app (ctx, ev->app_id, &o, stage, &found);
    if (rc == YJC_OK && !found)
        yjc_ctx_log (
            ctx, YJC_LOG_WARNING, "%s: no such application here", kind);
    else if (rc == YJC_OK) {
        snprintf (o.kind, sizeof o.kind, "%s", order_kind);
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        yjc_obj_strcpy (
            ev->payload, "request_id", o.request_id, sizeof o.request_id);
        const msgpack_object *granted = yjc_obj_get (ev->payload, "granted");
        if (request == YJC_REQ_CHANGE && granted) {
            yjc_pack_reset (&o.resources);
            msgpack_pack_object (&o.resources.pk, *granted);
        }
        rc = s_create (ctx, &o, ev->event_id, ev->at_us, &created);
    }
    s_order_release (&o);
    return rc;
}

//  reclamation.approved: R11.3 the vendor takes the lines back, as a
//  change to what is in place now minus them (review checked them; a
//  change done since takes no more than there is).
static yjc_result_t
s_on_reclamation_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    if (s_lock_changes (ctx) != YJC_OK)
        return YJC_DB_ERROR;
    s_order_t o;
    s_order_init (&o);
    char stage[33];
    bool found = false, created;
    yjc_result_t rc = s_app (ctx, ev->app_id, &o, stage, &found);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    if (rc == YJC_OK && !found)
        yjc_ctx_log (ctx, YJC_LOG_WARNING, "reclaim: no such application here");
    else if (rc == YJC_OK &&
             msgpack_unpack_next (
                 &un, o.resources.buf.data, o.resources.buf.size, NULL) !=
                 MSGPACK_UNPACK_SUCCESS)
        rc = YJC_DB_ERROR;
    else if (rc == YJC_OK) {
        yjc_problems_t unused = { 0 };
        yjc_pack_t left;
        yjc_pack_init (&left);
        yjc_reclaim_apply (&un.data,
                           yjc_obj_get (ev->payload, "lines"),
                           true,
                           &left.pk,
                           &unused);
        yjc_pack_reset (&o.resources);
        yjc_pack_append (&o.resources, left.buf.data, left.buf.size);
        yjc_pack_release (&left);
        snprintf (o.kind, sizeof o.kind, "%s", S_KIND (RECLAIM));
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        //  the decision that produced it: the reclamation (H…)
        yjc_obj_strcpy (
            ev->payload, "reclaim_id", o.request_id, sizeof o.request_id);
        rc = s_create (ctx, &o, ev->event_id, ev->at_us, &created);
    }
    msgpack_unpacked_destroy (&un);
    s_order_release (&o);
    return rc;
}

//  enforcement.ordered / enforcement.lifted: R18 the vendor cuts the
//  network, takes the system offline or suspends it, or
//  lifts it (payload `measure`); the order's deadline is YJC_ENFORCE_DAYS.
static yjc_result_t
s_on_enforcement (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17] = "";
    if (ev->type == YJC_EV_ENFORCEMENT_LIFTED)
        snprintf (kind, sizeof kind, "%s", S_KIND (LIFT));
    else
        yjc_obj_strcpy (ev->payload, "measure", kind, sizeof kind);
    int k = yjc_order_by_kind (kind);
    if (k != YJC_ORDER_CUT_NETWORK && k != YJC_ORDER_TAKE_OFFLINE &&
        k != YJC_ORDER_SUSPEND && k != YJC_ORDER_LIFT) {
        yjc_ctx_log (ctx, YJC_LOG_WARNING, "enforcement: no measure %s", kind);
        return YJC_OK;
    }
    if (s_lock_changes (ctx) != YJC_OK)
        return YJC_DB_ERROR;
    s_order_t o;
    s_order_init (&o);
    char stage[33];
    bool found = false, created;
    yjc_result_t rc = s_app (ctx, ev->app_id, &o, stage, &found);
    if (rc == YJC_OK && !found)
        yjc_ctx_log (
            ctx, YJC_LOG_WARNING, "%s: no such application here", kind);
    else if (rc == YJC_OK) {
        snprintf (o.kind, sizeof o.kind, "%s", kind);
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        //  the decision that produced it: the finding (F…)
        yjc_obj_strcpy (
            ev->payload, "finding_id", o.request_id, sizeof o.request_id);
        rc = s_create (ctx, &o, ev->event_id, ev->at_us, &created);
    }
    s_order_release (&o);
    return rc;
}

//  The order an emergency report already made, if any: its cause is the
//  reporting actor and the report's key.
static yjc_result_t
s_by_cause (yjc_ctx_t *ctx, const char *cause, s_order_t *o, bool *found)
{
    const char *params[] = { cause };
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT order_id, state, app_id FROM orders"
                                  " WHERE cause_event = $1",
                                  1,
                                  params);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        yjc_db_copy (res, 0, 0, o->order_id, sizeof o->order_id);
        yjc_db_copy (res, 0, 1, o->state, sizeof o->state);
        yjc_db_copy (res, 0, 2, o->app_id, sizeof o->app_id);
    }
    PQclear (res);
    return YJC_OK;
}

//  A new emergency order of a system in production, with its
//  emergency.reported event.
static yjc_result_t
s_emergency_new (yjc_ctx_t *ctx,
                 const msgpack_object *body,
                 const char *cause,
                 s_order_t *o,
                 bool *created)
{
    char app_id[33], description[2001], stage[33];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "description", description, sizeof description);
    //  the form's rules on its resources were checked with its shape
    //  (yjc_form_check_body)
    bool found = false;
    yjc_result_t rc = s_app (ctx, app_id, o, stage, &found);
    if (rc != YJC_OK)
        return rc;
    if (!found || !yjc_ctx_may_see (ctx, o->unit))
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", app_id);
    if (!streq (stage, yjc_state_code (YJC_STATE_PRODUCTION)))
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_STATE,
                             "body.app_id",
                             "the system is %s; an emergency change is for"
                             " a system in production",
                             stage);
    bool vendor = ctx->actor->role == YJC_ROLE_VENDOR;
    snprintf (o->kind, sizeof o->kind, "%s", S_KIND (EMERGENCY));
    snprintf (o->state,
              sizeof o->state,
              "%s",
              vendor ? S_STATE (ACKNOWLEDGED) : S_STATE (PENDING));
    yjc_pack_reset (&o->resources);
    msgpack_pack_object (&o->resources.pk, *yjc_obj_get (body, "resources"));
    rc = s_create (ctx, o, cause, ctx->now, created);
    if (rc != YJC_OK || !*created)
        return rc;
    yjc_pack_t ev;
    yjc_pack_init (&ev);
    msgpack_pack_map (&ev.pk, 6);
    yjc_pk_kv_str (&ev.pk, "order_id", o->order_id);
    yjc_pk_kv_str (&ev.pk, "app_id", o->app_id);
    yjc_pk_kv_str (&ev.pk, "unit", o->unit);
    yjc_pk_kv_str (
        &ev.pk,
        "reported_by",
        yjc_parties[vendor ? YJC_PARTY_VENDOR : YJC_PARTY_UNIT].code);
    yjc_pk_kv_str (&ev.pk, "description", description);
    yjc_pk_kv_raw (
        &ev.pk, "resources", o->resources.buf.data, o->resources.buf.size);
    rc = yjc_ctx_emit (ctx, YJC_EV_EMERGENCY_REPORTED, o->app_id, &ev);
    yjc_pack_release (&ev);
    return rc;
}

//  emergency.report - R12.3: the unit or the vendor reports (报备) an
//  emergency change of a system in production; it goes to the vendor at
//  once (already under way when the vendor reports it), and review
//  records the paperwork owed.  One order per report, however often it is
//  sent: its cause is the actor and the report's key (`report_key`, the
//  envelope id by default), so a retry with a fresh envelope id and the
//  same key returns the same order.
static yjc_result_t
s_emergency (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char key[65], app_id[33], cause[140];
    yjc_obj_strcpy (body, "report_key", key, sizeof key);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    snprintf (cause,
              sizeof cause,
              "%s:%s",
              ctx->actor->name,
              *key ? key : ctx->request_id);
    s_order_t o;
    s_order_init (&o);
    bool found = false, created = false;
    yjc_result_t rc = s_lock_changes (ctx);
    if (rc == YJC_OK)
        rc = s_by_cause (ctx, cause, &o, &found);
    if (rc == YJC_OK && found && !streq (o.app_id, app_id))
        //  one key, two reports: the second would be lost as a "retry"
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_VALUE,
                           *key ? "body.report_key" : "id",
                           "already used for %s of %s",
                           o.order_id,
                           o.app_id);
    else if (rc == YJC_OK && !found)
        rc = s_emergency_new (ctx, body, cause, &o, &created);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "order_id", o.order_id);
        yjc_pk_kv_str (ctx->reply, "state", o.state);
        yjc_pk_kv_bool (ctx->reply, "duplicate", !created);
    }
    s_order_release (&o);
    return rc;
}

//  order.fetch - with a cursor: the orders created or changed after it,
//  in the order of their changes (a cursor newer than any change, as after
//  a restore of the database, counts as none); without: every open order.
//  Either way the reply's cursor covers what was seen, and an empty answer
//  waits up to wait_ms for a change (long poll).  Change number, rows and
//  the highest number come from one snapshot: a change committed later has
//  a higher number (the writers' lock), so none is skipped.
static yjc_result_t
s_fetch (yjc_ctx_t *ctx, const msgpack_object *body)
{
    cursor_request_t req;
    if (cursor_request (ctx, body, 'c', "order.fetch", &req) != YJC_OK)
        return YJC_FAIL;
    int64_t n = req.limit, wait_ms = req.wait_ms;
    const char *params[] = { req.limit_text, req.after };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "WITH top AS (SELECT coalesce(max(changed_seq), 0) AS m FROM orders),"
        " c AS (SELECT m, CASE WHEN $2::bigint <= m THEN $2::bigint END"
        "  AS after FROM top)"
        " SELECT o.order_id, o.app_id, o.unit, o.kind, o.state,"
        " coalesce(o.due::text, ''), coalesce(o.request_id, ''),"
        " o.resources_mp, coalesce(o.replaces, ''), coalesce(o.opinion, ''),"
        " o.changed_seq::text, c.m::text"
        " FROM c LEFT JOIN LATERAL (SELECT * FROM orders WHERE"
        "  CASE WHEN c.after IS NULL THEN closed_at IS NULL"
        "  ELSE changed_seq > c.after END"
        "  ORDER BY changed_seq LIMIT $1::int) o ON true"
        " ORDER BY o.changed_seq",
        2,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQgetisnull (res, 0, 0) ? 0 : PQntuples (res);
    if (rows == 0 && yjc_ctx_wait (ctx, wait_ms) == YJC_WAIT) {
        PQclear (res);
        return YJC_WAIT;
    }
    //  cut at the limit: the rest comes next, after the last one sent
    const char *next =
        rows == n ? PQgetvalue (res, rows - 1, 10) : PQgetvalue (res, 0, 11);
    char out[24];
    cursor_format ('c', next, out);
    static const yjc_col_t cols[] = {
        { "order_id", YJC_COL_TEXT },   { "app_id", YJC_COL_TEXT },
        { "unit", YJC_COL_TEXT },       { "kind", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },      { "deadline", YJC_COL_TEXT },
        { "request_id", YJC_COL_TEXT }, { "resources", YJC_COL_MSGPACK },
        { "replaces", YJC_COL_TEXT },   { "opinion", YJC_COL_TEXT },
    };
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_str (ctx->reply, "orders");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++)
        yjc_pk_row (ctx->reply, res, i, cols, 10);
    yjc_pk_kv_str (ctx->reply, "cursor", out);
    PQclear (res);
    return YJC_OK;
}

//  order.get - one order with its history: when it was created, taken
//  and closed, its deadline and rule, what was built or why it failed,
//  and for a re-order (R7) the failed order it replaces and the bureau's
//  opinion.  A unit sees only its own (another's is not_found).
static yjc_result_t
s_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char order_id[33];
    yjc_obj_strcpy (body, "order_id", order_id, sizeof order_id);
    const char *params[] = { order_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT o.unit, o.order_id, o.app_id, o.kind, o.state,"
        " to_char(o.created_at, 'YYYY-MM-DD HH24:MI:SS'),"
        " coalesce(to_char(o.acked_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
        " coalesce(to_char(o.closed_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
        " coalesce(o.due::text, ''), coalesce(o.due_rule, ''),"
        " coalesce(o.request_id, ''), o.resources_mp,"
        " coalesce(o.built_mp, ''::bytea), coalesce(o.reason, ''),"
        " coalesce(o.replaces, ''), coalesce(o.opinion, ''),"
        " coalesce((SELECT r.order_id FROM orders r"
        "  WHERE r.replaces = o.order_id), '')"
        " FROM orders o WHERE o.order_id = $1",
        1,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.order_id", order_id);
    if (rc != YJC_OK)
        return rc;
    static const yjc_col_t cols[] = {
        { "unit", YJC_COL_TEXT },        { "order_id", YJC_COL_TEXT },
        { "app_id", YJC_COL_TEXT },      { "kind", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },       { "created_at", YJC_COL_TEXT },
        { "acked_at", YJC_COL_TEXT },    { "closed_at", YJC_COL_TEXT },
        { "deadline", YJC_COL_TEXT },    { "deadline_rule", YJC_COL_TEXT },
        { "request_id", YJC_COL_TEXT },  { "resources", YJC_COL_MSGPACK },
        { "built", YJC_COL_MSGPACK },    { "reason", YJC_COL_TEXT },
        { "replaces", YJC_COL_TEXT },    { "opinion", YJC_COL_TEXT },
        { "replaced_by", YJC_COL_TEXT },
    };
    yjc_pk_row (ctx->reply, res, 0, cols, 17);
    PQclear (res);
    return YJC_OK;
}

//  order.overdue - open orders past their deadline (the vendor owes
//  them), with how many working days late; a unit sees its own.
static yjc_result_t
s_overdue (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t n = 200;
    yjc_obj_int (body, "limit", &n);
    char limit[16], today[11];
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { today,
                             ctx->actor->role == YJC_ROLE_UNIT
                                 ? ctx->actor->unit
                                 : NULL,
                             limit };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT order_id, app_id, unit, kind, state, due::text, due_rule,"
        " due_provisional FROM orders WHERE closed_at IS NULL"
        " AND due < $1::date AND ($2::text IS NULL OR unit = $2)"
        " ORDER BY orders.due, order_id LIMIT $3::int",
        3,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "order_id", YJC_COL_TEXT }, { "app_id", YJC_COL_TEXT },
        { "unit", YJC_COL_TEXT },     { "kind", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },    { "due", YJC_COL_TEXT },
        { "rule", YJC_COL_TEXT },
    };
    int rows = PQntuples (res);
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_str (ctx->reply, "overdue");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++) {
        msgpack_pack_map (ctx->reply, 10);
        yjc_pk_columns (ctx->reply, res, i, cols, 7);
        yjc_pk_kv_bool (
            ctx->reply, "provisional", *PQgetvalue (res, i, 7) == 't');
        yjc_pk_kv_str (
            ctx->reply, "owed_by", yjc_parties[YJC_PARTY_VENDOR].code);
        yjc_ctx_pack_late (ctx, ctx->reply, PQgetvalue (res, i, 5));
    }
    PQclear (res);
    return YJC_OK;
}

static void
s_reply_order (yjc_ctx_t *ctx,
               const char *order_id,
               const char *state,
               bool duplicate)
{
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_str (ctx->reply, "order_id", order_id);
    yjc_pk_kv_str (ctx->reply, "state", state);
    yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
}

static yjc_result_t s_schedule_purges (yjc_ctx_t *ctx, bool quiet);

//  A done order changes what the application has in place: its stage,
//  and for a change its resources; a termination starts the retention
//  period (R13.2) whose end the tick turns into the purge order.
static yjc_result_t
s_done (yjc_ctx_t *ctx, const s_order_t *o)
{
    int k = yjc_order_by_kind (o->kind);
    assert (k >= 0);
    //  a change (emergency or not) leaves the resources it built
    bool resized = k == YJC_ORDER_CHANGE || k == YJC_ORDER_EMERGENCY ||
                   k == YJC_ORDER_RECLAIM;
    const char *params[] = { o->app_id,
                             yjc_state_code (yjc_orders[k].done_state),
                             resized ? o->resources.buf.data : NULL,
                             ctx->now_iso };
    int lengths[] = { 0, 0, resized ? (int)o->resources.buf.size : 0, 0 };
    int formats[] = { 0, 0, 1, 0 };
    PGresult *res =
        yjc_db_query_bin (ctx->db,
                          "UPDATE apps SET state = coalesce($2, state),"
                          " resources_mp = coalesce($3, resources_mp),"
                          " updated_at = $4 WHERE app_id = $1",
                          4,
                          params,
                          lengths,
                          formats);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    if (k == YJC_ORDER_GO_LIVE) //  R14.1: the usage period starts
        return period_start (ctx, o->app_id);
    if (k != YJC_ORDER_TERMINATE && k != YJC_ORDER_OFFLINE)
        return YJC_OK;
    //  R14.4: the backup of a system taken offline is kept as R13.2's data
    yjc_deadline_t keep =
        k == YJC_ORDER_OFFLINE ? YJC_DL_BACKUP : YJC_DL_RETENTION;
    const char *rparams[] = { o->app_id,
                              ctx->now_iso,
                              yjc_deadlines[keep].rule,
                              yjc_deadlines[keep].code };
    if (yjc_db_exec (ctx->db,
                     "INSERT INTO retention (app_id, terminated_at, rule,"
                     " keep) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                     4,
                     rparams) < 0)
        return YJC_DB_ERROR;
    return s_schedule_purges (ctx, false);
}

//  R13.2: the end of every retention that has none yet, 3 months from
//  termination (month rule, then the next working day), announced with
//  the day the purge is ordered: the day after, since the data is kept
//  to 24:00 of the last day.  An end in a year the calendar does not
//  cover stays open (logged once): the data is kept, never purged on a
//  guess.
static yjc_result_t
s_schedule_purges (yjc_ctx_t *ctx, bool quiet)
{
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT r.app_id, a.unit,"
        " (r.terminated_at AT TIME ZONE 'Asia/Shanghai')::date::text,"
        " coalesce(r.keep, '') FROM retention r"
        " JOIN apps a USING (app_id) WHERE r.kept_until IS NULL"
        " ORDER BY r.terminated_at LIMIT 50 FOR UPDATE OF r",
        0,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    const yjc_calendar_t *cal = yjc_ctx_calendar (ctx);
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        const char *app_id = PQgetvalue (res, i, 0);
        //  R13.2's retention, or R14.4's backup
        int dl = yjc_deadline_by_code (PQgetvalue (res, i, 3));
        const yjc_deadline_def_t *keep =
            &yjc_deadlines[dl == YJC_DL_BACKUP ? YJC_DL_BACKUP
                                               : YJC_DL_RETENTION];
        char kept_until[11] = "", purge_on[11] = "", err[128] = "";
        bool provisional = false;
        yjc_date_t terminated, last;
        if (yjc_date_parse (PQgetvalue (res, i, 2), &terminated) == 0 &&
            yjc_calendar_period_end (cal,
                                     terminated,
                                     keep->count,
                                     keep->unit,
                                     &last,
                                     err,
                                     sizeof err) == 0) {
            yjc_date_format (last, kept_until);
            yjc_date_format (yjc_date_add_days (last, 1), purge_on);
            provisional = yjc_calendar_provisional_span (cal, terminated, last);
        }
        if (!*kept_until) {
            //  kept, tried again by the tick (said once, at termination)
            if (!quiet)
                yjc_ctx_log_app (ctx,
                                 app_id,
                                 YJC_LOG_WARNING,
                                 "end of retention open: %s",
                                 err);
            continue;
        }
        const char *params[] = { app_id, kept_until, provisional ? "t" : "f" };
        if (yjc_db_exec (ctx->db,
                         "UPDATE retention SET kept_until = $2::date,"
                         " provisional = $3::bool WHERE app_id = $1",
                         3,
                         params) < 0) {
            rc = YJC_DB_ERROR;
            break;
        }
        yjc_pack_t ev;
        yjc_pack_init (&ev);
        msgpack_pack_map (&ev.pk, 5);
        yjc_pk_kv_str (&ev.pk, "app_id", app_id);
        yjc_pk_kv_str (&ev.pk, "unit", PQgetvalue (res, i, 1));
        yjc_pk_kv_str (&ev.pk, "kept_until", kept_until);
        yjc_pk_kv_str (&ev.pk, "purge_on", purge_on);
        yjc_pk_kv_str (&ev.pk, "rule", keep->rule);
        rc = yjc_ctx_emit (ctx, YJC_EV_RETENTION_SCHEDULED, app_id, &ev);
        yjc_pack_release (&ev);
    }
    PQclear (res);
    return rc;
}

yjc_result_t
provisioning_order (yjc_ctx_t *ctx,
                    const char *app_id,
                    int kind,
                    const char *cause,
                    int64_t at,
                    const char *due,
                    const char *rule,
                    char order_id[33],
                    bool *created)
{
    s_order_t o;
    s_order_init (&o);
    char stage[33];
    bool found = false;
    *created = false;
    *order_id = 0;
    yjc_result_t rc = s_app (ctx, app_id, &o, stage, &found);
    if (rc == YJC_OK && found) {
        snprintf (o.kind, sizeof o.kind, "%s", yjc_orders[kind].kind);
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        snprintf (o.due, sizeof o.due, "%s", due);
        snprintf (o.due_rule, sizeof o.due_rule, "%s", rule);
        rc = s_create (ctx, &o, cause, at, created);
        snprintf (order_id, 33, "%s", o.order_id);
    }
    s_order_release (&o);
    return rc;
}

//  application.offline_approved: R14.4 (period.c), after the writers'
//  lock
static yjc_result_t
s_on_offline (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    return s_lock_changes (ctx) == YJC_OK ? period_on_offline_approved (ctx, ev)
                                          : YJC_DB_ERROR;
}

//  The tick: R13.2 orders the purge of every retention that ended before
//  today (kept to 24:00 of its last day, so the order comes from 00:00 of
//  the next); its deadline is counted from that next day by the purge
//  order's rule.  The date is compared with the clock in the statement,
//  and a purge order has one cause per application: never early, never
//  twice.
static yjc_result_t
s_tick (yjc_ctx_t *ctx)
{
    yjc_result_t rc = s_lock_changes (ctx);
    if (rc == YJC_OK)
        rc = s_schedule_purges (ctx, true);
    if (rc == YJC_OK) //  R14: notices and expiries
        rc = period_tick (ctx);
    if (rc != YJC_OK)
        return rc;
    char today[11];
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { today };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT r.app_id, a.unit, r.kept_until::text, a.resources_mp"
        " FROM retention r JOIN apps a USING (app_id)"
        " WHERE r.purge_order IS NULL AND r.kept_until < $1::date"
        " ORDER BY r.kept_until LIMIT 50 FOR UPDATE OF r",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        s_order_t o;
        s_order_init (&o);
        snprintf (o.app_id, sizeof o.app_id, "%s", PQgetvalue (res, i, 0));
        snprintf (o.unit, sizeof o.unit, "%s", PQgetvalue (res, i, 1));
        snprintf (o.kind, sizeof o.kind, "%s", S_KIND (PURGE));
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        yjc_pack_append (&o.resources,
                         PQgetvalue (res, i, 3),
                         (size_t)PQgetlength (res, i, 3));
        //  the period starts the day after the last day kept
        yjc_date_t last;
        int64_t from = ctx->now;
        if (yjc_date_parse (PQgetvalue (res, i, 2), &last) == 0)
            from = yjc_date_start_us (last);
        char cause[64];
        snprintf (cause, sizeof cause, "purge:%s", o.app_id);
        bool created;
        rc = s_create (ctx, &o, cause, from, &created);
        const char *uparams[] = { o.app_id, o.order_id };
        if (rc == YJC_OK && yjc_db_exec (ctx->db,
                                         "UPDATE retention SET purge_order = $2"
                                         " WHERE app_id = $1",
                                         2,
                                         uparams) < 0)
            rc = YJC_DB_ERROR;
        s_order_release (&o);
    }
    PQclear (res);
    return rc == YJC_OK ? reminders_tick (ctx) : rc;
}

//  The vendor's step on an order.  Its state machine, as a table:
typedef struct {
    int msg;
    yjc_order_state_t from[2]; //  states it applies to
    yjc_order_state_t to;
    int event;
} s_step_t;

#define S_CODE(os) (yjc_order_states[os].code)

static const s_step_t s_steps[] = {
    { YJC_MSG_ORDER_ACK,
      { YJC_OS_PENDING, YJC_OS_PENDING },
      YJC_OS_ACKNOWLEDGED,
      YJC_EV_ORDER_ACKNOWLEDGED },
    { YJC_MSG_ORDER_COMPLETE,
      { YJC_OS_PENDING, YJC_OS_ACKNOWLEDGED },
      YJC_OS_DONE,
      YJC_EV_ORDER_COMPLETED },
    { YJC_MSG_ORDER_FAIL,
      { YJC_OS_PENDING, YJC_OS_ACKNOWLEDGED },
      YJC_OS_FAILED,
      YJC_EV_ORDER_FAILED },
};

static yjc_result_t
s_apply_step (yjc_ctx_t *ctx,
              const s_step_t *step,
              const msgpack_object *body,
              s_order_t *o)
{
    yjc_pack_reset (&o->built);
    const msgpack_object *built = yjc_obj_get (body, "built");
    if (built)
        msgpack_pack_object (&o->built.pk, *built);
    //  R14.2: a notice is completed with when, how and to whom it was given
    if (step->event == YJC_EV_ORDER_COMPLETED &&
        yjc_order_by_kind (o->kind) == YJC_ORDER_EXPIRY_NOTICE) {
        yjc_result_t nrc = period_notice_built (ctx, body, &o->built);
        if (nrc != YJC_OK)
            return nrc;
    }
    yjc_obj_strcpy (body, "reason", o->reason, sizeof o->reason);
    snprintf (o->state, sizeof o->state, "%s", S_CODE (step->to));
    bool closing = step->to != YJC_OS_ACKNOWLEDGED;
    const char *params[] = { o->order_id,
                             S_CODE (step->to),
                             ctx->now_iso,
                             built ? o->built.buf.data : NULL,
                             *o->reason ? o->reason : NULL,
                             closing ? "true" : "false" };
    int lengths[] = { 0, 0, 0, (int)o->built.buf.size, 0, 0 };
    int formats[] = { 0, 0, 0, 1, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "UPDATE orders SET state = $2,"
        " acked_at = CASE WHEN $6::bool THEN acked_at"
        "  ELSE $3::timestamptz END,"
        " closed_at = CASE WHEN $6::bool THEN $3::timestamptz END,"
        " built_mp = coalesce($4, built_mp), reason = $5"
        " WHERE order_id = $1",
        6,
        params,
        lengths,
        formats);
    yjc_result_t rc = res ? YJC_OK : YJC_DB_ERROR;
    PQclear (res);
    if (rc == YJC_OK && step->event == YJC_EV_ORDER_COMPLETED)
        rc = s_done (ctx, o);
    if (rc == YJC_OK)
        rc = s_emit_order (ctx, step->event, o);
    if (rc == YJC_OK)
        s_reply_order (ctx, o->order_id, S_CODE (step->to), false);
    return rc;
}

static yjc_result_t
s_step (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const s_step_t *step = NULL;
    for (size_t i = 0; i < sizeof s_steps / sizeof *s_steps; i++)
        if (s_steps[i].msg == ctx->msg_type)
            step = &s_steps[i];
    char order_id[33];
    yjc_obj_strcpy (body, "order_id", order_id, sizeof order_id);
    s_order_t o;
    s_order_init (&o);
    bool found = false;
    yjc_result_t rc = s_lock_changes (ctx);
    if (rc == YJC_OK)
        rc = s_load (ctx, order_id, &o, &found);
    if (rc == YJC_OK && !found)
        rc = yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.order_id", "%s", order_id);
    else if (rc == YJC_OK && streq (o.state, S_CODE (step->to)))
        //  The vendor retried: same result, nothing changes.
        s_reply_order (ctx, order_id, o.state, true);
    else if (rc == YJC_OK && !streq (o.state, S_CODE (step->from[0])) &&
             !streq (o.state, S_CODE (step->from[1])))
        rc = yjc_ctx_fail (
            ctx, YJC_E_INVALID_STATE, "body.order_id", "order is %s", o.state);
    else if (rc == YJC_OK)
        rc = s_apply_step (ctx, step, body, &o);
    s_order_release (&o);
    return rc;
}

//  order.reorder - R7: what the vendor failed is ordered again only when
//  the bureau decides so: a new order of the same kind and resources, its
//  deadline counted from now, naming the failed order it replaces and the
//  bureau's opinion; once per failed order.
static yjc_result_t
s_reorder (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char order_id[33];
    yjc_obj_strcpy (body, "order_id", order_id, sizeof order_id);
    s_order_t o;
    s_order_init (&o);
    bool found = false, created = false;
    yjc_result_t rc = s_lock_changes (ctx);
    if (rc == YJC_OK)
        rc = s_load (ctx, order_id, &o, &found);
    if (rc == YJC_OK && !found)
        rc = yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.order_id", "%s", order_id);
    else if (rc == YJC_OK && !streq (o.state, S_STATE (FAILED)))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.order_id",
                           "order is %s; only a failed order is ordered again",
                           o.state);
    else if (rc == YJC_OK) {
        char cause[64];
        snprintf (cause, sizeof cause, "reorder:%s", order_id);
        snprintf (o.state, sizeof o.state, "%s", S_STATE (PENDING));
        snprintf (o.replaces, sizeof o.replaces, "%s", order_id);
        yjc_obj_strcpy (body, "opinion", o.opinion, sizeof o.opinion);
        o.due[0] = o.due_rule[0] = o.reason[0] = 0;
        yjc_pack_reset (&o.built);
        rc = s_create (ctx, &o, cause, ctx->now, &created);
        const char *params[] = { o.order_id,
                                 o.replaces,
                                 *o.opinion ? o.opinion : NULL };
        if (rc == YJC_OK && created &&
            yjc_db_exec (ctx->db,
                         "UPDATE orders SET replaces = $2, opinion = $3"
                         " WHERE order_id = $1",
                         3,
                         params) < 0)
            rc = YJC_DB_ERROR;
        if (rc == YJC_OK) {
            msgpack_pack_map (ctx->reply, 3);
            yjc_pk_kv_str (ctx->reply, "order_id", o.order_id);
            yjc_pk_kv_str (ctx->reply, "failed_order", order_id);
            yjc_pk_kv_bool (ctx->reply, "duplicate", !created);
        }
    }
    s_order_release (&o);
    return rc;
}

//  calendar.published: review's publication of a year, stored here and
//  counted on from now; every open order's deadline and every retention
//  not yet purged that rests on the year is recomputed from its start
//  (time rules: provisional until published).
static yjc_result_t
s_on_calendar (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    int64_t pub_id = 0, year = 0;
    char kind[8], by[65], at[41];
    yjc_obj_int (ev->payload, "pub_id", &pub_id);
    yjc_obj_int (ev->payload, "year", &year);
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_obj_strcpy (ev->payload, "published_by", by, sizeof by);
    yjc_obj_strcpy (ev->payload, "published_at", at, sizeof at);
    //  moved deadlines are changes the vendor's cursor shows: lock first
    yjc_result_t rc = s_lock_changes (ctx);
    if (rc != YJC_OK)
        return rc;
    rc = yjc_ctx_calendar_store (ctx,
                                 &pub_id,
                                 (int)year,
                                 kind,
                                 yjc_obj_get (ev->payload, "days"),
                                 by,
                                 at);
    if (rc != YJC_OK)
        return rc;
    char y[12];
    snprintf (y, sizeof y, "%lld", (long long)year);
    const char *params[] = { y };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT order_id, kind, (extract(epoch FROM due_from) * 1000000)"
        "::bigint, coalesce(due::text, ''), due_provisional FROM orders"
        " WHERE closed_at IS NULL AND due_from IS NOT NULL"
        " AND (due_provisional OR due >= make_date($1::int, 1, 1))"
        " AND due_from < make_date($1::int + 1, 1, 1) FOR UPDATE",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        int k = yjc_order_by_kind (PQgetvalue (res, i, 1));
        if (k < 0 || yjc_orders[k].deadline == YJC_DL_NONE)
            continue;
        char due[11], rule[YJC_RULE_MAX];
        bool provisional;
        yjc_ctx_due (ctx,
                     yjc_orders[k].deadline,
                     strtoll (PQgetvalue (res, i, 2), NULL, 10),
                     due,
                     rule,
                     &provisional);
        const char *uparams[] = { PQgetvalue (res, i, 0),
                                  *due ? due : NULL,
                                  provisional ? "t" : "f" };
        if (yjc_db_exec (ctx->db,
                         "UPDATE orders SET due = $2::date,"
                         " due_provisional = $3::bool WHERE order_id = $1",
                         3,
                         uparams) < 0)
            rc = YJC_DB_ERROR;
        else if (!streq (due, PQgetvalue (res, i, 3)))
            yjc_ctx_log (ctx,
                         YJC_LOG_INFO,
                         "order %s: deadline %s -> %s (calendar %s)",
                         PQgetvalue (res, i, 0),
                         PQgetvalue (res, i, 3),
                         due,
                         y);
    }
    PQclear (res);
    //  retention: its end is set again by the schedule (same rule)
    if (rc == YJC_OK &&
        yjc_db_exec (ctx->db,
                     "UPDATE retention SET kept_until = NULL"
                     " WHERE purge_order IS NULL AND kept_until IS NOT NULL"
                     " AND (provisional OR kept_until >= make_date($1::int,"
                     " 1, 1))",
                     1,
                     params) < 0)
        rc = YJC_DB_ERROR;
    if (rc == YJC_OK)
        rc = s_schedule_purges (ctx, true);
    return rc == YJC_OK ? period_on_calendar (ctx, (int)year) : rc;
}

static const yjc_service_def_t s_provisioning = {
    .service = YJC_SVC_PROVISIONING,
    .migrations = yjc_provisioning_migrations,
    .handlers = { [YJC_MSG_ORDER_FETCH] = s_fetch,
                  [YJC_MSG_ORDER_ACK] = s_step,
                  [YJC_MSG_ORDER_COMPLETE] = s_step,
                  [YJC_MSG_ORDER_FAIL] = s_step,
                  [YJC_MSG_ORDER_OVERDUE] = s_overdue,
                  [YJC_MSG_EMERGENCY_REPORT] = s_emergency,
                  [YJC_MSG_ORDER_REORDER] = s_reorder,
                  [YJC_MSG_ORDER_GET] = s_get,
                  [YJC_MSG_SCALING_REPORT] = scaling_report,
                  //  R15: problem reports (problems.c)
                  [YJC_MSG_PROBLEM_REPORT] = problems_report,
                  [YJC_MSG_PROBLEM_FETCH] = problems_fetch,
                  [YJC_MSG_PROBLEM_ACK] = problems_step,
                  [YJC_MSG_PROBLEM_RESOLVE] = problems_step,
                  [YJC_MSG_PROBLEM_LIST] = problems_list,
                  [YJC_MSG_OBLIGATION_SUBMIT] = obligations_submit,
                  [YJC_MSG_COMPLIANCE_REPORT] = obligations_report,
                  [YJC_MSG_OBLIGATION_OVERDUE] = obligations_overdue },
    .on_event = { [YJC_EV_CALENDAR_PUBLISHED] = s_on_calendar,
                  [YJC_EV_APPLICATION_APPROVED] = s_on_approved,
                  [YJC_EV_REQUEST_APPROVED] = s_on_request_approved,
                  [YJC_EV_ELASTIC_APPROVED] = scaling_on_elastic,
                  [YJC_EV_RECLAMATION_APPROVED] = s_on_reclamation_approved,
                  [YJC_EV_APPLICATION_OFFLINE_APPROVED] = s_on_offline,
                  [YJC_EV_ENFORCEMENT_ORDERED] = s_on_enforcement, //  R18
                  [YJC_EV_ENFORCEMENT_LIFTED] = s_on_enforcement,
                  //  R15: the attachments a problem report may name
                  [YJC_EV_ATTACHMENT_STORED] = yjc_attachref_learn },
    .on_tick = s_tick,
    .vendor_endpoint = true,
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_provisioning, argc, argv);
}
