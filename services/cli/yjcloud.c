/*  yjcloud - the command-line client of the platform.

    Every command is a row of s_commands: its words, its arguments, who
    answers it, and how its reply is shown.  Output is readable Chinese
    text, or one JSON object with --json.  Whose key signs the requests
    is chosen with --as NAME (or YJC_ACTOR); the services decide what that
    actor may do.                                                        */
#include "cli.h"
#include "files.h"
#include "form_render.h"
#include "yjc_calendar.h"
#include "yjc_client.h"
#include "yjc_config.h"
#include "yjc_json.h"
#include "yjc_time.h"
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>

/* ---- output ------------------------------------------------------------ */

void
cli_print_json (const msgpack_object *obj)
{
    char *text = yjc_json_from_object (obj, true);
    printf ("%s\n", text ? text : "null");
    free (text);
}

//  A state in Chinese, or a step of the history that moves no state
//  ("request.approved:change": the event, and the request's or the
//  order's kind, each from its own table).
const char *
cli_history_zh (const char *state)
{
    if (yjc_state_by_code (state) >= 0)
        return yjc_state_zh (state);
    static char step[160];
    const char *colon = strchr (state, ':');
    size_t n = colon ? (size_t)(colon - state) : strlen (state);
    int ev = yjc_event_by_wire (state, n);
    if (ev < 0)
        return state;
    const char *kind = colon ? colon + 1 : "";
    bool request = ev == YJC_EV_REQUEST_SUBMITTED ||
                   ev == YJC_EV_REQUEST_APPROVED ||
                   ev == YJC_EV_REQUEST_REJECTED;
    snprintf (step,
              sizeof step,
              "%s%s%s%s",
              yjc_event_defs[ev].zh,
              *kind ? "（" : "",
              !*kind    ? ""
              : request ? yjc_request_zh (kind)
                        : yjc_order_zh (kind),
              *kind ? "）" : "");
    return step;
}

//  The services and the roles of actors, as a clerk names them.
static const char *s_services_zh[YJC_SVC_COUNT] = {
    [YJC_SVC_INTAKE] = "申请受理",
    [YJC_SVC_REVIEW] = "审核",
    [YJC_SVC_PROVISIONING] = "供应商接口",
    [YJC_SVC_BILLING] = "计费",
    [YJC_SVC_AUDIT] = "审计",
};

static const char *s_roles_zh[YJC_ROLE_COUNT] = {
    [YJC_ROLE_UNIT] = "使用单位", [YJC_ROLE_BUREAU] = "主管部门",
    [YJC_ROLE_VENDOR] = "供应商", [YJC_ROLE_AUDITOR] = "审计",
    [YJC_ROLE_ADMIN] = "运维",    [YJC_ROLE_SERVICE] = "服务",
};

static const char *
s_service_zh (const char *name)
{
    for (int i = 0; i < YJC_SVC_COUNT; i++)
        if (streq (yjc_service_name (i), name))
            return s_services_zh[i];
    return name;
}

static const char *
s_role_zh (const char *name)
{
    int role = yjc_role_by_name (name);
    return role >= 0 ? s_roles_zh[role] : name;
}

//  Prints a string field with a Chinese label, if present.
void
cli_line (const char *label, const msgpack_object *obj, const char *key)
{
    const char *p;
    size_t len;
    if (yjc_obj_str (obj, key, &p, &len) && len) {
        cli_print_padded (stdout, label, 10);
        printf (" %.*s\n", (int)len, p);
    }
}

//  One problem as a clerk reads it: the message names the field as the
//  审核表 does and says what is allowed, in Chinese (the path and the
//  English detail are for --json).
static void
s_print_problem (const msgpack_object *problem, const char *lead)
{
    char message[600], code[48];
    yjc_obj_strcpy (problem, "message", message, sizeof message);
    int err =
        yjc_err_by_code (yjc_obj_strcpy (problem, "code", code, sizeof code));
    fprintf (stderr,
             "%s%s\n",
             lead,
             *message   ? message
             : err >= 0 ? yjc_err_zh ((yjc_err_t)err)
                        : "");
}

int
cli_print_error (cli_opts_t *opts, const yjc_reply_t *reply)
{
    if (opts->json) {
        printf ("{\"ok\": false, \"error\": ");
        char *text = yjc_json_from_object (reply->error, false);
        printf ("%s}\n", text ? text : "null");
        free (text);
        return 1;
    }
    const msgpack_object *details = yjc_obj_get (reply->error, "details");
    if (!details || details->type != MSGPACK_OBJECT_ARRAY) {
        s_print_problem (reply->error, "错误：");
        return 1;
    }
    fprintf (stderr, "错误：共 %u 处问题\n", details->via.array.size);
    for (uint32_t i = 0; i < details->via.array.size; i++)
        s_print_problem (&details->via.array.ptr[i], "  - ");
    return 1;
}

/* ---- talking to services ----------------------------------------------- */

int
cli_session_open (cli_session_t *self, cli_opts_t *opts, int service)
{
    memset (self, 0, sizeof *self);
    yjc_reply_init (&self->reply);
    if (!opts->as || !*opts->as) {
        fprintf (stderr,
                 "请用 --as 名称（或环境变量 YJC_ACTOR）指定以谁的身份操作\n");
        return -1;
    }
    self->keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    self->cert = yjc_keys_load_secret (self->keys, opts->as);
    if (!self->cert) {
        fprintf (stderr,
                 "找不到身份 %s 的密钥（%s/secret/%s.cert_secret）\n",
                 opts->as,
                 yjc_keys_dir (self->keys),
                 opts->as);
        return -1;
    }
    //  the vendor reaches the adapter on its own endpoint (R7)
    yjc_actor_t actor;
    bool vendor = service == YJC_SVC_PROVISIONING &&
                  yjc_keys_lookup (
                      self->keys, zcert_public_txt (self->cert), &actor) == 0 &&
                  actor.role == YJC_ROLE_VENDOR;
    self->client =
        vendor ? yjc_client_new_at (self->keys,
                                    service,
                                    yjc_config (YJC_CFG_VENDOR_EP),
                                    self->cert)
               : yjc_client_new_service (self->keys, service, self->cert);
    if (!self->client) {
        fprintf (stderr, "无法连接服务 %s\n", yjc_service_name (service));
        return -1;
    }
    return 0;
}

void
cli_session_close (cli_session_t *self)
{
    yjc_client_destroy (&self->client);
    zcert_destroy (&self->cert);
    yjc_keys_destroy (&self->keys);
    yjc_reply_release (&self->reply);
}

//  One request on an open session; returns the ok body, or NULL after
//  printing why not.
const msgpack_object *
cli_session_call (cli_session_t *self,
                  cli_opts_t *opts,
                  int service,
                  const char *type,
                  yjc_pack_t *body)
{
    if (yjc_client_call (self->client,
                         type,
                         body ? body->buf.data : NULL,
                         body ? body->buf.size : 0,
                         opts->timeout_ms,
                         &self->reply) != 0) {
        fprintf (stderr,
                 "服务 %s 无响应（%s）\n",
                 yjc_service_name (service),
                 yjc_config_endpoint (service));
        return NULL;
    }
    if (!self->reply.ok) {
        cli_print_error (opts, &self->reply);
        return NULL;
    }
    return self->reply.body;
}

//  One request; returns the ok body, or NULL after printing why not.
const msgpack_object *
cli_call (cli_session_t *self,
          cli_opts_t *opts,
          int service,
          const char *type,
          yjc_pack_t *body)
{
    if (cli_session_open (self, opts, service) != 0)
        return NULL;
    return cli_session_call (self, opts, service, type, body);
}

//  Calls, prints --json output if asked; returns the body for text output.
const msgpack_object *
cli_call_body (cli_session_t *session,
               cli_opts_t *opts,
               int service,
               const char *type,
               yjc_pack_t *body,
               bool *done)
{
    const msgpack_object *reply = cli_call (session, opts, service, type, body);
    *done = !reply || opts->json;
    if (reply && opts->json)
        cli_print_json (reply);
    return reply;
}

void
cli_pack_app (yjc_pack_t *body, const char *app_id, const char *opinion)
{
    yjc_pack_init (body);
    msgpack_pack_map (&body->pk, opinion ? 2 : 1);
    yjc_pk_kv_str (&body->pk, "app_id", app_id);
    if (opinion)
        yjc_pk_kv_str (&body->pk, "opinion", opinion);
}

/* ---- commands ---------------------------------------------------------- */

static int
s_cmd_status (cli_opts_t *opts)
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
                           s_services_zh[s],
                           ok ? "运行" : "停止",
                           version,
                           ok ? (db ? "可连接" : "不可连接") : "-",
                           count);
        }
        cli_session_close (&session);
    }
    if (opts->json)
        printf ("]}\n");
    else
        cli_table_print (table, stdout);
    cli_table_destroy (&table);
    return down ? 1 : 0;
}

static int
s_cmd_keys_init (cli_opts_t *opts)
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

static int
s_cmd_actor_add (cli_opts_t *opts)
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

static int
s_cmd_actor_list (cli_opts_t *opts)
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

static yjc_calendar_t *
s_calendar (void)
{
    char err[256];
    yjc_calendar_t *cal = yjc_calendar_load_default (err, sizeof err);
    if (!cal)
        fprintf (stderr, "无法读取工作日历：%s\n", err);
    return cal;
}

static int
s_parse_date (const char *text, yjc_date_t *d)
{
    if (yjc_date_parse (text, d) == 0)
        return 0;
    fprintf (stderr, "日期格式不正确：%s（应为 YYYY-MM-DD）\n", text);
    return -1;
}

static const char *s_weekdays[] = {
    "", "一", "二", "三", "四", "五", "六", "日"
};

//  Said after a result that rests on a provisional year
#define S_PROVISIONAL_ZH "暂定：该年放假安排尚未公布，按法定节假日推算"

static int
s_calendar_error (cli_opts_t *opts, const char *err)
{
    if (opts->json)
        printf ("{\"ok\": false, \"error\": {\"code\": "
                "\"calendar_uncovered\", \"message\": \"%s\"}}\n",
                err);
    else
        fprintf (
            stderr, "%s：%s\n", yjc_err_zh (YJC_E_CALENDAR_UNCOVERED), err);
    return 1;
}

static int
s_calendar_result (cli_opts_t *opts,
                   int rc,
                   const char *err,
                   const char *what,
                   yjc_date_t result,
                   bool provisional)
{
    char out[11];
    if (rc != 0)
        return s_calendar_error (opts, err);
    yjc_date_format (result, out);
    if (opts->json)
        printf ("{\"from\": \"%s\", \"%s\": \"%s\", \"result\": \"%s\", "
                "\"provisional\": %s}\n",
                opts->args[0],
                streq (what, "workdays") ? "n" : "period",
                opts->args[1],
                out,
                provisional ? "true" : "false");
    else if (provisional)
        printf ("%s（星期%s，" S_PROVISIONAL_ZH "）\n",
                out,
                s_weekdays[yjc_date_weekday (result)]);
    else
        printf ("%s（星期%s）\n", out, s_weekdays[yjc_date_weekday (result)]);
    return 0;
}

static int
s_cmd_calendar_workdays (cli_opts_t *opts)
{
    yjc_date_t d, out = { 0, 0, 0 };
    char *end;
    long n = strtol (opts->args[1], &end, 10);
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    if (*end || n < 0 || n > 10000) {
        fprintf (stderr, "工作日数应为 0 到 10000 的整数：%s\n", opts->args[1]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    char err[128] = "";
    int rc = yjc_calendar_add_workdays (cal, d, (int)n, &out, err, sizeof err);
    bool provisional = rc == 0 && yjc_calendar_provisional_span (cal, d, out);
    yjc_calendar_destroy (&cal);
    return s_calendar_result (opts, rc, err, "workdays", out, provisional);
}

static int
s_cmd_calendar_period (cli_opts_t *opts)
{
    yjc_date_t d, out = { 0, 0, 0 };
    int n;
    char unit;
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    if (yjc_period_parse (opts->args[1], &n, &unit) != 0) {
        fprintf (
            stderr, "期限格式不正确：%s（如 15d、3m、3y）\n", opts->args[1]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    char err[128] = "";
    int rc = yjc_calendar_period_end (cal, d, n, unit, &out, err, sizeof err);
    bool provisional = rc == 0 && yjc_calendar_provisional_span (cal, d, out);
    yjc_calendar_destroy (&cal);
    return s_calendar_result (opts, rc, err, "period", out, provisional);
}

static int
s_cmd_calendar_is_workday (cli_opts_t *opts)
{
    yjc_date_t d;
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    bool yes = false;
    char err[128] = "";
    int rc = yjc_calendar_is_workday (cal, d, &yes, err, sizeof err);
    bool provisional = yjc_calendar_is_provisional (cal, d.y);
    yjc_calendar_destroy (&cal);
    if (rc != 0) {
        fprintf (
            stderr, "%s：%s\n", yjc_err_zh (YJC_E_CALENDAR_UNCOVERED), err);
        return 1;
    }
    if (opts->json)
        printf ("{\"date\": \"%s\", \"workday\": %s, \"provisional\": %s}\n",
                opts->args[0],
                yes ? "true" : "false",
                provisional ? "true" : "false");
    else
        printf ("%s%s\n",
                yes ? "是（工作日）" : "否（休息日）",
                provisional ? "（" S_PROVISIONAL_ZH "）" : "");
    return 0;
}

//  A year's holidays: the published rows, or the provisional statutory
//  days with their 补假 (requirements.md, "Years without a published
//  arrangement").
static int
s_cmd_calendar_show (cli_opts_t *opts)
{
    char *end;
    long year = strtol (opts->args[0], &end, 10);
    if (*end || end == opts->args[0] || year < YJC_DATE_YEAR_MIN ||
        year > YJC_DATE_YEAR_MAX) {
        fprintf (stderr, "年份应为四位数字：%s\n", opts->args[0]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    static yjc_calendar_day_t days[YJC_CALENDAR_YEAR_DAYS_MAX];
    size_t n = 0;
    bool provisional = false;
    char err[128] = "";
    int rc = yjc_calendar_year (cal,
                                (int)year,
                                days,
                                YJC_CALENDAR_YEAR_DAYS_MAX,
                                &n,
                                &provisional,
                                err,
                                sizeof err);
    yjc_calendar_destroy (&cal);
    if (rc != 0)
        return s_calendar_error (opts, err);
    if (opts->json) {
        yjc_pack_t pack;
        yjc_pack_init (&pack);
        msgpack_packer *pk = &pack.pk;
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_int (pk, "year", year);
        yjc_pk_str (pk, "provisional");
        provisional ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        yjc_pk_str (pk, "days");
        msgpack_pack_array (pk, n);
        for (size_t i = 0; i < n; i++) {
            char date[11];
            yjc_date_format (days[i].date, date);
            msgpack_pack_map (pk, 4);
            yjc_pk_kv_str (pk, "date", date);
            yjc_pk_kv_str (pk, "kind", days[i].work ? "work" : "off");
            yjc_pk_kv_str (pk, "name", days[i].name);
            yjc_pk_str (pk, "makeup");
            days[i].makeup ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        }
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, pack.buf.data, pack.buf.size, NULL);
        cli_print_json (&un.data);
        msgpack_unpacked_destroy (&un);
        yjc_pack_release (&pack);
        return 0;
    }
    if (provisional)
        printf (
            "%ld 年：暂定（国务院尚未公布放假安排；按《全国年节及纪念日"
            "放假办法》推算，节日逢周六、周日在其后的工作日补假，不含调休）\n",
            year);
    else
        printf ("%ld 年：已公布（国务院办公厅放假安排）\n", year);
    for (size_t i = 0; i < n; i++) {
        char date[11];
        yjc_date_format (days[i].date, date);
        printf ("%s 星期%s  %s  %s%s\n",
                date,
                s_weekdays[yjc_date_weekday (days[i].date)],
                days[i].work ? "上班" : "休息",
                days[i].name,
                days[i].makeup ? "（补假）" : "");
    }
    return 0;
}

//  An empty form, derived from its one definition in proto/: each value
//  shows what goes there ("a|b|c" lists the choices).
static void
s_pack_template (msgpack_packer *pk, const yjc_schema_t *schema)
{
    int n = 0;
    for (const yjc_field_t *f = schema->fields; f->key; f++)
        n++;
    msgpack_pack_map (pk, n);
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        yjc_pk_str (pk, f->key);
        switch (f->kind) {
            case YJC_K_INT: msgpack_pack_int (pk, 0); break;
            case YJC_K_BOOL: msgpack_pack_false (pk); break;
            case YJC_K_DATE: yjc_pk_str (pk, "YYYY-MM-DD"); break;
            case YJC_K_ENUM: yjc_pk_str (pk, f->enumv); break;
            case YJC_K_MAP: s_pack_template (pk, f->sub); break;
            case YJC_K_ARR_MAP:
                msgpack_pack_array (pk, 1);
                s_pack_template (pk, f->sub);
                break;
            case YJC_K_ARR_ENUM:
                msgpack_pack_array (pk, 1);
                yjc_pk_str (pk, f->enumv);
                break;
            case YJC_K_ARR_STR:
                msgpack_pack_array (pk, 1);
                yjc_pk_str (pk, "");
                break;
            default: yjc_pk_str (pk, ""); break;
        }
    }
}

static int
s_cmd_form_template (cli_opts_t *opts)
{
    (void)opts;
    yjc_pack_t form;
    yjc_pack_init (&form);
    s_pack_template (&form.pk, &yjc_schema_form);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, form.buf.data, form.buf.size, NULL);
    cli_print_json (&un.data);
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&form);
    return 0;
}

//  Reads a JSON file into msgpack appended to `out`; 0, or 2 after saying
//  why not.
int
cli_read_json (const char *path, msgpack_sbuffer *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen (path, "rb");
    if (f) {
        text = (char *)malloc (YJC_MAX_FRAME + 1);
        len = text ? fread (text, 1, YJC_MAX_FRAME + 1, f) : 0;
        fclose (f);
    }
    char err[160] = "";
    int rc = !text || len > YJC_MAX_FRAME
                 ? -1
                 : yjc_json_to_msgpack (text, len, out, err, sizeof err);
    free (text);
    if (rc != 0)
        fprintf (stderr, "无法读取 %s%s%s\n", path, *err ? "：" : "", err);
    return rc ? 2 : 0;
}

//  --attach KIND=FILE: KIND is one of proto's materials.
static int
s_parse_attach (const char *spec, int *kind, const char **path)
{
    const char *eq = strchr (spec, '=');
    *kind = eq ? yjc_material_by_wire (spec, (size_t)(eq - spec)) : -1;
    if (*kind >= 0 && eq[1]) {
        *path = eq + 1;
        return 0;
    }
    fprintf (stderr, "--attach 应为“材料种类=文件”，材料种类：\n");
    for (int k = 0; k < YJC_MAT_COUNT; k++)
        fprintf (stderr,
                 "  %-22s %s\n",
                 yjc_material_defs[k].wire,
                 yjc_material_defs[k].zh);
    return 2;
}

//  Uploads one file on an open session; 0, or the exit code after
//  saying why not.
int
cli_upload (cli_session_t *session,
            cli_opts_t *opts,
            const char *path,
            const char *what_zh,
            files_info_t *info)
{
    int rc = files_upload (
        session->client, opts->timeout_ms, path, info, &session->reply);
    if (rc == 1)
        cli_print_error (opts, &session->reply);
    else if (rc == 3)
        fprintf (stderr, "服务 intake 无响应（上传 %s）\n", path);
    else if (rc == 0 && !opts->json)
        printf ("已上传%s %s：%lld 字节，SHA-256 %s，附件编号 %s\n",
                what_zh,
                path,
                (long long)info->size,
                info->sha256,
                info->att_id);
    return rc;
}

//  Uploads every --attach file and packs "attachments" for the submit.
int
cli_upload_materials (cli_session_t *session,
                      cli_opts_t *opts,
                      msgpack_packer *pk)
{
    yjc_pk_str (pk, "attachments");
    msgpack_pack_array (pk, (uint32_t)opts->nattach);
    for (int i = 0; i < opts->nattach; i++) {
        int kind;
        const char *path;
        files_info_t info;
        int rc = s_parse_attach (opts->attach[i], &kind, &path);
        if (rc == 0)
            rc = cli_upload (
                session, opts, path, yjc_material_defs[kind].zh, &info);
        if (rc != 0)
            return rc;
        msgpack_pack_map (pk, 2);
        yjc_pk_kv_str (pk, "kind", yjc_material_defs[kind].wire);
        yjc_pk_kv_str (pk, "att_id", info.att_id);
    }
    return 0;
}

//  apply FORM.json --attach KIND=FILE ...: R8, the form and its materials.
static int
s_cmd_apply (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, opts->nattach ? 2 : 1);
    yjc_pk_str (&body.pk, "form");
    int rc = cli_read_json (opts->args[0], &body.buf);
    cli_session_t session;
    bool open =
        rc == 0 && cli_session_open (&session, opts, YJC_SVC_INTAKE) == 0;
    if (rc == 0 && !open)
        rc = 1;
    if (open && opts->nattach)
        rc = cli_upload_materials (&session, opts, &body.pk);
    const msgpack_object *b = NULL;
    if (open && rc == 0) {
        b = cli_session_call (
            &session, opts, YJC_SVC_INTAKE, "application.submit", &body);
        if (b && opts->json)
            cli_print_json (b);
        else if (b) {
            char app_id[33];
            printf ("申请已提交，申请编号 %s\n",
                    yjc_obj_strcpy (b, "app_id", app_id, sizeof app_id));
        }
        rc = b ? 0 : 1;
    }
    if (open)
        cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

//  R9.2, R12.1: --grant GRANT.json as "granted", the bureau's grant line
//  by line (yjcloud form template, its "resources" part); 0 or 2.
int
cli_pack_grant (cli_opts_t *opts, yjc_pack_t *body)
{
    if (!opts->grant)
        return 0;
    yjc_pk_str (&body->pk, "granted");
    return cli_read_json (opts->grant, &body->buf);
}

static void
s_print_file_json (const files_info_t *info)
{
    printf ("{\"att_id\": \"%s\", \"size\": %lld, \"sha256\": \"%s\"}\n",
            info->att_id,
            (long long)info->size,
            info->sha256);
}

//  attachment put FILE: a material uploaded alone (for a later step).
static int
s_cmd_attachment_put (cli_opts_t *opts)
{
    cli_session_t session;
    if (cli_session_open (&session, opts, YJC_SVC_INTAKE) != 0)
        return 1;
    files_info_t info;
    int rc = cli_upload (&session, opts, opts->args[0], "", &info);
    if (rc == 0 && opts->json)
        s_print_file_json (&info);
    cli_session_close (&session);
    return rc;
}

//  attachment get ATT [--out FILE]: downloaded and checked by its SHA-256.
static int
s_cmd_attachment_get (cli_opts_t *opts)
{
    cli_session_t session;
    if (cli_session_open (&session, opts, YJC_SVC_INTAKE) != 0)
        return 1;
    files_info_t info;
    int rc = files_download (session.client,
                             opts->timeout_ms,
                             opts->args[0],
                             opts->out,
                             &info,
                             &session.reply);
    if (rc == 1)
        cli_print_error (opts, &session.reply);
    else if (rc == 3)
        fprintf (stderr, "服务 intake 无响应\n");
    else if (rc == 0 && opts->json)
        s_print_file_json (&info);
    else if (rc == 0)
        printf ("已下载附件 %s：%lld 字节，SHA-256 %s 校验一致\n",
                info.att_id,
                (long long)info.size,
                info.sha256);
    cli_session_close (&session);
    return rc;
}

//  accept / decline / approve / reject / withdraw: one shape.
static int
s_decision (cli_opts_t *opts, const char *type, const char *done_zh)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      1 + (opts->opinion != NULL) + (opts->grant != NULL));
    yjc_pk_kv_str (&body.pk, "app_id", opts->args[0]);
    if (opts->opinion)
        yjc_pk_kv_str (&body.pk, "opinion", opts->opinion);
    if (cli_pack_grant (opts, &body) != 0) {
        yjc_pack_release (&body);
        return 2;
    }
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, YJC_SVC_REVIEW, type, &body, &done);
    if (!done) {
        printf ("%s：%s\n", opts->args[0], done_zh);
        cli_line ("编号", b, "number");
        cli_line ("审核期限", b, "decide_due");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

static int
s_cmd_accept (cli_opts_t *opts)
{
    return s_decision (opts, "review.accept", "已受理");
}

static int
s_cmd_decline (cli_opts_t *opts)
{
    return s_decision (opts, "review.decline", "不予受理");
}

static int
s_cmd_approve (cli_opts_t *opts)
{
    return s_decision (
        opts, "review.approve", "审核通过，已通知供应商开通测试环境");
}

static int
s_cmd_reject (cli_opts_t *opts)
{
    return s_decision (opts, "review.reject", "审核未通过");
}

static int
s_cmd_withdraw (cli_opts_t *opts)
{
    return s_decision (opts, "review.withdraw", "已撤回");
}

static int
s_cmd_show (cli_opts_t *opts)
{
    yjc_pack_t body;
    cli_pack_app (&body, opts->args[0], NULL);
    cli_session_t intake, review;
    const msgpack_object *a =
        cli_call (&intake, opts, YJC_SVC_INTAKE, "application.get", &body);
    const msgpack_object *r =
        a ? cli_call (&review, opts, YJC_SVC_REVIEW, "review.get", &body)
          : NULL;
    if (!a)
        memset (&review, 0, sizeof review);
    if (a && opts->json) {
        printf ("{\"application\": ");
        char *text = yjc_json_from_object (a, false);
        printf ("%s, \"review\": ", text ? text : "null");
        free (text);
        text = r ? yjc_json_from_object (r, false) : NULL;
        printf ("%s}\n", text ? text : "null");
        free (text);
    }
    else if (a) {
        char state[33];
        printf ("永嘉县政务云平台资源申请审核表\n");
        cli_line ("编号", a, "number");
        cli_line ("申请编号", a, "app_id");
        cli_line ("申请单位", a, "unit");
        cli_line ("项目名称", a, "project");
        cli_print_padded (stdout, "当前状态", 10);
        printf (
            " %s\n",
            yjc_state_zh (yjc_obj_strcpy (a, "state", state, sizeof state)));
        cli_line ("提交时间", a, "submitted_at");
        char from[11];
        int64_t months = 0, days = 0;
        yjc_obj_int (a, "usage_months", &months);
        yjc_obj_int (a, "usage_days", &days);
        if (*yjc_obj_strcpy (a, "usage_from", from, sizeof from)) {
            cli_print_padded (stdout, "使用期限", 10);
            printf (" 自 %s 起 %lld %s（R14.1，自转为正式环境起）\n",
                    from,
                    (long long)(months > 0 ? months : days),
                    months > 0 ? "个月" : "日");
        }
        const msgpack_object *granted = r ? yjc_obj_get (r, "granted") : NULL;
        form_render (stdout,
                     yjc_obj_get (a, "form"),
                     granted && granted->type == MSGPACK_OBJECT_MAP ? granted
                                                                    : NULL);
        form_render_materials (stdout, yjc_obj_get (a, "materials"));
        if (r)
            cli_print_lifecycle (r);
        printf ("审核\n");
        if (r) {
            cli_line ("受理期限", r, "accept_due");
            cli_line ("期限依据", r, "accept_rule");
            cli_line ("审核期限", r, "decide_due");
            cli_line ("期限依据", r, "decide_rule");
            cli_line ("审核意见", r, "opinion");
            int64_t late;
            char due[16];
            if (yjc_obj_int (r, "late_workdays", &late)) {
                //  the application's own step (R9.1, R9.2) is the bureau's
                cli_print_padded (stdout, "逾期", 10);
                printf (" 已逾期 %lld 个工作日（期限 %s，%s办理）\n",
                        (long long)late,
                        yjc_obj_strcpy (r, "pending_due", due, sizeof due),
                        yjc_parties[YJC_PARTY_BUREAU].zh);
            }
        }
        const msgpack_object *h = yjc_obj_get (a, "history");
        printf ("办理过程：\n");
        cli_table_t *table = cli_table_new (3, 2);
        for (uint32_t i = 0; h && i < h->via.array.size; i++) {
            const msgpack_object *e = &h->via.array.ptr[i];
            char at[32], st[48], note[256];
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "at", at, sizeof at),
                cli_history_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "note", note, sizeof note));
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = a ? 0 : 1;
    cli_session_close (&intake);
    if (a)
        cli_session_close (&review);
    yjc_pack_release (&body);
    return rc;
}

//  The step one application of review.pending's list waits for: the
//  earliest (the list is by deadline), or NULL when it owes nothing.
static const msgpack_object *
s_pending_of (const msgpack_object *pending, const char *app_id)
{
    for (uint32_t i = 0; pending && pending->type == MSGPACK_OBJECT_ARRAY &&
                         i < pending->via.array.size;
         i++) {
        const msgpack_object *p = &pending->via.array.ptr[i];
        char id[33];
        if (streq (yjc_obj_strcpy (p, "app_id", id, sizeof id), app_id))
            return p;
    }
    return NULL;
}

//  "2026-12-03" or "2026-12-03 逾期2个工作日": a pending step's deadline.
static const char *
s_due_text (const msgpack_object *p, char *out, size_t size)
{
    char due[16];
    int64_t late = 0;
    yjc_obj_strcpy (p, "due", due, sizeof due);
    if (yjc_obj_int (p, "late_workdays", &late) && late > 0)
        snprintf (out, size, "%s 逾期%lld个工作日", due, (long long)late);
    else
        snprintf (out, size, "%s", due);
    return out;
}

static int
s_cmd_list (cli_opts_t *opts)
{
    if (opts->overdue && (opts->state || opts->unit || opts->year)) {
        fprintf (stderr, "选项 --overdue 不与 --state、--unit、--year 同用\n");
        return 2;
    }
    if (opts->overdue)
        return cli_cmd_overdue (opts);
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      (opts->state != NULL) + (opts->unit != NULL) +
                          (opts->year != 0));
    if (opts->state)
        yjc_pk_kv_str (&body.pk, "state", opts->state);
    if (opts->unit)
        yjc_pk_kv_str (&body.pk, "unit", opts->unit);
    if (opts->year)
        yjc_pk_kv_int (&body.pk, "year", opts->year);
    cli_session_t session, review;
    const msgpack_object *b =
        cli_call (&session, opts, YJC_SVC_INTAKE, "application.list", &body);
    //  the deadline of the step each one waits for (R9.1, R9.2), from
    //  review; the list stands without it if review does not answer
    yjc_pack_t query;
    yjc_pack_init (&query);
    msgpack_pack_map (&query.pk, 1);
    yjc_pk_kv_int (&query.pk, "limit", 500);
    const msgpack_object *r =
        b ? cli_call (&review, opts, YJC_SVC_REVIEW, "review.pending", &query)
          : NULL;
    const msgpack_object *pending = r ? yjc_obj_get (r, "pending") : NULL;
    if (b && opts->json) {
        char *apps =
            yjc_json_from_object (yjc_obj_get (b, "applications"), false);
        char *due = pending ? yjc_json_from_object (pending, false) : NULL;
        printf ("{\"applications\": %s, \"pending\": %s}\n",
                apps ? apps : "[]",
                due ? due : "null");
        free (apps);
        free (due);
    }
    else if (b) {
        const msgpack_object *list = yjc_obj_get (b, "applications");
        cli_table_t *table = cli_table_new (7, 0);
        cli_table_row (table,
                       "申请编号",
                       "提交时间",
                       "状态",
                       "应办事项",
                       "谁办",
                       "办理期限",
                       "单位 / 项目");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], at[32], st[33], unit[129], project[129];
            char step[33] = "", owed[16] = "", due[64] = "", who[300];
            yjc_obj_strcpy (e, "app_id", id, sizeof id);
            const msgpack_object *p = s_pending_of (pending, id);
            snprintf (who,
                      sizeof who,
                      "%s / %s",
                      yjc_obj_strcpy (e, "unit", unit, sizeof unit),
                      yjc_obj_strcpy (e, "project", project, sizeof project));
            cli_table_row (
                table,
                id,
                yjc_obj_strcpy (e, "submitted_at", at, sizeof at),
                yjc_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                p ? cli_step_zh (p, step, sizeof step) : "",
                p ? cli_owed_by_zh (p, owed, sizeof owed) : "",
                p ? s_due_text (p, due, sizeof due) : "",
                who);
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    if (b)
        cli_session_close (&review);
    yjc_pack_release (&body);
    yjc_pack_release (&query);
    return rc;
}

static int
s_cmd_orders (cli_opts_t *opts)
{
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_PROVISIONING, "order.fetch", NULL, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "orders");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "订单", "申请", "类型", "状态", "交付期限");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], app[33], kind[17], st[17], due[11];
            cli_table_row (
                table,
                yjc_obj_strcpy (e, "order_id", id, sizeof id),
                yjc_obj_strcpy (e, "app_id", app, sizeof app),
                yjc_order_zh (yjc_obj_strcpy (e, "kind", kind, sizeof kind)),
                yjc_order_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)),
                yjc_obj_strcpy (e, "deadline", due, sizeof due));
        }
        if (cli_table_rows (table) == 1)
            printf ("（没有待处理订单）\n");
        else
            cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    return rc;
}

static int
s_cmd_allocations (cli_opts_t *opts)
{
    yjc_pack_t body;
    cli_pack_app (&body, opts->args[0], NULL);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_BILLING, "billing.allocations", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "allocations");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "订单", "阶段", "资源项", "起", "止");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char id[33], stage[17], from[32], to[32], lines_text[24];
            int64_t lines = 0;
            yjc_obj_strcpy (e, "to", to, sizeof to);
            yjc_obj_int (e, "lines", &lines);
            snprintf (lines_text, sizeof lines_text, "%lld", (long long)lines);
            cli_table_row (table,
                           yjc_obj_strcpy (e, "order_id", id, sizeof id),
                           yjc_interval_zh (yjc_obj_strcpy (
                               e, "stage", stage, sizeof stage)),
                           lines_text,
                           yjc_obj_strcpy (e, "from", from, sizeof from),
                           *to ? to : "（使用中）");
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

static int
s_cmd_audit_events (cli_opts_t *opts)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk,
                      (opts->app ? 1 : 0) + (opts->after ? 1 : 0) +
                          (opts->limit ? 1 : 0));
    if (opts->app)
        yjc_pk_kv_str (&body.pk, "app_id", opts->app);
    if (opts->after)
        yjc_pk_kv_int (&body.pk, "after", opts->after);
    if (opts->limit)
        yjc_pk_kv_int (&body.pk, "limit", opts->limit);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_AUDIT, "audit.events", &body, &done);
    if (!done) {
        const msgpack_object *list = yjc_obj_get (b, "events");
        cli_table_t *table = cli_table_new (5, 0);
        cli_table_row (table, "序号", "发生时间", "来源", "申请", "事件");
        for (uint32_t i = 0; list && i < list->via.array.size; i++) {
            const msgpack_object *e = &list->via.array.ptr[i];
            char at[40], source[33], app[33], type[65], seq_text[24];
            int64_t seq = 0;
            yjc_obj_strcpy (e, "type", type, sizeof type);
            yjc_obj_int (e, "seq", &seq);
            snprintf (seq_text, sizeof seq_text, "%lld", (long long)seq);
            int t = yjc_event_by_wire (type, strlen (type));
            cli_table_row (table,
                           seq_text,
                           yjc_obj_strcpy (e, "at", at, sizeof at),
                           s_service_zh (yjc_obj_strcpy (
                               e, "source", source, sizeof source)),
                           yjc_obj_strcpy (e, "app_id", app, sizeof app),
                           t >= 0 ? yjc_event_defs[t].zh : type);
        }
        cli_table_print (table, stdout);
        cli_table_destroy (&table);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}

/* ---- the command table ------------------------------------------------- */

typedef struct {
    const char *words; //  "calendar workdays"
    int nargs;         //  positional arguments after the words
    cli_command_fn *fn;
    const char *usage; //  arguments and options: the only ones it takes
    const char *help;  //  in Chinese
} s_command_t;

static const s_command_t s_commands[] = {
    { "status",
      0,
      s_cmd_status,
      "",
      "各服务运行状态、版本、数据库、待投递事件" },
    { "keys init",
      0,
      s_cmd_keys_init,
      "",
      "生成各服务自己的密钥（已有则保留）" },
    { "actor add",
      1,
      s_cmd_actor_add,
      "名称 --role 角色 [--unit 单位]",
      "新增身份（unit/bureau/vendor/auditor/admin）及其密钥" },
    { "actor list", 0, s_cmd_actor_list, "", "列出全部身份" },
    { "calendar workdays",
      2,
      s_cmd_calendar_workdays,
      "DATE N",
      "DATE 之后第 N 个工作日（期限截止日）" },
    { "calendar period",
      2,
      s_cmd_calendar_period,
      "DATE 15d|3m|3y",
      "自 DATE 起的期间届满日（遇休息日顺延）" },
    { "calendar is-workday",
      1,
      s_cmd_calendar_is_workday,
      "DATE",
      "是否工作日" },
    { "calendar show",
      1,
      s_cmd_calendar_show,
      "YEAR",
      "该年节假日；尚未公布的年份按法定节假日暂定" },
    { "form template",
      0,
      s_cmd_form_template,
      "",
      "打印空白申请表（JSON，按 proto 定义；a|b 表示可选值）" },
    { "apply",
      1,
      s_cmd_apply,
      "申请表.json [--attach 材料种类=文件]…",
      "提交资源申请审核表及申请材料（单位）" },
    { "attachment put",
      1,
      s_cmd_attachment_put,
      "文件",
      "上传一份材料（≤20 MiB），得到附件编号" },
    { "attachment get",
      1,
      s_cmd_attachment_get,
      "附件编号 [--out 文件]",
      "下载材料并核对 SHA-256" },
    { "list",
      0,
      s_cmd_list,
      "[--state 状态] [--unit 单位] [--year 年份] 或 --overdue",
      "申请列表；--overdue：逾期事项，谁办、期限、逾期几个工作日" },
    { "show", 1, s_cmd_show, "申请编号", "查看申请及办理过程" },
    { "accept", 1, s_cmd_accept, "申请编号", "受理（主管部门）" },
    { "decline",
      1,
      s_cmd_decline,
      "申请编号 --opinion 意见",
      "不予受理（主管部门）" },
    { "approve",
      1,
      s_cmd_approve,
      "申请编号 [--opinion 意见] [--grant 核定.json]",
      "审核通过，可按项核减（主管部门）" },
    { "reject",
      1,
      s_cmd_reject,
      "申请编号 --opinion 意见",
      "审核不通过（主管部门）" },
    { "withdraw",
      1,
      s_cmd_withdraw,
      "申请编号 [--opinion 意见]",
      "撤回本单位尚未决定的申请（单位）" },
    { "orders", 0, s_cmd_orders, "", "待处理订单（供应商）" },
    { "extend",
      1,
      cli_cmd_extend,
      "申请编号 --until 日期 --reason 理由",
      "申请延长测试期（单位，R10.2）" },
    { "golive",
      1,
      cli_cmd_golive,
      "申请编号 --function 结果 --performance 结果 --security 结果 "
      "[--report 文件 --lab 测评机构 --cnas 认可编号]",
      "申请上线；等保三级须附第三方测评报告（单位，R10.3）" },
    { "change",
      2,
      cli_cmd_change,
      "申请编号 资源.json --reason 理由 [--major --attach 材料种类=文件…] "
      "[--emergency 订单编号]",
      "申请资源变更，或补办紧急变更手续（单位，R12）" },
    { "terminate",
      1,
      cli_cmd_terminate,
      "申请编号 --offline-confirmed --data backed_up|migrated --reason 理由",
      "申请终止服务（单位，R13.1）" },
    { "emergency",
      2,
      cli_cmd_emergency,
      "申请编号 资源.json --reason 情况说明",
      "紧急变更报备，先实施后补手续（单位或供应商，R12.3）" },
    { "reorder",
      1,
      cli_cmd_reorder,
      "订单编号 [--opinion 意见]",
      "对供应商交付失败的订单重新下单（主管部门）" },
    { "request approve",
      1,
      cli_cmd_request_approve,
      "申请事项编号 [--opinion 意见] [--grant 核定.json] [--until 日期]",
      "同意申请事项（主管部门）" },
    { "request reject",
      1,
      cli_cmd_request_reject,
      "申请事项编号 --opinion 意见",
      "不同意申请事项（主管部门）" },
    { "allocations", 1, s_cmd_allocations, "申请编号", "资源分配与计费区间" },
    { "audit events",
      0,
      s_cmd_audit_events,
      "[--app 申请编号] [--after 序号] [--limit 条数]",
      "审计记录（审计、主管部门）" },
};

static void
s_usage (FILE *out)
{
    fprintf (out, "用法：yjcloud [--as 身份] [--json] 命令 …\n\n命令：\n");
    cli_table_t *table = cli_table_new (3, 2);
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++)
        cli_table_row (table,
                       s_commands[i].words,
                       s_commands[i].help,
                       s_commands[i].usage);
    cli_table_print (table, out);
    cli_table_destroy (&table);
    fprintf (out,
             "\n选项：--as 身份（或 YJC_ACTOR）以该身份操作；--json 输出 "
             "JSON；--timeout 毫秒。\n");
}

//  True when the command's usage names --`option`: a command takes the
//  options its usage shows, and those every command takes, no others.
static bool
s_takes (const s_command_t *cmd, const char *option)
{
    static const char *everywhere[] = { "as", "json", "timeout", "help" };
    for (size_t i = 0; i < sizeof everywhere / sizeof *everywhere; i++)
        if (streq (option, everywhere[i]))
            return true;
    size_t n = strlen (option);
    for (const char *p = strstr (cmd->usage, "--"); p; p = strstr (p + 2, "--"))
        if (strncmp (p + 2, option, n) == 0 &&
            !(isalnum ((unsigned char)p[2 + n]) || p[2 + n] == '-'))
            return true;
    return false;
}

//  An integer option's value; false after saying why not.
static bool
s_integer (const char *option, const char *text, int64_t *value)
{
    char *end;
    errno = 0;
    long long n = strtoll (text, &end, 10);
    if (errno || end == text || *end || n < 0) {
        fprintf (stderr, "选项 --%s 应为非负整数：%s\n", option, text);
        return false;
    }
    *value = n;
    return true;
}

//  Finds the command whose words start argv; sets *used to their count.
static const s_command_t *
s_find (int argc, char **argv, int *used)
{
    for (size_t i = 0; i < sizeof s_commands / sizeof *s_commands; i++) {
        char words[64];
        snprintf (words, sizeof words, "%s", s_commands[i].words);
        int n = 0;
        bool match = true;
        for (char *w = strtok (words, " "); w; w = strtok (NULL, " "), n++)
            if (n >= argc || !streq (argv[n], w))
                match = false;
        if (match) {
            *used = n;
            return &s_commands[i];
        }
    }
    return NULL;
}

int
main (int argc, char **argv)
{
    //  display widths of Chinese text (table.c)
    if (!setlocale (LC_CTYPE, "C.UTF-8"))
        setlocale (LC_CTYPE, "");
    zsys_init ();
    zsys_set_logstream (stderr);
    cli_opts_t opts = { .as = yjc_config (YJC_CFG_ACTOR), .timeout_ms = 10000 };
    static struct option longopts[] = {
        { "as", required_argument, 0, 'a' },
        { "json", no_argument, 0, 'j' },
        { "timeout", required_argument, 0, 't' },
        { "opinion", required_argument, 0, 'o' },
        { "role", required_argument, 0, 'r' },
        { "unit", required_argument, 0, 'u' },
        { "state", required_argument, 0, 's' },
        { "app", required_argument, 0, 'p' },
        { "after", required_argument, 0, 'f' },
        { "limit", required_argument, 0, 'l' },
        { "overdue", no_argument, 0, 'O' },
        { "grant", required_argument, 0, 'g' },
        { "year", required_argument, 0, 'y' },
        { "attach", required_argument, 0, 'A' },
        { "until", required_argument, 0, 'U' },
        { "reason", required_argument, 0, 'R' },
        { "function", required_argument, 0, 'F' },
        { "performance", required_argument, 0, 'P' },
        { "security", required_argument, 0, 'S' },
        { "report", required_argument, 0, 'T' },
        { "lab", required_argument, 0, 'L' },
        { "cnas", required_argument, 0, 'C' },
        { "major", no_argument, 0, 'M' },
        { "offline-confirmed", no_argument, 0, 'N' },
        { "emergency", required_argument, 0, 'E' },
        { "data", required_argument, 0, 'D' },
        { "out", required_argument, 0, 'w' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    //  GNU getopt permutes: options may stand anywhere, and the command's
    //  words and arguments end up in argv[optind..].
    //  the options given, checked against the command's once it is known
    const char *given[64];
    int ngiven = 0;
    int64_t number = 0;
    int c, index = -1;
    opterr = 0; //  said in Chinese below
    while ((c = getopt_long (argc, argv, ":", longopts, &index)) != -1) {
        if (c == '?' || c == ':') {
            fprintf (stderr,
                     c == ':' ? "选项 %s 缺少取值\n" : "没有选项 %s\n",
                     argv[optind - 1]);
            fprintf (stderr, "（yjcloud --help 列出全部命令及其选项）\n");
            return 2;
        }
        if (index >= 0 && ngiven < 64)
            given[ngiven++] = longopts[index].name;
        if ((c == 't' || c == 'f' || c == 'l' || c == 'y') &&
            !s_integer (longopts[index].name, optarg, &number))
            return 2;
        index = -1;
        switch (c) {
            case 'a': opts.as = optarg; break;
            case 'j': opts.json = true; break;
            case 't':
                opts.timeout_ms =
                    number > 0 && number < 3600000 ? (int)number : 10000;
                break;
            case 'o': opts.opinion = optarg; break;
            case 'r': opts.role = optarg; break;
            case 'u': opts.unit = optarg; break;
            case 's': opts.state = optarg; break;
            case 'p': opts.app = optarg; break;
            case 'f': opts.after = number; break;
            case 'l': opts.limit = number; break;
            case 'O': opts.overdue = true; break;
            case 'g': opts.grant = optarg; break;
            case 'y': opts.year = number; break;
            case 'A':
                if (opts.nattach == 32) {
                    fprintf (stderr, "--attach 最多 32 份\n");
                    return 2;
                }
                opts.attach[opts.nattach++] = optarg;
                break;
            case 'w': opts.out = optarg; break;
            case 'U': opts.until = optarg; break;
            case 'R': opts.reason = optarg; break;
            case 'F': opts.function = optarg; break;
            case 'P': opts.performance = optarg; break;
            case 'S': opts.security = optarg; break;
            case 'T': opts.report = optarg; break;
            case 'L': opts.lab = optarg; break;
            case 'C': opts.cnas = optarg; break;
            case 'M': opts.major = true; break;
            case 'N': opts.offline_confirmed = true; break;
            case 'E': opts.emergency = optarg; break;
            case 'D': opts.data = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    int used = 0;
    const s_command_t *cmd = s_find (argc - optind, argv + optind, &used);
    if (!cmd) {
        s_usage (stderr);
        return 2;
    }
    for (int i = 0; i < ngiven; i++)
        if (!s_takes (cmd, given[i])) {
            fprintf (stderr,
                     "命令 %s 不接受选项 --%s（用法：yjcloud %s %s）\n",
                     cmd->words,
                     given[i],
                     cmd->words,
                     cmd->usage);
            return 2;
        }
    opts.args = argv + optind + used;
    opts.nargs = argc - optind - used;
    if (opts.nargs != cmd->nargs) {
        fprintf (stderr, "用法：yjcloud %s %s\n", cmd->words, cmd->usage);
        return 2;
    }
    return cmd->fn (&opts);
}
