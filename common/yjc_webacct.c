/*  yjc_webacct.c - web console accounts: sealed keys beside the registry.
    File KEYS/web/NAME.sealed, one line:
        v1 OPSLIMIT MEMLIMIT SALT NONCE BOX PUBLIC [onetime]
    SALT, NONCE and BOX in hex (BOX: the 32-byte secret key sealed with
    crypto_secretbox under the Argon2id key of the password), PUBLIC the
    Z85 public key it belongs to; `onetime` when an administrator set the
    password (the person must choose their own first).                  */
#include "yjc_webacct.h"
#include <sodium.h>
#include <stdio.h>
#include <unistd.h>

//  Argon2id above OWASP's floor: its table counts 9 MiB with 4 passes as
//  strong as 19 MiB with 2; 6 passes add a margin (about a tenth of a
//  second per sign-in, a fixed cost per guess) while the console's peak
//  memory stays within issue 16's 32 MiB.  Each file records its own
//  cost, so files sealed before (19 MiB, 3) still open.
#define SEAL_OPS 6
#define SEAL_MEM (9u * 1024 * 1024)
#define BOX_LEN  (crypto_secretbox_MACBYTES + 32)

static char *
s_path (yjc_keys_t *keys, const char *name, const char *ext)
{
    return zsys_sprintf ("%s/web/%s.%s", yjc_keys_dir (keys), name, ext);
}

static int
s_derive (unsigned char *key,
          const char *password,
          const unsigned char *salt,
          unsigned long long ops,
          size_t mem)
{
    return crypto_pwhash (key,
                          crypto_secretbox_KEYBYTES,
                          password,
                          strlen (password),
                          salt,
                          ops,
                          mem,
                          crypto_pwhash_ALG_ARGON2ID13);
}

//  Writes the sealed file for (public, secret) atomically.
static int
s_seal (yjc_keys_t *keys,
        const char *name,
        const char *password,
        bool onetime,
        zcert_t *cert)
{
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_secretbox_NONCEBYTES];
    unsigned char box[BOX_LEN];
    unsigned char *key = (unsigned char *)sodium_malloc (32);
    if (!key)
        return -1;
    randombytes_buf (salt, sizeof salt);
    randombytes_buf (nonce, sizeof nonce);
    int rc = s_derive (key, password, salt, SEAL_OPS, SEAL_MEM);
    if (rc == 0)
        crypto_secretbox_easy (box, zcert_secret_key (cert), 32, nonce, key);
    sodium_free (key);
    if (rc != 0)
        return -1;
    char salt_hex[sizeof salt * 2 + 1], nonce_hex[sizeof nonce * 2 + 1];
    char box_hex[sizeof box * 2 + 1];
    sodium_bin2hex (salt_hex, sizeof salt_hex, salt, sizeof salt);
    sodium_bin2hex (nonce_hex, sizeof nonce_hex, nonce, sizeof nonce);
    sodium_bin2hex (box_hex, sizeof box_hex, box, sizeof box);
    zsys_dir_create ("%s/web", yjc_keys_dir (keys));
    char *tmp = s_path (keys, name, "sealed.tmp");
    char *path = s_path (keys, name, "sealed");
    FILE *f = fopen (tmp, "w");
    rc = -1;
    if (f) {
        fchmod (fileno (f), 0600);
        int n = fprintf (f,
                         "v1 %d %u %s %s %s %s%s\n",
                         SEAL_OPS,
                         SEAL_MEM,
                         salt_hex,
                         nonce_hex,
                         box_hex,
                         zcert_public_txt (cert),
                         onetime ? " onetime" : "");
        if (fclose (f) == 0 && n > 0 && rename (tmp, path) == 0)
            rc = 0;
    }
    zstr_free (&tmp);
    zstr_free (&path);
    return rc;
}

//  Puts the public certificate into the registry by rename, so that the
//  directory changes and the services re-read it.
static int
s_register (yjc_keys_t *keys, const char *name, zcert_t *cert)
{
    char *tmp = s_path (keys, name, "cert.tmp");
    char *pub = zsys_sprintf ("%s/%s.cert", yjc_keys_public_dir (keys), name);
    int rc =
        zcert_save_public (cert, tmp) == 0 && rename (tmp, pub) == 0 ? 0 : -1;
    zstr_free (&tmp);
    zstr_free (&pub);
    return rc;
}

static zcert_t *
s_new_cert (const char *name, const char *role, const char *unit)
{
    zcert_t *cert = zcert_new ();
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "role", "%s", role);
    if (unit && *unit)
        zcert_set_meta (cert, "unit", "%s", unit);
    return cert;
}

//  czmq keeps a copy of the secret key in the certificate: wiped before
//  the certificate is freed.
static void
s_wipe_destroy (zcert_t **cert_p)
{
    if (*cert_p) {
        sodium_memzero ((unsigned char *)zcert_secret_key (*cert_p), 32);
        sodium_memzero ((char *)zcert_secret_txt (*cert_p), 40);
        zcert_destroy (cert_p);
    }
}

bool
yjc_webacct_exists (yjc_keys_t *keys, const char *name)
{
    if (!yjc_actor_name_valid (name))
        return false;
    char *path = s_path (keys, name, "sealed");
    bool yes = zsys_file_exists (path);
    zstr_free (&path);
    return yes;
}

//  Seals the new key pair under the password and registers its public
//  half (replacing the old one: its key stops working); wipes it.
static int
s_install (yjc_keys_t *keys,
           const char *name,
           const char *password,
           bool onetime,
           zcert_t *cert,
           char *err,
           size_t errlen)
{
    int rc = s_seal (keys, name, password, onetime, cert) == 0 &&
                     s_register (keys, name, cert) == 0
                 ? 0
                 : -1;
    if (rc != 0)
        snprintf (err, errlen, "cannot write under %s", yjc_keys_dir (keys));
    s_wipe_destroy (&cert);
    return rc;
}

int
yjc_webacct_add (yjc_keys_t *keys,
                 const char *name,
                 const char *role,
                 const char *unit,
                 const char *password,
                 char *err,
                 size_t errlen)
{
    if (sodium_init () < 0) {
        snprintf (err, errlen, "libsodium unusable");
        return -1;
    }
    if (yjc_role_by_name (role ? role : "") == YJC_ROLE_SERVICE) {
        snprintf (err, errlen, "a web account cannot have role service");
        return -1;
    }
    //  The rules of names, roles and units are the registry's: checked by
    //  making the actor there first, in a scratch registry.
    char dir[] = "/tmp/yjc_webacct_XXXXXX";
    if (!mkdtemp (dir)) {
        snprintf (err, errlen, "no scratch directory");
        return -1;
    }
    yjc_keys_t *scratch = yjc_keys_new (dir);
    int rc = yjc_keys_add (scratch, name, role ? role : "", unit, err, errlen);
    zcert_t *pub = rc == 0 ? yjc_keys_load_public (keys, name) : NULL;
    if (pub || (rc == 0 && yjc_webacct_exists (keys, name))) {
        snprintf (err, errlen, "actor %s already exists", name);
        rc = -1;
    }
    zcert_destroy (&pub);
    yjc_keys_destroy (&scratch);
    zdir_t *tree = zdir_new (dir, NULL);
    if (tree)
        zdir_remove (tree, true);
    zdir_destroy (&tree);
    if (rc != 0)
        return -1;
    return s_install (
        keys, name, password, true, s_new_cert (name, role, unit), err, errlen);
}

//  A new key pair for an enabled account, with its name, role and unit,
//  sealed under `password`: 0, YJC_WEBACCT_DISABLED (no such enabled
//  account) or YJC_WEBACCT_FAILED (not written), with a reason in err.
static int
s_rekey (yjc_keys_t *keys,
         const char *name,
         const char *password,
         bool onetime,
         char *err,
         size_t errlen)
{
    zcert_t *old = yjc_keys_load_public (keys, name);
    if (!old || !yjc_webacct_exists (keys, name)) {
        snprintf (err, errlen, "%s is not an enabled web account", name);
        zcert_destroy (&old);
        return YJC_WEBACCT_DISABLED;
    }
    if (sodium_init () < 0) {
        zcert_destroy (&old);
        return YJC_WEBACCT_FAILED;
    }
    zcert_t *cert =
        s_new_cert (name, zcert_meta (old, "role"), zcert_meta (old, "unit"));
    zcert_destroy (&old);
    return s_install (keys, name, password, onetime, cert, err, errlen) == 0
               ? 0
               : YJC_WEBACCT_FAILED;
}

int
yjc_webacct_passwd (yjc_keys_t *keys,
                    const char *name,
                    const char *password,
                    char *err,
                    size_t errlen)
{
    return s_rekey (keys, name, password, true, err, errlen) == 0 ? 0 : -1;
}

bool
yjc_webacct_password_ok (const char *password)
{
    size_t n = password ? strlen (password) : 0;
    return n >= YJC_WEBACCT_PASSWORD_MIN && n <= YJC_WEBACCT_PASSWORD_MAX;
}

int
yjc_webacct_change (yjc_keys_t *keys,
                    const char *name,
                    const char *old_password,
                    const char *new_password,
                    char *err,
                    size_t errlen)
{
    if (!yjc_webacct_password_ok (new_password)) {
        snprintf (err,
                  errlen,
                  "the new password must have %d to %d bytes",
                  YJC_WEBACCT_PASSWORD_MIN,
                  YJC_WEBACCT_PASSWORD_MAX);
        return YJC_WEBACCT_FAILED;
    }
    unsigned char *secret = (unsigned char *)sodium_malloc (32);
    char public_txt[41];
    int rc =
        secret
            ? yjc_webacct_unseal (keys, name, old_password, secret, public_txt)
            : YJC_WEBACCT_FAILED;
    sodium_free (secret); //  the old key is not kept: a new pair replaces it
    if (rc != 0) {
        snprintf (err, errlen, "the current password does not open %s", name);
        return rc;
    }
    //  A new key pair, not the old one re-sealed: whoever knew the
    //  one-time password could have unsealed (and copied) the old key.
    return s_rekey (keys, name, new_password, false, err, errlen);
}

int
yjc_webacct_disable (yjc_keys_t *keys,
                     const char *name,
                     char *err,
                     size_t errlen)
{
    if (!yjc_webacct_exists (keys, name)) {
        snprintf (err, errlen, "%s is not a web account", name);
        return -1;
    }
    char *pub = zsys_sprintf ("%s/%s.cert", yjc_keys_public_dir (keys), name);
    char *revoked = s_path (keys, name, "revoked-cert");
    int rc = 0;
    if (zsys_file_exists (pub) && rename (pub, revoked) != 0) {
        snprintf (err, errlen, "cannot move %s", pub);
        rc = -1;
    }
    zstr_free (&pub);
    zstr_free (&revoked);
    return rc;
}

//  The sealed file's line, or NULL.  Freed by the caller.
static char *
s_read_sealed (yjc_keys_t *keys, const char *name)
{
    char *path = s_path (keys, name, "sealed");
    char *text = NULL;
    zfile_t *file = zfile_new (NULL, path);
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, 1024, 0);
        if (chunk)
            text = zchunk_strdup (chunk);
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    zstr_free (&path);
    return text;
}

bool
yjc_webacct_onetime (yjc_keys_t *keys, const char *name)
{
    if (!yjc_webacct_exists (keys, name))
        return false;
    char *text = s_read_sealed (keys, name);
    bool yes = text && strstr (text, " onetime") != NULL;
    free (text);
    return yes;
}

bool
yjc_webacct_writable (yjc_keys_t *keys)
{
    char *web = zsys_sprintf ("%s/web", yjc_keys_dir (keys));
    bool yes = access (web, W_OK) == 0 &&
               access (yjc_keys_public_dir (keys), W_OK) == 0;
    zstr_free (&web);
    return yes;
}

int
yjc_webacct_unseal (yjc_keys_t *keys,
                    const char *name,
                    const char *password,
                    unsigned char *secret,
                    char public_txt[41])
{
    if (!yjc_webacct_exists (keys, name) || sodium_init () < 0)
        return YJC_WEBACCT_BAD;
    char *text = s_read_sealed (keys, name);
    int ops = 0;
    unsigned mem = 0;
    char salt_hex[65], nonce_hex[65], box_hex[129], pub[41];
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned char nonce[crypto_secretbox_NONCEBYTES], box[BOX_LEN];
    int rc = YJC_WEBACCT_BAD;
    if (text &&
        sscanf (text,
                "v1 %d %u %64s %64s %128s %40s",
                &ops,
                &mem,
                salt_hex,
                nonce_hex,
                box_hex,
                pub) == 6 &&
        ops > 0 && ops < 100 && mem >= 8192 && mem <= (1u << 30) &&
        sodium_hex2bin (
            salt, sizeof salt, salt_hex, strlen (salt_hex), NULL, NULL, NULL) ==
            0 &&
        sodium_hex2bin (nonce,
                        sizeof nonce,
                        nonce_hex,
                        strlen (nonce_hex),
                        NULL,
                        NULL,
                        NULL) == 0 &&
        sodium_hex2bin (
            box, sizeof box, box_hex, strlen (box_hex), NULL, NULL, NULL) ==
            0) {
        unsigned char *key = (unsigned char *)sodium_malloc (32);
        if (key && s_derive (key, password, salt, ops, mem) == 0 &&
            crypto_secretbox_open_easy (secret, box, sizeof box, nonce, key) ==
                0) {
            snprintf (public_txt, 41, "%s", pub);
            rc = 0;
        }
        sodium_free (key);
    }
    free (text);
    if (rc == 0) {
        //  the right password of a revoked (or replaced) key
        zcert_t *registered = yjc_keys_load_public (keys, name);
        if (!registered || !streq (zcert_public_txt (registered), public_txt)) {
            sodium_memzero (secret, 32);
            rc = YJC_WEBACCT_DISABLED;
        }
        zcert_destroy (&registered);
    }
    return rc;
}

void
yjc_webacct_password (char out[17])
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++)
        out[i] = alphabet[randombytes_uniform (sizeof alphabet - 1)];
    out[16] = 0;
}

void
yjc_webacct_test (yjc_test_t *t)
{
    char dir[] = "/tmp/yjc_webacct_test_XXXXXX";
    if (!mkdtemp (dir)) {
        YJC_CHECK (t, false);
        return;
    }
    yjc_keys_t *keys = yjc_keys_new (dir);
    char err[160], pw[17], pub[41];
    unsigned char *secret = (unsigned char *)sodium_malloc (32);
    yjc_webacct_password (pw);
    YJC_CHECK (t, strlen (pw) == 16 && !strpbrk (pw, "0O1lI"));
    //  the registry's rules hold for web accounts; no service role
    YJC_CHECK (
        t,
        yjc_webacct_add (keys, "li", "unit", NULL, pw, err, sizeof err) == -1);
    YJC_CHECK (
        t,
        yjc_webacct_add (
            keys, "service-audit", "service", NULL, pw, err, sizeof err) == -1);
    YJC_CHECK (t,
               yjc_webacct_add (
                   keys, "li", "unit", "县教育局", pw, err, sizeof err) == 0);
    YJC_CHECK (t,
               yjc_webacct_add (
                   keys, "li", "unit", "县教育局", pw, err, sizeof err) == -1);
    //  no plain secret key anywhere; the right password opens it
    char *plain = zsys_sprintf ("%s/secret/li.cert_secret", dir);
    YJC_CHECK (t, !zsys_file_exists (plain));
    zstr_free (&plain);
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", "wrong", secret, pub) ==
                   YJC_WEBACCT_BAD);
    YJC_CHECK (t, yjc_webacct_unseal (keys, "li", pw, secret, pub) == 0);
    zcert_t *reg = yjc_keys_load_public (keys, "li");
    YJC_CHECK (t, reg && streq (zcert_public_txt (reg), pub));
    if (reg) {
        zcert_t *pair = zcert_new_from (zcert_public_key (reg), secret);
        unsigned char check[32];
        crypto_scalarmult_base (check, secret);
        YJC_CHECK (t, memcmp (check, zcert_public_key (reg), 32) == 0);
        s_wipe_destroy (&pair);
    }
    zcert_destroy (&reg);
    //  a new password rotates the key; disabling revokes it
    char pw2[17];
    yjc_webacct_password (pw2);
    YJC_CHECK (t, yjc_webacct_passwd (keys, "li", pw2, err, sizeof err) == 0);
    char pub2[41];
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", pw, secret, pub2) ==
                   YJC_WEBACCT_BAD);
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", pw2, secret, pub2) == 0 &&
                   !streq (pub, pub2));
    //  an administrator's password is one-time until the person changes
    //  it; the change needs the current one and rotates the key again
    YJC_CHECK (t, yjc_webacct_onetime (keys, "li"));
    YJC_CHECK (t, yjc_webacct_writable (keys));
    char own[] = "my own password 1";
    YJC_CHECK (t,
               yjc_webacct_change (keys, "li", "wrong", own, err, sizeof err) ==
                   YJC_WEBACCT_BAD);
    YJC_CHECK (t,
               yjc_webacct_change (keys, "li", pw2, "short", err, sizeof err) ==
                   YJC_WEBACCT_FAILED);
    YJC_CHECK (t, yjc_webacct_onetime (keys, "li"));
    YJC_CHECK (t,
               yjc_webacct_change (keys, "li", pw2, own, err, sizeof err) == 0);
    YJC_CHECK (t, !yjc_webacct_onetime (keys, "li"));
    char pub3[41];
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", pw2, secret, pub3) ==
                   YJC_WEBACCT_BAD);
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", own, secret, pub3) == 0 &&
                   !streq (pub2, pub3));
    YJC_CHECK (t, yjc_webacct_passwd (keys, "li", pw2, err, sizeof err) == 0);
    YJC_CHECK (t, yjc_webacct_onetime (keys, "li"));
    YJC_CHECK (t, yjc_webacct_disable (keys, "li", err, sizeof err) == 0);
    YJC_CHECK (t,
               yjc_webacct_unseal (keys, "li", pw2, secret, pub2) ==
                   YJC_WEBACCT_DISABLED);
    YJC_CHECK (t, yjc_webacct_disable (keys, "nobody", err, sizeof err) == -1);
    sodium_free (secret);
    yjc_keys_destroy (&keys);
    zdir_t *tree = zdir_new (dir, NULL);
    zdir_remove (tree, true);
    zdir_destroy (&tree);
}
