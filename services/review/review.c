/*  yjc-review: the bureau's decisions (R9) and their deadlines.

    Which decision is allowed in which state, what it moves to, which
    event announces it and whether it needs an opinion is the ACTION
    table of proto/yjc_lifecycle.def; the deadlines are its DEADLINEs.  */
#include "calendar.h"
#include "elastic.h"
#include "grant.h"
#include "inspect.h"
#include "reclaim.h"
#include "reminders.h"
#include "requests.h"
#include "sla.h"
#include "yjc_attachref.h"
#include "yjc_form.h"
#include "yjc_rows.h"
#include "yjc_server.h"
#include "yjc_time.h"
#include <sodium.h>

extern const yjc_migration_t yjc_review_migrations[];

typedef yjc_action_def_t s_transition_t;

//  application.submitted: the acceptance clock starts (R9.1).  Every
//  submission of a delivery is recorded with one statement.
static yjc_result_t
s_on_submitted (yjc_ctx_t *ctx, const yjc_event_in_t *events, int count)
{
    yjc_rows_t *rows = yjc_rows_new (12);
    yjc_pack_t asked;
    yjc_pack_init (&asked);
    for (int i = 0; i < count; i++) {
        const yjc_event_in_t *ev = &events[i];
        char due[11], unit[129], project[129], rule[YJC_RULE_MAX], at[40];
        char months[12] = "", days[12] = "", on_expiry[17];
        bool provisional;
        //  R14.1, R14.3: the period asked, for provisioning at approval
        const msgpack_object *form = yjc_obj_get (ev->payload, "form");
        int m = 0, d = 0;
        if (yjc_form_usage_length (form, &m, &d)) {
            snprintf (months, sizeof months, "%d", m);
            snprintf (days, sizeof days, "%d", d);
        }
        yjc_obj_strcpy (yjc_obj_get (yjc_obj_get (form, "project"), "period"),
                        "on_expiry",
                        on_expiry,
                        sizeof on_expiry);
        yjc_ctx_due (ctx, YJC_DL_ACCEPT, ev->at_us, due, rule, &provisional);
        yjc_time_format_iso (ev->at_us, at);
        //  R19: the form's security staff and MLPS level
        char staff_name[65], staff_phone[41], mlps[17];
        const msgpack_object *staff =
            yjc_obj_get (yjc_obj_get (form, "unit"), "security_staff");
        yjc_obj_strcpy (staff, "name", staff_name, sizeof staff_name);
        yjc_obj_strcpy (staff, "phone", staff_phone, sizeof staff_phone);
        yjc_obj_strcpy (
            yjc_obj_get (form, "project"), "mlps", mlps, sizeof mlps);
        const char *texts[] = {
            ev->app_id,
            yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit),
            yjc_obj_strcpy (ev->payload, "project", project, sizeof project),
            at,
            *due ? due : NULL,
            provisional ? "t" : "f",
            *months ? months : NULL,
            *days ? days : NULL,
            *on_expiry ? on_expiry : NULL,
            *staff_name ? staff_name : NULL,
            *staff_phone ? staff_phone : NULL,
            *mlps ? mlps : NULL
        };
        yjc_pack_reset (&asked);
        msgpack_pack_object (
            &asked.pk,
            *yjc_obj_get (yjc_obj_get (ev->payload, "form"), "resources"));
        yjc_rows_add (rows, texts, asked.buf.data, asked.buf.size);
    }
    const char *extra[] = { yjc_deadlines[YJC_DL_ACCEPT].rule,
                            yjc_state_code (YJC_STATE_SUBMITTED) };
    PGresult *res = yjc_rows_exec (
        rows,
        ctx->db,
        "INSERT INTO applications (app_id, unit, project, submitted_at,"
        " accept_due, accept_provisional, asked_mp, state, accept_rule,"
        " updated_at, usage_months, usage_days, on_expiry, security_name,"
        " security_phone, mlps)"
        " SELECT a, u, p, s::timestamptz, d::date, v::bool, f, $15, $14,"
        " s::timestamptz, m::int, n::int, e, sn, sp, ml"
        " FROM unnest($1::text[], $2::text[], $3::text[],"
        " $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],"
        " $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[])"
        " AS t (a, u, p, s, d, v, m, n, e, sn, sp, ml, f)",
        2,
        extra);
    yjc_rows_destroy (&rows);
    yjc_pack_release (&asked);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

typedef struct {
    char app_id[33];
    char state[33];
    char unit[129];
    yjc_pack_t asked;              //  asked_mp: the resources asked
    const msgpack_object *granted; //  what an approval grants (borrowed)
    char *granted_hex; //  granted_mp to store, as bytea hex input ("\\x..")
    int64_t usage_months, usage_days; //  R14.1: the form's period
    char on_expiry[17];               //  R14.3: its choice on expiry
} s_app_t;

//  R9.2, R11.2: the bureau grants the request, or less of any line; the
//  grant must not exceed what was asked.  Sets app->granted (pointing into
//  `request` or `asked_un`, which the caller keeps alive).
static yjc_result_t
s_grant (yjc_ctx_t *ctx,
         s_app_t *app,
         const msgpack_object *request,
         msgpack_unpacked *asked_un)
{
    if (msgpack_unpack_next (
            asked_un, app->asked.buf.data, app->asked.buf.size, NULL) !=
        MSGPACK_UNPACK_SUCCESS)
        return YJC_DB_ERROR;
    const msgpack_object *asked = &asked_un->data;
    const msgpack_object *granted = yjc_obj_get (request, "granted");
    app->granted = granted ? granted : asked;
    if (granted && grant_check (granted, asked, ctx->problems) > 0)
        return YJC_FAIL;
    //  stored by s_record's UPDATE, with the state: one new row version
    //  an approval, not two (issue 14: WAL and CPU per approve)
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    msgpack_pack_object (&mp.pk, *app->granted);
    app->granted_hex = (char *)malloc (2 * mp.buf.size + 3);
    yjc_result_t rc = app->granted_hex ? YJC_OK : YJC_DB_ERROR;
    if (rc == YJC_OK) {
        memcpy (app->granted_hex, "\\x", 2);
        sodium_bin2hex (app->granted_hex + 2,
                        2 * mp.buf.size + 1,
                        (const unsigned char *)mp.buf.data,
                        mp.buf.size);
    }
    yjc_pack_release (&mp);
    return rc;
}

//  Loads and locks an application, if there is one.
static yjc_result_t
s_load (yjc_ctx_t *ctx, const char *app_id, s_app_t *app, bool *found)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT state, unit, asked_mp, coalesce(usage_months, -1)::text,"
        " coalesce(usage_days, 0)::text, coalesce(on_expiry, '')"
        " FROM applications WHERE app_id = $1 FOR UPDATE",
        1,
        params,
        NULL,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    snprintf (app->app_id, sizeof app->app_id, "%s", app_id);
    *found = PQntuples (res) > 0;
    if (*found) {
        yjc_db_copy (res, 0, 0, app->state, sizeof app->state);
        yjc_db_copy (res, 0, 1, app->unit, sizeof app->unit);
        yjc_pack_append (
            &app->asked, PQgetvalue (res, 0, 2), PQgetlength (res, 0, 2));
        app->usage_months = atoll (PQgetvalue (res, 0, 3));
        app->usage_days = atoll (PQgetvalue (res, 0, 4));
        yjc_db_copy (res, 0, 5, app->on_expiry, sizeof app->on_expiry);
    }
    PQclear (res);
    return YJC_OK;
}

//  The payload of the event announcing a transition.
static void
s_event_payload (const s_transition_t *t,
                 const char *app_id,
                 const s_app_t *app,
                 const char *opinion,
                 const char *due,
                 const char *rule,
                 const char *number,
                 yjc_map_t *ev)
{
    yjc_map_str (ev, "app_id", app_id);
    yjc_map_str (ev, "unit", app->unit);
    if (t->event == YJC_EV_APPLICATION_APPROVED) {
        //  R11.2: what is granted is what provisioning and billing see.
        yjc_map_str (ev, "opinion", opinion);
        yjc_map_obj (ev, "granted", app->granted);
        //  R14.1, R14.3: what provisioning needs at go-live (none for an
        //  application submitted before review kept it)
        if (app->usage_months >= 0) {
            msgpack_packer *pk = yjc_map_key (ev, "usage");
            msgpack_pack_map (pk, 3);
            yjc_pk_kv_int (pk, "months", app->usage_months);
            yjc_pk_kv_int (pk, "days", app->usage_days);
            yjc_pk_kv_str (pk, "on_expiry", app->on_expiry);
        }
        return;
    }
    yjc_map_str (ev, "state", yjc_state_code (t->to));
    yjc_map_str (ev, "opinion", opinion);
    if (*number)
        yjc_map_str (ev, "number", number);
    if (*due) {
        yjc_map_str (ev, "deadline", due);
        yjc_map_str (ev, "deadline_rule", rule);
    }
}

//  Records the transition: the application's new state and the decision.
//  R9.1: an acceptance takes the next number of the year (into `number`),
//  gapless: the counter row stays locked until this transaction ends.  It
//  is taken in the same statement as the record (one round trip less per
//  acceptance, and the counter held for one less: issue 14).
static yjc_result_t
s_record (yjc_ctx_t *ctx,
          const s_transition_t *t,
          const s_app_t *app,
          const char *app_id,
          const char *opinion,
          const char *due,
          const char *rule,
          bool provisional,
          char number[64])
{
    bool accepting = t->event == YJC_EV_APPLICATION_ACCEPTED;
    char year[8];
    snprintf (year, sizeof year, "%d", yjc_time_local_date (ctx->now).y);
    const char *params[] = { app_id,
                             yjc_state_code (t->to),
                             ctx->now_iso,
                             opinion,
                             accepting && *due ? due : NULL,
                             accepting ? rule : NULL,
                             yjc_msg_defs[t->msg].wire,
                             ctx->actor->name,
                             year,
                             accepting ? (provisional ? "t" : "f") : NULL,
                             app->granted_hex };
    //  Only an acceptance waits for the statement (its number); any other
    //  record goes out with the next statement or the COMMIT (issue 14:
    //  one round trip less per decision).  The row is there: s_load
    //  locked it.
    static const char *sql =
        "WITH n AS (INSERT INTO numbering (year, last)"
        "  SELECT $9::int, 1 WHERE $10::bool IS NOT NULL"
        "  ON CONFLICT (year) DO UPDATE SET last = numbering.last + 1"
        "  RETURNING format('永府办政云管审（%s）第 %s 号', year, last) AS no),"
        " a AS (UPDATE applications SET state = $2, updated_at = $3,"
        " opinion = coalesce($4, opinion),"
        " decide_due = coalesce($5::date, decide_due),"
        " decide_rule = coalesce($6, decide_rule),"
        " decide_provisional = coalesce($10::bool, decide_provisional),"
        " accepted_at = CASE WHEN $10::bool IS NOT NULL THEN $3::timestamptz"
        "  ELSE accepted_at END,"
        " number = coalesce((SELECT no FROM n), number),"
        " granted_mp = coalesce($11::bytea, granted_mp)"
        " WHERE app_id = $1 RETURNING app_id)"
        " INSERT INTO decisions (app_id, action, actor, opinion, at)"
        " SELECT app_id, $7, $8, $4, $3 FROM a"
        " RETURNING coalesce((SELECT no FROM n), '')";
    if (!accepting)
        return yjc_db_exec_later (ctx->db, sql, 11, params, NULL, NULL) == 0
                   ? YJC_OK
                   : YJC_DB_ERROR;
    PGresult *res = yjc_db_query (ctx->db, sql, 11, params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = PQntuples (res) == 1 ? YJC_OK : YJC_DB_ERROR;
    if (rc == YJC_OK)
        yjc_db_copy (res, 0, 0, number, 64);
    PQclear (res);
    return rc;
}

//  review.accept / decline / approve / reject / withdraw: one table-driven
//  handler.
static yjc_result_t
s_decide (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int msg = ctx->msg_type;
    char app_id[33], opinion[2001];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "opinion", opinion, sizeof opinion);
    const s_transition_t *t = yjc_action_any (msg);
    assert (t);
    if (t->needs_opinion && !*opinion)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.opinion",
                             "an opinion is required for %s",
                             yjc_msg_defs[msg].wire);
    if (yjc_obj_get (body, "granted") && msg != YJC_MSG_REVIEW_APPROVE)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.granted",
                             "only an approval grants resources");
    if (yjc_obj_get (body, "elastic") && msg != YJC_MSG_REVIEW_APPROVE)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.elastic",
                             "only an approval sets elastic ranges (R11.2)");
    s_app_t app = { 0 };
    yjc_pack_init (&app.asked);
    msgpack_unpacked asked_un;
    msgpack_unpacked_init (&asked_un);
    bool found = false;
    yjc_result_t rc = s_load (ctx, app_id, &app, &found);
    //  a unit acts on its own applications only, and learns of no other
    if (rc == YJC_OK && (!found || !yjc_ctx_may_see (ctx, app.unit)))
        rc = yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", app_id);
    else if (rc == YJC_OK && !(t = yjc_action (msg, app.state)))
        rc = yjc_ctx_fail (ctx,
                           YJC_E_INVALID_STATE,
                           "body.app_id",
                           "application is %s; %s is not allowed then",
                           app.state,
                           yjc_msg_defs[msg].wire);
    else if (rc == YJC_OK) {
        char due[11] = "", number[64] = "", rule[YJC_RULE_MAX] = "";
        bool provisional = false;
        if (t->event == YJC_EV_APPLICATION_ACCEPTED)
            yjc_ctx_due (ctx, YJC_DL_DECIDE, ctx->now, due, rule, &provisional);
        if (t->event == YJC_EV_APPLICATION_APPROVED)
            rc = s_grant (ctx, &app, body, &asked_un);
        if (rc == YJC_OK)
            rc = s_record (ctx,
                           t,
                           &app,
                           app_id,
                           *opinion ? opinion : NULL,
                           due,
                           rule,
                           provisional,
                           number);
        if (rc == YJC_OK && yjc_state_ended (t->to))
            rc = requests_end_duties (ctx, app_id, ctx->now_iso);
        if (rc == YJC_OK) {
            yjc_map_t ev;
            yjc_map_init (&ev);
            s_event_payload (t,
                             app_id,
                             &app,
                             *opinion ? opinion : NULL,
                             due,
                             rule,
                             number,
                             &ev);
            rc = yjc_ctx_emit_map (ctx, t->event, app_id, &ev);
            yjc_map_release (&ev);
        }
        //  R11.2: ranges approved with the grant, announced after it
        const msgpack_object *elastic = yjc_obj_get (body, "elastic");
        if (rc == YJC_OK && elastic)
            rc = elastic_set (ctx,
                              app_id,
                              app.unit,
                              app.granted,
                              elastic,
                              *opinion ? opinion : NULL);
        if (rc == YJC_OK) {
            msgpack_pack_map (ctx->reply, 5);
            yjc_pk_kv_str (ctx->reply, "app_id", app_id);
            yjc_pk_kv_str (ctx->reply, "state", yjc_state_code (t->to));
            yjc_pk_kv_str (ctx->reply, "decide_due", *due ? due : NULL);
            yjc_pk_kv_bool (ctx->reply, "provisional", provisional);
            yjc_pk_kv_str (ctx->reply, "number", *number ? number : NULL);
        }
    }
    yjc_pack_release (&app.asked);
    free (app.granted_hex);
    msgpack_unpacked_destroy (&asked_un);
    return rc;
}

//  The step the bureau owes on an application, and its deadline (R9.1,
//  R9.2): $S1 is the state the acceptance is owed in, $S2 the one the
//  decision is owed in (the parameters named by S_PENDING_PARAMS).
#define S_PENDING(s1, s2, accept, decide)                                      \
    "CASE state WHEN " s1 " THEN " accept " WHEN " s2 " THEN " decide " END"
#define S_PENDING_DUE(s1, s2) S_PENDING (s1, s2, "accept_due", "decide_due")
#define S_PENDING_PROV(s1, s2)                                                 \
    S_PENDING (s1, s2, "accept_provisional", "decide_provisional")

//  review.get - the decision record with its deadlines, their rules, and
//  how many working days the pending step is late.
static yjc_result_t
s_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char app_id[33];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    const char *params[] = { app_id,
                             yjc_state_code (YJC_STATE_SUBMITTED),
                             yjc_state_code (YJC_STATE_ACCEPTED) };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, app_id, coalesce(number, ''), project, state,"
        " coalesce(accept_due::text, ''),"
        " coalesce(accept_rule, ''), coalesce(decide_due::text, ''),"
        " coalesce(decide_rule, ''), coalesce(opinion, ''),"
        " coalesce((" S_PENDING_DUE (
            "$2", "$3") ")::text, ''),"
                        " coalesce(granted_mp, ''::bytea),"
                        " accept_provisional::text,"
                        " decide_provisional::text,"
                        " coalesce(" S_PENDING_PROV (
                            "$2", "$3") ", false)::text"
                                        " FROM applications WHERE app_id = $1",
        3,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.app_id", app_id);
    if (rc != YJC_OK)
        return rc;
    static const yjc_col_t cols[] = {
        { "unit", YJC_COL_TEXT },        { "app_id", YJC_COL_TEXT },
        { "number", YJC_COL_TEXT },      { "project", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },       { "accept_due", YJC_COL_TEXT },
        { "accept_rule", YJC_COL_TEXT }, { "decide_due", YJC_COL_TEXT },
        { "decide_rule", YJC_COL_TEXT }, { "opinion", YJC_COL_TEXT },
        { "pending_due", YJC_COL_TEXT }, { "granted", YJC_COL_MSGPACK },
    };
    const uint32_t ncols = sizeof cols / sizeof *cols;
    yjc_map_t reply;
    yjc_map_init (&reply);
    yjc_pk_columns (yjc_map_entries (&reply, ncols), res, 0, cols, ncols);
    yjc_ctx_pack_late (ctx, yjc_map_entry (&reply), PQgetvalue (res, 0, 10));
    //  暂定: a deadline computed on a provisional year (time rules)
    static const char *flags[] = { "accept_provisional",
                                   "decide_provisional",
                                   "provisional" };
    for (int f = 0; f < 3; f++)
        yjc_pk_kv_bool (yjc_map_entry (&reply),
                        flags[f],
                        *PQgetvalue (res, 0, 12 + f) == 't');
    PQclear (res);
    rc = requests_pack (ctx, app_id, &reply);
    if (rc == YJC_OK)
        rc = elastic_pack (ctx, app_id, &reply);
    if (rc == YJC_OK) //  R18, R19
        rc = inspect_pack (ctx, app_id, &reply);
    if (rc == YJC_OK)
        yjc_map_end (&reply, ctx->reply);
    yjc_map_release (&reply);
    return rc;
}

//  The applications' pending steps ($5, $6 the states they are owed in,
//  $7, $8 the steps, $9 the bureau), then every open duty, by deadline
//  ($4 all, else only those due before $1).  Each branch reads its index
//  in deadline order (115_pending_due.sql) and stops at the limit, so the
//  merge reads at most three times the limit, however many steps are
//  open and however long the history (issue 14).  Of named applications
//  ($10, a text[]: a page of the console) each branch reads them by
//  their keys instead: in deadline order it would scan every open step
//  until it met them.
// clang-format off
#define S_BEFORE(due)                                                          \
    " " due " < CASE WHEN $4::bool THEN 'infinity' ELSE $1::date END"
#define S_PENDING_BRANCH(state, due, rule, step, prov, src)                    \
    " (SELECT app_id, coalesce(number, '') AS number, unit, project, state,"   \
    " " due " AS due, " rule " AS rule, $9::text AS owed_by, " step            \
    "::text AS step, " prov " AS prov FROM " src " applications"               \
    " WHERE state = " state " AND" S_BEFORE (due)                              \
    " AND ($2::text IS NULL OR unit = $2)"                                     \
    " ORDER BY " due ", app_id LIMIT $3::int)"
#define S_PENDING_SQL(apps, duties)                                            \
    "SELECT app_id, number, unit, project, state, due::text,"                  \
    " coalesce(rule, ''), owed_by, step, coalesce(prov, false) FROM ("         \
    S_PENDING_BRANCH ("$5", "accept_due", "accept_rule", "$7",                 \
                      "accept_provisional", apps)                              \
    " UNION ALL"                                                               \
    S_PENDING_BRANCH ("$6", "decide_due", "decide_rule", "$8",                 \
                      "decide_provisional", apps)                              \
    " UNION ALL"                                                               \
    REQUESTS_DUTIES_SQL (duties, S_BEFORE ("due")                              \
                         " AND ($2::text IS NULL OR unit = $2)",               \
                         "$3::int")                                            \
    ") a ORDER BY a.due, a.app_id LIMIT $3::int"
//  the named ones by their keys first (OFFSET 0: a fence the planner
//  does not flatten, else it may still prefer the deadline order)
#define S_NAMED(table, cond)                                                   \
    "(SELECT * FROM " table " WHERE " cond "app_id = ANY ($10::text[])"         \
    " OFFSET 0)"
#define S_OVERDUE_SQL S_PENDING_SQL ("", "")
#define S_PENDING_APPS_SQL                                                     \
    S_PENDING_SQL (S_NAMED ("applications", ""),                               \
                   S_NAMED ("duties", "closed_at IS NULL AND "))
// clang-format on

//  app_id and app_ids' bound (pending_query, proto/yjc_schemas.def)
#define S_NAMED_MAX (1 + 100)

//  review.pending's named applications (app_id, or app_ids: a page of
//  the console) as a text[] literal; NULL when it names none.  Caller
//  frees.
static char *
s_named_apps (const msgpack_object *body)
{
    const char *ids[S_NAMED_MAX];
    char one[33], buf[S_NAMED_MAX][33];
    size_t n = 0;
    if (*yjc_obj_strcpy (body, "app_id", one, sizeof one))
        ids[n++] = one;
    const msgpack_object *list = yjc_obj_get (body, "app_ids");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
                         i < list->via.array.size && n < S_NAMED_MAX;
         i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        if (o->type != MSGPACK_OBJECT_STR)
            continue;
        snprintf (buf[n],
                  sizeof buf[n],
                  "%.*s",
                  (int)o->via.str.size,
                  o->via.str.ptr);
        ids[n] = buf[n];
        n++;
    }
    return n ? yjc_db_array_literal (ids, n) : NULL;
}

//  review.overdue - every step the bureau owes past its deadline, oldest
//  first, with how late it is (a unit sees its own).  review.pending -
//  every step it owes, with its deadline, late or not.
static yjc_result_t
s_overdue (yjc_ctx_t *ctx, const msgpack_object *body)
{
    bool all = ctx->msg_type == YJC_MSG_REVIEW_PENDING;
    int64_t n = 200;
    yjc_obj_int (body, "limit", &n);
    char limit[16], today[11];
    char *apps = all ? s_named_apps (body) : NULL;
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    const char *params[] = { today,
                             ctx->actor->role == YJC_ROLE_UNIT
                                 ? ctx->actor->unit
                                 : NULL,
                             limit,
                             all ? "true" : "false",
                             yjc_state_code (YJC_STATE_SUBMITTED),
                             yjc_state_code (YJC_STATE_ACCEPTED),
                             yjc_deadlines[YJC_DL_ACCEPT].code,
                             yjc_deadlines[YJC_DL_DECIDE].code,
                             yjc_parties[YJC_PARTY_BUREAU].code,
                             apps };
    PGresult *res = apps
                        ? yjc_db_query (ctx->db, S_PENDING_APPS_SQL, 10, params)
                        : yjc_db_query (ctx->db, S_OVERDUE_SQL, 9, params);
    free (apps);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "app_id", YJC_COL_TEXT }, { "number", YJC_COL_TEXT },
        { "unit", YJC_COL_TEXT },   { "project", YJC_COL_TEXT },
        { "state", YJC_COL_TEXT },  { "due", YJC_COL_TEXT },
        { "rule", YJC_COL_TEXT },   { "owed_by", YJC_COL_TEXT },
        { "step", YJC_COL_TEXT },
    };
    int rows = PQntuples (res);
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_str (ctx->reply, all ? "pending" : "overdue");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++) {
        msgpack_pack_map (ctx->reply, 11);
        yjc_pk_columns (ctx->reply, res, i, cols, 9);
        yjc_pk_kv_bool (
            ctx->reply, "provisional", *PQgetvalue (res, i, 9) == 't');
        yjc_ctx_pack_late (ctx, ctx->reply, PQgetvalue (res, i, 5));
    }
    PQclear (res);
    return YJC_OK;
}

//  order.completed: the lifecycle's moves, then what is in place now
//  (R11.3 reclaims from it).
static yjc_result_t
s_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    yjc_result_t rc = requests_on_order (ctx, ev);
    if (rc == YJC_OK)
        rc = inspect_on_completed (ctx, ev); //  R18
    return rc == YJC_OK ? reclaim_on_completed (ctx, ev) : rc;
}

//  The tick: lapsed objection windows close before the reminders are
//  computed, so a window is never told overdue.
static yjc_result_t
s_tick (yjc_ctx_t *ctx)
{
    yjc_result_t rc = reclaim_tick (ctx);
    return rc == YJC_OK ? reminders_tick (ctx) : rc;
}

static const yjc_service_def_t s_review = {
    .service = YJC_SVC_REVIEW,
    .migrations = yjc_review_migrations,
    .handlers = { [YJC_MSG_REVIEW_ACCEPT] = s_decide,
                  [YJC_MSG_REVIEW_DECLINE] = s_decide,
                  [YJC_MSG_REVIEW_APPROVE] = s_decide,
                  [YJC_MSG_REVIEW_REJECT] = s_decide,
                  [YJC_MSG_REVIEW_WITHDRAW] = s_decide,
                  [YJC_MSG_REVIEW_EXPIRE] = s_decide, //  R14.4
                  [YJC_MSG_REVIEW_GET] = s_get,
                  [YJC_MSG_REVIEW_OVERDUE] = s_overdue,
                  [YJC_MSG_REVIEW_PENDING] = s_overdue,
                  [YJC_MSG_REVIEW_REQUESTS] = requests_pending,
                  [YJC_MSG_REVIEW_SLA] = sla_report,
                  [YJC_MSG_REQUEST_APPROVE] = requests_decide,
                  [YJC_MSG_REQUEST_REJECT] = requests_decide,
                  [YJC_MSG_CALENDAR_PUBLISH] = calendar_publish,
                  [YJC_MSG_CALENDAR_LIST] = calendar_list,
                  [YJC_MSG_REVIEW_ELASTIC] = elastic_review,
                  [YJC_MSG_RECLAIM_PROPOSE] = reclaim_propose,
                  [YJC_MSG_RECLAIM_OBJECT] = reclaim_object,
                  [YJC_MSG_RECLAIM_APPROVE] = reclaim_decide,
                  [YJC_MSG_RECLAIM_REJECT] = reclaim_decide,
                  [YJC_MSG_RECLAIM_LIST] = reclaim_list,
                  [YJC_MSG_RECLAIM_GET] = reclaim_get,
                  //  R18, R19 (inspect.c)
                  [YJC_MSG_SECURITY_STAFF_UPDATE] = inspect_staff_update,
                  [YJC_MSG_INSPECTION_RECORD] = inspect_record,
                  [YJC_MSG_FINDING_RECTIFY] = inspect_rectify,
                  [YJC_MSG_FINDING_ACCEPT] = inspect_decide,
                  [YJC_MSG_FINDING_RETURN] = inspect_decide,
                  [YJC_MSG_FINDING_LIST] = inspect_list,
                  [YJC_MSG_ENFORCEMENT_ORDER] = inspect_enforce,
                  [YJC_MSG_ENFORCEMENT_LIFT] = inspect_lift },
    .on_events = { [YJC_EV_APPLICATION_SUBMITTED] = s_on_submitted },
    .on_event = { [YJC_EV_ORDER_CREATED] = requests_on_order,
                  [YJC_EV_ORDER_COMPLETED] = s_on_completed,
                  [YJC_EV_ORDER_FAILED] = requests_on_order,
                  [YJC_EV_REQUEST_SUBMITTED] = requests_on_submitted,
                  [YJC_EV_EMERGENCY_REPORTED] = requests_on_emergency,
                  //  R14.4: 已到期, as provisioning's MOVE row says
                  [YJC_EV_APPLICATION_EXPIRED] = requests_on_order,
                  //  R18: the attachments a rectification may name
                  [YJC_EV_ATTACHMENT_STORED] = yjc_attachref_learn },
    .on_tick = s_tick,
};

int
main (int argc, char **argv)
{
    return yjc_server_main (&s_review, argc, argv);
}
