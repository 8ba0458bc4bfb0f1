/*  webuser.h - web console accounts (issue 16): yjcloud web-user.      */
#ifndef WEBUSER_H_INCLUDED
#define WEBUSER_H_INCLUDED

#include "cli.h"

int webuser_cmd_add (cli_opts_t *opts);
int webuser_cmd_passwd (cli_opts_t *opts);
int webuser_cmd_disable (cli_opts_t *opts);

#endif
