/*  yjc_client.c - request/reply over a CurveZMQ DEALER.                   */
#include "yjc_client.h"
#include "yjc_config.h"
#include "yjc_log.h"

struct _yjc_client_t {
    zsock_t *sock;           //  DEALER, CURVE client
    zsock_t *monitor;        //  PAIR: the DEALER's handshake events
    bool denied;             //  the server refused our key
    bool several;            //  an endpoint list: instances of one service
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
    //  A server answers a stranger's key with nothing; only the CURVE
    //  handshake tells the client it was refused (ZAP status 400).
    char monitor[64];
    snprintf (monitor, sizeof monitor, "inproc://yjc-client-%p", (void *)self);
    if (zmq_socket_monitor (zsock_resolve (self->sock),
                            monitor,
                            ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) == 0) {
        self->monitor = zsock_new (ZMQ_PAIR);
        if (self->monitor && zsock_connect (self->monitor, "%s", monitor) != 0)
            zsock_destroy (&self->monitor);
    }
    //  "tcp://a:7102,tcp://b:7102": every instance of a service; the
    //  DEALER spreads requests over those connected, and a request lost
    //  with an instance is retried by its sender with the same id.  Only
    //  over connections made (ZMQ_IMMEDIATE): else a request would queue
    //  for an instance that is down while another is up.
    self->several = strchr (endpoint, ',') != NULL;
    if (self->several) {
        zsock_set_immediate (self->sock, 1);
        zsock_set_sndtimeo (self->sock, 10000);
    }
    if (zsock_attach (self->sock, endpoint, false) != 0) {
        yjc_log (YJC_LOG_ERROR, "client: cannot connect to %s", endpoint);
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
        yjc_log (YJC_LOG_ERROR,
                 "client: no key for %s in %s",
                 name,
                 yjc_keys_dir (keys));
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
        if (self->sock)
            zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
        zsock_destroy (&self->monitor);
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

//  Reads one event of the monitor: true when it says our key was
//  refused.
static bool
s_monitor_denied (yjc_client_t *self)
{
    zframe_t *event = zframe_recv (self->monitor);
    bool denied =
        event && zframe_size (event) >= 2 &&
        (*(uint16_t *)zframe_data (event) & ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    zframe_destroy (&event);
    if (zsock_rcvmore (self->monitor)) {
        zframe_t *address = zframe_recv (self->monitor);
        zframe_destroy (&address);
    }
    return denied;
}

int
yjc_client_recv (yjc_client_t *self,
                 const char *id,
                 int timeout_ms,
                 yjc_reply_t *reply)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (!zsys_interrupted && !self->denied) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return -1;
        zmq_pollitem_t items[] = {
            { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 },
            { self->monitor ? zsock_resolve (self->monitor) : NULL,
              0,
              ZMQ_POLLIN,
              0 },
        };
        if (zmq_poll (items, self->monitor ? 2 : 1, (long)left) < 0)
            return -1; //  interrupted
        if (self->monitor && (items[1].revents & ZMQ_POLLIN)) {
            self->denied = s_monitor_denied (self);
            continue;
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
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
    return self->denied ? YJC_CLIENT_DENIED : -1;
}

bool
yjc_client_denied (yjc_client_t *self)
{
    return self->denied;
}

int
yjc_client_call (yjc_client_t *self,
                 const char *type,
                 const void *body,
                 size_t body_len,
                 int timeout_ms,
                 yjc_reply_t *reply)
{
    if (self->several) //  waiting for an instance counts in the timeout
        zsock_set_sndtimeo (self->sock, timeout_ms);
    int64_t started = zclock_mono ();
    const char *id = yjc_client_send (self, type, body, body_len);
    if (!id)
        return -1;
    timeout_ms -= (int)(zclock_mono () - started);
    char sent[YJC_MAX_ID + 1];
    snprintf (sent, sizeof sent, "%s", id);
    return yjc_client_recv (self, sent, timeout_ms, reply);
}

/* ---- selftest ------------------------------------------------------------ */

typedef struct {
    zcert_t *cert; //  the server's key pair
    int port;      //  where it listens, once started
} s_echo_args_t;

//  A tiny service: a CURVE ROUTER that answers each request first with a
//  stale reply (another id, as a late answer would be), then with its own:
//  {"type": <the request's type>} when it decodes, else the error.
static void
s_echo_server (zsock_t *pipe, void *args)
{
    s_echo_args_t *a = (s_echo_args_t *)args;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zcert_apply (a->cert, router);
    zsock_set_curve_server (router, 1);
    a->port = zsock_bind (router, "tcp://127.0.0.1:*");
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    yjc_pack_t out, body;
    yjc_pack_init (&out);
    yjc_pack_init (&body);
    while (zpoller_wait (poller, -1) == router) {
        zmsg_t *msg = zmsg_recv (router);
        zframe_t *payload = msg ? zmsg_last (msg) : NULL;
        if (!payload || zmsg_size (msg) < 2) {
            zmsg_destroy (&msg);
            continue;
        }
        zframe_t *route = zframe_dup (zmsg_first (msg));
        yjc_request_t req;
        yjc_request_init (&req);
        yjc_problems_t problems = { 0 };
        int rc = yjc_request_decode (
            &req, zframe_data (payload), zframe_size (payload), &problems);
        yjc_pack_reset (&body);
        msgpack_pack_map (&body.pk, 1);
        yjc_pk_kv_str (&body.pk, "type", req.type_wire);
        yjc_reply_encode_ok (&out, "stale-1", body.buf.data, body.buf.size);
        zsock_send (router, "fb", route, out.buf.data, out.buf.size);
        if (rc == 0)
            yjc_reply_encode_ok (&out, req.id, body.buf.data, body.buf.size);
        else
            yjc_reply_encode_error (&out, req.id, &problems);
        zsock_send (router, "fb", route, out.buf.data, out.buf.size);
        zframe_destroy (&route);
        yjc_request_release (&req);
        zmsg_destroy (&msg);
    }
    yjc_pack_release (&out);
    yjc_pack_release (&body);
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static bool
s_reply_says (const yjc_reply_t *reply, const char *type)
{
    const msgpack_object *v =
        reply->ok ? yjc_obj_get (reply->body, "type") : NULL;
    return v && v->type == MSGPACK_OBJECT_STR &&
           v->via.str.size == strlen (type) &&
           memcmp (v->via.str.ptr, type, v->via.str.size) == 0;
}

void
yjc_client_test (yjc_test_t *t)
{
    char dir[] = "/tmp/yjc_client_test_XXXXXX";
    if (!mkdtemp (dir)) {
        YJC_CHECK (t, false);
        return;
    }
    yjc_keys_t *keys = yjc_keys_new (dir);
    char err[160];
    YJC_CHECK (t,
               yjc_keys_add (
                   keys, "service-intake", "service", NULL, err, sizeof err) ==
                   0);
    YJC_CHECK (
        t, yjc_keys_add (keys, "bureau", "bureau", NULL, err, sizeof err) == 0);
    s_echo_args_t args = { yjc_keys_load_secret (keys, "service-intake"), 0 };
    zcert_t *me = yjc_keys_load_secret (keys, "bureau");
    if (!args.cert || !me) {
        YJC_CHECK (t, false);
        zcert_destroy (&args.cert);
        zcert_destroy (&me);
        yjc_keys_destroy (&keys);
        return;
    }
    zactor_t *server = zactor_new (s_echo_server, &args);
    YJC_CHECK (t, args.port > 0);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", args.port);

    //  A call gets its own reply, past the stale one sent before it.
    yjc_client_t *client =
        yjc_client_new_at (keys, YJC_SVC_INTAKE, endpoint, me);
    YJC_CHECK (t, client != NULL);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    if (client) {
        YJC_CHECK (
            t,
            yjc_client_call (client, "sys.status", NULL, 0, 5000, &reply) == 0);
        YJC_CHECK (t, s_reply_says (&reply, "sys.status"));
        YJC_CHECK (t, !streq (reply.id, "stale-1"));
        //  An error reply is a reply: 0, with the code.
        YJC_CHECK (t,
                   yjc_client_call (
                       client, "no.such.type", NULL, 0, 5000, &reply) == 0 &&
                       !reply.ok && streq (reply.code, "unknown_type"));
        //  Each request its own id; replies are matched by it, so the
        //  answer to the first is skipped while waiting for the second.
        char first[YJC_MAX_ID + 1];
        snprintf (first,
                  sizeof first,
                  "%s",
                  yjc_client_send (client, "sys.status", NULL, 0));
        const char *second = yjc_client_send (client, "sys.status", NULL, 0);
        YJC_CHECK (t, second && !streq (first, second));
        YJC_CHECK (t,
                   second &&
                       yjc_client_recv (client, second, 5000, &reply) == 0 &&
                       streq (reply.id, second));
        YJC_CHECK (t, yjc_client_recv (client, first, 200, &reply) == -1);
    }
    yjc_client_destroy (&client);
    YJC_CHECK (t, client == NULL);

    //  An endpoint list with an instance down: every call goes to the
    //  one that is up (ZMQ_IMMEDIATE), none waits for the one down.
    char several[96];
    snprintf (several, sizeof several, "tcp://127.0.0.1:1,%s", endpoint);
    client = yjc_client_new_at (keys, YJC_SVC_INTAKE, several, me);
    YJC_CHECK (t, client != NULL);
    int answered = 0;
    for (int i = 0; client && i < 4; i++)
        answered += yjc_client_call (
                        client, "sys.status", NULL, 0, 2000, &reply) == 0 &&
                    s_reply_says (&reply, "sys.status");
    YJC_CHECK (t, answered == 4);
    yjc_client_destroy (&client);

    //  CURVE is on: a client expecting another server key gets nothing.
    zcert_t *other = zcert_new ();
    client = yjc_client_new (endpoint, zcert_public_txt (other), me);
    int64_t started = zclock_mono ();
    YJC_CHECK (t,
               client && yjc_client_call (
                             client, "sys.status", NULL, 0, 300, &reply) == -1);
    YJC_CHECK (t, zclock_mono () - started >= 250); //  waited its timeout
    yjc_client_destroy (&client);
    zcert_destroy (&other);
    //  A service without a key in the registry: no client.
    YJC_CHECK (t,
               yjc_client_new_at (keys, YJC_SVC_AUDIT, endpoint, me) == NULL);

    //  A server with ZAP (as every service has) refuses a key it does not
    //  know: the client learns so from the handshake, at once, instead
    //  of waiting out its timeout.
    zactor_t *auth = zactor_new (zauth, NULL);
    char allowed[sizeof dir + 16];
    snprintf (allowed, sizeof allowed, "%s/public", dir);
    zstr_sendx (auth, "CURVE", allowed, NULL);
    zsock_wait (auth);
    zsock_t *guarded = zsock_new (ZMQ_ROUTER);
    zsock_set_zap_domain (guarded, "yjcloud");
    zsock_set_rcvtimeo (guarded, 5000);
    zcert_apply (args.cert, guarded);
    zsock_set_curve_server (guarded, 1);
    int port = zsock_bind (guarded, "tcp://127.0.0.1:*");
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    zcert_t *stranger = zcert_new ();
    client = yjc_client_new (endpoint, zcert_public_txt (args.cert), stranger);
    started = zclock_mono ();
    YJC_CHECK (t,
               client && yjc_client_call (
                             client, "sys.status", NULL, 0, 5000, &reply) ==
                             YJC_CLIENT_DENIED);
    YJC_CHECK (t, zclock_mono () - started < 4000);
    YJC_CHECK (t, client && yjc_client_denied (client));
    yjc_client_destroy (&client);
    //  a registered key passes the same server's handshake
    client = yjc_client_new (endpoint, zcert_public_txt (args.cert), me);
    yjc_client_send (client, "sys.status", NULL, 0);
    zmsg_t *got = zmsg_recv (guarded); //  its request arrives
    YJC_CHECK (t, got && zmsg_size (got) == 2);
    YJC_CHECK (t, !yjc_client_denied (client));
    zmsg_destroy (&got);
    yjc_client_destroy (&client);
    zcert_destroy (&stranger);
    zsock_destroy (&guarded);
    zactor_destroy (&auth);

    yjc_reply_release (&reply);
    zactor_destroy (&server);
    zcert_destroy (&args.cert);
    zcert_destroy (&me);
    yjc_keys_destroy (&keys);
    zdir_t *tree = zdir_new (dir, NULL);
    zdir_remove (tree, true);
    zdir_destroy (&tree);
}
