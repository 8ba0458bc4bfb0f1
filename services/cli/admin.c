/*  admin.c - running the platform: the services' status, their keys,
    and the actors (who may sign requests, in which role).             */
#include "admin.h"
#include "table.h"
#include "yjc_config.h"
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

//  The roles of actors, as a clerk names them.
static const char *s_roles_zh[YJC_ROLE_COUNT] = {
    [YJC_ROLE_UNIT] = "使用单位", [YJC_ROLE_BUREAU] = "主管部门",
    [YJC_ROLE_VENDOR] = "供应商", [YJC_ROLE_AUDITOR] = "审计",
    [YJC_ROLE_ADMIN] = "运维",    [YJC_ROLE_SERVICE] = "服务",
};

static const char *
s_role_zh (const char *name)
{
    int role = yjc_role_by_name (name);
    return role >= 0 ? s_roles_zh[role] : name;
}

//  Waits up to `ms` for fd to be ready for `events`.
static bool
s_wait_fd (int fd, short events, int ms)
{
    struct pollfd p = { .fd = fd, .events = events };
    return poll (&p, 1, ms) == 1 && (p.revents & events);
}

//  The web console (issue 16) answers HTTP at YJC_WEB_LISTEN: asked for
//  its style sheet, it must say 200 within `ms`.  It is not a bus service:
//  it has no sys.status, and holds no key of its own to be asked with.
static bool
s_web_up (const char *listen, int ms)
{
    char host[256];
    const char *colon = strrchr (listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return false;
    snprintf (host, sizeof host, "%.*s", (int)(colon - listen), listen);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    if (getaddrinfo (host, colon + 1, &hints, &ai) != 0)
        return false;
    int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    bool ok = fd >= 0;
    if (ok && connect (fd, ai->ai_addr, ai->ai_addrlen) != 0)
        ok = errno == EINPROGRESS && s_wait_fd (fd, POLLOUT, ms);
    int err = 0;
    socklen_t len = sizeof err;
    ok = ok && getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && !err;
    static const char ask[] = "GET /static/style.css HTTP/1.0\r\n\r\n";
    ok = ok && send (fd, ask, sizeof ask - 1, MSG_NOSIGNAL) ==
                   (ssize_t)(sizeof ask - 1);
    char line[16] = "";
    ssize_t got = ok && s_wait_fd (fd, POLLIN, ms)
                      ? recv (fd, line, sizeof line - 1, 0)
                      : -1;
    ok = got >= 12 && strncmp (line, "HTTP/1.", 7) == 0 &&
         strncmp (line + 8, " 200", 4) == 0;
    if (fd >= 0)
        close (fd);
    freeaddrinfo (ai);
    return ok;
}

//  status: each service asked sys.status; exit 1 when one is down.  The
//  web console is one of them (its bus side); whether its pages answer
//  at YJC_WEB_LISTEN is said under the table, with the address.
int
admin_cmd_status (cli_opts_t *opts)
{
    int down = 0;
    cli_table_t *table = cli_table_new (5, 0);
    cli_table_row (table, "服务", "状态", "版本", "数据库", "待投递事件");
    if (opts->json)
        printf ("{\"services\": [");
    for (int s = 0; s < YJC_SVC_COUNT; s++) {
        cli_session_t session;
        int saved = opts->timeout_ms;
        opts->timeout_ms = 2000;
        bool ok = cli_session_open (&session, opts, s) == 0 &&
                  yjc_client_call (session.client,
                                   "sys.status",
                                   NULL,
                                   0,
                                   opts->timeout_ms,
                                   &session.reply) == 0 &&
                  session.reply.ok;
        opts->timeout_ms = saved;
        const msgpack_object *b = ok ? session.reply.body : NULL;
        char version[32] = "-";
        int64_t backlog = -1;
        bool db = false;
        if (b) {
            yjc_obj_strcpy (b, "version", version, sizeof version);
            yjc_obj_int (b, "outbox_backlog", &backlog);
            const msgpack_object *d = yjc_obj_get (b, "db");
            db = d && d->type == MSGPACK_OBJECT_BOOLEAN && d->via.boolean;
        }
        down += !ok;
        if (opts->json)
            printf ("%s{\"service\": \"%s\", \"up\": %s, \"version\": \"%s\", "
                    "\"db\": %s, \"outbox_backlog\": %lld, \"endpoint\": "
                    "\"%s\"}",
                    s ? ", " : "",
                    yjc_service_name (s),
                    ok ? "true" : "false",
                    version,
                    db ? "true" : "false",
                    (long long)backlog,
                    yjc_config_endpoint (s));
        else {
            char count[24] = "-";
            if (backlog >= 0)
                snprintf (count, sizeof count, "%lld", (long long)backlog);
            cli_table_row (table,
                           cli_service_zh (yjc_service_name (s)),
                           ok ? "运行" : "停止",
                           version,
                           ok ? (db ? "可连接" : "不可连接") : "-",
                           count);
        }
        cli_session_close (&session);
    }
    const char *listen = yjc_config (YJC_CFG_WEB_LISTEN);
    bool web = s_web_up (listen, 1000);
    if (opts->json)
        printf ("], \"web\": {\"up\": %s, \"listen\": \"%s\"}}\n",
                web ? "true" : "false",
                listen);
    else {
        cli_table_print (table, stdout);
        printf (
            "网页地址 http://%s/ %s\n", listen, web ? "可以访问" : "无应答");
    }
    cli_table_destroy (&table);
    return down ? 1 : 0;
}

//  keys init: each service's own key pair, made where missing.
int
admin_cmd_keys_init (cli_opts_t *opts)
{
    (void)opts;
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    int rc = 0;
    for (int s = 0; s < YJC_SVC_COUNT && rc == 0; s++) {
        char name[33], err[160];
        yjc_keys_service_actor (s, name);
        zcert_t *cert = yjc_keys_load_public (keys, name);
        if (cert)
            zcert_destroy (&cert);
        else if (yjc_keys_add (keys, name, "service", NULL, err, sizeof err) !=
                 0) {
            fprintf (stderr, "%s\n", err);
            rc = 1;
        }
    }
    if (rc == 0 && opts->json)
        printf ("{\"keys\": \"%s\"}\n", yjc_keys_dir (keys));
    else if (rc == 0)
        printf ("服务密钥已就绪：%s\n", yjc_keys_dir (keys));
    yjc_keys_destroy (&keys);
    return rc;
}

//  actor add NAME --role ROLE [--unit UNIT]: an actor and its key pair.
int
admin_cmd_actor_add (cli_opts_t *opts)
{
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char err[160];
    int rc = yjc_keys_add (keys,
                           opts->args[0],
                           opts->role ? opts->role : "",
                           opts->unit,
                           err,
                           sizeof err);
    if (rc != 0)
        fprintf (stderr, "无法创建身份：%s\n", err);
    else if (opts->json)
        printf ("{\"name\": \"%s\", \"role\": \"%s\", \"keys\": \"%s\"}\n",
                opts->args[0],
                opts->role,
                yjc_keys_dir (keys));
    else
        printf (
            "已创建身份 %s（角色 %s%s%s），密钥在 %s/secret/%s.cert_secret\n",
            opts->args[0],
            s_role_zh (opts->role),
            opts->unit ? "，单位 " : "",
            opts->unit ? opts->unit : "",
            yjc_keys_dir (keys),
            opts->args[0]);
    yjc_keys_destroy (&keys);
    return rc ? 1 : 0;
}

//  actor list: every public key with its name, role and unit.
int
admin_cmd_actor_list (cli_opts_t *opts)
{
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    zdir_t *dir = zdir_new (yjc_keys_public_dir (keys), NULL);
    zlist_t *files = dir ? zdir_list (dir) : zlist_new ();
    if (opts->json)
        printf ("{\"actors\": [");
    cli_table_t *table = cli_table_new (3, 0);
    cli_table_row (table, "身份", "角色", "单位");
    int n = 0;
    for (zfile_t *f = (zfile_t *)zlist_first (files); f;
         f = (zfile_t *)zlist_next (files)) {
        zcert_t *cert = zcert_load (zfile_filename (f, NULL));
        const char *name = cert ? zcert_meta (cert, "name") : NULL;
        if (name) {
            const char *role = zcert_meta (cert, "role");
            const char *unit = zcert_meta (cert, "unit");
            if (opts->json)
                printf ("%s{\"name\": \"%s\", \"role\": \"%s\", \"unit\": "
                        "\"%s\"}",
                        n ? ", " : "",
                        name,
                        role ? role : "",
                        unit ? unit : "");
            else
                cli_table_row (table,
                               name,
                               role ? s_role_zh (role) : "",
                               unit ? unit : "");
            n++;
        }
        zcert_destroy (&cert);
    }
    if (opts->json)
        printf ("]}\n");
    else
        cli_table_print (table, stdout);
    cli_table_destroy (&table);
    zlist_destroy (&files);
    zdir_destroy (&dir);
    yjc_keys_destroy (&keys);
    return 0;
}
