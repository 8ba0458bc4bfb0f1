/*  yjc_advice.c - R16: proto/yjc_advice.def expanded and applied.  */
#include "yjc_advice.h"
#include "yjc_proto.h"
#include <stdio.h>
#include <string.h>

const yjc_advice_def_t yjc_advice_rules[YJC_ADVICE_COUNT] = {
#define ADVICE(ident, rule, metric, op, threshold, window, step, zh)           \
    { rule, YJC_ADV_##metric, op, threshold, window, step, zh },
#include "../proto/yjc_advice.def"
};

static const char *s_ladder[] = {
#define HOST_STEP(cpu_mem) cpu_mem,
#include "../proto/yjc_advice.def"
};
#define S_STEPS ((int)(sizeof s_ladder / sizeof *s_ladder))

const char *
yjc_advice_step (const char *cpu_mem, int step)
{
    for (int i = 0; cpu_mem && i < S_STEPS; i++)
        if (strcmp (s_ladder[i], cpu_mem) == 0)
            return i + step >= 0 && i + step < S_STEPS ? s_ladder[i + step]
                                                       : NULL;
    return NULL;
}

static const char *
s_zh (const char *cpu_mem)
{
    const char *zh = yjc_value_zh ("cpu_mem", cpu_mem, strlen (cpu_mem));
    return zh ? zh : cpu_mem;
}

//  The template with its {placeholders} replaced; truncated to fit.
static void
s_render (const yjc_advice_def_t *r,
          const yjc_usage_t *u,
          double value,
          const char *to,
          char *out,
          size_t size)
{
    char vals[5][64];
    static const char *keys[] = {
        "{threshold}", "{value}", "{from}", "{to}", "{days}"
    };
    snprintf (vals[0], sizeof vals[0], "%d", r->threshold);
    snprintf (vals[1], sizeof vals[1], "%.1f", value);
    snprintf (vals[2], sizeof vals[2], "%s", s_zh (u->cpu_mem));
    snprintf (vals[3], sizeof vals[3], "%s", to ? s_zh (to) : "");
    snprintf (vals[4], sizeof vals[4], "%d", u->days_without_samples);
    size_t n = 0;
    const char *p = r->zh;
    while (*p && n + 1 < size) {
        int k = -1;
        for (int i = 0; i < 5 && k < 0; i++)
            if (strncmp (p, keys[i], strlen (keys[i])) == 0)
                k = i;
        if (k >= 0) {
            n += (size_t)snprintf (out + n, size - n, "%s", vals[k]);
            if (n >= size)
                n = size - 1;
            p += strlen (keys[k]);
        }
        else
            out[n++] = *p++;
    }
    out[n] = '\0';
}

//  Whether rule `r` holds for `u`, and the value it judged.
static bool
s_holds (const yjc_advice_def_t *r, const yjc_usage_t *u, double *value)
{
    if (r->metric == YJC_ADV_SILENT) {
        *value = u->days_without_samples;
        return u->days_without_samples >= r->threshold;
    }
    if (!u->measured || u->days_with_samples < r->window)
        return false;
    *value = r->metric == YJC_ADV_CPU_P95 ? u->cpu_p95 : u->mem_p95;
    return r->op == '<'   ? *value < r->threshold
           : r->op == '>' ? *value > r->threshold
                          : *value >= r->threshold;
}

int
yjc_advice_apply (const yjc_usage_t *u, yjc_advice_t *out, int max)
{
    int n = 0;
    bool resized = false;
    for (int i = 0; i < YJC_ADVICE_COUNT && n < max; i++) {
        const yjc_advice_def_t *r = &yjc_advice_rules[i];
        double value = 0;
        if (!s_holds (r, u, &value))
            continue;
        const char *to = NULL;
        if (r->step != 0) {
            to = yjc_advice_step (u->cpu_mem, r->step);
            if (resized || !to)
                continue; //  one resize; none past either end
            resized = true;
        }
        out[n].rule = r->rule;
        s_render (r, u, value, to, out[n].text, sizeof out[n].text);
        n++;
    }
    return n;
}

/* ---- selftest ------------------------------------------------------------ */

void
yjc_advice_test (yjc_test_t *t)
{
    yjc_advice_t a[8];
    //  R16: the example, CPU p95 below 10 % over the quarter
    yjc_usage_t u = { "4c8g", true, 7.5, 30.0, 90, 0 };
    int n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "cpu_low") == 0);
    YJC_CHECK (
        t,
        n == 1 &&
            strcmp (a[0].text, "CPU p95 季度内低于 10%：4核/8G → 2核/4G") == 0);
    //  memory low too: still one resize, the first rule's
    u.mem_p95 = 10;
    n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "cpu_low") == 0);
    //  the smallest configuration cannot step down: the next rule cannot
    //  either, no advice
    u.cpu_mem = "2c4g";
    YJC_CHECK (t, yjc_advice_apply (&u, a, 8) == 0);
    //  busy CPU steps up, ahead of low memory
    u = (yjc_usage_t){ "6c12g", true, 92.5, 10.0, 60, 0 };
    n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "cpu_high") == 0);
    YJC_CHECK (
        t,
        n == 1 &&
            strcmp (a[0].text,
                    "CPU p95 季度内高于 80%（92.5%）：6核/12G → 8核/16G") == 0);
    //  the largest cannot step up: the low-memory rule's step down wins
    u.cpu_mem = "8c16g";
    n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "mem_low") == 0);
    //  at the threshold is not below it; too few days judge nothing
    u = (yjc_usage_t){ "4c8g", true, 10.0, 50.0, 90, 0 };
    YJC_CHECK (t, yjc_advice_apply (&u, a, 8) == 0);
    u = (yjc_usage_t){ "4c8g", true, 1.0, 50.0, 29, 61 };
    n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "silent") == 0);
    YJC_CHECK (
        t,
        n == 1 && strcmp (a[0].text,
                          "季度内 61 天无采样：请核实该资源是否仍在使用") == 0);
    //  a resize and a silence together; `max` bounds the output
    u.days_with_samples = 30;
    YJC_CHECK (t, yjc_advice_apply (&u, a, 8) == 2);
    YJC_CHECK (t, yjc_advice_apply (&u, a, 1) == 1);
    //  an unknown configuration is not resized
    u.cpu_mem = "";
    n = yjc_advice_apply (&u, a, 8);
    YJC_CHECK (t, n == 1 && strcmp (a[0].rule, "silent") == 0);
    YJC_CHECK (t,
               yjc_advice_step ("2c4g", 1) &&
                   strcmp (yjc_advice_step ("2c4g", 1), "4c8g") == 0);
    YJC_CHECK (t, !yjc_advice_step ("8c16g", 1) && !yjc_advice_step (NULL, 0));
}
