/*  yjc_advice.h - R16: the optimisation advice rules of
    proto/yjc_advice.def applied to one resource's quarter.              */
#ifndef YJC_ADVICE_H_INCLUDED
#define YJC_ADVICE_H_INCLUDED

#include "yjc_test.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum { YJC_ADV_CPU_P95, YJC_ADV_MEM_P95, YJC_ADV_SILENT } yjc_metric_t;

typedef enum {
#define ADVICE(ident, rule, metric, op, threshold, window, step, zh)           \
    YJC_ADVICE_##ident,
#include "../proto/yjc_advice.def"
    YJC_ADVICE_COUNT
} yjc_advice_rule_t;

typedef struct {
    const char *rule;
    yjc_metric_t metric;
    char op;
    int threshold;
    int window;
    int step;
    const char *zh;
} yjc_advice_def_t;

extern const yjc_advice_def_t yjc_advice_rules[YJC_ADVICE_COUNT];

//  What one resource did over the quarter.
typedef struct {
    const char *cpu_mem;     //  its host configuration, "" when unknown
    bool measured;           //  any sample at all
    double cpu_p95, mem_p95; //  percent
    int days_with_samples;
    int days_without_samples;
} yjc_usage_t;

//  One advice: its rule and its Chinese text.
typedef struct {
    const char *rule;
    char text[256];
} yjc_advice_t;

//  The host configuration `step` places from `cpu_mem` along the ladder,
//  or NULL (unknown, or no such step).
const char *yjc_advice_step (const char *cpu_mem, int step);

//  Applies the rules in order to `u`; writes at most `max` advices to
//  `out` and returns how many.  At most one resize per resource.
int yjc_advice_apply (const yjc_usage_t *u, yjc_advice_t *out, int max);

void yjc_advice_test (yjc_test_t *t);

#endif
