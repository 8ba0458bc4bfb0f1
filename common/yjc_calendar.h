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
    A year a loaded national file has rows in is official. A later year
    the files do not cover (up to YJC_CALENDAR_PROVISIONAL_MAX) is
    provisional (暂定): weekends, the statutory holidays of
    《全国年节及纪念日放假办法》 (2024 amendment), 补假 on the next
    working day for a holiday on a weekend or on another holiday, no 调休;
    results resting on it are recomputed once the State Council publishes
    that year's notice. Any other year (before the first official one,
    beyond the lunar table) is an explicit error, never a guess.

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
#define YJC_CALENDAR_NAME_MAX 64     //  bytes kept of a row's name, NUL incl.
//  Last year the lunar table (deploy/calendar/gen-statutory.py) reaches
#define YJC_CALENDAR_PROVISIONAL_MAX 2060

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

//  Like yjc_calendar_load, but the rows do not make their years official:
//  a county's overrides, applied on top of an official or a provisional
//  year (rows in a year that is neither are never looked at).
int yjc_calendar_load_overrides (yjc_calendar_t *self,
                                 const char *path,
                                 char *err,
                                 size_t errlen);

//  Load the national file (setting YJC_CALENDAR, default YJC_SHARE_DIR
//  "/calendar/cn-holidays.csv") and then, if setting YJC_CALENDAR_LOCAL is
//  non-empty, that overrides file. Returns a new calendar owned by the
//  caller, or NULL with the reason in err.
yjc_calendar_t *yjc_calendar_load_default (char *err, size_t errlen);

//  One listed day of a year (yjc_calendar_year).
typedef struct {
    yjc_date_t date;
    bool work;   //  an adjusted working day (调休上班), else a day off
    bool makeup; //  provisional 补假 for the holiday `name`
    char name[YJC_CALENDAR_NAME_MAX]; //  UTF-8, cut at a character
} yjc_calendar_day_t;

#define YJC_CALENDAR_YEAR_DAYS_MAX 400 //  listed days of a year, at most

//  A copy of the calendar, owned by the caller (NULL when out of memory):
//  the base a published year is applied to (yjc_calendar_apply).
yjc_calendar_t *yjc_calendar_dup (const yjc_calendar_t *self);

//  Applies a year published with `calendar publish` (R: time rules,
//  "recomputed when the official arrangement is published"). A full
//  arrangement (full = true) replaces everything listed for that year and
//  makes it official: the days given are off or worked as they say, every
//  other day follows the week. A local change only replaces the days it
//  lists, on top of what is in force (the year stays as official or
//  provisional as it was). Every day must lie in `year`, dates unique.
//  Returns 0, or -1 with the reason in err (nothing changed).
int yjc_calendar_apply (yjc_calendar_t *self,
                        int year,
                        bool full,
                        const yjc_calendar_day_t *days,
                        size_t count,
                        char *err,
                        size_t errlen);

//  True if a file loaded with yjc_calendar_load has a row in year: the
//  year's arrangement is official (published).
bool yjc_calendar_covers (const yjc_calendar_t *self, int year);

//  True if year is computed on the provisional calendar (暂定): not
//  covered, after the first covered year, within the lunar table.
bool yjc_calendar_is_provisional (const yjc_calendar_t *self, int year);

//  True if any year from from.y to to.y is provisional: pass an event date
//  and the result computed from it (a deadline, a period's end) to learn
//  whether that result is provisional (暂定).
bool yjc_calendar_provisional_span (const yjc_calendar_t *self,
                                    yjc_date_t from,
                                    yjc_date_t to);

//  The listed days of year in date order: the rows of an official year,
//  or the statutory days and 补假 of a provisional one (a date holding two
//  holidays is listed twice), with override rows in their place. Writes
//  up to max days, sets *count to the number written and *provisional.
//  Returns 0, or -1 when the year is neither official nor provisional.
int yjc_calendar_year (const yjc_calendar_t *self,
                       int year,
                       yjc_calendar_day_t *days,
                       size_t max,
                       size_t *count,
                       bool *provisional,
                       char *err,
                       size_t errlen);

//  The functions below return 0, or -1 when a date they must look at lies
//  in a year neither official nor provisional (then err gets "calendar
//  does not cover YYYY"), or
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
