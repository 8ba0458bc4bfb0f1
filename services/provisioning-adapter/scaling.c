/*  scaling.c - R11.2: a system with large load swings scales inside the
    ranges the bureau approved, without a change request.

    The vendor reports each step (scaling.report) with its own key and
    the time it took effect; a step inside the ranges of a system in
    production is applied to the resources in place and announced
    (scaling.applied), and billing closes the open interval and opens
    one of the new resources from that time.  A step outside a range, of
    a line without one, or of a system not in production is refused and
    changes nothing.  The same key again is the same step: answered as a
    duplicate, never applied twice.                                     */
#include "scaling.h"
#include "yjc_elastic.h"
#include "yjc_lifecycle.h"
#include "yjc_time.h"

yjc_result_t
scaling_on_elastic (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    msgpack_pack_object (&mp.pk, *yjc_obj_get (ev->payload, "elastic"));
    char by[65], opinion[2001];
    yjc_obj_strcpy (ev->payload, "approved_by", by, sizeof by);
    yjc_obj_strcpy (ev->payload, "opinion", opinion, sizeof opinion);
    const char *params[] = {
        ev->app_id,  mp.buf.data, by, ev->at, *opinion ? opinion : NULL,
        ev->event_id
    };
    int lengths[] = { 0, (int)mp.buf.size, 0, 0, 0, 0 };
    int formats[] = { 0, 1, 0, 0, 0, 0 };
    //  the newest ranges replace those in force
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO elastic_ranges (app_id, ranges_mp, approved_by,"
        " approved_at, opinion, cause_event)"
        " VALUES ($1, $2, $3, $4::timestamptz, $5, $6)"
        " ON CONFLICT (app_id) DO UPDATE SET ranges_mp = $2,"
        " approved_by = $3, approved_at = $4::timestamptz, opinion = $5,"
        " cause_event = $6",
        6,
        params,
        lengths,
        formats);
    yjc_pack_release (&mp);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

typedef struct {
    char unit[129];
    char state[33];
    int64_t changed_us; //  when its resources last changed
    yjc_pack_t mp[2];   //  the rows' bytes, which the objects point into
    msgpack_unpacked resources;
    msgpack_unpacked ranges; //  nil when none approved
} s_app_t;

//  The reply: the step and the resources after it.
static void
s_reply (yjc_ctx_t *ctx,
         const char *step_id,
         const char *app_id,
         const char *at,
         const void *resources,
         size_t size,
         bool duplicate)
{
    msgpack_pack_map (ctx->reply, 5);
    yjc_pk_kv_str (ctx->reply, "step_id", step_id);
    yjc_pk_kv_str (ctx->reply, "app_id", app_id);
    yjc_pk_kv_str (ctx->reply, "at", at);
    yjc_pk_kv_raw (ctx->reply, "resources", resources, size);
    yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
}

//  The step this reporter's key already made, if any: answered as a
//  duplicate (*found), or refused when it was another application's.
static yjc_result_t
s_known (yjc_ctx_t *ctx, const char *app_id, const char *key, bool *found)
{
    const char *params[] = { ctx->actor->name, key };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT step_id, app_id,"
        " to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'), resources_mp"
        " FROM scaling_steps WHERE reporter = $1 AND report_key = $2",
        2,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    yjc_result_t rc = YJC_OK;
    if (*found && strcmp (PQgetvalue (res, 0, 1), app_id) != 0)
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_VALUE,
                           "body.report_key",
                           "already used for %s of %s",
                           PQgetvalue (res, 0, 0),
                           PQgetvalue (res, 0, 1));
    else if (*found)
        s_reply (ctx,
                 PQgetvalue (res, 0, 0),
                 app_id,
                 PQgetvalue (res, 0, 2),
                 PQgetvalue (res, 0, 3),
                 (size_t)PQgetlength (res, 0, 3),
                 true);
    PQclear (res);
    return rc;
}

//  Loads and locks the application with its ranges; not_found when the
//  adapter does not know it.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *app_id, s_app_t *app)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT a.unit, a.state,"
        " (extract(epoch FROM a.updated_at) * 1000000)::bigint::text,"
        " a.resources_mp, coalesce(e.ranges_mp, '\\xc0'::bytea)"
        " FROM apps a LEFT JOIN elastic_ranges e USING (app_id)"
        " WHERE a.app_id = $1 FOR UPDATE OF a",
        1,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    yjc_db_copy (res, 0, 0, app->unit, sizeof app->unit);
    yjc_db_copy (res, 0, 1, app->state, sizeof app->state);
    app->changed_us = strtoll (PQgetvalue (res, 0, 2), NULL, 10);
    for (int i = 0; i < 2; i++)
        yjc_pack_append (&app->mp[i],
                         PQgetvalue (res, 0, 3 + i),
                         PQgetlength (res, 0, 3 + i));
    if (msgpack_unpack_next (
            &app->resources, app->mp[0].buf.data, app->mp[0].buf.size, NULL) !=
            MSGPACK_UNPACK_SUCCESS ||
        msgpack_unpack_next (
            &app->ranges, app->mp[1].buf.data, app->mp[1].buf.size, NULL) !=
            MSGPACK_UNPACK_SUCCESS)
        rc = YJC_DB_ERROR;
    PQclear (res);
    return rc;
}

//  Why this step cannot be taken at all (before its lines are looked at):
//  the system is not in production, has no range, or `at` is not a time
//  between the last change of its resources and now.
static yjc_result_t
s_refuse (yjc_ctx_t *ctx, const s_app_t *app, const char *at, int64_t *at_us)
{
    if (strcmp (app->state, yjc_state_code (YJC_STATE_PRODUCTION)) != 0)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_STATE,
                             "body.app_id",
                             "the system is %s; it scales only in production",
                             app->state);
    const msgpack_object *ranges = &app->ranges.data;
    if (ranges->type != MSGPACK_OBJECT_MAP || ranges->via.map.size == 0)
        return yjc_ctx_fail (ctx,
                             YJC_E_NO_ELASTIC_RANGE,
                             "body.app_id",
                             "no elastic range approved (R11.2)");
    if (yjc_time_parse_iso (at, at_us) != 0)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.at",
                             "not an ISO-8601 time: %s",
                             at);
    if (*at_us > ctx->now)
        return yjc_ctx_fail (
            ctx, YJC_E_OUT_OF_RANGE, "body.at", "in the future");
    //  an interval never ends before it starts
    if (*at_us < app->changed_us)
        return yjc_ctx_fail (ctx,
                             YJC_E_OUT_OF_RANGE,
                             "body.at",
                             "before the resources last changed");
    return YJC_OK;
}

//  Records the step, applies it and announces it.
static yjc_result_t
s_apply (yjc_ctx_t *ctx,
         const char *app_id,
         const char *key,
         const s_app_t *app,
         const char *at,
         const yjc_pack_t *before,
         const yjc_pack_t *after)
{
    const char *params[] = { app_id,      ctx->actor->name, key,
                             at,          before->buf.data, after->buf.data,
                             ctx->now_iso };
    int lengths[] = {
        0, 0, 0, 0, (int)before->buf.size, (int)after->buf.size, 0
    };
    int formats[] = { 0, 0, 0, 0, 1, 1, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "WITH s AS (INSERT INTO scaling_steps (step_id, app_id, reporter,"
        " report_key, at, before_mp, resources_mp, reported_at)"
        " VALUES (yjc_new_id('S', 'scaling_seq'), $1, $2, $3,"
        " $4::timestamptz, $5, $6, $7) RETURNING step_id, at)"
        " UPDATE apps SET resources_mp = $6, updated_at = s.at FROM s"
        " WHERE app_id = $1 RETURNING s.step_id",
        7,
        params,
        lengths,
        formats);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    char step_id[33];
    yjc_db_copy (res, 0, 0, step_id, sizeof step_id);
    PQclear (res);
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "step_id", step_id);
    yjc_map_str (&ev, "app_id", app_id);
    yjc_map_str (&ev, "unit", app->unit);
    yjc_map_str (&ev, "report_key", key);
    yjc_map_str (&ev, "at", at);
    yjc_map_raw (&ev, "resources", after->buf.data, after->buf.size);
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx, YJC_EV_SCALING_APPLIED, app_id, &ev);
    yjc_map_release (&ev);
    if (rc == YJC_OK)
        s_reply (
            ctx, step_id, app_id, at, after->buf.data, after->buf.size, false);
    return rc;
}

//  scaling.report - R11.2: the vendor's step inside the approved ranges.
yjc_result_t
scaling_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33], key[65], at_text[41];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "report_key", key, sizeof key);
    yjc_obj_strcpy (body, "at", at_text, sizeof at_text);
    bool found = false;
    yjc_result_t rc = s_known (ctx, app_id, key, &found);
    if (rc != YJC_OK || found)
        return rc;
    s_app_t app;
    memset (&app, 0, sizeof app);
    msgpack_unpacked_init (&app.resources);
    msgpack_unpacked_init (&app.ranges);
    yjc_pack_init (&app.mp[0]);
    yjc_pack_init (&app.mp[1]);
    yjc_pack_t before, after;
    yjc_pack_init (&before);
    yjc_pack_init (&after);
    int64_t at_us = 0;
    rc = s_load (ctx, app_id, &app);
    if (rc == YJC_OK)
        rc = s_refuse (ctx, &app, at_text, &at_us);
    if (rc == YJC_OK && yjc_elastic_step (&app.ranges.data,
                                          &app.resources.data,
                                          body,
                                          &after.pk,
                                          ctx->problems) > 0)
        rc = YJC_FAIL;
    if (rc == YJC_OK) {
        char at[40];
        yjc_time_format_iso (at_us, at);
        msgpack_pack_object (&before.pk, app.resources.data);
        rc = s_apply (ctx, app_id, key, &app, at, &before, &after);
    }
    yjc_pack_release (&before);
    yjc_pack_release (&after);
    msgpack_unpacked_destroy (&app.resources);
    msgpack_unpacked_destroy (&app.ranges);
    yjc_pack_release (&app.mp[0]);
    yjc_pack_release (&app.mp[1]);
    return rc;
}
