/*  problems.c - R15: a unit reports a problem of its own system (in test
    or in production) to the vendor and the bureau.  The report is its
    own kind of item in the vendor's queue: problem.fetch, with a cursor
    of its own that works as order.fetch's (proto/README.md §8.7), so the
    vendor clients of order.fetch see nothing new.  The vendor
    acknowledges it and resolves it with a note (reported -> acknowledged
    -> resolved); when each step happened is kept, and with it the time
    to acknowledge and to resolve.  One report per report_key per sender,
    however often it is sent.  Attachments are intake's (F…), named as
    references only: the file and who may read it stay intake's.       */
#include "problems.h"
#include "cursor.h"
#include "yjc_attachref.h"
#include "yjc_lifecycle.h"

#define S_REPORTED     "reported"
#define S_ACKNOWLEDGED "acknowledged"
#define S_RESOLVED     "resolved"

//  The writers' lock of the problems' cursor (108_problems.sql): taken
//  first by every handler that changes problems, before any row lock.
static yjc_result_t
s_lock_changes (yjc_ctx_t *ctx)
{
    return yjc_db_exec (ctx->db, "SELECT problems_change_lock()", 0, NULL) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  The columns of a problem, as every reply and event names them.
#define S_COLUMNS                                                              \
    "p.problem_id, p.app_id, p.unit, p.severity, p.state, p.text,"             \
    " array_to_string(p.attachments, ' '), coalesce(p.note, ''),"              \
    " to_char(p.reported_at, 'YYYY-MM-DD HH24:MI:SS'),"                        \
    " coalesce(to_char(p.acked_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"             \
    " coalesce(to_char(p.resolved_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"          \
    " extract(epoch FROM p.acked_at - p.reported_at)::bigint::text,"           \
    " extract(epoch FROM p.resolved_at - p.reported_at)::bigint::text,"        \
    " p.reported_by, p.changed_seq::text"

enum {
    C_ID,
    C_APP,
    C_UNIT,
    C_SEVERITY,
    C_STATE,
    C_TEXT,
    C_ATTACHMENTS,
    C_NOTE,
    C_REPORTED_AT,
    C_ACKED_AT,
    C_RESOLVED_AT,
    C_ACK_S,
    C_RESOLVE_S,
    C_REPORTED_BY,
    C_SEQ,
    C_COUNT
};

//  Packs the attachments column (ids joined by spaces) as an array.
static void
s_pack_attachments (msgpack_packer *pk, const char *joined)
{
    uint32_t n = 0;
    for (const char *p = joined; *p; n++) {
        p += strcspn (p, " ");
        p += *p == ' ';
    }
    msgpack_pack_array (pk, n);
    for (const char *p = joined; *p;) {
        size_t len = strcspn (p, " ");
        msgpack_pack_str_with_body (pk, p, len);
        p += len + (p[len] == ' ');
    }
}

//  An integer column as an int, nil when NULL.
static void
s_pack_seconds (msgpack_packer *pk, const PGresult *res, int row, int col)
{
    if (PQgetisnull (res, row, col))
        msgpack_pack_nil (pk);
    else
        msgpack_pack_int64 (pk, strtoll (PQgetvalue (res, row, col), NULL, 10));
}

//  One problem as a reply's item: `age` adds how long since it was
//  reported (seconds, at the clock's now: column C_COUNT).
static void
s_pack_problem (msgpack_packer *pk, const PGresult *res, int row, bool age)
{
    static const char *keys[C_COUNT] = {
        [C_ID] = "problem_id",
        [C_APP] = "app_id",
        [C_UNIT] = "unit",
        [C_SEVERITY] = "severity",
        [C_STATE] = "state",
        [C_TEXT] = "text",
        [C_NOTE] = "note",
        [C_REPORTED_AT] = "reported_at",
        [C_ACKED_AT] = "acked_at",
        [C_RESOLVED_AT] = "resolved_at",
        [C_REPORTED_BY] = "reported_by",
    };
    msgpack_pack_map (pk, age ? 15 : 14);
    for (int c = 0; c < C_COUNT; c++)
        if (keys[c])
            yjc_pk_kv_str (pk, keys[c], PQgetvalue (res, row, c));
    yjc_pk_str (pk, "attachments");
    s_pack_attachments (pk, PQgetvalue (res, row, C_ATTACHMENTS));
    yjc_pk_str (pk, "ack_seconds");
    s_pack_seconds (pk, res, row, C_ACK_S);
    yjc_pk_str (pk, "resolve_seconds");
    s_pack_seconds (pk, res, row, C_RESOLVE_S);
    if (age) {
        yjc_pk_str (pk, "age_seconds");
        s_pack_seconds (pk, res, row, C_COUNT);
    }
}

//  Loads (and locks) one problem; NULL on a database error.
static PGresult *
s_load (yjc_ctx_t *ctx, const char *problem_id)
{
    const char *params[] = { problem_id };
    return yjc_db_query (ctx->db,
                         "SELECT " S_COLUMNS " FROM problems p"
                         " WHERE p.problem_id = $1 FOR UPDATE",
                         1,
                         params);
}

//  The ev_problem payload of a problem's new state.
static yjc_result_t
s_emit (yjc_ctx_t *ctx, int event, const char *problem_id)
{
    PGresult *res = s_load (ctx, problem_id);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "problem_id", PQgetvalue (res, 0, C_ID));
    yjc_map_str (&ev, "app_id", PQgetvalue (res, 0, C_APP));
    yjc_map_str (&ev, "unit", PQgetvalue (res, 0, C_UNIT));
    yjc_map_str (&ev, "severity", PQgetvalue (res, 0, C_SEVERITY));
    yjc_map_str (&ev, "state", PQgetvalue (res, 0, C_STATE));
    yjc_map_str (&ev, "text", PQgetvalue (res, 0, C_TEXT));
    s_pack_attachments (yjc_map_key (&ev, "attachments"),
                        PQgetvalue (res, 0, C_ATTACHMENTS));
    if (*PQgetvalue (res, 0, C_NOTE))
        yjc_map_str (&ev, "note", PQgetvalue (res, 0, C_NOTE));
    if (!PQgetisnull (res, 0, C_ACK_S))
        yjc_map_int (&ev,
                     "ack_seconds",
                     strtoll (PQgetvalue (res, 0, C_ACK_S), NULL, 10));
    if (!PQgetisnull (res, 0, C_RESOLVE_S))
        yjc_map_int (&ev,
                     "resolve_seconds",
                     strtoll (PQgetvalue (res, 0, C_RESOLVE_S), NULL, 10));
    char app_id[33];
    yjc_db_copy (res, 0, C_APP, app_id, sizeof app_id);
    PQclear (res);
    yjc_result_t rc = yjc_ctx_emit_map (ctx, event, app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  An attachment is named by intake's id (F and digits): anything else is
//  refused here, every item in one reply; whether the file exists and is
//  the unit's own, yjc_attachref_check says after.
static yjc_result_t
s_check_attachments (yjc_ctx_t *ctx, const msgpack_object *list)
{
    yjc_result_t rc = YJC_OK;
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        const char *s = o->via.str.ptr;
        uint32_t n = o->via.str.size, digits = 0;
        while (digits + 1 < n && s[digits + 1] >= '0' && s[digits + 1] <= '9')
            digits++;
        if (n < 2 || n > 32 || s[0] != 'F' || digits + 1 != n) {
            char field[48];
            snprintf (field, sizeof field, "body.attachments[%u]", i);
            rc = yjc_ctx_fail (ctx,
                               YJC_E_INVALID_VALUE,
                               field,
                               "not an attachment id (F000001): %.*s",
                               (int)(n > 32 ? 32 : n),
                               s);
        }
    }
    return rc;
}

//  A new problem of the unit's own system, in test or in production.
static yjc_result_t
s_report_new (yjc_ctx_t *ctx,
              const msgpack_object *body,
              const char *cause,
              char problem_id[33])
{
    char app_id[33], severity[17], text[4001];
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    yjc_obj_strcpy (body, "severity", severity, sizeof severity);
    yjc_obj_strcpy (body, "text", text, sizeof text);
    const char *aparams[] = { app_id };
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT unit, state FROM apps"
                                  " WHERE app_id = $1",
                                  1,
                                  aparams);
    if (!res)
        return YJC_DB_ERROR;
    char unit[129] = "", stage[33] = "";
    if (PQntuples (res) == 1) {
        yjc_db_copy (res, 0, 0, unit, sizeof unit);
        yjc_db_copy (res, 0, 1, stage, sizeof stage);
    }
    PQclear (res);
    //  R15: a unit reports on its own system only; another's is not
    //  revealed
    if (!*unit || !yjc_ctx_may_see (ctx, unit))
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.app_id", "%s", app_id);
    if (!streq (stage, yjc_state_code (YJC_STATE_TESTING)) &&
        !streq (stage, yjc_state_code (YJC_STATE_PRODUCTION)))
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_STATE,
                             "body.app_id",
                             "the system is %s; a problem is reported of a"
                             " system in test or in production",
                             stage);
    //  the ids as a text[] literal: each checked to be F and digits
    char ids[8 * 34 + 3] = "{";
    const msgpack_object *list = yjc_obj_get (body, "attachments");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
                         i < list->via.array.size && i < 8;
         i++) {
        size_t used = strlen (ids);
        snprintf (ids + used,
                  sizeof ids - used,
                  "%s%.*s",
                  i ? "," : "",
                  (int)list->via.array.ptr[i].via.str.size,
                  list->via.array.ptr[i].via.str.ptr);
    }
    strcat (ids, "}");
    const char *params[] = { app_id, unit,  severity,         text,
                             ids,    cause, ctx->actor->name, ctx->now_iso };
    res = yjc_db_query (ctx->db,
                        "INSERT INTO problems (problem_id, app_id, unit,"
                        " severity, text, attachments, cause, reported_by,"
                        " reported_at) VALUES (yjc_new_id('P', 'problem_seq'),"
                        " $1, $2, $3, $4, $5::text[], $6, $7, $8)"
                        " RETURNING problem_id",
                        8,
                        params);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    yjc_db_copy (res, 0, 0, problem_id, 33);
    PQclear (res);
    return s_emit (ctx, YJC_EV_PROBLEM_REPORTED, problem_id);
}

//  problem.report - R15.  One problem per report: its cause is the actor
//  and the report's key (the envelope id by default), so a retry with a
//  fresh envelope id and the same key returns the same problem.
yjc_result_t
problems_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    yjc_result_t rc =
        s_check_attachments (ctx, yjc_obj_get (body, "attachments"));
    //  R15: each the unit's own upload (nothing written before: a wait
    //  for an upload still on its way parks the request)
    if (rc == YJC_OK)
        rc = yjc_attachref_check (
            ctx, yjc_obj_get (body, "attachments"), "body.attachments");
    if (rc != YJC_OK)
        return rc;
    char key[65], app_id[33], cause[140];
    yjc_obj_strcpy (body, "report_key", key, sizeof key);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    snprintf (cause,
              sizeof cause,
              "%s:%s",
              ctx->actor->name,
              *key ? key : ctx->request_id);
    rc = s_lock_changes (ctx);
    if (rc != YJC_OK)
        return rc;
    const char *params[] = { cause };
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT problem_id, app_id, state"
                                  " FROM problems WHERE cause = $1",
                                  1,
                                  params);
    if (!res)
        return YJC_DB_ERROR;
    char problem_id[33] = "", state[17] = S_REPORTED;
    bool found = PQntuples (res) == 1;
    if (found) {
        yjc_db_copy (res, 0, 0, problem_id, sizeof problem_id);
        yjc_db_copy (res, 0, 2, state, sizeof state);
        if (!streq (PQgetvalue (res, 0, 1), app_id))
            //  one key, two reports: the second would be lost as a retry
            rc = yjc_ctx_fail (ctx,
                               YJC_E_INVALID_VALUE,
                               *key ? "body.report_key" : "id",
                               "already used for %s of %s",
                               problem_id,
                               PQgetvalue (res, 0, 1));
    }
    PQclear (res);
    if (rc == YJC_OK && !found)
        rc = s_report_new (ctx, body, cause, problem_id);
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "problem_id", problem_id);
        yjc_pk_kv_str (ctx->reply, "state", state);
        yjc_pk_kv_bool (ctx->reply, "duplicate", found);
    }
    return rc;
}

//  problem.fetch - as order.fetch: with a cursor, the problems reported
//  or changed after it, in the order of their changes (open or
//  resolved); without, every open one; an empty answer waits up to
//  wait_ms (long poll).
yjc_result_t
problems_fetch (yjc_ctx_t *ctx, const msgpack_object *body)
{
    cursor_request_t req;
    if (cursor_request (ctx, body, 'p', "problem.fetch", &req) != YJC_OK)
        return YJC_FAIL;
    int64_t n = req.limit, wait_ms = req.wait_ms;
    const char *params[] = { req.limit_text, req.after };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH top AS (SELECT coalesce(max(changed_seq), 0) AS m FROM problems),"
        " c AS (SELECT m, CASE WHEN $2::bigint <= m THEN $2::bigint END"
        "  AS after FROM top)"
        " SELECT " S_COLUMNS ", c.m::text"
        " FROM c LEFT JOIN LATERAL (SELECT * FROM problems WHERE"
        "  CASE WHEN c.after IS NULL THEN state <> 'resolved'"
        "  ELSE changed_seq > c.after END"
        "  ORDER BY changed_seq LIMIT $1::int) p ON true"
        " ORDER BY p.changed_seq",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQgetisnull (res, 0, 0) ? 0 : PQntuples (res);
    if (rows == 0 && yjc_ctx_wait (ctx, wait_ms) == YJC_WAIT) {
        PQclear (res);
        return YJC_WAIT;
    }
    //  cut at the limit: the rest comes next, after the last one sent
    const char *next = rows == n ? PQgetvalue (res, rows - 1, C_SEQ)
                                 : PQgetvalue (res, 0, C_COUNT);
    char out[24];
    cursor_format ('p', next, out);
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_str (ctx->reply, "problems");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++)
        s_pack_problem (ctx->reply, res, i, false);
    yjc_pk_kv_str (ctx->reply, "cursor", out);
    PQclear (res);
    return YJC_OK;
}

//  problem.ack, problem.resolve - the vendor's steps: reported ->
//  acknowledged -> resolved (resolving acknowledges too).  A step already
//  taken is a retry: duplicate, nothing changes; acknowledging a resolved
//  problem is refused.
yjc_result_t
problems_step (yjc_ctx_t *ctx, const msgpack_object *body)
{
    bool resolve = ctx->msg_type == YJC_MSG_PROBLEM_RESOLVE;
    char problem_id[33], note[2001] = "";
    yjc_obj_strcpy (body, "problem_id", problem_id, sizeof problem_id);
    yjc_obj_strcpy (body, "note", note, sizeof note);
    yjc_result_t rc = s_lock_changes (ctx);
    PGresult *res = rc == YJC_OK ? s_load (ctx, problem_id) : NULL;
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) != 1) {
        PQclear (res);
        return yjc_ctx_fail (
            ctx, YJC_E_NOT_FOUND, "body.problem_id", "%s", problem_id);
    }
    char state[17];
    yjc_db_copy (res, 0, C_STATE, state, sizeof state);
    PQclear (res);
    const char *to = resolve ? S_RESOLVED : S_ACKNOWLEDGED;
    bool duplicate = streq (state, to);
    if (!resolve && streq (state, S_RESOLVED))
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_STATE,
                             "body.problem_id",
                             "problem is %s",
                             state);
    if (!duplicate) {
        const char *params[] = { problem_id,          to,
                                 ctx->now_iso,        ctx->actor->name,
                                 resolve ? "t" : "f", resolve ? note : NULL };
        if (yjc_db_exec (ctx->db,
                         "UPDATE problems SET state = $2,"
                         " acked_at = coalesce(acked_at, $3::timestamptz),"
                         " acked_by = coalesce(acked_by, $4),"
                         " resolved_at = CASE WHEN $5::bool"
                         "  THEN $3::timestamptz END,"
                         " resolved_by = CASE WHEN $5::bool THEN $4 END,"
                         " note = $6 WHERE problem_id = $1",
                         6,
                         params) != 1)
            return YJC_DB_ERROR;
        rc = s_emit (ctx,
                     resolve ? YJC_EV_PROBLEM_RESOLVED
                             : YJC_EV_PROBLEM_ACKNOWLEDGED,
                     problem_id);
    }
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 3);
        yjc_pk_kv_str (ctx->reply, "problem_id", problem_id);
        yjc_pk_kv_str (ctx->reply, "state", to);
        yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
    }
    return rc;
}

//  problem.list - the problems with their state, times and age, newest
//  first; a unit sees its own unit's only (R15).
yjc_result_t
problems_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t n = 200;
    bool open = false;
    char app_id[33];
    yjc_obj_int (body, "limit", &n);
    yjc_obj_strcpy (body, "app_id", app_id, sizeof app_id);
    const msgpack_object *o = yjc_obj_get (body, "open");
    open = o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
    char limit[16];
    snprintf (limit, sizeof limit, "%lld", (long long)n);
    const char *params[] = {
        ctx->actor->role == YJC_ROLE_UNIT ? ctx->actor->unit : NULL,
        *app_id ? app_id : NULL,
        open ? "t" : "f",
        limit,
        ctx->now_iso,
    };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT " S_COLUMNS ","
        " greatest(extract(epoch FROM $5::timestamptz - p.reported_at),"
        " 0)::bigint::text FROM problems p"
        " WHERE ($1::text IS NULL OR p.unit = $1)"
        " AND ($2::text IS NULL OR p.app_id = $2)"
        " AND (NOT $3::bool OR p.state <> 'resolved')"
        " ORDER BY p.reported_at DESC, p.problem_id DESC LIMIT $4::int",
        5,
        params);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQntuples (res);
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_str (ctx->reply, "problems");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++)
        s_pack_problem (ctx->reply, res, i, true);
    PQclear (res);
    return YJC_OK;
}
