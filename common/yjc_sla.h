/*  yjc_sla.h - the SLA of deadline rules (R9-R14): for each rule, how many
    steps were owed, how many were on time and how many late, the median
    and worst lateness in working days (on the calendar in force) and who
    owed them.  Each service that keeps steps with deadlines (review its
    decisions and duties, the provisioning adapter its orders) feeds its
    own steps in and packs the result (compliance.report, review.sla):
    no service reads another's tables.

    A step counts in the year its deadline falls in; one done after 24:00
    of its due day is late by the working days after the due day up to
    the day it was done; one still open past its due day is late up to
    today (and counted as `open`).  The median and worst are over the
    late steps.                                                          */
#ifndef YJC_SLA_H_INCLUDED
#define YJC_SLA_H_INCLUDED

#include "yjc_calendar.h"
#include <msgpack.h>
#include <stdbool.h>

typedef struct _yjc_sla_t yjc_sla_t;

yjc_sla_t *yjc_sla_new (void);
void yjc_sla_destroy (yjc_sla_t **self_p);

//  One step of deadline `what` (a DEADLINE code), with its rule text and
//  who owed it: due YYYY-MM-DD, done YYYY-MM-DD (local date; "" or NULL:
//  still open, measured to `today`). A step the calendar cannot measure
//  is left out (returns -1).
int yjc_sla_add (yjc_sla_t *self,
                 const yjc_calendar_t *cal,
                 const char *what,
                 const char *rule,
                 const char *owed_by,
                 const char *due,
                 const char *done,
                 const char *today);

//  Packs an array of maps {what, rule, owed_by, steps, on_time, late,
//  open, median_late, worst_late}, one per rule in the order first seen.
void yjc_sla_pack (const yjc_sla_t *self, msgpack_packer *pk);

#endif
