/*  yjc_config.c - the settings table.                                     */
#include "yjc_config.h"
#include "yjc_proto.h"
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  The billing intervals' codes (proto/yjc_lifecycle.def), for the
//  default of YJC_ENFORCED_PRICING.
#define INTERVAL(ident, code, zh) static const char s_interval_##ident[] = code;
#include "../proto/yjc_lifecycle.def"

#ifndef YJC_SHARE_DIR
#define YJC_SHARE_DIR "deploy" //  the build gives the installed share dir
#endif
#ifndef YJC_WEB_TEMPLATES_DIR //  the Makefile gives the tree's or SHARE's
#define YJC_WEB_TEMPLATES_DIR YJC_SHARE_DIR "/../services/web/templates"
#endif
#ifndef YJC_VAR_DIR
#define YJC_VAR_DIR "var" //  the build gives the embedded run's var/
#endif

typedef struct {
    const char *env;      //  environment variable
    const char *fallback; //  default for the embedded run
    const char *help;
} yjc_param_t;

static const yjc_param_t s_params[YJC_CFG_COUNT] = {
    [YJC_CFG_KEYS] = { "YJC_KEYS",
                       YJC_VAR_DIR "/keys",
                       "actor registry directory" },
    [YJC_CFG_DB] = { "YJC_DB",
                     "host=127.0.0.1 port=54329 dbname=yjcloud",
                     "libpq conninfo of this service" },
    [YJC_CFG_BIND] = { "YJC_BIND", "", "endpoint to bind (default: own)" },
//  Each service's endpoint, its default port from proto/yjc_services.def.
#define SVC(ident, name, dir, schema, port, zh)                                \
    [YJC_CFG_##ident##_EP] = { "YJC_" #ident "_ENDPOINT",                      \
                               "tcp://127.0.0.1:" #port,                       \
                               "endpoint of " dir },
#include "../proto/yjc_services.def"
#undef SVC
    [YJC_CFG_RELAY_BATCH] = { "YJC_RELAY_BATCH",
                              "256",
                              "events per delivery message" },
    [YJC_CFG_RELAY_POLL_MS] = { "YJC_RELAY_POLL_MS",
                                "250",
                                "outbox poll when idle, ms" },
    [YJC_CFG_RELAY_LINGER_MS] = { "YJC_RELAY_LINGER_MS",
                                  "10",
                                  "gather events before delivering, ms" },
    [YJC_CFG_RELAY_TIMEOUT_MS] = { "YJC_RELAY_TIMEOUT_MS",
                                   "5000",
                                   "wait for an acknowledgement, ms" },
    [YJC_CFG_WORKERS] = { "YJC_WORKERS",
                          "4",
                          "worker connections per service" },
    [YJC_CFG_BATCH_MIN] = { "YJC_BATCH_MIN",
                            "4",
                            "requests a batch waits for under load" },
    [YJC_CFG_LOG_LEVEL] = { "YJC_LOG_LEVEL",
                            "info",
                            "log level: error, warning, info or debug" },
    [YJC_CFG_NOW_FILE] = { "YJC_NOW_FILE",
                           "",
                           "file holding the time tests set (default: the "
                           "system clock)" },
    [YJC_CFG_AUTH_VERBOSE] = { "YJC_AUTH_VERBOSE",
                               "",
                               "non-empty: log every CURVE handshake" },
    [YJC_CFG_ACTOR] = { "YJC_ACTOR",
                        "",
                        "actor the CLI and vendor simulator act as (--as)" },
    [YJC_CFG_VENDOR_EP] = { "YJC_VENDOR_ENDPOINT",
                            "tcp://127.0.0.1:7106",
                            "the vendor's queue (provisioning adapter)" },
    [YJC_CFG_VENDOR_BIND] = { "YJC_VENDOR_BIND",
                              "",
                              "vendor endpoint to bind (default: as above)" },
    [YJC_CFG_TICK_MS] = { "YJC_TICK_MS",
                          "1000",
                          "periodic work (deadlines falling due), ms" },
    [YJC_CFG_EMERGENCY_PAPERWORK_DAYS] = { "YJC_EMERGENCY_PAPERWORK_DAYS",
                                           "5",
                                           "R12.3: working days to file the "
                                           "paperwork of an emergency change" },
    [YJC_CFG_CALENDAR] = { "YJC_CALENDAR",
                           YJC_SHARE_DIR "/calendar/cn-holidays.csv",
                           "national working-day calendar (CSV)" },
    [YJC_CFG_CALENDAR_LOCAL] = { "YJC_CALENDAR_LOCAL",
                                 "",
                                 "county overrides of the calendar (CSV)" },
    [YJC_CFG_MIGRATE_UPTO] = { "YJC_MIGRATE_UPTO",
                               "",
                               "apply only the migrations named up to this"
                               " (an upgrade in steps; default: all)" },
    [YJC_CFG_PRUNE_AFTER_S] = { "YJC_PRUNE_AFTER_S",
                                "2592000",
                                "seconds a delivered event stays in the"
                                " outbox and inbox (the audit trail is the"
                                " record; default 30 days)" },
    [YJC_CFG_PRUNE_EVERY_MS] = { "YJC_PRUNE_EVERY_MS",
                                 "60000",
                                 "how often the relay prunes them, ms" },
    [YJC_CFG_DB_CONNECT_TIMEOUT_S] = { "YJC_DB_CONNECT_TIMEOUT_S",
                                       "5",
                                       "give up connecting to PostgreSQL"
                                       " after this many seconds" },
    [YJC_CFG_DB_KEEPALIVE_S] = { "YJC_DB_KEEPALIVE_S",
                                 "10",
                                 "TCP keepalive of database connections:"
                                 " idle and interval, seconds (3 probes)" },
    [YJC_CFG_DB_STATEMENT_TIMEOUT_MS] = { "YJC_DB_STATEMENT_TIMEOUT_MS",
                                          "30000",
                                          "statement_timeout of every"
                                          " database session, ms"
                                          " (migrations: none)" },
    [YJC_CFG_HELD_BYTES] = { "YJC_HELD_BYTES",
                             "16777216",
                             "request bytes a service holds at once; past"
                             " it, it stops reading (ZeroMQ pushes back)" },
    [YJC_CFG_PEER_BYTES] = { "YJC_PEER_BYTES",
                             "4194304",
                             "request bytes held for one connection; past"
                             " it, its requests get unavailable" },
    [YJC_CFG_PEER_QUEUE] = { "YJC_PEER_QUEUE",
                             "8",
                             "messages ZeroMQ queues from one connection"
                             " (high-water mark; replies to it: 8 times)" },
    [YJC_CFG_MAX_CONNECTIONS] = { "YJC_MAX_CONNECTIONS",
                                  "500",
                                  "connections a service keeps open (some"
                                  " 40 KiB each); past it, new ones are"
                                  " closed at once" },
    [YJC_CFG_RECLAIM_OBJECTION_DAYS] = { "YJC_RECLAIM_OBJECTION_DAYS",
                                         "5",
                                         "R11.3: working days a unit may"
                                         " object to a reclamation (the"
                                         " regulation names none)" },
    [YJC_CFG_METERING_KEEP_MONTHS] = { "YJC_METERING_KEEP_MONTHS",
                                       "13",
                                       "R11.3: months of raw metering samples"
                                       " billing keeps (older partitions are"
                                       " dropped; daily rollups stay)" },
    [YJC_CFG_ENFORCE_DAYS] = { "YJC_ENFORCE_DAYS",
                               "1",
                               "R18: working days the vendor has to carry"
                               " out (or lift) an enforcement measure (the"
                               " regulation names none)" },
    [YJC_CFG_AUDIT_CHECKPOINT_EVERY] = { "YJC_AUDIT_CHECKPOINT_EVERY",
                                         "10000",
                                         "audit: events between two signed"
                                         " checkpoints of the chain" },
    [YJC_CFG_AUDIT_CHECKPOINT_S] = { "YJC_AUDIT_CHECKPOINT_S",
                                     "3600",
                                     "audit: seconds after which a moved"
                                     " chain head is signed anyway" },
    [YJC_CFG_AUDIT_VERIFY_STRETCH] = { "YJC_AUDIT_VERIFY_STRETCH",
                                       "200000",
                                       "audit: rows of the chain worth a"
                                       " connection and a thread of their"
                                       " own in audit.verify" },
    [YJC_CFG_ENFORCED_PRICING] = { "YJC_ENFORCED_PRICING",
                                   s_interval_PRODUCTION,
                                   "R17: the price column of an interval"
                                   " under an enforcement order: production"
                                   " (the resources stay allocated), test"
                                   " or zero" },
    [YJC_CFG_WEB_LISTEN] = { "YJC_WEB_LISTEN",
                             "127.0.0.1:8080",
                             "web console: address:port it listens on" },
    [YJC_CFG_WEB_CERT] = { "YJC_WEB_CERT",
                           "",
                           "web console: TLS certificate (PEM); none: plain"
                           " HTTP behind the county's reverse proxy" },
    [YJC_CFG_WEB_KEY] = { "YJC_WEB_KEY", "", "web console: TLS key (PEM)" },
    [YJC_CFG_WEB_IDLE_MIN] = { "YJC_WEB_IDLE_MIN",
                               "30",
                               "web console: minutes of idleness after"
                               " which a session and its key are wiped" },
    [YJC_CFG_WEB_TEMPLATES] = { "YJC_WEB_TEMPLATES",
                                YJC_WEB_TEMPLATES_DIR,
                                "web console: page templates directory" },
    [YJC_CFG_WEB_TRUSTED_PROXY] = { "YJC_WEB_TRUSTED_PROXY",
                                    "",
                                    "web console: the reverse proxy's address"
                                    " (its X-Forwarded-For names the "
                                    "person's)" },
};

const char *
yjc_config (yjc_cfg_t key)
{
    const char *value = getenv (s_params[key].env);
    return value && *value ? value : s_params[key].fallback;
}

int
yjc_config_int (yjc_cfg_t key)
{
    int n = atoi (yjc_config (key));
    return n > 0 ? n : atoi (s_params[key].fallback);
}

const char *
yjc_config_endpoint (int service)
{
    return yjc_config ((yjc_cfg_t)(YJC_CFG_INTAKE_EP + service));
}

int
yjc_config_by_env (const char *env)
{
    for (int key = 0; key < YJC_CFG_COUNT; key++)
        if (s_params[key].env && strcmp (s_params[key].env, env) == 0)
            return key;
    return -1;
}

/* ---- selftest ------------------------------------------------------------ */

//  Reads of a YJC_* variable by getenv in one source file: each name must
//  be in the table, and read through it (only this file calls getenv on
//  one).  Returns how many are not; says where when `report`.
static int
s_scan_source (const char *path, int *reads, bool report)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return 0;
    bool is_table = strstr (path, "common/yjc_config.c") != NULL;
    int bad = 0;
    char line[4096];
    for (int lineno = 1; fgets (line, sizeof line, file); lineno++)
        for (char *p = strstr (line, "getenv"); p;
             p = strstr (p + 1, "getenv")) {
            char *q = p + 6;
            while (*q == ' ' || *q == '(')
                q++;
            if (strncmp (q, "\"YJC_", 5) != 0)
                continue;
            char name[64];
            size_t n = strcspn (q + 1, "\"");
            snprintf (name, sizeof name, "%.*s", (int)n, q + 1);
            (*reads)++;
            bool known = yjc_config_by_env (name) >= 0;
            if (known && is_table)
                continue;
            bad++;
            if (report)
                fprintf (stderr,
                         "  %s:%d reads %s %s\n",
                         path,
                         lineno,
                         name,
                         known ? "outside yjc_config.c" : "not in the table");
        }
    fclose (file);
    return bad;
}

void
yjc_config_test (yjc_test_t *t)
{
    //  The table: names unique, every entry filled.
    for (int key = 0; key < YJC_CFG_COUNT; key++) {
        YJC_CHECK (t, s_params[key].env && s_params[key].fallback);
        YJC_CHECK (t,
                   s_params[key].env &&
                       yjc_config_by_env (s_params[key].env) == key);
    }
    YJC_CHECK (t, yjc_config_by_env ("YJC_NO_SUCH_SETTING") == -1);
    //  Each service's endpoint setting: its own name and default port.
    for (int svc = 0; svc < YJC_SVC_COUNT; svc++) {
        const yjc_param_t *param = &s_params[YJC_CFG_INTAKE_EP + svc];
        char env[64], fallback[64];
        snprintf (env, sizeof env, "YJC_%s_ENDPOINT", yjc_service_name (svc));
        for (char *c = env; *c; c++)
            *c = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
        snprintf (fallback,
                  sizeof fallback,
                  "tcp://127.0.0.1:%d",
                  yjc_service_port (svc));
        YJC_CHECK (t, strcmp (param->env, env) == 0);
        YJC_CHECK (t, strcmp (param->fallback, fallback) == 0);
    }
    //  Unset and empty both mean the default; numbers fall back too.
    setenv ("YJC_TICK_MS", "", 1);
    YJC_CHECK (t, yjc_config_int (YJC_CFG_TICK_MS) == 1000);
    setenv ("YJC_TICK_MS", "-5", 1);
    YJC_CHECK (t, yjc_config_int (YJC_CFG_TICK_MS) == 1000);
    setenv ("YJC_TICK_MS", "250", 1);
    YJC_CHECK (t, yjc_config_int (YJC_CFG_TICK_MS) == 250);
    unsetenv ("YJC_TICK_MS");
    YJC_CHECK (t, strcmp (yjc_config (YJC_CFG_NOW_FILE), "") == 0);

    //  The sources (the runner works from the repository's root).
    static const char *patterns[] = { "common/*.[ch]",
                                      "services/*/*.[ch]",
                                      "tests/*/*.c" };
    int files = 0, reads = 0;
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        glob_t g;
        if (glob (patterns[i], 0, NULL, &g) != 0)
            continue;
        for (size_t f = 0; f < g.gl_pathc; f++, files++)
            YJC_CHECK (t, s_scan_source (g.gl_pathv[f], &reads, true) == 0);
        globfree (&g);
    }
    printf (
        "  config: %d sources, %d reads of YJC_* by getenv\n", files, reads);
    YJC_CHECK (t, files >= 30); //  run from elsewhere it would prove nothing

    //  The scan catches both faults: a name not in the table, and a name
    //  of the table read around it.
    char path[] = "/tmp/yjc_config_test_XXXXXX";
    int fd = mkstemp (path);
    FILE *file = fd >= 0 ? fdopen (fd, "w") : NULL;
    if (file) {
        fputs ("x = getenv (\"YJC_NOT_A_SETTING\");\n"
               "y = getenv(\"YJC_KEYS\"); z = getenv (\"HOME\");\n",
               file);
        fclose (file);
    }
    int probe_reads = 0;
    YJC_CHECK (t, s_scan_source (path, &probe_reads, false) == 2);
    YJC_CHECK (t, probe_reads == 2);
    unlink (path);
}
