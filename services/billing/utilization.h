/*  utilization.h - R16: the quarterly utilization table.  */
#ifndef BILLING_UTILIZATION_H_INCLUDED
#define BILLING_UTILIZATION_H_INCLUDED

#include "yjc_server.h"

//  billing.utilization {quarter, app_id? | unit?}: per application and
//  resource, allocated vs used over the quarter, and the advice.
yjc_result_t utilization_report (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
