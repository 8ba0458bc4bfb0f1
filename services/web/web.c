/*  yjc-web: the web console (issue 16).  Server-rendered pages over
    libmicrohttpd; each signed-in person acts with their own actor key,
    unsealed at sign-in (yjc_webacct.h) and held only in their session
    (session.h), so the services authorize the console exactly as they
    do the CLI.  Its own service key only records sign-ins (record.c). */
#include "page.h"
#include "record.h"
#include "session.h"
#include "yjc_config.h"
#include "yjc_log.h"
#include "yjc_webacct.h"
#include <arpa/inet.h>
#include <signal.h>
#include <sodium.h>

#define MAX_BODY    (64 * 1024) //  a plain form post (and a multipart's text)
#define WEB_THREADS 16          //  page threads (MHD thread pool)
//  A multipart post with materials: one file of each kind at most, each
//  within attachment.put's bound (R8, page_upload_max), plus the form.
#define MAX_UPLOAD ((int64_t)YJC_MAT_COUNT * page_upload_max () + MAX_BODY)

web_t web;

//  One request's state across libmicrohttpd's calls.
typedef struct {
    zhash_t *form; //  POSTed fields
    struct MHD_PostProcessor *pp;
    int64_t size;  //  of the body so far
    int64_t limit; //  MAX_BODY, or MAX_UPLOAD where files are taken
    size_t text;   //  bytes of text fields so far
    bool too_big;
} s_conn_t;

//  A file part's bytes to its temp file (binary-safe): a part's first
//  call (off 0) starts the file, later ones append.
static enum MHD_Result
s_post_file (s_conn_t *c,
             const char *key,
             const char *filename,
             const char *data,
             uint64_t off,
             size_t size)
{
    char fkey[160];
    snprintf (fkey, sizeof fkey, "%s%s", PAGE_FILE_KEY, key);
    page_upload_t *up = (page_upload_t *)zhash_lookup (c->form, fkey);
    if (!up || off == 0) {
        up = (page_upload_t *)zmalloc (sizeof *up);
        const char *slash = strrchr (filename, '/');
        const char *bslash = strrchr (filename, '\\');
        const char *base = slash ? slash + 1 : filename;
        if (bslash && bslash + 1 > base)
            base = bslash + 1;
        snprintf (up->name, sizeof up->name, "%s", base);
        zhash_update (c->form, fkey, up);
        zhash_freefn (c->form, fkey, page_upload_free);
    }
    if (size && !page_upload_write (up, data, size))
        c->too_big = true;
    return MHD_YES;
}

static enum MHD_Result
s_post_field (void *cls,
              enum MHD_ValueKind kind,
              const char *key,
              const char *filename,
              const char *content_type,
              const char *encoding,
              const char *data,
              uint64_t off,
              size_t size)
{
    (void)kind, (void)content_type, (void)encoding;
    s_conn_t *c = (s_conn_t *)cls;
    if (filename && c->limit > MAX_BODY)
        return s_post_file (c, key, filename, data, off, size);
    if (filename || strncmp (key, PAGE_FILE_KEY, strlen (PAGE_FILE_KEY)) == 0)
        return MHD_YES; //  no files here
    c->text += size;
    if (c->text > MAX_BODY) {
        c->too_big = true;
        return MHD_YES;
    }
    const char *had = (const char *)zhash_lookup (c->form, key);
    if (off == 0 && had) {
        //  a repeated field (checkboxes of one list): the values joined
        //  by US (0x1f), split again by the page
        char *joined = zsys_sprintf ("%s\x1f%.*s", had, (int)size, data);
        zhash_update (c->form, key, joined);
        zhash_freefn (c->form, key, free);
    }
    else if (off > 0 && had) {
        char *joined = zsys_sprintf ("%s%.*s", had, (int)size, data);
        zhash_update (c->form, key, joined);
        zhash_freefn (c->form, key, free);
    }
    else {
        char *value = zsys_sprintf ("%.*s", (int)size, data);
        zhash_update (c->form, key, value);
        zhash_freefn (c->form, key, free);
    }
    return MHD_YES;
}

static void
s_completed (void *cls,
             struct MHD_Connection *connection,
             void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)connection, (void)toe;
    s_conn_t *c = (s_conn_t *)*con_cls;
    if (c) {
        if (c->pp)
            MHD_destroy_post_processor (c->pp);
        zhash_destroy (&c->form);
        free (c);
        *con_cls = NULL;
    }
}

static enum MHD_Result
s_access (void *cls,
          struct MHD_Connection *connection,
          const char *url,
          const char *method,
          const char *version,
          const char *upload_data,
          size_t *upload_data_size,
          void **con_cls)
{
    (void)cls, (void)version;
    s_conn_t *c = (s_conn_t *)*con_cls;
    bool post = strcmp (method, "POST") == 0;
    if (!c) {
        c = (s_conn_t *)zmalloc (sizeof *c);
        c->form = zhash_new ();
        c->limit = MAX_BODY;
        const char *type = MHD_lookup_connection_value (
            connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (post && type &&
            strncasecmp (type, "multipart/form-data", 19) == 0 &&
            unit_upload_url (url))
            c->limit = MAX_UPLOAD;
        if (post)
            c->pp =
                MHD_create_post_processor (connection, 8192, s_post_field, c);
        *con_cls = c;
        return MHD_YES;
    }
    if (post && *upload_data_size) {
        c->size += (int64_t)*upload_data_size;
        if (c->size > c->limit || c->too_big)
            c->too_big = true;
        else if (c->pp)
            MHD_post_process (c->pp, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->too_big)
        return pages_error (
            connection, MHD_HTTP_CONTENT_TOO_LARGE, "提交的内容过大");
    if (post && !c->pp)
        return pages_error (connection, MHD_HTTP_BAD_REQUEST, "只接受表单提交");
    if (!post && strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
        return pages_error (
            connection, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持的请求方式");
    page_uploads_finish (c->form);
    return pages_route (connection, url, post, c->form);
}

static char *
s_read_file (const char *path)
{
    zfile_t *file = zfile_new (NULL, path);
    char *text = NULL;
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, zfile_cursize (file), 0);
        text = chunk ? zchunk_strdup (chunk) : NULL;
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    return text;
}

//  "127.0.0.1:8080" (or "[::1]:8080") into a socket address.
static int
s_parse_listen (const char *listen, struct sockaddr_storage *sa)
{
    memset (sa, 0, sizeof *sa);
    const char *colon = strrchr (listen, ':');
    if (!colon)
        return -1;
    int port = atoi (colon + 1);
    char host[64];
    snprintf (host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (port < 0 || port > 65535)
        return -1;
    struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
    size_t hl = strlen (host);
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = 0;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons ((uint16_t)port);
        return inet_pton (AF_INET6, host + 1, &v6->sin6_addr) == 1 ? 0 : -1;
    }
    v4->sin_family = AF_INET;
    v4->sin_port = htons ((uint16_t)port);
    return inet_pton (AF_INET, host, &v4->sin_addr) == 1 ? 0 : -1;
}

static volatile bool s_stop;

static void *
s_sweep (void *arg)
{
    (void)arg;
    while (!s_stop && !zsys_interrupted) {
        zclock_sleep (500);
        sessions_sweep (pages_session_closed);
    }
    return NULL;
}

int
main (int argc, char **argv)
{
    if (argc > 1 && (strcmp (argv[1], "--version") == 0 ||
                     strcmp (argv[1], "--health") == 0))
        return yjc_server_main (&web_service, argc, argv);
    zsys_init ();
    zsys_set_logident ("yjc-web");
    if (sodium_init () < 0)
        return 1;
    web.keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    web.templates = yjc_config (YJC_CFG_WEB_TEMPLATES);
    int idle_min = yjc_config_int (YJC_CFG_WEB_IDLE_MIN);
    sessions_init ((int64_t)(idle_min > 0 ? idle_min : 30) * 60 * 1000);
    const char *listen = yjc_config (YJC_CFG_WEB_LISTEN);
    struct sockaddr_storage sa;
    if (s_parse_listen (listen, &sa) != 0) {
        yjc_log (YJC_LOG_ERROR, "YJC_WEB_LISTEN %s: not address:port", listen);
        return 1;
    }
    char *cert = NULL, *key = NULL;
    if (*yjc_config (YJC_CFG_WEB_CERT)) {
        cert = s_read_file (yjc_config (YJC_CFG_WEB_CERT));
        key = s_read_file (yjc_config (YJC_CFG_WEB_KEY));
        if (!cert || !key) {
            yjc_log (YJC_LOG_ERROR, "cannot read YJC_WEB_CERT / YJC_WEB_KEY");
            return 1;
        }
        web.tls = true;
    }
    //  Page threads: a page waits on its bus calls (services on other
    //  processes), so one thread would queue every person behind the
    //  slowest page; the session table, the registry (record.c) and the
    //  sign-in (pages.c) are locked, the rest is per request.
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (web.tls ? MHD_USE_TLS : 0);
    //  the certificate and key only under TLS (MHD refuses them otherwise)
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_CERT, 0, cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, key },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_Daemon *daemon = MHD_start_daemon (flags,
                                                  0,
                                                  NULL,
                                                  NULL,
                                                  s_access,
                                                  NULL,
                                                  MHD_OPTION_SOCK_ADDR,
                                                  &sa,
                                                  MHD_OPTION_NOTIFY_COMPLETED,
                                                  s_completed,
                                                  NULL,
                                                  MHD_OPTION_THREAD_POOL_SIZE,
                                                  (unsigned)WEB_THREADS,
                                                  MHD_OPTION_CONNECTION_TIMEOUT,
                                                  30u,
                                                  MHD_OPTION_ARRAY,
                                                  web.tls ? tls : tls + 2,
                                                  MHD_OPTION_END);
    if (!daemon) {
        yjc_log (YJC_LOG_ERROR, "cannot listen on %s", listen);
        return 1;
    }
    yjc_log (YJC_LOG_INFO,
             "console at %s://%s/",
             web.tls ? "https" : "http",
             listen);
    //  The bus side (schema, outbox, relay, web.record, sys.status) runs
    //  here until SIGTERM; idle sessions are swept beside it.
    pthread_t sweeper;
    pthread_create (&sweeper, NULL, s_sweep, NULL);
    int rc = yjc_server_main (&web_service, argc, argv);
    s_stop = true;
    pthread_join (sweeper, NULL);
    MHD_stop_daemon (daemon);
    web_record_shutdown ();
    sessions_shutdown (); //  every key still held is wiped
    yjc_keys_destroy (&web.keys);
    free (cert);
    if (key)
        sodium_memzero (key, strlen (key));
    free (key);
    return rc;
}
