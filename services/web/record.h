/*  record.h - the console's bus side and its sign-in record (record.c). */
#ifndef RECORD_H_INCLUDED
#define RECORD_H_INCLUDED

#include "yjc_server.h"

//  The console as a service of proto/yjc_services.def (WEB): its schema,
//  web.record; yjc_server_main runs it beside the pages.
extern const yjc_service_def_t web_service;

//  Closes the pages' connection to the bus side.
void web_record_shutdown (void);

#endif
