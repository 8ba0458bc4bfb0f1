/*  inspect.h - the commands of inspections, findings and enforcement
    (R18) and of the unit's security staff (R19), inspect.c:
    security-staff, inspect record, rectify, finding accept | return,
    findings, enforce, enforce lift.                                     */
#ifndef CLI_INSPECT_H_INCLUDED
#define CLI_INSPECT_H_INCLUDED

#include "cli.h"

int inspect_cmd_staff (cli_opts_t *opts);
int inspect_cmd_record (cli_opts_t *opts);
int inspect_cmd_rectify (cli_opts_t *opts);
int inspect_cmd_accept (cli_opts_t *opts);
int inspect_cmd_return (cli_opts_t *opts);
int inspect_cmd_list (cli_opts_t *opts);
int inspect_cmd_enforce (cli_opts_t *opts);
int inspect_cmd_lift (cli_opts_t *opts);

#endif
