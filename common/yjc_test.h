/*  yjc_test.h - the smallest possible test harness for C selftests.

    Each class exposes `void yjc_<class>_test (yjc_test_t *t)`; the runner
    (tests/unit/yjc_selftest.c) calls them all, or one with --test NAME, and
    prints the summary line "N passed, N failed".                          */
#ifndef YJC_TEST_H_INCLUDED
#define YJC_TEST_H_INCLUDED

#include <stdio.h>

typedef struct {
    int passed;
    int failed;
    const char *suite; //  name of the selftest being run
    const char *pg;    //  --pg CONNSTR: a database to test with, or NULL
} yjc_test_t;

//  Record one check; print the failing expression with file and line.
#define YJC_CHECK(t, cond)                                                     \
    do {                                                                       \
        if (cond)                                                              \
            (t)->passed++;                                                     \
        else {                                                                 \
            (t)->failed++;                                                     \
            fprintf (stderr,                                                   \
                     "FAIL %s: %s:%d: %s\n",                                   \
                     (t)->suite,                                               \
                     __FILE__,                                                 \
                     __LINE__,                                                 \
                     #cond);                                                   \
        }                                                                      \
    } while (0)

#endif
