/*  yjc_server.h - what every yjcloud service is: a CurveZMQ ROUTER that
    authenticates, decodes and validates requests against proto/, checks
    the sender's role, runs the service's handler in a transaction together
    with the events it emits (outbox), receives other services' events
    exactly once (inbox), and relays its own events until acknowledged.

    A service is a yjc_service_def_t (handler tables) and a thin main:
        int main (int argc, char **argv) {
            return yjc_server_main (&s_review, argc, argv);
        }
    Its handlers see the API of yjc_ctx.h.                               */
#ifndef YJC_SERVER_H_INCLUDED
#define YJC_SERVER_H_INCLUDED

#include "yjc_ctx.h"

typedef struct {
    int service;                                 //  yjc_service_t
    const yjc_migration_t *migrations;           //  its own schema
    yjc_handler_fn *handlers[YJC_MSG_COUNT];     //  requests it answers
    yjc_requests_fn *on_requests[YJC_MSG_COUNT]; //  or, many at once:
                                                 //  consecutive ones
    yjc_event_fn *on_event[YJC_EV_COUNT];        //  events it receives
    yjc_events_fn *on_events[YJC_EV_COUNT];      //  or, for many at once:
                                                 //  consecutive ones of a type
    yjc_events_fn *on_all_events;                //  audit: every event, all
                                                 //  of a delivery at once
    yjc_tick_fn *on_tick;                        //  every YJC_TICK_MS
    bool vendor_endpoint;                        //  also bind the vendor's
                                                 //  own (YJC_VENDOR_ENDPOINT)
} yjc_service_def_t;

int yjc_server_main (const yjc_service_def_t *def, int argc, char **argv);

#define YJC_VERSION_STRING "0.1.0"

#endif
