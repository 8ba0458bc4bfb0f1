/*  obligations.c - R16, R21: the vendor's recurring obligations.

    The obligations, their periods and deadlines are the list in
    proto/yjc_obligations.def.  The vendor delivers each through its
    endpoint (obligation.submit): a file and, for a drill, when it was
    held, its scenario and outcome.  The same code and period again
    replaces the delivery in force and keeps the earlier one (the
    history); the same file and facts again change nothing (duplicate).
    R16 (issue 13): the quarterly O&M report is owed to each unit with a
    system running in the quarter (gone live by its last day, not
    terminated before its first), by the end of the month after it: a
    delivery names its unit and carries the utilization table the vendor
    confirms or corrects per line; obligation.overdue lists the reports
    past due without a delivery (list --overdue), which a delivery for
    that unit closes.

    compliance.report answers, for a year, each obligation's periods:
    delivered on time, late by N working days (the calendar in force:
    what the vendor owed by 24:00 of the due day), missing (the due day
    has passed without a delivery) or not yet due; and the SLA of the
    deadline rules of this service's steps, the vendor's orders (R10.1,
    R12.1, R13.1, R13.2, R14.2, R14.4).  Review answers the SLA of its
    own (review.sla); the CLI shows both.                                */
#include "obligations.h"
#include "yjc_json.h"
#include "yjc_lifecycle.h"
#include "yjc_obligations.h"
#include "yjc_sla.h"
#include "yjc_time.h"

typedef struct {
    int obl;
    char period[16];
    yjc_date_t first, last, due;
    bool due_known;
    char sha[65];
    char file_name[256];
    const msgpack_object *drill;
    char drill_date[11];
    char unit[129];                    //  R16: whose report, "" county
    const msgpack_object *utilization; //  R16: the table, per line
    char *utilization_json;            //  the same, for the database
    int lines, corrected;
} s_delivery_t;

//  R16: an O&M report names its unit and carries the utilization
//  table, each line confirmed or corrected (a correction gives the
//  figure the vendor stands by); the other obligations carry neither.
static yjc_result_t
s_check_unit (yjc_ctx_t *ctx,
              const msgpack_object *body,
              const yjc_obligation_def_t *o,
              s_delivery_t *d)
{
    yjc_obj_strcpy (body, "unit", d->unit, sizeof d->unit);
    d->utilization = yjc_obj_get (body, "utilization");
    if (d->utilization && d->utilization->type != MSGPACK_OBJECT_ARRAY)
        d->utilization = NULL;
    if (!o->per_unit && (*d->unit || d->utilization))
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             *d->unit ? "body.unit" : "body.utilization",
                             "only for a report owed to each unit");
    if (!o->per_unit)
        return YJC_OK;
    if (!*d->unit)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.unit",
                             "the unit the report is for (R16)");
    if (!d->utilization)
        return yjc_ctx_fail (
            ctx,
            YJC_E_MISSING_FIELD,
            "body.utilization",
            "the utilization table, confirmed or corrected per line (R16)");
    for (uint32_t i = 0; i < d->utilization->via.array.size; i++) {
        const msgpack_object *l = &d->utilization->via.array.ptr[i];
        const msgpack_object *c = yjc_obj_get (l, "confirmed");
        bool confirmed =
            c && c->type == MSGPACK_OBJECT_BOOLEAN && c->via.boolean;
        int64_t v;
        bool figure =
            yjc_obj_int (l, "cpu_p95", &v) || yjc_obj_int (l, "mem_p95", &v);
        if (!confirmed && !figure) {
            char field[64];
            snprintf (field, sizeof field, "body.utilization[%u].cpu_p95", i);
            return yjc_ctx_fail (ctx,
                                 YJC_E_MISSING_FIELD,
                                 field,
                                 "a line not confirmed gives the corrected "
                                 "figure");
        }
        d->corrected += !confirmed;
    }
    d->lines = (int)d->utilization->via.array.size;
    d->utilization_json = yjc_json_from_object (d->utilization, false);
    return d->utilization_json ? YJC_OK : YJC_DB_ERROR;
}

//  The facts of the delivery, refused when they do not fit its kind.
static yjc_result_t
s_check (yjc_ctx_t *ctx, const msgpack_object *body, s_delivery_t *d)
{
    char code[33];
    yjc_obj_strcpy (body, "code", code, sizeof code);
    d->obl = yjc_obligation_by_code (code);
    const yjc_obligation_def_t *o = &yjc_obligations[d->obl];
    yjc_obj_strcpy (body, "period", d->period, sizeof d->period);
    yjc_obj_strcpy (body, "sha256", d->sha, sizeof d->sha);
    yjc_obj_strcpy (body, "file_name", d->file_name, sizeof d->file_name);
    d->drill = yjc_obj_get (body, "drill");
    if (d->drill && d->drill->type == MSGPACK_OBJECT_NIL)
        d->drill = NULL;
    if (yjc_obligation_period_parse (o->period, d->period, &d->first, &d->last))
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.period",
                             "a %s period, e.g. %s",
                             o->period == 'M'   ? "month"
                             : o->period == 'Q' ? "quarter"
                                                : "half-year",
                             o->period == 'M'   ? "2026-11"
                             : o->period == 'Q' ? "2026-Q4"
                                                : "2026-H2");
    yjc_date_t today = yjc_time_local_date (ctx->now);
    if (yjc_date_cmp (today, d->first) < 0)
        return yjc_ctx_fail (
            ctx, YJC_E_OUT_OF_RANGE, "body.period", "has not begun");
    //  R21: a drill is a thing held; its date is what is measured
    if (o->held && !d->drill)
        return yjc_ctx_fail (ctx,
                             YJC_E_MISSING_FIELD,
                             "body.drill",
                             "a drill's date, scenario and outcome (R21)");
    if (!o->held && d->drill)
        return yjc_ctx_fail (
            ctx, YJC_E_INVALID_VALUE, "body.drill", "only for a drill");
    if (d->drill) {
        yjc_date_t held;
        yjc_obj_strcpy (d->drill, "date", d->drill_date, sizeof d->drill_date);
        yjc_date_parse (d->drill_date, &held);
        if (yjc_date_cmp (held, d->first) < 0 || yjc_date_cmp (held, today) > 0)
            return yjc_ctx_fail (ctx,
                                 YJC_E_OUT_OF_RANGE,
                                 "body.drill.date",
                                 "between the period's first day and today");
    }
    d->due_known = yjc_obligation_due (
                       yjc_ctx_calendar (ctx), d->obl, d->last, &d->due) == 0;
    return s_check_unit (ctx, body, o, d);
}

//  The date that is measured against the due day: the drill's, or today.
static yjc_date_t
s_measured (yjc_ctx_t *ctx, const s_delivery_t *d)
{
    yjc_date_t m = yjc_time_local_date (ctx->now);
    if (*d->drill_date)
        yjc_date_parse (d->drill_date, &m);
    return m;
}

static void
s_reply (yjc_ctx_t *ctx,
         const char *id,
         const s_delivery_t *d,
         int version,
         const char *due,
         int late,
         bool duplicate)
{
    const char *code = yjc_obligations[d->obl].code;
    const char *period = d->period;
    msgpack_pack_map (ctx->reply, 8);
    yjc_pk_kv_str (ctx->reply, "unit", *d->unit ? d->unit : NULL);
    yjc_pk_kv_str (ctx->reply, "submission_id", id);
    yjc_pk_kv_str (ctx->reply, "code", code);
    yjc_pk_kv_str (ctx->reply, "period", period);
    yjc_pk_kv_int (ctx->reply, "version", version);
    yjc_pk_kv_str (ctx->reply, "due", *due ? due : NULL);
    yjc_pk_kv_int (ctx->reply, "late_workdays", late);
    yjc_pk_kv_bool (ctx->reply, "duplicate", duplicate);
}

//  Stores the new version (replacing the one in force) and announces it.
static yjc_result_t
s_store (yjc_ctx_t *ctx,
         const msgpack_object *body,
         const s_delivery_t *d,
         const msgpack_object *file)
{
    const char *code = yjc_obligations[d->obl].code;
    char scenario[2001] = "", outcome[2001] = "", note[2001] = "";
    if (d->drill) {
        yjc_obj_strcpy (d->drill, "scenario", scenario, sizeof scenario);
        yjc_obj_strcpy (d->drill, "outcome", outcome, sizeof outcome);
    }
    yjc_obj_strcpy (body, "note", note, sizeof note);
    const char *params[] = { code,
                             d->period,
                             d->file_name,
                             file->via.bin.ptr,
                             d->sha,
                             *d->drill_date ? d->drill_date : NULL,
                             d->drill ? scenario : NULL,
                             d->drill ? outcome : NULL,
                             *note ? note : NULL,
                             ctx->actor->name,
                             ctx->now_iso,
                             NULL, //  the id made when one is replaced
                             d->unit,
                             d->utilization_json };
    //  the version in force steps aside first (one in force per period
    //  and unit)
    const char *uparams[] = { code, d->period, d->unit };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH id AS (SELECT yjc_new_id('B', 'obligation_seq') AS id)"
        " UPDATE obligation_submissions SET replaced_by = (SELECT id FROM id)"
        " WHERE code = $1 AND period = $2 AND unit = $3"
        " AND replaced_by IS NULL RETURNING replaced_by",
        3,
        uparams);
    if (!res)
        return YJC_DB_ERROR;
    char new_id[33] = "";
    if (PQntuples (res) == 1)
        yjc_db_copy (res, 0, 0, new_id, sizeof new_id);
    PQclear (res);
    const char *iparams[14];
    memcpy (iparams, params, sizeof params);
    iparams[11] = *new_id ? new_id : NULL;
    int ilengths[14] = { 0, 0, 0, (int)file->via.bin.size };
    int iformats[14] = { 0, 0, 0, 1 };
    res = yjc_db_query_bin (
        ctx->db,
        "INSERT INTO obligation_submissions (submission_id, code,"
        " period, version, file_name, file, sha256, drill_date,"
        " drill_scenario, drill_outcome, note, submitted_by, submitted_at,"
        " unit, utilization)"
        " SELECT coalesce($12, yjc_new_id('B', 'obligation_seq')), $1, $2,"
        " coalesce((SELECT max(version) FROM obligation_submissions"
        " WHERE code = $1 AND period = $2 AND unit = $13), 0) + 1, $3, $4,"
        " $5, $6::date, $7, $8, $9, $10, $11::timestamptz, $13, $14::jsonb"
        " RETURNING submission_id, version::text",
        14,
        iparams,
        ilengths,
        iformats);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    char id[33], due[11] = "";
    int version = atoi (PQgetvalue (res, 0, 1));
    yjc_db_copy (res, 0, 0, id, sizeof id);
    PQclear (res);
    int late = 0;
    if (d->due_known) {
        yjc_date_format (d->due, due);
        yjc_calendar_workdays_between (yjc_ctx_calendar (ctx),
                                       d->due,
                                       s_measured (ctx, d),
                                       &late,
                                       NULL,
                                       0);
    }
    yjc_map_t ev;
    yjc_map_init (&ev);
    yjc_map_str (&ev, "submission_id", id);
    yjc_map_str (&ev, "code", code);
    yjc_map_str (&ev, "period", d->period);
    yjc_map_int (&ev, "version", version);
    yjc_map_str (&ev, "file_name", d->file_name);
    yjc_map_int (&ev, "size", (int64_t)file->via.bin.size);
    yjc_map_str (&ev, "sha256", d->sha);
    if (d->drill)
        yjc_map_obj (&ev, "drill", d->drill);
    yjc_map_str (&ev, "submitted_by", ctx->actor->name);
    if (*due) {
        yjc_map_str (&ev, "due", due);
        yjc_map_int (&ev, "late_workdays", late);
    }
    if (*d->unit) {
        yjc_map_str (&ev, "unit", d->unit);
        yjc_map_int (&ev, "lines", d->lines);
        yjc_map_int (&ev, "corrected", d->corrected);
    }
    yjc_result_t rc =
        yjc_ctx_emit_map (ctx, YJC_EV_OBLIGATION_SUBMITTED, "", &ev);
    yjc_map_release (&ev);
    if (rc == YJC_OK)
        s_reply (ctx, id, d, version, due, late, false);
    return rc;
}

static yjc_result_t s_submit (yjc_ctx_t *ctx,
                              const msgpack_object *body,
                              s_delivery_t *dp);

//  obligation.submit - R16, R21: the vendor's delivery for a period.
yjc_result_t
obligations_submit (yjc_ctx_t *ctx, const msgpack_object *body)
{
    s_delivery_t d;
    memset (&d, 0, sizeof d);
    yjc_result_t rc = s_check (ctx, body, &d);
    if (rc == YJC_OK)
        rc = s_submit (ctx, body, &d);
    free (d.utilization_json);
    return rc;
}

//  The delivery checked: the same again, or a new version.
static yjc_result_t
s_submit (yjc_ctx_t *ctx, const msgpack_object *body, s_delivery_t *dp)
{
    s_delivery_t d = *dp;
    const msgpack_object *file = yjc_obj_get (body, "file");
    const char *params[] = { file->via.bin.ptr,
                             d.sha,
                             yjc_obligations[d.obl].code,
                             d.period,
                             *d.drill_date ? d.drill_date : NULL,
                             d.unit,
                             d.utilization_json };
    int lengths[] = { (int)file->via.bin.size, 0, 0, 0, 0, 0, 0 };
    int formats[] = { 1, 0, 0, 0, 0, 0, 0 };
    //  the file is what it says; the delivery in force, locked
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "SELECT encode(sha256($1::bytea), 'hex') = $2,"
        " (SELECT submission_id || ' ' || version || ' ' || coalesce("
        "  drill_date, (submitted_at AT TIME ZONE 'Asia/Shanghai')::date)"
        "  FROM obligation_submissions"
        "  WHERE code = $3 AND period = $4 AND unit = $6"
        "  AND replaced_by IS NULL"
        "  AND sha256 = $2 AND drill_date IS NOT DISTINCT FROM $5::date"
        "  AND utilization IS NOT DISTINCT FROM $7::jsonb"
        "  FOR UPDATE)",
        7,
        params,
        lengths,
        formats);
    if (!res)
        return YJC_DB_ERROR;
    bool sha_ok = *PQgetvalue (res, 0, 0) == 't';
    char same[64];
    yjc_db_copy (res, 0, 1, same, sizeof same);
    PQclear (res);
    if (!sha_ok)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.sha256",
                             "not the SHA-256 of the file received");
    if (*same) {
        //  the same delivery again: nothing changes
        char *sp = strchr (same, ' '), *sp2 = sp ? strchr (sp + 1, ' ') : NULL;
        if (!sp2)
            return YJC_DB_ERROR;
        *sp = *sp2 = '\0';
        char due[11] = "";
        int late = 0;
        yjc_date_t measured;
        if (d.due_known && yjc_date_parse (sp2 + 1, &measured) == 0) {
            yjc_date_format (d.due, due);
            yjc_calendar_workdays_between (
                yjc_ctx_calendar (ctx), d.due, measured, &late, NULL, 0);
        }
        s_reply (ctx, same, &d, atoi (sp + 1), due, late, true);
        return YJC_OK;
    }
    return s_store (ctx, body, &d, file);
}

/* ---- compliance.report ------------------------------------------------ */

//  R16: the units an O&M report of the period is owed to: those with a
//  system running (gone live, not terminated before the period began)
//  in it, plus those it was delivered for.  `missing_only`: the running
//  ones without a delivery in force, of `unit` if given.
static PGresult *
s_units (yjc_ctx_t *ctx,
         int obl,
         const char *period,
         bool missing_only,
         const char *unit)
{
    yjc_date_t first, last;
    char from[11], to[11];
    yjc_obligation_period_parse (
        yjc_obligations[obl].period, period, &first, &last);
    yjc_date_format (first, from);
    yjc_date_format (last, to);
    const char *params[] = { yjc_obligations[obl].code, period, from, to,
                             missing_only ? "t" : "f",  unit };
    return yjc_db_query (
        ctx->db,
        "WITH running AS (SELECT DISTINCT p.unit FROM periods p"
        "  LEFT JOIN retention r USING (app_id)"
        "  WHERE p.started_on <= $4::date AND (r.terminated_at IS NULL"
        "  OR (r.terminated_at AT TIME ZONE 'Asia/Shanghai')::date"
        "   >= $3::date)),"
        " delivered AS (SELECT unit FROM obligation_submissions"
        "  WHERE code = $1 AND period = $2 AND unit <> ''"
        "  AND replaced_by IS NULL)"
        " SELECT unit FROM (SELECT unit FROM running"
        "  UNION SELECT unit FROM delivered WHERE NOT $5::bool"
        "  EXCEPT SELECT unit FROM delivered WHERE $5::bool) u"
        " WHERE $6::text IS NULL OR unit = $6 ORDER BY 1",
        6,
        params);
}

//  One period of one obligation: delivered on time, late, missing, or
//  not yet due.
static void
s_pack_period (yjc_ctx_t *ctx,
               int obl,
               const char *period,
               const char *unit,
               PGresult *res,
               const char *today_text)
{
    const yjc_obligation_def_t *o = &yjc_obligations[obl];
    yjc_date_t first, last, due, today;
    yjc_obligation_period_parse (o->period, period, &first, &last);
    yjc_date_parse (today_text, &today);
    bool due_known =
        yjc_obligation_due (yjc_ctx_calendar (ctx), obl, last, &due) == 0;
    char due_text[11] = "";
    if (due_known)
        yjc_date_format (due, due_text);
    int row = -1;
    for (int i = 0; i < PQntuples (res); i++)
        if (streq (PQgetvalue (res, i, 0), o->code) &&
            streq (PQgetvalue (res, i, 1), period) &&
            streq (PQgetvalue (res, i, 7), unit))
            row = i;
    const char *status;
    int late = 0;
    if (row >= 0) {
        yjc_date_t measured;
        yjc_date_parse (PQgetvalue (res, row, 4), &measured);
        if (due_known)
            yjc_calendar_workdays_between (
                yjc_ctx_calendar (ctx), due, measured, &late, NULL, 0);
        status = late > 0 ? "late" : "on_time";
    }
    else if (due_known && yjc_date_cmp (today, due) > 0) {
        //  R16, R21: the due day has passed without a delivery
        status = "missing";
        yjc_calendar_workdays_between (
            yjc_ctx_calendar (ctx), due, today, &late, NULL, 0);
    }
    else
        status = "not_due";
    msgpack_pack_map (ctx->reply, 12);
    yjc_pk_kv_str (ctx->reply, "code", o->code);
    yjc_pk_kv_str (ctx->reply, "unit", *unit ? unit : NULL);
    yjc_pk_kv_str (ctx->reply, "rule", o->rule);
    yjc_pk_kv_str (ctx->reply, "period", period);
    yjc_pk_kv_str (ctx->reply, "due", due_known ? due_text : NULL);
    yjc_pk_kv_str (ctx->reply, "status", status);
    yjc_pk_kv_int (ctx->reply, "late_workdays", late);
    yjc_pk_kv_str (ctx->reply,
                   "submission_id",
                   row >= 0 ? PQgetvalue (res, row, 2) : NULL);
    yjc_pk_kv_int (
        ctx->reply, "version", row >= 0 ? atoi (PQgetvalue (res, row, 3)) : 0);
    yjc_pk_kv_str (
        ctx->reply, "delivered_on", row >= 0 ? PQgetvalue (res, row, 4) : NULL);
    yjc_pk_kv_str (
        ctx->reply, "submitted_at", row >= 0 ? PQgetvalue (res, row, 5) : NULL);
    yjc_pk_kv_str (ctx->reply,
                   "drill_date",
                   row >= 0 && !PQgetisnull (res, row, 6)
                       ? PQgetvalue (res, row, 6)
                       : NULL);
}

//  The SLA of the vendor's orders whose deadline falls in the year.
static yjc_result_t
s_pack_sla (yjc_ctx_t *ctx, const char *year, const char *today)
{
    const char *params[] = { year, yjc_order_states[YJC_OS_DONE].code };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT kind, due::text, coalesce(due_rule, ''),"
        " CASE WHEN state = $2 THEN"
        "  (closed_at AT TIME ZONE 'Asia/Shanghai')::date::text ELSE '' END"
        " FROM orders WHERE due >= make_date($1::int, 1, 1)"
        " AND due < make_date($1::int + 1, 1, 1)"
        " AND (state = $2 OR closed_at IS NULL) ORDER BY due, order_id",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    yjc_sla_t *sla = yjc_sla_new ();
    for (int i = 0; sla && i < PQntuples (res); i++) {
        int k = yjc_order_by_kind (PQgetvalue (res, i, 0));
        if (k < 0 || yjc_orders[k].deadline == YJC_DL_NONE)
            continue;
        const yjc_deadline_def_t *dl = &yjc_deadlines[yjc_orders[k].deadline];
        yjc_sla_add (sla,
                     yjc_ctx_calendar (ctx),
                     dl->code,
                     *PQgetvalue (res, i, 2) ? PQgetvalue (res, i, 2)
                                             : dl->rule,
                     yjc_parties[dl->party].code,
                     PQgetvalue (res, i, 1),
                     PQgetvalue (res, i, 3),
                     today);
    }
    PQclear (res);
    if (!sla)
        return YJC_DB_ERROR;
    yjc_pk_str (ctx->reply, "sla");
    yjc_sla_pack (sla, ctx->reply);
    yjc_sla_destroy (&sla);
    return YJC_OK;
}

//  compliance.report - R16, R21 and the vendor's deadline rules, a year.
yjc_result_t
obligations_report (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t year = 0;
    yjc_obj_int (body, "year", &year);
    char y[12], today[11];
    snprintf (y, sizeof y, "%lld", (long long)year);
    yjc_date_format (yjc_time_local_date (ctx->now), today);
    char like[16];
    snprintf (like, sizeof like, "%s-%%", y);
    const char *params[] = { like };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT code, period, submission_id, version::text,"
        " coalesce(drill_date, (submitted_at AT TIME ZONE 'Asia/Shanghai')"
        "  ::date)::text,"
        " to_char(submitted_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'),"
        " drill_date::text, unit"
        " FROM obligation_submissions WHERE replaced_by IS NULL"
        " AND period LIKE $1",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    //  R16: a report owed per unit has a row per unit and period
    PGresult *units[YJC_OBL_COUNT][12] = { { NULL } };
    uint32_t n = 0;
    bool failed = false;
    for (int o = 0; o < YJC_OBL_COUNT; o++)
        for (int i = 0; i < yjc_obligation_periods (yjc_obligations[o].period);
             i++) {
            if (!yjc_obligations[o].per_unit) {
                n++;
                continue;
            }
            char period[16];
            yjc_obligation_period_name (
                yjc_obligations[o].period, (int)year, i, period);
            units[o][i] = s_units (ctx, o, period, false, NULL);
            if (units[o][i])
                n += (uint32_t)PQntuples (units[o][i]);
            else
                failed = true;
        }
    if (!failed) {
        msgpack_pack_map (ctx->reply, 4);
        yjc_pk_kv_int (ctx->reply, "year", year);
        yjc_pk_kv_str (ctx->reply, "today", today);
        yjc_pk_str (ctx->reply, "obligations");
        msgpack_pack_array (ctx->reply, n);
    }
    for (int o = 0; o < YJC_OBL_COUNT; o++)
        for (int i = 0; i < yjc_obligation_periods (yjc_obligations[o].period);
             i++) {
            char period[16];
            yjc_obligation_period_name (
                yjc_obligations[o].period, (int)year, i, period);
            if (!failed && !yjc_obligations[o].per_unit)
                s_pack_period (ctx, o, period, "", res, today);
            for (int u = 0;
                 !failed && units[o][i] && u < PQntuples (units[o][i]);
                 u++)
                s_pack_period (
                    ctx, o, period, PQgetvalue (units[o][i], u, 0), res, today);
            PQclear (units[o][i]);
        }
    PQclear (res);
    return failed ? YJC_DB_ERROR : s_pack_sla (ctx, y, today);
}

/* ---- obligation.overdue ------------------------------------------------ */

//  One overdue row: a report owed to `unit` for `period`, past `due`.
static void
s_pack_overdue (yjc_ctx_t *ctx,
                msgpack_packer *pk,
                int obl,
                const char *period,
                const char *unit,
                yjc_date_t due,
                yjc_date_t today)
{
    char due_text[11];
    int late = 0;
    yjc_date_format (due, due_text);
    yjc_calendar_workdays_between (
        yjc_ctx_calendar (ctx), due, today, &late, NULL, 0);
    msgpack_pack_map (pk, 8);
    yjc_pk_kv_str (pk, "code", yjc_obligations[obl].code);
    yjc_pk_kv_str (pk, "period", period);
    yjc_pk_kv_str (pk, "unit", unit);
    yjc_pk_kv_str (pk, "due", due_text);
    yjc_pk_kv_int (pk, "late_workdays", late);
    yjc_pk_kv_str (pk, "owed_by", yjc_parties[YJC_PARTY_VENDOR].code);
    yjc_pk_kv_str (pk, "rule", yjc_obligations[obl].rule);
    yjc_pk_kv_bool (pk, "provisional", false);
}

//  obligation.overdue - R16: the O&M reports owed to units with running
//  systems whose due day has passed without a delivery, from the first
//  period a system went live in; a unit sees its own.
yjc_result_t
obligations_overdue (yjc_ctx_t *ctx, const msgpack_object *body)
{
    int64_t limit = 200;
    yjc_obj_int (body, "limit", &limit);
    const char *unit =
        ctx->actor->role == YJC_ROLE_UNIT ? ctx->actor->unit : NULL;
    PGresult *res = yjc_db_query (ctx->db,
                                  "SELECT coalesce(extract(year FROM"
                                  " min(started_on))::int, 0) FROM periods",
                                  0,
                                  NULL);
    if (!res)
        return YJC_DB_ERROR;
    int first_year = atoi (PQgetvalue (res, 0, 0));
    PQclear (res);
    yjc_date_t today = yjc_time_local_date (ctx->now);
    yjc_pack_t rows;
    yjc_pack_init (&rows);
    uint32_t n = 0;
    yjc_result_t rc = YJC_OK;
    for (int o = 0; o < YJC_OBL_COUNT && first_year > 0; o++) {
        if (!yjc_obligations[o].per_unit)
            continue;
        char kind = yjc_obligations[o].period;
        for (int y = first_year; y <= today.y && rc == YJC_OK; y++)
            for (int i = 0; i < yjc_obligation_periods (kind) && rc == YJC_OK;
                 i++) {
                char period[16];
                yjc_date_t first, last, due;
                yjc_obligation_period_name (kind, y, i, period);
                yjc_obligation_period_parse (kind, period, &first, &last);
                if (yjc_obligation_due (
                        yjc_ctx_calendar (ctx), o, last, &due) != 0 ||
                    yjc_date_cmp (today, due) <= 0)
                    continue;
                PGresult *units = s_units (ctx, o, period, true, unit);
                if (!units) {
                    rc = YJC_DB_ERROR;
                    break;
                }
                for (int u = 0; u < PQntuples (units) && n < limit; u++, n++)
                    s_pack_overdue (ctx,
                                    &rows.pk,
                                    o,
                                    period,
                                    PQgetvalue (units, u, 0),
                                    due,
                                    today);
                PQclear (units);
            }
    }
    if (rc == YJC_OK) {
        msgpack_pack_map (ctx->reply, 1);
        yjc_pk_str (ctx->reply, "overdue");
        msgpack_pack_array (ctx->reply, n);
        msgpack_sbuffer_write (ctx->reply->data, rows.buf.data, rows.buf.size);
    }
    yjc_pack_release (&rows);
    return rc;
}
