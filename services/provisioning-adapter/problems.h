/*  problems.h - R15: the unit's problem reports, the vendor's own kind of
    item in its queue, acknowledged and resolved with a note
    (problems.c).                                                        */
#ifndef PROBLEMS_H_INCLUDED
#define PROBLEMS_H_INCLUDED

#include "yjc_server.h"

//  problem.report (unit)
yjc_result_t problems_report (yjc_ctx_t *ctx, const msgpack_object *body);
//  problem.fetch (vendor): the vendor's queue of problems, with a cursor
yjc_result_t problems_fetch (yjc_ctx_t *ctx, const msgpack_object *body);
//  problem.ack, problem.resolve (vendor)
yjc_result_t problems_step (yjc_ctx_t *ctx, const msgpack_object *body);
//  problem.list (unit: its own; bureau, auditor, vendor: all)
yjc_result_t problems_list (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
