/*  requests.c - 使用单位: the requests after approval, each the same
    message the CLI sends (services/cli/lifecycle.c) as a form derived
    from its schema in proto/: extend the test (R10.2), go live with the
    test results and the third-party report (R10.3, R11.1), change the
    resources (R12, a major change with the R8 materials again),
    terminate (R13.1).                                                 */
#include "apply.h"
#include "yjc_lifecycle.h"

typedef struct {
    const char *kind; //  the URL's KIND
    const char *type; //  the message
    const yjc_schema_t *schema;
    const char *title;
    const char *const *skip_render;
    const char *const *skip_pack;
    bool materials; //  R12: a major change carries R8's again
    bool report;    //  R10.3: the test report's file
} s_request_t;

static const char *const s_skip_app[] = { "app_id", NULL };
static const char *const s_skip_change[] = { "app_id", "attachments", NULL };
static const char *const s_skip_golive[] = { "app_id", "att_id", NULL };

static const s_request_t s_requests[] = {
    { "change",
      "request.change",
      &yjc_schema_req_change,
      "变更申请",
      s_skip_change,
      s_skip_change,
      true,
      false },
    { "extension",
      "request.extend_test",
      &yjc_schema_req_extend_test,
      "延长测试申请",
      s_skip_app,
      s_skip_app,
      false,
      false },
    { "golive",
      "request.go_live",
      &yjc_schema_req_go_live,
      "上线申请",
      s_skip_golive,
      s_skip_app,
      false,
      true },
    { "termination",
      "request.terminate",
      &yjc_schema_req_terminate,
      "终止申请",
      s_skip_app,
      s_skip_app,
      false,
      false },
};

#define REPORT_FIELD "test_report.att_id"

static enum MHD_Result
s_page (struct MHD_Connection *connection,
        const session_t *s,
        unsigned status,
        const s_request_t *q,
        const char *app_id,
        const char *project,
        const msgpack_object *values,
        const apply_material_t *m,
        const yjc_reply_t *refused,
        const char *const *kinds,
        int nkinds,
        zlist_t *local,
        const char *more)
{
    tpl_t *data = page_frame (s, q->title);
    tpl_set (data, "action", "/apps/%s/request/%s", app_id, q->kind);
    tpl_set (data, "app_id", "%s", app_id);
    tpl_set (data, "project", "%s", project);
    formweb_t *fw = formweb_new (data, q->skip_render);
    formweb_more (fw, more);
    formweb_fields (fw, q->schema, "", values);
    if (q->materials) {
        tpl_set (data, "show_materials", "1");
        apply_material_places (fw, m, 0, ~0u);
    }
    if (q->report) {
        //  R10.3: the report's file; once uploaded its id is kept
        tpl_t *f = formweb_place (fw, "reports", REPORT_FIELD);
        tpl_set (f, "label", "%s", "第三方测评报告文件");
        char att[33];
        const msgpack_object *tr = yjc_obj_get (values, "test_report");
        if (*yjc_obj_strcpy (tr, "att_id", att, sizeof att))
            tpl_set (f, "att_id", "%s", att);
    }
    if (refused)
        formweb_problems (fw, refused, kinds, nkinds);
    if (local)
        apply_local_problems (fw, local);
    formweb_destroy (&fw);
    return page_render (connection, status, "request", data);
}

static enum MHD_Result
s_request (struct MHD_Connection *connection,
           const session_t *s,
           const s_request_t *q,
           const char *app_id,
           bool post,
           zhash_t *form)
{
    //  the application first: another unit's is the one 404
    yjc_pack_t ref;
    yjc_pack_init (&ref);
    msgpack_pack_map (&ref.pk, 1);
    yjc_pk_kv_str (&ref.pk, "app_id", app_id);
    yjc_reply_t areply, rreply;
    yjc_reply_init (&rreply);
    const msgpack_object *a =
        page_call (s, YJC_SVC_INTAKE, "application.get", &ref, &areply);
    if (!a) {
        enum MHD_Result r = page_refused (connection, &areply);
        yjc_reply_release (&areply);
        yjc_pack_release (&ref);
        return r;
    }
    char project[256];
    yjc_obj_strcpy (a, "project", project, sizeof project);
    enum MHD_Result r;
    if (!post) {
        //  R12: a change starts from what is granted (else as asked)
        const msgpack_object *rv =
            q->materials
                ? page_call (s, YJC_SVC_REVIEW, "review.get", &ref, &rreply)
                : NULL;
        const msgpack_object *g = rv ? yjc_obj_get (rv, "granted") : NULL;
        if (!g || g->type != MSGPACK_OBJECT_MAP)
            g = yjc_obj_get (yjc_obj_get (a, "form"), "resources");
        yjc_pack_t init;
        yjc_pack_init (&init);
        msgpack_pack_map (&init.pk, q->materials && g ? 1 : 0);
        if (q->materials && g) {
            yjc_pk_str (&init.pk, "resources");
            msgpack_pack_object (&init.pk, *g);
        }
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, init.buf.data, init.buf.size, NULL);
        r = s_page (connection,
                    s,
                    MHD_HTTP_OK,
                    q,
                    app_id,
                    project,
                    &un.data,
                    NULL,
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL);
        msgpack_unpacked_destroy (&un);
        yjc_pack_release (&init);
    }
    else {
        zlist_t *local = zlist_new ();
        zlist_autofree (local);
        apply_material_t m[YJC_MAT_COUNT];
        memset (m, 0, sizeof m);
        if (q->materials)
            apply_materials (s, form, "material.", m, local);
        page_upload_t *up = q->report ? page_upload (form, REPORT_FIELD) : NULL;
        if (up) {
            char att[33], why[512];
            if (page_upload_send (s, up, att, why, sizeof why) == 0) {
                zhash_update (form, REPORT_FIELD, strdup (att));
                zhash_freefn (form, REPORT_FIELD, free);
            }
            else {
                zlist_append (local, (void *)REPORT_FIELD);
                zlist_append (local, why);
            }
        }
        yjc_map_t map;
        yjc_map_init (&map);
        yjc_map_str (&map, "app_id", app_id);
        formweb_pack (&map, q->schema, "", form, q->skip_pack);
        const char *kinds[YJC_MAT_COUNT];
        int nkinds = q->materials ? apply_pack_materials (&map, m, kinds) : 0;
        yjc_pack_t body;
        yjc_pack_init (&body);
        yjc_map_end (&map, &body.pk);
        yjc_map_release (&map);
        yjc_reply_t reply;
        yjc_reply_init (&reply);
        //  增加 (one row more in a list): the form back, nothing sent
        const char *more = (const char *)zhash_lookup (form, "add");
        const msgpack_object *b =
            zlist_size (local) == 0 && !more
                ? page_call (s, YJC_SVC_INTAKE, q->type, &body, &reply)
                : NULL;
        if (more) {
            msgpack_unpacked un;
            msgpack_unpacked_init (&un);
            msgpack_unpack_next (&un, body.buf.data, body.buf.size, NULL);
            r = s_page (connection,
                        s,
                        MHD_HTTP_OK,
                        q,
                        app_id,
                        project,
                        &un.data,
                        m,
                        NULL,
                        NULL,
                        0,
                        local,
                        more);
            msgpack_unpacked_destroy (&un);
        }
        else if (b) {
            char to[64];
            snprintf (to, sizeof to, "/apps/%s", app_id);
            r = page_redirect (connection, to, NULL);
        }
        else if (zlist_size (local) == 0 && !reply.error)
            r = page_refused (connection, &reply);
        else {
            msgpack_unpacked un;
            msgpack_unpacked_init (&un);
            msgpack_unpack_next (&un, body.buf.data, body.buf.size, NULL);
            r = s_page (connection,
                        s,
                        422,
                        q,
                        app_id,
                        project,
                        &un.data,
                        m,
                        zlist_size (local) ? NULL : &reply,
                        kinds,
                        nkinds,
                        local,
                        NULL);
            msgpack_unpacked_destroy (&un);
        }
        yjc_reply_release (&reply);
        yjc_pack_release (&body);
        zlist_destroy (&local);
    }
    yjc_reply_release (&areply);
    yjc_reply_release (&rreply);
    yjc_pack_release (&ref);
    return r;
}

bool
requests_route (struct MHD_Connection *connection,
                const char *url,
                bool post,
                zhash_t *form,
                const session_t *s,
                enum MHD_Result *rc)
{
    //  /apps/ID/request/KIND
    if (strncmp (url, "/apps/", 6) != 0)
        return false;
    const char *id = url + 6;
    const char *slash = strchr (id, '/');
    if (!slash || strncmp (slash, "/request/", 9) != 0)
        return false;
    const char *kind = slash + 9;
    char app_id[33];
    size_t n = (size_t)(slash - id);
    const s_request_t *q = NULL;
    for (size_t i = 0; i < sizeof s_requests / sizeof *s_requests; i++)
        if (streq (kind, s_requests[i].kind))
            q = &s_requests[i];
    bool id_ok = n > 0 && n < sizeof app_id;
    for (size_t i = 0; id_ok && i < n; i++)
        id_ok = isalnum ((unsigned char)id[i]) || id[i] == '-' || id[i] == '_';
    //  only a unit makes requests (proto: R_UNIT)
    if (!q || !id_ok || s->actor.role != YJC_ROLE_UNIT) {
        *rc = page_not_found (connection);
        return true;
    }
    snprintf (app_id, sizeof app_id, "%.*s", (int)n, id);
    *rc = s_request (connection, s, q, app_id, post, form);
    return true;
}
