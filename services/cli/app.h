/*  app.h - the commands of the application (app.c): its empty form,
    its submission, the list, one shown whole.                          */
#ifndef APP_H_INCLUDED
#define APP_H_INCLUDED

#include "cli.h"

int app_cmd_form_template (cli_opts_t *opts);
int app_cmd_apply (cli_opts_t *opts);
int app_cmd_list (cli_opts_t *opts);
int app_cmd_show (cli_opts_t *opts);

#endif
