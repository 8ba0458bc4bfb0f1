/*  calendar.c - a year's arrangement published by the bureau (time
    rules: a provisional year is recomputed when the official arrangement
    is published). Review handles the request itself: it stores the year,
    recomputes every open deadline the year touches in the same
    transaction, and announces it to the other services that compute
    deadlines (provisioning) and to the audit trail.                     */
#include "calendar.h"
#include "yjc_time.h"

//  The deadline texts of a change, for the history (期限因 … 调整).
static void
s_reason (char *out,
          size_t size,
          int year,
          bool full,
          const char *from,
          const char *to)
{
    snprintf (out,
              size,
              "期限因 %d 年%s公布由 %s 调整为 %s",
              year,
              full ? "放假安排" : "本地放假调整",
              *from ? from : "（无）",
              *to ? to : "（无）");
}

//  Records a moved deadline: a decision row (the bureau's record) and
//  deadline.changed for intake's history.
static yjc_result_t
s_record_change (yjc_ctx_t *ctx,
                 const char *app_id,
                 const char *unit,
                 const char *what,
                 const char *from,
                 const char *to,
                 int year,
                 bool full)
{
    char reason[400];
    s_reason (reason, sizeof reason, year, full, from, to);
    const char *params[] = { app_id, ctx->actor->name, reason, ctx->now_iso };
    if (yjc_db_exec (ctx->db,
                     "INSERT INTO decisions (app_id, action, actor, opinion,"
                     " at) VALUES ($1, 'deadline.changed', $2, $3, $4)",
                     4,
                     params) < 0)
        return YJC_DB_ERROR;
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "app_id", app_id);
    yjc_map_str (&ev, "unit", unit);
    yjc_map_str (&ev, "deadline", what);
    yjc_map_str (&ev, "from", from);
    yjc_map_str (&ev, "to", to);
    yjc_map_int (&ev, "year", year);
    yjc_map_str (&ev, "reason", reason);
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx, YJC_EV_DEADLINE_CHANGED, app_id, &ev);
    yjc_map_release (&ev);
    return rc;
}

//  Recomputes every open deadline that rests on a provisional year or
//  ends in or after `year` from where it started; *changed counts those
//  whose date moved.  The SQL yields: key, app_id, unit, deadline code,
//  start (microseconds), due, provisional; `update` sets $2 due, $3
//  provisional on key $1.
static yjc_result_t
s_recompute (yjc_ctx_t *ctx,
             const char *select,
             const char *update,
             const char *step,
             const char *state,
             int year,
             bool full,
             int *changed)
{
    char y[12];
    snprintf (y, sizeof y, "%d", year);
    const char *params[] = { y, step, state };
    PGresult *res = yjc_db_query (ctx->db, select, step ? 3 : 1, params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_result_t rc = YJC_OK;
    for (int i = 0; i < PQntuples (res) && rc == YJC_OK; i++) {
        int dl = yjc_deadline_by_code (PQgetvalue (res, i, 3));
        if (dl < 0 || !strchr ("wdmc", yjc_deadlines[dl].unit) ||
            !yjc_deadlines[dl].unit)
            continue; //  a date the unit set (R10.2 until): not a rule's
        int64_t at = strtoll (PQgetvalue (res, i, 4), NULL, 10);
        char due[11], rule[YJC_RULE_MAX];
        bool provisional;
        yjc_ctx_due (ctx, (yjc_deadline_t)dl, at, due, rule, &provisional);
        const char *old = PQgetvalue (res, i, 5);
        bool was = *PQgetvalue (res, i, 6) == 't';
        if (streq (old, due) && was == provisional)
            continue;
        const char *uparams[] = { PQgetvalue (res, i, 0),
                                  *due ? due : NULL,
                                  provisional ? "t" : "f" };
        if (yjc_db_exec (ctx->db, update, 3, uparams) < 0) {
            rc = YJC_DB_ERROR;
            break;
        }
        if (streq (old, due))
            continue;
        (*changed)++;
        rc = s_record_change (ctx,
                              PQgetvalue (res, i, 1),
                              PQgetvalue (res, i, 2),
                              PQgetvalue (res, i, 3),
                              old,
                              due,
                              year,
                              full);
    }
    PQclear (res);
    return rc;
}

#define S_US(t) " (extract(epoch FROM " t ") * 1000000)::bigint"
#define S_TOUCHES(prov, due, start)                                            \
    " AND (" prov " OR " due " >= make_date($1::int, 1, 1))"                   \
    " AND " start " < make_date($1::int + 1, 1, 1)"

static yjc_result_t
s_recompute_all (yjc_ctx_t *ctx, int year, bool full, int *changed)
{
    //  R9.1 acceptance owed, R9.2 decision owed, then every open duty
    yjc_result_t rc = s_recompute (
        ctx,
        "SELECT app_id, app_id, unit, $2::text," S_US (
            "submitted_at") ","
                            " coalesce(accept_due::text, ''), "
                            "accept_provisional"
                            " FROM applications WHERE state = $3" S_TOUCHES (
                                "accept_provisional",
                                "accept_due",
                                "submitted_at") " ORDER BY app_id FOR UPDATE",
        "UPDATE applications SET accept_due = $2::date,"
        " accept_provisional = $3::bool WHERE app_id = $1",
        yjc_deadlines[YJC_DL_ACCEPT].code,
        yjc_state_code (YJC_STATE_SUBMITTED),
        year,
        full,
        changed);
    if (rc == YJC_OK)
        rc = s_recompute (
            ctx,
            "SELECT app_id, app_id, unit, $2::text," S_US (
                "accepted_at") ","
                               " coalesce(decide_due::text, ''), "
                               "decide_provisional"
                               " FROM applications WHERE state = $3"
                               " AND accepted_at IS NOT NULL" S_TOUCHES (
                                   "decide_provisional",
                                   "decide_due",
                                   "accepted_at") " ORDER BY app_id FOR UPDATE",
            "UPDATE applications SET decide_due = $2::date,"
            " decide_provisional = $3::bool WHERE app_id = $1",
            yjc_deadlines[YJC_DL_DECIDE].code,
            yjc_state_code (YJC_STATE_ACCEPTED),
            year,
            full,
            changed);
    if (rc == YJC_OK)
        rc = s_recompute (
            ctx,
            "SELECT id::text, app_id, unit, what," S_US (
                "due_from") ","
                            " coalesce(due::text, ''), provisional FROM duties"
                            " WHERE closed_at IS NULL AND due_from IS NOT "
                            "NULL" S_TOUCHES (
                                "provisional",
                                "due",
                                "due_from") " ORDER BY id FOR UPDATE",
            "UPDATE duties SET due = $2::date, provisional = $3::bool"
            " WHERE id = $1::bigint",
            NULL,
            NULL,
            year,
            full,
            changed);
    return rc;
}

//  The days must all lie in the year, each date once (the CLI says so
//  with the file's line; this is the service's own check).
static yjc_result_t
s_check_days (yjc_ctx_t *ctx, int year, const msgpack_object *days)
{
    zhashx_t *seen = zhashx_new ();
    yjc_result_t rc = YJC_OK;
    for (uint32_t i = 0; i < days->via.array.size && rc == YJC_OK; i++) {
        char date[16], field[48];
        yjc_obj_strcpy (&days->via.array.ptr[i], "date", date, sizeof date);
        snprintf (field, sizeof field, "body.days[%u].date", i);
        if (atoi (date) != year)
            rc = yjc_ctx_fail (
                ctx, YJC_E_INVALID_VALUE, field, "%s is not in %d", date, year);
        else if (zhashx_lookup (seen, date))
            rc = yjc_ctx_fail (
                ctx, YJC_E_INVALID_VALUE, field, "%s listed twice", date);
        else
            zhashx_insert (seen, date, (void *)1);
    }
    zhashx_destroy (&seen);
    return rc;
}

yjc_result_t
calendar_publish (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t year = 0, pub_id = 0;
    char kind[8];
    yjc_obj_int (body, "year", &year);
    yjc_obj_strcpy (body, "kind", kind, sizeof kind);
    const msgpack_object *days = yjc_obj_get (body, "days");
    bool full = streq (kind, "full");
    yjc_result_t rc = s_check_days (ctx, (int)year, days);
    if (rc == YJC_OK)
        rc = yjc_ctx_calendar_store (ctx,
                                     &pub_id,
                                     (int)year,
                                     kind,
                                     days,
                                     ctx->actor->name,
                                     ctx->now_iso);
    int changed = 0;
    if (rc == YJC_OK)
        rc = s_recompute_all (ctx, (int)year, full, &changed);
    if (rc == YJC_OK) {
        yjc_map_t ev;
        yjc_map_init (&ev);
        yjc_map_int (&ev, "pub_id", pub_id);
        yjc_map_int (&ev, "year", year);
        yjc_map_str (&ev, "kind", kind);
        yjc_map_obj (&ev, "days", days);
        yjc_map_str (&ev, "published_by", ctx->actor->name);
        yjc_map_str (&ev, "published_at", ctx->now_iso);
        rc = yjc_ctx_emit_map (ctx, YJC_EV_CALENDAR_PUBLISHED, "", &ev);
        yjc_map_release (&ev);
    }
    if (rc == YJC_OK) {
        yjc_ctx_log (ctx,
                     YJC_LOG_INFO,
                     "calendar %lld published: %s, %u days, %d deadlines moved",
                     (long long)year,
                     kind,
                     days->via.array.size,
                     changed);
        msgpack_pack_map (ctx->reply, 5);
        yjc_pk_kv_int (ctx->reply, "pub_id", pub_id);
        yjc_pk_kv_int (ctx->reply, "year", year);
        yjc_pk_kv_str (ctx->reply, "kind", kind);
        yjc_pk_kv_int (ctx->reply, "days", days->via.array.size);
        yjc_pk_kv_int (ctx->reply, "changed", changed);
    }
    return rc;
}

yjc_result_t
calendar_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    (void)body;
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT y.pub_id, y.year, y.kind, y.published_by,"
        " to_char(y.published_at AT TIME ZONE 'Asia/Shanghai',"
        " 'YYYY-MM-DD HH24:MI'), coalesce(d.date::text, ''),"
        " coalesce(d.off, true), coalesce(d.name, '')"
        " FROM calendar_years y LEFT JOIN calendar_days d USING (pub_id)"
        " WHERE y.replaced_by IS NULL"
        " ORDER BY y.kind = 'local', y.pub_id, d.date",
        0,
        NULL);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQntuples (res), pubs = 0;
    for (int i = 0; i < rows; i++)
        pubs += i == 0 ||
                !streq (PQgetvalue (res, i, 0), PQgetvalue (res, i - 1, 0));
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_str (ctx->reply, "published");
    msgpack_pack_array (ctx->reply, pubs);
    for (int i = 0; i < rows;) {
        int end = i + 1;
        while (end < rows &&
               streq (PQgetvalue (res, end, 0), PQgetvalue (res, i, 0)))
            end++;
        bool none = !*PQgetvalue (res, i, 5);
        msgpack_pack_map (ctx->reply, 6);
        yjc_pk_kv_int (ctx->reply, "pub_id", atoll (PQgetvalue (res, i, 0)));
        yjc_pk_kv_int (ctx->reply, "year", atoi (PQgetvalue (res, i, 1)));
        yjc_pk_kv_str (ctx->reply, "kind", PQgetvalue (res, i, 2));
        yjc_pk_kv_str (ctx->reply, "published_by", PQgetvalue (res, i, 3));
        yjc_pk_kv_str (ctx->reply, "published_at", PQgetvalue (res, i, 4));
        yjc_pk_str (ctx->reply, "days");
        msgpack_pack_array (ctx->reply, none ? 0 : end - i);
        for (int r = i; !none && r < end; r++) {
            msgpack_pack_map (ctx->reply, 3);
            yjc_pk_kv_str (ctx->reply, "date", PQgetvalue (res, r, 5));
            yjc_pk_kv_bool (ctx->reply, "off", *PQgetvalue (res, r, 6) == 't');
            yjc_pk_kv_str (ctx->reply, "name", PQgetvalue (res, r, 7));
        }
        i = end;
    }
    PQclear (res);
    return YJC_OK;
}
