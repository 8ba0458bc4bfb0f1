/*  tpl.c - templates with escaping on for every value.                   */
#include "tpl.h"
#include <pthread.h>

//  A page's data is many small items (a row: a dozen keys), made and
//  freed for every page: small arrays searched in order, not hash tables
//  (two zhashx of 255 slots an item were a tenth of the console's CPU).
typedef struct {
    char *key;
    char *value;
} s_value_t;

typedef struct {
    char *key;
    zlistx_t *items; //  of tpl_t
} s_list_t;

struct _tpl_t {
    tpl_t *parent; //  where a key not found here is looked up
    s_value_t *values;
    size_t nvalues, values_cap;
    s_list_t *lists;
    size_t nlists, lists_cap;
};

#define MAX_DEPTH 16 //  partials and sections nested at most so deep

static void
s_destroy_item (void **item)
{
    tpl_destroy ((tpl_t **)item);
}

tpl_t *
tpl_new (void)
{
    return (tpl_t *)zmalloc (sizeof (tpl_t));
}

void
tpl_destroy (tpl_t **self_p)
{
    if (*self_p) {
        tpl_t *self = *self_p;
        for (size_t i = 0; i < self->nvalues; i++) {
            free (self->values[i].key);
            zstr_free (&self->values[i].value);
        }
        free (self->values);
        for (size_t i = 0; i < self->nlists; i++) {
            free (self->lists[i].key);
            zlistx_destroy (&self->lists[i].items);
        }
        free (self->lists);
        free (self);
        *self_p = NULL;
    }
}

//  Room for one more entry in an array of `size`-byte entries.
static void *
s_grow (void *array, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return array;
    *cap = *cap ? *cap * 2 : 8;
    void *bigger = realloc (array, *cap * size);
    assert (bigger);
    return bigger;
}

void
tpl_set (tpl_t *self, const char *key, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char *value = zsys_vprintf (fmt, args);
    va_end (args);
    if (!value)
        return;
    for (size_t i = 0; i < self->nvalues; i++)
        if (streq (self->values[i].key, key)) {
            zstr_free (&self->values[i].value);
            self->values[i].value = value;
            return;
        }
    self->values = (s_value_t *)s_grow (
        self->values, self->nvalues, &self->values_cap, sizeof (s_value_t));
    self->values[self->nvalues++] = (s_value_t){ strdup (key), value };
}

static zlistx_t *
s_own_list (tpl_t *self, const char *key)
{
    for (size_t i = 0; i < self->nlists; i++)
        if (streq (self->lists[i].key, key))
            return self->lists[i].items;
    return NULL;
}

tpl_t *
tpl_add (tpl_t *self, const char *key)
{
    zlistx_t *list = s_own_list (self, key);
    if (!list) {
        list = zlistx_new ();
        zlistx_set_destructor (list, s_destroy_item);
        self->lists = (s_list_t *)s_grow (
            self->lists, self->nlists, &self->lists_cap, sizeof (s_list_t));
        self->lists[self->nlists++] = (s_list_t){ strdup (key), list };
    }
    tpl_t *item = tpl_new ();
    item->parent = self;
    zlistx_add_end (list, item);
    return item;
}

void
tpl_escape (zchunk_t *out, const char *text, size_t len)
{
    size_t run = 0; //  start of the characters copied as they are
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (text[i]) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default: break;
        }
        if (rep) {
            zchunk_extend (out, text + run, i - run);
            zchunk_extend (out, rep, strlen (rep));
            run = i + 1;
        }
    }
    zchunk_extend (out, text + run, len - run);
}

static const char *
s_value (tpl_t *self, const char *key)
{
    for (; self; self = self->parent)
        for (size_t i = 0; i < self->nvalues; i++)
            if (streq (self->values[i].key, key))
                return self->values[i].value;
    return NULL;
}

static zlistx_t *
s_list (tpl_t *self, const char *key)
{
    for (; self; self = self->parent) {
        zlistx_t *l = s_own_list (self, key);
        if (l)
            return l;
    }
    return NULL;
}

//  Templates are read once and kept (a page was three file reads: its
//  own and the header's and footer's); they change with a deployment,
//  which restarts the service.
static pthread_mutex_t s_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static zhashx_t *s_cache; //  "dir/name" -> text

static void
s_cache_free (void)
{
    zhashx_destroy (&s_cache);
}

static char *
s_read (const char *path)
{
    zfile_t *file = zfile_new (NULL, path);
    char *text = NULL;
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, zfile_cursize (file), 0);
        text = chunk ? zchunk_strdup (chunk) : NULL;
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    return text;
}

//  The template's text (owned by the cache), or NULL.
static const char *
s_load (const char *dir, const char *name)
{
    for (const char *p = name; *p; p++)
        if (!(isalnum ((unsigned char)*p) || *p == '_' || *p == '-'))
            return NULL; //  a template name is never a path
    char *path = zsys_sprintf ("%s/%s.html", dir, name);
    pthread_mutex_lock (&s_cache_lock);
    if (!s_cache) {
        s_cache = zhashx_new ();
        zhashx_set_destructor (s_cache, (zhashx_destructor_fn *)zstr_free);
        atexit (s_cache_free);
    }
    const char *text = (const char *)zhashx_lookup (s_cache, path);
    if (!text) {
        char *read = s_read (path);
        if (read) {
            zhashx_insert (s_cache, path, read);
            text = read;
        }
    }
    pthread_mutex_unlock (&s_cache_lock);
    zstr_free (&path);
    return text;
}

//  The end of the section `key` opened before `from`: its {{/key}} at the
//  same nesting, or NULL.
static const char *
s_section_end (const char *from, const char *end, const char *key, size_t klen)
{
    int depth = 1;
    for (const char *p = from; p && p < end; p++) {
        p = strstr (p, "{{");
        if (!p || p >= end)
            return NULL;
        char c = p[2];
        if ((c == '#' || c == '^' || c == '/') &&
            strncmp (p + 3, key, klen) == 0 &&
            strncmp (p + 3 + klen, "}}", 2) == 0) {
            depth += c == '/' ? -1 : 1;
            if (depth == 0)
                return p;
        }
    }
    return NULL;
}

static void s_render (zchunk_t *out,
                      const char *dir,
                      const char *text,
                      const char *end,
                      tpl_t *data,
                      int depth);

static void
s_section (zchunk_t *out,
           const char *dir,
           char kind,
           const char *key,
           const char *body,
           const char *body_end,
           tpl_t *data,
           int depth)
{
    zlistx_t *list = s_list (data, key);
    const char *value = s_value (data, key);
    bool set = (list && zlistx_size (list) > 0) ||
               (value && *value && strcmp (value, "0") != 0);
    if (kind == '^') {
        if (!set)
            s_render (out, dir, body, body_end, data, depth + 1);
    }
    else if (list && zlistx_size (list) > 0) {
        for (tpl_t *item = (tpl_t *)zlistx_first (list); item;
             item = (tpl_t *)zlistx_next (list))
            s_render (out, dir, body, body_end, item, depth + 1);
    }
    else if (set)
        s_render (out, dir, body, body_end, data, depth + 1);
}

static void
s_render (zchunk_t *out,
          const char *dir,
          const char *text,
          const char *end,
          tpl_t *data,
          int depth)
{
    if (depth > MAX_DEPTH)
        return;
    const char *p = text;
    while (p < end) {
        const char *open = strstr (p, "{{");
        if (!open || open >= end) {
            zchunk_extend (out, p, end - p);
            return;
        }
        zchunk_extend (out, p, open - p);
        const char *close = strstr (open + 2, "}}");
        if (!close || close >= end)
            return; //  an unclosed tag: the rest is dropped
        char kind = open[2];
        const char *k = open + 2 + (strchr ("#^/>", kind) ? 1 : 0);
        char key[64];
        size_t klen = (size_t)(close - k);
        if (klen == 0 || klen >= sizeof key) {
            p = close + 2;
            continue;
        }
        memcpy (key, k, klen);
        key[klen] = 0;
        p = close + 2;
        if (kind == '#' || kind == '^') {
            const char *stop = s_section_end (p, end, key, klen);
            if (!stop)
                return;
            s_section (out, dir, kind, key, p, stop, data, depth);
            p = stop + klen + 5; //  past {{/key}}
        }
        else if (kind == '>') {
            const char *partial = s_load (dir, key);
            if (partial)
                s_render (out,
                          dir,
                          partial,
                          partial + strlen (partial),
                          data,
                          depth + 1);
        }
        else if (kind != '/') {
            const char *value = s_value (data, key);
            if (value)
                tpl_escape (out, value, strlen (value));
        }
    }
}

char *
tpl_render_text (const char *dir, const char *text, tpl_t *data)
{
    zchunk_t *out = zchunk_new (NULL, 4096);
    s_render (out, dir, text, text + strlen (text), data, 0);
    char *html = zchunk_strdup (out);
    zchunk_destroy (&out);
    return html;
}

char *
tpl_render (const char *dir, const char *name, tpl_t *data)
{
    const char *text = s_load (dir, name);
    return text ? tpl_render_text (dir, text, data) : NULL;
}
