/*  calendar.c - the working calendar the deadlines are counted on: the
    Nth working day, the end of a period, whether a day is a working
    day, a year's holidays (published or provisional).                  */
#include "calendar.h"
#include "yjc_calendar.h"
#include "yjc_time.h"

static yjc_calendar_t *
s_calendar (void)
{
    char err[256];
    yjc_calendar_t *cal = yjc_calendar_load_default (err, sizeof err);
    if (!cal)
        fprintf (stderr, "无法读取工作日历：%s\n", err);
    return cal;
}

static int
s_parse_date (const char *text, yjc_date_t *d)
{
    if (yjc_date_parse (text, d) == 0)
        return 0;
    fprintf (stderr, "日期格式不正确：%s（应为 YYYY-MM-DD）\n", text);
    return -1;
}

static const char *s_weekdays[] = {
    "", "一", "二", "三", "四", "五", "六", "日"
};

//  Said after a result that rests on a provisional year
#define S_PROVISIONAL_ZH "暂定：该年放假安排尚未公布，按法定节假日推算"

static int
s_calendar_error (cli_opts_t *opts, const char *err)
{
    if (opts->json)
        printf ("{\"ok\": false, \"error\": {\"code\": "
                "\"calendar_uncovered\", \"message\": \"%s\"}}\n",
                err);
    else
        fprintf (
            stderr, "%s：%s\n", yjc_err_zh (YJC_E_CALENDAR_UNCOVERED), err);
    return 1;
}

static int
s_calendar_result (cli_opts_t *opts,
                   int rc,
                   const char *err,
                   const char *what,
                   yjc_date_t result,
                   bool provisional)
{
    char out[11];
    if (rc != 0)
        return s_calendar_error (opts, err);
    yjc_date_format (result, out);
    if (opts->json)
        printf ("{\"from\": \"%s\", \"%s\": \"%s\", \"result\": \"%s\", "
                "\"provisional\": %s}\n",
                opts->args[0],
                streq (what, "workdays") ? "n" : "period",
                opts->args[1],
                out,
                provisional ? "true" : "false");
    else if (provisional)
        printf ("%s（星期%s，" S_PROVISIONAL_ZH "）\n",
                out,
                s_weekdays[yjc_date_weekday (result)]);
    else
        printf ("%s（星期%s）\n", out, s_weekdays[yjc_date_weekday (result)]);
    return 0;
}

//  calendar workdays DATE N: the Nth working day after DATE.
int
calendar_cmd_workdays (cli_opts_t *opts)
{
    yjc_date_t d, out = { 0, 0, 0 };
    char *end;
    long n = strtol (opts->args[1], &end, 10);
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    if (*end || n < 0 || n > 10000) {
        fprintf (stderr, "工作日数应为 0 到 10000 的整数：%s\n", opts->args[1]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    char err[128] = "";
    int rc = yjc_calendar_add_workdays (cal, d, (int)n, &out, err, sizeof err);
    bool provisional = rc == 0 && yjc_calendar_provisional_span (cal, d, out);
    yjc_calendar_destroy (&cal);
    return s_calendar_result (opts, rc, err, "workdays", out, provisional);
}

//  calendar period DATE 15d|3m|3y: the period's end (a rest day moves
//  it to the next working day).
int
calendar_cmd_period (cli_opts_t *opts)
{
    yjc_date_t d, out = { 0, 0, 0 };
    int n;
    char unit;
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    if (yjc_period_parse (opts->args[1], &n, &unit) != 0) {
        fprintf (
            stderr, "期限格式不正确：%s（如 15d、3m、3y）\n", opts->args[1]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    char err[128] = "";
    int rc = yjc_calendar_period_end (cal, d, n, unit, &out, err, sizeof err);
    bool provisional = rc == 0 && yjc_calendar_provisional_span (cal, d, out);
    yjc_calendar_destroy (&cal);
    return s_calendar_result (opts, rc, err, "period", out, provisional);
}

//  calendar is-workday DATE
int
calendar_cmd_is_workday (cli_opts_t *opts)
{
    yjc_date_t d;
    if (s_parse_date (opts->args[0], &d) != 0)
        return 2;
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    bool yes = false;
    char err[128] = "";
    int rc = yjc_calendar_is_workday (cal, d, &yes, err, sizeof err);
    bool provisional = yjc_calendar_is_provisional (cal, d.y);
    yjc_calendar_destroy (&cal);
    if (rc != 0) {
        fprintf (
            stderr, "%s：%s\n", yjc_err_zh (YJC_E_CALENDAR_UNCOVERED), err);
        return 1;
    }
    if (opts->json)
        printf ("{\"date\": \"%s\", \"workday\": %s, \"provisional\": %s}\n",
                opts->args[0],
                yes ? "true" : "false",
                provisional ? "true" : "false");
    else
        printf ("%s%s\n",
                yes ? "是（工作日）" : "否（休息日）",
                provisional ? "（" S_PROVISIONAL_ZH "）" : "");
    return 0;
}

//  A year's holidays: the published rows, or the provisional statutory
//  days with their 补假 (requirements.md, "Years without a published
//  arrangement").
int
calendar_cmd_show (cli_opts_t *opts)
{
    char *end;
    long year = strtol (opts->args[0], &end, 10);
    if (*end || end == opts->args[0] || year < YJC_DATE_YEAR_MIN ||
        year > YJC_DATE_YEAR_MAX) {
        fprintf (stderr, "年份应为四位数字：%s\n", opts->args[0]);
        return 2;
    }
    yjc_calendar_t *cal = s_calendar ();
    if (!cal)
        return 1;
    static yjc_calendar_day_t days[YJC_CALENDAR_YEAR_DAYS_MAX];
    size_t n = 0;
    bool provisional = false;
    char err[128] = "";
    int rc = yjc_calendar_year (cal,
                                (int)year,
                                days,
                                YJC_CALENDAR_YEAR_DAYS_MAX,
                                &n,
                                &provisional,
                                err,
                                sizeof err);
    yjc_calendar_destroy (&cal);
    if (rc != 0)
        return s_calendar_error (opts, err);
    if (opts->json) {
        yjc_pack_t pack;
        yjc_pack_init (&pack);
        msgpack_packer *pk = &pack.pk;
        msgpack_pack_map (pk, 3);
        yjc_pk_kv_int (pk, "year", year);
        yjc_pk_str (pk, "provisional");
        provisional ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        yjc_pk_str (pk, "days");
        msgpack_pack_array (pk, n);
        for (size_t i = 0; i < n; i++) {
            char date[11];
            yjc_date_format (days[i].date, date);
            msgpack_pack_map (pk, 4);
            yjc_pk_kv_str (pk, "date", date);
            yjc_pk_kv_str (pk, "kind", days[i].work ? "work" : "off");
            yjc_pk_kv_str (pk, "name", days[i].name);
            yjc_pk_str (pk, "makeup");
            days[i].makeup ? msgpack_pack_true (pk) : msgpack_pack_false (pk);
        }
        msgpack_unpacked un;
        msgpack_unpacked_init (&un);
        msgpack_unpack_next (&un, pack.buf.data, pack.buf.size, NULL);
        cli_print_json (&un.data);
        msgpack_unpacked_destroy (&un);
        yjc_pack_release (&pack);
        return 0;
    }
    if (provisional)
        printf (
            "%ld 年：暂定（国务院尚未公布放假安排；按《全国年节及纪念日"
            "放假办法》推算，节日逢周六、周日在其后的工作日补假，不含调休）\n",
            year);
    else
        printf ("%ld 年：已公布（国务院办公厅放假安排）\n", year);
    for (size_t i = 0; i < n; i++) {
        char date[11];
        yjc_date_format (days[i].date, date);
        printf ("%s 星期%s  %s  %s%s\n",
                date,
                s_weekdays[yjc_date_weekday (days[i].date)],
                days[i].work ? "上班" : "休息",
                days[i].name,
                days[i].makeup ? "（补假）" : "");
    }
    return 0;
}
