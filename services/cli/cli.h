/*  cli.h - what the commands of yjcloud share: the options, a session
    with one service, the calls, and how replies are shown.  The commands
    are rows of the table in yjcloud.c; those of the lifecycle after
    approval (R10-R13) live in lifecycle.c.                              */
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include "files.h"
#include "table.h"
#include "yjc_client.h"
#include "yjc_config.h"
#include "yjc_json.h"
#include "yjc_lifecycle.h"

typedef struct {
    const char *as; //  actor name
    bool json;      //  one JSON object on stdout
    int timeout_ms;
    const char *opinion;    //  --opinion
    const char *role;       //  --role
    const char *unit;       //  --unit
    const char *state;      //  --state
    const char *app;        //  --app
    bool overdue;           //  --overdue
    const char *grant;      //  --grant GRANT.json
    int64_t year;           //  --year
    int64_t after, limit;   //  --after, --limit
    const char *attach[32]; //  --attach KIND=FILE, for apply
    int nattach;
    const char *out; //  --out FILE, for attachment get
    //  the lifecycle after approval (lifecycle.c)
    const char *until, *reason;                    //  --until, --reason
    const char *function, *performance, *security; //  go-live results
    const char *report, *lab, *cnas;               //  R10.3 third-party report
    bool major, offline_confirmed; //  --major, --offline-confirmed
    const char *emergency;         //  --emergency ORDER
    const char *data;              //  --data backed_up|migrated
    char **args;                   //  positional arguments after the command
    int nargs;
} cli_opts_t;

typedef int (cli_command_fn) (cli_opts_t *opts);

typedef struct {
    yjc_keys_t *keys;
    zcert_t *cert;
    yjc_client_t *client;
    yjc_reply_t reply;
} cli_session_t;

//  Output: one JSON object; a step of the history in Chinese (a state,
//  or "event:kind" for a step that moves none); "label value" when set.
void cli_print_json (const msgpack_object *obj);
const char *cli_history_zh (const char *state);
void cli_line (const char *label, const msgpack_object *obj, const char *key);
int cli_print_error (cli_opts_t *opts, const yjc_reply_t *reply);

//  A session with one service as the --as actor: 0, or -1 (said why).
int cli_session_open (cli_session_t *self, cli_opts_t *opts, int service);
void cli_session_close (cli_session_t *self);
//  One request; the ok body, or NULL after printing why not.
const msgpack_object *cli_session_call (cli_session_t *self,
                                        cli_opts_t *opts,
                                        int service,
                                        const char *type,
                                        yjc_pack_t *body);
//  Opens the session and calls (close it whatever the result).
const msgpack_object *cli_call (cli_session_t *self,
                                cli_opts_t *opts,
                                int service,
                                const char *type,
                                yjc_pack_t *body);
//  Calls, prints --json output if asked; *done when nothing is left to show.
const msgpack_object *cli_call_body (cli_session_t *session,
                                     cli_opts_t *opts,
                                     int service,
                                     const char *type,
                                     yjc_pack_t *body,
                                     bool *done);
void cli_pack_app (yjc_pack_t *body, const char *app_id, const char *opinion);
//  --grant GRANT.json packed as "granted" (nothing without it): 0 or 2.
int cli_pack_grant (cli_opts_t *opts, yjc_pack_t *body);
//  Reads a JSON file as msgpack appended to `out`: 0, or 2 (said why).
int cli_read_json (const char *path, msgpack_sbuffer *out);
//  Uploads a material on an open intake session, and its --attach files
//  as application.submit's or request.change's "attachments".
int cli_upload (cli_session_t *session,
                cli_opts_t *opts,
                const char *path,
                const char *what_zh,
                files_info_t *info);
int cli_upload_materials (cli_session_t *session,
                          cli_opts_t *opts,
                          msgpack_packer *pk);

//  lifecycle.c: R10-R13 after approval, and every step owed by anyone
int cli_cmd_overdue (cli_opts_t *opts);
int cli_cmd_extend (cli_opts_t *opts);
int cli_cmd_golive (cli_opts_t *opts);
int cli_cmd_change (cli_opts_t *opts);
int cli_cmd_terminate (cli_opts_t *opts);
int cli_cmd_emergency (cli_opts_t *opts);
int cli_cmd_reorder (cli_opts_t *opts);
int cli_cmd_request_approve (cli_opts_t *opts);
int cli_cmd_request_reject (cli_opts_t *opts);
//  The step a row of review.pending/overdue or order.overdue is owed,
//  and who owes it, in Chinese (`buf` holds an unlisted code).
const char *cli_step_zh (const msgpack_object *row, char *buf, size_t size);
const char *cli_owed_by_zh (const msgpack_object *row, char *buf, size_t size);
//  Prints the requests and duties review.get lists (show).
void cli_print_lifecycle (const msgpack_object *review);

#endif
