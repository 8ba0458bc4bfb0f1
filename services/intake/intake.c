/*  yjc-intake: the unit's application (R7, R8).

    A unit submits its form (资源申请审核表); intake stores it under an
    intake id and announces it (application.submitted).  Later stages are
    decided elsewhere; intake follows them through their events so that a
    unit can see where its application is.                               */
#include "attachments.h"
#include "requests.h"
#include "yjc_form.h"
#include "yjc_lifecycle.h"
#include "yjc_rows.h"

extern const yjc_migration_t yjc_intake_migrations[];

//  What the history says of an event that moves no state.
static const struct {
    int event;
    const char *note_key; //  payload field worth showing
} s_noted[] = {
    { YJC_EV_REQUEST_APPROVED, "opinion" },
    { YJC_EV_REQUEST_REJECTED, "opinion" },
    { YJC_EV_EMERGENCY_REPORTED, "description" },
    { YJC_EV_RETENTION_SCHEDULED, "kept_until" },
    { YJC_EV_PERIOD_SCHEDULED, "to" },
    { YJC_EV_APPLICATION_EXPIRED, "to" },
};

//  The application this sender submitted under this request id, if any.
static yjc_result_t
s_existing (yjc_ctx_t *ctx, char app_id[33], char state[33], bool *found)
{
    const char *params[] = { ctx->actor->name, ctx->request_id };
    PGresult *res =
        yjc_db_query (ctx->db,
                      "SELECT app_id, state FROM applications"
                      " WHERE submitted_by = $1 AND request_id = $2",
                      2,
                      params);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        snprintf (app_id, 33, "%s", PQgetvalue (res, 0, 0));
        snprintf (state, 33, "%s", PQgetvalue (res, 0, 1));
    }
    PQclear (res);
    return YJC_OK;
}

//  One submission of a run, as it goes.
typedef struct {
    yjc_pack_t form;   //  the form, as stored and announced
    char project[129]; //  its project's name
    char app_id[33];   //  once stored
    bool stored;       //  false: a retry of a request id already stored
} s_submission_t;

//  Stores the new applications of a run with one statement (issue 14);
//  each one inserted is the first request of the run with its sender and
//  request id, and gets `stored` and its `app_id`.  A request id already
//  stored (a retry, or twice in the run) is left unstored.
static yjc_result_t
s_insert (yjc_ctx_t *ctx,
          yjc_request_in_t *reqs,
          int count,
          s_submission_t *subs,
          yjc_pack_t *materials)
{
    yjc_rows_t *rows = yjc_rows_new_blobs (4, 2);
    for (int k = 0; k < count; k++) {
        if (reqs[k].refused)
            continue;
        const msgpack_object *form = yjc_obj_get (reqs[k].body, "form");
        yjc_obj_strcpy (yjc_obj_get (form, "project"),
                        "name",
                        subs[k].project,
                        sizeof subs[k].project);
        msgpack_pack_object (&subs[k].form.pk, *form);
        const char *texts[] = { reqs[k].actor->unit,
                                reqs[k].actor->name,
                                reqs[k].request_id,
                                subs[k].project };
        const void *blobs[] = { subs[k].form.buf.data, materials[k].buf.data };
        size_t sizes[] = { subs[k].form.buf.size, materials[k].buf.size };
        yjc_rows_add_blobs (rows, texts, blobs, sizes);
    }
    PGresult *res = NULL;
    const char *extra[] = { ctx->now_iso,
                            yjc_state_code (YJC_STATE_SUBMITTED) };
    int n = yjc_rows_count (rows);
    if (n > 0)
        res = yjc_rows_exec (
            rows,
            ctx->db,
            //  ids follow the order of the run (the volatile id is
            //  computed after the sort)
            "INSERT INTO applications (app_id, unit, submitted_by,"
            " request_id, project, form_mp, materials_mp, submitted_at,"
            " updated_at, state)"
            " SELECT yjc_new_id('A', 'app_seq'), u, b, r, p, f, m, $7, $7, $8"
            " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
            " $5::bytea[], $6::bytea[]) WITH ORDINALITY"
            " AS x (u, b, r, p, f, m, n) ORDER BY n"
            " ON CONFLICT (submitted_by, request_id) DO NOTHING"
            " RETURNING app_id, submitted_by, request_id",
            2,
            extra);
    yjc_rows_destroy (&rows);
    if (n == 0)
        return YJC_OK; //  all of them refused
    if (!res)
        return YJC_DB_ERROR;
    for (int r = 0; r < PQntuples (res); r++)
        for (int k = 0; k < count; k++)
            if (!reqs[k].refused && !subs[k].stored &&
                streq (PQgetvalue (res, r, 1), reqs[k].actor->name) &&
                streq (PQgetvalue (res, r, 2), reqs[k].request_id)) {
                subs[k].stored = true;
                snprintf (subs[k].app_id, 33, "%s", PQgetvalue (res, r, 0));
                break;
            }
    PQclear (res);
    return YJC_OK;
}

static void
s_reply_submitted (yjc_ctx_t *ctx,
                   const char *app_id,
                   const char *state,
                   bool duplicate)
{
    msgpack_pack_map (ctx->reply, 3);
    yjc_pk_kv_str (ctx->reply, "app_id", app_id);
    yjc_pk_kv_str (ctx->reply, "state", state);
    yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
}

//  A stored submission: announced (application.submitted) and answered.
static yjc_result_t
s_announce (yjc_ctx_t *ctx, s_submission_t *sub, const yjc_pack_t *materials)
{
    snprintf (ctx->app_id, sizeof ctx->app_id, "%s", sub->app_id);
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "app_id", sub->app_id);
    yjc_map_str (&ev, "unit", ctx->actor->unit);
    yjc_map_str (&ev, "project", sub->project);
    yjc_map_str (&ev, "submitted_at", ctx->now_iso);
    yjc_map_raw (&ev, "form", sub->form.buf.data, sub->form.buf.size);
    yjc_map_raw (&ev, "materials", materials->buf.data, materials->buf.size);
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx, YJC_EV_APPLICATION_SUBMITTED, sub->app_id, &ev);
    yjc_map_release (&ev);
    if (rc == YJC_OK)
        s_reply_submitted (
            ctx, sub->app_id, yjc_state_code (YJC_STATE_SUBMITTED), false);
    return rc;
}

//  A retry: the same application, as it stands now.
static yjc_result_t
s_answer_retry (yjc_ctx_t *ctx)
{
    char app_id[33], state[33];
    bool found = false;
    yjc_result_t rc = s_existing (ctx, app_id, state, &found);
    if (rc == YJC_OK && !found)
        return YJC_DB_ERROR; //  neither stored nor there: cannot be
    if (rc == YJC_OK)
        s_reply_submitted (ctx, app_id, state, true);
    return rc;
}

//  application.submit - R7: every application enters here; R8: with its
//  form and the materials the form requires (uploaded beforehand).  The
//  submissions of a batch are run together: their files are read with one
//  statement and they are stored with another (issue 14).
static yjc_result_t
s_submit (yjc_ctx_t *ctx, yjc_request_in_t *reqs, int count)
{
    s_submission_t *subs =
        (s_submission_t *)zmalloc (count * sizeof (s_submission_t));
    yjc_pack_t *materials = //  their descriptions, kept with the form
        (yjc_pack_t *)zmalloc (count * sizeof (yjc_pack_t));
    for (int k = 0; k < count; k++) {
        yjc_pack_init (&subs[k].form);
        yjc_pack_init (&materials[k]);
    }
    //  The form's shape and rules, the materials it requires and whose it
    //  is were checked before (yjc_form_check_body): the stored files now.
    yjc_result_t rc = attachments_check_many (ctx, reqs, count, materials);
    if (rc == YJC_OK)
        rc = s_insert (ctx, reqs, count, subs, materials);
    for (int k = 0; rc == YJC_OK && k < count; k++) {
        if (reqs[k].refused)
            continue;
        yjc_ctx_for (ctx, &reqs[k]);
        rc = subs[k].stored ? s_announce (ctx, &subs[k], &materials[k])
                            : s_answer_retry (ctx);
    }
    for (int k = 0; k < count; k++) {
        yjc_pack_release (&subs[k].form);
        yjc_pack_release (&materials[k]);
    }
    free (subs);
    free (materials);
    return rc;
}

static yjc_result_t
s_pack_history (yjc_ctx_t *ctx, const char *app_id, yjc_map_t *reply)
{
    const char *params[] = { app_id, yjc_state_code (YJC_STATE_SUBMITTED) };
    PGresult *res =
        yjc_db_query (ctx->db,
                      //  the first step is the submission itself
                      "SELECT to_char(at, 'YYYY-MM-DD HH24:MI:SS'), state,"
                      " event_id, note FROM ("
                      " SELECT submitted_at AS at, $2 AS state,"
                      "  '' AS event_id, '' AS note, 0 AS step"
                      "  FROM applications WHERE app_id = $1"
                      " UNION ALL SELECT at, state, coalesce(event_id, ''),"
                      "  coalesce(note, ''), 1 FROM history WHERE app_id = $1"
                      ") h ORDER BY at, step",
                      2,
                      params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "at", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },
        { "event_id", YJC_COL_TEXT },
        { "note", YJC_COL_TEXT },
    };
    yjc_pk_rows (yjc_map_entry (reply), "history", res, cols, 4);
    PQclear (res);
    return YJC_OK;
}

//  application.get - a unit sees only its own (not_found otherwise: the
//  existence of another unit's application is not revealed).
static yjc_result_t
s_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, app_id, coalesce(number, ''), project, state,"
        " to_char(submitted_at, 'YYYY-MM-DD HH24:MI:SS'),"
        " to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS'), form_mp,"
        " coalesce(materials_mp, '\\x90'::bytea),"
        " coalesce(usage_from::text, ''), coalesce(usage_months, 0)::text,"
        " coalesce(usage_days, 0)::text, coalesce(period_to::text, ''),"
        " coalesce(period_notice::text, ''), period_provisional::text"
        " FROM applications WHERE app_id = $1",
        1,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    static const yjc_col_t cols[] = {
        { "unit", YJC_COL_TEXT },       { "app_id", YJC_COL_TEXT },
        { "number", YJC_COL_TEXT },     { "project", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },      { "submitted_at", YJC_COL_TEXT },
        { "updated_at", YJC_COL_TEXT }, { "form", YJC_COL_MSGPACK },
    };
    const uint32_t ncols = sizeof cols / sizeof *cols;
    yjc_map_t reply;
    yjc_map_init (&reply);
    yjc_pk_columns (yjc_map_entries (&reply, ncols), res, 0, cols, ncols);
    //  R14.1: the usage period, once in production
    yjc_map_str (&reply, "usage_from", PQgetvalue (res, 0, 9));
    yjc_map_int (&reply, "usage_months", atoll (PQgetvalue (res, 0, 10)));
    yjc_map_int (&reply, "usage_days", atoll (PQgetvalue (res, 0, 11)));
    //  its last day and notice day, as provisioning computed them
    yjc_map_str (&reply, "usage_to", PQgetvalue (res, 0, 12));
    yjc_map_str (&reply, "notice_due", PQgetvalue (res, 0, 13));
    yjc_map_bool (&reply, "usage_provisional", *PQgetvalue (res, 0, 14) == 't');
    msgpack_unpacked submitted;
    msgpack_unpacked_init (&submitted);
    bool listed = msgpack_unpack_next (&submitted,
                                       PQgetvalue (res, 0, 8),
                                       (size_t)PQgetlength (res, 0, 8),
                                       NULL) == MSGPACK_UNPACK_SUCCESS;
    rc = attachments_pack_materials (ctx,
                                     app_id,
                                     listed ? &submitted.data : NULL,
                                     yjc_map_entry (&reply),
                                     "materials");
    msgpack_unpacked_destroy (&submitted);
    PQclear (res);
    if (rc == YJC_OK)
        rc = requests_pack (ctx, app_id, &reply);
    if (rc == YJC_OK)
        rc = s_pack_history (ctx, app_id, &reply);
    if (rc == YJC_OK)
        yjc_map_end (&reply, ctx->reply);
    yjc_map_release (&reply);
    return rc;
}

//  application.list - own applications for a unit, all for the bureau.
static yjc_result_t
s_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char state[33], unit[129], year[12] = "", limit[16], before[33];
    int64_t n = 100, y = 0;
    yjc_obj_strcpy (body, "before", before, sizeof before);
    yjc_obj_strcpy (body, "state", state, sizeof state);
    yjc_obj_strcpy (body, "unit", unit, sizeof unit);
    yjc_obj_int (body, "limit", &n);
    if (yjc_obj_int (body, "year", &y))
        snprintf (year, sizeof year, "%lld", (long long)y);
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    //  a unit lists its own, whatever it asks for
    if (ctx->actor->role == YJC_ROLE_UNIT)
        snprintf (unit, sizeof unit, "%s", ctx->actor->unit);
    const char *params[] = { *unit ? unit : NULL,
                             *state ? state : NULL,
                             limit,
                             *year ? year : NULL,
                             *before ? before : NULL };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT app_id, unit, project, state,"
        " to_char(submitted_at, 'YYYY-MM-DD HH24:MI:SS'),"
        " coalesce(usage_from::text, ''), coalesce(period_to::text, ''),"
        " coalesce(enforcement, '') FROM applications"
        " WHERE ($1::text IS NULL OR unit = $1)"
        " AND ($2::text IS NULL OR state = $2)"
        " AND ($4::int IS NULL OR extract (year FROM submitted_at) = $4::int)"
        //  the next page: after `before` in the list's order (one of the
        //  same unit's, else nothing: it reveals no other unit's)
        " AND ($5::text IS NULL OR (submitted_at, app_id) < (SELECT"
        " submitted_at, app_id FROM applications WHERE app_id = $5"
        " AND ($1::text IS NULL OR unit = $1)))"
        " ORDER BY submitted_at DESC, app_id DESC LIMIT $3::int",
        5,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "app_id", YJC_COL_TEXT },       { "unit", YJC_COL_TEXT },
        { "project", YJC_COL_TEXT },      { "state", YJC_COL_TEXT },
        { "submitted_at", YJC_COL_TEXT }, { "usage_from", YJC_COL_TEXT },
        { "usage_to", YJC_COL_TEXT },     { "enforcement", YJC_COL_TEXT },
    };
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_rows (ctx->reply, "applications", res, cols, 8);
    PQclear (res);
    return YJC_OK;
}

//  What an event of another stage records here: the state it announces
//  (or the step's own name) with its rank, a note, the official number.
typedef struct {
    char rank[12], note[256], step[48], number[65];
    const char *state;
} s_stage_t;

static void
s_stage_of (const yjc_event_in_t *ev, s_stage_t *st)
{
    //  Events of different services may arrive in any order between them
    //  (one stream per producer): a later state is never overwritten by
    //  an earlier one that arrives late (the states' ranks, in proto).
    char kind[17];
    snprintf (st->rank, sizeof st->rank, "0");
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    yjc_state_t moved = yjc_move (ev->type, kind);
    st->state = yjc_state_code (moved);
    if (st->state)
        snprintf (st->rank, sizeof st->rank, "%d", yjc_states[moved].rank);
    char *note = st->note;
    yjc_obj_strcpy (ev->payload, "opinion", note, sizeof st->note);
    if (!*note)
        yjc_obj_strcpy (ev->payload, "reason", note, sizeof st->note);
    for (size_t i = 0; i < sizeof s_noted / sizeof *s_noted && !*note; i++)
        if (s_noted[i].event == ev->type)
            yjc_obj_strcpy (
                ev->payload, s_noted[i].note_key, note, sizeof st->note);
    //  an order's step names the order (the bureau re-orders a failed one
    //  by its id)
    char order_id[33];
    if (*yjc_obj_strcpy (ev->payload, "order_id", order_id, sizeof order_id)) {
        char named[sizeof st->note];
        snprintf (named,
                  sizeof named,
                  "%s%s%.200s",
                  order_id,
                  *note ? "：" : "",
                  note);
        memcpy (note, named, sizeof st->note);
    }
    //  a step that moves no state is history under its own name
    if (!st->state) {
        snprintf (st->step,
                  sizeof st->step,
                  "%s%s%s",
                  yjc_event_defs[ev->type].wire,
                  *kind ? ":" : "",
                  kind);
        st->state = st->step;
    }
    yjc_obj_strcpy (ev->payload, "number", st->number, sizeof st->number);
}

//  The record of a stage: forward only; the official number whenever it
//  comes.  $8 given: an event about an application intake does not have
//  is marked refused in the inbox with it (the deferred form below).
#define S_STAGE_SQL(refusal)                                                   \
    "WITH a AS (SELECT app_id FROM applications WHERE app_id = $1),"           \
    " u AS (UPDATE applications SET"                                           \
    "  state = CASE WHEN state_rank < $6::int THEN $3 ELSE state END,"         \
    "  updated_at = CASE WHEN state_rank < $6::int THEN $2::timestamptz"       \
    "   ELSE updated_at END,"                                                  \
    "  state_rank = greatest(state_rank, $6::int),"                            \
    "  number = coalesce($7, number) WHERE app_id = $1)" refusal

//  Follows the other stages: records the state an event announces, and
//  refuses an event about an application it does not have.
static yjc_result_t
s_on_stage (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    s_stage_t st;
    s_stage_of (ev, &st);
    const char *params[] = { ev->app_id,
                             ev->at,
                             st.state,
                             ev->event_id,
                             *st.note ? st.note : NULL,
                             st.rank,
                             *st.number ? st.number : NULL };
    int rows = yjc_db_exec (ctx->db,
                            S_STAGE_SQL (" INSERT INTO history (app_id, at,"
                                         " state, event_id, note)"
                                         " SELECT app_id, $2, $3, $4, $5"
                                         " FROM a"),
                            7,
                            params);
    if (rows < 0)
        return YJC_DB_ERROR;
    if (rows == 0)
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "app_id", "%s", ev->app_id);
    return YJC_OK;
}

//  The same for an event whose handler does nothing else: the record
//  waits to go out with the next statement (issue 14: one round trip
//  less per event), so an unknown application is found only then, by the
//  statement itself: nothing is recorded, the inbox says refused.
static yjc_result_t
s_on_stage_later (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    s_stage_t st;
    s_stage_of (ev, &st);
    char why[80];
    snprintf (why, sizeof why, "not_found app_id: %.40s", ev->app_id);
    const char *params[] = { ev->app_id,
                             ev->at,
                             st.state,
                             ev->event_id,
                             *st.note ? st.note : NULL,
                             st.rank,
                             *st.number ? st.number : NULL,
                             why };
    return yjc_db_exec_later (
               ctx->db,
               S_STAGE_SQL (", h AS (INSERT INTO history (app_id, at, state,"
                            " event_id, note) SELECT app_id, $2, $3, $4, $5"
                            " FROM a)"
                            " UPDATE inbox SET outcome = 'refused', detail = $8"
                            " WHERE event_id = $4"
                            " AND NOT EXISTS (SELECT 1 FROM a)"),
               8,
               params,
               NULL,
               NULL) == 0
               ? YJC_OK
               : YJC_DB_ERROR;
}

//  R11.1, R14.1: on conversion to production the usage period starts,
//  as long as the form asked.
static yjc_result_t
s_start_usage (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    const char *params[] = { ev->app_id };
    PGresult *res =
        yjc_db_query_raw (ctx->db,
                          "SELECT form_mp FROM applications WHERE app_id = $1",
                          1,
                          params,
                          NULL,
                          NULL);
    if (!res)
        return YJC_DB_ERROR;
    int months = 0, days = 0;
    msgpack_unpacked form;
    msgpack_unpacked_init (&form);
    bool known = PQntuples (res) == 1 &&
                 msgpack_unpack_next (&form,
                                      PQgetvalue (res, 0, 0),
                                      (size_t)PQgetlength (res, 0, 0),
                                      NULL) == MSGPACK_UNPACK_SUCCESS &&
                 yjc_form_usage_length (&form.data, &months, &days);
    msgpack_unpacked_destroy (&form);
    PQclear (res);
    if (!known)
        return YJC_OK;
    char from[11], m[12], d[12];
    yjc_date_format (yjc_time_local_date (ev->at_us), from);
    snprintf (m, sizeof m, "%d", months);
    snprintf (d, sizeof d, "%d", days);
    const char *uparams[] = { ev->app_id, from, m, d };
    return yjc_db_exec (ctx->db,
                        //  period.scheduled (same producer) may have come
                        //  first with the start: the length is ours
                        "UPDATE applications SET usage_from ="
                        " coalesce(usage_from, $2::date),"
                        " usage_months = $3::int, usage_days = $4::int"
                        " WHERE app_id = $1 AND usage_months IS NULL",
                        4,
                        uparams) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

static yjc_result_t
s_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17];
    yjc_result_t rc = s_on_stage (ctx, ev);
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    //  R18: a measure carried out is in force until its lift is
    int order = yjc_order_by_kind (kind);
    if (rc == YJC_OK && order >= 0 &&
        yjc_orders[order].deadline == YJC_DL_ENFORCE) {
        bool lift = yjc_orders[order].interval != YJC_IV_ENFORCED;
        const char *params[] = { ev->app_id, lift ? NULL : kind };
        if (yjc_db_exec (ctx->db,
                         "UPDATE applications SET enforcement = $2"
                         " WHERE app_id = $1",
                         2,
                         params) < 0)
            rc = YJC_DB_ERROR;
    }
    //  R11.1, R14.1: the conversion to production starts the usage period
    return rc == YJC_OK && yjc_move (ev->type, kind) == YJC_STATE_PRODUCTION
               ? s_start_usage (ctx, ev)
               : rc;
}

//  period.scheduled - R14.1: the usage period, as provisioning computed
//  it (again after a renewal or a calendar publication).
static yjc_result_t
s_on_period (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    yjc_result_t rc = s_on_stage (ctx, ev);
    char from[11], to[11], notice[11];
    const msgpack_object *flag = yjc_obj_get (ev->payload, "provisional");
    bool provisional =
        flag && flag->type == MSGPACK_OBJECT_BOOLEAN && flag->via.boolean;
    yjc_obj_strcpy (ev->payload, "from", from, sizeof from);
    yjc_obj_strcpy (ev->payload, "to", to, sizeof to);
    yjc_obj_strcpy (ev->payload, "notice_due", notice, sizeof notice);
    const char *params[] = {
        ev->app_id, from, to, *notice ? notice : NULL, provisional ? "t" : "f"
    };
    if (rc == YJC_OK &&
        yjc_db_exec (ctx->db,
                     "UPDATE applications SET usage_from = $2::date,"
                     " period_to = $3::date, period_notice = $4::date,"
                     " period_provisional = $5::bool WHERE app_id = $1",
                     5,
                     params) < 0)
        rc = YJC_DB_ERROR;
    return rc;
}

//  order.created: an expiry notice may ask the renewal (R14.3)
static yjc_result_t
s_on_created (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char kind[17];
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    if (yjc_order_by_kind (kind) != YJC_ORDER_EXPIRY_NOTICE)
        return s_on_stage_later (ctx, ev);
    yjc_result_t rc = s_on_stage (ctx, ev);
    return rc == YJC_OK ? requests_auto_renew (ctx, ev) : rc;
}

static const yjc_service_def_t s_intake = {
    .service = YJC_SVC_INTAKE,
    .migrations = yjc_intake_migrations,
    .on_requests = { [YJC_MSG_APPLICATION_SUBMIT] = s_submit },
    .handlers = { [YJC_MSG_APPLICATION_GET] = s_get,
                  [YJC_MSG_APPLICATION_LIST] = s_list,
                  [YJC_MSG_ATTACHMENT_PUT] = attachments_put,
                  [YJC_MSG_ATTACHMENT_GET] = attachments_get,
                  [YJC_MSG_REQUEST_EXTEND_TEST] = requests_submit,
                  [YJC_MSG_REQUEST_GO_LIVE] = requests_submit,
                  [YJC_MSG_REQUEST_CHANGE] = requests_submit,
                  [YJC_MSG_REQUEST_TERMINATE] = requests_submit,
                  [YJC_MSG_REQUEST_RENEW] = requests_submit },
    .on_event = { [YJC_EV_APPLICATION_ACCEPTED] = s_on_stage_later,
                  [YJC_EV_APPLICATION_DECLINED] = s_on_stage_later,
                  [YJC_EV_APPLICATION_APPROVED] = s_on_stage_later,
                  [YJC_EV_APPLICATION_REJECTED] = s_on_stage_later,
                  [YJC_EV_APPLICATION_WITHDRAWN] = s_on_stage_later,
                  [YJC_EV_ORDER_CREATED] = s_on_created,
                  [YJC_EV_ORDER_COMPLETED] = s_on_completed,
                  [YJC_EV_ORDER_FAILED] = s_on_stage_later,
                  [YJC_EV_REQUEST_APPROVED] = s_on_stage_later,
                  [YJC_EV_REQUEST_REJECTED] = s_on_stage_later,
                  [YJC_EV_EMERGENCY_REPORTED] = s_on_stage_later,
                  [YJC_EV_RETENTION_SCHEDULED] = s_on_stage_later,
                  [YJC_EV_DEADLINE_CHANGED] = s_on_stage_later,
                  [YJC_EV_PERIOD_SCHEDULED] = s_on_period,
                  [YJC_EV_PROBLEM_REPORTED] = attachments_on_problem, //  R15
                  [YJC_EV_APPLICATION_EXPIRED] = s_on_stage_later,
                  [YJC_EV_APPLICATION_OFFLINE_APPROVED] = s_on_stage_later },
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_intake, argc, argv);
}
