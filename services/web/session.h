/*  session.h - signed-in people: a random id (the cookie), a CSRF token,
    and the person's secret key, unsealed at sign-in into sodium_malloc'd
    (guarded, mlock'd) memory and wiped at sign-out or idle timeout.    */
#ifndef SESSION_H_INCLUDED
#define SESSION_H_INCLUDED

#include "yjc_client.h"
#include "yjc_keys.h"

typedef struct {
    char sid[65];  //  the cookie: 32 random bytes, hex
    char csrf[65]; //  every form's hidden field: 32 random bytes, hex
    yjc_actor_t actor;
    unsigned char *secret; //  32 bytes, sodium_malloc'd (NULL in copies)
    int64_t last;          //  zclock_mono of the last request
    char addr[64];
    bool onetime; //  signed in with an administrator's password: only
                  //  /password until the person sets their own
} session_t;

//  The table; idle_ms: YJC_WEB_IDLE_MIN.  Thread-safe.
void sessions_init (int64_t idle_ms);
void sessions_shutdown (void);
//  A new session owning `secret` (sodium_malloc'd); copied out to *out.
void sessions_open (const yjc_actor_t *actor,
                    unsigned char *secret,
                    const char *addr,
                    bool onetime,
                    session_t *out);
//  Looks up a live session and touches it: true with *out filled (its
//  secret NULL: see sessions_secret).  An idle one is closed instead
//  (on_close called).
typedef void (session_close_fn) (const session_t *s, const char *why);
bool sessions_get (const char *sid, session_t *out, session_close_fn *on_close);
//  A sodium_malloc'd copy of the session's secret key (the caller
//  sodium_frees it), or NULL when the session is gone.
unsigned char *sessions_secret (const char *sid);
//  An idle connection to `service` made with the session's key, or NULL.
yjc_client_t *sessions_take (const char *sid, int service);
//  Keeps *client_p for the session's next call to `service`; when the
//  session is gone or its pool full it is destroyed.  *client_p is NULL
//  after.
void sessions_give (const char *sid, int service, yjc_client_t **client_p);
//  Closes a session: its key wiped, its connections closed.  False if there was none.
bool sessions_close (const char *sid,
                     session_close_fn *on_close,
                     const char *why);
//  Closes every idle session.
void sessions_sweep (session_close_fn *on_close);

//  Failed sign-ins in the last minute, per account and per address.
int throttle_count (const char *key);
void throttle_fail (const char *key);

#endif
