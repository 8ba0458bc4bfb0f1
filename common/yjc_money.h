/*  yjc_money.h - amounts of money as a finance office writes them (R17):
    fen (分, the integer every charge is kept in) in figures with
    thousands separators ("12,345.67") and in 人民币大写 (壹万贰仟叁佰
    肆拾伍元陆角柒分) by the PBoC rules for filling in vouchers: 壹拾 not
    拾, one 零 for a run of zeros inside the number (across 万 too:
    壹拾万零柒仟, the form rule 3 allows), 零 after 元 when 角
    is zero and 分 is not, 整 after 元 when there is neither 角 nor 分
    (none after 角, which the rules leave optional), 零元整 for zero, 负
    before a negative amount (a compensating entry).  Pure; the unit
    runner tests it.                                                    */
#ifndef YJC_MONEY_H_INCLUDED
#define YJC_MONEY_H_INCLUDED

#include "yjc_test.h"
#include <stddef.h>
#include <stdint.h>

//  The largest amount written in words: 9999万亿元 less a fen.
#define YJC_MONEY_WORDS_MAX (INT64_C (1000000000000000000) - 1)

//  "12,345.67", "-0.05": 0, or -1 when `size` is too small.
int yjc_money_figures (int64_t fen, char *buf, size_t size);
//  "壹万贰仟叁佰肆拾伍元陆角柒分": 0, or -1 when `size` is too small or
//  |fen| is beyond YJC_MONEY_WORDS_MAX.
int yjc_money_words (int64_t fen, char *buf, size_t size);

void yjc_money_test (yjc_test_t *t);

#endif
