/*  attachment.h - the commands of one material (attachment.c).     */
#ifndef ATTACHMENT_H_INCLUDED
#define ATTACHMENT_H_INCLUDED

#include "cli.h"

int attachment_cmd_put (cli_opts_t *opts);
int attachment_cmd_get (cli_opts_t *opts);

#endif
