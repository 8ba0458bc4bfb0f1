/*  inbox.h - the commands of the inbox (inbox.c).                    */
#ifndef INBOX_H_INCLUDED
#define INBOX_H_INCLUDED

#include "cli.h"

int inbox_cmd_list (cli_opts_t *opts);
int inbox_cmd_read (cli_opts_t *opts);

#endif
