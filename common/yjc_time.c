/*  yjc_time.c - civil dates and instants.

    Day arithmetic uses Howard Hinnant's days_from_civil / civil_from_days
    (public domain, http://howardhinnant.github.io/date_algorithms.html),
    done in int64 so that garbage fields can never overflow.               */
#include "yjc_time.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define US_PER_SEC  1000000LL
#define SEC_PER_DAY 86400LL
#define US_PER_DAY  (SEC_PER_DAY * US_PER_SEC)
//  Beyond this many days from the epoch an instant overflows int64
#define MAX_INSTANT_DAYS (INT64_MAX / US_PER_DAY - 1)

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
s_days_from_civil (int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = s_floor_div (y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int32_t
s_clamp_days (int64_t days)
{
    return days < INT32_MIN   ? INT32_MIN
           : days > INT32_MAX ? INT32_MAX
                              : (int32_t)days;
}

int32_t
yjc_date_to_days (yjc_date_t d)
{
    return s_clamp_days (s_days_from_civil (d.y, d.m, d.d));
}

yjc_date_t
yjc_date_from_days (int32_t days)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = s_floor_div (z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    yjc_date_t r = { (int)(yoe + era * 400 + (m <= 2)),
                     (int)m,
                     (int)(doy - (153 * mp + 2) / 5 + 1) };
    return r;
}

int
yjc_date_days_in_month (int y, int m)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

bool
yjc_date_valid (yjc_date_t d)
{
    return d.y >= YJC_DATE_YEAR_MIN && d.y <= YJC_DATE_YEAR_MAX && d.d >= 1 &&
           d.d <= yjc_date_days_in_month (d.y, d.m);
}

int
yjc_date_weekday (yjc_date_t d)
{
    //  1970-01-01 was a Thursday
    int64_t days = s_days_from_civil (d.y, d.m, d.d);
    return (int)(days + 3 - s_floor_div (days + 3, 7) * 7) + 1;
}

yjc_date_t
yjc_date_add_days (yjc_date_t d, int n)
{
    return yjc_date_from_days (
        s_clamp_days (s_days_from_civil (d.y, d.m, d.d) + n));
}

int
yjc_date_cmp (yjc_date_t a, yjc_date_t b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

//  Read exactly n decimal digits at *p, advance *p. 0 or -1.
static int
s_digits (const char **p, int n, int *out)
{
    int value = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    *p += n;
    *out = value;
    return 0;
}

//  Parse "YYYY-MM-DD" at *p and advance past it; trailing text is left.
static int
s_parse_date_prefix (const char **p, yjc_date_t *out)
{
    const char *s = *p;
    yjc_date_t d;
    if (s_digits (&s, 4, &d.y) || *s++ != '-' || s_digits (&s, 2, &d.m) ||
        *s++ != '-' || s_digits (&s, 2, &d.d) || !yjc_date_valid (d))
        return -1;
    *p = s;
    *out = d;
    return 0;
}

int
yjc_date_parse (const char *text, yjc_date_t *out)
{
    yjc_date_t d;
    if (!text || s_parse_date_prefix (&text, &d) || *text)
        return -1;
    *out = d;
    return 0;
}

//  Write value as exactly `width` digits; out-of-range values are clamped so
//  that a garbage date still formats as 10 characters.
static void
s_put_digits (char *out, int width, int value, int max)
{
    value = value < 0 ? 0 : value > max ? max : value;
    for (int i = width - 1; i >= 0; i--, value /= 10)
        out[i] = (char)('0' + value % 10);
}

void
yjc_date_format (yjc_date_t d, char buf[11])
{
    s_put_digits (buf, 4, d.y, 9999);
    buf[4] = '-';
    s_put_digits (buf + 5, 2, d.m, 99);
    buf[7] = '-';
    s_put_digits (buf + 8, 2, d.d, 99);
    buf[10] = '\0';
}

int
yjc_time_parse_iso (const char *text, int64_t *us_out)
{
    if (!text)
        return -1;
    const char *s = text;
    yjc_date_t date;
    if (s_parse_date_prefix (&s, &date))
        return -1;

    int hh = 0, mi = 0, ss = 0;
    int64_t frac_us = 0;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        s++;
        if (s_digits (&s, 2, &hh) || *s++ != ':' || s_digits (&s, 2, &mi))
            return -1;
        if (*s == ':') {
            s++;
            if (s_digits (&s, 2, &ss))
                return -1;
            if (*s == '.' || *s == ',') {
                s++;
                int ndigits = 0;
                int64_t scale = 100000;
                while (*s >= '0' && *s <= '9') {
                    if (++ndigits > 9)
                        return -1;
                    frac_us += (*s++ - '0') * scale;
                    scale /= 10; //  digits beyond the 6th add 0
                }
                if (ndigits == 0)
                    return -1;
            }
        }
        //  24:00 is the end of the day in ISO-8601; nothing past it
        bool end_of_day = hh == 24 && mi == 0 && ss == 0 && frac_us == 0;
        if ((hh > 23 && !end_of_day) || mi > 59 || ss > 59)
            return -1;
    }
    else if (*s)
        return -1; //  a bare date must end here

    int64_t offset_sec = YJC_TIME_LOCAL_OFFSET_US / US_PER_SEC;
    if (*s == 'Z' || *s == 'z') {
        s++;
        offset_sec = 0;
    }
    else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1;
        int oh, om;
        if (s_digits (&s, 2, &oh))
            return -1;
        if (*s == ':')
            s++;
        if (s_digits (&s, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset_sec = sign * (oh * 3600 + om * 60);
    }
    if (*s)
        return -1;

    int64_t days = s_days_from_civil (date.y, date.m, date.d);
    int64_t secs = days * SEC_PER_DAY + hh * 3600 + mi * 60 + ss - offset_sec;
    *us_out = secs * US_PER_SEC + frac_us;
    return 0;
}

//  Split an instant into its Asia/Shanghai date, second of day and
//  microseconds; never overflows, whatever us is.
static void
s_split_local (int64_t us, yjc_date_t *date, int *sod, int *frac_us)
{
    //  Remainder first: secs * US_PER_SEC overflows for INT64_MIN
    int64_t frac = us % US_PER_SEC;
    int64_t secs = us / US_PER_SEC - (frac < 0);
    *frac_us = (int)(frac < 0 ? frac + US_PER_SEC : frac);
    secs += YJC_TIME_LOCAL_OFFSET_US / US_PER_SEC;
    int64_t days = s_floor_div (secs, SEC_PER_DAY);
    *sod = (int)(secs - days * SEC_PER_DAY);
    *date = yjc_date_from_days ((int32_t)days); //  |days| < 1.1e8
}

void
yjc_time_format_local (int64_t us, char buf[32])
{
    yjc_date_t d;
    int sod, frac;
    s_split_local (us, &d, &sod, &frac);
    snprintf (buf,
              32,
              "%04d-%02d-%02d %02d:%02d:%02d",
              d.y,
              d.m,
              d.d,
              sod / 3600,
              sod / 60 % 60,
              sod % 60);
}

void
yjc_time_format_iso (int64_t us, char buf[40])
{
    yjc_date_t d;
    int sod, frac;
    s_split_local (us, &d, &sod, &frac);
    snprintf (buf,
              40,
              "%04d-%02d-%02dT%02d:%02d:%02d.%06d+08:00",
              d.y,
              d.m,
              d.d,
              sod / 3600,
              sod / 60 % 60,
              sod % 60,
              frac);
}

yjc_date_t
yjc_time_local_date (int64_t us)
{
    yjc_date_t d;
    int sod, frac;
    s_split_local (us, &d, &sod, &frac);
    return d;
}

//  00:00 Asia/Shanghai of the given day number, clamped so that garbage
//  dates saturate instead of overflowing.
static int64_t
s_day_start_us (int64_t days)
{
    if (days > MAX_INSTANT_DAYS)
        days = MAX_INSTANT_DAYS;
    if (days < -MAX_INSTANT_DAYS)
        days = -MAX_INSTANT_DAYS;
    return days * US_PER_DAY - YJC_TIME_LOCAL_OFFSET_US;
}

int64_t
yjc_date_start_us (yjc_date_t d)
{
    return s_day_start_us (s_days_from_civil (d.y, d.m, d.d));
}

int64_t
yjc_date_end_us (yjc_date_t d)
{
    return s_day_start_us (s_days_from_civil (d.y, d.m, d.d) + 1);
}

//  --------------------------------------------------------------------------
//  Selftest

static bool
s_date_is (yjc_date_t d, const char *expected)
{
    char buf[11];
    yjc_date_format (d, buf);
    return strcmp (buf, expected) == 0;
}

void
yjc_time_test (yjc_test_t *t)
{
    yjc_date_t d = { 0, 0, 0 };

    //  Strict date parsing
    YJC_CHECK (t, yjc_date_parse ("2024-02-29", &d) == 0);
    YJC_CHECK (t, d.y == 2024 && d.m == 2 && d.d == 29);
    YJC_CHECK (t, yjc_date_parse ("2023-02-29", &d) == -1);
    YJC_CHECK (t, d.y == 2024 && d.m == 2 && d.d == 29); //  unchanged
    YJC_CHECK (t, yjc_date_parse ("2100-02-29", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2000-02-29", &d) == 0);
    YJC_CHECK (t, yjc_date_parse ("2026-04-31", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-13-01", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-00-10", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-01-00", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-1-01", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-01-01 ", &d) == -1);
    YJC_CHECK (t, yjc_date_parse (" 2026-01-01", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026/01/01", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("1899-12-31", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("", &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("2026-0", &d) == -1);
    YJC_CHECK (t, yjc_date_parse (NULL, &d) == -1);
    YJC_CHECK (t, yjc_date_parse ("9999-12-31", &d) == 0);
    YJC_CHECK (t, s_date_is (d, "9999-12-31"));

    //  Day numbers (checked against `date -u -d D +%s` / 86400)
    yjc_date_t epoch = { 1970, 1, 1 };
    YJC_CHECK (t, yjc_date_to_days (epoch) == 0);
    YJC_CHECK (t, yjc_date_to_days ((yjc_date_t){ 1969, 12, 31 }) == -1);
    YJC_CHECK (t, yjc_date_to_days ((yjc_date_t){ 2026, 5, 1 }) == 20574);
    YJC_CHECK (t, yjc_date_to_days ((yjc_date_t){ 1900, 1, 1 }) == -25567);
    YJC_CHECK (t, yjc_date_to_days ((yjc_date_t){ 9999, 12, 31 }) == 2932896);
    YJC_CHECK (t, s_date_is (yjc_date_from_days (20574), "2026-05-01"));
    YJC_CHECK (t, s_date_is (yjc_date_from_days (-25567), "1900-01-01"));
    bool round_trip = true;
    for (int32_t n = -25567; n <= 2932896; n += 97) {
        yjc_date_t x = yjc_date_from_days (n);
        if (!yjc_date_valid (x) || yjc_date_to_days (x) != n)
            round_trip = false;
    }
    YJC_CHECK (t, round_trip);

    //  Weekdays, month lengths, moving and comparing dates
    YJC_CHECK (t, yjc_date_weekday (epoch) == 4);
    YJC_CHECK (t, yjc_date_weekday ((yjc_date_t){ 2026, 5, 1 }) == 5);
    YJC_CHECK (t, yjc_date_weekday ((yjc_date_t){ 2021, 2, 28 }) == 7);
    YJC_CHECK (t, yjc_date_weekday ((yjc_date_t){ 1900, 1, 1 }) == 1);
    YJC_CHECK (t, yjc_date_days_in_month (2024, 2) == 29);
    YJC_CHECK (t, yjc_date_days_in_month (2023, 2) == 28);
    YJC_CHECK (t, yjc_date_days_in_month (2100, 2) == 28);
    YJC_CHECK (t, yjc_date_days_in_month (2000, 2) == 29);
    YJC_CHECK (t, yjc_date_days_in_month (2026, 4) == 30);
    YJC_CHECK (t, yjc_date_days_in_month (2026, 12) == 31);
    YJC_CHECK (t, yjc_date_days_in_month (2026, 13) == 0);
    YJC_CHECK (t,
               s_date_is (yjc_date_add_days ((yjc_date_t){ 2020, 12, 31 }, 1),
                          "2021-01-01"));
    YJC_CHECK (t,
               s_date_is (yjc_date_add_days ((yjc_date_t){ 2024, 3, 1 }, -1),
                          "2024-02-29"));
    YJC_CHECK (t,
               s_date_is (yjc_date_add_days ((yjc_date_t){ 2020, 9, 20 }, 15),
                          "2020-10-05"));
    YJC_CHECK (t,
               yjc_date_cmp ((yjc_date_t){ 2020, 9, 20 },
                             (yjc_date_t){ 2020, 10, 1 }) < 0);
    YJC_CHECK (t,
               yjc_date_cmp ((yjc_date_t){ 2021, 1, 1 },
                             (yjc_date_t){ 2020, 12, 31 }) > 0);
    YJC_CHECK (t, yjc_date_cmp (epoch, (yjc_date_t){ 1970, 1, 1 }) == 0);

    //  Garbage never crashes (run under UBSan)
    yjc_date_t junk = { INT_MAX, INT_MIN, INT_MAX };
    char small[11];
    yjc_date_format (junk, small);
    YJC_CHECK (t, strlen (small) == 10);
    YJC_CHECK (t, !yjc_date_valid (junk));
    (void)yjc_date_add_days (junk, INT_MAX);
    (void)yjc_date_weekday (junk);
    (void)yjc_date_end_us (junk);
    (void)yjc_date_from_days (INT32_MIN);
    (void)yjc_date_from_days (INT32_MAX);

    //  ISO-8601 instants: 2026-05-01 09:30 +08:00 is Unix 1777599000
    const int64_t at = 1777599000LL * US_PER_SEC;
    int64_t us = 0;
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T09:30:00+08:00", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T01:30:00Z", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T01:30:00+00:00", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-04-30T21:30:00-0400", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01 09:30:00", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T09:30", &us) == 0);
    YJC_CHECK (t, us == at);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01", &us) == 0);
    YJC_CHECK (t, us == at - (9 * 3600 + 30 * 60) * US_PER_SEC);
    YJC_CHECK (t, us == yjc_date_start_us ((yjc_date_t){ 2026, 5, 1 }));
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T09:30:00.5Z", &us) == 0);
    YJC_CHECK (t, us == at + 8 * 3600 * US_PER_SEC + 500000);
    YJC_CHECK (t,
               yjc_time_parse_iso ("2026-05-01T09:30:00.123456789", &us) == 0);
    YJC_CHECK (t, us == at + 123456);
    YJC_CHECK (t, yjc_time_parse_iso ("2026-05-01T24:00:00", &us) == 0);
    YJC_CHECK (t, us == yjc_date_end_us ((yjc_date_t){ 2026, 5, 1 }));

    const char *bad[] = { "",
                          "2026-05-01T",
                          "2026-05-01T9:30",
                          "2026-05-01T25:00:00",
                          "2026-05-01T24:00:01",
                          "2026-05-01T09:60:00",
                          "2026-05-01T09:30:60",
                          "2026-05-01T09:30:00.",
                          "2026-05-01T09:30:00.1234567890",
                          "2026-05-01T09:30:00+08",
                          "2026-05-01T09:30:00+24:00",
                          "2026-05-01T09:30:00+08:60",
                          "2026-05-01T09:30:00 ",
                          "2026-05-01T09:30:00ZZ",
                          "2026-05-01X",
                          "2026-02-30T00:00:00",
                          "2026-05-01Z",
                          "now" };
    bool all_rejected = true;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        us = 42;
        if (yjc_time_parse_iso (bad[i], &us) == 0 || us != 42) {
            fprintf (stderr, "accepted bad instant '%s'\n", bad[i]);
            all_rejected = false;
        }
    }
    YJC_CHECK (t, all_rejected);
    YJC_CHECK (t, yjc_time_parse_iso (NULL, &us) == -1);

    //  Formatting and round trips
    char iso[40], local[32];
    yjc_time_parse_iso ("2026-05-01T01:30:00.123456Z", &us);
    yjc_time_format_iso (us, iso);
    YJC_CHECK (t, strcmp (iso, "2026-05-01T09:30:00.123456+08:00") == 0);
    int64_t back = 0;
    YJC_CHECK (t, yjc_time_parse_iso (iso, &back) == 0 && back == us);
    yjc_time_format_local (us, local);
    YJC_CHECK (t, strcmp (local, "2026-05-01 09:30:00") == 0);
    YJC_CHECK (t,
               yjc_time_parse_iso (local, &back) == 0 && back == us - 123456);
    yjc_time_format_iso (-1, iso);
    YJC_CHECK (t, strcmp (iso, "1970-01-01T07:59:59.999999+08:00") == 0);
    yjc_time_format_iso (INT64_MAX, iso); //  must not crash
    yjc_time_format_iso (INT64_MIN, iso);
    yjc_time_format_local (INT64_MIN, local);
    YJC_CHECK (t, strlen (iso) < 40 && strlen (local) < 32);

    //  Shanghai date around 16:00 UTC (local midnight)
    yjc_time_parse_iso ("2026-04-30T15:59:59.999999Z", &us);
    YJC_CHECK (t, s_date_is (yjc_time_local_date (us), "2026-04-30"));
    YJC_CHECK (t, s_date_is (yjc_time_local_date (us + 1), "2026-05-01"));
    YJC_CHECK (t, us + 1 == yjc_date_end_us ((yjc_date_t){ 2026, 4, 30 }));
    yjc_time_parse_iso ("2026-05-01T00:00:00Z", &us);
    YJC_CHECK (t, s_date_is (yjc_time_local_date (us), "2026-05-01"));
    YJC_CHECK (t, s_date_is (yjc_time_local_date (-1), "1970-01-01"));
    YJC_CHECK (t,
               s_date_is (yjc_time_local_date (-YJC_TIME_LOCAL_OFFSET_US - 1),
                          "1969-12-31"));
}
