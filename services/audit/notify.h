/*  notify.h - the inbox: notifications derived from events
    (proto/yjc_notify.def) and read by each actor.                      */
#ifndef NOTIFY_H_INCLUDED
#define NOTIFY_H_INCLUDED

#include "yjc_server.h"

//  Inserts the notifications the events of a delivery give, in the
//  transaction that stores them.  YJC_OK or YJC_DB_ERROR.
yjc_result_t notify_derive (yjc_ctx_t *ctx,
                            const yjc_event_in_t *events,
                            int count);
//  inbox.list / inbox.read
yjc_result_t inbox_list (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t inbox_read (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
