/*  yjc-billing: the ledger of allocated resources (R17).

    Each delivery the vendor reports opens an interval: what was granted,
    from when.  Prices and the annual bill come later; the ledger already
    holds what they need.                                                */
#include "idle.h"
#include "metering.h"
#include "rating.h"
#include "utilization.h"
#include "yjc_json.h"
#include "yjc_server.h"

extern const yjc_migration_t yjc_billing_migrations[];

static yjc_result_t s_open (yjc_ctx_t *ctx,
                            const yjc_event_in_t *ev,
                            const char *stage);

//  Resource lines of a grant: each host configuration, database, and each
//  non-empty quantity counts one.  Used to show what an interval holds.
static int
s_count_lines (const msgpack_object *resources)
{
    int lines = 0;
    for (uint32_t i = 0; resources && i < resources->via.map.size; i++) {
        const msgpack_object *v = &resources->via.map.ptr[i].val;
        if (v->type == MSGPACK_OBJECT_ARRAY)
            lines += (int)v->via.array.size;
        else if (v->type == MSGPACK_OBJECT_MAP)
            lines += (int)v->via.map.size;
        else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 > 0)
            lines++;
    }
    return lines;
}

//  Closes the application's open interval(s) at `at`, announcing each:
//  an interval is never changed otherwise (R17: any period can be priced).
static yjc_result_t
s_close_open (yjc_ctx_t *ctx, const char *app_id, const char *at)
{
    const char *params[] = { app_id, at };
    PGresult *res = yjc_db_query (
        ctx->db,
        "UPDATE allocations SET valid_to = $2::timestamptz"
        " WHERE app_id = $1 AND valid_to IS NULL"
        " RETURNING unit, order_id, stage, lines::text, valid_from::text",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        yjc_pack_t out;
        yjc_pack_init (&out);
        msgpack_pack_map (&out.pk, 7);
        yjc_pk_kv_str (&out.pk, "app_id", app_id);
        yjc_pk_kv_str (&out.pk, "unit", PQgetvalue (res, i, 0));
        yjc_pk_kv_str (&out.pk, "order_id", PQgetvalue (res, i, 1));
        yjc_pk_kv_str (&out.pk, "stage", PQgetvalue (res, i, 2));
        yjc_pk_kv_int (&out.pk, "lines", atoll (PQgetvalue (res, i, 3)));
        yjc_pk_kv_str (&out.pk, "from", PQgetvalue (res, i, 4));
        yjc_pk_kv_str (&out.pk, "to", at);
        rc = yjc_ctx_emit (ctx, YJC_EV_ALLOCATION_CLOSED, app_id, &out);
        yjc_pack_release (&out);
    }
    PQclear (res);
    return rc;
}

//  order.completed: the vendor delivered.  What each kind of order does
//  to the intervals is its INTERVAL in proto/yjc_lifecycle.def: a test
//  environment, a go-live, a change or an emergency change closes what
//  was allocated and opens a new interval of what is now in place; a
//  termination closes it; a purge allocates nothing.
static yjc_result_t
s_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind_of[17];
    yjc_obj_strcpy (ev->payload, "kind", kind_of, sizeof kind_of);
    int kind = yjc_order_by_kind (kind_of);
    yjc_interval_t interval =
        kind >= 0 ? yjc_orders[kind].interval : YJC_IV_NONE;
    if (interval == YJC_IV_NONE)
        return YJC_OK;
    //  R17: rating sees the ledger before or after this change, whole.
    yjc_result_t rc = rating_lock (ctx);
    if (rc == YJC_OK)
        rc = s_close_open (ctx, ev->app_id, ev->at);
    if (rc != YJC_OK || interval == YJC_IV_CLOSE)
        return rc;
    return s_open (ctx, ev, yjc_intervals[interval].code);
}

//  Opens the interval of what an order put in place, from its completion.
static yjc_result_t
s_open (yjc_ctx_t *ctx, const yjc_event_in_t *ev, const char *stage)
{
    const msgpack_object *p = ev->payload;
    const msgpack_object *resources = yjc_obj_get (p, "resources");
    const msgpack_object *built = yjc_obj_get (p, "built");
    if (!resources)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "payload.resources",
                             "an order without resources");
    char order_id[33], unit[129], lines[12];
    yjc_obj_strcpy (p, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (p, "unit", unit, sizeof unit);
    int nlines = s_count_lines (resources);
    snprintf (lines, sizeof lines, "%d", nlines);
    char *json = yjc_json_from_object (resources, false);
    if (!json)
        return YJC_DB_ERROR; //  out of memory
    yjc_pack_t res_mp, built_mp;
    yjc_pack_init (&res_mp);
    yjc_pack_init (&built_mp);
    msgpack_pack_object (&res_mp.pk, *resources);
    if (built)
        msgpack_pack_object (&built_mp.pk, *built);
    const char *params[] = { ev->app_id,
                             unit,
                             order_id,
                             stage,
                             json,
                             res_mp.buf.data,
                             built ? built_mp.buf.data : NULL,
                             lines,
                             ev->at };
    int lengths[] = {
        0, 0, 0, 0, 0, (int)res_mp.buf.size, (int)built_mp.buf.size, 0, 0
    };
    int formats[] = { 0, 0, 0, 0, 0, 1, 1, 0, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO allocations (app_id, unit, order_id, stage, resources,"
        " resources_mp, built_mp, lines, valid_from)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        9,
        params,
        lengths,
        formats);
    free (json);
    yjc_pack_release (&res_mp);
    yjc_pack_release (&built_mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    yjc_pack_t out;
    yjc_pack_init (&out);
    msgpack_pack_map (&out.pk, 6);
    yjc_pk_kv_str (&out.pk, "app_id", ev->app_id);
    yjc_pk_kv_str (&out.pk, "unit", unit);
    yjc_pk_kv_str (&out.pk, "order_id", order_id);
    yjc_pk_kv_str (&out.pk, "stage", stage);
    yjc_pk_kv_int (&out.pk, "lines", nlines);
    yjc_pk_kv_str (&out.pk, "from", ev->at);
    yjc_result_t rc =
        yjc_ctx_emit (ctx, YJC_EV_ALLOCATION_OPENED, ev->app_id, &out);
    yjc_pack_release (&out);
    return rc;
}

//  scaling.applied - R11.2: a scaling step inside the elastic range
//  closes the open interval and opens one of the resources after the
//  step, both at the time the step took effect (the payload's `at`); the
//  step's id stands for the order.
static yjc_result_t
s_on_scaling (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char at[41], step_id[33];
    yjc_obj_strcpy (ev->payload, "at", at, sizeof at);
    yjc_obj_strcpy (ev->payload, "step_id", step_id, sizeof step_id);
    yjc_result_t rc = rating_lock (ctx);
    if (rc == YJC_OK)
        rc = s_close_open (ctx, ev->app_id, at);
    if (rc != YJC_OK)
        return rc;
    yjc_pack_t p;
    yjc_pack_init (&p);
    msgpack_pack_map (&p.pk, 3);
    yjc_pk_kv_str (&p.pk, "order_id", step_id);
    yjc_pk_kv_obj (&p.pk, "unit", yjc_obj_get (ev->payload, "unit"));
    yjc_pk_kv_obj (&p.pk, "resources", yjc_obj_get (ev->payload, "resources"));
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, p.buf.data, p.buf.size, NULL);
    yjc_event_in_t step = *ev;
    step.at = at;
    step.payload = &un.data;
    rc = s_open (ctx, &step, yjc_intervals[YJC_IV_PRODUCTION].code);
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&p);
    return rc;
}

//  billing.allocations - the intervals of one application.
static yjc_result_t
s_allocations (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    const char *params[] = {
        app_id, ctx->actor->role == YJC_ROLE_UNIT ? ctx->actor->unit : NULL
    };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT order_id, stage, lines::text,"
        " to_char(valid_from, 'YYYY-MM-DD HH24:MI:SS'),"
        " coalesce(to_char(valid_to, 'YYYY-MM-DD HH24:MI:SS'), ''),"
        " resources_mp FROM allocations"
        " WHERE app_id = $1 AND ($2::text IS NULL OR unit = $2)"
        " ORDER BY valid_from, id",
        2,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    //  A unit learns nothing of another unit's application, not even
    //  that it has no allocation.
    if (PQntuples (res) == 0 && ctx->actor->role == YJC_ROLE_UNIT) {
        PQclear (res);
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", app_id);
    }
    static const yjc_col_t cols[] = {
        { "order_id", YJC_COL_TEXT }, { "stage", YJC_COL_TEXT },
        { "lines", YJC_COL_INT },     { "from", YJC_COL_TEXT },
        { "to", YJC_COL_TEXT },       { "resources", YJC_COL_MSGPACK },
    };
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_kv_str (ctx->reply, "app_id", app_id);
    yjc_pk_rows (ctx->reply, "allocations", res, cols, 6);
    PQclear (res);
    return YJC_OK;
}

//  Periodic work: metering partitions and rollups, then rating the
//  closed months (R17).
static yjc_result_t
s_tick (yjc_ctx_t *ctx)
{
    yjc_result_t rc = metering_tick (ctx);
    return rc == YJC_OK ? rating_tick (ctx) : rc;
}

static const yjc_service_def_t s_billing = {
    .service = YJC_SVC_BILLING,
    .migrations = yjc_billing_migrations,
    .handlers = { [YJC_MSG_BILLING_ALLOCATIONS] = s_allocations,
                  //  R11.3, R17: metering and the idle rule
                  [YJC_MSG_METERING_REPORT] = metering_report,
                  [YJC_MSG_IDLE_RULE_SET] = idle_rule_set,
                  [YJC_MSG_IDLE_RULE_GET] = idle_rule_get,
                  [YJC_MSG_BILLING_IDLE] = idle_list,
                  //  R17: prices, the charges journal, the statement
                  [YJC_MSG_PRICES_PUBLISH] = prices_publish,
                  [YJC_MSG_PRICES_LIST] = prices_list,
                  [YJC_MSG_BILLING_STATEMENT] = billing_statement,
                  //  R16: the quarterly utilization table
                  [YJC_MSG_BILLING_UTILIZATION] = utilization_report },
    .on_event = { [YJC_EV_ORDER_COMPLETED] = s_on_completed,
                  [YJC_EV_SCALING_APPLIED] = s_on_scaling },
    .on_tick = s_tick,
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_billing, argc, argv);
}
