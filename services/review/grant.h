/*  grant.h - what the bureau may grant (R9.2, R11.2).  The rule itself is
    pure and lives in libyjc (yjc_grant.h), where the unit runner tests it;
    review's handlers call it by this name.                             */
#ifndef GRANT_H_INCLUDED
#define GRANT_H_INCLUDED

#include "yjc_grant.h"

static inline int
grant_check (const msgpack_object *granted,
             const msgpack_object *asked,
             yjc_problems_t *out)
{
    return yjc_grant_check (granted, asked, out);
}

#endif
