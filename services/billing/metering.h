/*  metering.h - utilization samples the vendor reports (R11.3, R17).  */
#ifndef BILLING_METERING_H_INCLUDED
#define BILLING_METERING_H_INCLUDED

#include "yjc_server.h"

//  metering.report (vendor): a batch of samples, stored once each.
yjc_result_t metering_report (yjc_ctx_t *ctx, const msgpack_object *body);
//  Periodic work: partitions ahead, old ones dropped, rollups of the
//  days batches touched recomputed.
yjc_result_t metering_tick (yjc_ctx_t *ctx);

#endif
