/*  yjc_clock.h - the one clock.

    Every service asks this clock for "now", so tests can move time for the
    whole platform at once: when env YJC_NOW_FILE names a file, "now" is the
    ISO-8601 timestamp in that file (see yjc_time_parse_iso; surrounding
    whitespace ignored), re-read at each call so that a test moves time by
    rewriting it. Otherwise "now" is the system clock (CLOCK_REALTIME).     */
#ifndef YJC_CLOCK_H_INCLUDED
#define YJC_CLOCK_H_INCLUDED

#include <stdint.h>

#include "yjc_test.h"

//  Largest YJC_NOW_FILE accepted, in bytes
#define YJC_CLOCK_FILE_MAX 256

//  Store now (microseconds since the Unix epoch) in *us_out. Returns 0, or
//  -1 when the file is unreadable or unparsable (*us_out unchanged).
int yjc_clock_now (int64_t *us_out);

//  Same, but falls back to the system clock on error (for logs).
int64_t yjc_clock_now_or_system (void);

//  Selftest
void yjc_clock_test (yjc_test_t *t);

#endif
