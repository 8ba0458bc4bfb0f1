/*  tpl.h - the console's page templates: a small mustache subset with
    every value HTML-escaped, always (there is no raw form).

        {{key}}            the value, escaped
        {{#key}}..{{/key}} a list: once per item; a value: once if set
        {{^key}}..{{/key}} once if key is unset, empty or an empty list
        {{>name}}          templates/name.html in place

    A key not found in an item is looked up in the enclosing data.      */
#ifndef TPL_H_INCLUDED
#define TPL_H_INCLUDED

#include <czmq.h>

typedef struct _tpl_t tpl_t;

tpl_t *tpl_new (void);
void tpl_destroy (tpl_t **self_p);
void tpl_set (tpl_t *self, const char *key, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
//  A new item appended to the list `key` (owned by self).
tpl_t *tpl_add (tpl_t *self, const char *key);

//  Renders templates/NAME.html from `dir`; NULL when it cannot be read.
char *tpl_render (const char *dir, const char *name, tpl_t *data);
//  Renders a template text (for the selftest and partials).
char *tpl_render_text (const char *dir, const char *text, tpl_t *data);

//  Appends `text` HTML-escaped to out.
void tpl_escape (zchunk_t *out, const char *text, size_t len);

#endif
