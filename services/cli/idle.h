/*  idle.h - the idle rule and the idle candidates (R11.3).            */
#ifndef IDLE_H_INCLUDED
#define IDLE_H_INCLUDED

#include "cli.h"

int idle_cmd_rule_set (cli_opts_t *opts); //  idle-rule set --days ...
int idle_cmd_rule (cli_opts_t *opts);     //  idle-rule
int idle_cmd_list (cli_opts_t *opts);     //  idle

#endif
