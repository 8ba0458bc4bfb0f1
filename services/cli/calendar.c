/*  calendar.c - the working calendar the deadlines are counted on: the
    Nth working day, the end of a period, whether a day is a working
    day, a year's holidays (published or provisional).                  */
#include "calendar.h"
#include "yjc_calendar.h"
#include "yjc_json.h"
#include "yjc_time.h"
#include <ctype.h>

//  Years whose publication time `calendar show` names: 2000 onwards.
#define S_YEAR0 2000
#define S_YEARS 100

//  The published arrangements the platform holds (review's calendar.list),
//  applied on top of the shipped calendar, in the order review keeps them
//  (full arrangements, then local changes); when and by whom each year
//  was published goes to `since` (year -> "YYYY-MM-DD HH:MI"), if given.
//  Without an actor (--as, YJC_ACTOR) or an answer, the shipped calendar
//  alone, said once.
static void
s_apply_published (yjc_calendar_t *cal, cli_opts_t *opts, char since[][32])
{
    if (!opts->as || !*opts->as)
        return;
    cli_session_t session;
    if (cli_session_open (&session, opts, YJC_SVC_REVIEW) != 0)
        return;
    const msgpack_object *list = NULL;
    if (yjc_client_call (
            session.client, "calendar.list", NULL, 0, 3000, &session.reply) ==
            0 &&
        session.reply.ok)
        list = yjc_obj_get (session.reply.body, "published");
    else if (!opts->json)
        fprintf (stderr,
                 "（未能取得平台公布的放假安排，按随项目发布的日历计算）\n");
    static yjc_calendar_day_t days[YJC_CALENDAR_YEAR_DAYS_MAX];
    for (uint32_t i = 0; list && i < list->via.array.size; i++) {
        const msgpack_object *pub = &list->via.array.ptr[i];
        const msgpack_object *d = yjc_obj_get (pub, "days");
        int64_t year = 0;
        char kind[8], err[128];
        yjc_obj_int (pub, "year", &year);
        yjc_obj_strcpy (pub, "kind", kind, sizeof kind);
        size_t n = 0;
        for (uint32_t k = 0;
             d && k < d->via.array.size && n < YJC_CALENDAR_YEAR_DAYS_MAX;
             k++, n++) {
            const msgpack_object *day = &d->via.array.ptr[k];
            char date[11];
            const msgpack_object *off = yjc_obj_get (day, "off");
            memset (&days[n], 0, sizeof days[n]);
            yjc_date_parse (yjc_obj_strcpy (day, "date", date, sizeof date),
                            &days[n].date);
            days[n].work = !(off && off->type == MSGPACK_OBJECT_BOOLEAN &&
                             off->via.boolean);
            yjc_obj_strcpy (day, "name", days[n].name, sizeof days[n].name);
        }
        bool full = streq (kind, "full");
        if (yjc_calendar_apply (
                cal, (int)year, full, days, n, err, sizeof err) == 0 &&
            full && since && year >= S_YEAR0 && year < S_YEAR0 + S_YEARS) {
            char at[20] = "", by[65] = "";
            yjc_obj_strcpy (pub, "published_at", at, sizeof at);
            yjc_obj_strcpy (pub, "published_by", by, sizeof by);
            snprintf (since[year - S_YEAR0], 32, "%.16s", at);
        }
    }
    cli_session_close (&session);
}

static yjc_calendar_t *
s_calendar_with (cli_opts_t *opts, char since[][32])
{
    char err[256];
    yjc_calendar_t *cal = yjc_calendar_load_default (err, sizeof err);
    if (!cal)
        fprintf (stderr, "无法读取工作日历：%s\n", err);
    else
        s_apply_published (cal, opts, since);
    return cal;
}

static yjc_calendar_t *
s_calendar (cli_opts_t *opts)
{
    return s_calendar_with (opts, NULL);
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
    yjc_calendar_t *cal = s_calendar (opts);
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
    yjc_calendar_t *cal = s_calendar (opts);
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
    yjc_calendar_t *cal = s_calendar (opts);
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
    static char since[S_YEARS][32];
    yjc_calendar_t *cal = s_calendar_with (opts, since);
    if (!cal)
        return 1;
    const char *published = year >= S_YEAR0 && year < S_YEAR0 + S_YEARS
                                ? since[year - S_YEAR0]
                                : "";
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
        msgpack_pack_map (pk, 4);
        yjc_pk_kv_int (pk, "year", year);
        yjc_pk_kv_str (pk, "published_at", *published ? published : NULL);
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
    else if (*published)
        printf ("%ld 年：已公布（%s 在平台公布的放假安排）\n", year, published);
    else
        printf ("%ld 年：已公布（国务院办公厅放假安排，随项目发布）\n", year);
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

/* ---- calendar publish ---------------------------------------------------- */

//  One day of the file into `pk`, or why not (its year into *year).
static bool
s_add_day (const char *date,
           bool off,
           const char *name,
           const char *where,
           msgpack_packer *pk,
           int *year,
           char seen[][11],
           size_t *n)
{
    yjc_date_t d;
    if (yjc_date_parse (date, &d) != 0) {
        fprintf (stderr, "%s：日期不存在或格式不正确：%s\n", where, date);
        return false;
    }
    if (*year && d.y != *year) {
        fprintf (stderr,
                 "%s：%s 不在 %d 年：一个文件只能公布一年\n",
                 where,
                 date,
                 *year);
        return false;
    }
    *year = d.y;
    for (size_t i = 0; i < *n; i++)
        if (streq (seen[i], date)) {
            fprintf (stderr, "%s：日期 %s 重复\n", where, date);
            return false;
        }
    if (*n == YJC_CALENDAR_YEAR_DAYS_MAX) {
        fprintf (
            stderr, "%s：一年最多 %d 天\n", where, YJC_CALENDAR_YEAR_DAYS_MAX);
        return false;
    }
    snprintf (seen[(*n)++], 11, "%s", date);
    msgpack_pack_map (pk, 3);
    yjc_pk_kv_str (pk, "date", date);
    yjc_pk_kv_bool (pk, "off", off);
    yjc_pk_kv_str (pk, "name", name);
    return true;
}

//  The project's CSV (date,kind,name; kind off or work; a header line):
//  the days into `pk` (an array packed afterwards: counted in *n).
static bool
s_parse_csv (char *text,
             msgpack_packer *pk,
             int *year,
             char seen[][11],
             size_t *n)
{
    int line = 0;
    for (char *row = strtok (text, "\n"); row; row = strtok (NULL, "\n")) {
        line++;
        row[strcspn (row, "\r")] = 0;
        if (!*row || *row == '#' ||
            (line == 1 && !isdigit ((unsigned char)*row)))
            continue;
        char where[32], *date = row, *kind = strchr (row, ','), *name = "";
        snprintf (where, sizeof where, "第 %d 行", line);
        if (kind) {
            *kind++ = 0;
            char *comma = strchr (kind, ',');
            if (comma) {
                *comma = 0;
                name = comma + 1;
            }
        }
        if (!kind || (!streq (kind, "off") && !streq (kind, "work"))) {
            fprintf (stderr, "%s：应为“日期,off|work,名称”\n", where);
            return false;
        }
        if (!s_add_day (
                date, streq (kind, "off"), name, where, pk, year, seen, n))
            return false;
    }
    return true;
}

//  holiday-cn's JSON: {"year": 2027, "days": [{"name", "date",
//  "isOffDay"}]}.
static bool
s_parse_json (const char *text,
              size_t len,
              msgpack_packer *pk,
              int *year,
              char seen[][11],
              size_t *n)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err[160];
    bool ok = yjc_json_to_msgpack (text, len, &buf, err, sizeof err) == 0;
    if (!ok)
        fprintf (stderr, "文件不是合法的 JSON：%s\n", err);
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    if (ok)
        msgpack_unpack_next (&un, buf.data, buf.size, NULL);
    const msgpack_object *days = ok ? yjc_obj_get (&un.data, "days") : NULL;
    int64_t declared = 0;
    if (ok && (!yjc_obj_int (&un.data, "year", &declared) || !days ||
               days->type != MSGPACK_OBJECT_ARRAY)) {
        fprintf (stderr, "JSON 文件应为 {\"year\": 年份, \"days\": [...]}\n");
        ok = false;
    }
    if (ok)
        *year = (int)declared;
    for (uint32_t i = 0; ok && i < days->via.array.size; i++) {
        const msgpack_object *d = &days->via.array.ptr[i];
        const msgpack_object *off = yjc_obj_get (d, "isOffDay");
        char date[16], name[64], where[32];
        snprintf (where, sizeof where, "第 %u 项", i + 1);
        yjc_obj_strcpy (d, "date", date, sizeof date);
        yjc_obj_strcpy (d, "name", name, sizeof name);
        if (!off || off->type != MSGPACK_OBJECT_BOOLEAN) {
            fprintf (stderr, "%s：缺少 isOffDay（true 或 false）\n", where);
            ok = false;
        }
        else
            ok = s_add_day (
                date, off->via.boolean, name, where, pk, year, seen, n);
    }
    msgpack_unpacked_destroy (&un);
    msgpack_sbuffer_destroy (&buf);
    return ok;
}

//  calendar publish FILE [--local]: a year's arrangement as the State
//  Council published it (the whole year: every day not listed follows
//  the week), or with --local a county's change of some days, from the
//  project's CSV or holiday-cn's JSON.  Every service applies it at once
//  and the deadlines it moves are recomputed and noted in the history.
int
calendar_cmd_publish (cli_opts_t *opts)
{
    FILE *file = fopen (opts->args[0], "rb");
    if (!file) {
        fprintf (stderr, "无法读取文件：%s\n", opts->args[0]);
        return 2;
    }
    static char text[1 << 20];
    size_t len = fread (text, 1, sizeof text - 1, file);
    fclose (file);
    text[len] = 0;
    const char *p = text;
    while (isspace ((unsigned char)*p))
        p++;
    //  the days first, into a buffer of their own: their count is known
    //  only once the file is read
    yjc_pack_t list;
    yjc_pack_init (&list);
    static char seen[YJC_CALENDAR_YEAR_DAYS_MAX][11];
    size_t n = 0;
    int year = 0;
    bool ok = *p == '{' ? s_parse_json (text, len, &list.pk, &year, seen, &n)
                        : s_parse_csv (text, &list.pk, &year, seen, &n);
    if (ok && !year) {
        fprintf (stderr, "文件中没有任何日期\n");
        ok = false;
    }
    if (!ok) {
        yjc_pack_release (&list);
        return 2;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_int (&map, "year", year);
    yjc_map_str (&map, "kind", opts->local ? "local" : "full");
    msgpack_packer *pk = yjc_map_key (&map, "days");
    msgpack_pack_array (pk, (uint32_t)n);
    msgpack_sbuffer_write (&map.entries.buf, list.buf.data, list.buf.size);
    yjc_pack_release (&list);
    yjc_pack_t body;
    cli_body (&map, &body);
    cli_session_t session;
    bool done;
    const msgpack_object *b = cli_call_body (
        &session, opts, YJC_SVC_REVIEW, "calendar.publish", &body, &done);
    if (!done) {
        int64_t changed = 0;
        yjc_obj_int (b, "changed", &changed);
        printf (
            "已公布 %d 年%s（%zu 天），各服务即时采用；因此调整的期限 %lld 项，"
            "已记入各申请的办理过程\n",
            year,
            opts->local ? "本县调整" : "放假安排",
            n,
            (long long)changed);
    }
    int rc = b ? 0 : 1;
    cli_session_close (&session);
    yjc_pack_release (&body);
    return rc;
}
