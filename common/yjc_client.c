/*  yjc_client.c - request/reply over a CurveZMQ DEALER.                   */
#include "yjc_client.h"
#include "yjc_config.h"

struct _yjc_client_t {
    zsock_t *sock;           //  DEALER, CURVE client
    yjc_pack_t out;          //  encoding buffer
    char id[YJC_MAX_ID + 1]; //  id of the last request sent
    char prefix[24];         //  per-client id prefix: ids stay unique
    uint64_t sequence;
};

yjc_client_t *
yjc_client_new (const char *endpoint,
                const char *server_public_txt,
                zcert_t *cert)
{
    yjc_client_t *self = (yjc_client_t *)zmalloc (sizeof (yjc_client_t));
    self->sock = zsock_new (ZMQ_DEALER);
    zsock_set_linger (self->sock, 0);
    zsock_set_rcvhwm (self->sock, 100000);
    zsock_set_sndhwm (self->sock, 100000);
    zcert_apply (cert, self->sock);
    zsock_set_curve_serverkey (self->sock, server_public_txt);
    if (zsock_connect (self->sock, "%s", endpoint) != 0) {
        zsys_error ("client: cannot connect to %s", endpoint);
        zsock_destroy (&self->sock);
        free (self);
        return NULL;
    }
    yjc_pack_init (&self->out);
    snprintf (self->prefix,
              sizeof self->prefix,
              "%08x%04x",
              (unsigned)randof (0x7fffffff),
              (unsigned)(getpid () & 0xffff));
    return self;
}

yjc_client_t *
yjc_client_new_service (yjc_keys_t *keys, int service, zcert_t *cert)
{
    return yjc_client_new_at (
        keys, service, yjc_config_endpoint (service), cert);
}

yjc_client_t *
yjc_client_new_at (yjc_keys_t *keys,
                   int service,
                   const char *endpoint,
                   zcert_t *cert)
{
    char name[33];
    yjc_keys_service_actor (service, name);
    zcert_t *server = yjc_keys_load_public (keys, name);
    if (!server) {
        zsys_error ("client: no key for %s in %s", name, yjc_keys_dir (keys));
        return NULL;
    }
    yjc_client_t *self =
        yjc_client_new (endpoint, zcert_public_txt (server), cert);
    zcert_destroy (&server);
    return self;
}

void
yjc_client_destroy (yjc_client_t **self_p)
{
    if (*self_p) {
        yjc_client_t *self = *self_p;
        zsock_destroy (&self->sock);
        yjc_pack_release (&self->out);
        free (self);
        *self_p = NULL;
    }
}

const char *
yjc_client_send (yjc_client_t *self,
                 const char *type,
                 const void *body,
                 size_t body_len)
{
    snprintf (self->id,
              sizeof self->id,
              "%s-%llu",
              self->prefix,
              (unsigned long long)++self->sequence);
    yjc_request_encode (&self->out, self->id, type, body, body_len);
    zframe_t *frame = zframe_new (self->out.buf.data, self->out.buf.size);
    if (zframe_send (&frame, self->sock, 0) != 0) {
        zframe_destroy (&frame);
        return NULL;
    }
    return self->id;
}

int
yjc_client_recv (yjc_client_t *self,
                 const char *id,
                 int timeout_ms,
                 yjc_reply_t *reply)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (!zsys_interrupted) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return -1;
        zsock_set_rcvtimeo (self->sock, (int)left);
        zframe_t *frame = zframe_recv (self->sock);
        if (!frame)
            return -1;
        yjc_reply_release (reply);
        yjc_reply_init (reply);
        int rc =
            yjc_reply_decode (reply, zframe_data (frame), zframe_size (frame));
        zframe_destroy (&frame);
        if (rc == 0 && strcmp (reply->id, id) == 0)
            return 0;
        //  A late reply to a request we gave up on: skip it.
    }
    return -1;
}

int
yjc_client_call (yjc_client_t *self,
                 const char *type,
                 const void *body,
                 size_t body_len,
                 int timeout_ms,
                 yjc_reply_t *reply)
{
    const char *id = yjc_client_send (self, type, body, body_len);
    if (!id)
        return -1;
    char sent[YJC_MAX_ID + 1];
    snprintf (sent, sizeof sent, "%s", id);
    return yjc_client_recv (self, sent, timeout_ms, reply);
}
