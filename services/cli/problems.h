/*  problems.h - R15: the unit's problem reports (problems.c).         */
#ifndef PROBLEMS_H_INCLUDED
#define PROBLEMS_H_INCLUDED

#include "cli.h"

int problems_cmd_report (cli_opts_t *opts);
int problems_cmd_list (cli_opts_t *opts);

#endif
