/*  decide.h - the commands that decide (decide.c): on an application,
    and on a request after approval.                                    */
#ifndef DECIDE_H_INCLUDED
#define DECIDE_H_INCLUDED

#include "cli.h"

int decide_cmd_accept (cli_opts_t *opts);
int decide_cmd_decline (cli_opts_t *opts);
int decide_cmd_approve (cli_opts_t *opts);
int decide_cmd_reject (cli_opts_t *opts);
int decide_cmd_withdraw (cli_opts_t *opts);
int decide_cmd_expire (cli_opts_t *opts);
int decide_cmd_request_approve (cli_opts_t *opts);
int decide_cmd_request_reject (cli_opts_t *opts);

#endif
