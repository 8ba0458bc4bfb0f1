/*  yjc_calendar.h - the working-day calendar and the legal time rules.

    The one place where "within N days" is computed (requirements.md, "Time
    rules"; 民法典 201-203):
    - a period starts on the day after the triggering event;
    - a working day is a date listed `work` (调休上班), or Monday-Friday not
      listed `off`;
    - "N working days": the N-th working day after the event;
    - "N days / months / years": the N-th day, or the same-numbered day of
      the final month (its last day when it has none), moved to the next
      working day when it is not one.
    A date in a year no loaded file covers is an explicit error, never a
    guess: the calendar must be updated when the State Council publishes
    the next year's notice.

    The caller owns the calendar; it is immutable once loaded and may then
    be shared by threads.                                                  */
#ifndef YJC_CALENDAR_H_INCLUDED
#define YJC_CALENDAR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "yjc_test.h"
#include "yjc_time.h"

#ifndef YJC_SHARE_DIR
#define YJC_SHARE_DIR "deploy"
#endif

#define YJC_CALENDAR_LINE_MAX 1024   //  bytes per CSV line, newline excluded
#define YJC_CALENDAR_ROWS_MAX 100000 //  rows per file and in total
#define YJC_CALENDAR_N_MAX    10000  //  largest N of a period

typedef struct _yjc_calendar_t yjc_calendar_t;

//  Create an empty calendar (it covers no year).
yjc_calendar_t *yjc_calendar_new (void);

//  Destroy the calendar; NULL-safe, sets *self_p to NULL.
void yjc_calendar_destroy (yjc_calendar_t **self_p);

//  Load a CSV in the cn-holidays.csv format: header line "date,kind,name"
//  required; kind is off|work; blank lines and lines starting with '#'
//  ignored; a date listed twice in one file is an error. Rows override
//  earlier loads for the same date (a county's local overrides file). A
//  year counts as covered once any loaded file has a row in it. The load
//  is all or nothing. Returns 0, or -1 with "path:line: reason" in err.
int yjc_calendar_load (yjc_calendar_t *self,
                       const char *path,
                       char *err,
                       size_t errlen);

//  Load the national file (env YJC_CALENDAR, default YJC_SHARE_DIR
//  "/calendar/cn-holidays.csv") and then, if env YJC_CALENDAR_LOCAL is set
//  and non-empty, that overrides file. Returns a new calendar owned by the
//  caller, or NULL with the reason in err.
yjc_calendar_t *yjc_calendar_load_default (char *err, size_t errlen);

//  True if a loaded file has a row in year.
bool yjc_calendar_covers (const yjc_calendar_t *self, int year);

//  The functions below return 0, or -1 when a date they must look at lies
//  in an uncovered year (then err gets "calendar does not cover YYYY"), or
//  when an argument is out of range (invalid date, N outside
//  0..YJC_CALENDAR_N_MAX). err may be NULL.

//  Is d a working day?
int yjc_calendar_is_workday (const yjc_calendar_t *self,
                             yjc_date_t d,
                             bool *out,
                             char *err,
                             size_t errlen);

//  "N working days after D": counting starts the day after D; *out is the
//  N-th working day (N = 0 gives D itself). The deadline is the end of
//  that day: yjc_date_end_us (*out).
int yjc_calendar_add_workdays (const yjc_calendar_t *self,
                               yjc_date_t d,
                               int n,
                               yjc_date_t *out,
                               char *err,
                               size_t errlen);

//  Number of working days strictly after `from` up to and including `to`
//  (0 if to <= from): "N working days late".
int yjc_calendar_workdays_between (const yjc_calendar_t *self,
                                   yjc_date_t from,
                                   yjc_date_t to,
                                   int *out,
                                   char *err,
                                   size_t errlen);

//  The first working day on or after d.
int yjc_calendar_next_workday (const yjc_calendar_t *self,
                               yjc_date_t d,
                               yjc_date_t *out,
                               char *err,
                               size_t errlen);

//  Last day of the period "N days|months|years" (unit 'd', 'm', 'y') from
//  event date D: days: D + N; months/years: the same-numbered day of the
//  final month, or that month's last day if it has none; then, if that is
//  not a working day, the next working day (民法典 201-203).
int yjc_calendar_period_end (const yjc_calendar_t *self,
                             yjc_date_t d,
                             int n,
                             char unit,
                             yjc_date_t *out,
                             char *err,
                             size_t errlen);

//  Parse "15d", "3m", "3y" (N in 0..YJC_CALENDAR_N_MAX, no sign, no spaces)
//  into n and unit. Returns 0, or -1 (outputs unchanged).
int yjc_period_parse (const char *text, int *n, char *unit);

//  Selftest
void yjc_calendar_test (yjc_test_t *t);

#endif
