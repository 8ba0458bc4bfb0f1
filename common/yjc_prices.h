/*  yjc_prices.h - the price catalog (proto/yjc_prices.def) and the pure
    rating of one application's month (R17).

    THE PRORATION RULE (stated once; README.md repeats it):
      - days are calendar days in Asia/Shanghai;
      - a day is charged to the LAST allocation interval of the application
        that overlaps it (a change day at the new resources, a termination
        day at the old, every allocated day exactly once);
      - a line's monthly price P (quantity x unit price) for a month of D
        days is divided by cumulative rounding: the amount for the days
        [a, b) of the month (0-based) is
            round_half_up(P*b/D) - round_half_up(P*a/D)
        so a whole month is exactly P whatever the intervals, the parts of
        a month add up to it, and lines add up exactly to totals;
      - a price version applies from its effective_from day on (the one
        published last wins when two start the same day).            */
#ifndef YJC_PRICES_H_INCLUDED
#define YJC_PRICES_H_INCLUDED

#include "yjc_test.h"
#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
#define PRICE(ident, code, zh, measure) YJC_PRICE_##ident,
#include "../proto/yjc_prices.def"
#undef PRICE
    YJC_PRICE_COUNT
} yjc_price_line_t;

typedef struct {
    const char *code;
    const char *zh;
    const char *measure_zh;
} yjc_price_def_t;

extern const yjc_price_def_t yjc_prices[YJC_PRICE_COUNT];

//  Largest unit price accepted, in 分 per month (one million yuan).
#define YJC_PRICE_MAX 100000000

//  The line of `code`, or -1.
int yjc_price_by_code (const char *code);

//  How many of `line` a grant's `resources` map holds (0 when none).
int64_t yjc_price_qty (const msgpack_object *resources, int line);

//  round_half_up(p*b/d) - round_half_up(p*a/d), p >= 0, 0 <= a <= b <= d.
int64_t yjc_prorate (int64_t p, int d, int a, int b);

//  Billing stages (proto/yjc_lifecycle.def INTERVAL) as priced.
typedef enum {
    YJC_RATE_TEST,
    YJC_RATE_PRODUCTION,
    YJC_RATE_ENFORCED
} yjc_rate_stage_t;

//  One allocation interval as seen in a month: the days it overlaps,
//  first..last (0-based day of the month, inclusive; last may lie past
//  the month), in the order of valid_from (then id).
typedef struct {
    int first, last;
    int stage; //  yjc_rate_stage_t
    int64_t qty[YJC_PRICE_COUNT];
} yjc_rate_interval_t;

//  One price version: from which day of the month (<= 0: before it), in
//  the order of effective_from (then publication).
typedef struct {
    int first;
    int64_t price[YJC_PRICE_COUNT][2]; //  [line][0 test, 1 production]
} yjc_rate_version_t;

//  One charge: a line at one stage, unit price and quantity over the days
//  [from, to) of the month.
typedef struct {
    int line;
    int stage;
    int64_t unit_price, qty;
    int from, to;
    int64_t amount;
} yjc_rate_item_t;

//  Rates days [0, upto) of a month of `days` days: the items (grouped by
//  line in catalog order, then by day; consecutive days of the same stage,
//  unit price and quantity merged), malloc'd in *items (free it), their
//  count returned, -1 on out of memory.  `enforced_as`: the stage an
//  enforced interval is priced at (YJC_RATE_TEST, YJC_RATE_PRODUCTION), or
//  -1 for zero.  Zero amounts are left out.
int yjc_rate_month (int days,
                    int upto,
                    const yjc_rate_interval_t *iv,
                    int niv,
                    const yjc_rate_version_t *ver,
                    int nver,
                    int enforced_as,
                    yjc_rate_item_t **items);

void yjc_prices_test (yjc_test_t *t);

#endif
