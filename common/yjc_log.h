/*  yjc_log.h - leveled logging over czmq's zsys log.

    YJC_LOG_LEVEL (yjc_config.c) says how much a process writes: error,
    warning, info (the default) or debug, each including the ones before.
    A line about one request carries its context (pgbouncer's habit):
    "[req=<envelope id> app=<application id>] ..." - see yjc_ctx_log in
    yjc_ctx.h.                                                          */
#ifndef YJC_LOG_H_INCLUDED
#define YJC_LOG_H_INCLUDED

#include "yjc_test.h"
#include <stdarg.h>
#include <stdbool.h>

typedef enum {
    YJC_LOG_ERROR,
    YJC_LOG_WARNING,
    YJC_LOG_INFO,
    YJC_LOG_DEBUG
} yjc_log_level_t;

//  "error" .. "debug" to a level; -1 for anything else.
int yjc_log_level_by_name (const char *name);
//  The level in force: YJC_LOG_LEVEL, read on first use (an unknown value
//  means info, and is said once), unless yjc_log_set_level overrode it.
yjc_log_level_t yjc_log_level (void);
void yjc_log_set_level (yjc_log_level_t level);
bool yjc_log_enabled (yjc_log_level_t level);

void yjc_log (yjc_log_level_t level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
//  A line about one request or event: "[req=ID app=APP] ..." ("-" for an
//  empty or NULL one).
void yjc_log_about (const char *request_id,
                    const char *app_id,
                    yjc_log_level_t level,
                    const char *fmt,
                    ...) __attribute__ ((format (printf, 4, 5)));
void yjc_log_about_v (const char *request_id,
                      const char *app_id,
                      yjc_log_level_t level,
                      const char *fmt,
                      va_list args);

void yjc_log_test (yjc_test_t *t);

#endif
