/*  yjc_calendar.c - the working-day calendar and the legal time rules.

    Rows are kept sorted by day number and unique, so a lookup is a binary
    search; coverage is one flag per year. Loops walk day by day: periods
    are short (N <= YJC_CALENDAR_N_MAX) and a walk always stops at the first
    uncovered year, so it is bounded by what the files cover.              */
#include "yjc_calendar.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NYEARS (YJC_DATE_YEAR_MAX - YJC_DATE_YEAR_MIN + 1)

typedef struct {
    int32_t day;  //  days since 1970-01-01
    int32_t line; //  line in its file, to report duplicates
    bool work;    //  true: adjusted working day; false: day off
} s_row_t;

struct _yjc_calendar_t {
    s_row_t *rows;        //  sorted by day, one row per day
    size_t nrows;         //  rows in use
    bool covered[NYEARS]; //  a loaded file has a row in that year
};

static void s_err (char *err, size_t errlen, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
s_err (char *err, size_t errlen, const char *format, ...)
{
    if (!err || errlen == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errlen, format, args);
    va_end (args);
}

yjc_calendar_t *
yjc_calendar_new (void)
{
    return (yjc_calendar_t *)calloc (1, sizeof (yjc_calendar_t));
}

void
yjc_calendar_destroy (yjc_calendar_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->rows);
        free (*self_p);
        *self_p = NULL;
    }
}

bool
yjc_calendar_covers (const yjc_calendar_t *self, int year)
{
    assert (self);
    return year >= YJC_DATE_YEAR_MIN && year <= YJC_DATE_YEAR_MAX &&
           self->covered[year - YJC_DATE_YEAR_MIN];
}

//  --------------------------------------------------------------------------
//  Loading

static int
s_row_cmp (const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

//  Read one line without its "\n" (or "\r\n") into buf, which holds
//  YJC_CALENDAR_LINE_MAX + 2 bytes. Returns 1, 0 at end of file, -1 when
//  the line is too long, -2 when it holds a NUL byte.
static int
s_read_line (FILE *file, char *buf)
{
    size_t len = 0;
    bool too_long = false, nul = false;
    int c;
    while ((c = getc (file)) != EOF && c != '\n') {
        if (c == '\0')
            nul = true;
        else if (len == YJC_CALENDAR_LINE_MAX + 1)
            too_long = true; //  the +1 leaves room for a final '\r'
        else
            buf[len++] = (char)c;
    }
    if (c == EOF && len == 0 && !too_long && !nul)
        return 0;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    return too_long || len > YJC_CALENDAR_LINE_MAX ? -1 : nul ? -2 : 1;
}

//  Strip blanks at both ends, in place.
static char *
s_trim (char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen (s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

//  Parse one data line into row. Returns 0, or -1 with the reason in why.
static int
s_parse_row (char *line, s_row_t *row, char *why, size_t whylen)
{
    char *date_text = line;
    char *kind_text = strchr (date_text, ',');
    char *name = kind_text ? strchr (kind_text + 1, ',') : NULL;
    if (!name) {
        s_err (why, whylen, "expected 3 columns date,kind,name");
        return -1;
    }
    *kind_text++ = '\0';
    *name = '\0';
    date_text = s_trim (date_text);
    kind_text = s_trim (kind_text);

    yjc_date_t date;
    if (yjc_date_parse (date_text, &date)) {
        s_err (
            why, whylen, "invalid date '%.20s' (want YYYY-MM-DD)", date_text);
        return -1;
    }
    if (strcmp (kind_text, "off") == 0)
        row->work = false;
    else if (strcmp (kind_text, "work") == 0)
        row->work = true;
    else {
        s_err (
            why, whylen, "invalid kind '%.20s' (want off or work)", kind_text);
        return -1;
    }
    row->day = yjc_date_to_days (date);
    return 0;
}

//  Read all rows of path into a new sorted array without duplicate days.
//  Returns the array (caller frees; NULL if the file has no rows) or sets
//  *failed and writes the reason to err.
static s_row_t *
s_read_file (const char *path,
             size_t *nrows_p,
             bool *failed,
             char *err,
             size_t errlen)
{
    *nrows_p = 0;
    *failed = true;
    FILE *file = fopen (path, "rb");
    if (!file) {
        s_err (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    s_row_t *rows = NULL;
    size_t nrows = 0, capacity = 0;
    char line[YJC_CALENDAR_LINE_MAX + 2];
    char why[128];
    int lineno = 0;
    bool have_header = false;
    int rc;
    while ((rc = s_read_line (file, line)) != 0) {
        lineno++;
        if (rc < 0) {
            if (rc == -1)
                s_err (err,
                       errlen,
                       "%s:%d: line longer than %d bytes",
                       path,
                       lineno,
                       YJC_CALENDAR_LINE_MAX);
            else
                s_err (err, errlen, "%s:%d: NUL byte in line", path, lineno);
            goto fail;
        }
        char *text = line;
        //  Editors on Windows may prepend a UTF-8 byte order mark
        if (lineno == 1 && strncmp (text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        text = s_trim (text);
        if (*text == '\0' || *text == '#')
            continue;
        if (!have_header) {
            if (strcmp (text, "date,kind,name") != 0) {
                s_err (err,
                       errlen,
                       "%s:%d: expected header "
                       "'date,kind,name'",
                       path,
                       lineno);
                goto fail;
            }
            have_header = true;
            continue;
        }
        if (nrows == YJC_CALENDAR_ROWS_MAX) {
            s_err (err,
                   errlen,
                   "%s:%d: more than %d rows",
                   path,
                   lineno,
                   YJC_CALENDAR_ROWS_MAX);
            goto fail;
        }
        if (nrows == capacity) {
            capacity = capacity ? capacity * 2 : 512;
            s_row_t *bigger = realloc (rows, capacity * sizeof (s_row_t));
            if (!bigger) {
                s_err (err, errlen, "%s:%d: out of memory", path, lineno);
                goto fail;
            }
            rows = bigger;
        }
        if (s_parse_row (text, &rows[nrows], why, sizeof why)) {
            s_err (err, errlen, "%s:%d: %s", path, lineno, why);
            goto fail;
        }
        rows[nrows++].line = lineno;
    }
    if (ferror (file)) {
        s_err (err, errlen, "%s:%d: read error", path, lineno);
        goto fail;
    }
    if (!have_header) {
        s_err (err, errlen, "%s: missing header 'date,kind,name'", path);
        goto fail;
    }
    if (nrows > 1)
        qsort (rows, nrows, sizeof (s_row_t), s_row_cmp);
    //  Two rows for one day in one file is a typo, not an override
    for (size_t i = 1; i < nrows; i++) {
        if (rows[i].day == rows[i - 1].day) {
            char date[11];
            yjc_date_format (yjc_date_from_days (rows[i].day), date);
            s_err (err,
                   errlen,
                   "%s:%d: date %s already listed on line %d",
                   path,
                   rows[i].line,
                   date,
                   rows[i - 1].line);
            goto fail;
        }
    }
    fclose (file);
    *nrows_p = nrows;
    *failed = false;
    return rows;

fail:
    fclose (file);
    free (rows);
    return NULL;
}

int
yjc_calendar_load (yjc_calendar_t *self,
                   const char *path,
                   char *err,
                   size_t errlen)
{
    assert (self);
    assert (path);
    size_t nnew;
    bool failed;
    s_row_t *fresh = s_read_file (path, &nnew, &failed, err, errlen);
    if (failed)
        return -1;

    //  Merge the two sorted lists; for the same day the new row wins
    s_row_t *merged = malloc ((self->nrows + nnew + 1) * sizeof (s_row_t));
    if (!merged) {
        free (fresh);
        s_err (err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t i = 0, j = 0, n = 0;
    while (i < self->nrows || j < nnew) {
        if (j == nnew || (i < self->nrows && self->rows[i].day < fresh[j].day))
            merged[n++] = self->rows[i++];
        else {
            if (i < self->nrows && self->rows[i].day == fresh[j].day)
                i++;
            merged[n++] = fresh[j++];
        }
    }
    if (n > YJC_CALENDAR_ROWS_MAX) {
        free (fresh);
        free (merged);
        s_err (err,
               errlen,
               "%s: calendar would hold more than %d rows",
               path,
               YJC_CALENDAR_ROWS_MAX);
        return -1;
    }
    for (j = 0; j < nnew; j++) {
        int year = yjc_date_from_days (fresh[j].day).y;
        self->covered[year - YJC_DATE_YEAR_MIN] = true;
    }
    free (fresh);
    free (self->rows);
    self->rows = merged;
    self->nrows = n;
    return 0;
}

yjc_calendar_t *
yjc_calendar_load_default (char *err, size_t errlen)
{
    const char *national = getenv ("YJC_CALENDAR");
    if (!national || !*national)
        national = YJC_SHARE_DIR "/calendar/cn-holidays.csv";
    const char *local = getenv ("YJC_CALENDAR_LOCAL");

    yjc_calendar_t *self = yjc_calendar_new ();
    if (!self) {
        s_err (err, errlen, "out of memory");
        return NULL;
    }
    if (yjc_calendar_load (self, national, err, errlen) ||
        (local && *local && yjc_calendar_load (self, local, err, errlen)))
        yjc_calendar_destroy (&self);
    return self;
}

//  --------------------------------------------------------------------------
//  Rules

//  Is day number `day` a working day? 0, or -1 if its year is not covered.
static int
s_is_workday (const yjc_calendar_t *self,
              int32_t day,
              bool *out,
              char *err,
              size_t errlen)
{
    yjc_date_t date = yjc_date_from_days (day);
    if (!yjc_calendar_covers (self, date.y)) {
        s_err (err, errlen, "calendar does not cover %04d", date.y);
        return -1;
    }
    size_t lo = 0, hi = self->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->rows[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < self->nrows && self->rows[lo].day == day)
        *out = self->rows[lo].work;
    else
        *out = yjc_date_weekday (date) <= 5;
    return 0;
}

static int
s_check_date (yjc_date_t d, char *err, size_t errlen)
{
    if (yjc_date_valid (d))
        return 0;
    s_err (err, errlen, "invalid date %d-%d-%d", d.y, d.m, d.d);
    return -1;
}

static int
s_check_n (int n, char *err, size_t errlen)
{
    if (n >= 0 && n <= YJC_CALENDAR_N_MAX)
        return 0;
    s_err (err, errlen, "period %d out of range 0..%d", n, YJC_CALENDAR_N_MAX);
    return -1;
}

int
yjc_calendar_is_workday (const yjc_calendar_t *self,
                         yjc_date_t d,
                         bool *out,
                         char *err,
                         size_t errlen)
{
    assert (self);
    assert (out);
    if (s_check_date (d, err, errlen))
        return -1;
    return s_is_workday (self, yjc_date_to_days (d), out, err, errlen);
}

int
yjc_calendar_add_workdays (const yjc_calendar_t *self,
                           yjc_date_t d,
                           int n,
                           yjc_date_t *out,
                           char *err,
                           size_t errlen)
{
    assert (self);
    assert (out);
    if (s_check_date (d, err, errlen) || s_check_n (n, err, errlen))
        return -1;
    //  Stops at the first uncovered year, at the latest after 9999
    int32_t day = yjc_date_to_days (d);
    for (int count = 0; count < n;) {
        bool work;
        if (s_is_workday (self, ++day, &work, err, errlen))
            return -1;
        count += work;
    }
    *out = yjc_date_from_days (day);
    return 0;
}

int
yjc_calendar_workdays_between (const yjc_calendar_t *self,
                               yjc_date_t from,
                               yjc_date_t to,
                               int *out,
                               char *err,
                               size_t errlen)
{
    assert (self);
    assert (out);
    if (s_check_date (from, err, errlen) || s_check_date (to, err, errlen))
        return -1;
    int count = 0;
    int32_t last = yjc_date_to_days (to);
    for (int32_t day = yjc_date_to_days (from) + 1; day <= last; day++) {
        bool work;
        if (s_is_workday (self, day, &work, err, errlen))
            return -1;
        count += work;
    }
    *out = count;
    return 0;
}

int
yjc_calendar_next_workday (const yjc_calendar_t *self,
                           yjc_date_t d,
                           yjc_date_t *out,
                           char *err,
                           size_t errlen)
{
    assert (self);
    assert (out);
    if (s_check_date (d, err, errlen))
        return -1;
    int32_t day = yjc_date_to_days (d);
    for (bool work = false;; day++) {
        if (s_is_workday (self, day, &work, err, errlen))
            return -1;
        if (work)
            break;
    }
    *out = yjc_date_from_days (day);
    return 0;
}

int
yjc_calendar_period_end (const yjc_calendar_t *self,
                         yjc_date_t d,
                         int n,
                         char unit,
                         yjc_date_t *out,
                         char *err,
                         size_t errlen)
{
    assert (self);
    assert (out);
    if (s_check_date (d, err, errlen) || s_check_n (n, err, errlen))
        return -1;
    yjc_date_t last;
    if (unit == 'd')
        last = yjc_date_add_days (d, n);
    else if (unit == 'm' || unit == 'y') {
        //  民法典 202: same-numbered day of the final month, else its end
        int months = d.y * 12 + (d.m - 1) + n * (unit == 'y' ? 12 : 1);
        last.y = months / 12;
        last.m = months % 12 + 1;
        int dim = yjc_date_days_in_month (last.y, last.m);
        last.d = d.d < dim ? d.d : dim;
    }
    else {
        s_err (err,
               errlen,
               "invalid period unit '%c' (want d, m or y)",
               unit >= 0x20 && unit < 0x7F ? unit : '?');
        return -1;
    }
    if (!yjc_calendar_covers (self, last.y)) {
        s_err (err, errlen, "calendar does not cover %04d", last.y);
        return -1;
    }
    //  民法典 203: a last day that is a day off moves to the next working day
    return yjc_calendar_next_workday (self, last, out, err, errlen);
}

int
yjc_period_parse (const char *text, int *n, char *unit)
{
    if (!text)
        return -1;
    int value = 0, ndigits = 0;
    for (; *text >= '0' && *text <= '9'; text++) {
        if (++ndigits > 5)
            return -1;
        value = value * 10 + (*text - '0');
    }
    if (ndigits == 0 || value > YJC_CALENDAR_N_MAX ||
        (*text != 'd' && *text != 'm' && *text != 'y') || text[1] != '\0')
        return -1;
    *n = value;
    *unit = *text;
    return 0;
}

//  --------------------------------------------------------------------------
//  Selftest: real dates from the shipped national calendar (State Council
//  notices); each expected date was checked by hand against the CSV.

static yjc_date_t
s_date (const char *text)
{
    yjc_date_t d = { 0, 0, 0 }; //  never equal to an expected date
    yjc_date_parse (text, &d);
    return d;
}

static bool
s_is (yjc_date_t d, const char *expected)
{
    char buf[11];
    yjc_date_format (d, buf);
    if (strcmp (buf, expected) == 0)
        return true;
    fprintf (stderr, "got %s, expected %s\n", buf, expected);
    return false;
}

//  1 working day, 0 day off, -1 error
static int
s_workday (const yjc_calendar_t *self, const char *date)
{
    bool work = false;
    if (yjc_calendar_is_workday (self, s_date (date), &work, NULL, 0))
        return -1;
    return work;
}

static yjc_date_t
s_add (const yjc_calendar_t *self, const char *date, int n)
{
    yjc_date_t out = { 0, 0, 0 };
    yjc_calendar_add_workdays (self, s_date (date), n, &out, NULL, 0);
    return out;
}

static yjc_date_t
s_period (const yjc_calendar_t *self, const char *date, const char *period)
{
    yjc_date_t out = { 0, 0, 0 };
    int n = 0;
    char unit = 0;
    if (yjc_period_parse (period, &n, &unit) == 0)
        yjc_calendar_period_end (self, s_date (date), n, unit, &out, NULL, 0);
    return out;
}

static int
s_between (const yjc_calendar_t *self, const char *from, const char *to)
{
    int count = -1;
    yjc_calendar_workdays_between (
        self, s_date (from), s_date (to), &count, NULL, 0);
    return count;
}

static void
s_write_text (const char *path, const char *text)
{
    FILE *file = fopen (path, "wb");
    if (file) {
        fputs (text, file);
        fclose (file);
    }
}

//  Restore an environment variable saved with strdup (NULL = was unset)
static void
s_restore_env (const char *name, char **saved_p)
{
    if (*saved_p)
        setenv (name, *saved_p, 1);
    else
        unsetenv (name);
    free (*saved_p);
    *saved_p = NULL;
}

static char *
s_save_env (const char *name)
{
    const char *value = getenv (name);
    return value ? strdup (value) : NULL;
}

void
yjc_calendar_test (yjc_test_t *t)
{
    char err[256] = "";
    char *saved_local = s_save_env ("YJC_CALENDAR_LOCAL");
    unsetenv ("YJC_CALENDAR_LOCAL");
    yjc_calendar_t *cal = yjc_calendar_load_default (err, sizeof err);
    YJC_CHECK (t, cal != NULL);
    if (!cal) {
        fprintf (stderr,
                 "cannot load the national calendar: %s "
                 "(set YJC_CALENDAR)\n",
                 err);
        s_restore_env ("YJC_CALENDAR_LOCAL", &saved_local);
        return;
    }

    //  Coverage: the shipped file holds 2020..2026
    for (int year = 2020; year <= 2026; year++)
        YJC_CHECK (t, yjc_calendar_covers (cal, year));
    YJC_CHECK (t, !yjc_calendar_covers (cal, 2019));
    YJC_CHECK (t, !yjc_calendar_covers (cal, 2027));
    YJC_CHECK (t, !yjc_calendar_covers (cal, 1899));
    YJC_CHECK (t, !yjc_calendar_covers (cal, 10000));
    YJC_CHECK (t, !yjc_calendar_covers (cal, -1));

    //  2020 Labour Day: 04-26 (Sun) and 05-09 (Sat) worked, 05-01..05 off
    YJC_CHECK (t, s_workday (cal, "2020-04-26") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-04-30") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-05-01") == 0);
    YJC_CHECK (t, s_workday (cal, "2020-05-03") == 0);
    YJC_CHECK (t, s_workday (cal, "2020-05-05") == 0);
    YJC_CHECK (t, s_workday (cal, "2020-05-06") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-05-09") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-05-10") == 0); //  plain Sunday
    //  R9.1 "within 3 working days": counting starts the next day.
    //  From Tue 04-28: 04-29, 04-30, (05-01..05 off), 05-06.
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-28", 3), "2020-05-06"));
    //  From Wed 04-29: 04-30, 05-06, 05-07.
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-29", 3), "2020-05-07"));
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-29", 1), "2020-04-30"));
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-30", 1), "2020-05-06"));
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-29", 0), "2020-04-29"));
    //  From Sat 04-25: the Sunday 04-26 is a working day
    YJC_CHECK (t, s_is (s_add (cal, "2020-04-25", 1), "2020-04-26"));
    YJC_CHECK (t, s_between (cal, "2020-04-29", "2020-05-07") == 3);

    //  2020 National Day + Mid-Autumn: 10-01..08 off; 09-27, 10-10 worked
    YJC_CHECK (t, s_workday (cal, "2020-09-27") == 1);
    for (int day = 1; day <= 8; day++) {
        char date[24];
        snprintf (date, sizeof date, "2020-10-%02d", day);
        YJC_CHECK (t, s_workday (cal, date) == 0);
    }
    YJC_CHECK (t, s_workday (cal, "2020-10-09") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-10-10") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-10-11") == 0);
    //  From Mon 09-28: 09-29, 09-30, 10-09, 10-10 (Sat), 10-12
    YJC_CHECK (t, s_is (s_add (cal, "2020-09-28", 5), "2020-10-12"));
    YJC_CHECK (t, s_between (cal, "2020-09-28", "2020-10-12") == 5);
    YJC_CHECK (t, s_between (cal, "2020-09-30", "2020-10-08") == 0);
    YJC_CHECK (t, s_between (cal, "2020-10-12", "2020-09-28") == 0);
    YJC_CHECK (t, s_between (cal, "2020-10-12", "2020-10-12") == 0);

    //  Whole years, counted independently from the CSV
    YJC_CHECK (t, s_between (cal, "2020-01-01", "2020-12-31") == 249);
    YJC_CHECK (t, s_between (cal, "2024-01-01", "2024-12-31") == 251);
    YJC_CHECK (t, s_between (cal, "2026-01-01", "2026-12-31") == 248);

    //  R10.2 "15 days" from 09-20: day 15 is 10-05, a holiday; 10-06..08
    //  are off too, so the period ends on 10-09 (民法典 203)
    YJC_CHECK (t, s_is (s_period (cal, "2020-09-20", "15d"), "2020-10-09"));
    YJC_CHECK (t, s_is (s_period (cal, "2020-09-20", "9d"), "2020-09-29"));
    YJC_CHECK (t, s_is (s_period (cal, "2020-09-20", "0d"), "2020-09-21"));
    //  Month end (民法典 202): 2021-01-31 + 1 month is 02-28, a Sunday,
    //  so the next working day, Monday 03-01
    YJC_CHECK (t, s_is (s_period (cal, "2021-01-31", "1m"), "2021-03-01"));
    //  2021-01-15 + 1 month is 02-15, inside Spring Festival (02-11..17)
    YJC_CHECK (t, s_is (s_period (cal, "2021-01-15", "1m"), "2021-02-18"));
    YJC_CHECK (t, s_is (s_period (cal, "2023-01-31", "1m"), "2023-02-28"));
    YJC_CHECK (t, s_is (s_period (cal, "2024-01-31", "1m"), "2024-02-29"));
    YJC_CHECK (t, s_is (s_period (cal, "2023-05-31", "13m"), "2024-07-01"));
    YJC_CHECK (t, s_is (s_period (cal, "2023-06-15", "3y"), "2026-06-15"));
    //  R13.2 "kept 3 months": 2026-07-01 + 3 months is Thu 10-01, National
    //  Day (10-01..07 off), so 10-08
    YJC_CHECK (t, s_is (s_period (cal, "2026-07-01", "3m"), "2026-10-08"));

    //  Uncovered years are an error, never a guess
    bool work = false;
    yjc_date_t out = { 0, 0, 0 };
    int count = 0;
    err[0] = '\0';
    YJC_CHECK (t,
               yjc_calendar_period_end (
                   cal, s_date ("2024-02-29"), 3, 'y', &out, err, sizeof err) ==
                   -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2027") == 0);
    YJC_CHECK (t,
               yjc_calendar_is_workday (
                   cal, s_date ("2019-12-31"), &work, err, sizeof err) == -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2019") == 0);
    YJC_CHECK (t,
               yjc_calendar_is_workday (
                   cal, s_date ("2027-01-04"), &work, err, sizeof err) == -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2027") == 0);
    //  2026-12-31 is a working day; the 2nd after 12-30 lies in 2027
    YJC_CHECK (t, s_is (s_add (cal, "2026-12-30", 1), "2026-12-31"));
    out = s_date ("2000-01-01");
    YJC_CHECK (t,
               yjc_calendar_add_workdays (
                   cal, s_date ("2026-12-30"), 2, &out, err, sizeof err) == -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2027") == 0);
    YJC_CHECK (t, s_is (out, "2000-01-01")); //  untouched
    YJC_CHECK (t,
               yjc_calendar_workdays_between (cal,
                                              s_date ("2019-12-30"),
                                              s_date ("2020-01-03"),
                                              &count,
                                              err,
                                              sizeof err) == -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2019") == 0);
    YJC_CHECK (t, s_between (cal, "2026-12-01", "2027-01-05") == -1);
    YJC_CHECK (t, s_period (cal, "2026-12-20", "15d").y == 0);
    //  the year check also applies with no err buffer
    YJC_CHECK (t,
               yjc_calendar_is_workday (
                   cal, s_date ("2027-01-04"), &work, NULL, 0) == -1);

    //  Bad arguments are errors, not crashes
    yjc_date_t feb30 = { 2020, 2, 30 };
    YJC_CHECK (
        t, yjc_calendar_is_workday (cal, feb30, &work, err, sizeof err) == -1);
    YJC_CHECK (t, strstr (err, "invalid date") != NULL);
    YJC_CHECK (t,
               yjc_calendar_add_workdays (
                   cal, s_date ("2020-04-29"), -1, &out, err, sizeof err) ==
                   -1);
    YJC_CHECK (t,
               yjc_calendar_add_workdays (cal,
                                          s_date ("2020-04-29"),
                                          YJC_CALENDAR_N_MAX + 1,
                                          &out,
                                          err,
                                          sizeof err) == -1);
    YJC_CHECK (t,
               yjc_calendar_period_end (
                   cal, s_date ("2020-04-29"), 1, 'w', &out, err, sizeof err) ==
                   -1);
    YJC_CHECK (t,
               yjc_calendar_period_end (cal,
                                        s_date ("9999-12-31"),
                                        YJC_CALENDAR_N_MAX,
                                        'y',
                                        &out,
                                        err,
                                        sizeof err) == -1);
    YJC_CHECK (t,
               yjc_calendar_add_workdays (cal,
                                          s_date ("2020-01-01"),
                                          YJC_CALENDAR_N_MAX,
                                          &out,
                                          err,
                                          sizeof err) == -1);
    YJC_CHECK (t, strcmp (err, "calendar does not cover 2027") == 0);

    //  Period strings
    int n = -1;
    char unit = 0;
    YJC_CHECK (
        t, yjc_period_parse ("15d", &n, &unit) == 0 && n == 15 && unit == 'd');
    YJC_CHECK (
        t, yjc_period_parse ("3m", &n, &unit) == 0 && n == 3 && unit == 'm');
    YJC_CHECK (
        t, yjc_period_parse ("3y", &n, &unit) == 0 && n == 3 && unit == 'y');
    YJC_CHECK (t, yjc_period_parse ("10000d", &n, &unit) == 0 && n == 10000);
    const char *bad_periods[] = { "",     "d",   "15",     "15x",
                                  "-3d",  "+3d", "15dd",   " 15d",
                                  "15d ", "15D", "10001d", "99999999999d",
                                  "1.5y" };
    bool all_rejected = true;
    for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++) {
        n = 7;
        unit = 'x';
        if (yjc_period_parse (bad_periods[i], &n, &unit) == 0 || n != 7 ||
            unit != 'x') {
            fprintf (stderr, "accepted bad period '%s'\n", bad_periods[i]);
            all_rejected = false;
        }
    }
    YJC_CHECK (t, all_rejected);
    YJC_CHECK (t, yjc_period_parse (NULL, &n, &unit) == -1);

    //  Files for the load tests
    char dir[] = "/tmp/yjc_calendar_test_XXXXXX";
    YJC_CHECK (t, mkdtemp (dir) != NULL);
    char local[64], broken[64];
    snprintf (local, sizeof local, "%s/local.csv", dir);
    snprintf (broken, sizeof broken, "%s/broken.csv", dir);

    //  A county's overrides: 10-09 off, Sunday 10-11 worked, and 2027
    s_write_text (local,
                  "\xEF\xBB\xBF# Yongjia local overrides\r\n"
                  "\r\n"
                  "date,kind,name\r\n"
                  "2020-10-09,off,local\r\n"
                  " 2020-10-11 , work ,local, with comma\r\n"
                  "2027-01-04,off,test\r\n"
                  "2021-02-20,off,overrides a national work row\r\n"
                  "2021-02-11,work,overrides a national off row\r\n"
                  "# end\r\n");
    YJC_CHECK (t, yjc_calendar_load (cal, local, err, sizeof err) == 0);
    YJC_CHECK (t, s_workday (cal, "2020-10-09") == 0);
    YJC_CHECK (t, s_workday (cal, "2020-10-10") == 1); //  national row
    YJC_CHECK (t, s_workday (cal, "2020-10-11") == 1);
    YJC_CHECK (t, s_workday (cal, "2020-10-12") == 1);
    //  From Mon 09-28: 09-29, 09-30, 10-10, 10-11, 10-12
    YJC_CHECK (t, s_is (s_add (cal, "2020-09-28", 5), "2020-10-12"));
    YJC_CHECK (t, s_is (s_add (cal, "2020-09-28", 3), "2020-10-10"));
    YJC_CHECK (t, s_is (s_period (cal, "2020-09-20", "15d"), "2020-10-10"));
    YJC_CHECK (t, yjc_calendar_covers (cal, 2027));
    YJC_CHECK (t, s_workday (cal, "2027-01-04") == 0);
    YJC_CHECK (t, s_workday (cal, "2027-01-05") == 1); //  plain Tuesday
    //  2027-02-28 is a Sunday: Monday 03-01
    YJC_CHECK (t, s_is (s_period (cal, "2024-02-29", "3y"), "2027-03-01"));
    YJC_CHECK (t, s_workday (cal, "2028-01-04") == -1);
    YJC_CHECK (t, s_workday (cal, "2021-02-20") == 0);
    YJC_CHECK (t, s_workday (cal, "2021-02-11") == 1);
    YJC_CHECK (t, s_workday (cal, "2021-02-12") == 0);
    YJC_CHECK (t, s_is (s_add (cal, "2021-02-10", 1), "2021-02-11"));

    //  A failed load changes nothing (all or nothing)
    s_write_text (broken,
                  "date,kind,name\n"
                  "2020-10-12,off,would apply\n"
                  "2020-10-13,holiday,typo\n");
    YJC_CHECK (t, yjc_calendar_load (cal, broken, err, sizeof err) == -1);
    YJC_CHECK (t, s_workday (cal, "2020-10-12") == 1);

    //  Each parse error names the file and the line
    char long_line[YJC_CALENDAR_LINE_MAX + 64];
    snprintf (long_line, sizeof long_line, "date,kind,name\n2020-01-02,off,");
    size_t used = strlen (long_line);
    memset (long_line + used, 'x', sizeof long_line - used - 1);
    long_line[sizeof long_line - 1] = '\0';
    struct {
        const char *text;
        const char *where; //  ":LINE: reason" expected in err
    } cases[] = {
        { "2020-01-02,off,x\n", ":1: expected header" },
        { "Date,Kind,Name\n", ":1: expected header" },
        { "", ": missing header" },
        { "# only a comment\n\n", ": missing header" },
        { "date,kind,name\n2020-01-02,off,a\n2020-01-03,of,b\n",
          ":3: invalid kind 'of'" },
        { "date,kind,name\n# note\n\n2020-02-30,off,a\n",
          ":4: invalid date '2020-02-30'" },
        { "date,kind,name\n2020/01/02,off,a\n", ":2: invalid date" },
        { "date,kind,name\n1899-01-02,off,a\n", ":2: invalid date" },
        { "date,kind,name\n2020-01-02,off\n", ":2: expected 3 columns" },
        { "date,kind,name\n2020-01-02\n", ":2: expected 3 columns" },
        { "date,kind,name\n2020-01-02,off,a\n2020-01-09,off,b\n"
          "2020-01-02,work,c\n",
          ":4: date 2020-01-02 already listed on line 2" },
        { long_line, ":2: line longer than" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_write_text (broken, cases[i].text);
        err[0] = '\0';
        int rc = yjc_calendar_load (cal, broken, err, sizeof err);
        bool named = strncmp (err, broken, strlen (broken)) == 0 &&
                     strstr (err, cases[i].where) != NULL;
        if (rc != -1 || !named)
            fprintf (stderr, "case %zu: rc=%d err='%s'\n", i, rc, err);
        YJC_CHECK (t, rc == -1 && named);
    }
    //  A NUL byte
    FILE *file = fopen (broken, "wb");
    if (file) {
        fwrite ("date,kind,name\n2020-01-02,off\0,a\n", 1, 33, file);
        fclose (file);
    }
    YJC_CHECK (t, yjc_calendar_load (cal, broken, err, sizeof err) == -1);
    YJC_CHECK (t, strstr (err, ":2: NUL byte in line") != NULL);
    //  Exactly YJC_CALENDAR_LINE_MAX bytes before "\r\n" is accepted
    snprintf (long_line, sizeof long_line, "date,kind,name\n2020-01-02,off,");
    used = strlen (long_line);
    size_t fill = YJC_CALENDAR_LINE_MAX - (used - 15);
    memset (long_line + used, 'x', fill);
    strcpy (long_line + used + fill, "\r\n");
    s_write_text (broken, long_line);
    YJC_CHECK (t, yjc_calendar_load (cal, broken, err, sizeof err) == 0);
    YJC_CHECK (t, s_workday (cal, "2020-01-02") == 0);

    err[0] = '\0';
    YJC_CHECK (
        t,
        yjc_calendar_load (cal, "/nonexistent/cal.csv", err, sizeof err) == -1);
    YJC_CHECK (t, strstr (err, "/nonexistent/cal.csv: cannot open") != NULL);
    YJC_CHECK (t,
               yjc_calendar_load (cal, "/nonexistent/cal.csv", NULL, 0) == -1);
    yjc_calendar_destroy (&cal);
    YJC_CHECK (t, cal == NULL);
    yjc_calendar_destroy (&cal); //  harmless

    //  An empty calendar covers nothing
    cal = yjc_calendar_new ();
    YJC_CHECK (t, cal && !yjc_calendar_covers (cal, 2020));
    YJC_CHECK (t, s_workday (cal, "2020-05-06") == -1);
    yjc_calendar_destroy (&cal);

    //  load_default with the local overrides file from the environment
    setenv ("YJC_CALENDAR_LOCAL", local, 1);
    cal = yjc_calendar_load_default (err, sizeof err);
    YJC_CHECK (t,
               cal && s_workday (cal, "2020-10-09") == 0 &&
                   yjc_calendar_covers (cal, 2027));
    yjc_calendar_destroy (&cal);
    s_write_text (broken, "date,kind,name\n2020-10-09,holiday,x\n");
    setenv ("YJC_CALENDAR_LOCAL", broken, 1);
    err[0] = '\0';
    cal = yjc_calendar_load_default (err, sizeof err);
    YJC_CHECK (t, cal == NULL && strstr (err, ":2: invalid kind") != NULL);
    setenv ("YJC_CALENDAR_LOCAL", "", 1); //  empty = none
    cal = yjc_calendar_load_default (err, sizeof err);
    YJC_CHECK (t, cal && s_workday (cal, "2020-10-09") == 1);
    yjc_calendar_destroy (&cal);

    char *saved_national = s_save_env ("YJC_CALENDAR");
    setenv ("YJC_CALENDAR", "/nonexistent/national.csv", 1);
    cal = yjc_calendar_load_default (err, sizeof err);
    YJC_CHECK (
        t, cal == NULL && strstr (err, "/nonexistent/national.csv") != NULL);
    s_restore_env ("YJC_CALENDAR", &saved_national);
    s_restore_env ("YJC_CALENDAR_LOCAL", &saved_local);

    unlink (local);
    unlink (broken);
    rmdir (dir);
}
