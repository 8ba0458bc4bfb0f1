/*  obligations.h - R16, R21: the vendor's recurring obligations
    (obligation.submit) and the compliance report (compliance.report):
    obligations.c.                                                      */
#ifndef OBLIGATIONS_H_INCLUDED
#define OBLIGATIONS_H_INCLUDED

#include "yjc_server.h"

//  obligation.submit
yjc_result_t obligations_submit (yjc_ctx_t *ctx, const msgpack_object *body);
//  compliance.report
yjc_result_t obligations_report (yjc_ctx_t *ctx, const msgpack_object *body);
//  obligation.overdue (R16: the O&M reports owed to units, past due)
yjc_result_t obligations_overdue (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
