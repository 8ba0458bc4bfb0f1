/*  yjc_lifecycle.c - the tables of proto/yjc_lifecycle.def, their
    lookups, and the SQL functions the schemas' CHECKs call.  Nothing here
    is written by hand but the lookups: every row comes from the .def.  */
#include "yjc_lifecycle.h"
#include "yjc_test.h"
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ST(ident) YJC_STATE_BIT (YJC_STATE_##ident)

const yjc_label_t yjc_parties[YJC_PARTY_COUNT] = {
#define PARTY(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_state_def_t yjc_states[YJC_STATE_COUNT] = {
#define STATE(ident, code, rank, zh) { code, rank, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_deadline_def_t yjc_deadlines[YJC_DL_COUNT] = {
#define DEADLINE(ident, code, count, unit, party, rule, zh)                    \
    { code, count, unit, YJC_PARTY_##party, rule, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_request_def_t yjc_requests[YJC_REQ_COUNT] = {
#define REQUEST(ident, kind, msg, states, deadline, zh)                        \
    { kind, YJC_MSG_##msg, states, YJC_DL_##deadline, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_label_t yjc_intervals[YJC_IV_COUNT] = {
#define INTERVAL(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_order_def_t yjc_orders[YJC_ORDER_COUNT] = {
#define ORDER(ident, kind, deadline, state, interval, zh)                      \
    { kind, YJC_DL_##deadline, YJC_STATE_##state, YJC_IV_##interval, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_label_t yjc_request_states[YJC_RQS_COUNT] = {
#define REQUEST_STATE(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_label_t yjc_order_states[YJC_OS_COUNT] = {
#define ORDER_STATE(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_label_t yjc_duty_ends[YJC_DUTY_END_COUNT] = {
#define DUTY_END(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_label_t yjc_reclaim_states[YJC_RCS_COUNT] = {
#define RECLAIM_STATE(ident, code, zh) { code, zh },
#include "../proto/yjc_lifecycle.def"
};

const yjc_move_def_t yjc_moves[] = {
#define MOVE(event, kind, state) { YJC_EV_##event, kind, YJC_STATE_##state },
#include "../proto/yjc_lifecycle.def"
};
const size_t yjc_move_count = sizeof yjc_moves / sizeof *yjc_moves;

const yjc_action_def_t yjc_actions[] = {
#define ACTION(msg, from, to, event, opinion)                                  \
    { YJC_MSG_##msg,                                                           \
      YJC_STATE_##from,                                                        \
      YJC_STATE_##to,                                                          \
      YJC_EV_##event,                                                          \
      opinion },
#include "../proto/yjc_lifecycle.def"
};
const size_t yjc_action_count = sizeof yjc_actions / sizeof *yjc_actions;

static bool
s_eq (const char *a, const char *b)
{
    return a && b && strcmp (a, b) == 0;
}

//  The index of `code` in a table of rows whose first member is a code.
#define S_FIND(table, count, field, code)                                      \
    do {                                                                       \
        for (int i_ = 0; i_ < (int)(count); i_++)                              \
            if (s_eq ((table)[i_].field, (code)))                              \
                return i_;                                                     \
        return -1;                                                             \
    } while (0)

int
yjc_state_by_code (const char *code)
{
    S_FIND (yjc_states, YJC_STATE_COUNT, code, code);
}

int
yjc_deadline_by_code (const char *code)
{
    S_FIND (yjc_deadlines, YJC_DL_COUNT, code, code);
}

int
yjc_request_by_kind (const char *kind)
{
    S_FIND (yjc_requests, YJC_REQ_COUNT, kind, kind);
}

int
yjc_order_by_kind (const char *kind)
{
    S_FIND (yjc_orders, YJC_ORDER_COUNT, kind, kind);
}

int
yjc_party_by_code (const char *code)
{
    S_FIND (yjc_parties, YJC_PARTY_COUNT, code, code);
}

int
yjc_request_by_msg (int msg)
{
    for (int i = 0; i < YJC_REQ_COUNT; i++)
        if (yjc_requests[i].msg == msg)
            return i;
    return -1;
}

const char *
yjc_state_code (yjc_state_t state)
{
    return state >= 0 && state < YJC_STATE_COUNT ? yjc_states[state].code
                                                 : NULL;
}

bool
yjc_request_allowed (yjc_request_kind_t kind, const char *state)
{
    int s = yjc_state_by_code (state);
    return kind >= 0 && kind < YJC_REQ_COUNT && s >= 0 &&
           (yjc_requests[kind].states & YJC_STATE_BIT (s));
}

yjc_state_t
yjc_move (int event, const char *kind)
{
    for (size_t i = 0; i < yjc_move_count; i++)
        if (yjc_moves[i].event == event &&
            (!yjc_moves[i].kind || s_eq (yjc_moves[i].kind, kind)))
            return yjc_moves[i].to;
    return YJC_STATE_NONE;
}

const yjc_action_def_t *
yjc_action (int msg, const char *state)
{
    int s = yjc_state_by_code (state);
    for (size_t i = 0; i < yjc_action_count; i++)
        if (yjc_actions[i].msg == msg && (int)yjc_actions[i].from == s)
            return &yjc_actions[i];
    return NULL;
}

const yjc_action_def_t *
yjc_action_any (int msg)
{
    for (size_t i = 0; i < yjc_action_count; i++)
        if (yjc_actions[i].msg == msg)
            return &yjc_actions[i];
    return NULL;
}

bool
yjc_state_ended (yjc_state_t state)
{
    return state == YJC_STATE_DECLINED || state == YJC_STATE_REJECTED ||
           state == YJC_STATE_WITHDRAWN || state == YJC_STATE_TERMINATED ||
           state == YJC_STATE_OFFLINE || state == YJC_STATE_PURGED;
}

static const char *
s_label (const yjc_label_t *table, int count, const char *code)
{
    for (int i = 0; i < count; i++)
        if (s_eq (table[i].code, code))
            return table[i].zh;
    return code ? code : "";
}

const char *
yjc_state_zh (const char *code)
{
    int i = yjc_state_by_code (code);
    return i >= 0 ? yjc_states[i].zh : (code ? code : "");
}

const char *
yjc_request_zh (const char *kind)
{
    int i = yjc_request_by_kind (kind);
    return i >= 0 ? yjc_requests[i].zh : (kind ? kind : "");
}

const char *
yjc_order_zh (const char *kind)
{
    int i = yjc_order_by_kind (kind);
    return i >= 0 ? yjc_orders[i].zh : (kind ? kind : "");
}

const char *
yjc_deadline_zh (const char *code)
{
    int i = yjc_deadline_by_code (code);
    return i >= 0 ? yjc_deadlines[i].zh : (code ? code : "");
}

const char *
yjc_party_zh (const char *code)
{
    return s_label (yjc_parties, YJC_PARTY_COUNT, code);
}

const char *
yjc_interval_zh (const char *code)
{
    return s_label (yjc_intervals, YJC_IV_COUNT, code);
}

const char *
yjc_request_state_zh (const char *code)
{
    return s_label (yjc_request_states, YJC_RQS_COUNT, code);
}

const char *
yjc_order_state_zh (const char *code)
{
    return s_label (yjc_order_states, YJC_OS_COUNT, code);
}

const char *
yjc_reclaim_state_zh (const char *code)
{
    return s_label (yjc_reclaim_states, YJC_RCS_COUNT, code);
}

//  Each list's codes as SQL literals, every one followed by a comma.
static const char s_sql_states[] =
#define STATE(ident, code, rank, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_deadlines[] =
#define DEADLINE(ident, code, count, unit, party, rule, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_requests[] =
#define REQUEST(ident, kind, msg, states, deadline, zh) "'" kind "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_orders[] =
#define ORDER(ident, kind, deadline, state, interval, zh) "'" kind "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_parties[] =
#define PARTY(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_intervals[] =
#define INTERVAL(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_request_states[] =
#define REQUEST_STATE(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_order_states[] =
#define ORDER_STATE(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_duty_ends[] =
#define DUTY_END(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";
static const char s_sql_reclaim_states[] =
#define RECLAIM_STATE(ident, code, zh) "'" code "',"
#include "../proto/yjc_lifecycle.def"
    "";

static char s_sql[8192];
static pthread_once_t s_sql_once = PTHREAD_ONCE_INIT;

//  yjc_is_NAME(text): true for a listed code, false for any other text
//  (array_remove drops the NULL that closes the list).  PL/pgSQL, not SQL:
//  a CHECK calling an SQL function inlines it when each statement starts,
//  parsing its text again every time (about 100 µs an INSERT, issue 14);
//  PL/pgSQL is compiled once per connection.
static void
s_sql_build (void)
{
    static const struct {
        const char *name;
        const char *list;
    } lists[] = {
        { "state", s_sql_states },
        { "deadline", s_sql_deadlines },
        { "request_kind", s_sql_requests },
        { "order_kind", s_sql_orders },
        { "party", s_sql_parties },
        { "interval", s_sql_intervals },
        { "request_state", s_sql_request_states },
        { "order_state", s_sql_order_states },
        { "duty_end", s_sql_duty_ends },
        { "reclaim_state", s_sql_reclaim_states },
    };
    size_t used = 0;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        used += (size_t)snprintf (
            s_sql + used,
            sizeof s_sql - used,
            "CREATE OR REPLACE FUNCTION yjc_is_%s(text) RETURNS boolean"
            " LANGUAGE plpgsql IMMUTABLE STRICT AS $$ BEGIN RETURN $1 = ANY"
            " (array_remove(ARRAY[%sNULL]::text[], NULL)); END $$;\n",
            lists[i].name,
            lists[i].list);
    //  every id of the platform: a letter and at least six digits
    snprintf (s_sql + used,
              sizeof s_sql - used,
              "CREATE OR REPLACE FUNCTION yjc_new_id(prefix text,"
              " seq regclass) RETURNS text LANGUAGE plpgsql VOLATILE AS $$"
              " DECLARE n bigint := nextval(seq); BEGIN"
              " RETURN prefix || lpad(n::text, greatest(6,"
              " length(n::text)), '0'); END $$;\n");
    assert (strlen (s_sql) < sizeof s_sql - 1);
}

const char *
yjc_lifecycle_sql (void)
{
    pthread_once (&s_sql_once, s_sql_build);
    return s_sql;
}

void
yjc_lifecycle_test (yjc_test_t *t)
{
    //  every code is listed once per list
    for (int i = 0; i < YJC_STATE_COUNT; i++)
        YJC_CHECK (t, yjc_state_by_code (yjc_states[i].code) == i);
    for (int i = 0; i < YJC_DL_COUNT; i++) {
        YJC_CHECK (t, yjc_deadline_by_code (yjc_deadlines[i].code) == i);
        YJC_CHECK (t, strchr ("wdmscn", yjc_deadlines[i].unit) != NULL);
        //  a counted deadline names its rule with its R-number
        YJC_CHECK (t,
                   yjc_deadlines[i].unit == 'n' ||
                       strncmp (yjc_deadlines[i].rule, "R", 1) == 0);
    }
    for (int i = 0; i < YJC_REQ_COUNT; i++) {
        YJC_CHECK (t, yjc_request_by_kind (yjc_requests[i].kind) == i);
        YJC_CHECK (t, yjc_request_by_msg (yjc_requests[i].msg) == i);
        YJC_CHECK (t, yjc_requests[i].states != 0);
        YJC_CHECK (t, yjc_requests[i].decide >= 0);
    }
    for (int i = 0; i < YJC_ORDER_COUNT; i++)
        YJC_CHECK (t, yjc_order_by_kind (yjc_orders[i].kind) == i);
    //  the ranks never go back along the way an application moves
    YJC_CHECK (t,
               yjc_states[YJC_STATE_TESTING].rank >
                   yjc_states[YJC_STATE_ORDERED].rank);
    YJC_CHECK (t,
               yjc_states[YJC_STATE_PURGED].rank >
                   yjc_states[YJC_STATE_TERMINATED].rank);
    for (size_t i = 0; i < yjc_move_count; i++)
        YJC_CHECK (t, yjc_moves[i].to >= 0);
    //  R14.4: production -> expired -> offline (ended) -> purged, never
    //  back
    YJC_CHECK (t,
               yjc_states[YJC_STATE_EXPIRED].rank >
                   yjc_states[YJC_STATE_PRODUCTION].rank);
    YJC_CHECK (t,
               yjc_states[YJC_STATE_OFFLINE].rank >
                       yjc_states[YJC_STATE_EXPIRED].rank &&
                   yjc_states[YJC_STATE_PURGED].rank >
                       yjc_states[YJC_STATE_OFFLINE].rank);
    YJC_CHECK (t, yjc_state_ended (YJC_STATE_OFFLINE));
    YJC_CHECK (t, !yjc_state_ended (YJC_STATE_EXPIRED));
    //  every rule fits an event's deadline_rule (ev_order: 64 bytes)
    for (int i = 0; i < YJC_DL_COUNT; i++)
        YJC_CHECK (t, strlen (yjc_deadlines[i].rule) <= 64);
    //  R9.1: accepted from submitted; a decline carries an opinion
    const yjc_action_def_t *a = yjc_action (YJC_MSG_REVIEW_ACCEPT, "submitted");
    YJC_CHECK (t, a && a->to == YJC_STATE_ACCEPTED);
    YJC_CHECK (t, yjc_action (YJC_MSG_REVIEW_ACCEPT, "accepted") == NULL);
    a = yjc_action (YJC_MSG_REVIEW_DECLINE, "submitted");
    YJC_CHECK (t, a && a->needs_opinion);
    YJC_CHECK (
        t, yjc_move (YJC_EV_ORDER_COMPLETED, "test_env") == YJC_STATE_TESTING);
    YJC_CHECK (t,
               yjc_move (YJC_EV_ORDER_COMPLETED, "change") == YJC_STATE_NONE);
    YJC_CHECK (
        t, yjc_move (YJC_EV_APPLICATION_ACCEPTED, "x") == YJC_STATE_ACCEPTED);
    //  R13.1 termination allowed while testing and in production only
    YJC_CHECK (t, yjc_request_allowed (YJC_REQ_TERMINATE, "testing"));
    YJC_CHECK (t, yjc_request_allowed (YJC_REQ_TERMINATE, "production"));
    YJC_CHECK (t, !yjc_request_allowed (YJC_REQ_TERMINATE, "approved"));
    YJC_CHECK (t, !yjc_request_allowed (YJC_REQ_CHANGE, "nonsense"));
    //  one table per vocabulary: "rejected" is 审核未通过 for an
    //  application and 不同意 for a request
    YJC_CHECK (t, strcmp (yjc_state_zh ("rejected"), "审核未通过") == 0);
    YJC_CHECK (t, strcmp (yjc_request_state_zh ("rejected"), "不同意") == 0);
    YJC_CHECK (t, strcmp (yjc_request_zh ("extend_test"), "延长测试期") == 0);
    YJC_CHECK (t, strcmp (yjc_state_zh ("unknown"), "unknown") == 0);
    //  the SQL names every state and closes each list without a NULL
    //  member
    YJC_CHECK (t, strstr (yjc_lifecycle_sql (), "'provision_failed',") != NULL);
    YJC_CHECK (t, strstr (yjc_lifecycle_sql (), "'decide_request',") != NULL);
    YJC_CHECK (t, strstr (yjc_lifecycle_sql (), "yjc_is_order_state") != NULL);
}
