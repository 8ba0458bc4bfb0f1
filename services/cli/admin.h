/*  admin.h - the commands that run the platform (admin.c).          */
#ifndef ADMIN_H_INCLUDED
#define ADMIN_H_INCLUDED

#include "cli.h"

int admin_cmd_status (cli_opts_t *opts);
int admin_cmd_keys_init (cli_opts_t *opts);
int admin_cmd_actor_add (cli_opts_t *opts);
int admin_cmd_actor_list (cli_opts_t *opts);

#endif
