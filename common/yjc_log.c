/*  yjc_log.c - leveled logging (see yjc_log.h).  czmq's zsys log has no
    level of its own: this filters, then hands the line to zsys, which
    adds the level letter, the time and the process's ident.             */
#include "yjc_log.h"
#include "yjc_config.h"
#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>

static const char *s_names[] = { "error", "warning", "info", "debug" };

static atomic_int s_level = YJC_LOG_INFO;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

int
yjc_log_level_by_name (const char *name)
{
    for (int i = 0; i < (int)(sizeof s_names / sizeof *s_names); i++)
        if (name && strcmp (name, s_names[i]) == 0)
            return i;
    return -1;
}

static void
s_read_setting (void)
{
    const char *name = yjc_config (YJC_CFG_LOG_LEVEL);
    int level = yjc_log_level_by_name (name);
    atomic_store (&s_level, level >= 0 ? level : YJC_LOG_INFO);
    if (level < 0)
        zsys_warning ("YJC_LOG_LEVEL=%s is not error, warning, info or "
                      "debug: logging at info",
                      name);
}

yjc_log_level_t
yjc_log_level (void)
{
    pthread_once (&s_once, s_read_setting);
    return (yjc_log_level_t)atomic_load (&s_level);
}

void
yjc_log_set_level (yjc_log_level_t level)
{
    pthread_once (&s_once, s_read_setting);
    atomic_store (&s_level, (int)level);
}

bool
yjc_log_enabled (yjc_log_level_t level)
{
    return level <= yjc_log_level ();
}

//  The prefix, then the message, as one zsys line.
static void
s_emit (yjc_log_level_t level,
        const char *prefix,
        const char *fmt,
        va_list args)
{
    char line[1024];
    int n = snprintf (line, sizeof line, "%s", prefix);
    vsnprintf (line + n, sizeof line - (size_t)n, fmt, args);
    switch (level) {
        case YJC_LOG_ERROR: zsys_error ("%s", line); break;
        case YJC_LOG_WARNING: zsys_warning ("%s", line); break;
        case YJC_LOG_INFO: zsys_info ("%s", line); break;
        case YJC_LOG_DEBUG: zsys_debug ("%s", line); break;
    }
}

void
yjc_log (yjc_log_level_t level, const char *fmt, ...)
{
    if (!yjc_log_enabled (level))
        return;
    va_list args;
    va_start (args, fmt);
    s_emit (level, "", fmt, args);
    va_end (args);
}

void
yjc_log_about_v (const char *request_id,
                 const char *app_id,
                 yjc_log_level_t level,
                 const char *fmt,
                 va_list args)
{
    if (!yjc_log_enabled (level))
        return;
    char prefix[160];
    snprintf (prefix,
              sizeof prefix,
              "[req=%.64s app=%.32s] ",
              request_id && *request_id ? request_id : "-",
              app_id && *app_id ? app_id : "-");
    s_emit (level, prefix, fmt, args);
}

void
yjc_log_about (const char *request_id,
               const char *app_id,
               yjc_log_level_t level,
               const char *fmt,
               ...)
{
    va_list args;
    va_start (args, fmt);
    yjc_log_about_v (request_id, app_id, level, fmt, args);
    va_end (args);
}

/* ---- selftest ------------------------------------------------------------ */

//  Runs `level` lines through the logger at `setting` into a file; returns
//  what was written (caller frees).
static char *
s_capture (const char *setting)
{
    FILE *file = tmpfile ();
    if (!file)
        return NULL;
    zsys_set_logstream (file);
    setenv ("YJC_LOG_LEVEL", setting, 1);
    s_read_setting (); //  as a process starting with that setting
    yjc_log (YJC_LOG_ERROR, "e-line %d", 1);
    yjc_log (YJC_LOG_WARNING, "w-line");
    yjc_log (YJC_LOG_INFO, "i-line");
    yjc_log (YJC_LOG_DEBUG, "d-line");
    yjc_log_about ("req-7", "A000042", YJC_LOG_WARNING, "about %s", "it");
    yjc_log_about (NULL, "", YJC_LOG_ERROR, "no context");
    zsys_set_logstream (stdout);
    long size = ftell (file);
    char *text = (char *)calloc (1, (size_t)(size > 0 ? size : 0) + 1);
    rewind (file);
    if (size > 0 && fread (text, 1, (size_t)size, file) != (size_t)size)
        text[0] = 0;
    fclose (file);
    return text;
}

void
yjc_log_test (yjc_test_t *t)
{
    char *saved = strdup (yjc_config (YJC_CFG_LOG_LEVEL));
    yjc_log_level_t before = yjc_log_level ();
    YJC_CHECK (t, yjc_log_level_by_name ("debug") == YJC_LOG_DEBUG);
    YJC_CHECK (t, yjc_log_level_by_name ("warning") == YJC_LOG_WARNING);
    YJC_CHECK (t, yjc_log_level_by_name ("WARN") == -1);
    YJC_CHECK (t, yjc_log_level_by_name (NULL) == -1);

    //  Each level writes itself and what is more severe, nothing else.
    char *text = s_capture ("error");
    YJC_CHECK (t, text && strstr (text, "E: ") && strstr (text, "e-line 1"));
    YJC_CHECK (t, text && !strstr (text, "w-line") && !strstr (text, "i-line"));
    YJC_CHECK (t, text && strstr (text, "[req=- app=-] no context"));
    YJC_CHECK (t, text && !strstr (text, "about it"));
    free (text);
    text = s_capture ("warning");
    YJC_CHECK (t, text && strstr (text, "W: ") && strstr (text, "w-line"));
    YJC_CHECK (t, text && strstr (text, "[req=req-7 app=A000042] about it"));
    YJC_CHECK (t, text && !strstr (text, "i-line"));
    free (text);
    text = s_capture ("debug");
    YJC_CHECK (t, text && strstr (text, "i-line") && strstr (text, "D: "));
    YJC_CHECK (t, text && strstr (text, "d-line"));
    free (text);
    text = s_capture (""); //  not set: info
    YJC_CHECK (t, text && strstr (text, "i-line") && !strstr (text, "d-line"));
    free (text);
    text = s_capture ("verbose"); //  unknown: info, and said
    YJC_CHECK (t, text && strstr (text, "i-line") && !strstr (text, "d-line"));
    YJC_CHECK (t, text && strstr (text, "YJC_LOG_LEVEL=verbose is not"));
    free (text);
    YJC_CHECK (t, yjc_log_level () == YJC_LOG_INFO);

    setenv ("YJC_LOG_LEVEL", saved, 1);
    free (saved);
    yjc_log_set_level (before);
}
