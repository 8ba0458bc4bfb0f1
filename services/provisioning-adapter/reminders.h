/*  reminders.h - order.deadline_near / order.deadline_overdue.          */
#ifndef REMINDERS_H_INCLUDED
#define REMINDERS_H_INCLUDED

#include "yjc_server.h"

//  From the adapter's tick: every open order whose due day is the next
//  working day or past, said once (R10.1, R12.1, R13.1, R13.2).
yjc_result_t reminders_tick (yjc_ctx_t *ctx);

#endif
