/*  session.c - the session table and the sign-in throttle.               */
#include "session.h"
#include <pthread.h>
#include <sodium.h>

#define THROTTLE_WINDOW_MS (60 * 1000)
#define THROTTLE_KEEP      8

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static zhashx_t *s_sessions; //  sid -> session_t
static zhashx_t *s_failures; //  "a:name" / "i:addr" -> s_fail_t
static int64_t s_idle_ms;

typedef struct {
    int64_t at[THROTTLE_KEEP]; //  ring of failure times
    int next;
} s_fail_t;

static void
s_free_session (void **item)
{
    session_t *s = (session_t *)*item;
    if (s) {
        sodium_free (s->secret); //  wipes it
        sodium_memzero (s, sizeof *s);
        free (s);
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

static void
s_copy_out (const session_t *s, session_t *out)
{
    *out = *s;
    out->secret = (unsigned char *)sodium_malloc (32);
    if (out->secret)
        memcpy (out->secret, s->secret, 32);
}

void
sessions_open (const yjc_actor_t *actor,
               unsigned char *secret,
               const char *addr,
               session_t *out)
{
    session_t *s = (session_t *)zmalloc (sizeof (session_t));
    s_random_hex (s->sid);
    s_random_hex (s->csrf);
    s->actor = *actor;
    s->secret = secret;
    s->last = zclock_mono ();
    snprintf (s->addr, sizeof s->addr, "%s", addr);
    pthread_mutex_lock (&s_lock);
    zhashx_insert (s_sessions, s->sid, s);
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
    session_t *s = sid && strlen (sid) == 64
                       ? (session_t *)zhashx_lookup (s_sessions, sid)
                       : NULL;
    int64_t now = zclock_mono ();
    if (s && now - s->last > s_idle_ms)
        s_close (s, on_close, "idle");
    else if (s) {
        s->last = now;
        s_copy_out (s, out);
        found = out->secret != NULL;
    }
    pthread_mutex_unlock (&s_lock);
    return found;
}

bool
sessions_close (const char *sid, session_close_fn *on_close, const char *why)
{
    pthread_mutex_lock (&s_lock);
    session_t *s = (session_t *)zhashx_lookup (s_sessions, sid);
    if (s)
        s_close (s, on_close, why);
    pthread_mutex_unlock (&s_lock);
    return s != NULL;
}

void
sessions_sweep (session_close_fn *on_close)
{
    pthread_mutex_lock (&s_lock);
    int64_t now = zclock_mono ();
    zlistx_t *ids = zhashx_keys (s_sessions);
    for (const char *id = (const char *)zlistx_first (ids); id;
         id = (const char *)zlistx_next (ids)) {
        session_t *s = (session_t *)zhashx_lookup (s_sessions, id);
        if (s && now - s->last > s_idle_ms)
            s_close (s, on_close, "idle");
    }
    zlistx_destroy (&ids);
    pthread_mutex_unlock (&s_lock);
}

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
