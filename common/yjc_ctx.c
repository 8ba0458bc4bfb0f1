/*  yjc_ctx.c - the helpers a handler answers, refuses, emits and logs
    with (yjc_ctx.h).                                                    */
#include "yjc_ctx.h"
#include "yjc_config.h"
#include "yjc_outbox.h"
#include "yjc_time.h"
#include <pthread.h>
#include <stdarg.h>

yjc_result_t
yjc_ctx_fail (yjc_ctx_t *ctx,
              yjc_err_t code,
              const char *field,
              const char *fmt,
              ...)
{
    char detail[200];
    va_list args;
    va_start (args, fmt);
    vsnprintf (detail, sizeof detail, fmt, args);
    va_end (args);
    yjc_problems_add (ctx->problems, code, field, "%s", detail);
    return YJC_FAIL;
}

void
yjc_ctx_for (yjc_ctx_t *ctx, yjc_request_in_t *request)
{
    ctx->actor = request->actor;
    ctx->request_id = request->request_id;
    ctx->reply = request->reply;
    ctx->problems = request->problems;
    ctx->app_id[0] = 0;
}

yjc_result_t
yjc_ctx_found (yjc_ctx_t *ctx, PGresult *res, const char *field, const char *id)
{
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) > 0 && yjc_ctx_may_see (ctx, PQgetvalue (res, 0, 0)))
        return YJC_OK;
    PQclear (res);
    return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, field, "%s", id);
}

bool
yjc_ctx_may_see (const yjc_ctx_t *ctx, const char *unit)
{
    if (ctx->actor->role != YJC_ROLE_UNIT)
        return true;
    return strcmp (ctx->actor->unit, unit) == 0;
}

//  --------------------------------------------------------------------------
//  The calendar in force: one immutable snapshot per published version,
//  kept until the process ends (a publication is a rare, small thing)

typedef struct _s_snapshot_t {
    const yjc_calendar_t *base;
    int64_t version;
    yjc_calendar_t *calendar;
    struct _s_snapshot_t *next;
} s_snapshot_t;

static pthread_mutex_t s_snap_lock = PTHREAD_MUTEX_INITIALIZER;
static s_snapshot_t *s_snapshots;

yjc_calendar_t *
yjc_ctx_calendar_build (yjc_db_t *db, const yjc_calendar_t *base)
{
    PGresult *res = yjc_db_query (
        db,
        "SELECT y.pub_id, y.year, y.kind, coalesce(d.date::text, ''),"
        " coalesce(d.off, true), coalesce(d.name, '')"
        " FROM calendar_years y LEFT JOIN calendar_days d USING (pub_id)"
        " WHERE y.replaced_by IS NULL"
        " ORDER BY y.kind = 'local', y.pub_id, d.date",
        0,
        NULL);
    if (!res)
        return NULL;
    yjc_calendar_t *cal = yjc_calendar_dup (base);
    static __thread yjc_calendar_day_t days[YJC_CALENDAR_YEAR_DAYS_MAX];
    size_t count = 0;
    int rows = PQntuples (res);
    for (int i = 0; cal && i < rows; i++) {
        const char *date = PQgetvalue (res, i, 3);
        yjc_calendar_day_t *day = &days[count];
        if (*date && count < YJC_CALENDAR_YEAR_DAYS_MAX &&
            yjc_date_parse (date, &day->date) == 0) {
            day->work = *PQgetvalue (res, i, 4) == 'f';
            day->makeup = false;
            snprintf (
                day->name, sizeof day->name, "%s", PQgetvalue (res, i, 5));
            count++;
        }
        //  the last row of its publication: apply it
        if (i + 1 == rows ||
            strcmp (PQgetvalue (res, i, 0), PQgetvalue (res, i + 1, 0)) != 0) {
            char err[128];
            if (yjc_calendar_apply (cal,
                                    atoi (PQgetvalue (res, i, 1)),
                                    streq (PQgetvalue (res, i, 2), "full"),
                                    days,
                                    count,
                                    err,
                                    sizeof err) != 0) {
                yjc_log (YJC_LOG_ERROR,
                         "calendar publication %s: %s",
                         PQgetvalue (res, i, 0),
                         err);
                yjc_calendar_destroy (&cal);
            }
            count = 0;
        }
    }
    PQclear (res);
    return cal;
}

yjc_result_t
yjc_ctx_calendar_store (yjc_ctx_t *ctx,
                        int64_t *pub_id,
                        int year,
                        const char *kind,
                        const msgpack_object *days,
                        const char *by,
                        const char *at)
{
    char id[24], y[12];
    snprintf (id, sizeof id, "%lld", (long long)*pub_id);
    snprintf (y, sizeof y, "%d", year);
    //  the version first: it waits for every unit of work computing a
    //  deadline, and those after it wait for this one
    const char *vparams[] = { id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "UPDATE calendar_state SET version = CASE WHEN $1::bigint = 0 THEN"
        " nextval(pg_get_serial_sequence('calendar_years', 'pub_id'))"
        " ELSE $1::bigint END RETURNING version",
        1,
        vparams);
    if (!res || PQntuples (res) != 1) {
        PQclear (res);
        return YJC_DB_ERROR;
    }
    snprintf (id, sizeof id, "%s", PQgetvalue (res, 0, 0));
    *pub_id = strtoll (id, NULL, 10);
    PQclear (res);
    ctx->in_force = NULL; //  what follows in this transaction sees it
    const char *params[] = { id, y, kind, by, at };
    if (yjc_db_exec (ctx->db,
                     "UPDATE calendar_years SET replaced_by = $1::bigint"
                     " WHERE year = $2::int AND kind = $3"
                     " AND replaced_by IS NULL",
                     3,
                     params) < 0 ||
        yjc_db_exec (ctx->db,
                     "INSERT INTO calendar_years (pub_id, year, kind,"
                     " published_by, published_at)"
                     " VALUES ($1::bigint, $2::int, $3, $4, $5::timestamptz)",
                     5,
                     params) < 0)
        return YJC_DB_ERROR;
    uint32_t n = days->type == MSGPACK_OBJECT_ARRAY ? days->via.array.size : 0;
    if (n == 0)
        return YJC_OK;
    char (*fields)[2][72] = zmalloc (n * sizeof *fields);
    const char **dates = zmalloc (n * sizeof (char *));
    const char **offs = zmalloc (n * sizeof (char *));
    const char **names = zmalloc (n * sizeof (char *));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *d = &days->via.array.ptr[i];
        const msgpack_object *off = yjc_obj_get (d, "off");
        dates[i] = yjc_obj_strcpy (d, "date", fields[i][0], 72);
        names[i] = yjc_obj_strcpy (d, "name", fields[i][1], 72);
        offs[i] =
            off && off->type == MSGPACK_OBJECT_BOOLEAN && !off->via.boolean
                ? "f"
                : "t";
    }
    char *arrays[3] = { yjc_db_array_literal (dates, n),
                        yjc_db_array_literal (offs, n),
                        yjc_db_array_literal (names, n) };
    const char *dparams[] = { id, arrays[0], arrays[1], arrays[2] };
    int rc = yjc_db_exec (
        ctx->db,
        "INSERT INTO calendar_days (pub_id, date, off, name)"
        " SELECT $1::bigint, d::date, o::bool, n"
        " FROM unnest($2::text[], $3::text[], $4::text[]) AS u (d, o, n)",
        4,
        dparams);
    for (int i = 0; i < 3; i++)
        free (arrays[i]);
    free (fields);
    free (dates);
    free (offs);
    free (names);
    return rc < 0 ? YJC_DB_ERROR : YJC_OK;
}

static const yjc_calendar_t *s_calendar_in_force (yjc_ctx_t *ctx);

//  Looked up once per transaction: a batch of submissions computes a
//  deadline each, and the share lock on the version row is taken once
//  (it is what a publication waits for, until this transaction ends).
const yjc_calendar_t *
yjc_ctx_calendar (yjc_ctx_t *ctx)
{
    if (!ctx->in_force)
        ctx->in_force = s_calendar_in_force (ctx);
    return ctx->in_force;
}

static const yjc_calendar_t *
s_calendar_in_force (yjc_ctx_t *ctx)
{
    PGresult *res = yjc_db_query (
        ctx->db, "SELECT version FROM calendar_state FOR SHARE", 0, NULL);
    if (!res)
        return ctx->calendar;
    int64_t version =
        PQntuples (res) ? strtoll (PQgetvalue (res, 0, 0), NULL, 10) : 0;
    PQclear (res);
    if (version == 0)
        return ctx->calendar; //  nothing published: the shipped file
    const yjc_calendar_t *found = NULL;
    pthread_mutex_lock (&s_snap_lock);
    for (s_snapshot_t *s = s_snapshots; s && !found; s = s->next)
        if (s->base == ctx->calendar && s->version == version)
            found = s->calendar;
    pthread_mutex_unlock (&s_snap_lock);
    if (found)
        return found;
    //  Built outside the lock from what this transaction sees: the
    //  version is a publication's id, never reused, so the same version
    //  always means the same publications
    yjc_calendar_t *cal = yjc_ctx_calendar_build (ctx->db, ctx->calendar);
    if (!cal)
        return ctx->calendar;
    s_snapshot_t *snap = (s_snapshot_t *)zmalloc (sizeof *snap);
    snap->base = ctx->calendar;
    snap->version = version;
    snap->calendar = cal;
    pthread_mutex_lock (&s_snap_lock);
    snap->next = s_snapshots;
    s_snapshots = snap;
    pthread_mutex_unlock (&s_snap_lock);
    yjc_log (
        YJC_LOG_INFO, "calendar: version %lld in force", (long long)version);
    return cal;
}

void
yjc_ctx_deadline (yjc_ctx_t *ctx,
                  int64_t at,
                  int n,
                  char unit,
                  char out[11],
                  bool *provisional)
{
    const yjc_calendar_t *cal = yjc_ctx_calendar (ctx);
    yjc_date_t from = yjc_time_local_date (at), due;
    char err[128];
    int rc =
        unit == 'w'
            ? yjc_calendar_add_workdays (cal, from, n, &due, err, sizeof err)
            : yjc_calendar_period_end (
                  cal, from, n, unit, &due, err, sizeof err);
    out[0] = 0;
    if (provisional)
        *provisional = false;
    if (rc == 0) {
        yjc_date_format (due, out);
        if (provisional)
            *provisional = yjc_calendar_provisional_span (cal, from, due);
    }
    else
        yjc_ctx_log (ctx, YJC_LOG_WARNING, "deadline not computed: %s", err);
}

void
yjc_ctx_log (const yjc_ctx_t *ctx, yjc_log_level_t level, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    yjc_log_about_v (ctx->request_id, ctx->app_id, level, fmt, args);
    va_end (args);
}

void
yjc_ctx_log_app (const yjc_ctx_t *ctx,
                 const char *app_id,
                 yjc_log_level_t level,
                 const char *fmt,
                 ...)
{
    va_list args;
    va_start (args, fmt);
    yjc_log_about_v (ctx->request_id, app_id, level, fmt, args);
    va_end (args);
}

void
yjc_ctx_due (yjc_ctx_t *ctx,
             yjc_deadline_t dl,
             int64_t at,
             char due[11],
             char rule[YJC_RULE_MAX],
             bool *provisional)
{
    assert (dl >= 0 && dl < YJC_DL_COUNT);
    const yjc_deadline_def_t *d = &yjc_deadlines[dl];
    int count = d->count;
    //  R12.3, R11.3 set no count: the county's setting does
    if (d->unit == 'c')
        count = yjc_config_int (dl == YJC_DL_RECLAIM_OBJECTION
                                    ? YJC_CFG_RECLAIM_OBJECTION_DAYS
                                : dl == YJC_DL_ENFORCE //  R18
                                    ? YJC_CFG_ENFORCE_DAYS
                                    : YJC_CFG_EMERGENCY_PAPERWORK_DAYS);
    due[0] = 0;
    if (provisional)
        *provisional = false;
    if (d->unit == 'c')
        snprintf (rule, YJC_RULE_MAX, "%s（%d个工作日）", d->rule, count);
    else
        snprintf (rule, YJC_RULE_MAX, "%s", d->rule);
    if (strchr ("wdm", d->unit) && d->unit)
        yjc_ctx_deadline (ctx, at, count, d->unit, due, provisional);
    else if (d->unit == 'c')
        yjc_ctx_deadline (ctx, at, count, 'w', due, provisional);
}

void
yjc_ctx_pack_late (yjc_ctx_t *ctx, msgpack_packer *pk, const char *due)
{
    yjc_date_t due_date, today = yjc_time_local_date (ctx->now);
    int late = 0;
    yjc_pk_str (pk, "late_workdays");
    if (!*due || yjc_date_parse (due, &due_date) != 0 ||
        yjc_date_cmp (today, due_date) <= 0 ||
        yjc_calendar_workdays_between (
            yjc_ctx_calendar (ctx), due_date, today, &late, NULL, 0) != 0)
        msgpack_pack_nil (pk);
    else
        msgpack_pack_int (pk, late);
}

yjc_result_t
yjc_ctx_wait (yjc_ctx_t *ctx, int64_t wait_ms)
{
    int64_t now = zclock_mono ();
    if (*ctx->wait_until == 0 && wait_ms > 0)
        *ctx->wait_until = now + wait_ms;
    return now < *ctx->wait_until ? YJC_WAIT : YJC_OK;
}

yjc_result_t
yjc_ctx_emit (yjc_ctx_t *ctx,
              int event_type,
              const char *app_id,
              const yjc_pack_t *payload)
{
    //  The one definition in proto/ binds the producer too.
    assert (yjc_event_defs[event_type].producer == ctx->service);
    //  the actor whose request caused it; none when the service acts on
    //  its own (an event of another service, a tick)
    const char *actor =
        ctx->actor && ctx->actor->role != YJC_ROLE_SERVICE && *ctx->actor->name
            ? ctx->actor->name
            : NULL;
    if (yjc_outbox_add (ctx->outbox,
                        event_type,
                        app_id,
                        actor,
                        payload->buf.data,
                        payload->buf.size) != 0)
        return YJC_DB_ERROR;
    ctx->emitted++;
    return YJC_OK;
}

yjc_result_t
yjc_ctx_emit_map (yjc_ctx_t *ctx,
                  int event_type,
                  const char *app_id,
                  yjc_map_t *payload)
{
    yjc_pack_t ev;
    yjc_pack_init (&ev);
    yjc_map_end (payload, &ev.pk);
    yjc_result_t rc = yjc_ctx_emit (ctx, event_type, app_id, &ev);
    yjc_pack_release (&ev);
    return rc;
}
