/*  webuser.c - web console accounts: each an actor of the registry with
    its key sealed by a one-time password printed once (yjc_webacct.h).
    Like `actor add`, it is the administrator's: whoever may write the
    key registry.                                                       */
#include "webuser.h"
#include "yjc_config.h"
#include "yjc_webacct.h"
#include <sodium.h>

static int
s_done (cli_opts_t *opts,
        const char *name,
        const char *password,
        const char *zh)
{
    if (opts->json)
        printf ("{\"name\": \"%s\", \"password\": \"%s\"}\n", name, password);
    else
        printf ("%s\n账号 %s 的一次性密码（只显示这一次；本人第一次登录时须改成"
                "自己的密码）：%s\n",
                zh,
                name,
                password);
    return 0;
}

//  web-user add NAME --role ROLE [--unit UNIT]
int
webuser_cmd_add (cli_opts_t *opts)
{
    if (sodium_init () < 0)
        return 1;
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char err[160], password[17];
    yjc_webacct_password (password);
    int rc = yjc_webacct_add (keys,
                              opts->args[0],
                              opts->role ? opts->role : "",
                              opts->unit,
                              password,
                              err,
                              sizeof err);
    yjc_keys_destroy (&keys);
    if (rc != 0) {
        fprintf (stderr, "无法创建网页账号：%s\n", err);
        return 1;
    }
    return s_done (opts,
                   opts->args[0],
                   password,
                   "已创建网页账号（同名身份及其密钥已登记）。");
}

//  web-user passwd NAME: a new one-time password and a new key pair.
int
webuser_cmd_passwd (cli_opts_t *opts)
{
    if (sodium_init () < 0)
        return 1;
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char err[160], password[17];
    yjc_webacct_password (password);
    int rc =
        yjc_webacct_passwd (keys, opts->args[0], password, err, sizeof err);
    yjc_keys_destroy (&keys);
    if (rc != 0) {
        fprintf (stderr, "无法重置密码：%s\n", err);
        return 1;
    }
    return s_done (opts, opts->args[0], password, "已重置密码，原密钥已作废。");
}

//  web-user disable NAME: its key leaves the registry.
int
webuser_cmd_disable (cli_opts_t *opts)
{
    yjc_keys_t *keys = yjc_keys_new (yjc_config (YJC_CFG_KEYS));
    char err[160];
    int rc = yjc_webacct_disable (keys, opts->args[0], err, sizeof err);
    yjc_keys_destroy (&keys);
    if (rc != 0) {
        fprintf (stderr, "无法停用账号：%s\n", err);
        return 1;
    }
    if (opts->json)
        printf ("{\"name\": \"%s\", \"disabled\": true}\n", opts->args[0]);
    else
        printf ("已停用网页账号 %s，其密钥已撤销。\n", opts->args[0]);
    return 0;
}
