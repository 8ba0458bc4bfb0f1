/*  chain.h - the audit trail's hash chain and its signed checkpoints
    (proto/README.md "The audit chain").                                  */
#ifndef AUDIT_CHAIN_H_INCLUDED
#define AUDIT_CHAIN_H_INCLUDED

#include "yjc_ctx.h"

//  The checkpoint key (Ed25519): read from YJC_KEYS/audit-checkpoint.key,
//  created there (0600, and the public key in .pub) at the first start.
int chain_key_load (void);
//  Stores the events of one delivery, chained, under the head's lock.
yjc_result_t chain_store (yjc_ctx_t *ctx,
                          const yjc_event_in_t *events,
                          int count);
//  A moved head signed once YJC_AUDIT_CHECKPOINT_S passed.
yjc_result_t chain_tick (yjc_ctx_t *ctx);
yjc_result_t chain_checkpoints (yjc_ctx_t *ctx, const msgpack_object *body);

//  For verify.c: a stored checkpoint's signature by this service's key;
//  the head as it stands; hex to bytes (false unless exactly len).
bool chain_checkpoint_valid (int64_t seq,
                             int64_t count,
                             int64_t at_us,
                             const unsigned char *head,
                             const unsigned char *pk,
                             const unsigned char *sig);
bool chain_head (yjc_ctx_t *ctx, int64_t *seq, unsigned char *hash);
bool chain_unhex (const char *hex, unsigned char *out, size_t len);

//  audit.verify (verify.c)
yjc_result_t chain_verify (yjc_ctx_t *ctx, const msgpack_object *body);

#endif
