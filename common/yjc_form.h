/*  yjc_form.h - the checks of the application form (资源申请审核表)
    that its shape in proto/ cannot express: steps, tiers, the period. */
#ifndef YJC_FORM_H_INCLUDED
#define YJC_FORM_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  Every problem of a request's body in one go (proto/README.md §2.5):
//  its shape against the schema of `msg_type`, and for the requests that
//  carry the form or its resources (application.submit, request.change,
//  emergency.report) the form's rules, the materials it requires and, for
//  an application, that it is `unit`'s own (NULL: not checked) - on what
//  can be read of a body whose shape is partly wrong.  Returns the number
//  of problems, or -1 when the body is not a map (nothing to walk).
int yjc_form_check_body (int msg_type,
                         const msgpack_object *body,
                         const char *unit,
                         yjc_problems_t *out);

//  The form's rules on a form whose shape may be partly wrong (what
//  cannot be read is skipped; a field with a problem already gets no
//  second one); every
//  problem is added to `out` with its path under "body.form".  Returns
//  the number of problems found.
int yjc_form_check (const msgpack_object *form, yjc_problems_t *out);

//  The same checks of the resources alone (a change, R12), with paths
//  under `at` ("body.resources").
int yjc_form_check_resources (const msgpack_object *resources,
                              const char *at,
                              yjc_problems_t *out);

//  R14.1: the length of the usage period the form asks for: whole months
//  when it is a whole number of them (2027-01-01 to 2029-12-31: 36), else
//  0, and its days (end - start + 1).  False when the form has no period.
bool yjc_form_usage_length (const msgpack_object *form, int *months, int *days);

//  R8, R20: which materials the form requires; returns a mask with bit
//  (1u << yjc_material_t) set for each.
unsigned yjc_form_required_materials (const msgpack_object *form);

//  Why the form requires material `kind` (English, for programs).
const char *yjc_form_material_reason (int kind);

//  Adds an `incomplete` problem for each material that `form` requires
//  and `attachments` (application.submit's array, may be NULL) lacks.
int yjc_form_check_materials (const msgpack_object *form,
                              const msgpack_object *attachments,
                              yjc_problems_t *out);

void yjc_form_test (yjc_test_t *t);

//  R9.2: the 核定 cell of a decided line (the CLI's 审核表 and the
//  console's print page): refused (nothing granted), trimmed (granted
//  less than asked: marked), or as asked.
const char *yjc_form_granted (const char *asked,
                              const char *granted,
                              bool trimmed,
                              char *buf,
                              size_t size);
//  A quantity of `obj` with its unit, "" when zero or absent (not asked).
void yjc_form_quantity (const msgpack_object *obj,
                        const char *key,
                        const char *unit,
                        char *buf,
                        size_t size);

#endif
