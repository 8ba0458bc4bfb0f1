/*  calendar.c - the working-day calendar the deadlines are counted on
    (time rules): GET /calendar?year=Y shows a year's listed days as
    `yjcloud calendar show Y` does (the shipped calendar with the
    publications review holds on top); POST /calendar publishes a year
    from the project's CSV (date,off|work,name) as `yjcloud calendar
    publish FILE [--local]`, the file arriving as one form field.       */
#include "bureau.h"
#include "yjc_calendar.h"
#include "yjc_clock.h"
#include "yjc_map.h"
#include "yjc_time.h"

//  yjc_date_weekday: 1 Monday .. 7 Sunday
static const char *s_weekdays[] = {
    "", "一", "二", "三", "四", "五", "六", "日"
};

//  The publications review holds (calendar.list) applied on top of the
//  shipped calendar; when each full year was published into `since`.
static yjc_calendar_t *
s_calendar (const session_t *s, int year, char since[32], bool *answered)
{
    char err[256];
    yjc_calendar_t *cal = yjc_calendar_load_default (err, sizeof err);
    *answered = false;
    if (!cal)
        return NULL;
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_REVIEW, "calendar.list", NULL, &reply);
    const msgpack_object *list = b ? yjc_obj_get (b, "published") : NULL;
    *answered = b != NULL;
    yjc_calendar_day_t *days =
        (yjc_calendar_day_t *)calloc (YJC_CALENDAR_YEAR_DAYS_MAX, sizeof *days);
    for (uint32_t i = 0; days && list && list->type == MSGPACK_OBJECT_ARRAY &&
                         i < list->via.array.size;
         i++) {
        const msgpack_object *pub = &list->via.array.ptr[i];
        const msgpack_object *d = yjc_obj_get (pub, "days");
        int64_t y = 0;
        char kind[8];
        yjc_obj_int (pub, "year", &y);
        yjc_obj_strcpy (pub, "kind", kind, sizeof kind);
        size_t n = 0;
        for (uint32_t k = 0;
             d && d->type == MSGPACK_OBJECT_ARRAY && k < d->via.array.size &&
             n < YJC_CALENDAR_YEAR_DAYS_MAX;
             k++, n++) {
            const msgpack_object *day = &d->via.array.ptr[k];
            const msgpack_object *off = yjc_obj_get (day, "off");
            char date[11];
            memset (&days[n], 0, sizeof days[n]);
            yjc_date_parse (yjc_obj_strcpy (day, "date", date, sizeof date),
                            &days[n].date);
            days[n].work = !(off && off->type == MSGPACK_OBJECT_BOOLEAN &&
                             off->via.boolean);
            yjc_obj_strcpy (day, "name", days[n].name, sizeof days[n].name);
        }
        bool full = streq (kind, "full");
        if (yjc_calendar_apply (cal, (int)y, full, days, n, err, sizeof err) ==
                0 &&
            full && y == year) {
            char at[20] = "";
            snprintf (since,
                      32,
                      "%.16s",
                      yjc_obj_strcpy (pub, "published_at", at, sizeof at));
        }
    }
    free (days);
    yjc_reply_release (&reply);
    return cal;
}

static int
s_year_of (struct MHD_Connection *connection)
{
    const char *v =
        MHD_lookup_connection_value (connection, MHD_GET_ARGUMENT_KIND, "year");
    long y = v ? strtol (v, NULL, 10) : 0;
    if (y >= 2000 && y <= 2099)
        return (int)y;
    return yjc_time_local_date (yjc_clock_now_or_system ()).y;
}

static enum MHD_Result
s_show (struct MHD_Connection *connection,
        const session_t *s,
        int year,
        zhash_t *form,
        zhash_t *problems,
        const char *done,
        unsigned status)
{
    tpl_t *data = page_frame (s, "工作日历");
    tpl_set (data, "year", "%d", year);
    tpl_set (data, "prev", "%d", year - 1);
    tpl_set (data, "next", "%d", year + 1);
    if (s->actor.role == YJC_ROLE_BUREAU)
        tpl_set (data, "can_publish", "1");
    char since[32] = "", err[128] = "";
    bool answered;
    yjc_calendar_t *cal = s_calendar (s, year, since, &answered);
    if (!answered)
        tpl_set (data,
                 "unanswered",
                 "%s",
                 "未能取得平台公布的放假安排，按随项目发布的日历显示");
    yjc_calendar_day_t *days =
        (yjc_calendar_day_t *)calloc (YJC_CALENDAR_YEAR_DAYS_MAX, sizeof *days);
    size_t n = 0;
    bool provisional = false;
    if (!cal || !days ||
        yjc_calendar_year (cal,
                           year,
                           days,
                           YJC_CALENDAR_YEAR_DAYS_MAX,
                           &n,
                           &provisional,
                           err,
                           sizeof err) != 0)
        tpl_set (data, "status_line", "%d 年：平台日历未涵盖该年", year);
    else if (provisional)
        tpl_set (
            data,
            "status_line",
            "%d 年：暂定（国务院尚未公布放假安排；按《全国年节及纪念日"
            "放假办法》推算，节日逢周六、周日在其后的工作日补假，不含调休）",
            year);
    else if (*since)
        tpl_set (data,
                 "status_line",
                 "%d 年：已公布（%s 在平台公布的放假安排）",
                 year,
                 since);
    else
        tpl_set (data,
                 "status_line",
                 "%d 年：已公布（国务院办公厅放假安排，随项目发布）",
                 year);
    for (size_t i = 0; days && i < n; i++) {
        tpl_t *item = tpl_add (data, "days");
        char date[11];
        yjc_date_format (days[i].date, date);
        tpl_set (item, "date", "%s", date);
        tpl_set (item,
                 "weekday",
                 "星期%s",
                 s_weekdays[yjc_date_weekday (days[i].date) % 8]);
        tpl_set (item, "kind", "%s", days[i].work ? "上班" : "休息");
        tpl_set (item,
                 "name",
                 "%s%s",
                 days[i].name,
                 days[i].makeup ? "（补假）" : "");
    }
    free (days);
    yjc_calendar_destroy (&cal);
    if (done)
        tpl_set (data, "done", "%s", done);
    const char *file = form ? (const char *)zhash_lookup (form, "file") : NULL;
    if (!file || !*file)
        file = form ? (const char *)zhash_lookup (form, "text") : NULL;
    if (file)
        tpl_set (data, "file", "%s", file);
    const char *kind = form ? (const char *)zhash_lookup (form, "kind") : NULL;
    if (kind && streq (kind, "local"))
        tpl_set (data, "local", "1");
    for (const char *m = problems ? (const char *)zhash_first (problems) : NULL;
         m;
         m = (const char *)zhash_next (problems))
        tpl_set (tpl_add (data, "file_problems"), "text", "%s", m);
    return page_render (connection, status, "calendar", data);
}

//  The project's CSV (date,off|work,name; a header line, # comments) into
//  `pk` as calendar.publish's days; the first problem into `problem`.
static bool
s_parse_csv (char *text,
             msgpack_packer *pk,
             int *year,
             size_t *n,
             char *problem,
             size_t size)
{
    int line = 0;
    char *save = NULL;
    zhash_t *seen = zhash_new ();
    bool ok = true;
    for (char *row = strtok_r (text, "\n", &save); row && ok;
         row = strtok_r (NULL, "\n", &save)) {
        line++;
        row[strcspn (row, "\r")] = 0;
        if (!*row || *row == '#' ||
            (line == 1 && !isdigit ((unsigned char)*row)))
            continue;
        char *date = row, *kind = strchr (row, ','), *name = "";
        if (kind) {
            *kind++ = 0;
            char *comma = strchr (kind, ',');
            if (comma) {
                *comma = 0;
                name = comma + 1;
            }
        }
        yjc_date_t d;
        if (!kind || (!streq (kind, "off") && !streq (kind, "work")))
            snprintf (
                problem, size, "第 %d 行：应为“日期,off|work,名称”", line);
        else if (yjc_date_parse (date, &d) != 0)
            snprintf (problem,
                      size,
                      "第 %d 行：日期不存在或格式不正确：%.16s",
                      line,
                      date);
        else if (*year && d.y != *year)
            snprintf (problem,
                      size,
                      "第 %d 行：%s 不在 %d 年：一个文件只能公布一年",
                      line,
                      date,
                      *year);
        else if (zhash_lookup (seen, date))
            snprintf (problem, size, "第 %d 行：日期 %s 重复", line, date);
        else if (*n == YJC_CALENDAR_YEAR_DAYS_MAX)
            snprintf (problem,
                      size,
                      "第 %d 行：一年最多 %d 天",
                      line,
                      YJC_CALENDAR_YEAR_DAYS_MAX);
        else if (strlen (name) > 63)
            snprintf (
                problem, size, "第 %d 行：名称过长（最多 63 字节）", line);
        else {
            *year = d.y;
            zhash_insert (seen, date, (void *)"1");
            (*n)++;
            msgpack_pack_map (pk, 3);
            yjc_pk_kv_str (pk, "date", date);
            yjc_pk_kv_bool (pk, "off", streq (kind, "off"));
            yjc_pk_kv_str (pk, "name", name);
            continue;
        }
        ok = false;
    }
    zhash_destroy (&seen);
    return ok;
}

//  POST /calendar: the bureau publishes a year (calendar.publish); every
//  service applies it at once and review recomputes the deadlines it moves.
static enum MHD_Result
s_publish (struct MHD_Connection *connection, const session_t *s, zhash_t *form)
{
    if (s->actor.role != YJC_ROLE_BUREAU)
        return page_not_found (connection);
    const char *file = (const char *)zhash_lookup (form, "file");
    if (!file || !*file) //  pasted instead of chosen
        file = (const char *)zhash_lookup (form, "text");
    const char *kind = (const char *)zhash_lookup (form, "kind");
    bool local = kind && streq (kind, "local");
    zhash_t *problems = zhash_new ();
    zhash_autofree (problems);
    char problem[200] = "";
    char *text = strdup (file ? file : "");
    yjc_pack_t list;
    yjc_pack_init (&list);
    int year = 0;
    size_t n = 0;
    const char *p = text;
    while (isspace ((unsigned char)*p))
        p++;
    if (*p == '{')
        snprintf (problem,
                  sizeof problem,
                  "%s",
                  "请上传 CSV 文件（日期,off|work,名称）");
    else if (s_parse_csv (text, &list.pk, &year, &n, problem, sizeof problem) &&
             !year)
        snprintf (problem, sizeof problem, "%s", "文件中没有任何日期");
    free (text);
    int shown = year ? year : s_year_of (connection);
    if (*problem) {
        zhash_insert (problems, "file", problem);
        yjc_pack_release (&list);
        enum MHD_Result rc = s_show (
            connection, s, shown, form, problems, NULL, MHD_HTTP_BAD_REQUEST);
        zhash_destroy (&problems);
        return rc;
    }
    yjc_map_t map;
    yjc_map_init (&map);
    yjc_map_int (&map, "year", year);
    yjc_map_str (&map, "kind", local ? "local" : "full");
    msgpack_packer *pk = yjc_map_key (&map, "days");
    msgpack_pack_array (pk, (uint32_t)n);
    msgpack_sbuffer_write (&map.entries.buf, list.buf.data, list.buf.size);
    yjc_pack_release (&list);
    yjc_pack_t body;
    yjc_pack_init (&body);
    yjc_map_end (&map, &body.pk);
    yjc_map_release (&map);
    yjc_reply_t reply;
    const msgpack_object *b =
        page_call (s, YJC_SVC_REVIEW, "calendar.publish", &body, &reply);
    yjc_pack_release (&body);
    enum MHD_Result rc;
    if (!b && !*reply.code) {
        zhash_destroy (&problems);
        bureau_refused (connection, &reply, &rc);
        return rc;
    }
    if (!b) {
        bureau_problems (&reply, problems);
        rc = s_show (
            connection, s, shown, form, problems, NULL, MHD_HTTP_BAD_REQUEST);
    }
    else {
        int64_t changed = 0;
        yjc_obj_int (b, "changed", &changed);
        char done[256];
        snprintf (
            done,
            sizeof done,
            "已公布 %d 年%s（%zu 天），各服务即时采用；因此调整的期限 %lld 项，"
            "已记入各申请的办理过程",
            year,
            local ? "本县调整" : "放假安排",
            n,
            (long long)changed);
        rc = s_show (connection, s, year, NULL, NULL, done, MHD_HTTP_OK);
    }
    yjc_reply_release (&reply);
    zhash_destroy (&problems);
    return rc;
}

bool
calendar_route (struct MHD_Connection *connection,
                const char *url,
                bool post,
                zhash_t *form,
                const session_t *s,
                enum MHD_Result *rc)
{
    if (!streq (url, "/calendar"))
        return false;
    if (post)
        *rc = s_publish (connection, s, form);
    else //  calendar.list answers every role, as for the CLI
        *rc = s_show (connection,
                      s,
                      s_year_of (connection),
                      NULL,
                      NULL,
                      NULL,
                      MHD_HTTP_OK);
    return true;
}
