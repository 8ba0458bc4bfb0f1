/*  yjc_ctx.c - the helpers a handler answers, refuses, emits and logs
    with (yjc_ctx.h).                                                    */
#include "yjc_ctx.h"
#include "yjc_config.h"
#include "yjc_outbox.h"
#include "yjc_time.h"
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

void
yjc_ctx_deadline (yjc_ctx_t *ctx, int64_t at, int n, char unit, char out[11])
{
    yjc_date_t from = yjc_time_local_date (at), due;
    char err[128];
    int rc = unit == 'w'
                 ? yjc_calendar_add_workdays (
                       ctx->calendar, from, n, &due, err, sizeof err)
                 : yjc_calendar_period_end (
                       ctx->calendar, from, n, unit, &due, err, sizeof err);
    out[0] = 0;
    if (rc == 0)
        yjc_date_format (due, out);
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
             char rule[YJC_RULE_MAX])
{
    assert (dl >= 0 && dl < YJC_DL_COUNT);
    const yjc_deadline_def_t *d = &yjc_deadlines[dl];
    int count = d->count;
    //  R12.3 sets no count: the county's setting does (default in proto)
    if (d->unit == 'c')
        count = yjc_config_int (YJC_CFG_EMERGENCY_PAPERWORK_DAYS);
    due[0] = 0;
    if (d->unit == 'c')
        snprintf (rule, YJC_RULE_MAX, "%s（%d个工作日）", d->rule, count);
    else
        snprintf (rule, YJC_RULE_MAX, "%s", d->rule);
    if (strchr ("wdm", d->unit) && d->unit)
        yjc_ctx_deadline (ctx, at, count, d->unit, due);
    else if (d->unit == 'c')
        yjc_ctx_deadline (ctx, at, count, 'w', due);
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
            ctx->calendar, due_date, today, &late, NULL, 0) != 0)
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
    if (yjc_outbox_add (ctx->outbox,
                        event_type,
                        app_id,
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
