/*  cli.h - what the commands of yjcloud share: the options, a session
    with one service, the calls, and how replies are shown (cli.c).
    Every command is a row of the table in yjcloud.c and lives in the file
    of its group (app, decide, lifecycle, orders, attachment, audit,
    calendar, admin), whose header names it; this pair includes none of
    them.                                                                */
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include "files.h"
#include "yjc_client.h"
#include "yjc_map.h"

typedef struct {
    const char *as; //  actor name
    bool json;      //  one JSON object on stdout
    bool csv;       //  --csv: comma-separated rows (compliance, audit events)
    int timeout_ms;
    const char *opinion;    //  --opinion
    const char *role;       //  --role
    const char *unit;       //  --unit
    const char *state;      //  --state
    const char *app;        //  --app
    bool overdue;           //  --overdue
    bool local;             //  --local: a county's change (calendar)
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
    bool unread, all;              //  inbox --unread, inbox read --all
    //  resource lines, as text each command parses: R11.2 elastic ranges
    //  (elastic.c: --hosts CFG:2-6, --bandwidth 10-50) and R11.3 lines
    //  taken back (reclaim.c: --hosts CFG:N, --bandwidth MBPS, --storage
    //  TB, --databases ENGINE:N); --hosts and --databases repeat
    const char *hosts[50], *databases[16];
    int nhosts, ndatabases;
    const char *bandwidth, *storage;
    const char *evidence, *text; //  reclaim --evidence, object --text
    //  the idle rule (idle.c, R11.3); -1 when not given
    int64_t days, cpu_p95, mem_p95, silent_days;
    int64_t years; //  --years, a renewal's (R14.3)
    //  R15 problem reports (problems.c): --severity, problems --open
    const char *severity;
    //  R18, R19 (inspect.c): --name, --phone of the security staff;
    //  enforce --measure; findings --open
    const char *name, *phone, *measure;
    bool open;
    int64_t from, to;         //  audit verify --from, --to (seq)
    const char *checkpoints;  //  audit verify --checkpoints FILE
    const char *type, *since; //  audit events --type, --since
    const char *actor;        //  audit events --actor
    //  statement, utilization (issue 13, part B): --pdf OUT, and
    //  --from-json FILE, a reply saved with --json, re-rendered
    const char *pdf, *from_json;
    const char *at;      //  prices --at DATE (R17)
    const char *quarter; //  --quarter 2027Q1 (utilization, R16)
    char **args;         //  positional arguments after the command
    int nargs;
} cli_opts_t;

typedef int (cli_command_fn) (cli_opts_t *opts);

typedef struct {
    yjc_keys_t *keys;
    zcert_t *cert;
    yjc_client_t *client;
    yjc_reply_t reply;
} cli_session_t;

//  Output: one JSON object; "label value" when set; a service's name
//  in Chinese; the error of a reply (exit code 1).
void cli_print_json (const msgpack_object *obj);
void cli_line (const char *label, const msgpack_object *obj, const char *key);
const char *cli_service_zh (const char *name);
int cli_print_error (cli_opts_t *opts, const yjc_reply_t *reply);

//  Says why a call got no reply: the --as key refused (身份未登记或已被
//  撤销) or the service silent; `doing` names the file or step, or NULL.
void cli_print_no_reply (yjc_client_t *client,
                         cli_opts_t *opts,
                         int service,
                         const char *doing);

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
//  Sends `body` (released), prints `done_zh` with the new request's or
//  order's id: the exit code.
int cli_send (cli_opts_t *opts,
              int service,
              const char *type,
              yjc_pack_t *body,
              const char *done_zh);
//  True when an option the command needs is given, else says which.
bool cli_need (const char *value, const char *option);
//  Reads a JSON file as msgpack appended to `out`: 0, or 2 (said why).
int cli_read_json (const char *path, msgpack_sbuffer *out);
//  --from-json FILE --pdf OUT: a reply saved with --json (its body, or the
//  whole {"ok", "body"} reply; `key` is one only a body has) rendered by
//  `render` (0, or 1 after saying why not); `done_zh` said after.
typedef int (cli_render_fn) (const msgpack_object *reply, const char *path);
int cli_render_saved (cli_opts_t *opts,
                      const char *key,
                      cli_render_fn *render,
                      const char *done_zh);
//  Uploads a material on an open intake session, and its --attach files
//  as application.submit's or request.change's "attachments".
int cli_upload (cli_session_t *session,
                cli_opts_t *opts,
                const char *path,
                const char *what_zh,
                files_info_t *info);
int cli_upload_materials (cli_session_t *session,
                          cli_opts_t *opts,
                          yjc_map_t *map);

//  A request body from a map that counted its own entries (released).
void cli_body (yjc_map_t *map, yjc_pack_t *body);

#endif
