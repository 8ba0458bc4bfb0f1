/*  yjc_config.c - the settings table.                                     */
#include "yjc_config.h"
#include "yjc_proto.h"
#include <stdio.h>
#include <stdlib.h>

#ifndef YJC_SHARE_DIR
#define YJC_SHARE_DIR "deploy" //  the build gives the installed share dir
#endif
#ifndef YJC_VAR_DIR
#define YJC_VAR_DIR "var" //  the build gives the embedded run's var/
#endif

typedef struct {
    const char *env;      //  environment variable
    const char *fallback; //  default for the embedded run
    const char *help;
} yjc_param_t;

static const yjc_param_t s_params[YJC_CFG_COUNT] = {
    [YJC_CFG_KEYS] = { "YJC_KEYS",
                       YJC_VAR_DIR "/keys",
                       "actor registry directory" },
    [YJC_CFG_DB] = { "YJC_DB",
                     "host=127.0.0.1 port=54329 dbname=yjcloud",
                     "libpq conninfo of this service" },
    [YJC_CFG_BIND] = { "YJC_BIND", "", "endpoint to bind (default: own)" },
    [YJC_CFG_INTAKE_EP] = { "YJC_INTAKE_ENDPOINT",
                            "tcp://127.0.0.1:7101",
                            "intake" },
    [YJC_CFG_REVIEW_EP] = { "YJC_REVIEW_ENDPOINT",
                            "tcp://127.0.0.1:7102",
                            "review" },
    [YJC_CFG_PROVISIONING_EP] = { "YJC_PROVISIONING_ENDPOINT",
                                  "tcp://127.0.0.1:7103",
                                  "provisioning adapter" },
    [YJC_CFG_BILLING_EP] = { "YJC_BILLING_ENDPOINT",
                             "tcp://127.0.0.1:7104",
                             "billing" },
    [YJC_CFG_AUDIT_EP] = { "YJC_AUDIT_ENDPOINT",
                           "tcp://127.0.0.1:7105",
                           "audit" },
    [YJC_CFG_RELAY_BATCH] = { "YJC_RELAY_BATCH",
                              "256",
                              "events per delivery message" },
    [YJC_CFG_RELAY_POLL_MS] = { "YJC_RELAY_POLL_MS",
                                "250",
                                "outbox poll when idle, ms" },
    [YJC_CFG_RELAY_LINGER_MS] = { "YJC_RELAY_LINGER_MS",
                                  "10",
                                  "gather events before delivering, ms" },
    [YJC_CFG_RELAY_TIMEOUT_MS] = { "YJC_RELAY_TIMEOUT_MS",
                                   "5000",
                                   "wait for an acknowledgement, ms" },
    [YJC_CFG_WORKERS] = { "YJC_WORKERS",
                          "4",
                          "worker connections per service" },
    [YJC_CFG_BATCH_MIN] = { "YJC_BATCH_MIN",
                            "4",
                            "requests a batch waits for under load" },
    [YJC_CFG_LOG_LEVEL] = { "YJC_LOG_LEVEL", "info", "log level" },
    [YJC_CFG_VENDOR_EP] = { "YJC_VENDOR_ENDPOINT",
                            "tcp://127.0.0.1:7106",
                            "the vendor's queue (provisioning adapter)" },
    [YJC_CFG_VENDOR_BIND] = { "YJC_VENDOR_BIND",
                              "",
                              "vendor endpoint to bind (default: as above)" },
    [YJC_CFG_TICK_MS] = { "YJC_TICK_MS",
                          "1000",
                          "periodic work (deadlines falling due), ms" },
    [YJC_CFG_EMERGENCY_PAPERWORK_DAYS] = { "YJC_EMERGENCY_PAPERWORK_DAYS",
                                           "5",
                                           "R12.3: working days to file the "
                                           "paperwork of an emergency change" },
    [YJC_CFG_CALENDAR] = { "YJC_CALENDAR",
                           YJC_SHARE_DIR "/calendar/cn-holidays.csv",
                           "national working-day calendar (CSV)" },
    [YJC_CFG_CALENDAR_LOCAL] = { "YJC_CALENDAR_LOCAL",
                                 "",
                                 "county overrides of the calendar (CSV)" },
};

const char *
yjc_config (yjc_cfg_t key)
{
    const char *value = getenv (s_params[key].env);
    return value && *value ? value : s_params[key].fallback;
}

int
yjc_config_int (yjc_cfg_t key)
{
    int n = atoi (yjc_config (key));
    return n > 0 ? n : atoi (s_params[key].fallback);
}

const char *
yjc_config_endpoint (int service)
{
    return yjc_config ((yjc_cfg_t)(YJC_CFG_INTAKE_EP + service));
}
