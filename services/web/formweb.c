/*  formweb.c - a schema as an HTML form and back (formweb.h).  Nothing
    here names a field of the 审核表: the fields, their labels, bounds
    and choices all come from proto/ (yjc_schemas.def, yjc_values.def),
    as the CLI's form template and the services' checks do.            */
#include "formweb.h"

#define MAX_ROWS_SHOWN 50 //  an array's rows never exceed its schema max

struct _formweb_t {
    tpl_t *data;
    const char *const *skip;
    zhash_t *places; //  input or group name -> its tpl item (not owned)
    int problems;
    char more[160]; //  the list given one row more (its 增加 button)
};

void
formweb_more (formweb_t *self, const char *path)
{
    snprintf (self->more, sizeof self->more, "%s", path ? path : "");
}

formweb_t *
formweb_new (tpl_t *data, const char *const *skip)
{
    formweb_t *self = (formweb_t *)zmalloc (sizeof *self);
    self->data = data;
    self->skip = skip;
    self->places = zhash_new ();
    return self;
}

void
formweb_destroy (formweb_t **self_p)
{
    if (*self_p) {
        zhash_destroy (&(*self_p)->places);
        free (*self_p);
        *self_p = NULL;
    }
}

static bool
s_skipped (const char *const *skip, const char *key)
{
    for (; skip && *skip; skip++)
        if (streq (*skip, key))
            return true;
    return false;
}

static void
s_path (char *out, size_t size, const char *prefix, const char *key)
{
    snprintf (out, size, "%s%s%s", prefix, *prefix ? "." : "", key);
}

//  "form.hosts[0].os" -> "f-form-hosts-0-os": an id without dots.
static void
s_id (char *out, size_t size, const char *path)
{
    size_t n = snprintf (out, size, "f-%s", path);
    for (size_t i = 2; i < n && i < size; i++)
        if (out[i] == '.' || out[i] == '[')
            out[i] = '-';
        else if (out[i] == ']')
            out[i] = '_';
}

//  A label as a clerk reads it: the heading mark "~" dropped, an array
//  item's "#" its number from 1.
static void
s_label (char *out, size_t size, const char *label, const char *key, int item)
{
    if (!label)
        label = key;
    if (*label == '~')
        label++;
    const char *hash = strchr (label, '#');
    if (hash && item > 0)
        snprintf (
            out, size, "%.*s%d%s", (int)(hash - label), label, item, hash + 1);
    else if (hash) //  the array itself: up to its last space
    {
        const char *sp = strrchr (label, ' ');
        snprintf (out,
                  size,
                  "%.*s",
                  (int)(sp ? sp - label : (int)strlen (label)),
                  label);
    }
    else
        snprintf (out, size, "%s", label);
}

/* ---- rendering ----------------------------------------------------------- */

static tpl_t *
s_item (formweb_t *self, const char *name)
{
    tpl_t *item = tpl_add (self->data, "fields");
    if (name && *name) {
        char id[200];
        s_id (id, sizeof id, name);
        tpl_set (item, "name", "%s", name);
        tpl_set (item, "id", "%s", id);
        zhash_update (self->places, name, item);
    }
    return item;
}

//  The options of an enum, each in its words, `chosen` marks the set ones.
static void
s_options (tpl_t *item,
           const yjc_field_t *f,
           const msgpack_object *value,
           bool many)
{
    const char *p = f->enumv;
    while (p && *p) {
        const char *bar = strchr (p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen (p);
        tpl_t *o = tpl_add (item, "options");
        tpl_set (o, "value", "%.*s", (int)len, p);
        const char *zh = yjc_value_zh (f->key, p, len);
        tpl_set (
            o, "words", "%.*s", (int)(zh ? strlen (zh) : len), zh ? zh : p);
        bool on = false;
        if (value && value->type == MSGPACK_OBJECT_STR)
            on = value->via.str.size == len &&
                 memcmp (value->via.str.ptr, p, len) == 0;
        else if (many && value && value->type == MSGPACK_OBJECT_ARRAY)
            for (uint32_t i = 0; i < value->via.array.size; i++) {
                const msgpack_object *v = &value->via.array.ptr[i];
                on |= v->type == MSGPACK_OBJECT_STR && v->via.str.size == len &&
                      memcmp (v->via.str.ptr, p, len) == 0;
            }
        if (on)
            tpl_set (o, "on", "1");
        p = bar ? bar + 1 : NULL;
    }
}

//  A value as the input shows it again (what was sent, even when wrong).
static void
s_value (tpl_t *item, const msgpack_object *v)
{
    if (!v)
        return;
    if (v->type == MSGPACK_OBJECT_STR)
        tpl_set (item, "value", "%.*s", (int)v->via.str.size, v->via.str.ptr);
    else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        tpl_set (item, "value", "%llu", (unsigned long long)v->via.u64);
    else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        tpl_set (item, "value", "%lld", (long long)v->via.i64);
    else if (v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean)
        tpl_set (item, "checked", "1");
    else if (v->type == MSGPACK_OBJECT_ARRAY) { //  a list of texts
        zchunk_t *text = zchunk_new (NULL, 256);
        for (uint32_t i = 0; i < v->via.array.size; i++) {
            const msgpack_object *s = &v->via.array.ptr[i];
            if (s->type != MSGPACK_OBJECT_STR)
                continue;
            if (zchunk_size (text))
                zchunk_extend (text, "\n", 1);
            zchunk_extend (text, s->via.str.ptr, s->via.str.size);
        }
        char *str = zchunk_strdup (text);
        tpl_set (item, "value", "%s", str);
        free (str);
        zchunk_destroy (&text);
    }
}

static void s_fields (formweb_t *self,
                      const yjc_schema_t *schema,
                      const char *prefix,
                      const msgpack_object *values);

static void
s_group (formweb_t *self,
         const yjc_field_t *f,
         const char *path,
         const msgpack_object *values,
         int item)
{
    char legend[160];
    s_label (legend, sizeof legend, f->label, f->key, item);
    tpl_t *open = s_item (self, path);
    tpl_set (open, "open", "1");
    tpl_set (open, "legend", "%s", legend);
    s_fields (self, f->sub, path, values);
    tpl_set (s_item (self, NULL), "close", "1");
}

static void
s_leaf (formweb_t *self,
        const yjc_field_t *f,
        const char *path,
        const msgpack_object *v)
{
    tpl_t *item = s_item (self, path);
    char label[160];
    s_label (label, sizeof label, f->label, f->key, 0);
    tpl_set (item, "label", "%s", label);
    if (f->required)
        tpl_set (item, "req", "1");
    switch (f->kind) {
        case YJC_K_ENUM:
            tpl_set (item, "select", "1");
            s_options (item, f, v, false);
            break;
        case YJC_K_ARR_ENUM:
            tpl_set (item, "checks", "1");
            s_options (item, f, v, true);
            break;
        case YJC_K_BOOL:
            tpl_set (item, "check", "1");
            s_value (item, v);
            break;
        case YJC_K_ARR_STR:
            tpl_set (item, "area", "1");
            tpl_set (item, "hint", "%s", "每行一项");
            s_value (item, v);
            break;
        case YJC_K_STR:
            tpl_set (item, f->max > 256 ? "area" : "text", "1");
            tpl_set (item, "max", "%lld", (long long)f->max);
            s_value (item, v);
            break;
        default:
            tpl_set (item, "text", "1");
            tpl_set (item,
                     "type",
                     "%s",
                     f->kind == YJC_K_DATE    ? "date"
                     : f->kind == YJC_K_PHONE ? "tel"
                                              : "text");
            if (f->kind == YJC_K_INT)
                tpl_set (item, "numeric", "1");
            s_value (item, v);
            break;
    }
}

static void
s_fields (formweb_t *self,
          const yjc_schema_t *schema,
          const char *prefix,
          const msgpack_object *values)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        if (s_skipped (self->skip, f->key) || f->kind == YJC_K_ANYMAP ||
            f->kind == YJC_K_BIN)
            continue;
        char path[160];
        s_path (path, sizeof path, prefix, f->key);
        const msgpack_object *v = yjc_obj_get (values, f->key);
        if (f->kind == YJC_K_MAP)
            s_group (self, f, path, v, 0);
        else if (f->kind == YJC_K_ARR_MAP) {
            //  the rows given and one empty row; no script: the list's
            //  增加 button posts the form back with one row more
            uint32_t n =
                v && v->type == MSGPACK_OBJECT_ARRAY ? v->via.array.size : 0;
            int64_t rows = (int64_t)n + 1 + (streq (self->more, path) ? 1 : 0);
            if (rows > f->max)
                rows = f->max;
            if (rows > MAX_ROWS_SHOWN)
                rows = MAX_ROWS_SHOWN;
            for (int64_t i = 0; i < rows; i++) {
                char row[200];
                snprintf (row, sizeof row, "%s[%d]", path, (int)i);
                s_group (self,
                         f,
                         row,
                         i < (int64_t)n ? &v->via.array.ptr[i] : NULL,
                         (int)i + 1);
            }
            if (rows < f->max && rows < MAX_ROWS_SHOWN) {
                char label[160];
                s_label (label, sizeof label, f->label, f->key, 0);
                tpl_t *add = s_item (self, NULL);
                tpl_set (add, "add", "%s", path);
                tpl_set (add, "add_label", "%s", label);
            }
        }
        else
            s_leaf (self, f, path, v);
    }
}

void
formweb_fields (formweb_t *self,
                const yjc_schema_t *schema,
                const char *prefix,
                const msgpack_object *values)
{
    s_fields (self, schema, prefix, values);
}

tpl_t *
formweb_place (formweb_t *self, const char *list, const char *name)
{
    tpl_t *item = tpl_add (self->data, list);
    char id[200];
    s_id (id, sizeof id, name);
    tpl_set (item, "name", "%s", name);
    tpl_set (item, "id", "%s", id);
    zhash_update (self->places, name, item);
    return item;
}

/* ---- problems ------------------------------------------------------------ */

void
formweb_problem (formweb_t *self, const char *name, const char *text)
{
    char path[160];
    snprintf (path, sizeof path, "%s", name ? name : "");
    //  the field itself, else the nearest enclosing group or field
    tpl_t *at = NULL;
    while (*path && !(at = (tpl_t *)zhash_lookup (self->places, path))) {
        char *cut = strrchr (path, '.');
        char *br = strrchr (path, '[');
        if (br && (!cut || br > cut))
            cut = br;
        if (!cut)
            break;
        *cut = 0;
    }
    if (at) {
        tpl_set (tpl_add (at, "errs"), "text", "%s", text);
        tpl_set (at, "bad", "1");
    }
    tpl_t *all = tpl_add (self->data, "all_problems");
    tpl_set (all, "text", "%s", text);
    if (at) {
        char id[200];
        s_id (id, sizeof id, path);
        tpl_set (all, "href", "#%s", id);
    }
    self->problems++;
    tpl_set (self->data, "problem_count", "%d", self->problems);
}

int
formweb_problem_count (formweb_t *self)
{
    return self->problems;
}

//  One problem of the reply: its field path without "body.", moved to
//  the material it concerns when it is one (R8).
void
formweb_problem_at (formweb_t *self,
                    const char *field,
                    const char *text,
                    const char *detail,
                    const char *const *att_kinds,
                    int n_att)
{
    char name[200];
    const char *path = strncmp (field, "body.", 5) == 0 ? field + 5
                       : streq (field, "body")          ? ""
                                                        : field;
    snprintf (name, sizeof name, "%s", path);
    if (streq (path, "attachments")) {
        //  a material the form requires: its detail names the kind
        for (int k = 0; k < YJC_MAT_COUNT; k++) {
            size_t len = strlen (yjc_material_defs[k].wire);
            if (strncmp (detail, yjc_material_defs[k].wire, len) == 0 &&
                detail[len] == ' ')
                snprintf (name,
                          sizeof name,
                          "material.%s",
                          yjc_material_defs[k].wire);
        }
    }
    else if (strncmp (path, "attachments[", 12) == 0) {
        int i = atoi (path + 12);
        if (att_kinds && i >= 0 && i < n_att)
            snprintf (name, sizeof name, "material.%s", att_kinds[i]);
    }
    formweb_problem (self, name, *text ? text : "表单有误");
}

static void
s_reply_problem (formweb_t *self,
                 const msgpack_object *p,
                 const char *const *att_kinds,
                 int n_att)
{
    char field[160], text[600], detail[256];
    yjc_obj_strcpy (p, "field", field, sizeof field);
    yjc_obj_strcpy (p, "message", text, sizeof text);
    yjc_obj_strcpy (p, "detail", detail, sizeof detail);
    formweb_problem_at (self, field, text, detail, att_kinds, n_att);
}

int
formweb_problems (formweb_t *self,
                  const yjc_reply_t *reply,
                  const char *const *att_kinds,
                  int n_att)
{
    const msgpack_object *details = yjc_obj_get (reply->error, "details");
    if (details && details->type == MSGPACK_OBJECT_ARRAY &&
        details->via.array.size)
        for (uint32_t i = 0; i < details->via.array.size; i++)
            s_reply_problem (
                self, &details->via.array.ptr[i], att_kinds, n_att);
    else if (reply->error)
        s_reply_problem (self, reply->error, att_kinds, n_att);
    else
        formweb_problem (self, NULL, "服务暂时没有应答，请稍后再试");
    return self->problems;
}

/* ---- packing ------------------------------------------------------------- */

static const char *
s_posted (zhash_t *form, const char *path)
{
    const char *v = (const char *)zhash_lookup (form, path);
    return v && *v ? v : NULL;
}

bool
formweb_any (const yjc_schema_t *schema, const char *prefix, zhash_t *form)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        char path[160];
        s_path (path, sizeof path, prefix, f->key);
        if (f->kind == YJC_K_MAP) {
            if (formweb_any (f->sub, path, form))
                return true;
        }
        else if (f->kind == YJC_K_ARR_MAP) {
            for (int64_t i = 0; i < f->max && i < MAX_ROWS_SHOWN; i++) {
                char row[200];
                snprintf (row, sizeof row, "%s[%d]", path, (int)i);
                if (formweb_any (f->sub, row, form))
                    return true;
            }
        }
        else if (s_posted (form, path))
            return true;
    }
    return false;
}

//  The items of a posted list: values joined by US (repeated fields),
//  or lines of a text area; empty ones dropped.
static void
s_pack_list (msgpack_packer *pk, const char *text)
{
    zlist_t *items = zlist_new ();
    zlist_autofree (items);
    const char *p = text;
    while (*p) {
        size_t len = strcspn (p, "\x1f\r\n");
        char *item = zsys_sprintf ("%.*s", (int)len, p);
        char *s = item, *e = item + strlen (item);
        while (*s == ' ' || *s == '\t')
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        if (*s)
            zlist_append (items, s);
        free (item);
        p += len;
        if (*p)
            p++;
    }
    msgpack_pack_array (pk, (uint32_t)zlist_size (items));
    for (char *s = (char *)zlist_first (items); s;
         s = (char *)zlist_next (items))
        yjc_pk_str (pk, s);
    zlist_destroy (&items);
}

static void
s_pack_leaf (yjc_map_t *map, const yjc_field_t *f, const char *v)
{
    if (f->kind == YJC_K_INT) {
        //  a number as a number; anything else as sent, for the
        //  service to name what is wrong with it
        char *end = NULL;
        errno = 0;
        long long n = strtoll (v, &end, 10);
        if (errno == 0 && end != v && *end == 0)
            yjc_map_int (map, f->key, n);
        else
            yjc_map_str (map, f->key, v);
    }
    else if (f->kind == YJC_K_BOOL)
        yjc_map_bool (map,
                      f->key,
                      streq (v, "on") || streq (v, "1") || streq (v, "true"));
    else if (f->kind == YJC_K_ARR_ENUM || f->kind == YJC_K_ARR_STR)
        s_pack_list (yjc_map_key (map, f->key), v);
    else
        yjc_map_str (map, f->key, v);
}

void
formweb_pack (yjc_map_t *map,
              const yjc_schema_t *schema,
              const char *prefix,
              zhash_t *form,
              const char *const *skip)
{
    for (const yjc_field_t *f = schema->fields; f->key; f++) {
        if (s_skipped (skip, f->key) || f->kind == YJC_K_ANYMAP ||
            f->kind == YJC_K_BIN)
            continue;
        char path[160];
        s_path (path, sizeof path, prefix, f->key);
        if (f->kind == YJC_K_MAP) {
            //  a required section always (its fields' own problems are
            //  named then), an optional one when anything of it is filled
            if (!f->required && !formweb_any (f->sub, path, form))
                continue;
            yjc_map_t sub;
            yjc_map_init (&sub);
            formweb_pack (&sub, f->sub, path, form, skip);
            yjc_map_end (&sub, yjc_map_key (map, f->key));
            yjc_map_release (&sub);
        }
        else if (f->kind == YJC_K_ARR_MAP) {
            //  the filled rows, in order
            zlist_t *rows = zlist_new ();
            zlist_autofree (rows);
            for (int64_t i = 0; i < f->max && i < MAX_ROWS_SHOWN; i++) {
                char row[200];
                snprintf (row, sizeof row, "%s[%d]", path, (int)i);
                if (formweb_any (f->sub, row, form))
                    zlist_append (rows, row);
            }
            if (zlist_size (rows)) {
                msgpack_packer *pk = yjc_map_key (map, f->key);
                msgpack_pack_array (pk, (uint32_t)zlist_size (rows));
                for (char *row = (char *)zlist_first (rows); row;
                     row = (char *)zlist_next (rows)) {
                    yjc_map_t sub;
                    yjc_map_init (&sub);
                    formweb_pack (&sub, f->sub, row, form, skip);
                    yjc_map_end (&sub, pk);
                    yjc_map_release (&sub);
                }
            }
            zlist_destroy (&rows);
        }
        else {
            const char *v = s_posted (form, path);
            if (v)
                s_pack_leaf (map, f, v);
            else if (f->kind == YJC_K_BOOL && f->required)
                yjc_map_bool (map, f->key, false); //  an unticked box
        }
    }
}
