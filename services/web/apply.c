/*  apply.c - 使用单位: the whole 审核表 as a form (R8), its materials
    uploaded in the same post, submitted as the signed-in clerk exactly
    as `yjcloud apply FORM.json --attach KIND=FILE` does: every material
    to intake first (attachment.put), then application.submit with the
    form and the attachments.  A refused form comes back with every
    problem next to its field and everything entered kept.            */
#include "apply.h"
#include "formweb.h"
#include "yjc_form.h"

//  An attachment id as the page keeps it: letters and digits only.
static bool
s_att_id_ok (const char *id)
{
    size_t n = id ? strlen (id) : 0;
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char)id[i]))
            return false;
    return true;
}

int
apply_materials (const session_t *s,
                 zhash_t *form,
                 const char *field_prefix,
                 apply_material_t out[YJC_MAT_COUNT],
                 zlist_t *problems)
{
    int n = 0;
    for (int k = 0; k < YJC_MAT_COUNT; k++) {
        apply_material_t *m = &out[k];
        memset (m, 0, sizeof *m);
        char field[96], key[96];
        snprintf (field,
                  sizeof field,
                  "%s%s",
                  field_prefix,
                  yjc_material_defs[k].wire);
        page_upload_t *up = page_upload (form, field);
        if (up) {
            char why[512];
            if (page_upload_send (s, up, m->att_id, why, sizeof why) == 0) {
                snprintf (m->name, sizeof m->name, "%s", up->name);
                snprintf (m->sha256, sizeof m->sha256, "%s", up->sha256);
                n++;
            }
            else {
                zlist_append (problems, field); //  autofree: copied
                zlist_append (problems, why);
            }
            continue;
        }
        snprintf (key, sizeof key, "att.%s", yjc_material_defs[k].wire);
        const char *kept = (const char *)zhash_lookup (form, key);
        if (s_att_id_ok (kept)) {
            snprintf (m->att_id, sizeof m->att_id, "%s", kept);
            snprintf (
                key, sizeof key, "att_name.%s", yjc_material_defs[k].wire);
            const char *name = (const char *)zhash_lookup (form, key);
            snprintf (m->name, sizeof m->name, "%s", name ? name : "");
            snprintf (key, sizeof key, "att_sha.%s", yjc_material_defs[k].wire);
            const char *sha = (const char *)zhash_lookup (form, key);
            snprintf (m->sha256, sizeof m->sha256, "%s", sha ? sha : "");
            n++;
        }
    }
    return n;
}

int
apply_pack_materials (yjc_map_t *map,
                      const apply_material_t m[YJC_MAT_COUNT],
                      const char *kinds[YJC_MAT_COUNT])
{
    int n = 0;
    for (int k = 0; k < YJC_MAT_COUNT; k++)
        if (*m[k].att_id)
            n++;
    if (n == 0)
        return 0;
    msgpack_packer *pk = yjc_map_key (map, "attachments");
    msgpack_pack_array (pk, (uint32_t)n);
    n = 0;
    for (int k = 0; k < YJC_MAT_COUNT; k++) {
        if (!*m[k].att_id)
            continue;
        msgpack_pack_map (pk, 2);
        yjc_pk_kv_str (pk, "kind", yjc_material_defs[k].wire);
        yjc_pk_kv_str (pk, "att_id", m[k].att_id);
        kinds[n++] = yjc_material_defs[k].wire;
    }
    return n;
}

void
apply_material_places (formweb_t *fw,
                       const apply_material_t *m,
                       unsigned required,
                       unsigned shown)
{
    for (int k = 0; k < YJC_MAT_COUNT; k++) {
        if (!(shown & (1u << k)))
            continue;
        char name[96];
        snprintf (name, sizeof name, "material.%s", yjc_material_defs[k].wire);
        tpl_t *item = formweb_place (fw, "materials", name);
        tpl_set (item, "kind", "%s", yjc_material_defs[k].wire);
        tpl_set (item, "label", "%s", yjc_material_defs[k].zh);
        if (required & (1u << k))
            tpl_set (item, "req", "1"); //  R8: what the form requires
        if (m && *m[k].att_id) {
            tpl_set (item, "att_id", "%s", m[k].att_id);
            tpl_set (item, "att_name", "%s", m[k].name);
            tpl_set (item, "att_sha", "%s", m[k].sha256);
        }
    }
}

void
apply_local_problems (formweb_t *fw, zlist_t *problems)
{
    for (char *field = (char *)zlist_first (problems); field;
         field = (char *)zlist_next (problems)) {
        char *text = (char *)zlist_next (problems);
        formweb_problem (fw, field, text ? text : "");
        if (!text)
            break;
    }
}

//  The form page: blank (values NULL but the unit and today), or as
//  posted with its problems.
static enum MHD_Result
s_page (struct MHD_Connection *connection,
        const session_t *s,
        unsigned status,
        const msgpack_object *values,
        const apply_material_t *m,
        const yjc_reply_t *refused,
        const char *const *kinds,
        int nkinds,
        zlist_t *local,
        const char *more)
{
    tpl_t *data = page_frame (s, "资源申请");
    tpl_set (data, "action", "%s", "/apply");
    tpl_set (data, "show_materials", "1");
    formweb_t *fw = formweb_new (data, NULL);
    formweb_more (fw, more);
    formweb_fields (fw, &yjc_schema_form, "form", values);
    apply_material_places (
        fw, m, values ? yjc_form_required_materials (values) : 0, ~0u);
    if (refused)
        formweb_problems (fw, refused, kinds, nkinds);
    if (local && zlist_size (local)) {
        //  a file could not go, so nothing was submitted: the form's
        //  own problems by the same checks intake makes (yjc_form.c)
        apply_local_problems (fw, local);
        yjc_problems_t probs;
        memset (&probs, 0, sizeof probs);
        if (values) {
            yjc_pack_t b;
            yjc_pack_init (&b);
            msgpack_pack_map (&b.pk, 1);
            yjc_pk_str (&b.pk, "form");
            msgpack_pack_object (&b.pk, *values);
            msgpack_unpacked un;
            msgpack_unpacked_init (&un);
            msgpack_unpack_next (&un, b.buf.data, b.buf.size, NULL);
            yjc_form_check_body (
                YJC_MSG_APPLICATION_SUBMIT, &un.data, s->actor.unit, &probs);
            msgpack_unpacked_destroy (&un);
            yjc_pack_release (&b);
        }
        for (int i = 0; i < probs.count; i++)
            formweb_problem_at (fw,
                                probs.items[i].field,
                                probs.items[i].text,
                                probs.items[i].detail,
                                NULL,
                                0);
    }
    formweb_destroy (&fw);
    return page_render (connection, status, "apply", data);
}

static enum MHD_Result
s_get (struct MHD_Connection *connection, const session_t *s)
{
    //  the clerk's unit and today's date filled in
    char today[16];
    time_t now = time (NULL);
    struct tm tm;
    localtime_r (&now, &tm);
    strftime (today, sizeof today, "%Y-%m-%d", &tm);
    yjc_pack_t init;
    yjc_pack_init (&init);
    msgpack_pack_map (&init.pk, 1);
    yjc_pk_str (&init.pk, "unit");
    msgpack_pack_map (&init.pk, 2);
    yjc_pk_kv_str (&init.pk, "name", s->actor.unit);
    yjc_pk_kv_str (&init.pk, "filled_on", today);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    msgpack_unpack_next (&un, init.buf.data, init.buf.size, NULL);
    enum MHD_Result r = s_page (
        connection, s, MHD_HTTP_OK, &un.data, NULL, NULL, NULL, 0, NULL, NULL);
    msgpack_unpacked_destroy (&un);
    yjc_pack_release (&init);
    return r;
}

static enum MHD_Result
s_post (struct MHD_Connection *connection, const session_t *s, zhash_t *form)
{
    yjc_map_t map, fmap;
    yjc_map_init (&map);
    yjc_map_init (&fmap);
    formweb_pack (&fmap, &yjc_schema_form, "form", form, NULL);
    yjc_map_end (&fmap, yjc_map_key (&map, "form"));
    yjc_map_release (&fmap);
    //  R8: the materials first, as the CLI uploads them before submitting
    apply_material_t m[YJC_MAT_COUNT];
    zlist_t *local = zlist_new ();
    zlist_autofree (local);
    apply_materials (s, form, "material.", m, local);
    const char *kinds[YJC_MAT_COUNT];
    int nkinds = apply_pack_materials (&map, m, kinds);
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_map_end (&map, &body.pk);
    yjc_map_release (&map);
    yjc_reply_t reply;
    yjc_reply_init (&reply);
    //  增加 (one row more in a list): the form back, nothing submitted
    const char *more = (const char *)zhash_lookup (form, "add");
    const msgpack_object *b =
        zlist_size (local) == 0 && !more
            ? page_call (s, YJC_SVC_INTAKE, "application.submit", &body, &reply)
            : NULL;
    enum MHD_Result r;
    if (more) {
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, body.buf.data, body.buf.size, NULL);
        r = s_page (connection,
                    s,
                    MHD_HTTP_OK,
                    yjc_obj_get (&un.data, "form"),
                    m,
                    NULL,
                    NULL,
                    0,
                    local,
                    more);
        msgpack_unpacked_destroy (&un);
    }
    else if (b) {
        char app_id[33], to[48];
        yjc_obj_strcpy (b, "app_id", app_id, sizeof app_id);
        snprintf (to, sizeof to, "/apps/%s", app_id);
        r = page_redirect (connection, to, NULL);
    }
    else if (zlist_size (local) == 0 && !reply.error)
        r = page_refused (connection, &reply);
    else {
        //  every problem at once, on the form as it was sent
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, body.buf.data, body.buf.size, NULL);
        r = s_page (connection,
                    s,
                    422,
                    yjc_obj_get (&un.data, "form"),
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
    return r;
}

bool
apply_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form,
             const session_t *s,
             enum MHD_Result *rc)
{
    if (!streq (url, "/apply"))
        return false;
    //  R8: a unit applies; anyone else is told there is no such page
    if (s->actor.role != YJC_ROLE_UNIT)
        *rc = page_not_found (connection);
    else
        *rc = post ? s_post (connection, s, form) : s_get (connection, s);
    return true;
}
