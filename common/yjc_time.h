/*  yjc_time.h - civil dates and instants.

    A date is a proleptic Gregorian civil date. An instant is int64
    microseconds since the Unix epoch (UTC). The platform's local time is
    Asia/Shanghai: a fixed +08:00 without DST, so no tz database is needed.

    Dates coming from outside (text, files, messages) are accepted only in
    years YJC_DATE_YEAR_MIN..YJC_DATE_YEAR_MAX; the arithmetic below never
    crashes on other values but its results are then meaningless.          */
#ifndef YJC_TIME_H_INCLUDED
#define YJC_TIME_H_INCLUDED

#include <stdbool.h>
#include <stdint.h>

#include "yjc_test.h"

#define YJC_DATE_YEAR_MIN 1900
#define YJC_DATE_YEAR_MAX 9999
//  Offset of Asia/Shanghai from UTC, in microseconds
#define YJC_TIME_LOCAL_OFFSET_US (8LL * 3600 * 1000000)

typedef struct {
    int y, m, d;
} yjc_date_t; //  a civil date

//  Parse "YYYY-MM-DD" strictly (nothing before or after), validating the
//  month, the day and the year range. Returns 0, or -1 (*out unchanged).
int yjc_date_parse (const char *text, yjc_date_t *out);

//  True if d is a real date within the accepted year range.
bool yjc_date_valid (yjc_date_t d);

//  Write "YYYY-MM-DD" into buf.
void yjc_date_format (yjc_date_t d, char buf[11]);

//  Days since 1970-01-01 (negative before it).
int32_t yjc_date_to_days (yjc_date_t d);

//  Inverse of yjc_date_to_days.
yjc_date_t yjc_date_from_days (int32_t days);

//  1 = Monday .. 7 = Sunday.
int yjc_date_weekday (yjc_date_t d);

//  28..31, or 0 when m is not 1..12.
int yjc_date_days_in_month (int y, int m);

//  d moved by n days (n may be negative).
yjc_date_t yjc_date_add_days (yjc_date_t d, int n);

//  <0, 0, >0 like strcmp.
int yjc_date_cmp (yjc_date_t a, yjc_date_t b);

//  Parse ISO-8601 into an instant: "2026-05-01T09:30:00+08:00",
//  "2026-05-01T01:30:00Z", optional fractional seconds (up to 9 digits,
//  truncated to microseconds), optional seconds ("09:30"), a space instead
//  of 'T', and a bare date "2026-05-01" (its 00:00). Offsets are "Z",
//  "+HH:MM", "-HH:MM" or "+HHMM"; no offset means Asia/Shanghai. "24:00:00"
//  is accepted as the end of the day. Returns 0, or -1 (*us_out unchanged).
int yjc_time_parse_iso (const char *text, int64_t *us_out);

//  "2026-05-01 09:30:00" in Asia/Shanghai (fraction dropped).
void yjc_time_format_local (int64_t us, char buf[32]);

//  "2026-05-01T09:30:00.123456+08:00" in Asia/Shanghai, always 6 digits.
void yjc_time_format_iso (int64_t us, char buf[40]);

//  The Asia/Shanghai date of an instant.
yjc_date_t yjc_time_local_date (int64_t us);

//  00:00 Asia/Shanghai of d, as an instant.
int64_t yjc_date_start_us (yjc_date_t d);

//  24:00 Asia/Shanghai of d (= 00:00 of d + 1), as an instant: the moment a
//  deadline falling on d expires.
int64_t yjc_date_end_us (yjc_date_t d);

//  Selftest
void yjc_time_test (yjc_test_t *t);

#endif
