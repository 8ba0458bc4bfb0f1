/*  elastic.h - R11.2: the bureau's elastic ranges (elastic.c).         */
#ifndef ELASTIC_H_INCLUDED
#define ELASTIC_H_INCLUDED

#include "cli.h"

//  elastic APP --hosts 4c/8G:2-6 … --bandwidth 10-50 --storage 1-8
int elastic_cmd_set (cli_opts_t *opts);
//  The ranges in force of review.get's "elastic", for show.
void elastic_print (const msgpack_object *review);

#endif
