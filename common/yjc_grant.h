/*  yjc_grant.h - what the bureau may grant (R9.2, R11.2): any line of the
    form, up to what was asked for it, never more.  A pure rule of the
    review service, kept in libyjc so the unit runner reaches it without
    linking a service (services/review/grant.h).                        */
#ifndef YJC_GRANT_H_INCLUDED
#define YJC_GRANT_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  Checks `granted` against `asked` (both proto `resources` maps); every
//  line that gives more than was asked is added to `out` under
//  "body.granted".  Returns the number of problems.
int yjc_grant_check (const msgpack_object *granted,
                     const msgpack_object *asked,
                     yjc_problems_t *out);

void yjc_grant_test (yjc_test_t *t);

#endif
