/*  record.c - the console as a bus service (issue 16): its own schema
    (services/web/sql), outbox and relay, so that every sign-in, failure,
    throttled attempt, sign-out and idle end is an audit event, written
    in one transaction with its row of web.signins (transactional outbox,
    as every service writes its events).

    The pages run in libmicrohttpd's thread; they record through a
    web.record request to this same process's bus side, signed with the
    console's service key (service-web).  That key is the relay's client
    key too.  It cannot act for any person: role `service` may send only
    sys.status (any role), event.deliver and web.record (proto/
    yjc_messages.def); a receiver accepts from service-web only events
    whose source is `web` and whose producer in proto/yjc_events.def is
    WEB (yjc_work.c s_check_sender), i.e. web.* events; and web.record is
    answered only by the console and only for service-web (below).  The
    persons' keys stay in their sessions (session.h).                   */
#include "record.h"
#include "pages.h"
#include "yjc_client.h"
#include "yjc_log.h"
#include "yjc_outbox.h"
#include "yjc_pack.h"

#define RECORD_TIMEOUT_MS 10000 //  under load too; then refused

/* ---- the bus side: web.record -------------------------------------------- */

static yjc_result_t
s_record (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char self_name[33], type[65], account[33], address[65];
    yjc_keys_service_actor (YJC_SVC_WEB, self_name);
    if (!streq (ctx->actor->name, self_name))
        return yjc_ctx_fail (
            ctx, YJC_E_FORBIDDEN, "", "only the console records sign-ins");
    yjc_obj_strcpy (body, "event", type, sizeof type);
    yjc_obj_strcpy (body, "account", account, sizeof account);
    yjc_obj_strcpy (body, "address", address, sizeof address);
    int ev = yjc_event_by_wire (type, strlen (type));
    if (ev < 0 || yjc_event_defs[ev].producer != YJC_SVC_WEB)
        return yjc_ctx_fail (
            ctx, YJC_E_INVALID_VALUE, "body.event", "not a web.* event");
    const char *params[] = { type, account, address, ctx->now_iso };
    if (yjc_db_exec (ctx->db,
                     "INSERT INTO signins (type, account, address, at)"
                     " VALUES ($1, $2, $3, $4)",
                     4,
                     params) < 0)
        return YJC_DB_ERROR;
    yjc_pack_t ev_body;
    yjc_pack_init (&ev_body);
    msgpack_pack_map (&ev_body.pk, 2);
    yjc_pk_kv_str (&ev_body.pk, "account", account);
    yjc_pk_kv_str (&ev_body.pk, "address", address);
    //  The event's actor is the person (or the name tried), not the
    //  console's key: the audit trail names who signed in.
    int rc = yjc_outbox_add (
        ctx->outbox, ev, NULL, account, ev_body.buf.data, ev_body.buf.size);
    yjc_pack_release (&ev_body);
    if (rc != 0)
        return YJC_DB_ERROR;
    ctx->emitted++;
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_kv_str (ctx->reply, "type", type);
    return YJC_OK;
}

extern const yjc_migration_t yjc_web_migrations[];

const yjc_service_def_t web_service = {
    .service = YJC_SVC_WEB,
    .migrations = yjc_web_migrations,
    .handlers = { [YJC_MSG_WEB_RECORD] = s_record },
};

/* ---- the pages' side ----------------------------------------------------- */

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static yjc_client_t *s_client;
static zcert_t *s_cert;

//  A name or address as it may travel: names are [a-z0-9_-] when valid,
//  an address hex, dots and colons; anything else is dropped.
static void
s_clean (char *out, size_t size, const char *in, bool addr)
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p && n + 1 < size; p++)
        if (addr ? (isxdigit ((unsigned char)*p) || *p == '.' || *p == ':')
                 : (isalnum ((unsigned char)*p) || *p == '-' || *p == '_'))
            out[n++] = *p;
    out[n] = 0;
}

int
web_record (const char *what, const char *actor, const char *addr)
{
    char account[33], address[65];
    s_clean (account, sizeof account, actor, false);
    s_clean (address, sizeof address, addr, true);
    if (!*account)
        snprintf (account, sizeof account, "-");
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 3);
    yjc_pk_kv_str (&body.pk, "event", what);
    yjc_pk_kv_str (&body.pk, "account", account);
    yjc_pk_kv_str (&body.pk, "address", address);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int rc = -1;
    pthread_mutex_lock (&s_lock);
    if (!s_cert) {
        char self_name[33];
        yjc_keys_service_actor (YJC_SVC_WEB, self_name);
        s_cert = yjc_keys_load_secret (web.keys, self_name);
    }
    if (s_cert && !s_client)
        s_client = yjc_client_new_service (web.keys, YJC_SVC_WEB, s_cert);
    //  A refusal (internal, unavailable) committed nothing: one more try
    //  on a new transaction before the sign-in is refused.
    for (int attempt = 0; s_client && rc != 0 && attempt < 2; attempt++) {
        yjc_reply_release (&reply);
        yjc_reply_init (&reply);
        int got = yjc_client_call (s_client,
                                   "web.record",
                                   body.buf.data,
                                   body.buf.size,
                                   RECORD_TIMEOUT_MS,
                                   &reply);
        rc = got == 0 && reply.ok ? 0 : -1;
        if (got != 0) { //  a fresh socket drops what a silent peer owes
            yjc_client_destroy (&s_client);
            break;
        }
    }
    pthread_mutex_unlock (&s_lock);
    if (rc == 0)
        yjc_log (YJC_LOG_INFO, "%s %s from %s", what, account, address);
    else
        yjc_log (YJC_LOG_ERROR,
                 "%s %s from %s NOT RECORDED: %s",
                 what,
                 account,
                 address,
                 s_cert ? (*reply.code ? reply.code : "no reply")
                        : "no service-web key");
    yjc_reply_release (&reply);
    yjc_pack_release (&body);
    return rc;
}

int
web_key_actor (const char *public_txt, yjc_actor_t *out)
{
    pthread_mutex_lock (&s_lock);
    int rc = yjc_keys_lookup (web.keys, public_txt, out);
    pthread_mutex_unlock (&s_lock);
    return rc;
}

bool
web_key_live (const char *public_txt)
{
    yjc_actor_t actor;
    return web_key_actor (public_txt, &actor) == 0;
}

void
web_record_shutdown (void)
{
    pthread_mutex_lock (&s_lock);
    yjc_client_destroy (&s_client);
    zcert_destroy (&s_cert);
    pthread_mutex_unlock (&s_lock);
}
