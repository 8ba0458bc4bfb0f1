/*  yjc_keys.c - the actor registry on disk.                               */
#include "yjc_keys.h"
#include <sys/stat.h>

//  zcertstore re-reads its directory on every lookup; a service looks up
//  the sender of every request, so known actors are cached, and the
//  cache is dropped when the directory changes (checked once a second).
#define RECHECK_MS      1000
#define RECHECK_MISS_MS 10

struct _yjc_keys_t {
    char *dir;                 //  root of the registry
    char *public_dir;          //  dir/public
    char *secret_dir;          //  dir/secret
    zcertstore_t *store;       //  public certificates, refreshed on change
    zhashx_t *actors;          //  public key -> yjc_actor_t, known good
    int64_t checked_at;        //  zclock_mono of the last look at the disk
    int64_t missed_at;         //  ... of the last look for an unknown key
    struct timespec dir_mtime; //  of public_dir when the cache was filled
};

static void
s_free_actor (void **item)
{
    free (*item);
    *item = NULL;
}

yjc_keys_t *
yjc_keys_new (const char *dir)
{
    yjc_keys_t *self = (yjc_keys_t *)zmalloc (sizeof (yjc_keys_t));
    self->dir = strdup (dir);
    self->public_dir = zsys_sprintf ("%s/public", dir);
    self->secret_dir = zsys_sprintf ("%s/secret", dir);
    zsys_dir_create ("%s", self->public_dir);
    zsys_dir_create ("%s", self->secret_dir);
    self->store = zcertstore_new (self->public_dir);
    self->actors = zhashx_new ();
    zhashx_set_destructor (self->actors, s_free_actor);
    return self;
}

void
yjc_keys_destroy (yjc_keys_t **self_p)
{
    if (*self_p) {
        yjc_keys_t *self = *self_p;
        zcertstore_destroy (&self->store);
        zhashx_destroy (&self->actors);
        zstr_free (&self->public_dir);
        zstr_free (&self->secret_dir);
        free (self->dir);
        free (self);
        *self_p = NULL;
    }
}

const char *
yjc_keys_dir (yjc_keys_t *self)
{
    return self->dir;
}

const char *
yjc_keys_public_dir (yjc_keys_t *self)
{
    return self->public_dir;
}

bool
yjc_actor_name_valid (const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || len > 32)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static int
s_actor_from_cert (zcert_t *cert, yjc_actor_t *out)
{
    const char *name = zcert_meta (cert, "name");
    const char *role = zcert_meta (cert, "role");
    const char *unit = zcert_meta (cert, "unit");
    if (!name || !role || !yjc_actor_name_valid (name))
        return -1;
    int r = yjc_role_by_name (role);
    if (r < 0)
        return -1;
    memset (out, 0, sizeof *out);
    snprintf (out->name, sizeof out->name, "%s", name);
    snprintf (out->unit, sizeof out->unit, "%s", unit ? unit : "");
    snprintf (
        out->public_txt, sizeof out->public_txt, "%s", zcert_public_txt (cert));
    out->role = r;
    //  A unit actor without its unit could see nothing; refuse it outright.
    if (r == YJC_ROLE_UNIT && !*out->unit)
        return -1;
    return 0;
}

//  The store read afresh: zcertstore notices a changed directory by the
//  newest file's mtime in whole seconds, its count and total size, so a
//  key replaced by one of the same size within the same second (a web
//  account's new password, issue 16) would go unseen.
static void
s_reload (yjc_keys_t *self)
{
    zcertstore_destroy (&self->store);
    self->store = zcertstore_new (self->public_dir);
    zhashx_purge (self->actors);
}

//  The registry directory's mtime (nanoseconds) now.
static struct timespec
s_dir_mtime (yjc_keys_t *self)
{
    struct stat st;
    struct timespec mtime = { 0, 0 };
    if (stat (self->public_dir, &st) == 0)
        mtime = st.st_mtim;
    return mtime;
}

static bool
s_mtime_moved (yjc_keys_t *self, struct timespec mtime)
{
    return mtime.tv_sec != self->dir_mtime.tv_sec ||
           mtime.tv_nsec != self->dir_mtime.tv_nsec;
}

//  Reads the store again when the directory changed since the cache was
//  filled; true if it did.  A change in the same timestamp tick as the
//  last look (a key revoked right after one was added) leaves the mtime
//  as it was: with `recent_too`, a directory changed in the last 2 s is
//  read again, so a disabled person is never kept as known (issue 16).
static bool
s_refresh (yjc_keys_t *self, bool recent_too)
{
    struct timespec mtime = s_dir_mtime (self);
    bool recent = time (NULL) - mtime.tv_sec < 2;
    if (!s_mtime_moved (self, mtime) && !(recent && recent_too))
        return false;
    s_reload (self);
    self->dir_mtime = mtime;
    return true;
}

//  Looks at the directory at most once a RECHECK_MS.
static void
s_recheck (yjc_keys_t *self)
{
    int64_t now = zclock_mono ();
    if (now - self->checked_at < RECHECK_MS)
        return;
    self->checked_at = now;
    s_refresh (self, true);
}

int
yjc_keys_lookup (yjc_keys_t *self, const char *public_txt, yjc_actor_t *out)
{
    s_recheck (self);
    yjc_actor_t *known =
        (yjc_actor_t *)zhashx_lookup (self->actors, public_txt);
    if (known) {
        *out = *known;
        return 0;
    }
    zcert_t *cert = zcertstore_lookup (self->store, public_txt);
    if (!cert) {
        //  A key made since the last look (a new person, a new password)
        //  is known at once: the directory moved, it is read again.  An
        //  unchanged one is read again only within the mtime's tick of a
        //  change, and at most every RECHECK_MISS_MS (unknown keys cannot
        //  make the disk be read for each).
        int64_t now = zclock_mono ();
        if (s_refresh (self, now - self->missed_at >= RECHECK_MISS_MS)) {
            self->missed_at = now;
            cert = zcertstore_lookup (self->store, public_txt);
        }
    }
    if (!cert || s_actor_from_cert (cert, out) != 0)
        return -1;
    yjc_actor_t *copy = (yjc_actor_t *)malloc (sizeof *copy);
    if (copy) {
        *copy = *out;
        zhashx_insert (self->actors, public_txt, copy);
    }
    return 0;
}

zcert_t *
yjc_keys_load_secret (yjc_keys_t *self, const char *name)
{
    if (!yjc_actor_name_valid (name))
        return NULL;
    char *path = zsys_sprintf ("%s/%s.cert", self->secret_dir, name);
    //  zcert_load reads PATH and PATH_secret
    zcert_t *cert = zcert_load (path);
    zstr_free (&path);
    return cert;
}

zcert_t *
yjc_keys_load_public (yjc_keys_t *self, const char *name)
{
    if (!yjc_actor_name_valid (name))
        return NULL;
    char *path = zsys_sprintf ("%s/%s.cert", self->public_dir, name);
    zcert_t *cert = zcert_load (path);
    zstr_free (&path);
    return cert;
}

void
yjc_keys_service_actor (int service, char name[33])
{
    snprintf (name, 33, "service-%s", yjc_service_name (service));
}

int
yjc_keys_add (yjc_keys_t *self,
              const char *name,
              const char *role,
              const char *unit,
              char *err,
              size_t errlen)
{
    if (!yjc_actor_name_valid (name)) {
        snprintf (err, errlen, "actor name must be 1-32 of [a-z0-9_-]");
        return -1;
    }
    int r = yjc_role_by_name (role);
    if (r < 0) {
        snprintf (err,
                  errlen,
                  "role must be unit, bureau, vendor, auditor, admin or "
                  "service");
        return -1;
    }
    //  A service key may deliver events: only the five services have one.
    char service_name[33] = "";
    if (r == YJC_ROLE_SERVICE && strncmp (name, "service-", 8) == 0 &&
        yjc_service_by_name (name + 8) >= 0)
        yjc_keys_service_actor (yjc_service_by_name (name + 8), service_name);
    if (r == YJC_ROLE_SERVICE && !streq (name, service_name)) {
        snprintf (err,
                  errlen,
                  "role service is only for service-intake, "
                  "service-review, ... (yjcloud keys init)");
        return -1;
    }
    if ((r == YJC_ROLE_UNIT) != (unit && *unit)) {
        snprintf (err,
                  errlen,
                  "--unit is required for role unit, and only "
                  "for it");
        return -1;
    }
    if (unit && strlen (unit) > 128) {
        snprintf (err, errlen, "unit name longer than 128 bytes");
        return -1;
    }
    //  Certificate metadata is ZPL, its values quoted: a double quote or
    //  a control character would write a file czmq cannot read back.
    for (const char *p = unit ? unit : ""; *p; p++)
        if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf (err,
                      errlen,
                      "unit name must not contain a double quote or a"
                      " control character");
            return -1;
        }
    char *pub = zsys_sprintf ("%s/%s.cert", self->public_dir, name);
    char *sec = zsys_sprintf ("%s/%s.cert_secret", self->secret_dir, name);
    int rc = -1;
    if (zsys_file_exists (pub))
        snprintf (err, errlen, "actor %s already exists", name);
    else {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "name", "%s", name);
        zcert_set_meta (cert, "role", "%s", role);
        if (unit && *unit)
            zcert_set_meta (cert, "unit", "%s", unit);
        //  zcert_save_secret writes the pair as PATH_secret; the public
        //  half also goes to the registry the services read.
        if (zcert_save_secret (cert, sec) == 0 &&
            zcert_save_public (cert, pub) == 0)
            rc = 0;
        else
            snprintf (
                err, errlen, "cannot write key files under %s", self->dir);
        zcert_destroy (&cert);
    }
    zstr_free (&pub);
    zstr_free (&sec);
    return rc;
}

/* ---- selftest ------------------------------------------------------------ */

//  A certificate written by hand into the registry (not by yjc_keys_add):
//  what a tampered or careless file looks like.
static char *
s_write_cert (yjc_keys_t *self,
              const char *file,
              const char *name,
              const char *role,
              const char *unit)
{
    zcert_t *cert = zcert_new ();
    if (name)
        zcert_set_meta (cert, "name", "%s", name);
    if (role)
        zcert_set_meta (cert, "role", "%s", role);
    if (unit)
        zcert_set_meta (cert, "unit", "%s", unit);
    char *path = zsys_sprintf ("%s/%s.cert", self->public_dir, file);
    zcert_save_public (cert, path);
    zstr_free (&path);
    char *public_txt = strdup (zcert_public_txt (cert));
    zcert_destroy (&cert);
    return public_txt;
}

void
yjc_keys_test (yjc_test_t *t)
{
    char dir[] = "/tmp/yjc_keys_test_XXXXXX";
    if (!mkdtemp (dir)) {
        YJC_CHECK (t, false);
        return;
    }
    yjc_keys_t *keys = yjc_keys_new (dir);
    char err[160];
    YJC_CHECK (t,
               zsys_file_exists (yjc_keys_public_dir (keys)) ||
                   zsys_dir_create ("%s", yjc_keys_public_dir (keys)) == 0);

    //  Names: 1-32 of [a-z0-9_-].
    YJC_CHECK (t,
               yjc_actor_name_valid ("edu") && yjc_actor_name_valid ("a-b_9"));
    YJC_CHECK (t, !yjc_actor_name_valid ("") && !yjc_actor_name_valid ("Edu"));
    YJC_CHECK (t,
               !yjc_actor_name_valid ("../x") && !yjc_actor_name_valid ("a b"));
    YJC_CHECK (t, yjc_actor_name_valid ("abcdefghijklmnopqrstuvwxyz012345"));
    YJC_CHECK (t, !yjc_actor_name_valid ("abcdefghijklmnopqrstuvwxyz0123456"));
    char service[33];
    yjc_keys_service_actor (YJC_SVC_REVIEW, service);
    YJC_CHECK (t, streq (service, "service-review"));

    //  Adding: every rule refused with a reason, nothing written.
    YJC_CHECK (t,
               yjc_keys_add (keys, "Bad", "unit", "x", err, sizeof err) == -1);
    YJC_CHECK (t,
               yjc_keys_add (keys, "x", "king", NULL, err, sizeof err) == -1 &&
                   strstr (err, "role"));
    YJC_CHECK (t,
               yjc_keys_add (keys, "edu", "unit", NULL, err, sizeof err) ==
                       -1 &&
                   strstr (err, "--unit"));
    YJC_CHECK (t,
               yjc_keys_add (
                   keys, "boss", "bureau", "县教育局", err, sizeof err) == -1);
    YJC_CHECK (t,
               yjc_keys_add (keys, "evil", "service", NULL, err, sizeof err) ==
                       -1 &&
                   strstr (err, "service-intake"));
    YJC_CHECK (
        t,
        yjc_keys_add (keys, "service-nope", "service", NULL, err, sizeof err) ==
            -1);
    char long_unit[140];
    memset (long_unit, 'u', sizeof long_unit - 1);
    long_unit[sizeof long_unit - 1] = 0;
    YJC_CHECK (t,
               yjc_keys_add (keys, "big", "unit", long_unit, err, sizeof err) ==
                   -1);
    YJC_CHECK (t,
               yjc_keys_add (keys, "q", "unit", "a\"b", err, sizeof err) ==
                       -1 &&
                   strstr (err, "double quote"));
    YJC_CHECK (
        t, yjc_keys_add (keys, "nl", "unit", "a\nb", err, sizeof err) == -1);
    YJC_CHECK (t, yjc_keys_load_public (keys, "edu") == NULL);
    YJC_CHECK (t, yjc_keys_load_public (keys, "q") == NULL);

    //  Added actors: their key pair and public certificate load back, and
    //  the authenticated key leads to name, role and unit.
    YJC_CHECK (
        t,
        yjc_keys_add (keys, "edu", "unit", "县教育局", err, sizeof err) == 0);
    YJC_CHECK (
        t, yjc_keys_add (keys, "bureau", "bureau", NULL, err, sizeof err) == 0);
    YJC_CHECK (t,
               yjc_keys_add (
                   keys, "service-review", "service", NULL, err, sizeof err) ==
                   0);
    YJC_CHECK (
        t,
        yjc_keys_add (keys, "edu", "unit", "县教育局", err, sizeof err) == -1 &&
            strstr (err, "already exists"));
    zcert_t *secret = yjc_keys_load_secret (keys, "edu");
    zcert_t *public_cert = yjc_keys_load_public (keys, "edu");
    YJC_CHECK (t, secret && public_cert);
    YJC_CHECK (
        t,
        secret && public_cert &&
            streq (zcert_public_txt (secret), zcert_public_txt (public_cert)));
    YJC_CHECK (t, yjc_keys_load_secret (keys, "../edu") == NULL);
    YJC_CHECK (t, yjc_keys_load_secret (keys, "nobody") == NULL);
    yjc_actor_t actor;
    if (secret) {
        YJC_CHECK (
            t, yjc_keys_lookup (keys, zcert_public_txt (secret), &actor) == 0);
        YJC_CHECK (t,
                   streq (actor.name, "edu") && actor.role == YJC_ROLE_UNIT &&
                       streq (actor.unit, "县教育局"));
        //  again, from the cache
        memset (&actor, 0, sizeof actor);
        YJC_CHECK (t,
                   yjc_keys_lookup (keys, zcert_public_txt (secret), &actor) ==
                           0 &&
                       streq (actor.name, "edu"));
    }
    //  A key replaced by one of the same size in the same second (a web
    //  account's new password) is known at its first lookup, though the
    //  registry was looked at just before (zcertstore alone misses it).
    if (secret) {
        zcert_t *next = zcert_new ();
        zcert_set_meta (next, "name", "edu");
        zcert_set_meta (next, "role", "unit");
        zcert_set_meta (next, "unit", "县教育局");
        char *tmp = zsys_sprintf ("%s/edu.tmp", dir);
        char *pub = zsys_sprintf ("%s/edu.cert", yjc_keys_public_dir (keys));
        YJC_CHECK (
            t, zcert_save_public (next, tmp) == 0 && rename (tmp, pub) == 0);
        YJC_CHECK (t,
                   yjc_keys_lookup (keys, zcert_public_txt (next), &actor) ==
                           0 &&
                       streq (actor.name, "edu"));
        //  the registry is back as it was for the checks below
        YJC_CHECK (t,
                   zcert_save_public (public_cert, tmp) == 0 &&
                       rename (tmp, pub) == 0);
        zstr_free (&tmp);
        zstr_free (&pub);
        zcert_destroy (&next);
    }
    zcert_destroy (&secret);
    zcert_destroy (&public_cert);
    zcert_t *svc = yjc_keys_load_public (keys, "service-review");
    YJC_CHECK (
        t,
        svc && yjc_keys_lookup (keys, zcert_public_txt (svc), &actor) == 0 &&
            actor.role == YJC_ROLE_SERVICE && !*actor.unit);
    zcert_destroy (&svc);
    YJC_CHECK (t,
               yjc_keys_lookup (keys,
                                "0000000000000000000000000000000000000000",
                                &actor) == -1);

    //  Files put there by hand are parsed, and the bad ones refused: no
    //  role, an unknown role, a unit actor without its unit, a bad name.
    const char *bad[][4] = { { "norole", "norole", NULL, NULL },
                             { "king", "king", "king", NULL },
                             { "nounit", "nounit", "unit", NULL },
                             { "badname", "Bad Name", "bureau", NULL },
                             { "noname", NULL, "auditor", NULL } };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *key =
            s_write_cert (keys, bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
        YJC_CHECK (t, yjc_keys_lookup (keys, key, &actor) == -1);
        free (key);
    }
    char *key = s_write_cert (keys, "audit2", "audit2", "auditor", NULL);
    YJC_CHECK (t,
               yjc_keys_lookup (keys, key, &actor) == 0 &&
                   actor.role == YJC_ROLE_AUDITOR &&
                   streq (actor.name, "audit2"));
    free (key);

    yjc_keys_destroy (&keys);
    YJC_CHECK (t, keys == NULL);
    zdir_t *tree = zdir_new (dir, NULL);
    zdir_remove (tree, true);
    zdir_destroy (&tree);
    YJC_CHECK (t, !zsys_file_exists (dir));
}
