/*  cli.c - what the commands of yjcloud share: a session with one
    service as the --as actor, one request on it, and how its reply or
    its error is shown; the JSON files and the materials a request
    carries.  It knows no command (see cli.h).                          */
#include "cli.h"
#include "table.h"
#include "yjc_config.h"
#include "yjc_json.h"

/* ---- output ------------------------------------------------------------ */

void
cli_print_json (const msgpack_object *obj)
{
    char *text = yjc_json_from_object (obj, true);
    printf ("%s\n", text ? text : "null");
    free (text);
}

//  A service's Chinese name (proto/yjc_services.def) from its wire name.
const char *
cli_service_zh (const char *name)
{
    for (int i = 0; i < YJC_SVC_COUNT; i++)
        if (streq (yjc_service_name (i), name))
            return yjc_service_zh (i);
    return name;
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

//  Why a call got no reply, as a clerk can act on it: the service refused
//  the --as key in the handshake (an actor not registered, or revoked:
//  call IT about the key, not about an outage), or it did not answer.
void
cli_print_no_reply (yjc_client_t *client,
                    cli_opts_t *opts,
                    int service,
                    const char *doing)
{
    if (client && yjc_client_denied (client))
        fprintf (stderr,
                 "身份 %s 未登记或已被撤销：%s服务不接受这个密钥，"
                 "请管理员核对（yjcloud actor list）\n",
                 opts->as,
                 yjc_service_zh (service));
    else
        fprintf (stderr,
                 "%s服务无响应（%s%s%s）\n",
                 yjc_service_zh (service),
                 yjc_config_endpoint (service),
                 doing ? "，" : "",
                 doing ? doing : "");
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
        cli_print_no_reply (self->client, opts, service, NULL);
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
cli_body (yjc_map_t *map, yjc_pack_t *body)
{
    yjc_pack_init (body);
    yjc_map_end (map, &body->pk);
    yjc_map_release (map);
}

void
cli_pack_app (yjc_pack_t *body, const char *app_id, const char *opinion)
{
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_str (&map, "app_id", app_id);
    if (opinion)
        yjc_map_str (&map, "opinion", opinion);
    cli_body (&map, body);
}

//  Sends one request that makes a request or an order (the unit's to
//  intake; an emergency report or a reorder to the adapter) and says
//  what became of it.
int
cli_send (cli_opts_t *opts,
          int service,
          const char *type,
          yjc_pack_t *body,
          const char *done_zh) //  printf format of the new id
{
    cli_session_t session;
    bool done;
    const msgpack_object *b =
        cli_call_body (&session, opts, service, type, body, &done);
    if (!done) {
        char id[33];
        if (!*yjc_obj_strcpy (b, "request_id", id, sizeof id))
            yjc_obj_strcpy (b, "order_id", id, sizeof id);
        printf (done_zh, id);
        printf ("\n");
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (body);
    return rc;
}

//  A value the command cannot go without; false after saying which.
bool
cli_need (const char *value, const char *option)
{
    if (value && *value)
        return true;
    fprintf (stderr, "请用 %s 给出\n", option);
    return false;
}

/* ---- what a request carries ------------------------------------------ */

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
        cli_print_no_reply (session->client, opts, YJC_SVC_INTAKE, path);
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
cli_upload_materials (cli_session_t *session, cli_opts_t *opts, yjc_map_t *map)
{
    msgpack_packer *pk = yjc_map_key (map, "attachments");
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

int
cli_render_saved (cli_opts_t *opts,
                  const char *key,
                  cli_render_fn *render,
                  const char *done_zh)
{
    if (!cli_need (opts->from_json, "--from-json") ||
        !cli_need (opts->pdf, "--pdf"))
        return 2;
    msgpack_sbuffer json;
    msgpack_sbuffer_init (&json);
    int rc = cli_read_json (opts->from_json, &json);
    if (rc == 0) {
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, json.data, json.size, NULL);
        //  a whole reply as saved by a script: its body
        const msgpack_object *body = yjc_obj_get (&un.data, "body");
        rc = render (body && !yjc_obj_get (&un.data, key) ? body : &un.data,
                     opts->pdf);
        msgpack_unpacked_destroy (&un);
        if (rc == 0)
            printf ("%s %s\n", done_zh, opts->pdf);
    }
    msgpack_sbuffer_destroy (&json);
    return rc;
}
