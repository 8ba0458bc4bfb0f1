/*  page.h - what every page of the console shares (page.c), and each
    role's routes (unit.c, bureau.c, audit.c, vendor.c): a route returns
    false when the URL is not its own, else answers through *rc.        */
#ifndef PAGE_H_INCLUDED
#define PAGE_H_INCLUDED

#include "pages.h"
#include "yjc_client.h"
#include "yjc_msg.h"
#include <sodium.h>

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
//  Several requests sent at once, each on a connection of its own (the
//  services answer them side by side: a page waits for the slowest call,
//  not for the sum).  Each reply is filled as page_call's; `result` is
//  the body or NULL.
#define PAGE_CALLS_MAX 8
typedef struct {
    int service;
    const char *type;
    yjc_pack_t *body;   //  NULL: none
    yjc_reply_t *reply; //  the caller's, released by the caller
    const msgpack_object *result;
} page_req_t;
void page_call_all (const session_t *s, page_req_t *reqs, size_t n);
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
//  The same for every application at once: app_id -> its soonest step
//  (the rows are not owned).  Destroy with zhashx_destroy.
zhashx_t *page_pending_index (const msgpack_object *pending);

/* ---- uploads (upload.c; webunit) ---- */
//  A file part of a multipart POST, streamed to a temp file as it
//  arrives (binary-safe, hashed on the way); in the form hash under
//  PAGE_FILE_KEY + the part's field name.
#define PAGE_FILE_KEY "file:"
typedef struct {
    char name[256]; //  the file's own name (base name, as sent)
    FILE *file;     //  the bytes
    int64_t size;
    crypto_hash_sha256_state sha;
    char sha256[65]; //  set once the part is complete
} page_upload_t;
//  The per-file bound: attachment.put's `size` bound in proto/ (R8).
int64_t page_upload_max (void);
//  Appends a part's data (web.c); false when past the per-file bound.
bool page_upload_write (page_upload_t *self, const char *data, size_t size);
//  Every part of `form` complete: its SHA-256 computed (web.c, before
//  routing).
void page_uploads_finish (zhash_t *form);
void page_upload_free (void *self);
//  A form's file part by field name, NULL when none was chosen.
page_upload_t *page_upload (zhash_t *form, const char *field);
//  Sends an upload to intake as the person (attachment.put in 256 KiB
//  chunks, as the CLI's files_upload): 0 with att_id; else -1 and a
//  Chinese `why`.
int page_upload_send (const session_t *s,
                      page_upload_t *up,
                      char att_id[33],
                      char *why,
                      size_t why_size);
//  The media type intake accepts for a file name, NULL when none.
const char *page_media_type (const char *name);
//  Is `url` one that takes file uploads (a bigger body, unit.c)?
bool unit_upload_url (const char *url);

/* ---- each role's routes ---- */
typedef bool (page_route_fn) (struct MHD_Connection *connection,
                              const char *url,
                              bool post,
                              zhash_t *form,
                              const session_t *s,
                              enum MHD_Result *rc);
page_route_fn unit_route, bureau_route, audit_route, vendor_route;

#endif
