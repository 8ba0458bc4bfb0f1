/*  reminders.h - deadline.near / deadline.overdue for review's steps.  */
#ifndef REMINDERS_H_INCLUDED
#define REMINDERS_H_INCLUDED

#include "yjc_server.h"

//  The tick: the steps whose due day is the next working day or past,
//  each said once.
yjc_result_t reminders_tick (yjc_ctx_t *ctx);

#endif
