/*  audit.h - the commands that read what billing and audit keep
    (audit.c).                                                          */
#ifndef AUDIT_H_INCLUDED
#define AUDIT_H_INCLUDED

#include "cli.h"

int audit_cmd_allocations (cli_opts_t *opts);
int audit_cmd_events (cli_opts_t *opts);
int audit_cmd_checkpoints (cli_opts_t *opts);
int audit_cmd_verify (cli_opts_t *opts);

#endif
