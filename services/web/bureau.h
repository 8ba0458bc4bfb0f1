/*  bureau.h - what the bureau's, the auditor's and the vendor's pages
    share beyond page.h (bureau.c, print.c, calendar.c, lists.c): their
    own routes, tried by bureau_route, and small helpers.               */
#ifndef BUREAU_H_INCLUDED
#define BUREAU_H_INCLUDED

#include "page.h"

page_route_fn print_route, calendar_route, lists_route;

//  One call with {"app_id": app_id}; NULL with reply->code set.
const msgpack_object *bureau_call_app (const session_t *s,
                                       int service,
                                       const char *type,
                                       const char *app_id,
                                       yjc_reply_t *reply);
//  The application id of "/apps/ID/ACTION" when "/ACTION" is `action`
//  (into id[33]), else false.
bool bureau_app_url (const char *url, const char *action, char id[33]);
//  The refusal or silence of a service as the page, with *rc set; true.
bool bureau_refused (struct MHD_Connection *connection,
                     yjc_reply_t *reply,
                     enum MHD_Result *rc);
//  Every problem of a refusal (error and its details) into `out` as
//  field path (without "body.") -> the clerk's message.
void bureau_problems (const yjc_reply_t *reply, zhash_t *out);
//  An enum value's words on the form (yjc_values.def), or the value.
const char *bureau_word (const msgpack_object *obj,
                         const char *key,
                         char *buf,
                         size_t size);
//  "8核16G，CentOS 6.0，数据库 MySQL，数据盘 200GB，×2（用途）"
void bureau_host (const msgpack_object *h, char *buf, size_t size);
//  The unit of a quantity of the form by its key ("Mbps", "台"), or "".
const char *bureau_unit_of (const char *key);

#endif
