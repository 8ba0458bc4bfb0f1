/*  yjc_chain.c - one link of the audit chain (see yjc_chain.h).

    The canonical bytes: u32be length + bytes of event_id, source, type,
    app_id ('' when none); occurred_at as i64be microseconds since the
    Unix epoch; u32be length + bytes of payload_mp; then, for an event of
    the second form (unit and actor kept), u32be length + bytes of unit and
    of actor ('' when none).  audit.event_canon() is the same in SQL.   */
//  SHA256_Init/Update/Final, deprecated in OpenSSL 3 but kept: for a
//  link of ~300 bytes EVP's dispatch costs ~80 ns of ~340 (audit verify,
//  issue 12); the same SHA instructions underneath.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "yjc_chain.h"
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct _yjc_chain_hasher_t {
    EVP_MD *md; //  fetched once: a fetch per link would cost more than it
    EVP_MD_CTX *ctx;
};

yjc_chain_hasher_t *
yjc_chain_hasher_new (void)
{
    yjc_chain_hasher_t *self =
        (yjc_chain_hasher_t *)calloc (1, sizeof (yjc_chain_hasher_t));
    if (!self)
        return NULL;
    self->md = EVP_MD_fetch (NULL, "SHA256", NULL);
    self->ctx = EVP_MD_CTX_new ();
    if (!self->md || !self->ctx)
        yjc_chain_hasher_destroy (&self);
    return self;
}

void
yjc_chain_hasher_destroy (yjc_chain_hasher_t **self_p)
{
    if (*self_p) {
        yjc_chain_hasher_t *self = *self_p;
        EVP_MD_CTX_free (self->ctx);
        EVP_MD_free (self->md);
        free (self);
        *self_p = NULL;
    }
}

static void
s_be (unsigned char *out, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        out[i] = (unsigned char)(v & 0xff);
}

//  The hashed bytes are gathered in a buffer and hashed with one update
//  when they fit (nearly always): eighteen small updates a link cost
//  `audit verify` more than the compression itself.
#define GATHER_MAX 2048

typedef struct {
    EVP_MD_CTX *ctx;
    unsigned char buf[GATHER_MAX];
    size_t used;
} s_gather_t;

static void
s_put (s_gather_t *g, const void *data, size_t len)
{
    if (g->used + len > sizeof g->buf) {
        EVP_DigestUpdate (g->ctx, g->buf, g->used);
        g->used = 0;
    }
    if (len > sizeof g->buf)
        EVP_DigestUpdate (g->ctx, data, len);
    else {
        memcpy (g->buf + g->used, data, len);
        g->used += len;
    }
}

static void
s_field (s_gather_t *g, const void *data, size_t len)
{
    unsigned char n[4];
    s_be (n, len, 4);
    s_put (g, n, 4);
    s_put (g, data, len);
}

void
yjc_chain_link (yjc_chain_hasher_t *self,
                const unsigned char *prev,
                const yjc_chain_event_t *e,
                unsigned char *out)
{
    s_gather_t g;
    g.ctx = self->ctx;
    g.used = 0;
    EVP_DigestInit_ex2 (g.ctx, self->md, NULL);
    s_put (&g, prev, YJC_CHAIN_HASH_LEN);
    s_field (&g, e->event_id, e->event_id_len);
    s_field (&g, e->source, e->source_len);
    s_field (&g, e->type, e->type_len);
    s_field (&g, e->app_id, e->app_id_len);
    unsigned char at[8];
    s_be (at, (uint64_t)e->at_us, 8);
    s_put (&g, at, 8);
    s_field (&g, e->payload, e->payload_len);
    if (e->unit && e->actor) {
        s_field (&g, e->unit, e->unit_len);
        s_field (&g, e->actor, e->actor_len);
    }
    EVP_DigestUpdate (g.ctx, g.buf, g.used);
    EVP_DigestFinal_ex (g.ctx, out, NULL);
}

void
yjc_chain_link_bytes (yjc_chain_hasher_t *self,
                      const unsigned char *link,
                      size_t len,
                      unsigned char *out)
{
    (void)self;
    SHA256_CTX c;
    SHA256_Init (&c);
    SHA256_Update (&c, link, len);
    SHA256_Final (out, &c);
}

/* ---- selftest ------------------------------------------------------------ */

//  The same bytes, laid out by hand and hashed by another implementation
//  (libsodium's): the two must agree, for both forms.
static unsigned char s_hand[8192];
static size_t s_hand_len;

static void
s_by_hand (const unsigned char *prev,
           const yjc_chain_event_t *e,
           unsigned char *out)
{
    unsigned char *buf = s_hand;
    size_t n = 0;
    memcpy (buf, prev, 32);
    n = 32;
    const char *parts[] = { e->event_id, e->source, e->type, e->app_id };
    size_t lens[] = {
        e->event_id_len, e->source_len, e->type_len, e->app_id_len
    };
    for (int i = 0; i < 4; i++) {
        s_be (buf + n, lens[i], 4);
        memcpy (buf + n + 4, parts[i], lens[i]);
        n += 4 + lens[i];
    }
    s_be (buf + n, (uint64_t)e->at_us, 8);
    n += 8;
    s_be (buf + n, e->payload_len, 4);
    memcpy (buf + n + 4, e->payload, e->payload_len);
    n += 4 + e->payload_len;
    if (e->unit) {
        s_be (buf + n, e->unit_len, 4);
        memcpy (buf + n + 4, e->unit, e->unit_len);
        n += 4 + e->unit_len;
        s_be (buf + n, e->actor_len, 4);
        memcpy (buf + n + 4, e->actor, e->actor_len);
        n += 4 + e->actor_len;
    }
    crypto_hash_sha256 (out, buf, n);
    s_hand_len = n;
}

void
yjc_chain_test (yjc_test_t *t)
{
    yjc_chain_hasher_t *h = yjc_chain_hasher_new ();
    YJC_CHECK (t, h != NULL);
    if (!h)
        return;
    unsigned char prev[32] = { 0 }, a[32], b[32], v1[32];
    yjc_chain_event_t e = { "intake:7",
                            "intake",
                            "application.submitted",
                            "A000001",
                            8,
                            6,
                            21,
                            7,
                            1735689600123456LL,
                            "\x81\xa1k\xa1v",
                            5,
                            NULL,
                            NULL,
                            0,
                            0 };
    yjc_chain_link (h, prev, &e, a);
    s_by_hand (prev, &e, b);
    YJC_CHECK (t, memcmp (a, b, 32) == 0);
    memcpy (v1, a, 32);
    //  the second form: unit and actor count, even when empty
    e.unit = "县教育局";
    e.unit_len = strlen (e.unit);
    e.actor = "";
    yjc_chain_link (h, prev, &e, a);
    s_by_hand (prev, &e, b);
    YJC_CHECK (t, memcmp (a, b, 32) == 0);
    YJC_CHECK (t, memcmp (a, v1, 32) != 0);
    //  the bytes laid out by the caller: the same link
    unsigned char laid[32];
    yjc_chain_link_bytes (h, s_hand, s_hand_len, laid);
    YJC_CHECK (t, memcmp (laid, a, 32) == 0);
    //  the chain: each link covers the one before; in place works
    unsigned char chained[32];
    memcpy (chained, prev, 32);
    yjc_chain_link (h, chained, &e, chained);
    YJC_CHECK (t, memcmp (chained, a, 32) == 0);
    yjc_chain_link (h, chained, &e, chained);
    YJC_CHECK (t, memcmp (chained, a, 32) != 0);
    //  payloads that fill the gathering buffer, cross it, or exceed it
    static char big[6000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    static const size_t sizes[] = { 1900, 1990, 2000, 2047, 2048, 2100, 6000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        e.payload = big;
        e.payload_len = sizes[i];
        yjc_chain_link (h, prev, &e, a);
        s_by_hand (prev, &e, b);
        YJC_CHECK (t, memcmp (a, b, 32) == 0);
    }
    //  any byte changed changes the hash (the actor here)
    e.actor = "x";
    e.actor_len = 1;
    yjc_chain_link (h, prev, &e, b);
    YJC_CHECK (t, memcmp (a, b, 32) != 0);
    yjc_chain_hasher_destroy (&h);
    YJC_CHECK (t, h == NULL);
}
