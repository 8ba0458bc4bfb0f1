/*  compliance.h - `yjcloud compliance --year Y [--json|--csv]`: the
    vendor's recurring obligations (R16, R21) and the SLA of every
    deadline rule (compliance.c).                                       */
#ifndef COMPLIANCE_H_INCLUDED
#define COMPLIANCE_H_INCLUDED

#include "cli.h"

int compliance_cmd (cli_opts_t *opts);

#endif
