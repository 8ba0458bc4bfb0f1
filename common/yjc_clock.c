/*  yjc_clock.c - the one clock.                                            */
#include "yjc_clock.h"
#include "yjc_config.h"
#include "yjc_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
s_system_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

//  Read the instant written in path. 0 or -1.
static int
s_read_now_file (const char *path, int64_t *us_out)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return -1;
    char buf[YJC_CLOCK_FILE_MAX + 1];
    size_t size = fread (buf, 1, sizeof buf, file);
    bool failed = ferror (file) != 0;
    fclose (file);
    //  A full buffer means the file is too big to be a timestamp; a NUL
    //  inside would hide trailing garbage from the parser
    if (failed || size == sizeof buf || memchr (buf, '\0', size))
        return -1;
    buf[size] = '\0';

    char *start = buf;
    while (isspace ((unsigned char)*start))
        start++;
    char *end = start + strlen (start);
    while (end > start && isspace ((unsigned char)end[-1]))
        *--end = '\0';
    return yjc_time_parse_iso (start, us_out);
}

int
yjc_clock_now (int64_t *us_out)
{
    const char *path = yjc_config (YJC_CFG_NOW_FILE);
    if (*path)
        return s_read_now_file (path, us_out);
    *us_out = s_system_now ();
    return 0;
}

int64_t
yjc_clock_now_or_system (void)
{
    int64_t us;
    return yjc_clock_now (&us) == 0 ? us : s_system_now ();
}

//  --------------------------------------------------------------------------
//  Selftest

static void
s_write_file (const char *path, const char *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    if (file) {
        fwrite (data, 1, size, file);
        fclose (file);
    }
}

void
yjc_clock_test (yjc_test_t *t)
{
    //  Keep the caller's setting, if any, to restore it at the end
    char *saved = strdup (yjc_config (YJC_CFG_NOW_FILE)); //  "": unset
    const int64_t y2020 = 1577836800LL * 1000000;         //  2020-01-01T00:00Z

    //  System clock
    unsetenv ("YJC_NOW_FILE");
    int64_t now = 0;
    YJC_CHECK (t, yjc_clock_now (&now) == 0);
    YJC_CHECK (t, now > y2020);
    int64_t diff = now / 1000000 - (int64_t)time (NULL);
    YJC_CHECK (t, diff >= -2 && diff <= 2);
    setenv ("YJC_NOW_FILE", "", 1); //  empty = not set
    YJC_CHECK (t, yjc_clock_now (&now) == 0 && now > y2020);

    //  File clock, re-read at each call
    char path[] = "/tmp/yjc_clock_test_XXXXXX";
    int fd = mkstemp (path);
    YJC_CHECK (t, fd >= 0);
    if (fd >= 0)
        close (fd);
    setenv ("YJC_NOW_FILE", path, 1);

    const char *first = "2026-05-01T09:30:00+08:00\n";
    s_write_file (path, first, strlen (first));
    int64_t expected = 0;
    yjc_time_parse_iso ("2026-05-01T09:30:00+08:00", &expected);
    YJC_CHECK (t, yjc_clock_now (&now) == 0 && now == expected);
    YJC_CHECK (t, yjc_clock_now_or_system () == expected);

    const char *second = " \t2026-05-02 08:00:00.25 \r\n\n";
    s_write_file (path, second, strlen (second));
    yjc_time_parse_iso ("2026-05-02T00:00:00.25Z", &expected);
    YJC_CHECK (t, yjc_clock_now (&now) == 0 && now == expected);

    //  Bad content: error, output untouched; logs still get a time
    const char *bad[] = { "tomorrow\n", "", "  \n", "2026-05-02 08:00:00 x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_write_file (path, bad[i], strlen (bad[i]));
        now = 42;
        YJC_CHECK (t, yjc_clock_now (&now) == -1 && now == 42);
    }
    YJC_CHECK (t, yjc_clock_now_or_system () > y2020);
    s_write_file (path, "2026-05-01\0junk", 15);
    YJC_CHECK (t, yjc_clock_now (&now) == -1 && now == 42);
    char big[YJC_CLOCK_FILE_MAX + 10];
    memset (big, ' ', sizeof big);
    memcpy (big, "2026-05-01", 10);
    s_write_file (path, big, sizeof big);
    YJC_CHECK (t, yjc_clock_now (&now) == -1 && now == 42);
    s_write_file (path, big, YJC_CLOCK_FILE_MAX); //  just fits
    YJC_CHECK (t,
               yjc_clock_now (&now) == 0 &&
                   now == yjc_date_start_us ((yjc_date_t){ 2026, 5, 1 }));

    unlink (path);
    now = 42;
    YJC_CHECK (t, yjc_clock_now (&now) == -1 && now == 42); //  missing

    setenv ("YJC_NOW_FILE", saved, 1);
    free (saved);
}
