/*  yjc_obligations.h - the vendor's recurring obligations (R16, R21) as
    data, expanded from proto/yjc_obligations.def, and their periods:
    which periods a year has, what a period's name means, when a
    delivery for it is due.                                              */
#ifndef YJC_OBLIGATIONS_H_INCLUDED
#define YJC_OBLIGATIONS_H_INCLUDED

#include "yjc_calendar.h"
#include "yjc_time.h"
#include <stdbool.h>

typedef enum {
#define OBLIGATION(                                                            \
    ident, code, period, count, months, due, held, per_unit, rule, zh)         \
    YJC_OBL_##ident,
#include "../proto/yjc_obligations.def"
    YJC_OBL_COUNT
} yjc_obligation_t;

typedef struct {
    const char *code;
    char period; //  'M', 'H', 'Q'
    int count;
    int due_months;
    int due_workdays;
    bool held;
    bool per_unit; //  R16: one delivery per unit with a running system
    const char *rule;
    const char *zh;
} yjc_obligation_def_t;

extern const yjc_obligation_def_t yjc_obligations[YJC_OBL_COUNT];

//  The obligation of `code`, or -1.
int yjc_obligation_by_code (const char *code);

//  Periods per year of the kind ('M' 12, 'Q' 4, 'H' 2).
int yjc_obligation_periods (char period);

//  The name of the i-th period (0-based) of `year`: 2026-11, 2026-Q4,
//  2026-H2.
void yjc_obligation_period_name (char period, int year, int i, char out[16]);

//  Parses a period's name of the obligation's kind into its first and
//  last day; -1 when it is not one.
int yjc_obligation_period_parse (char period,
                                 const char *name,
                                 yjc_date_t *first,
                                 yjc_date_t *last);

//  The due date of a delivery for the period ending `last` (24:00 of it),
//  on calendar `cal`; -1 when the calendar does not cover it.
int yjc_obligation_due (const yjc_calendar_t *cal,
                        yjc_obligation_t obl,
                        yjc_date_t last,
                        yjc_date_t *due);

#endif
