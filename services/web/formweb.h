/*  formweb.h - a request body's schema (proto/yjc_schemas.def) as an
    HTML form and back: every input named by its wire field path
    ("form.resources.hosts[0].cpu_mem"), labelled with the schema's
    Chinese label, its choices in the words of yjc_values.def; the posted
    fields packed into the body the CLI would send; and a service's
    problems put next to the inputs they name (all at once).           */
#ifndef FORMWEB_H_INCLUDED
#define FORMWEB_H_INCLUDED

#include "page.h"
#include "yjc_map.h"

typedef struct _formweb_t formweb_t;

//  `data` receives the list "fields" (and "all_problems"); `prefix` is
//  the body path of `schema` ("form", or "" for a request's top level);
//  `skip`: keys not rendered nor packed (NULL-terminated, may be NULL).
formweb_t *formweb_new (tpl_t *data, const char *const *skip);
void formweb_destroy (formweb_t **self_p);

//  The list at `path` gets one empty row more (its 增加 button).
void formweb_more (formweb_t *self, const char *path);

//  Emits the fields of `schema` with the values of `values` (may be NULL).
void formweb_fields (formweb_t *self,
                     const yjc_schema_t *schema,
                     const char *prefix,
                     const msgpack_object *values);

//  A named place of its own (a material's file input, an item of the
//  list `list`); returns the item for the caller to fill.
tpl_t *formweb_place (formweb_t *self, const char *list, const char *name);

//  Puts every problem of a refused reply next to its field (or the
//  nearest enclosing one, else at the top); `att_kinds` are the
//  material kinds sent as attachments[0..n) (NULL: none).  Returns the
//  number of problems.
int formweb_problems (formweb_t *self,
                      const yjc_reply_t *reply,
                      const char *const *att_kinds,
                      int n_att);
//  One problem by its wire path ("body.form.unit.name"), its Chinese
//  text and English detail.
void formweb_problem_at (formweb_t *self,
                         const char *field,
                         const char *text,
                         const char *detail,
                         const char *const *att_kinds,
                         int n_att);
//  One problem of the page's own at `name` (a file that could not go).
void formweb_problem (formweb_t *self, const char *name, const char *text);
int formweb_problem_count (formweb_t *self);

//  Adds the posted fields of `schema` (under `prefix`) to `map`.
void formweb_pack (yjc_map_t *map,
                   const yjc_schema_t *schema,
                   const char *prefix,
                   zhash_t *form,
                   const char *const *skip);
//  Whether any field of `schema` under `prefix` was filled in.
bool formweb_any (const yjc_schema_t *schema,
                  const char *prefix,
                  zhash_t *form);

#endif
