/*  reclaim.h - R11.3: the bureau reclaims idle resources (reclaim.c).  */
#ifndef RECLAIM_H_INCLUDED
#define RECLAIM_H_INCLUDED

#include "yjc_server.h"

//  reclaim.propose / object / approve / reject / list / get
yjc_result_t reclaim_propose (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t reclaim_object (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t reclaim_decide (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t reclaim_list (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t reclaim_get (yjc_ctx_t *ctx, const msgpack_object *body);
//  order.completed: what the application has in place now.
//  The tick: objection windows that ended unused lapse (R11.3).
yjc_result_t reclaim_tick (yjc_ctx_t *ctx);
yjc_result_t reclaim_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev);

#endif
