/*  page.h - what every page of the console shares (page.c), and each
    role's routes (unit.c, bureau.c, audit.c, vendor.c): a route returns
    false when the URL is not its own, else answers through *rc.        */
#ifndef PAGE_H_INCLUDED
#define PAGE_H_INCLUDED

#include "pages.h"
#include "yjc_client.h"
#include "yjc_msg.h"

/* ---- responses ---- */
enum MHD_Result page_send (struct MHD_Connection *connection,
                           unsigned status,
                           const char *type,
                           char *body, //  taken
                           size_t size);
//  The same with a Set-Cookie header (cookie may be NULL).
enum MHD_Result page_send_cookie (struct MHD_Connection *connection,
                                  unsigned status,
                                  const char *type,
                                  char *body, //  taken
                                  size_t size,
                                  const char *cookie);
//  templates/NAME.html with `data` (destroyed).
enum MHD_Result page_render (struct MHD_Connection *connection,
                             unsigned status,
                             const char *name,
                             tpl_t *data);
enum MHD_Result page_redirect (struct MHD_Connection *connection,
                               const char *to,
                               const char *cookie);
//  The one 404: a page that does not exist and another unit's
//  application look the same.
enum MHD_Result page_not_found (struct MHD_Connection *connection);
void page_addr (struct MHD_Connection *connection, char out[64]);

/* ---- calls as the signed-in person ---- */
//  One request over a connection made with the person's own key; the
//  reply's body, or NULL with reply->code set ("" when no reply).
const msgpack_object *page_call (const session_t *s,
                                 int service,
                                 const char *type,
                                 yjc_pack_t *body,
                                 yjc_reply_t *reply);
//  A service's refusal or silence as a page (not_found and forbidden:
//  the one 404).
enum MHD_Result page_refused (struct MHD_Connection *connection,
                              const yjc_reply_t *reply);

/* ---- the frame and values ---- */
//  A page's data with the header filled for `s` (NULL: signed out).
tpl_t *page_frame (const session_t *s, const char *title);
void page_str (tpl_t *item,
               const char *key,
               const msgpack_object *obj,
               const char *field);
//  Who owes the next step, by when (暂定 when provisional), how late.
void page_due (tpl_t *item, const msgpack_object *pending_row);
const msgpack_object *page_pending_of (const msgpack_object *pending,
                                       const char *app_id);

/* ---- each role's routes ---- */
typedef bool (page_route_fn) (struct MHD_Connection *connection,
                              const char *url,
                              bool post,
                              zhash_t *form,
                              const session_t *s,
                              enum MHD_Result *rc);
page_route_fn unit_route, bureau_route, audit_route, vendor_route;

#endif
