/*  requests.h - review after approval: the unit's requests, the bureau's
    decisions on them, and the duties (bounded steps) someone owes.      */
#ifndef REQUESTS_H_INCLUDED
#define REQUESTS_H_INCLUDED

#include "yjc_server.h"

yjc_result_t requests_on_submitted (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
yjc_result_t requests_on_emergency (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
yjc_result_t requests_on_order (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  Closes every duty still open on an application that ended.
yjc_result_t requests_end_duties (yjc_ctx_t *ctx,
                                  const char *app_id,
                                  const char *at);
//  Opens a duty from now (once per what and ref); closes it as done.
yjc_result_t requests_open_duty (yjc_ctx_t *ctx,
                                 const char *app_id,
                                 const char *unit,
                                 yjc_deadline_t what,
                                 const char *ref,
                                 const char *due,
                                 const char *rule,
                                 bool provisional);
yjc_result_t requests_close_duty (yjc_ctx_t *ctx,
                                  yjc_deadline_t what,
                                  const char *ref);
//  request.approve / request.reject
yjc_result_t requests_decide (yjc_ctx_t *ctx, const msgpack_object *body);
//  Adds "requests" and "duties" of an application to `reply`.
yjc_result_t requests_pack (yjc_ctx_t *ctx,
                            const char *app_id,
                            yjc_map_t *reply);

//  review.requests - the requests waiting for the bureau's decision.
yjc_result_t requests_pending (yjc_ctx_t *ctx, const msgpack_object *body);

//  Open duties (what, owed by whom, due, rule) as rows shaped like the
//  applications' pending steps, for review.overdue and review.pending:
//  the first `limit` by (due, app_id) of those matching `cond`, read in
//  that order from duties_open_due (issue 14); `src`: "" or a subquery
//  of duties that stands for the table.
#define REQUESTS_DUTIES_SQL(src, cond, limit)                                  \
    " (SELECT d.app_id, coalesce(a.number, ''), d.unit, a.project, a.state,"   \
    " d.due, d.rule, d.owed_by, d.what, d.provisional FROM (SELECT * FROM"     \
    " " src " duties WHERE closed_at IS NULL AND" cond " ORDER BY due, app_id" \
    " LIMIT " limit ") d JOIN applications a USING (app_id)"                   \
    " ORDER BY d.due, d.app_id)"

#endif
