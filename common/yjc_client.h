/*  yjc_client.h - a CurveZMQ DEALER that sends requests and waits for the
    reply with the same id.  Used by the relay, the CLI, the vendor
    simulator and the benchmark.                                         */
#ifndef YJC_CLIENT_H_INCLUDED
#define YJC_CLIENT_H_INCLUDED

#include "yjc_keys.h"
#include "yjc_msg.h"

typedef struct _yjc_client_t yjc_client_t;

//  Connects to `endpoint`, whose server key is `server_public_txt`, as the
//  actor whose key pair is `cert` (borrowed; only its keys are copied).
//  `endpoint` may list several instances of the service, separated by
//  commas: requests are spread over them.
yjc_client_t *yjc_client_new (const char *endpoint,
                              const char *server_public_txt,
                              zcert_t *cert);
//  Connects to a service, looking up its server key in the registry.
yjc_client_t *yjc_client_new_service (yjc_keys_t *keys,
                                      int service,
                                      zcert_t *cert);
//  The same, at another endpoint of that service (the vendor's own queue,
//  YJC_VENDOR_ENDPOINT, is the provisioning adapter's).
yjc_client_t *yjc_client_new_at (yjc_keys_t *keys,
                                 int service,
                                 const char *endpoint,
                                 zcert_t *cert);
void yjc_client_destroy (yjc_client_t **self_p);

//  Sends one request and waits up to timeout_ms for its reply, skipping
//  stale replies to earlier requests.  Returns 0 with `reply` filled
//  (which may be an error reply), YJC_CLIENT_DENIED when the server
//  refused our key in the CURVE handshake (an unregistered or revoked
//  actor: the server itself answers such a stranger with nothing), or -1
//  on timeout or an undecodable reply.
#define YJC_CLIENT_DENIED (-2)
int yjc_client_call (yjc_client_t *self,
                     const char *type,
                     const void *body,
                     size_t body_len,
                     int timeout_ms,
                     yjc_reply_t *reply);
//  Sends without waiting; returns the id used (valid until next send).
const char *yjc_client_send (yjc_client_t *self,
                             const char *type,
                             const void *body,
                             size_t body_len);
//  Waits for the reply to `id`.  0, YJC_CLIENT_DENIED or -1 as above.
int yjc_client_recv (yjc_client_t *self,
                     const char *id,
                     int timeout_ms,
                     yjc_reply_t *reply);

//  True once the server has refused our key.
bool yjc_client_denied (yjc_client_t *self);

void yjc_client_test (yjc_test_t *t);

#endif
