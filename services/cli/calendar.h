/*  calendar.h - the commands of the working calendar (calendar.c).  */
#ifndef CALENDAR_H_INCLUDED
#define CALENDAR_H_INCLUDED

#include "cli.h"

int calendar_cmd_workdays (cli_opts_t *opts);
int calendar_cmd_period (cli_opts_t *opts);
int calendar_cmd_is_workday (cli_opts_t *opts);
int calendar_cmd_show (cli_opts_t *opts);
int calendar_cmd_publish (cli_opts_t *opts);

#endif
