/*  yjc_outbox.h - the events a unit of work emits, written to the outbox
    in the same transaction as the state change they announce, with one
    statement for the whole batch (batch rows, not statements).         */
#ifndef YJC_OUTBOX_H_INCLUDED
#define YJC_OUTBOX_H_INCLUDED

#include "yjc_db.h"
#include "yjc_proto.h"

typedef struct _yjc_outbox_t yjc_outbox_t;

yjc_outbox_t *yjc_outbox_new (void);
void yjc_outbox_destroy (yjc_outbox_t **self_p);
//  Forgets everything added (the transaction was rolled back).
void yjc_outbox_reset (yjc_outbox_t *self);
//  Adds an event of `event_type` about `app_id` (may be NULL), caused by
//  the request of `actor` (NULL: by the service itself).  Its
//  payload (msgpack) is checked against proto/: a bad one is a bug,
//  logged, -1.  Returns 0.
int yjc_outbox_add (yjc_outbox_t *self,
                    int event_type,
                    const char *app_id,
                    const char *actor,
                    const void *payload,
                    size_t size);
//  Writes every event added, in order, with one pending row per receiver
//  of each (proto/yjc_events.def), timestamped `now_iso`, and commits the
//  transaction (one round trip for both).  0, or -1 with it rolled back.
int yjc_outbox_commit (yjc_outbox_t *self, yjc_db_t *db, const char *now_iso);

//  Needs a database, as yjc_db_test.
void yjc_outbox_test (yjc_test_t *t);

#endif
