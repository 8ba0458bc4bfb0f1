/*  yjc_config.h - every setting, in one table (yjc_config.c).

    Settings come from the environment; each has a default that fits the
    embedded run (`make up`: PostgreSQL and all services on loopback).
    Nothing else reads a YJC_* variable: the selftest fails on a getenv
    of one anywhere else in the sources.                                 */
#ifndef YJC_CONFIG_H_INCLUDED
#define YJC_CONFIG_H_INCLUDED

#include "yjc_test.h"

typedef enum {
    YJC_CFG_KEYS, //  YJC_KEYS: the actor registry
    YJC_CFG_DB,   //  YJC_DB: libpq conninfo of this service
    YJC_CFG_BIND, //  YJC_BIND: endpoint this service binds
//  YJC_CFG_INTAKE_EP ...: YJC_<IDENT>_ENDPOINT of each service in
//  proto/yjc_services.def, in its order (yjc_config_endpoint).
#define SVC(ident, name, dir, schema, port, zh) YJC_CFG_##ident##_EP,
#include "../proto/yjc_services.def"
#undef SVC
    YJC_CFG_RELAY_BATCH, //  events per delivery message
    YJC_CFG_RELAY_POLL_MS,
    YJC_CFG_RELAY_LINGER_MS,  //  idle poll of the outbox (other instances)
    YJC_CFG_RELAY_TIMEOUT_MS, //  wait for a receiver's acknowledgement
    YJC_CFG_WORKERS,
    YJC_CFG_BATCH_MIN,    //  transactions in flight per service
    YJC_CFG_LOG_LEVEL,    //  error | warning | info | debug (yjc_log.h)
    YJC_CFG_NOW_FILE,     //  YJC_NOW_FILE: the clock's file (yjc_clock.h)
    YJC_CFG_AUTH_VERBOSE, //  YJC_AUTH_VERBOSE: zauth logs each handshake
    YJC_CFG_ACTOR,        //  YJC_ACTOR: the CLI's and simulator's --as
    YJC_CFG_VENDOR_EP,    //  YJC_VENDOR_ENDPOINT: the vendor's own (R7)
    YJC_CFG_VENDOR_BIND,  //  YJC_VENDOR_BIND: where the adapter binds it
    YJC_CFG_TICK_MS,      //  periodic work (deadlines falling due)
    YJC_CFG_EMERGENCY_PAPERWORK_DAYS, //  R12.3 paperwork owed, working days
    YJC_CFG_CALENDAR,       //  YJC_CALENDAR: the national calendar CSV
    YJC_CFG_CALENDAR_LOCAL, //  YJC_CALENDAR_LOCAL: a county's overrides
    YJC_CFG_MIGRATE_UPTO,   //  YJC_MIGRATE_UPTO: last migration to apply
    YJC_CFG_PRUNE_AFTER_S,  //  delivered outbox / inbox rows kept, seconds
    YJC_CFG_PRUNE_EVERY_MS, //  how often the relay prunes them
    YJC_CFG_DB_CONNECT_TIMEOUT_S,    //  libpq connect_timeout
    YJC_CFG_DB_KEEPALIVE_S,          //  TCP keepalive idle and interval
    YJC_CFG_DB_STATEMENT_TIMEOUT_MS, //  statement_timeout of every session
    YJC_CFG_HELD_BYTES,              //  request bytes a service holds, in all
    YJC_CFG_PEER_BYTES,      //  request bytes it holds for one connection
    YJC_CFG_PEER_QUEUE,      //  ZeroMQ messages queued per connection (hwm)
    YJC_CFG_MAX_CONNECTIONS, //  client connections a service keeps open
    YJC_CFG_RECLAIM_OBJECTION_DAYS, //  R11.3 objection window, working days
    YJC_CFG_METERING_KEEP_MONTHS,   //  raw metering partitions kept (R11.3)
    YJC_CFG_ENFORCE_DAYS,           //  R18 enforcement order, working days
    YJC_CFG_AUDIT_CHECKPOINT_EVERY, //  events between signed checkpoints
    YJC_CFG_AUDIT_CHECKPOINT_S,     //  or seconds, whichever comes first
    YJC_CFG_AUDIT_VERIFY_STRETCH,   //  rows a verify thread takes at least
    YJC_CFG_ENFORCED_PRICING,       //  R17: production | test | zero
    YJC_CFG_WEB_LISTEN,             //  the web console's address:port
    YJC_CFG_WEB_CERT,               //  its TLS certificate (PEM), or ""
    YJC_CFG_WEB_KEY,                //  its TLS private key (PEM), or ""
    YJC_CFG_WEB_IDLE_MIN,           //  a console session's idle timeout
    YJC_CFG_WEB_TEMPLATES,          //  its page templates and style sheet
    YJC_CFG_WEB_TRUSTED_PROXY,      //  the reverse proxy in front of it
    YJC_CFG_COUNT
} yjc_cfg_t;

const char *yjc_config (yjc_cfg_t key);
int yjc_config_int (yjc_cfg_t key);
//  The endpoint clients use to reach `service` (yjc_service_t).
const char *yjc_config_endpoint (int service);
//  The setting read from environment variable `env`, or -1.
int yjc_config_by_env (const char *env);

void yjc_config_test (yjc_test_t *t);

#endif
