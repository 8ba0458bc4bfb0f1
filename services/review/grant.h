/*  grant.h - what the bureau may grant (R9.2, R11.2): any line of the
    form, up to what was asked for it, never more.                     */
#ifndef GRANT_H_INCLUDED
#define GRANT_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  Checks `granted` against `asked` (both proto `resources` maps); every
//  line that gives more than was asked is added to `out` under
//  "body.granted".  Returns the number of problems.
int grant_check (const msgpack_object *granted,
                 const msgpack_object *asked,
                 yjc_problems_t *out);

void grant_test (yjc_test_t *t);

#endif
