/*  attachment.c - one material (R8) uploaded alone, or downloaded and
    checked by its SHA-256 (the transfer itself is files.c).            */
#include "attachment.h"

static void
s_print_file_json (const files_info_t *info)
{
    printf ("{\"att_id\": \"%s\", \"size\": %lld, \"sha256\": \"%s\"}\n",
            info->att_id,
            (long long)info->size,
            info->sha256);
}

//  attachment put FILE: a material uploaded alone (for a later step).
int
attachment_cmd_put (cli_opts_t *opts)
{
    cli_session_t session;
    if (cli_session_open (&session, opts, YJC_SVC_INTAKE) != 0)
        return 1;
    files_info_t info;
    int rc = cli_upload (&session, opts, opts->args[0], "", &info);
    if (rc == 0 && opts->json)
        s_print_file_json (&info);
    cli_session_close (&session);
    return rc;
}

//  attachment get ATT [--out FILE]: downloaded and checked by its SHA-256.
int
attachment_cmd_get (cli_opts_t *opts)
{
    cli_session_t session;
    if (cli_session_open (&session, opts, YJC_SVC_INTAKE) != 0)
        return 1;
    files_info_t info;
    int rc = files_download (session.client,
                             opts->timeout_ms,
                             opts->args[0],
                             opts->out,
                             &info,
                             &session.reply);
    if (rc == 1)
        cli_print_error (opts, &session.reply);
    else if (rc == 3)
        cli_print_no_reply (session.client, opts, YJC_SVC_INTAKE, NULL);
    else if (rc == 0 && opts->json)
        s_print_file_json (&info);
    else if (rc == 0)
        printf ("已下载附件 %s：%lld 字节，SHA-256 %s 校验一致\n",
                info.att_id,
                (long long)info.size,
                info.sha256);
    cli_session_close (&session);
    return rc;
}
