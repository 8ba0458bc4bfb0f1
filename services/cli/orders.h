/*  orders.h - the commands of the vendor's orders (orders.c).        */
#ifndef ORDERS_H_INCLUDED
#define ORDERS_H_INCLUDED

#include "cli.h"

int orders_cmd_list (cli_opts_t *opts);
int orders_cmd_reorder (cli_opts_t *opts);

#endif
