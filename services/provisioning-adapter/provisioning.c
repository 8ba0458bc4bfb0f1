/*  yjc-provisioning-adapter: the vendor's queue (R7, R10.1).

    An order exists only because a bureau decision produced it (R7): it is
    created from application.approved, never from a request.  The vendor
    fetches, acknowledges and reports orders by their stable id; reporting
    the same result twice changes nothing, and a result for an unknown or
    closed order is refused.                                             */
#include "yjc_server.h"
#include "yjc_time.h"

extern const yjc_migration_t yjc_provisioning_migrations[];

#define DELIVER_DAYS 3 //  R10.1: test environment within 3 working days

typedef struct {
    char app_id[33];
    char unit[129];
    char kind[17];
    char state[17];
    char due[11];
    char due_rule[65];
    yjc_pack_t resources; //  msgpack of the granted resources
    yjc_pack_t built;     //  msgpack of the vendor's report, if any
    char reason[2001];
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

static void
s_copy (PGresult *res, int col, char *buf, size_t size)
{
    snprintf (
        buf, size, "%.*s", PQgetlength (res, 0, col), PQgetvalue (res, 0, col));
}

//  Loads and locks an order: 1 found, 0 not, or YJC_DB_ERROR.
static int
s_load (yjc_ctx_t *ctx, const char *order_id, s_order_t *o)
{
    const char *params[] = { order_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT app_id, unit, kind, state, coalesce(due::text, ''),"
        " coalesce(due_rule, ''), resources_mp, coalesce(built_mp, ''::bytea),"
        " coalesce(reason, '')"
        " FROM orders WHERE order_id = $1 FOR UPDATE",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    int found = PQntuples (res);
    if (found) {
        s_copy (res, 0, o->app_id, sizeof o->app_id);
        s_copy (res, 1, o->unit, sizeof o->unit);
        s_copy (res, 2, o->kind, sizeof o->kind);
        s_copy (res, 3, o->state, sizeof o->state);
        s_copy (res, 4, o->due, sizeof o->due);
        s_copy (res, 5, o->due_rule, sizeof o->due_rule);
        yjc_pack_append (
            &o->resources, PQgetvalue (res, 0, 6), PQgetlength (res, 0, 6));
        yjc_pack_append (
            &o->built, PQgetvalue (res, 0, 7), PQgetlength (res, 0, 7));
        s_copy (res, 8, o->reason, sizeof o->reason);
    }
    PQclear (res);
    return found;
}

//  The ev_order payload announcing an order's new state.
static int
s_emit_order (yjc_ctx_t *ctx,
              int event,
              const char *order_id,
              const s_order_t *o)
{
    yjc_pack_t ev;
    yjc_pack_init (&ev);
    msgpack_packer *pk = &ev.pk;
    bool due = *o->due, built = o->built.buf.size > 0, reason = *o->reason;
    msgpack_pack_map (pk,
                      6 + (due ? 2 : 0) + (built ? 1 : 0) + (reason ? 1 : 0));
    yjc_pk_kv_str (pk, "order_id", order_id);
    yjc_pk_kv_str (pk, "app_id", o->app_id);
    yjc_pk_kv_str (pk, "unit", o->unit);
    yjc_pk_kv_str (pk, "kind", o->kind);
    yjc_pk_kv_str (pk, "state", o->state);
    if (due) {
        yjc_pk_kv_str (pk, "deadline", o->due);
        yjc_pk_kv_str (pk, "deadline_rule", o->due_rule);
    }
    yjc_pk_kv_raw (
        pk, "resources", o->resources.buf.data, o->resources.buf.size);
    if (built)
        yjc_pk_kv_raw (pk, "built", o->built.buf.data, o->built.buf.size);
    if (reason)
        yjc_pk_kv_str (pk, "reason", o->reason);
    int rc = yjc_ctx_emit (ctx, event, o->app_id, &ev);
    yjc_pack_release (&ev);
    return rc;
}

//  application.approved: R10.1 order the test environment of what was
//  granted, due 3 working days after the approval.
static int
s_on_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    s_order_t o;
    s_order_init (&o);
    yjc_obj_strcpy (ev->payload, "unit", o.unit, sizeof o.unit);
    snprintf (o.app_id, sizeof o.app_id, "%s", ev->app_id);
    snprintf (o.kind, sizeof o.kind, "test_env");
    snprintf (o.state, sizeof o.state, "pending");
    int64_t at = ctx->now;
    yjc_time_parse_iso (ev->at, &at);
    yjc_date_t due;
    char err[128];
    if (yjc_calendar_add_workdays (ctx->calendar,
                                   yjc_time_local_date (at),
                                   DELIVER_DAYS,
                                   &due,
                                   err,
                                   sizeof err) == 0) {
        yjc_date_format (due, o.due);
        snprintf (o.due_rule,
                  sizeof o.due_rule,
                  "R10.1 审核通过后3个工作日内提供测试环境");
    }
    else
        zsys_warning ("order deadline not computed: %s", err);
    msgpack_pack_object (&o.resources.pk,
                         *yjc_obj_get (ev->payload, "granted"));
    const char *params[] = { o.app_id,
                             o.unit,
                             o.kind,
                             o.resources.buf.data,
                             *o.due ? o.due : NULL,
                             *o.due ? o.due_rule : NULL,
                             ev->event_id,
                             ctx->now_iso };
    int lengths[] = { 0, 0, 0, (int)o.resources.buf.size, 0, 0, 0, 0 };
    int formats[] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO orders (order_id, app_id, unit, kind, resources_mp, due,"
        " due_rule, cause_event, created_at)"
        " VALUES ((SELECT 'O' || lpad(n::text, greatest(6, length(n::text)), "
        "'0')"
        " FROM nextval('order_seq') AS n),"
        " $1, $2, $3, $4, $5, $6, $7, $8) RETURNING order_id",
        8,
        params,
        lengths,
        formats);
    int rc = YJC_DB_ERROR;
    if (res) {
        char order_id[33];
        s_copy (res, 0, order_id, sizeof order_id);
        PQclear (res);
        rc = s_emit_order (ctx, YJC_EV_ORDER_CREATED, order_id, &o);
    }
    s_order_release (&o);
    return rc;
}

//  order.fetch - the vendor's open orders, oldest first.
static int
s_fetch (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t n = 20;
    yjc_obj_int (body, "limit", &n);
    char limit[16];
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    const char *params[] = { limit };
    PGresult *res =
        yjc_db_query_raw (ctx->db,
                          "SELECT order_id, app_id, unit, kind, state,"
                          " coalesce(due::text, ''), resources_mp FROM orders"
                          " WHERE state IN ('pending', 'acknowledged')"
                          " ORDER BY created_at, order_id LIMIT $1::int",
                          1,
                          params,
                          NULL,
                          NULL);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "order_id", YJC_COL_TEXT },     { "app_id", YJC_COL_TEXT },
        { "unit", YJC_COL_TEXT },         { "kind", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },        { "deadline", YJC_COL_TEXT },
        { "resources", YJC_COL_MSGPACK },
    };
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "orders", res, cols, 7);
    PQclear (res);
    return 0;
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

//  The vendor's step on an order.  Its state machine, as a table:
typedef struct {
    int msg;
    const char *from[2]; //  states it applies to
    const char *to;
    int event;
} s_step_t;

static const s_step_t s_steps[] = {
    { YJC_MSG_ORDER_ACK,
      { "pending", NULL },
      "acknowledged",
      YJC_EV_ORDER_ACKNOWLEDGED },
    { YJC_MSG_ORDER_COMPLETE,
      { "pending", "acknowledged" },
      "done",
      YJC_EV_ORDER_COMPLETED },
    { YJC_MSG_ORDER_FAIL,
      { "pending", "acknowledged" },
      "failed",
      YJC_EV_ORDER_FAILED },
};

static int
s_step (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int msg = ctx->msg_type;
    const s_step_t *step = NULL;
    for (size_t i = 0; i < sizeof s_steps / sizeof *s_steps; i++)
        if (s_steps[i].msg == msg)
            step = &s_steps[i];
    char order_id[33];
    yjc_obj_strcpy (body, "order_id", order_id, sizeof order_id);
    s_order_t o;
    s_order_init (&o);
    int rc = s_load (ctx, order_id, &o);
    if (rc == 0)
        rc = yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.order_id", "%s", order_id);
    else if (rc > 0 && strcmp (o.state, step->to) == 0) {
        //  The vendor retried: same result, nothing changes.
        s_reply_order (ctx, order_id, o.state, true);
        rc = 0;
    }
    else if (rc > 0 && !streq (o.state, step->from[0]) &&
             !(step->from[1] && streq (o.state, step->from[1])))
        rc = yjc_ctx_fail (
            ctx, YJC_E_INVALID_STATE, "body.order_id", "order is %s", o.state);
    else if (rc > 0) {
        yjc_pack_reset (&o.built);
        const msgpack_object *built = yjc_obj_get (body, "built");
        if (built)
            msgpack_pack_object (&o.built.pk, *built);
        yjc_obj_strcpy (body, "reason", o.reason, sizeof o.reason);
        snprintf (o.state, sizeof o.state, "%s", step->to);
        const char *params[] = { order_id,
                                 step->to,
                                 ctx->now_iso,
                                 built ? o.built.buf.data : NULL,
                                 *o.reason ? o.reason : NULL };
        int lengths[] = { 0, 0, 0, (int)o.built.buf.size, 0 };
        int formats[] = { 0, 0, 0, 1, 0 };
        PGresult *res = yjc_db_query_bin (
            ctx->db,
            "UPDATE orders SET state = $2,"
            " acked_at = CASE WHEN $2 = 'acknowledged' THEN $3::timestamptz"
            "  ELSE acked_at END,"
            " closed_at = CASE WHEN $2 IN ('done', 'failed')"
            "  THEN $3::timestamptz END,"
            " built_mp = coalesce($4, built_mp), reason = $5"
            " WHERE order_id = $1",
            5,
            params,
            lengths,
            formats);
        rc = res ? 0 : YJC_DB_ERROR;
        PQclear (res);
        if (rc == 0)
            rc = s_emit_order (ctx, step->event, order_id, &o);
        if (rc == 0)
            s_reply_order (ctx, order_id, step->to, false);
    }
    s_order_release (&o);
    return rc;
}

static const yjc_service_def_t s_provisioning = {
    .service = YJC_SVC_PROVISIONING,
    .migrations = yjc_provisioning_migrations,
    .handlers = { [YJC_MSG_ORDER_FETCH] = s_fetch,
                  [YJC_MSG_ORDER_ACK] = s_step,
                  [YJC_MSG_ORDER_COMPLETE] = s_step,
                  [YJC_MSG_ORDER_FAIL] = s_step },
    .on_event = { [YJC_EV_APPLICATION_APPROVED] = s_on_approved },
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_provisioning, argc, argv);
}
