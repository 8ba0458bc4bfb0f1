/*  yjc_lifecycle.h - the application's lifecycle as data, expanded from
    proto/yjc_lifecycle.def: states, requests, orders, deadlines, parties,
    billing intervals, what each event moves, the decisions on an
    application.  Every service and the CLI reads these tables; none
    spells a state or a rule of its own.                                 */
#ifndef YJC_LIFECYCLE_H_INCLUDED
#define YJC_LIFECYCLE_H_INCLUDED

#include "yjc_proto.h"
#include "yjc_test.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum {
#define PARTY(ident, code, zh) YJC_PARTY_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_PARTY_COUNT
} yjc_party_t;

typedef enum {
    YJC_STATE_NONE = -1, //  unchanged
#define STATE(ident, code, rank, zh) YJC_STATE_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_STATE_COUNT
} yjc_state_t;

typedef enum {
    YJC_DL_NONE = -1,
#define DEADLINE(ident, code, count, unit, party, rule, zh) YJC_DL_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_DL_COUNT
} yjc_deadline_t;

typedef enum {
#define REQUEST(ident, kind, msg, states, deadline, zh) YJC_REQ_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_REQ_COUNT
} yjc_request_kind_t;

typedef enum {
#define INTERVAL(ident, code, zh) YJC_IV_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_IV_COUNT,
    YJC_IV_NONE = -1,  //  opens no interval
    YJC_IV_CLOSE = -2, //  closes the open one
} yjc_interval_t;

typedef enum {
#define ORDER(ident, kind, deadline, state, interval, zh) YJC_ORDER_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_ORDER_COUNT
} yjc_order_kind_t;

typedef enum {
#define REQUEST_STATE(ident, code, zh) YJC_RQS_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_RQS_COUNT
} yjc_request_state_t;

typedef enum {
#define ORDER_STATE(ident, code, zh) YJC_OS_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_OS_COUNT
} yjc_order_state_t;

typedef enum {
#define DUTY_END(ident, code, zh) YJC_DUTY_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_DUTY_END_COUNT
} yjc_duty_end_t;

typedef enum {
#define RECLAIM_STATE(ident, code, zh) YJC_RCS_##ident,
#include "../proto/yjc_lifecycle.def"
    YJC_RCS_COUNT
} yjc_reclaim_state_t;

//  One code with its Chinese label (parties, intervals, request and
//  order states, duty ends).
typedef struct {
    const char *code;
    const char *zh;
} yjc_label_t;

typedef struct {
    const char *code;
    int rank; //  never moved back to a lower rank
    const char *zh;
} yjc_state_def_t;

typedef struct {
    const char *code;
    int count;         //  how many units
    char unit;         //  'w' 'd' 'm' 's' 'c' 'n' (proto/yjc_lifecycle.def)
    yjc_party_t party; //  who owes it
    const char *rule;  //  the rule text with its R-number
    const char *zh;    //  the step, as a clerk names it
} yjc_deadline_def_t;

typedef struct {
    const char *kind;
    int msg;               //  the unit's message that files it
    unsigned states;       //  YJC_STATE_BIT of each state allowing it
    yjc_deadline_t decide; //  the bureau's deadline
    const char *zh;
} yjc_request_def_t;

typedef struct {
    const char *kind;
    yjc_deadline_t deadline; //  the vendor's
    yjc_state_t done_state;  //  once done (YJC_STATE_NONE: unchanged)
    yjc_interval_t interval; //  billing, once done
    const char *zh;
} yjc_order_def_t;

typedef struct {
    int event;
    const char *kind; //  payload kind selecting the row (NULL: any)
    yjc_state_t to;
} yjc_move_def_t;

typedef struct {
    int msg;
    yjc_state_t from;
    yjc_state_t to;
    int event;
    bool needs_opinion; //  R9.1: a decline carries an opinion
} yjc_action_def_t;

#define YJC_STATE_BIT(s) (1u << (unsigned)(s))

extern const yjc_label_t yjc_parties[YJC_PARTY_COUNT];
extern const yjc_state_def_t yjc_states[YJC_STATE_COUNT];
extern const yjc_deadline_def_t yjc_deadlines[YJC_DL_COUNT];
extern const yjc_request_def_t yjc_requests[YJC_REQ_COUNT];
extern const yjc_label_t yjc_intervals[YJC_IV_COUNT];
extern const yjc_order_def_t yjc_orders[YJC_ORDER_COUNT];
extern const yjc_label_t yjc_request_states[YJC_RQS_COUNT];
extern const yjc_label_t yjc_order_states[YJC_OS_COUNT];
extern const yjc_label_t yjc_duty_ends[YJC_DUTY_END_COUNT];
extern const yjc_label_t yjc_reclaim_states[YJC_RCS_COUNT];
extern const yjc_move_def_t yjc_moves[];
extern const size_t yjc_move_count;
extern const yjc_action_def_t yjc_actions[];
extern const size_t yjc_action_count;

//  Lookups by wire code: the index, or -1 when the code is not listed.
int yjc_state_by_code (const char *code);
int yjc_deadline_by_code (const char *code);
int yjc_request_by_kind (const char *kind);
int yjc_request_by_msg (int msg);
int yjc_order_by_kind (const char *kind);
int yjc_party_by_code (const char *code);

//  The code of a state, or NULL for YJC_STATE_NONE.
const char *yjc_state_code (yjc_state_t state);

//  True when `state` (a code) allows the request `kind`.
bool yjc_request_allowed (yjc_request_kind_t kind, const char *state);

//  The state an event moves an application to: the row of yjc_moves for
//  its type and payload kind, or YJC_STATE_NONE.
yjc_state_t yjc_move (int event, const char *kind);

//  The decision `msg` on an application in `state`: the row, or NULL
//  when the state does not allow it.  `any` finds the first row of the
//  message whatever the state.
const yjc_action_def_t *yjc_action (int msg, const char *state);
const yjc_action_def_t *yjc_action_any (int msg);

//  True for an ended application (declined, rejected, withdrawn,
//  terminated or purged): the duties still open on it close.
bool yjc_state_ended (yjc_state_t state);

//  Label lookups for the CLI: the Chinese of a code in one table, or the
//  code itself when it is not listed.
const char *yjc_state_zh (const char *code);
const char *yjc_request_zh (const char *kind);
const char *yjc_order_zh (const char *kind);
const char *yjc_deadline_zh (const char *code);
const char *yjc_party_zh (const char *code);
const char *yjc_interval_zh (const char *code);
const char *yjc_request_state_zh (const char *code);
const char *yjc_order_state_zh (const char *code);
const char *yjc_reclaim_state_zh (const char *code);

//  The SQL that (re)defines, in the current schema, the functions the
//  CHECK constraints call (yjc_is_state(text) …) and yjc_new_id(prefix,
//  sequence): run before a service's migrations, so every schema's
//  constraints follow this list.  Static text; never NULL.
const char *yjc_lifecycle_sql (void);

void yjc_lifecycle_test (yjc_test_t *t);

#endif
