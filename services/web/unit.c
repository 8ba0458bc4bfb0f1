/*  unit.c - 使用单位's pages: my applications, one application (the
    审核表 as the bureau trimmed it, materials with their SHA-256, the
    requests and duties, the history), a material's download; and the
    routes of the unit's other pages (apply.c, requests.c, inbox.c).  A
    bureau or auditor sees every unit's.                                 */
#include "apply.h"
#include "yjc_lifecycle.h"
#include "yjc_map.h"
#include <ctype.h>
//  A page of /apps: few enough that the page and its deadlines are one
//  read each (the bureau's "all" is thousands).
#define APPS_PAGE 50

//  /apps?before=ID: the page after ID (an application id, else none).
static const char *
s_before (struct MHD_Connection *connection)
{
    const char *v = MHD_lookup_connection_value (
        connection, MHD_GET_ARGUMENT_KIND, "before");
    if (!v || !*v || strlen (v) > 32)
        return NULL;
    for (const char *c = v; *c; c++)
        if (!isalnum ((unsigned char)*c) && *c != '-')
            return NULL;
    return v;
}

//  review.pending of the applications listed (the page's rows only).
static const msgpack_object *
s_pending_of (const session_t *s,
              const msgpack_object *list,
              yjc_pack_t *query,
              yjc_reply_t *reply)
{
    uint32_t n =
        list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    yjc_pack_init (query);
    msgpack_pack_map (&query->pk, 2);
    yjc_pk_kv_int (&query->pk, "limit", 500);
    yjc_pk_str (&query->pk, "app_ids");
    msgpack_pack_array (&query->pk, n);
    for (uint32_t i = 0; i < n; i++) {
        char id[33];
        yjc_pk_str (
            &query->pk,
            yjc_obj_strcpy (&list->via.array.ptr[i], "app_id", id, sizeof id));
    }
    if (!n) {
        yjc_reply_init (reply);
        return NULL;
    }
    const msgpack_object *r =
        page_call (s, YJC_SVC_REVIEW, "review.pending", query, reply);
    return r ? yjc_obj_get (r, "pending") : NULL;
}

//  使用单位: my applications (a bureau or auditor sees all), newest
//  first, a page at a time: state, who owes the next step and by when
//  (review.pending, as `yjcloud list`).
static enum MHD_Result
s_apps (struct MHD_Connection *connection, const session_t *s)
{
    yjc_reply_t reply, rreply;
    yjc_pack_t list_q, query;
    const char *before = s_before (connection);
    yjc_pack_init (&list_q);
    msgpack_pack_map (&list_q.pk, before ? 2 : 1);
    yjc_pk_kv_int (&list_q.pk, "limit", APPS_PAGE);
    if (before)
        yjc_pk_kv_str (&list_q.pk, "before", before);
    const msgpack_object *b =
        page_call (s, YJC_SVC_INTAKE, "application.list", &list_q, &reply);
    yjc_pack_release (&list_q);
    if (!b) {
        enum MHD_Result r = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        return r;
    }
    const msgpack_object *list = yjc_obj_get (b, "applications");
    uint32_t rows =
        list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    const msgpack_object *pending = s_pending_of (s, list, &query, &rreply);
    tpl_t *data = page_frame (
        s, s->actor.role == YJC_ROLE_UNIT ? "我的申请" : "全部申请");
    zhashx_t *due = page_pending_index (pending); //  not one scan per row
    char id[33] = "";
    for (uint32_t i = 0; i < rows; i++) {
        const msgpack_object *e = &list->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "apps");
        char st[33];
        tpl_set (
            item, "app_id", "%s", yjc_obj_strcpy (e, "app_id", id, sizeof id));
        tpl_set (item,
                 "state",
                 "%s",
                 yjc_state_zh (yjc_obj_strcpy (e, "state", st, sizeof st)));
        page_str (item, "unit", e, "unit");
        page_str (item, "project", e, "project");
        page_str (item, "submitted_at", e, "submitted_at");
        const msgpack_object *p =
            (const msgpack_object *)zhashx_lookup (due, id);
        if (p)
            page_due (item, p);
    }
    zhashx_destroy (&due);
    if (rows && !pending)
        tpl_set (data, "no_pending", "1");
    if (rows)
        tpl_set (data, "any", "1");
    if (rows == APPS_PAGE) //  the last row is the next page's cursor
        tpl_set (data, "next", "%s", id);
    if (before)
        tpl_set (data, "paged", "1");
    yjc_reply_release (&reply);
    yjc_reply_release (&rreply);
    yjc_pack_release (&query);
    return page_render (connection, MHD_HTTP_OK, "apps", data);
}

/* ---- one application ----------------------------------------------------- */

//  A quantity's unit, from its key's last word as the form names it
//  (data_disk_gb, storage_tb, dedicated_mbps); "" when the label says it
//  (容量（100GB）) or it is a count.
static const char *
s_unit_of (const char *key)
{
    static const struct {
        const char *suffix, *unit;
    } units[] = { { "_gb", "GB" }, { "_tb", "TB" }, { "_mbps", "Mbps" } };
    size_t n = strlen (key);
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        size_t m = strlen (units[i].suffix);
        if (n > m && streq (key + n - m, units[i].suffix))
            return units[i].unit;
    }
    return "";
}

//  A value of the form in the 审核表's words: a choice's words
//  (yjc_values.def), a list's items joined, a tick.
static void
s_words (const yjc_field_t *f, const msgpack_object *v, char *out, size_t size)
{
    *out = 0;
    if (!v || v->type == MSGPACK_OBJECT_NIL)
        return;
    if (v->type == MSGPACK_OBJECT_STR) {
        const char *zh =
            f->kind == YJC_K_ENUM
                ? yjc_value_zh (f->key, v->via.str.ptr, v->via.str.size)
                : NULL;
        if (zh)
            snprintf (out, size, "%s", zh);
        else
            snprintf (out, size, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    }
    else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        snprintf (out,
                  size,
                  "%llu%s",
                  (unsigned long long)v->via.u64,
                  s_unit_of (f->key));
    else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        snprintf (
            out, size, "%lld%s", (long long)v->via.i64, s_unit_of (f->key));
    else if (v->type == MSGPACK_OBJECT_BOOLEAN)
        snprintf (out, size, "%s", v->via.boolean ? "√" : "");
    else if (v->type == MSGPACK_OBJECT_ARRAY) {
        size_t n = 0;
        for (uint32_t i = 0; i < v->via.array.size && n + 1 < size; i++) {
            const msgpack_object *e = &v->via.array.ptr[i];
            if (e->type != MSGPACK_OBJECT_STR)
                continue;
            const char *zh =
                f->kind == YJC_K_ARR_ENUM
                    ? yjc_value_zh (f->key, e->via.str.ptr, e->via.str.size)
                    : NULL;
            n += snprintf (out + n,
                           size - n,
                           "%s%.*s",
                           n ? "、" : "",
                           (int)(zh ? strlen (zh) : e->via.str.size),
                           zh ? zh : e->via.str.ptr);
        }
    }
}

static int64_t
s_number (const msgpack_object *v)
{
    if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)v->via.u64;
    if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return v->via.i64;
    return -1;
}

//  The 审核表 line by line from its schema: each line as asked and, for
//  the resources of a decided application, as granted (R9.2), a line
//  the bureau changed marked (核减, 不予核定, 调整).
static void
s_form_rows (tpl_t *data,
             const yjc_schema_t *schema,
             const char *label_prefix,
             const msgpack_object *asked,
             const msgpack_object *granted,
             bool decided)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        const msgpack_object *a = yjc_obj_get (asked, f->key);
        const msgpack_object *g = yjc_obj_get (granted, f->key);
        char label[200];
        const char *own = f->label ? f->label : f->key;
        bool heading = *own == '~';
        if (heading)
            own++;
        if (f->kind == YJC_K_MAP) {
            if (!a && !g)
                continue;
            if (!*label_prefix)
                tpl_set (tpl_add (data, "form_rows"), "heading", "%s", own);
            snprintf (label,
                      sizeof label,
                      "%s%s%s",
                      label_prefix,
                      *label_prefix && !heading ? " · " : "",
                      heading ? "" : own);
            //  R9.2: of the form's sections only the resources are
            //  granted, and review's `granted` is that section itself
            bool top = !*label_prefix;
            bool res = streq (f->key, "resources");
            s_form_rows (data,
                         f->sub,
                         label,
                         a,
                         top ? (res ? granted : NULL) : g,
                         decided && (!top || res));
            continue;
        }
        if (f->kind == YJC_K_ARR_MAP) {
            uint32_t n =
                a && a->type == MSGPACK_OBJECT_ARRAY ? a->via.array.size : 0;
            uint32_t m =
                g && g->type == MSGPACK_OBJECT_ARRAY ? g->via.array.size : 0;
            for (uint32_t i = 0; i < (n > m ? n : m); i++) {
                const char *hash = strchr (own, '#');
                char item[120];
                if (hash)
                    snprintf (item,
                              sizeof item,
                              "%.*s%u%s",
                              (int)(hash - own),
                              own,
                              i + 1,
                              hash + 1);
                else
                    snprintf (item, sizeof item, "%s%u", own, i + 1);
                snprintf (label,
                          sizeof label,
                          "%s%s%s",
                          label_prefix,
                          *label_prefix ? " · " : "",
                          item);
                s_form_rows (data,
                             f->sub,
                             label,
                             i < n ? &a->via.array.ptr[i] : NULL,
                             i < m ? &g->via.array.ptr[i] : NULL,
                             decided);
            }
            continue;
        }
        char at[1024], gt[1024];
        s_words (f, a, at, sizeof at);
        s_words (f, g, gt, sizeof gt);
        if (!*at && !*gt)
            continue;
        tpl_t *row = tpl_add (data, "form_rows");
        snprintf (label,
                  sizeof label,
                  "%s%s%s",
                  label_prefix,
                  *label_prefix ? " · " : "",
                  own);
        tpl_set (row, "label", "%s", label);
        tpl_set (row, "asked", "%s", at);
        if (!decided)
            continue;
        int64_t an = s_number (a), gn = s_number (g);
        const char *mark = !*gt && *at          ? "不予核定"
                           : streq (at, gt)     ? ""
                           : gn >= 0 && gn < an ? "核减"
                                                : "调整";
        tpl_set (row, "granted", "%s", *gt ? gt : "—");
        if (*mark) {
            tpl_set (row, "mark", "%s", mark);
            tpl_set (row, "changed", "1");
        }
    }
}

static void
s_materials (tpl_t *data, const msgpack_object *materials)
{
    for (uint32_t i = 0; materials && materials->type == MSGPACK_OBJECT_ARRAY &&
                         i < materials->via.array.size;
         i++) {
        const msgpack_object *m = &materials->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "materials");
        char kind[33];
        yjc_obj_strcpy (m, "kind", kind, sizeof kind);
        int k = yjc_material_by_wire (kind, strlen (kind));
        tpl_set (item, "kind", "%s", k >= 0 ? yjc_material_defs[k].zh : kind);
        page_str (item, "name", m, "name");
        page_str (item, "att_id", m, "att_id");
        page_str (item, "sha256", m, "sha256");
        int64_t size = 0;
        yjc_obj_int (m, "size", &size);
        tpl_set (item, "size", "%lld", (long long)size);
    }
}

//  The unit's requests and every duty with who owes it (review.get), as
//  `yjcloud show` lists them.
static void
s_lifecycle (tpl_t *data, const msgpack_object *review)
{
    const msgpack_object *q = yjc_obj_get (review, "requests");
    for (uint32_t i = 0;
         q && q->type == MSGPACK_OBJECT_ARRAY && i < q->via.array.size;
         i++) {
        const msgpack_object *e = &q->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "requests");
        char kind[17], state[17];
        page_str (item, "request_id", e, "request_id");
        page_str (item, "at", e, "submitted_at");
        page_str (item, "opinion", e, "opinion");
        tpl_set (
            item,
            "kind",
            "%s",
            yjc_request_zh (yjc_obj_strcpy (e, "kind", kind, sizeof kind)));
        tpl_set (item,
                 "state",
                 "%s",
                 yjc_request_state_zh (
                     yjc_obj_strcpy (e, "state", state, sizeof state)));
    }
    const msgpack_object *d = yjc_obj_get (review, "duties");
    for (uint32_t i = 0;
         d && d->type == MSGPACK_OBJECT_ARRAY && i < d->via.array.size;
         i++) {
        const msgpack_object *e = &d->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "duties");
        char what[33], owed[16], closed[8];
        tpl_set (
            item,
            "what",
            "%s",
            yjc_deadline_zh (yjc_obj_strcpy (e, "what", what, sizeof what)));
        page_str (item, "ref", e, "ref");
        page_str (item, "rule", e, "rule");
        tpl_set (
            item,
            "owed_by",
            "%s",
            yjc_party_zh (yjc_obj_strcpy (e, "owed_by", owed, sizeof owed)));
        page_due (item, e); //  the due date, 暂定 where provisional
        yjc_obj_strcpy (e, "closed", closed, sizeof closed);
        const msgpack_object *c = yjc_obj_get (e, "closed");
        bool done = streq (closed, "true") ||
                    (c && c->type == MSGPACK_OBJECT_BOOLEAN && c->via.boolean);
        tpl_set (item, "closed", "%s", done ? "已办结" : "未办结");
    }
}

//  A history step in Chinese: a state, or an event that moves none
//  ("request.approved:change").
static const char *
s_history_zh (const char *state, char *buf, size_t size)
{
    if (yjc_state_by_code (state) >= 0)
        return yjc_state_zh (state);
    const char *colon = strchr (state, ':');
    size_t n = colon ? (size_t)(colon - state) : strlen (state);
    int ev = yjc_event_by_wire (state, n);
    if (ev < 0)
        return state;
    const char *kind = colon ? colon + 1 : "";
    bool request = ev == YJC_EV_REQUEST_SUBMITTED ||
                   ev == YJC_EV_REQUEST_APPROVED ||
                   ev == YJC_EV_REQUEST_REJECTED;
    snprintf (buf,
              size,
              "%s%s%s%s",
              yjc_event_defs[ev].zh,
              *kind ? "（" : "",
              !*kind    ? ""
              : request ? yjc_request_zh (kind)
                        : yjc_order_zh (kind),
              *kind ? "）" : "");
    return buf;
}

static bool
s_id_ok (const char *id)
{
    size_t n = strlen (id);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return false;
    return true;
}

//  One application: application.get (a unit gets only its own: the one
//  404 otherwise), review.get and the step it waits for.
static enum MHD_Result
s_app (struct MHD_Connection *connection,
       const session_t *s,
       const char *app_id)
{
    if (!s_id_ok (app_id))
        return page_not_found (connection);
    yjc_pack_t body, pbody;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 1);
    yjc_pk_kv_str (&body.pk, "app_id", app_id);
    yjc_pack_init (&pbody);
    msgpack_pack_map (&pbody.pk, 2);
    yjc_pk_kv_int (&pbody.pk, "limit", 500);
    yjc_pk_kv_str (&pbody.pk, "app_id", app_id); //  its own steps only
    //  the three reads at once; intake's answer decides whether the
    //  person may see it at all (review answers a unit only its own too)
    yjc_reply_t reply, rreply, preply;
    page_req_t reqs[3] = {
        { YJC_SVC_INTAKE, "application.get", &body, &reply, NULL },
        { YJC_SVC_REVIEW, "review.get", &body, &rreply, NULL },
        { YJC_SVC_REVIEW, "review.pending", &pbody, &preply, NULL },
    };
    page_call_all (s, reqs, 3);
    yjc_pack_release (&body);
    yjc_pack_release (&pbody);
    const msgpack_object *a = reqs[0].result, *r = reqs[1].result,
                         *p = reqs[2].result;
    if (!a) {
        enum MHD_Result rc = page_refused (connection, &reply);
        yjc_reply_release (&reply);
        yjc_reply_release (&rreply);
        yjc_reply_release (&preply);
        return rc;
    }
    tpl_t *data = page_frame (s, "申请详情");
    char st[33], buf[200];
    page_str (data, "app_id", a, "app_id");
    page_str (data, "number", a, "number");
    page_str (data, "unit", a, "unit");
    page_str (data, "project", a, "project");
    page_str (data, "submitted_at", a, "submitted_at");
    page_str (data, "usage_from", a, "usage_from");
    page_str (data, "usage_to", a, "usage_to");
    tpl_set (data,
             "state",
             "%s",
             yjc_state_zh (yjc_obj_strcpy (a, "state", st, sizeof st)));
    const msgpack_object *pending =
        page_pending_of (p ? yjc_obj_get (p, "pending") : NULL, app_id);
    if (pending) {
        tpl_t *next = tpl_add (data, "next");
        page_due (next, pending); //  who owes it, by when, 暂定 (R9)
    }
    if (!r)
        tpl_set (data, "no_review", "1");
    else
        page_str (data, "opinion", r, "opinion");
    //  the bureau's pages (webbureau) beside it; the print for everyone
    if (s->actor.role == YJC_ROLE_BUREAU)
        tpl_set (data, "bureau", "1");
    if (s->actor.role == YJC_ROLE_UNIT)
        tpl_set (data, "unit_role", "1");
    const msgpack_object *granted = r ? yjc_obj_get (r, "granted") : NULL;
    bool decided = granted && granted->type == MSGPACK_OBJECT_MAP;
    if (decided)
        tpl_set (data, "decided", "1");
    s_form_rows (data,
                 &yjc_schema_form,
                 "",
                 yjc_obj_get (a, "form"),
                 decided ? granted : NULL,
                 decided);
    s_materials (data, yjc_obj_get (a, "materials"));
    if (r)
        s_lifecycle (data, r);
    const msgpack_object *h = yjc_obj_get (a, "history");
    for (uint32_t i = 0;
         h && h->type == MSGPACK_OBJECT_ARRAY && i < h->via.array.size;
         i++) {
        const msgpack_object *e = &h->via.array.ptr[i];
        tpl_t *item = tpl_add (data, "history");
        page_str (item, "at", e, "at");
        tpl_set (item,
                 "state",
                 "%s",
                 s_history_zh (yjc_obj_strcpy (e, "state", st, sizeof st),
                               buf,
                               sizeof buf));
        page_str (item, "note", e, "note");
    }
    yjc_reply_release (&reply);
    yjc_reply_release (&rreply);
    yjc_reply_release (&preply);
    return page_render (connection, MHD_HTTP_OK, "app", data);
}

/* ---- a material ---------------------------------------------------------- */

//  GET /files/ATT: the material read back from intake as the person (a
//  unit only its own: the one 404 otherwise) into a temp file (not the
//  console's memory), hashed on the way, and checked against the
//  SHA-256 intake recorded (R8) before a byte is sent.
static enum MHD_Result
s_file (struct MHD_Connection *connection,
        const session_t *s,
        const char *att_id)
{
    if (!s_id_ok (att_id))
        return page_not_found (connection);
    FILE *tmp = NULL;
    crypto_hash_sha256_state sha;
    crypto_hash_sha256_init (&sha);
    int64_t size = 1, off = 0;
    char want[65] = "", name[256] = "";
    enum MHD_Result rc = MHD_NO;
    bool failed = false;
    while (off < size) {
        yjc_pack_t body;
        yjc_pack_init (&body);
        msgpack_pack_map (&body.pk, 2);
        yjc_pk_kv_str (&body.pk, "att_id", att_id);
        yjc_pk_kv_int (&body.pk, "offset", off);
        yjc_reply_t reply;
        const msgpack_object *b =
            page_call (s, YJC_SVC_INTAKE, "attachment.get", &body, &reply);
        yjc_pack_release (&body);
        if (!b) {
            rc = page_refused (connection, &reply);
            yjc_reply_release (&reply);
            failed = true;
            break;
        }
        const msgpack_object *chunk = yjc_obj_get (b, "data");
        int64_t n = 0;
        yjc_obj_int (b, "size", &n);
        if (!tmp) {
            size = n;
            yjc_obj_strcpy (b, "sha256", want, sizeof want);
            yjc_obj_strcpy (b, "name", name, sizeof name);
            tmp = size > 0 && size <= page_upload_max () ? tmpfile () : NULL;
        }
        bool ok = tmp && n == size && chunk &&
                  chunk->type == MSGPACK_OBJECT_BIN && chunk->via.bin.size &&
                  off + (int64_t)chunk->via.bin.size <= size &&
                  fwrite (chunk->via.bin.ptr, 1, chunk->via.bin.size, tmp) ==
                      chunk->via.bin.size;
        if (ok) {
            crypto_hash_sha256_update (
                &sha,
                (const unsigned char *)chunk->via.bin.ptr,
                chunk->via.bin.size);
            off += (int64_t)chunk->via.bin.size;
        }
        yjc_reply_release (&reply);
        if (!ok) {
            failed = true;
            rc = pages_error (
                connection, MHD_HTTP_BAD_GATEWAY, "材料读取不完整，请稍后再试");
            break;
        }
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    char got[65];
    crypto_hash_sha256_final (&sha, digest);
    sodium_bin2hex (got, sizeof got, digest, sizeof digest);
    int fd = !failed && tmp && fflush (tmp) == 0 ? dup (fileno (tmp)) : -1;
    if (tmp)
        fclose (tmp);
    if (failed)
        return rc;
    if (!streq (got, want) || fd < 0) {
        if (fd >= 0)
            close (fd);
        return pages_error (connection,
                            MHD_HTTP_BAD_GATEWAY,
                            "材料校验失败（SHA-256 不符），未予下载");
    }
    //  the response owns the descriptor (closed when it is sent)
    struct MHD_Response *res = MHD_create_response_from_fd ((uint64_t)size, fd);
    //  the name percent-encoded (RFC 5987): nothing of it reaches the
    //  header raw
    char disp[1024];
    size_t n = snprintf (disp, sizeof disp, "attachment; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name;
         *p && n + 4 < sizeof disp;
         p++)
        n += isalnum (*p) || *p == '.' || *p == '-' || *p == '_'
                 ? snprintf (disp + n, sizeof disp - n, "%c", *p)
                 : snprintf (disp + n, sizeof disp - n, "%%%02X", *p);
    MHD_add_response_header (res,
                             "Content-Type",
                             page_media_type (name)
                                 ? page_media_type (name)
                                 : "application/octet-stream");
    MHD_add_response_header (res, "Content-Disposition", disp);
    MHD_add_response_header (res, "X-Content-SHA256", got);
    MHD_add_response_header (res, "Cache-Control", "no-store");
    MHD_add_response_header (res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (
        res, "Content-Security-Policy", "default-src 'none'; sandbox");
    rc = MHD_queue_response (connection, MHD_HTTP_OK, res);
    MHD_destroy_response (res);
    return rc;
}

/* ---- routes -------------------------------------------------------------- */

bool
unit_upload_url (const char *url)
{
    return streq (url, "/apply") ||
           (strncmp (url, "/apps/", 6) == 0 && strstr (url, "/request/"));
}

bool
unit_route (struct MHD_Connection *connection,
            const char *url,
            bool post,
            zhash_t *form,
            const session_t *s,
            enum MHD_Result *rc)
{
    if (apply_route (connection, url, post, form, s, rc) ||
        requests_route (connection, url, post, form, s, rc) ||
        inbox_route (connection, url, post, form, s, rc))
        return true;
    if (!post && streq (url, "/apps"))
        *rc = s_apps (connection, s);
    //  /apps/ID exactly: /apps/ID/... belongs to other pages (contract)
    else if (!post && strncmp (url, "/apps/", 6) == 0 && !strchr (url + 6, '/'))
        *rc = s_app (connection, s, url + 6);
    else if (!post && strncmp (url, "/files/", 7) == 0 &&
             !strchr (url + 7, '/'))
        *rc = s_file (connection, s, url + 7);
    else
        return false;
    return true;
}
