/*  sla.h - review.sla: the SLA of the deadline rules review keeps
    (sla.c).                                                            */
#ifndef SLA_H_INCLUDED
#define SLA_H_INCLUDED

#include "yjc_server.h"

//  review.sla
yjc_result_t sla_report (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
