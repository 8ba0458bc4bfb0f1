/*  rating.h - R17: prices and the annual statement (rating.c).          */
#ifndef RATING_H_INCLUDED
#define RATING_H_INCLUDED

#include "cli.h"

int rating_cmd_publish (cli_opts_t *opts);
int rating_cmd_prices (cli_opts_t *opts);
int rating_cmd_statement (cli_opts_t *opts);

#endif
