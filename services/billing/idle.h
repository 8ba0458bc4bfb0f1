/*  idle.h - the idle rule and the candidates it finds (R11.3).         */
#ifndef BILLING_IDLE_H_INCLUDED
#define BILLING_IDLE_H_INCLUDED

#include "yjc_server.h"

//  idle.rule_set (bureau): the rule in force, changed (audited).
yjc_result_t idle_rule_set (yjc_ctx_t *ctx, const msgpack_object *body);
//  idle.rule_get (bureau, auditor): the rule in force.
yjc_result_t idle_rule_get (yjc_ctx_t *ctx, const msgpack_object *body);
//  billing.idle (bureau, auditor): the running systems the rule finds
//  idle, with the evidence and what reclaiming would free.
yjc_result_t idle_list (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
