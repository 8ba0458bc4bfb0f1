/*  yjc_relay.h - delivers a service's outbox to the services that receive
    its events, in outbox order, retrying with backoff until each receiver
    acknowledges.  Runs as a zactor beside the server with its own database
    connection; send it "WAKE" after a commit that wrote events.  Several
    instances of one service may run: an advisory lock per receiver keeps
    one relay at a time on each stream, so order holds.                  */
#ifndef YJC_RELAY_H_INCLUDED
#define YJC_RELAY_H_INCLUDED

#include <czmq.h>

typedef struct {
    int service;          //  whose outbox
    const char *conninfo; //  its database
    const char *schema;   //  its schema
    const char *keys_dir; //  the actor registry
} yjc_relay_args_t;

//  zactor_new (yjc_relay_actor, &args): args are copied before it returns.
void yjc_relay_actor (zsock_t *pipe, void *args);

#endif
