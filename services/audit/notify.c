/*  notify.c - the inbox's one source: proto/yjc_notify.def says what each
    event tells whom; this turns the events of a delivery into their
    notifications, stored in the same transaction as the events.  No
    handler of any service writes a notification.                        */
#include "notify.h"
#include "yjc_rows.h"

//  Recipient bits of yjc_notify.def: a party each, and the one that owes
//  the step the event is about.
#define N_BUREAU (1u << YJC_PARTY_BUREAU)
#define N_UNIT   (1u << YJC_PARTY_UNIT)
#define N_VENDOR (1u << YJC_PARTY_VENDOR)
#define N_OWER   (1u << YJC_PARTY_COUNT)

typedef struct {
    int event;
    const char *kind; //  payload kind selecting the row (NULL: any)
    unsigned to;
    const char *title;
} s_notify_t;

static const s_notify_t s_table[] = {
#define NOTIFY(ev, kind, to, title) { YJC_EV_##ev, kind, to, title },
#include "../../proto/yjc_notify.def"
};

#define S_ROWS (sizeof s_table / sizeof *s_table)

//  Appends "；" (after the first) and a formatted fact to `out`.
static void
s_fact (char *out, size_t size, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    size_t used = strlen (out);
    if (used + 1 >= size)
        return;
    snprintf (out + used,
              size - used,
              "%s%s%s%s",
              used ? "；" : "",
              label,
              *label ? " " : "",
              value);
}

//  The payload's facts a clerk needs: the application, its project, the
//  kind's label, the step, its due date and rule.
static void
s_body (const yjc_event_in_t *ev, char *out, size_t size)
{
    const msgpack_object *p = ev->payload;
    char buf[2048], code[65], span[96];
    *out = 0;
    s_fact (out, size, "申请", ev->app_id);
    s_fact (out, size, "项目", yjc_obj_strcpy (p, "project", buf, sizeof buf));
    s_fact (out, size, "订单", yjc_obj_strcpy (p, "order_id", buf, sizeof buf));
    s_fact (out,
            size,
            "申请事项",
            yjc_obj_strcpy (p, "request_id", buf, sizeof buf));
    if (*yjc_obj_strcpy (p, "kind", code, sizeof code)) {
        const char *wire = yjc_event_defs[ev->type].wire;
        bool order = strncmp (wire, "order.", 6) == 0;
        s_fact (out,
                size,
                "类型",
                order ? yjc_order_zh (code) : yjc_request_zh (code));
    }
    //  the step: `what` (deadline.*) or `deadline` as a code
    //  (deadline.changed); elsewhere `deadline` is the date itself
    const char *due_key = "due";
    if (!*yjc_obj_strcpy (p, "what", code, sizeof code) &&
        yjc_deadline_by_code (
            yjc_obj_strcpy (p, "deadline", code, sizeof code)) < 0) {
        *code = 0;
        due_key = "deadline";
    }
    if (*code)
        s_fact (out, size, "事项", yjc_deadline_zh (code));
    char from[41], to[41];
    yjc_obj_strcpy (p, "from", from, sizeof from);
    yjc_obj_strcpy (p, "to", to, sizeof to);
    if (ev->type == YJC_EV_DEADLINE_CHANGED) {
        snprintf (span,
                  sizeof span,
                  "由 %s 调整为 %s",
                  *from ? from : "未定",
                  *to ? to : "未定");
        s_fact (out, size, "期限", span);
    }
    //  R14.1: the usage period, and the day its notice is due (R14.2)
    if (ev->type == YJC_EV_PERIOD_SCHEDULED ||
        ev->type == YJC_EV_APPLICATION_EXPIRED) {
        snprintf (span, sizeof span, "自 %s 至 %s", from, to);
        s_fact (out, size, "使用期限", span);
        s_fact (out,
                size,
                "到期通知日",
                yjc_obj_strcpy (p, "notice_due", buf, sizeof buf));
    }
    s_fact (out, size, "期限", yjc_obj_strcpy (p, due_key, buf, sizeof buf));
    s_fact (out, size, "延至", yjc_obj_strcpy (p, "until", buf, sizeof buf));
    s_fact (out,
            size,
            "数据保留至",
            yjc_obj_strcpy (p, "kept_until", buf, sizeof buf));
    //  R11.3 a reclamation: its id, the end of the objection window, the
    //  evidence and the unit's objection
    s_fact (out,
            size,
            "收回编号",
            yjc_obj_strcpy (p, "reclaim_id", buf, sizeof buf));
    s_fact (out,
            size,
            "异议期至",
            yjc_obj_strcpy (p, "window_end", buf, sizeof buf));
    s_fact (out, size, "依据", yjc_obj_strcpy (p, "evidence", buf, sizeof buf));
    s_fact (out,
            size,
            "单位异议",
            yjc_obj_strcpy (p, "objection", buf, sizeof buf));
    s_fact (out, size, "意见", yjc_obj_strcpy (p, "opinion", buf, sizeof buf));
    //  R15 a problem report: its id, severity, the text and the vendor's note
    s_fact (
        out, size, "问题", yjc_obj_strcpy (p, "problem_id", buf, sizeof buf));
    if (*yjc_obj_strcpy (p, "severity", code, sizeof code))
        s_fact (out,
                size,
                "严重程度",
                yjc_value_zh ("severity", code, strlen (code)));
    if (ev->type == YJC_EV_PROBLEM_REPORTED)
        s_fact (out, size, "描述", yjc_obj_strcpy (p, "text", buf, sizeof buf));
    s_fact (out, size, "处理说明", yjc_obj_strcpy (p, "note", buf, sizeof buf));
    if (!*yjc_obj_strcpy (p, "rule", buf, sizeof buf))
        yjc_obj_strcpy (p, "deadline_rule", buf, sizeof buf);
    s_fact (out, size, "依据", buf);
}

//  The party that owes the step: payload owed_by, else the party of the
//  deadline the payload names; -1 when none.
static int
s_ower (const msgpack_object *payload)
{
    char code[65];
    int party = yjc_party_by_code (
        yjc_obj_strcpy (payload, "owed_by", code, sizeof code));
    if (party >= 0)
        return party;
    int dl = yjc_deadline_by_code (
        yjc_obj_strcpy (payload, "what", code, sizeof code));
    if (dl < 0)
        dl = yjc_deadline_by_code (
            yjc_obj_strcpy (payload, "deadline", code, sizeof code));
    return dl >= 0 ? (int)yjc_deadlines[dl].party : -1;
}

//  Every recipient party of `ev` (a bit each), and the first matching
//  row's title.
static unsigned
s_recipients (const yjc_event_in_t *ev, const char **title)
{
    char kind[65];
    yjc_obj_strcpy (ev->payload, "kind", kind, sizeof kind);
    unsigned to = 0;
    *title = NULL;
    for (size_t i = 0; i < S_ROWS; i++) {
        const s_notify_t *n = &s_table[i];
        if (n->event != ev->type || (n->kind && !streq (n->kind, kind)))
            continue;
        if (!*title)
            *title = n->title;
        to |= n->to & ~N_OWER;
        if (n->to & N_OWER) {
            int party = s_ower (ev->payload);
            if (party >= 0)
                to |= 1u << party;
        }
    }
    return to;
}

yjc_result_t
notify_derive (yjc_ctx_t *ctx, const yjc_event_in_t *events, int count)
{
    yjc_rows_t *rows = yjc_rows_new (7);
    char body[4096], unit[129];
    for (int i = 0; i < count; i++) {
        const yjc_event_in_t *ev = &events[i];
        const char *title;
        unsigned to = s_recipients (ev, &title);
        if (!to)
            continue;
        s_body (ev, body, sizeof body);
        yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
        for (int party = 0; party < YJC_PARTY_COUNT; party++) {
            if (!(to & (1u << party)))
                continue;
            bool to_unit = party == YJC_PARTY_UNIT;
            if (to_unit && !*unit) {
                yjc_ctx_log_app (ctx,
                                 ev->app_id,
                                 YJC_LOG_WARNING,
                                 "%s %s: no unit to notify",
                                 yjc_event_defs[ev->type].wire,
                                 ev->event_id);
                continue;
            }
            const char *texts[] = { ev->event_id,
                                    yjc_parties[party].code,
                                    to_unit ? unit : NULL,
                                    *ev->app_id ? ev->app_id : NULL,
                                    yjc_event_defs[ev->type].wire,
                                    title,
                                    body };
            yjc_rows_add (rows, texts, "", 0);
        }
    }
    if (yjc_rows_count (rows) == 0) {
        yjc_rows_destroy (&rows);
        return YJC_OK;
    }
    //  nobody waits for it: out with the next statement (issue 14)
    const char *extra[] = { ctx->now_iso };
    int queued = yjc_rows_exec_later (
        rows,
        ctx->db,
        "INSERT INTO notifications (event_id, recipient, unit, app_id, type,"
        " title, body, created_at)"
        " SELECT e, r, u, a, t, ti, b, $9::timestamptz FROM unnest($1::text[],"
        " $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
        " $7::text[], $8::bytea[]) WITH ORDINALITY AS x (e, r, u, a, t, ti, b,"
        " p, n) ORDER BY n ON CONFLICT (event_id, recipient) DO NOTHING",
        1,
        extra);
    yjc_rows_destroy (&rows);
    return queued == 0 ? YJC_OK : YJC_DB_ERROR;
}
