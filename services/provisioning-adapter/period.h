/*  period.h - the usage period of a system in production (R14): its end,
    the vendor's notice a month before, renewals, expiry, the offline
    order and the backup kept 3 months.  provisioning.c calls these from
    its handlers and its tick; period.c orders through provisioning_order. */
#ifndef PERIOD_H_INCLUDED
#define PERIOD_H_INCLUDED
#include "yjc_server.h"

//  provisioning.c: an order of `kind` (YJC_ORDER_…) for the application,
//  once per cause; `due`/`rule` set its deadline when not "" (else the
//  kind's rule counted from `at`).  order_id gets the order ("" when the
//  application is not known here).
yjc_result_t provisioning_order (yjc_ctx_t *ctx,
                                 const char *app_id,
                                 int kind,
                                 const char *cause,
                                 int64_t at,
                                 const char *due,
                                 const char *rule,
                                 char order_id[33],
                                 bool *created);

//  application.approved: the form's length and its choice on expiry
//  (its usage), kept for the go-live.
yjc_result_t period_on_approved (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  The go_live order is done: the period starts today (R14.1).
yjc_result_t period_start (yjc_ctx_t *ctx, const char *app_id);
//  request.approved of kind renew (R14.3): the period moves on.
yjc_result_t period_on_renewed (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  application.offline_approved (R14.4): the offline order.
yjc_result_t period_on_offline_approved (yjc_ctx_t *ctx,
                                         const yjc_event_in_t *ev);
//  order.complete of an expiry_notice: the notice given (R14.2) checked
//  and packed as the order's built items into `built`.
yjc_result_t period_notice_built (yjc_ctx_t *ctx,
                                  const msgpack_object *body,
                                  yjc_pack_t *built);
//  A year published: ends resting on a provisional year are recomputed.
yjc_result_t period_on_calendar (yjc_ctx_t *ctx, int year);
//  The tick: ends not yet computed, notices due today, expiries.
yjc_result_t period_tick (yjc_ctx_t *ctx);

#endif
