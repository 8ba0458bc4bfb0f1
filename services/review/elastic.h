/*  elastic.h - R11.2: the bureau's elastic ranges of an application,
    approved with the grant (review.approve's `elastic`) or later
    (review.elastic), each version recorded and announced to the
    provisioning adapter (elastic.approved).                            */
#ifndef ELASTIC_H_INCLUDED
#define ELASTIC_H_INCLUDED

#include "yjc_server.h"

//  Checks `elastic` against `granted` (problems under body.elastic:
//  YJC_FAIL), records it as the ranges in force and emits
//  elastic.approved.
yjc_result_t elastic_set (yjc_ctx_t *ctx,
                          const char *app_id,
                          const char *unit,
                          const msgpack_object *granted,
                          const msgpack_object *elastic,
                          const char *opinion);

//  review.elastic
yjc_result_t elastic_review (yjc_ctx_t *ctx, const msgpack_object *body);

//  Adds "elastic" (the ranges in force, by whom, when; nil when none) to
//  review.get's reply.
yjc_result_t elastic_pack (yjc_ctx_t *ctx,
                           const char *app_id,
                           yjc_map_t *reply);

#endif
