/*  rating.h - R17: prices (append-only versions), the charges journal
    (every closed month rated once, corrections appended) and the annual
    statement.  The proration rule: common/yjc_prices.h.               */
#ifndef BILLING_RATING_H_INCLUDED
#define BILLING_RATING_H_INCLUDED

#include "yjc_server.h"

//  prices.publish (bureau, admin): a new version, every line priced.
yjc_result_t prices_publish (yjc_ctx_t *ctx, const msgpack_object *body);
//  prices.list: the versions and the one in force on `at` (today).
yjc_result_t prices_list (yjc_ctx_t *ctx, const msgpack_object *body);
//  billing.statement: one year of a unit or of the county.
yjc_result_t billing_statement (yjc_ctx_t *ctx, const msgpack_object *body);
//  The tick: rates the closed months not yet rated or gone stale.
yjc_result_t rating_tick (yjc_ctx_t *ctx);
//  Serialises what rating reads (allocations, prices) with rating: taken
//  by every handler that changes them, before it does.
yjc_result_t rating_lock (yjc_ctx_t *ctx);

#endif
