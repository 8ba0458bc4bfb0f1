/*  utilization.h - R16: the quarterly utilization table.               */
#ifndef UTILIZATION_H_INCLUDED
#define UTILIZATION_H_INCLUDED

#include "cli.h"

int utilization_cmd (cli_opts_t *opts); //  utilization APP|UNIT --quarter Q

#endif
