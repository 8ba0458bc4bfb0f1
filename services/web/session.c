/*  session.c - the session table and the sign-in throttle.               */
#include "session.h"
#include <pthread.h>
#include <sodium.h>

#define THROTTLE_WINDOW_MS (60 * 1000)
#define THROTTLE_KEEP      8
//  Connections kept open for a session's next calls: a new CURVE
//  connection per call cost more CPU than the page itself (issue 16's
//  page p99).  Bounded per session and in all (each is three ZeroMQ
//  sockets and one of a service's YJC_MAX_CONNECTIONS).
#define POOL_PER_SESSION 8
#define POOL_MAX         120

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static zhashx_t *s_sessions; //  sid -> session_t
static zhashx_t *s_failures; //  "a:name" / "i:addr" -> s_fail_t
static int64_t s_idle_ms;
static int s_pooled; //  idle connections in every session's pool

//  A connection made with the session's own key, free for its next call.
typedef struct {
    int service;
    yjc_client_t *client;
} s_conn_t;

//  The table's item: the session and its idle connections.
typedef struct {
    session_t s;
    zlistx_t *idle; //  s_conn_t *
} s_entry_t;

typedef struct {
    int64_t at[THROTTLE_KEEP]; //  ring of failure times
    int next;
} s_fail_t;

static void
s_conn_destroy (s_conn_t **self_p)
{
    if (*self_p) {
        yjc_client_destroy (&(*self_p)->client);
        free (*self_p);
        *self_p = NULL;
    }
}

static void
s_free_session (void **item)
{
    s_entry_t *e = (s_entry_t *)*item;
    if (e) {
        s_pooled -= (int)zlistx_size (e->idle);
        zlistx_destroy (&e->idle);
        sodium_free (e->s.secret); //  wipes it
        sodium_memzero (&e->s, sizeof e->s);
        free (e);
    }
    *item = NULL;
}

void
sessions_init (int64_t idle_ms)
{
    s_idle_ms = idle_ms;
    s_sessions = zhashx_new ();
    zhashx_set_destructor (s_sessions, s_free_session);
    s_failures = zhashx_new ();
    zhashx_set_destructor (s_failures, (zhashx_destructor_fn *)zstr_free);
}

void
sessions_shutdown (void)
{
    pthread_mutex_lock (&s_lock);
    zhashx_destroy (&s_sessions);
    zhashx_destroy (&s_failures);
    pthread_mutex_unlock (&s_lock);
}

static void
s_random_hex (char out[65])
{
    unsigned char raw[32];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (out, 65, raw, sizeof raw);
}

//  The copy holds no key: sessions_secret gives it when a connection
//  must be made.
static void
s_copy_out (const session_t *s, session_t *out)
{
    *out = *s;
    out->secret = NULL;
}

static s_entry_t *
s_lookup (const char *sid)
{
    return sid && strlen (sid) == 64
               ? (s_entry_t *)zhashx_lookup (s_sessions, sid)
               : NULL;
}

void
sessions_open (const yjc_actor_t *actor,
               unsigned char *secret,
               const char *addr,
               bool onetime,
               session_t *out)
{
    s_entry_t *e = (s_entry_t *)zmalloc (sizeof (s_entry_t));
    e->idle = zlistx_new ();
    zlistx_set_destructor (e->idle, (zlistx_destructor_fn *)s_conn_destroy);
    session_t *s = &e->s;
    s_random_hex (s->sid);
    s_random_hex (s->csrf);
    s->actor = *actor;
    s->secret = secret;
    s->last = zclock_mono ();
    s->onetime = onetime;
    snprintf (s->addr, sizeof s->addr, "%s", addr);
    pthread_mutex_lock (&s_lock);
    zhashx_insert (s_sessions, s->sid, e);
    s_copy_out (s, out);
    pthread_mutex_unlock (&s_lock);
}

static void
s_close (session_t *s, session_close_fn *on_close, const char *why)
{
    if (on_close)
        on_close (s, why);
    zhashx_delete (s_sessions, s->sid);
}

bool
sessions_get (const char *sid, session_t *out, session_close_fn *on_close)
{
    bool found = false;
    pthread_mutex_lock (&s_lock);
    s_entry_t *e = s_lookup (sid);
    int64_t now = zclock_mono ();
    if (e && now - e->s.last > s_idle_ms)
        s_close (&e->s, on_close, "idle");
    else if (e) {
        e->s.last = now;
        s_copy_out (&e->s, out);
        found = true;
    }
    pthread_mutex_unlock (&s_lock);
    return found;
}

bool
sessions_close (const char *sid, session_close_fn *on_close, const char *why)
{
    pthread_mutex_lock (&s_lock);
    s_entry_t *e = s_lookup (sid);
    if (e)
        s_close (&e->s, on_close, why);
    pthread_mutex_unlock (&s_lock);
    return e != NULL;
}

void
sessions_sweep (session_close_fn *on_close)
{
    pthread_mutex_lock (&s_lock);
    int64_t now = zclock_mono ();
    zlistx_t *ids = zhashx_keys (s_sessions);
    for (const char *id = (const char *)zlistx_first (ids); id;
         id = (const char *)zlistx_next (ids)) {
        s_entry_t *e = (s_entry_t *)zhashx_lookup (s_sessions, id);
        if (e && now - e->s.last > s_idle_ms)
            s_close (&e->s, on_close, "idle");
    }
    zlistx_destroy (&ids);
    pthread_mutex_unlock (&s_lock);
}

unsigned char *
sessions_secret (const char *sid)
{
    unsigned char *copy = NULL;
    pthread_mutex_lock (&s_lock);
    s_entry_t *e = s_lookup (sid);
    if (e && (copy = (unsigned char *)sodium_malloc (32)))
        memcpy (copy, e->s.secret, 32);
    pthread_mutex_unlock (&s_lock);
    return copy;
}

yjc_client_t *
sessions_take (const char *sid, int service)
{
    yjc_client_t *client = NULL;
    pthread_mutex_lock (&s_lock);
    s_entry_t *e = s_lookup (sid);
    for (s_conn_t *c = e ? (s_conn_t *)zlistx_first (e->idle) : NULL; c;
         c = (s_conn_t *)zlistx_next (e->idle))
        if (c->service == service) {
            client = c->client;
            c->client = NULL;
            zlistx_delete (e->idle, zlistx_cursor (e->idle));
            s_pooled--;
            break;
        }
    pthread_mutex_unlock (&s_lock);
    return client;
}

void
sessions_give (const char *sid, int service, yjc_client_t **client_p)
{
    pthread_mutex_lock (&s_lock);
    s_entry_t *e = s_lookup (sid);
    if (e && *client_p && zlistx_size (e->idle) < POOL_PER_SESSION &&
        s_pooled < POOL_MAX) {
        s_conn_t *c = (s_conn_t *)zmalloc (sizeof (s_conn_t));
        c->service = service;
        c->client = *client_p;
        *client_p = NULL;
        zlistx_add_end (e->idle, c);
        s_pooled++;
    }
    pthread_mutex_unlock (&s_lock);
    yjc_client_destroy (client_p); //  not kept: the session is gone or full
}

/* ---- the sign-in throttle ---------------------------------------------- */
int
throttle_count (const char *key)
{
    pthread_mutex_lock (&s_lock);
    s_fail_t *f = (s_fail_t *)zhashx_lookup (s_failures, key);
    int n = 0;
    int64_t now = zclock_mono ();
    for (int i = 0; f && i < THROTTLE_KEEP; i++)
        n += f->at[i] && now - f->at[i] < THROTTLE_WINDOW_MS;
    pthread_mutex_unlock (&s_lock);
    return n;
}

void
throttle_fail (const char *key)
{
    pthread_mutex_lock (&s_lock);
    s_fail_t *f = (s_fail_t *)zhashx_lookup (s_failures, key);
    if (!f) {
        f = (s_fail_t *)zmalloc (sizeof *f);
        zhashx_insert (s_failures, key, f);
    }
    f->at[f->next] = zclock_mono ();
    f->next = (f->next + 1) % THROTTLE_KEEP;
    pthread_mutex_unlock (&s_lock);
}
