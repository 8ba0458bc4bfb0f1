/*  yjc_obligations.c - proto/yjc_obligations.def expanded (R16, R21).  */
#include "yjc_obligations.h"
#include <stdio.h>
#include <string.h>

const yjc_obligation_def_t yjc_obligations[YJC_OBL_COUNT] = {
#define OBLIGATION(                                                            \
    ident, code, period, count, months, due, held, per_unit, rule, zh)         \
    { code, period, count, months, due, held, per_unit, rule, zh },
#include "../proto/yjc_obligations.def"
};

int
yjc_obligation_by_code (const char *code)
{
    for (int i = 0; code && i < YJC_OBL_COUNT; i++)
        if (strcmp (yjc_obligations[i].code, code) == 0)
            return i;
    return -1;
}

int
yjc_obligation_periods (char period)
{
    return period == 'M' ? 12 : period == 'Q' ? 4 : period == 'H' ? 2 : 0;
}

void
yjc_obligation_period_name (char period, int year, int i, char out[16])
{
    if (period == 'M')
        snprintf (out, 16, "%04d-%02d", year % 10000, (i + 1) % 100);
    else
        snprintf (out, 16, "%04d-%c%d", year % 10000, period, (i + 1) % 10);
}

int
yjc_obligation_period_parse (char period,
                             const char *name,
                             yjc_date_t *first,
                             yjc_date_t *last)
{
    int n = yjc_obligation_periods (period);
    if (!name || strlen (name) != 7 || name[4] != '-' || n == 0)
        return -1;
    int year = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        year = year * 10 + (name[i] - '0');
    }
    if (year < 1900)
        return -1;
    //  the i-th period and how many months it spans
    for (int i = 0; i < n; i++) {
        char want[16];
        yjc_obligation_period_name (period, year, i, want);
        if (strcmp (want, name) != 0)
            continue;
        int months = 12 / n;
        int m0 = i * months + 1, m1 = m0 + months - 1;
        first->y = year;
        first->m = m0;
        first->d = 1;
        last->y = year;
        last->m = m1;
        last->d = yjc_date_days_in_month (year, m1);
        return 0;
    }
    return -1;
}

int
yjc_obligation_due (const yjc_calendar_t *cal,
                    yjc_obligation_t obl,
                    yjc_date_t last,
                    yjc_date_t *due)
{
    //  R16: counted from the end of the month(s) after the period
    for (int m = 0; m < yjc_obligations[obl].due_months; m++) {
        last = yjc_date_add_days (last, 1);
        last.d = yjc_date_days_in_month (last.y, last.m);
    }
    int n = yjc_obligations[obl].due_workdays;
    if (n == 0) {
        *due = last;
        return 0;
    }
    return yjc_calendar_add_workdays (cal, last, n, due, NULL, 0);
}
