/*  yjc_keys.h - the actor registry: CurveZMQ certificates on disk.

    KEYS/public/NAME.cert         public key + metadata name, role, unit
    KEYS/secret/NAME.cert_secret  the actor's own key pair (only the actor
                                  needs it; in a deployment each actor keeps
                                  just its own)

    Services are actors too ("service-intake", role service): the same key
    pair is the server key of their endpoint and the client key of their
    relay.  Who sent a request is looked up from the public key that
    CurveZMQ authenticated, never read from the message.                 */
#ifndef YJC_KEYS_H_INCLUDED
#define YJC_KEYS_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"
#include <czmq.h>

typedef struct {
    char name[33];  //  actor name: [a-z0-9_-]{1,32}
    int role;       //  yjc_role_t
    char unit[129]; //  the unit's name, for role unit; "" otherwise
    char public_txt[41];
} yjc_actor_t;

typedef struct _yjc_keys_t yjc_keys_t;

//  Opens the registry at `dir` (env YJC_KEYS, default "var/keys").
yjc_keys_t *yjc_keys_new (const char *dir);
void yjc_keys_destroy (yjc_keys_t **self_p);
const char *yjc_keys_dir (yjc_keys_t *self);
//  The directory zauth reads to allow CURVE clients.
const char *yjc_keys_public_dir (yjc_keys_t *self);

//  The actor behind an authenticated public key (Z85); 0 or -1 if unknown.
//  The registry is re-read when its directory changes.
int yjc_keys_lookup (yjc_keys_t *self,
                     const char *public_txt,
                     yjc_actor_t *out);
//  Loads an actor's key pair (caller owns the cert); NULL if absent.
zcert_t *yjc_keys_load_secret (yjc_keys_t *self, const char *name);
//  Loads an actor's public certificate (caller owns it); NULL if absent.
zcert_t *yjc_keys_load_public (yjc_keys_t *self, const char *name);
//  The name a service uses as an actor: "service-intake".
void yjc_keys_service_actor (int service, char name[33]);

//  Creates an actor and its key files.  0, or -1 with a reason in err
//  (bad name, bad role, unit missing or given wrongly, already exists).
int yjc_keys_add (yjc_keys_t *self,
                  const char *name,
                  const char *role,
                  const char *unit,
                  char *err,
                  size_t errlen);

bool yjc_actor_name_valid (const char *name);

void yjc_keys_test (yjc_test_t *t);

#endif
