/*  lifecycle.h - the commands of the unit's requests after approval,
    R10-R13 (lifecycle.c).                                              */
#ifndef LIFECYCLE_H_INCLUDED
#define LIFECYCLE_H_INCLUDED

#include "cli.h"

int lifecycle_cmd_extend (cli_opts_t *opts);
int lifecycle_cmd_golive (cli_opts_t *opts);
int lifecycle_cmd_change (cli_opts_t *opts);
int lifecycle_cmd_terminate (cli_opts_t *opts);
int lifecycle_cmd_renew (cli_opts_t *opts);
int lifecycle_cmd_emergency (cli_opts_t *opts);

#endif
