/*  yjc_elastic.h - the elastic range (R11.2): for a system with large
    load swings the bureau approves, per resource line, a range the
    vendor may scale in without a change request.  Pure rules, shared by
    review (the ranges against the grant) and the provisioning adapter
    (a scaling step against the ranges), tested by the unit runner.

    A host range names a host line of the resources (配置N) by its
    cpu_mem, and by `line` (from 1) when several lines have that cpu_mem;
    bandwidth is the network's dedicated_mbps (2 Mbps steps, as the form),
    storage is storage_tb.  An absent quantity counts as 0.             */
#ifndef YJC_ELASTIC_H_INCLUDED
#define YJC_ELASTIC_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"

//  R11.2: checks the ranges `elastic` (proto `elastic`) against the
//  resources granted at the time: each range names a line the grant has,
//  once; min <= max; bandwidth in 2 Mbps steps; min <= granted <= max.
//  Problems go to `out` under `at` ("body.elastic").  Returns their count.
int yjc_elastic_check (const msgpack_object *elastic,
                       const msgpack_object *granted,
                       const char *at,
                       yjc_problems_t *out);

//  R11.2: checks a scaling step (the body of scaling.report) against the
//  ranges and the resources in place, and when it is inside packs the
//  resources after the step into `after`.  Problems go to `out` under
//  "body" (no_elastic_range: a line without a range;
//  outside_elastic_range: a value outside its range).  Returns their
//  count; `after` is written only when it is 0.
int yjc_elastic_step (const msgpack_object *elastic,
                      const msgpack_object *resources,
                      const msgpack_object *step,
                      msgpack_packer *after,
                      yjc_problems_t *out);

void yjc_elastic_test (yjc_test_t *t);

#endif
