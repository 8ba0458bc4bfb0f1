/*  form_rules.h - the checks of the application form (资源申请审核表)
    that its shape in proto/ cannot express: steps, tiers, the period. */
#ifndef FORM_RULES_H_INCLUDED
#define FORM_RULES_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  Checks a form that already matches proto's `form` schema; every
//  problem is added to `out` with its path under "body.form".  Returns
//  the number of problems found.
int form_rules_check (const msgpack_object *form, yjc_problems_t *out);

void form_rules_test (yjc_test_t *t);

#endif
