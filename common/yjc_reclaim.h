/*  yjc_reclaim.h - what a reclamation of idle resources leaves (R11.3):
    the application's resources minus the lines the bureau takes back
    (hosts of one configuration, dedicated bandwidth, storage, databases
    of one engine), never more than it has.  A pure rule shared by review
    (which checks a proposal and its approval) and the provisioning
    adapter (which orders what is left); the unit runner tests it here.  */
#ifndef YJC_RECLAIM_H_INCLUDED
#define YJC_RECLAIM_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  Takes `lines` (proto reclaim_lines) from `resources` (proto resources).
//  Every line that takes more than there is is added to `out` under
//  "body.lines…", unless `clamp` (then what there is is taken). When
//  `pk` is not NULL and there is no problem, packs the resources left
//  (a host or database line taken to nothing is dropped). Returns the
//  number of problems.
int yjc_reclaim_apply (const msgpack_object *resources,
                       const msgpack_object *lines,
                       bool clamp,
                       msgpack_packer *pk,
                       yjc_problems_t *out);

void yjc_reclaim_test (yjc_test_t *t);

#endif
