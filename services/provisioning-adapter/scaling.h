/*  scaling.h - R11.2: the elastic ranges in force and the vendor's
    scaling steps inside them (scaling.c).                              */
#ifndef SCALING_H_INCLUDED
#define SCALING_H_INCLUDED

#include "yjc_server.h"

//  elastic.approved: the ranges in force for an application.
yjc_result_t scaling_on_elastic (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  scaling.report
yjc_result_t scaling_report (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
