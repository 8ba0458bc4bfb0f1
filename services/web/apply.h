/*  apply.h - the unit's application form and its materials (apply.c),
    shared with the requests that carry materials (requests.c).        */
#ifndef APPLY_H_INCLUDED
#define APPLY_H_INCLUDED

#include "formweb.h"

typedef struct {
    char att_id[33];
    char name[256];
    char sha256[65];
} apply_material_t;

//  R8: each kind's file of this post (`field_prefix` + wire kind) sent
//  to intake, or the attachment kept from an earlier post (hidden
//  att.KIND); a file that could not go adds (field, text) to `problems`.
//  Returns how many kinds have an attachment.
int apply_materials (const session_t *s,
                     zhash_t *form,
                     const char *field_prefix,
                     apply_material_t out[YJC_MAT_COUNT],
                     zlist_t *problems);
//  "attachments" as application.submit and request.change take it;
//  `kinds` gets the kind of each item sent.  Returns the count.
int apply_pack_materials (yjc_map_t *map,
                          const apply_material_t m[YJC_MAT_COUNT],
                          const char *kinds[YJC_MAT_COUNT]);
//  The file inputs of the kinds in `shown` (bit per kind), marking those
//  `required`, with what is already uploaded.
void apply_material_places (formweb_t *fw,
                            const apply_material_t *m,
                            unsigned required,
                            unsigned shown);
void apply_local_problems (formweb_t *fw, zlist_t *problems);

page_route_fn apply_route, requests_route, inbox_route;

#endif
