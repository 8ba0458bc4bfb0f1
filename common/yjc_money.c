/*  yjc_money.c - fen in figures and in 人民币大写 (see yjc_money.h).   */
#include "yjc_money.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *s_digits[] = { "零", "壹", "贰", "叁", "肆",
                                  "伍", "陆", "柒", "捌", "玖" };
//  within a section of four digits, and the sections' own units
static const char *s_places[] = { "", "拾", "佰", "仟" };
static const char *s_sections[] = { "", "万", "亿", "万亿" };

int
yjc_money_figures (int64_t fen, char *buf, size_t size)
{
    //  via uint64_t: -INT64_MIN does not fit an int64_t
    uint64_t abs = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    char digits[32];
    int n = snprintf (
        digits, sizeof digits, "%llu", (unsigned long long)(abs / 100));
    char out[48];
    size_t o = 0;
    if (fen < 0)
        out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf (out + o, sizeof out - o, ".%02u", (unsigned)(abs % 100));
    if (strlen (out) + 1 > size)
        return -1;
    memcpy (buf, out, strlen (out) + 1);
    return 0;
}

//  Appends `s`; false when it does not fit.
static bool
s_put (char *buf, size_t size, size_t *len, const char *s)
{
    size_t n = strlen (s);
    if (*len + n + 1 > size)
        return false;
    memcpy (buf + *len, s, n + 1);
    *len += n;
    return true;
}

int
yjc_money_words (int64_t fen, char *buf, size_t size)
{
    uint64_t abs = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    if (abs > (uint64_t)YJC_MONEY_WORDS_MAX || size == 0)
        return -1;
    size_t len = 0;
    bool ok = true;
    buf[0] = 0;
    if (fen < 0)
        ok = s_put (buf, size, &len, "负");
    uint64_t yuan = abs / 100;
    unsigned jiao = (unsigned)(abs / 10 % 10), fen1 = (unsigned)(abs % 10);
    if (yuan == 0 && jiao == 0 && fen1 == 0)
        return ok && s_put (buf, size, &len, "零元整") ? 0 : -1;
    if (yuan > 0) {
        //  digits from the highest place down: a zero only shows as one
        //  零 before the next non-zero digit (PBoC rules 1 and 2); a
        //  section's unit (万, 亿) follows its last non-zero digit
        int places[16], n = 0;
        for (uint64_t y = yuan; y; y /= 10)
            places[n++] = (int)(y % 10);
        bool zeros = false, section_used = false;
        for (int i = n - 1; i >= 0; i--) {
            int d = places[i];
            if (d == 0)
                zeros = true;
            else {
                if (zeros)
                    ok = ok && s_put (buf, size, &len, "零");
                zeros = false;
                ok = ok && s_put (buf, size, &len, s_digits[d]);
                ok = ok && s_put (buf, size, &len, s_places[i % 4]);
                section_used = true;
            }
            if (i % 4 == 0 && section_used) {
                ok = ok && s_put (buf, size, &len, s_sections[i / 4]);
                section_used = false;
            }
        }
        ok = ok && s_put (buf, size, &len, "元");
    }
    if (jiao == 0 && fen1 == 0)
        ok = ok && s_put (buf, size, &len, "整");
    else {
        if (jiao) {
            ok = ok && s_put (buf, size, &len, s_digits[jiao]);
            ok = ok && s_put (buf, size, &len, "角");
        }
        else if (yuan > 0) //  rule 4: ¥325.04 is 叁佰贰拾伍元零肆分
            ok = ok && s_put (buf, size, &len, "零");
        if (fen1) {
            ok = ok && s_put (buf, size, &len, s_digits[fen1]);
            ok = ok && s_put (buf, size, &len, "分");
        }
    }
    if (!ok)
        buf[0] = 0;
    return ok ? 0 : -1;
}

/* ---- selftest ---------------------------------------------------------- */

static bool
s_words_are (int64_t fen, const char *expect)
{
    char buf[256];
    int rc = yjc_money_words (fen, buf, sizeof buf);
    if (rc != 0 || strcmp (buf, expect) != 0) {
        fprintf (stderr,
                 "money %lld: got '%s' expected '%s'\n",
                 (long long)fen,
                 rc ? "(error)" : buf,
                 expect);
        return false;
    }
    return true;
}

static bool
s_figures_are (int64_t fen, const char *expect)
{
    char buf[64];
    return yjc_money_figures (fen, buf, sizeof buf) == 0 &&
           strcmp (buf, expect) == 0;
}

//  The words read back as a number: each digit times its place, 万 and
//  亿 multiplying what precedes them in their section.
static int64_t
s_words_value (const char *s)
{
    //  the parts before 万亿, 亿, 万 and 元, and the section being read
    int64_t parts[4] = { 0, 0, 0, 0 }, section = 0, cents = 0;
    int64_t digit = 0, sign = 1;
    static const char *marks[] = { "万亿", "亿", "万", "元" };
    while (*s) {
        int step = 3, d = -1, mark = -1;
        for (int i = 0; i < 10; i++)
            if (strncmp (s, s_digits[i], 3) == 0)
                d = i;
        for (int i = 0; i < 4 && mark < 0; i++)
            if (strncmp (s, marks[i], strlen (marks[i])) == 0)
                mark = i, step = (int)strlen (marks[i]);
        if (d >= 0)
            digit = d;
        else if (mark >= 0)
            parts[mark] = section + digit, section = digit = 0;
        else if (strncmp (s, "负", 3) == 0)
            sign = -1;
        else if (strncmp (s, "拾", 3) == 0)
            section += digit * 10, digit = 0;
        else if (strncmp (s, "佰", 3) == 0)
            section += digit * 100, digit = 0;
        else if (strncmp (s, "仟", 3) == 0)
            section += digit * 1000, digit = 0;
        else if (strncmp (s, "角", 3) == 0)
            cents += digit * 10, digit = 0;
        else if (strncmp (s, "分", 3) == 0)
            cents += digit, digit = 0;
        s += step;
    }
    int64_t yuan =
        ((parts[0] * 10000 + parts[1]) * 10000 + parts[2]) * 10000 + parts[3];
    return sign * (yuan * 100 + cents);
}

void
yjc_money_test (yjc_test_t *t)
{
    //  R17: the examples of the PBoC rules and of the issue
    YJC_CHECK (t, s_words_are (1234567, "壹万贰仟叁佰肆拾伍元陆角柒分"));
    YJC_CHECK (t, s_words_are (100500, "壹仟零伍元整"));
    YJC_CHECK (t, s_words_are (10000000, "壹拾万元整"));
    YJC_CHECK (t, s_words_are (0, "零元整"));
    YJC_CHECK (t, s_words_are (140950, "壹仟肆佰零玖元伍角"));
    YJC_CHECK (t, s_words_are (600714, "陆仟零柒元壹角肆分"));
    YJC_CHECK (t, s_words_are (168032, "壹仟陆佰捌拾元叁角贰分"));
    YJC_CHECK (t, s_words_are (10700053, "壹拾万零柒仟元伍角叁分"));
    YJC_CHECK (t, s_words_are (1640902, "壹万陆仟肆佰零玖元零贰分"));
    YJC_CHECK (t, s_words_are (32504, "叁佰贰拾伍元零肆分"));
    YJC_CHECK (t, s_words_are (1000, "壹拾元整"));
    YJC_CHECK (t, s_words_are (1500, "壹拾伍元整"));
    YJC_CHECK (t, s_words_are (100, "壹元整"));
    YJC_CHECK (t, s_words_are (50, "伍角"));
    YJC_CHECK (t, s_words_are (5, "伍分"));
    YJC_CHECK (t, s_words_are (1, "壹分"));
    YJC_CHECK (t, s_words_are (101, "壹元零壹分"));
    YJC_CHECK (t, s_words_are (110, "壹元壹角"));
    YJC_CHECK (t, s_words_are (-60000, "负陆佰元整"));
    YJC_CHECK (t, s_words_are (10005000, "壹拾万零伍拾元整"));
    YJC_CHECK (t, s_words_are (10050000, "壹拾万零伍佰元整"));
    YJC_CHECK (t, s_words_are (100000000, "壹佰万元整"));
    YJC_CHECK (t, s_words_are (10000000000, "壹亿元整"));
    YJC_CHECK (t, s_words_are (10000010000, "壹亿零壹佰元整"));
    YJC_CHECK (t, s_words_are (10001000000, "壹亿零壹万元整"));
    YJC_CHECK (t,
               s_words_are (12030405060, "壹亿贰仟零叁拾万零肆仟零伍拾元陆角"));
    YJC_CHECK (t, s_words_are (INT64_C (100000000000000), "壹万亿元整"));
    YJC_CHECK (t,
               s_words_are (YJC_MONEY_WORDS_MAX,
                            "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰"
                            "玖拾玖万玖仟玖佰玖拾玖元玖角玖分"));
    char small[8];
    YJC_CHECK (t,
               yjc_money_words (YJC_MONEY_WORDS_MAX + 1, small, sizeof small) ==
                   -1);
    YJC_CHECK (t, yjc_money_words (INT64_MIN, small, sizeof small) == -1);
    YJC_CHECK (t,
               yjc_money_words (1234567, small, sizeof small) == -1 && !*small);
    //  exhaustive below 1,000,000.00 yuan by a stride, and every amount
    //  under 100 yuan: the words read back as the amount, and hold no
    //  零 twice in a row nor at the end, nor 零 before a unit
    int bad = 0;
    for (int64_t fen = -100000; fen <= INT64_C (100000000);
         fen += fen < 10000 ? 1 : 9973) {
        char buf[256];
        if (yjc_money_words (fen, buf, sizeof buf) != 0 ||
            s_words_value (buf) != fen || strstr (buf, "零零") ||
            (strstr (buf, "零元") && fen != 0) || strstr (buf, "零万") ||
            strstr (buf, "零亿") || strstr (buf, "零角") ||
            strstr (buf, "零分") || (strstr (buf, "整") && fen % 100) ||
            (!strstr (buf, "整") && fen % 100 == 0)) {
            if (bad++ < 5)
                fprintf (stderr,
                         "money %lld: '%s' reads %lld\n",
                         (long long)fen,
                         buf,
                         (long long)s_words_value (buf));
        }
    }
    YJC_CHECK (t, bad == 0);
    YJC_CHECK (t, s_figures_are (1234567, "12,345.67"));
    YJC_CHECK (t, s_figures_are (0, "0.00"));
    YJC_CHECK (t, s_figures_are (5, "0.05"));
    YJC_CHECK (t, s_figures_are (-5, "-0.05"));
    YJC_CHECK (t, s_figures_are (100000, "1,000.00"));
    YJC_CHECK (t, s_figures_are (99999, "999.99"));
    YJC_CHECK (t, s_figures_are (12345678901, "123,456,789.01"));
    YJC_CHECK (t, s_figures_are (INT64_MIN, "-92,233,720,368,547,758.08"));
    YJC_CHECK (t, yjc_money_figures (1234567, small, sizeof small) == -1);
}
