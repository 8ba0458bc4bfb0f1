/*  calendar.h - review's part of the working calendar: the bureau
    publishes a year (calendar.publish), review stores it, recomputes its
    deadlines and announces it (calendar.published).                     */
#ifndef REVIEW_CALENDAR_H_INCLUDED
#define REVIEW_CALENDAR_H_INCLUDED

#include "yjc_server.h"

//  calendar.publish
yjc_result_t calendar_publish (yjc_ctx_t *ctx, const msgpack_object *body);
//  calendar.list
yjc_result_t calendar_list (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
