/*  yjc_webacct.h - web console accounts (issue 16): each is an actor of
    the key registry whose secret key is kept only sealed with its
    password (Argon2id crypto_pwhash + crypto_secretbox).

    Where: KEYS/web/NAME.sealed, beside the registry, not in a database.
    The web console is not a bus service (it has no schema of its own,
    and `yjcloud web-user` must work before any service runs, as `actor
    add` does); the registry is already the one place actors are made and
    revoked, and a sealed file is useless without the password.  The
    public half is in KEYS/public/NAME.cert like every actor's; there is
    no KEYS/secret/NAME.cert_secret for a web account.                 */
#ifndef YJC_WEBACCT_H_INCLUDED
#define YJC_WEBACCT_H_INCLUDED

#include "yjc_keys.h"

//  Creates the actor (name, role, unit as `actor add`) and its sealed
//  key.  0, or -1 with a reason in err.
int yjc_webacct_add (yjc_keys_t *keys,
                     const char *name,
                     const char *role,
                     const char *unit,
                     const char *password,
                     char *err,
                     size_t errlen);
//  A new password: a new key pair replaces the old one in the registry
//  (the old key is revoked with it; nobody could unseal it anyway).
int yjc_webacct_passwd (yjc_keys_t *keys,
                        const char *name,
                        const char *password,
                        char *err,
                        size_t errlen);
//  Revokes the account's key (its certificate leaves the registry).
int yjc_webacct_disable (yjc_keys_t *keys,
                         const char *name,
                         char *err,
                         size_t errlen);

#define YJC_WEBACCT_BAD      (-1) //  no such account, or a wrong password
#define YJC_WEBACCT_DISABLED (-2) //  the right password, a revoked key
#define YJC_WEBACCT_FAILED   (-3) //  a new password refused, or not written
//  Unseals the account's secret key into `secret` (32 bytes; put it in
//  sodium_malloc'd memory) and its public key (Z85) into public_txt.
int yjc_webacct_unseal (yjc_keys_t *keys,
                        const char *name,
                        const char *password,
                        unsigned char *secret,
                        char public_txt[41]);
//  True while the account's password is the one an administrator set
//  (`add`, `passwd`): the person must choose their own before anything
//  else (the administrator knows that one, and with it the key).
bool yjc_webacct_onetime (yjc_keys_t *keys, const char *name);
//  True when this process may write the registry (the sealed keys and
//  the public certificates), as `make up`'s console can; in the
//  containers only the `keys` container may (the console's copy is
//  read-only) and a password is changed there.
bool yjc_webacct_writable (yjc_keys_t *keys);
//  The person's own new password, given the current one: a new key pair
//  sealed under it replaces the old (which the holder of a one-time
//  password could have copied); the one-time mark is cleared.  0, or
//  YJC_WEBACCT_BAD / _DISABLED (the current password does not open an
//  enabled key) or _FAILED (the new one too short or long, a write
//  failed), with a reason in err.
#define YJC_WEBACCT_PASSWORD_MIN 10
#define YJC_WEBACCT_PASSWORD_MAX 128
bool yjc_webacct_password_ok (const char *password);
int yjc_webacct_change (yjc_keys_t *keys,
                        const char *name,
                        const char *old_password,
                        const char *new_password,
                        char *err,
                        size_t errlen);
//  True when NAME is a web account (sealed, enabled or not).
bool yjc_webacct_exists (yjc_keys_t *keys, const char *name);

//  A one-time password of 16 letters and digits (no 0/O, 1/l/I).
void yjc_webacct_password (char out[17]);

void yjc_webacct_test (yjc_test_t *t);

#endif
