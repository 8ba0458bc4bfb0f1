/*  yjc_chain.h - one link of the audit chain, told once (proto/README.md
    "The audit chain"): hash = SHA-256(previous hash || the event's
    canonical bytes).  The audit service stores and verifies with it, the
    bench's generator writes with it.  SHA-256 through OpenSSL's EVP, which
    uses the CPU's SHA instructions where it has them (issue 12: verify at
    a million events a second).                                          */
#ifndef YJC_CHAIN_H_INCLUDED
#define YJC_CHAIN_H_INCLUDED

#include "yjc_test.h"
#include <stddef.h>
#include <stdint.h>

#define YJC_CHAIN_HASH_LEN 32

//  An event's stored fields, as bytes.  unit and actor are NULL for an
//  event of the first form (stored before audit kept them: v1); else
//  both are set ("" when none) and their bytes follow (v2).
typedef struct {
    const char *event_id, *source, *type, *app_id; //  app_id "" if none
    size_t event_id_len, source_len, type_len, app_id_len;
    int64_t at_us; //  occurred_at, microseconds since the Unix epoch
    const void *payload;
    size_t payload_len;
    const char *unit, *actor;
    size_t unit_len, actor_len;
} yjc_chain_event_t;

typedef struct _yjc_chain_hasher_t yjc_chain_hasher_t;

//  One per thread: it keeps the digest context between links.
yjc_chain_hasher_t *yjc_chain_hasher_new (void);
void yjc_chain_hasher_destroy (yjc_chain_hasher_t **self_p);

//  out = SHA-256(prev || canonical bytes of e); out may be prev.
void yjc_chain_link (yjc_chain_hasher_t *self,
                     const unsigned char *prev,
                     const yjc_chain_event_t *e,
                     unsigned char *out);

//  out = SHA-256(link), link being prev || canonical bytes already laid
//  out by the caller (audit verify lays them out in the row it read).
void yjc_chain_link_bytes (yjc_chain_hasher_t *self,
                           const unsigned char *link,
                           size_t len,
                           unsigned char *out);

void yjc_chain_test (yjc_test_t *t);

#endif
