/*  pages.h - the console's routes and pages (pages.c).                 */
#ifndef PAGES_H_INCLUDED
#define PAGES_H_INCLUDED

#include "session.h"
#include "tpl.h"
#include <microhttpd.h>
#include <pthread.h>

typedef struct {
    yjc_keys_t *keys;
    const char *templates;
    bool tls; //  cookies get Secure
} web_t;

extern web_t web;

//  Records a sign-in, failure, sign-out or idle end as an audit event
//  (`what`: its wire type, web.*), committed before it returns
//  (record.c).  0, or -1 when it could not be recorded (logged).
int web_record (const char *what, const char *actor, const char *addr);

//  True while the registry holds this key (not disabled) (record.c).
bool web_key_live (const char *public_txt);
//  The registry's actor of this key: 0, or -1 when it holds none.  The
//  registry is one object re-read as it changes: every page thread asks
//  it through here, under one lock (record.c).
int web_key_actor (const char *public_txt, yjc_actor_t *out);

enum MHD_Result pages_route (struct MHD_Connection *connection,
                             const char *url,
                             bool post,
                             zhash_t *form);
enum MHD_Result pages_error (struct MHD_Connection *connection,
                             unsigned status,
                             const char *message);
void pages_session_closed (const session_t *s, const char *why);

#endif
