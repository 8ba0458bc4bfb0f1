/*  yjc-vendor-sim - the reference vendor client (R7, R10-R13).

    It speaks the provisioning adapter's vendor protocol (proto/README.md,
    "Vendor queue") the way a vendor's own system would: on its own
    endpoint (YJC_VENDOR_ENDPOINT), fetch every open order once, then only
    what changed after the cursor of the last reply, waiting for a change
    (long poll) even while orders are open; acknowledge each new order,
    carry it out, report it done with what was built (nothing, for a
    termination or a purge).  After an error it fetches without a cursor
    again: the open orders are the truth, and every step is idempotent.  Fault options make
    it delay, fail, or repeat its reports, for tests and demonstrations.
    With --metering N it also reports, every N seconds of the clock, one
    utilization sample of each host of every system it delivered and runs
    (metering.report to billing, R11.3, R17); --idle-every K makes every
    K-th system delivered idle (low figures).  --obligations YEAR delivers
    the recurring obligations (R16, R21; proto/yjc_obligations.def) of
    every period of YEAR begun by the clock, then exits.                 */
#include "yjc_client.h"
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_lifecycle.h"
#include "yjc_log.h"
#include "yjc_obligations.h"
#include "yjc_time.h"
#include <getopt.h>
#include <sodium.h>

//  Metering (R11.3, R17): the systems this simulator delivered and still
//  runs, whose hosts it reports samples of to billing.
#define SIM_SYSTEMS 256
#define SIM_HOSTS   8

typedef struct {
    char app_id[33];
    char hosts[SIM_HOSTS][64]; //  the built items' refs
    int nhosts;
    bool idle; //  --idle-every: reports low figures
} s_system_t;

typedef struct {
    const char *as;      //  the vendor actor
    bool once;           //  handle what is open now, then exit
    int interval_ms;     //  between fetches when idle
    int delay_ms;        //  between acknowledging and reporting
    int fail_every;      //  report every Nth order failed (0: never)
    bool duplicate;      //  report every result twice
    int handled;         //  orders handled so far
    char cursor[33];     //  of the last fetch; "" to fetch every open order
    char pcursor[33];    //  of the last problem.fetch (R15); "" for every open
    int metering_s;      //  report samples every N seconds of the clock (0: no)
    int idle_every;      //  every Nth system delivered is idle (0: none)
    int delivered;       //  systems delivered so far
    int64_t next_sample; //  clock time of the next samples
    yjc_client_t *billing;
    s_system_t systems[SIM_SYSTEMS];
    int nsystems;
} s_sim_t;

static int
s_call (yjc_client_t *client,
        const char *type,
        yjc_pack_t *body,
        yjc_reply_t *reply)
{
    if (yjc_client_call (client,
                         type,
                         body ? body->buf.data : NULL,
                         body ? body->buf.size : 0,
                         10000,
                         reply) != 0) {
        yjc_log (YJC_LOG_WARNING, "vendor-sim: %s: no reply", type);
        return -1;
    }
    if (!reply->ok) {
        yjc_log (YJC_LOG_WARNING,
                 "vendor-sim: %s refused: %s %s",
                 type,
                 reply->code,
                 reply->message);
        return -1;
    }
    return 0;
}

//  What the vendor built for a grant: one item per resource line.
static void
s_pack_built (msgpack_packer *pk,
              const char *order_id,
              const msgpack_object *resources)
{
    const msgpack_object *hosts = yjc_obj_get (resources, "hosts");
    const msgpack_object *dbs = yjc_obj_get (resources, "databases");
    int64_t storage = 0, mbps = 0;
    yjc_obj_int (resources, "storage_tb", &storage);
    yjc_obj_int (yjc_obj_get (resources, "network"), "dedicated_mbps", &mbps);
    uint32_t nh = hosts && hosts->type == MSGPACK_OBJECT_ARRAY
                      ? hosts->via.array.size
                      : 0;
    uint32_t nd =
        dbs && dbs->type == MSGPACK_OBJECT_ARRAY ? dbs->via.array.size : 0;
    msgpack_pack_array (pk, nh + nd + (storage > 0) + (mbps > 0));
    char ref[64], detail[128];
    for (uint32_t i = 0; i < nh; i++) {
        const msgpack_object *h = &hosts->via.array.ptr[i];
        char cpu[16], os[32];
        int64_t count = 1, disk = 0;
        yjc_obj_int (h, "count", &count);
        yjc_obj_int (h, "data_disk_gb", &disk);
        snprintf (ref, sizeof ref, "vm-%s-%u", order_id, i + 1);
        snprintf (detail,
                  sizeof detail,
                  "%s %s x%lld, data disk %lld GB",
                  yjc_obj_strcpy (h, "cpu_mem", cpu, sizeof cpu),
                  yjc_obj_strcpy (h, "os", os, sizeof os),
                  (long long)count,
                  (long long)disk);
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "kind", "host");
        yjc_pk_kv_str (pk, "ref", ref);
        yjc_pk_kv_str (pk, "detail", detail);
    }
    for (uint32_t i = 0; i < nd; i++) {
        char engine[16];
        yjc_obj_strcpy (
            &dbs->via.array.ptr[i], "engine", engine, sizeof engine);
        snprintf (ref, sizeof ref, "db-%s-%u", order_id, i + 1);
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "kind", "database");
        yjc_pk_kv_str (pk, "ref", ref);
        yjc_pk_kv_str (pk, "detail", engine);
    }
    if (storage > 0) {
        snprintf (ref, sizeof ref, "vol-%s", order_id);
        snprintf (detail, sizeof detail, "%lld TB", (long long)storage);
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "kind", "storage");
        yjc_pk_kv_str (pk, "ref", ref);
        yjc_pk_kv_str (pk, "detail", detail);
    }
    if (mbps > 0) {
        snprintf (ref, sizeof ref, "bw-%s", order_id);
        snprintf (detail, sizeof detail, "%lld Mbps", (long long)mbps);
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_str (pk, "kind", "bandwidth");
        yjc_pk_kv_str (pk, "ref", ref);
        yjc_pk_kv_str (pk, "detail", detail);
    }
}

//  Keeps what the vendor now runs for the order's application: its host
//  lines (as s_pack_built names them), or nothing after a removal.
static void
s_remember (s_sim_t *self,
            const msgpack_object *order,
            const char *order_id,
            bool removes)
{
    char app[33];
    yjc_obj_strcpy (order, "app_id", app, sizeof app);
    int i = 0;
    while (i < self->nsystems && !streq (self->systems[i].app_id, app))
        i++;
    if (removes) {
        if (i < self->nsystems)
            self->systems[i] = self->systems[--self->nsystems];
        return;
    }
    if (i == self->nsystems) {
        if (i == SIM_SYSTEMS)
            return;
        self->nsystems++;
        memset (&self->systems[i], 0, sizeof self->systems[i]);
        snprintf (self->systems[i].app_id, sizeof app, "%s", app);
        self->delivered++;
        self->systems[i].idle =
            self->idle_every && self->delivered % self->idle_every == 0;
    }
    s_system_t *sys = &self->systems[i];
    const msgpack_object *hosts =
        yjc_obj_get (yjc_obj_get (order, "resources"), "hosts");
    uint32_t n = hosts && hosts->type == MSGPACK_OBJECT_ARRAY
                     ? hosts->via.array.size
                     : 0;
    sys->nhosts = 0;
    for (uint32_t h = 0; h < n && h < SIM_HOSTS; h++)
        snprintf (sys->hosts[sys->nhosts++], 64, "vm-%s-%u", order_id, h + 1);
    if (sys->nhosts == 0) //  no host: the system as a whole
        snprintf (sys->hosts[sys->nhosts++], 64, "sys-%s", app);
}

//  A plausible figure: a daily curve (busy in office hours) with noise;
//  an idle system stays near its floor.
static int
s_figure (const s_system_t *sys, int64_t at, int floor, int peak, int h)
{
    int hour = (int)((at / 1000000 / 3600 + 8) % 24);
    bool office = hour >= 9 && hour < 18;
    unsigned seed = (unsigned)(at / 1000000) ^ (unsigned)h * 2654435761u;
    int noise = (int)(seed % 7);
    if (sys->idle)
        return floor / 6 + noise % 2;
    int v = (office ? peak : floor) + noise;
    return v > 100 ? 100 : v;
}

//  Reports one sample of every host it runs, at the clock's `at` (the
//  start of its metering period: a retry sends the same samples).  -1
//  when refused or unanswered (e.g. billing has not yet opened the
//  interval of a delivery just reported): retried on the next round.
static int
s_report_samples (s_sim_t *self, int64_t at)
{
    int total = 0;
    for (int i = 0; i < self->nsystems; i++)
        total += self->systems[i].nhosts;
    if (total == 0 || !self->billing)
        return 0;
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_str (&body.pk, "samples");
    msgpack_pack_array (&body.pk, (uint32_t)total);
    char iso[40];
    yjc_time_format_iso (at, iso);
    for (int i = 0; i < self->nsystems; i++) {
        const s_system_t *sys = &self->systems[i];
        for (int h = 0; h < sys->nhosts; h++) {
            msgpack_pack_map (&body.pk, 8);
            yjc_pk_kv_str (&body.pk, "app_id", sys->app_id);
            yjc_pk_kv_str (&body.pk, "resource", sys->hosts[h]);
            yjc_pk_kv_str (&body.pk, "at", iso);
            yjc_pk_kv_int (&body.pk, "cpu_pct", s_figure (sys, at, 12, 55, h));
            yjc_pk_kv_int (&body.pk, "mem_pct", s_figure (sys, at, 35, 70, h));
            yjc_pk_kv_int (&body.pk, "disk_gb", 40 + h * 10);
            yjc_pk_kv_int (
                &body.pk, "bw_in_mbps", s_figure (sys, at, 1, 8, h) / 2);
            yjc_pk_kv_int (
                &body.pk, "bw_out_mbps", s_figure (sys, at, 1, 6, h) / 2);
        }
    }
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int rc = s_call (self->billing, "metering.report", &body, &reply);
    if (rc == 0)
        yjc_log (
            YJC_LOG_INFO, "vendor-sim: metering %s: %d samples", iso, total);
    yjc_reply_release (&reply);
    yjc_pack_release (&body);
    return rc;
}

//  Samples are due when the clock (moved in tests) reached the next
//  metering period.
static void
s_metering (s_sim_t *self)
{
    int64_t now = 0;
    if (!self->metering_s || yjc_clock_now (&now) != 0)
        return;
    int64_t period = (int64_t)self->metering_s * 1000000;
    if (now < self->next_sample)
        return;
    if (s_report_samples (self, now - now % period) == 0)
        self->next_sample = now - now % period + period;
}

//  Sleeps `ms`, or less: SIGTERM stops the simulator within 50 ms.
static void
s_sleep (int ms)
{
    for (int slept = 0; slept < ms && !zsys_interrupted; slept += 50)
        zclock_sleep (ms - slept < 50 ? ms - slept : 50);
}

//  Carries out one order of a fetch; -1 when a step went unanswered or
//  was refused (the caller fetches every open order again).
static int
s_handle (s_sim_t *self, yjc_client_t *client, const msgpack_object *order)
{
    char order_id[33], state[17], kind[17];
    yjc_obj_strcpy (order, "order_id", order_id, sizeof order_id);
    yjc_obj_strcpy (order, "state", state, sizeof state);
    yjc_obj_strcpy (order, "kind", kind, sizeof kind);
    //  a cursor also brings closed orders (our own reports, a cancel):
    //  nothing left to do for them
    if (!streq (state, yjc_order_states[YJC_OS_PENDING].code) &&
        !streq (state, yjc_order_states[YJC_OS_ACKNOWLEDGED].code))
        return 0;
    int rc = 0;
    //  a termination, a purge, taking offline (R14.4) remove; they build
    //  nothing; an expiry notice (R14.2) says when, how, to whom
    int k = yjc_order_by_kind (kind);
    bool removes = k == YJC_ORDER_TERMINATE || k == YJC_ORDER_PURGE ||
                   k == YJC_ORDER_OFFLINE || k == YJC_ORDER_EXPIRY_NOTICE;
    bool notice = k == YJC_ORDER_EXPIRY_NOTICE;
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    if (streq (state, yjc_order_states[YJC_OS_PENDING].code)) {
        msgpack_pack_map (&body.pk, 1);
        yjc_pk_kv_str (&body.pk, "order_id", order_id);
        rc |= s_call (client, "order.ack", &body, &reply);
    }
    if (self->delay_ms)
        s_sleep (self->delay_ms);
    self->handled++;
    bool fail = self->fail_every && self->handled % self->fail_every == 0;
    yjc_pack_reset (&body);
    msgpack_pack_map (&body.pk, notice && !fail ? 3 : 2);
    yjc_pk_kv_str (&body.pk, "order_id", order_id);
    if (fail)
        yjc_pk_kv_str (&body.pk, "reason", "资源池容量不足（模拟故障）");
    else {
        yjc_pk_str (&body.pk, "built");
        if (removes)
            msgpack_pack_array (&body.pk, 0);
        else
            s_pack_built (&body.pk, order_id, yjc_obj_get (order, "resources"));
        if (notice) {
            char today[11];
            yjc_date_format (yjc_time_local_date (yjc_clock_now_or_system ()),
                             today);
            yjc_pk_str (&body.pk, "notice");
            msgpack_pack_map (&body.pk, 3);
            yjc_pk_kv_str (&body.pk, "given_at", today);
            yjc_pk_kv_str (&body.pk, "channel", "公函及短信");
            yjc_pk_kv_str (&body.pk, "to", "使用单位联系人及主管部门");
        }
    }
    const char *type = fail ? "order.fail" : "order.complete";
    if (!fail)
        s_remember (self, order, order_id, removes);
    for (int i = 0; i < (self->duplicate ? 2 : 1); i++) {
        int sent = s_call (client, type, &body, &reply);
        rc |= sent;
        if (sent == 0)
            yjc_log (YJC_LOG_INFO,
                     "vendor-sim: %s %s%s",
                     order_id,
                     fail ? "failed" : "delivered",
                     i ? " (again)" : "");
    }
    yjc_reply_release (&reply);
    yjc_pack_release (&body);
    return rc;
}

//  One fetch; returns the number of orders it brought, or -1.
static int
s_round (s_sim_t *self, yjc_client_t *client)
{
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int n = -1;
    //  wait for a change rather than asking again and again: with the
    //  cursor, orders still open (ours, being built) do not end the wait
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, *self->cursor ? 2 : 1);
    yjc_pk_kv_int (&body.pk, "wait_ms", self->once ? 0 : self->interval_ms);
    if (*self->cursor)
        yjc_pk_kv_str (&body.pk, "cursor", self->cursor);
    int rc = s_call (client, "order.fetch", &body, &reply);
    yjc_pack_release (&body);
    self->cursor[0] = 0; //  kept only when every order was dealt with
    if (rc == 0) {
        const msgpack_object *orders = yjc_obj_get (reply.body, "orders");
        n = orders ? (int)orders->via.array.size : 0;
        for (int i = 0; i < n && !zsys_interrupted; i++)
            rc |= s_handle (self, client, &orders->via.array.ptr[i]);
        if (rc == 0 && !zsys_interrupted)
            yjc_obj_strcpy (
                reply.body, "cursor", self->cursor, sizeof self->cursor);
    }
    yjc_reply_release (&reply);
    return n;
}

//  R15: one problem.fetch (no wait: the order fetch waits); each problem
//  still open is acknowledged and resolved with a note.  After an error
//  every open problem is fetched again: both steps are idempotent.
static void
s_problems (s_sim_t *self, yjc_client_t *client)
{
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, *self->pcursor ? 1 : 0);
    if (*self->pcursor)
        yjc_pk_kv_str (&body.pk, "cursor", self->pcursor);
    int rc = s_call (client, "problem.fetch", &body, &reply);
    self->pcursor[0] = 0;
    const msgpack_object *list =
        rc == 0 ? yjc_obj_get (reply.body, "problems") : NULL;
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        char id[33], state[17];
        yjc_obj_strcpy (&list->via.array.ptr[i], "problem_id", id, sizeof id);
        yjc_obj_strcpy (&list->via.array.ptr[i], "state", state, sizeof state);
        if (streq (state, "resolved"))
            continue;
        yjc_reply_t step;
        yjc_reply_init (&step);
        yjc_pack_reset (&body);
        msgpack_pack_map (&body.pk, 1);
        yjc_pk_kv_str (&body.pk, "problem_id", id);
        if (streq (state, "reported"))
            rc |= s_call (client, "problem.ack", &body, &step);
        yjc_pack_reset (&body);
        msgpack_pack_map (&body.pk, 2);
        yjc_pk_kv_str (&body.pk, "problem_id", id);
        yjc_pk_kv_str (&body.pk, "note", "已排查并处理（模拟供应商）");
        int sent = s_call (client, "problem.resolve", &body, &step);
        rc |= sent;
        if (sent == 0)
            yjc_log (YJC_LOG_INFO, "vendor-sim: problem %s resolved", id);
        yjc_reply_release (&step);
    }
    if (rc == 0)
        yjc_obj_strcpy (
            reply.body, "cursor", self->pcursor, sizeof self->pcursor);
    yjc_pack_release (&body);
    yjc_reply_release (&reply);
}

//  --scale APP:LINE=VALUE[:KEY] - R11.2: reports one scaling step (a
//  host configuration such as 4c8g, "bandwidth" or "storage", set to
//  VALUE) taking effect now, then exits.  KEY defaults to one derived
//  from the step, so running the same command again is the same step.
static int
s_scale (yjc_client_t *client, const char *spec)
{
    char app[33], line[16], key[65];
    long long value;
    int n = sscanf (spec, "%32[^:]:%15[^=]=%lld:%64s", app, line, &value, key);
    if (n < 3) {
        fprintf (stderr, "--scale APP:4c8g|bandwidth|storage=VALUE[:KEY]\n");
        return 2;
    }
    if (n == 3)
        snprintf (key, sizeof key, "sim-%s-%s-%lld", app, line, value);
    char at[40];
    yjc_time_format_iso (yjc_clock_now_or_system (), at);
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 4);
    yjc_pk_kv_str (&body.pk, "app_id", app);
    yjc_pk_kv_str (&body.pk, "report_key", key);
    yjc_pk_kv_str (&body.pk, "at", at);
    if (streq (line, "bandwidth"))
        yjc_pk_kv_int (&body.pk, "bandwidth_mbps", value);
    else if (streq (line, "storage"))
        yjc_pk_kv_int (&body.pk, "storage_tb", value);
    else {
        yjc_pk_str (&body.pk, "hosts");
        msgpack_pack_array (&body.pk, 1);
        msgpack_pack_map (&body.pk, 2);
        yjc_pk_kv_str (&body.pk, "cpu_mem", line);
        yjc_pk_kv_int (&body.pk, "count", value);
    }
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int rc = s_call (client, "scaling.report", &body, &reply) == 0 ? 0 : 1;
    if (rc == 0)
        yjc_log (YJC_LOG_INFO, "vendor-sim: scaled %s (%s)", app, key);
    yjc_reply_release (&reply);
    yjc_pack_release (&body);
    return rc;
}

//  R16: the utilization table of `unit`'s systems for the quarter
//  (billing.utilization), each line confirmed as measured; -1 when
//  billing did not answer (no report goes without its table).
static int
s_pack_table (yjc_pack_t *body,
              yjc_client_t *billing,
              const char *period,
              const char *unit)
{
    char quarter[8];
    snprintf (quarter, sizeof quarter, "%.4s%.2s", period, period + 5);
    yjc_pack_t q;
    yjc_pack_init (&q);
    msgpack_pack_map (&q.pk, 2);
    yjc_pk_kv_str (&q.pk, "quarter", quarter);
    yjc_pk_kv_str (&q.pk, "unit", unit);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int rc = billing ? s_call (billing, "billing.utilization", &q, &reply) : -1;
    const msgpack_object *apps =
        rc == 0 ? yjc_obj_get (reply.body, "apps") : NULL;
    if (rc != 0)
        yjc_log (YJC_LOG_ERROR,
                 "vendor-sim: no utilization table of %s for %s",
                 unit,
                 quarter);
    uint32_t n = 0;
    for (uint32_t a = 0; apps && a < apps->via.array.size; a++) {
        const msgpack_object *l =
            yjc_obj_get (&apps->via.array.ptr[a], "lines");
        n += l && l->type == MSGPACK_OBJECT_ARRAY ? l->via.array.size : 0;
    }
    yjc_pk_str (&body->pk, "utilization");
    msgpack_pack_array (&body->pk, n);
    for (uint32_t a = 0; apps && a < apps->via.array.size; a++) {
        const msgpack_object *app = &apps->via.array.ptr[a];
        const msgpack_object *l = yjc_obj_get (app, "lines");
        for (uint32_t i = 0;
             l && l->type == MSGPACK_OBJECT_ARRAY && i < l->via.array.size;
             i++) {
            msgpack_pack_map (&body->pk, 3);
            yjc_pk_kv_obj (&body->pk, "app_id", yjc_obj_get (app, "app_id"));
            yjc_pk_kv_obj (&body->pk,
                           "resource",
                           yjc_obj_get (&l->via.array.ptr[i], "resource"));
            yjc_pk_kv_bool (&body->pk, "confirmed", true);
        }
    }
    yjc_reply_release (&reply);
    yjc_pack_release (&q);
    return rc;
}

//  One delivery: a generated document (the same bytes each run, so a
//  second run is a duplicate) and, for a drill, when it was held: the
//  15th of the period's middle month, or today if that is later.
static int
s_deliver (yjc_client_t *client,
           yjc_client_t *billing,
           int obl,
           const char *period,
           const char *unit,
           yjc_date_t today)
{
    const yjc_obligation_def_t *o = &yjc_obligations[obl];
    yjc_date_t first, last;
    if (yjc_obligation_period_parse (o->period, period, &first, &last) != 0 ||
        yjc_date_cmp (today, first) < 0)
        return 0; //  not begun
    char doc[512], sha[65], name[64];
    int len = snprintf (doc,
                        sizeof doc,
                        "%s %s %s（yjc-vendor-sim 模拟材料）\n",
                        o->zh,
                        period,
                        unit ? unit : "");
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *)doc, (size_t)len);
    for (size_t i = 0; i < sizeof hash; i++)
        snprintf (sha + 2 * i, 3, "%02x", hash[i]);
    snprintf (name, sizeof name, "%s-%s.txt", o->code, period);
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, o->held ? 6 : unit ? 7 : 5);
    yjc_pk_kv_str (&body.pk, "code", o->code);
    yjc_pk_kv_str (&body.pk, "period", period);
    yjc_pk_kv_str (&body.pk, "file_name", name);
    yjc_pk_str (&body.pk, "file");
    msgpack_pack_bin (&body.pk, (size_t)len);
    msgpack_pack_bin_body (&body.pk, doc, (size_t)len);
    yjc_pk_kv_str (&body.pk, "sha256", sha);
    if (o->held) {
        yjc_date_t held = { first.y, first.m + (last.m - first.m) / 2, 15 };
        if (yjc_date_cmp (held, today) > 0)
            held = today;
        char date[11];
        yjc_date_format (held, date);
        yjc_pk_str (&body.pk, "drill");
        msgpack_pack_map (&body.pk, 3);
        yjc_pk_kv_str (&body.pk, "date", date);
        yjc_pk_kv_str (&body.pk, "scenario", "机房断电，切换至备用电源");
        yjc_pk_kv_str (&body.pk, "outcome", "业务在 30 分钟内恢复");
    }
    int rc = 0;
    if (unit) {
        yjc_pk_kv_str (&body.pk, "unit", unit);
        rc = s_pack_table (&body, billing, period, unit);
    }
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    if (rc == 0)
        rc = s_call (client, "obligation.submit", &body, &reply);
    if (rc == 0)
        yjc_log (YJC_LOG_INFO,
                 "vendor-sim: delivered %s %s %s",
                 o->code,
                 period,
                 unit ? unit : "");
    yjc_reply_release (&reply);
    yjc_pack_release (&body);
    return rc == 0 ? 0 : 1;
}

//  R16: a report owed per unit, to each unit compliance.report lists
//  for the year (those with running systems).
static int
s_deliver_units (yjc_client_t *client,
                 yjc_client_t *billing,
                 int obl,
                 int year,
                 yjc_date_t today)
{
    yjc_pack_t q;
    yjc_pack_init (&q);
    msgpack_pack_map (&q.pk, 1);
    yjc_pk_kv_int (&q.pk, "year", year);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    int rc = s_call (client, "compliance.report", &q, &reply);
    const msgpack_object *rows =
        rc == 0 ? yjc_obj_get (reply.body, "obligations") : NULL;
    for (uint32_t i = 0; rows && i < rows->via.array.size; i++) {
        const msgpack_object *r = &rows->via.array.ptr[i];
        char code[33], period[16], unit[129];
        yjc_obj_strcpy (r, "code", code, sizeof code);
        yjc_obj_strcpy (r, "period", period, sizeof period);
        if (streq (code, yjc_obligations[obl].code) &&
            *yjc_obj_strcpy (r, "unit", unit, sizeof unit))
            rc |= s_deliver (client, billing, obl, period, unit, today);
    }
    yjc_reply_release (&reply);
    yjc_pack_release (&q);
    return rc;
}

//  --obligations YEAR - R16, R21: every obligation of every period of
//  YEAR begun by the clock (a per-unit one for each unit owed), then
//  exits.
static int
s_obligations (yjc_client_t *client, yjc_client_t *billing, int year)
{
    if (sodium_init () < 0)
        return 1;
    yjc_date_t today = yjc_time_local_date (yjc_clock_now_or_system ());
    int rc = 0;
    for (int o = 0; o < YJC_OBL_COUNT; o++) {
        if (yjc_obligations[o].per_unit) {
            rc |= s_deliver_units (client, billing, o, year, today);
            continue;
        }
        for (int i = 0; i < yjc_obligation_periods (yjc_obligations[o].period);
             i++) {
            char period[16];
            yjc_obligation_period_name (
                yjc_obligations[o].period, year, i, period);
            rc |= s_deliver (client, billing, o, period, NULL, today);
        }
    }
    return rc;
}

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logident ("yjc-vendor-sim");
    s_sim_t self = { .as = yjc_config (YJC_CFG_ACTOR), .interval_ms = 5000 };
    if (!*self.as)
        self.as = "vendor";
    static struct option longopts[] = {
        { "as", required_argument, 0, 'a' },
        { "once", no_argument, 0, 'o' },
        { "interval", required_argument, 0, 'i' },
        { "delay", required_argument, 0, 'd' },
        { "fail-every", required_argument, 0, 'f' },
        { "duplicate", no_argument, 0, 'u' },
        { "scale", required_argument, 0, 's' },
        { "metering", required_argument, 0, 'm' },
        { "idle-every", required_argument, 0, 'I' },
        { "obligations", required_argument, 0, 'O' },
        { 0, 0, 0, 0 }
    };
    const char *scale = NULL; //  R11.2: one scaling step, then exit
    int obligations = 0;      //  R16, R21: a year's deliveries, then exit
    int c;
    while ((c = getopt_long (argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
            case 'a': self.as = optarg; break;
            case 'o': self.once = true; break;
            case 'i': self.interval_ms = atoi (optarg); break;
            case 'd': self.delay_ms = atoi (optarg); break;
            case 'f': self.fail_every = atoi (optarg); break;
            case 'u': self.duplicate = true; break;
            case 's': scale = optarg; break;
            case 'm': self.metering_s = atoi (optarg); break;
            case 'I': self.idle_every = atoi (optarg); break;
            case 'O': obligations = atoi (optarg); break;
            default:
                fprintf (stderr,
                         "usage: yjc-vendor-sim [--as NAME] [--once] "
                         "[--interval MS] [--delay MS] [--fail-every N] "
                         "[--duplicate] [--scale APP:LINE=VALUE[:KEY]] "
                         "[--metering SECONDS] [--idle-every N] "
                         "[--obligations YEAR]\n");
                return 2;
        }
    }
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    zcert_t *cert = yjc_keys_load_secret (keys, self.as);
    yjc_client_t *client =
        cert ? yjc_client_new_at (keys,
                                  YJC_SVC_PROVISIONING,
                                  yjc_config (YJC_CFG_VENDOR_EP),
                                  cert)
             : NULL;
    //  metering goes to billing, which owns it (R11.3, R17)
    self.billing = cert && (self.metering_s > 0 || obligations > 0)
                       ? yjc_client_new_service (keys, YJC_SVC_BILLING, cert)
                       : NULL;
    int rc = 0;
    if (!client) {
        yjc_log (YJC_LOG_ERROR,
                 "vendor-sim: no key for %s or no adapter key",
                 self.as);
        rc = 1;
    }
    if (client && scale)
        rc = s_scale (client, scale);
    else if (client && obligations > 0)
        rc = s_obligations (client, self.billing, obligations);
    while (client && !scale && !obligations && !zsys_interrupted) {
        int n = s_round (&self, client);
        s_problems (&self, client);
        s_metering (&self);
        if (self.once) {
            rc = n < 0;
            break;
        }
        if (n < 0)
            s_sleep (self.interval_ms); //  no answer: do not spin
    }
    yjc_client_destroy (&client);
    yjc_client_destroy (&self.billing);
    zcert_destroy (&cert);
    yjc_keys_destroy (&keys);
    return rc;
}
