/*  requests.h - the unit's requests after approval (R10.2, R10.3, R11.1,
    R12, R13.1), checked and announced to review.                        */
#ifndef REQUESTS_H_INCLUDED
#define REQUESTS_H_INCLUDED

#include "yjc_server.h"

//  request.extend_test / go_live / change / terminate
yjc_result_t requests_submit (yjc_ctx_t *ctx, const msgpack_object *body);
//  order.created of an expiry notice: R14.3 the renewal 过期顺延 asks.
yjc_result_t requests_auto_renew (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  Adds "requests", the requests of an application, to `reply`.
yjc_result_t requests_pack (yjc_ctx_t *ctx,
                            const char *app_id,
                            yjc_map_t *reply);

#endif
