/*  reclaim.h - the commands of a reclamation of idle resources (R11.3,
    reclaim.c): reclaim propose | object | approve | reject | show, and
    reclaims.                                                           */
#ifndef RECLAIM_H_INCLUDED
#define RECLAIM_H_INCLUDED

#include "cli.h"

int reclaim_cmd_propose (cli_opts_t *opts);
int reclaim_cmd_object (cli_opts_t *opts);
int reclaim_cmd_approve (cli_opts_t *opts);
int reclaim_cmd_reject (cli_opts_t *opts);
int reclaim_cmd_show (cli_opts_t *opts);
int reclaim_cmd_list (cli_opts_t *opts);

#endif
