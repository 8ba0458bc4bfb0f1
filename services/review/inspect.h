/*  inspect.h - R18, R19: inspections, findings, rectification and
    enforcement; the unit's security staff and MLPS level.               */
#ifndef INSPECT_H_INCLUDED
#define INSPECT_H_INCLUDED

#include "yjc_ctx.h"
#include "yjc_map.h"

yjc_result_t inspect_staff_update (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inspect_record (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inspect_rectify (yjc_ctx_t *ctx, const msgpack_object *body);
//  finding.accept / finding.return
yjc_result_t inspect_decide (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inspect_list (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inspect_enforce (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inspect_lift (yjc_ctx_t *ctx, const msgpack_object *body);
//  order.completed: an enforcement measure is in force, or lifted.
yjc_result_t inspect_on_completed (yjc_ctx_t *ctx, const yjc_event_in_t *ev);
//  Adds security_staff, mlps and the enforcement to review.get's reply.
yjc_result_t inspect_pack (yjc_ctx_t *ctx,
                           const char *app_id,
                           yjc_map_t *reply);

#endif
