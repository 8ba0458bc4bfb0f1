/*  yjc-bench - concurrent end-to-end submissions against a running
    platform.  Each client is its own CurveZMQ connection with one request
    in flight (a clerk does not pipeline); the run prints throughput and
    reply latency percentiles.  tests/bench/run.sh wraps it with the audit
    catch-up time, peak RSS and a raw PostgreSQL baseline.

    --scale-query: the queries of `make bench-scale` (scale.sh).

    --metering: the vendor's metering.report instead (R11.3, R17), each
    client sending batches of --batch samples of its own application
    (B0001, B0002 ... : run.sh opens their allocation intervals), rows
    never repeated, and prints samples/s.                                */
#include "yjc_chain.h"
#include "yjc_client.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_json.h"
#include "yjc_time.h"
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct {
    int index;      //  the client's number, from 0
    int batch;      //  --metering: samples per batch (0: submissions)
    int64_t base;   //  --metering: time of the first samples
    size_t samples; //  --metering: samples stored
    const char *actor;
    const yjc_pack_t *body; //  application.submit body, shared read-only
    const char *decide;     //  --decide: the review message, else NULL
    int64_t stop_at;        //  zclock_usecs() deadline
    int64_t *latencies;     //  microseconds, one per reply
    size_t count, cap;
    int errors;
    int batch_clients; //  --decide: how many clients take turns
} s_worker_t;

//  One metering.report of the client's `b`-th batch: 100 hosts of its
//  application, one sample every 5 minutes each, every row new.
static void
s_metering_batch (const s_worker_t *w, int b, yjc_pack_t *body)
{
    char app[16], res[48], iso[40];
    snprintf (app, sizeof app, "B%04d", w->index + 1);
    yjc_pack_reset (body);
    msgpack_pack_map (&body->pk, 1);
    yjc_pk_str (&body->pk, "samples");
    msgpack_pack_array (&body->pk, (uint32_t)w->batch);
    for (int i = 0; i < w->batch; i++) {
        snprintf (res, sizeof res, "c%d-b%d-h%d", w->index, b, i % 100);
        yjc_time_format_iso (w->base + (int64_t)(i / 100) * 300 * 1000000, iso);
        msgpack_pack_map (&body->pk, 8);
        yjc_pk_kv_str (&body->pk, "app_id", app);
        yjc_pk_kv_str (&body->pk, "resource", res);
        yjc_pk_kv_str (&body->pk, "at", iso);
        yjc_pk_kv_int (&body->pk, "cpu_pct", (i * 7 + b) % 101);
        yjc_pk_kv_int (&body->pk, "mem_pct", (i * 3 + b) % 101);
        yjc_pk_kv_int (&body->pk, "disk_gb", 40 + i % 500);
        yjc_pk_kv_int (&body->pk, "bw_in_mbps", i % 100);
        yjc_pk_kv_int (&body->pk, "bw_out_mbps", (i + b) % 100);
    }
}

//  One client's connection to a service, as an actor of the registry.
typedef struct {
    yjc_keys_t *keys;
    zcert_t *cert;
    yjc_client_t *client; //  NULL: the actor or the service is missing
    yjc_reply_t reply;
} s_session_t;

static void
s_session_open (s_session_t *self, const char *actor, int service)
{
    self->keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    self->cert = yjc_keys_load_secret (self->keys, actor);
    self->client =
        self->cert ? yjc_client_new_service (self->keys, service, self->cert)
                   : NULL;
    yjc_reply_init (&self->reply);
}

static void
s_session_close (s_session_t *self)
{
    yjc_reply_release (&self->reply);
    yjc_client_destroy (&self->client);
    zcert_destroy (&self->cert);
    yjc_keys_destroy (&self->keys);
}

static void *
s_work_metering (s_worker_t *w)
{
    s_session_t session;
    s_session_open (&session, w->actor, YJC_SVC_BILLING);
    yjc_client_t *client = session.client;
    yjc_pack_t body;
    yjc_pack_init (&body);
    for (int b = 0; client && zclock_usecs () < w->stop_at && w->count < w->cap;
         b++) {
        s_metering_batch (w, b, &body);
        int64_t start = zclock_usecs ();
        int rc = yjc_client_call (client,
                                  "metering.report",
                                  body.buf.data,
                                  body.buf.size,
                                  30000,
                                  &session.reply);
        int64_t stored = 0;
        if (rc != 0 || !session.reply.ok ||
            !yjc_obj_int (session.reply.body, "stored", &stored) ||
            stored != w->batch) {
            if (w->errors++ == 0)
                fprintf (stderr,
                         "metering.report: %s %s\n",
                         rc ? "no reply" : session.reply.code,
                         rc ? "" : session.reply.message);
        }
        else {
            w->latencies[w->count++] = zclock_usecs () - start;
            w->samples += (size_t)stored;
        }
    }
    if (!client)
        w->errors++;
    yjc_pack_release (&body);
    s_session_close (&session);
    return NULL;
}

static void *s_work_decide (s_worker_t *w);

static void *
s_work (void *arg)
{
    s_worker_t *w = (s_worker_t *)arg;
    if (w->batch)
        return s_work_metering (w);
    if (w->decide)
        return s_work_decide (w);
    s_session_t session;
    s_session_open (&session, w->actor, YJC_SVC_INTAKE);
    yjc_client_t *client = session.client;
    while (client && zclock_usecs () < w->stop_at && w->count < w->cap) {
        int64_t start = zclock_usecs ();
        int rc = yjc_client_call (client,
                                  "application.submit",
                                  w->body->buf.data,
                                  w->body->buf.size,
                                  10000,
                                  &session.reply);
        if (rc != 0 || !session.reply.ok)
            w->errors++;
        else
            w->latencies[w->count++] = zclock_usecs () - start;
    }
    if (!client)
        w->errors++;
    s_session_close (&session);
    return NULL;
}

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

//  --material KIND=ATT: an attachment uploaded beforehand (R8).
static const char *s_materials[16];
static int s_nmaterials;

static int
s_load_body (const char *path, yjc_pack_t *body)
{
    static char text[1 << 20];
    FILE *f = fopen (path, "rb");
    if (!f)
        return -1;
    size_t len = fread (text, 1, sizeof text, f);
    fclose (f);
    char err[160];
    msgpack_pack_map (&body->pk, 2);
    yjc_pk_str (&body->pk, "form");
    if (yjc_json_to_msgpack (text, len, &body->buf, err, sizeof err) != 0) {
        fprintf (stderr, "%s: %s\n", path, err);
        return -1;
    }
    yjc_pk_str (&body->pk, "attachments");
    msgpack_pack_array (&body->pk, (uint32_t)s_nmaterials);
    for (int i = 0; i < s_nmaterials; i++) {
        const char *eq = strchr (s_materials[i], '=');
        if (!eq)
            return -1;
        msgpack_pack_map (&body->pk, 2);
        yjc_pk_str (&body->pk, "kind");
        yjc_pk_strn (&body->pk, s_materials[i], (size_t)(eq - s_materials[i]));
        yjc_pk_kv_str (&body->pk, "att_id", eq + 1);
    }
    return 0;
}

//  Calls made before the timed ones of a query benchmark: connections,
//  the services' plans and caches as a running platform has them.
#define WARMUP 30

/* ---- the audit trail (issue 12) ----------------------------------------- */

//  --audit-gen N --seq S --hash H: N chained events after (S, H) as COPY
//  text rows of audit.events (the second form: unit and actor kept,
//  proto/README.md "The audit chain"), spread over 10000 applications of
//  40 units, one a millisecond from 2025-01-01; a payload of the size of
//  an order's event (about 200 bytes), its fields varying.  With --apps
//  FILE (scale.sh: "app_id<TAB>unit" lines) over those applications, each
//  event of its application's unit.
typedef struct {
    char app_id[16];
    char unit[32];
} s_app_t;
static s_app_t *s_apps;
static long long s_napps;

static int
s_load_apps (const char *path)
{
    FILE *f = fopen (path, "r");
    char line[128];
    long long cap = 0;
    while (f && fgets (line, sizeof line, f)) {
        char *tab = strchr (line, '\t');
        if (!tab)
            continue;
        *tab = 0;
        tab[strcspn (tab + 1, "\n") + 1] = 0;
        if (s_napps == cap) {
            cap = cap ? 2 * cap : 1024;
            s_apps = (s_app_t *)realloc (s_apps, (size_t)cap * sizeof *s_apps);
        }
        snprintf (s_apps[s_napps].app_id, sizeof s_apps->app_id, "%.15s", line);
        snprintf (s_apps[s_napps].unit, sizeof s_apps->unit, "%.31s", tab + 1);
        s_napps++;
    }
    if (f)
        fclose (f);
    return s_napps > 0 ? 0 : -1;
}

//  --decide TYPE --apps FILE: a lifecycle command of the bureau's (issue
//  14: review.accept, review.approve) on every application of FILE, the
//  clients taking them in turn, until they are done or time is up.
static void *
s_work_decide (s_worker_t *w)
{
    s_session_t session;
    s_session_open (&session, w->actor, YJC_SVC_REVIEW);
    yjc_client_t *client = session.client;
    yjc_pack_t body;
    yjc_pack_init (&body);
    int clients = w->batch_clients;
    for (long long a = w->index;
         client && a < s_napps && zclock_usecs () < w->stop_at &&
         w->count < w->cap;
         a += clients) {
        yjc_pack_reset (&body);
        msgpack_pack_map (&body.pk, 1);
        yjc_pk_kv_str (&body.pk, "app_id", s_apps[a].app_id);
        int64_t start = zclock_usecs ();
        int rc = yjc_client_call (client,
                                  w->decide,
                                  body.buf.data,
                                  body.buf.size,
                                  10000,
                                  &session.reply);
        if (rc != 0 || !session.reply.ok) {
            if (w->errors++ == 0)
                fprintf (stderr,
                         "%s %s: %s %s\n",
                         w->decide,
                         s_apps[a].app_id,
                         rc ? "no reply" : session.reply.code,
                         rc ? "" : session.reply.message);
        }
        else
            w->latencies[w->count++] = zclock_usecs () - start;
    }
    if (!client)
        w->errors++;
    yjc_pack_release (&body);
    s_session_close (&session);
    return NULL;
}

static int
s_audit_gen (long long n, long long seq, const char *hash_hex)
{
    unsigned char h[32];
    size_t got = 0;
    if (sodium_hex2bin (h, 32, hash_hex, strlen (hash_hex), NULL, &got, NULL) !=
            0 ||
        got != 32)
        return 2;
    yjc_chain_hasher_t *hasher = yjc_chain_hasher_new ();
    static char out[1 << 20];
    size_t used = 0;
    int64_t t0 = 1735689600LL * 1000000; //  2025-01-01T00:00:00Z
    yjc_pack_t mp;
    yjc_pack_init (&mp);
    for (long long i = 1; hasher && i <= n; i++) {
        char event_id[32], app[16], unit[32], actor[16], order[24], hex[65];
        int elen = snprintf (event_id, sizeof event_id, "bench:%lld", seq + i);
        if (s_napps > 0) {
            const s_app_t *a = &s_apps[i % s_napps];
            snprintf (app, sizeof app, "%.15s", a->app_id);
            snprintf (unit, sizeof unit, "%.31s", a->unit);
        }
        else {
            snprintf (app, sizeof app, "G%05lld", i % 10000);
            snprintf (unit, sizeof unit, "县单位%02lld", i % 10000 % 40);
        }
        //  one event in four is the service's own (no actor)
        snprintf (actor, sizeof actor, i % 4 ? "clerk%03lld" : "", i % 200);
        snprintf (order, sizeof order, "O%09lld", seq + i);
        int64_t at = t0 + i * 1000;
        yjc_pack_reset (&mp);
        msgpack_pack_map (&mp.pk, 7);
        yjc_pk_kv_str (&mp.pk, "app_id", app);
        yjc_pk_kv_str (&mp.pk, "unit", unit);
        yjc_pk_kv_str (&mp.pk, "order_id", order);
        yjc_pk_kv_str (&mp.pk, "kind", i % 3 ? "change" : "go_live");
        yjc_pk_kv_str (&mp.pk, "due", "2025-01-08T24:00:00+08:00");
        yjc_pk_kv_str (
            &mp.pk, "note", "按审核表核定资源开通，变更后资源见附件");
        yjc_pk_kv_int (&mp.pk, "hosts", i % 7 + 1);
        yjc_chain_event_t e = { event_id,    "bench",       "order.created",
                                app,         (size_t)elen,  5,
                                13,          strlen (app),  at,
                                mp.buf.data, mp.buf.size,   unit,
                                actor,       strlen (unit), strlen (actor) };
        yjc_chain_link (hasher, h, &e, h);
        sodium_bin2hex (hex, sizeof hex, h, 32);
        char payload[2 * 512 + 1];
        sodium_bin2hex (payload,
                        sizeof payload,
                        (const unsigned char *)mp.buf.data,
                        mp.buf.size < 512 ? mp.buf.size : 512);
        time_t secs = (time_t)(at / 1000000);
        struct tm tm;
        gmtime_r (&secs, &tm);
        char when[40];
        strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        used +=
            (size_t)snprintf (out + used,
                              sizeof out - used,
                              "%lld\t%s\tbench\torder.created\t%s\t%s.%06lld"
                              "+00\t%s.%06lld+00\t\\\\x%s\t\\\\x%s\t%s\t%s\n",
                              seq + i,
                              event_id,
                              app,
                              when,
                              (long long)(at % 1000000),
                              when,
                              (long long)(at % 1000000),
                              payload,
                              hex,
                              unit,
                              actor);
        if (used > sizeof out - 2048) {
            fwrite (out, 1, used, stdout);
            used = 0;
        }
    }
    fwrite (out, 1, used, stdout);
    yjc_pack_release (&mp);
    yjc_chain_hasher_destroy (&hasher);
    return 0;
}

//  --audit-query N: N audit.events of one application each (a random one
//  of the generator's), one after the other; p50 and p99.
static int
s_audit_query (int n, const char *actor)
{
    s_session_t session;
    s_session_open (&session, actor, YJC_SVC_AUDIT);
    yjc_client_t *client = session.client;
    int64_t *lat = (int64_t *)calloc ((size_t)n, sizeof *lat);
    int done = 0, errors = 0;
    //  a running service is warm: the first WARMUP calls are not timed
    for (int i = -WARMUP; client && i < n; i++) {
        char app[16];
        snprintf (app, sizeof app, "G%05u", randombytes_uniform (10000));
        yjc_pack_t body;
        yjc_pack_init (&body);
        msgpack_pack_map (&body.pk, 2);
        yjc_pk_kv_str (&body.pk, "app_id", app);
        yjc_pk_kv_int (&body.pk, "limit", 50);
        int64_t start = zclock_usecs ();
        int rc = yjc_client_call (client,
                                  "audit.events",
                                  body.buf.data,
                                  body.buf.size,
                                  10000,
                                  &session.reply);
        if (rc != 0 || !session.reply.ok)
            errors++;
        else if (i >= 0)
            lat[done++] = zclock_usecs () - start;
        yjc_pack_release (&body);
    }
    qsort (lat, (size_t)done, sizeof *lat, s_cmp);
    printf ("audit.events by application: requests=%d errors=%d p50_ms=%.2f "
            "p99_ms=%.2f\n",
            done,
            errors,
            done ? lat[done / 2] / 1000.0 : 0,
            done ? lat[(done * 99) / 100] / 1000.0 : 0);
    free (lat);
    s_session_close (&session);
    return errors || !done ? 1 : 0;
}

/* ---- queries at scale (issue 14, scale.sh) ------------------------------ */

//  One CLI command's messages, in the order the command sends them.
typedef struct {
    const char *name;
    const char *actor;
    struct {
        int service; //  YJC_SVC_*
        const char *type;
        const char *limit; //  "limit" of the body, if any
        bool app;          //  names a random application
    } msg[2];
} s_command_t;

static const s_command_t s_commands[] = {
    { "list",
      "bureau",
      { { YJC_SVC_INTAKE, "application.list", NULL, false },
        { YJC_SVC_REVIEW, "review.pending", "500", false } } },
    { "list --overdue",
      "bureau",
      { { YJC_SVC_REVIEW, "review.overdue", NULL, false },
        { YJC_SVC_PROVISIONING, "order.overdue", NULL, false } } },
    { "show",
      "bureau",
      { { YJC_SVC_INTAKE, "application.get", NULL, true },
        { YJC_SVC_REVIEW, "review.get", NULL, true } } },
    { "allocations",
      "bureau",
      { { YJC_SVC_BILLING, "billing.allocations", NULL, true } } },
    { "audit events --app",
      "auditor",
      { { YJC_SVC_AUDIT, "audit.events", "50", true } } },
};

//  --scale-query N --apps FILE: each command N times (its messages one
//  after the other, on connections opened beforehand), a random
//  application of FILE's where it names one; one line per command,
//  p50/p99 in ms.
static int
s_scale_query (int n)
{
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    int64_t *lat = (int64_t *)calloc ((size_t)n, sizeof *lat);
    int failed = 0;
    for (size_t c = 0; c < sizeof s_commands / sizeof *s_commands; c++) {
        const s_command_t *cmd = &s_commands[c];
        zcert_t *cert = yjc_keys_load_secret (keys, cmd->actor);
        yjc_client_t *client[2] = { NULL, NULL };
        for (int m = 0; m < 2 && cert && cmd->msg[m].type; m++)
            client[m] =
                yjc_client_new_service (keys, cmd->msg[m].service, cert);
        yjc_reply_t reply;
        yjc_reply_init (&reply);
        int done = 0, errors = 0;
        for (int i = -WARMUP; client[0] && i < n; i++) {
            const char *app =
                s_apps[randombytes_uniform ((uint32_t)s_napps)].app_id;
            int64_t start = zclock_usecs ();
            bool ok = true;
            for (int m = 0; m < 2 && cmd->msg[m].type; m++) {
                yjc_pack_t body;
                yjc_pack_init (&body);
                msgpack_pack_map (&body.pk,
                                  (cmd->msg[m].app ? 1 : 0) +
                                      (cmd->msg[m].limit ? 1 : 0));
                if (cmd->msg[m].app)
                    yjc_pk_kv_str (&body.pk, "app_id", app);
                if (cmd->msg[m].limit)
                    yjc_pk_kv_int (&body.pk, "limit", atoi (cmd->msg[m].limit));
                int rc = yjc_client_call (client[m],
                                          cmd->msg[m].type,
                                          body.buf.data,
                                          body.buf.size,
                                          10000,
                                          &reply);
                if (rc != 0 || !reply.ok) {
                    if (errors == 0)
                        fprintf (stderr,
                                 "%s: %s %s\n",
                                 cmd->msg[m].type,
                                 rc ? "no reply" : reply.code,
                                 rc ? "" : reply.message);
                    ok = false;
                }
                yjc_pack_release (&body);
            }
            if (!ok)
                errors++;
            else if (i >= 0)
                lat[done++] = zclock_usecs () - start;
        }
        qsort (lat, (size_t)done, sizeof *lat, s_cmp);
        printf ("%s\t%d\t%d\t%.2f\t%.2f\n",
                cmd->name,
                done,
                errors,
                done ? lat[done / 2] / 1000.0 : 0,
                done ? lat[(done * 99) / 100] / 1000.0 : 0);
        failed += errors || !done;
        yjc_reply_release (&reply);
        yjc_client_destroy (&client[0]);
        yjc_client_destroy (&client[1]);
        zcert_destroy (&cert);
    }
    free (lat);
    yjc_keys_destroy (&keys);
    return failed ? 1 : 0;
}

//  --cpu-out FILE: this process's CPU, in clock ticks as /proc shows
//  them (run.sh's cost per submission, issue 14)
static void
s_write_cpu (const char *path)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    long hz = sysconf (_SC_CLK_TCK);
    FILE *f = fopen (path, "w");
    if (!f)
        return;
    fprintf (f,
             "utime %lld\nstime %lld\n",
             (long long)(ru.ru_utime.tv_sec * hz +
                         ru.ru_utime.tv_usec * hz / 1000000),
             (long long)(ru.ru_stime.tv_sec * hz +
                         ru.ru_stime.tv_usec * hz / 1000000));
    fclose (f);
}

int
main (int argc, char **argv)
{
    zsys_init ();
    int clients = 8, seconds = 10, batch = 0;
    const char *actor = "edu", *form = "tests/data/form-full.json";
    static struct option longopts[] = {
        { "clients", required_argument, 0, 'c' },
        { "seconds", required_argument, 0, 's' },
        { "as", required_argument, 0, 'a' },
        { "form", required_argument, 0, 'f' },
        { "material", required_argument, 0, 'm' },
        { "metering", no_argument, 0, 'M' },
        { "batch", required_argument, 0, 'b' },
        { "audit-gen", required_argument, 0, 'G' },
        { "seq", required_argument, 0, 'S' },
        { "hash", required_argument, 0, 'H' },
        { "audit-query", required_argument, 0, 'Q' },
        { "apps", required_argument, 0, 'A' },
        { "scale-query", required_argument, 0, 'X' },
        { "cpu-out", required_argument, 0, 'U' },
        { "decide", required_argument, 0, 'D' },
        { 0, 0, 0, 0 },
    };
    long long gen = 0, seq = 0;
    int queries = 0, scale = 0;
    const char *apps = NULL, *cpu_out = NULL, *decide = NULL;
    const char *hash = "";
    int c;
    while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
            case 'c': clients = atoi (optarg); break;
            case 's': seconds = atoi (optarg); break;
            case 'a': actor = optarg; break;
            case 'f': form = optarg; break;
            case 'M': batch = batch ? batch : 5000; break;
            case 'b': batch = atoi (optarg); break;
            case 'G': gen = atoll (optarg); break;
            case 'S': seq = atoll (optarg); break;
            case 'H': hash = optarg; break;
            case 'Q': queries = atoi (optarg); break;
            case 'A': apps = optarg; break;
            case 'X': scale = atoi (optarg); break;
            case 'U': cpu_out = optarg; break;
            case 'D': decide = optarg; break;
            case 'm':
                if (s_nmaterials < 16)
                    s_materials[s_nmaterials++] = optarg;
                break;
            default:
                fprintf (stderr,
                         "usage: yjc-bench [--clients N] [--seconds S] "
                         "[--as ACTOR] [--form FORM.json] [--material "
                         "KIND=ATT]... [--metering [--batch N]]\n");
                return 2;
        }
    }
    if (apps && s_load_apps (apps) != 0) {
        fprintf (stderr, "%s: no applications\n", apps);
        return 2;
    }
    if (gen > 0)
        return s_audit_gen (gen, seq, hash);
    if (queries > 0)
        return s_audit_query (queries, actor);
    if (scale > 0 && s_napps > 0 && !decide)
        return s_scale_query (scale);
    if (decide && s_napps == 0)
        return 2;
    if (clients < 1 || clients > 256 || seconds < 1 || seconds > 600 ||
        batch < 0 || batch > 5000)
        return 2;
    yjc_pack_t body;
    yjc_pack_init (&body);
    if (!batch && !decide && s_load_body (form, &body) != 0)
        return 1;
    //  metering: a day back, on the hour (inside the intervals run.sh
    //  opens, never in the future)
    int64_t now = yjc_clock_now_or_system ();
    int64_t hour = 3600LL * 1000000;
    int64_t base = now - 24 * hour - now % hour;
    s_worker_t *workers = (s_worker_t *)calloc (clients, sizeof *workers);
    pthread_t *threads = (pthread_t *)calloc (clients, sizeof *threads);
    int64_t start = zclock_usecs ();
    for (int i = 0; i < clients; i++) {
        workers[i].index = i;
        workers[i].batch = batch;
        workers[i].base = base;
        workers[i].actor = batch && streq (actor, "edu") ? "vendor" : actor;
        workers[i].body = &body;
        workers[i].decide = decide;
        workers[i].batch_clients = clients;
        workers[i].stop_at = start + (int64_t)seconds * 1000000;
        workers[i].cap = 1000000;
        workers[i].latencies =
            (int64_t *)malloc (workers[i].cap * sizeof (int64_t));
        pthread_create (&threads[i], NULL, s_work, &workers[i]);
    }
    size_t total = 0, samples = 0;
    int errors = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join (threads[i], NULL);
        total += workers[i].count;
        samples += workers[i].samples;
        errors += workers[i].errors;
    }
    double elapsed = (double)(zclock_usecs () - start) / 1e6;
    if (batch)
        printf ("samples=%zu samples_per_s=%.1f batch=%d ",
                samples,
                (double)samples / elapsed,
                batch);
    int64_t *all = (int64_t *)malloc ((total ? total : 1) * sizeof (int64_t));
    size_t n = 0;
    for (int i = 0; i < clients; i++) {
        memcpy (
            all + n, workers[i].latencies, workers[i].count * sizeof (int64_t));
        n += workers[i].count;
        free (workers[i].latencies);
    }
    qsort (all, n, sizeof (int64_t), s_cmp);
    double p50 = n ? (double)all[n / 2] / 1000 : 0;
    double p99 = n ? (double)all[(n * 99) / 100] / 1000 : 0;
    printf ("requests=%zu errors=%d seconds=%.2f rps=%.1f p50_ms=%.2f "
            "p99_ms=%.2f clients=%d\n",
            n,
            errors,
            elapsed,
            (double)n / elapsed,
            p50,
            p99,
            clients);
    free (all);
    free (workers);
    free (threads);
    yjc_pack_release (&body);
    if (cpu_out)
        s_write_cpu (cpu_out);
    return errors ? 1 : 0;
}
