/*  yjc_outbox.c - buffered outbox writes (see yjc_outbox.h).

    The events of a unit of work go out as rows of one statement, with
    the transaction's COMMIT in the same round trip.                     */
#include "yjc_outbox.h"
#include "yjc_rows.h"
#include <czmq.h>

struct _yjc_outbox_t {
    yjc_rows_t *rows;        //  type, app_id; payload
    bool seen[YJC_EV_COUNT]; //  which types, for the routes
};

yjc_outbox_t *
yjc_outbox_new (void)
{
    yjc_outbox_t *self = (yjc_outbox_t *)zmalloc (sizeof (yjc_outbox_t));
    self->rows = yjc_rows_new (2);
    return self;
}

void
yjc_outbox_destroy (yjc_outbox_t **self_p)
{
    if (*self_p) {
        yjc_outbox_t *self = *self_p;
        yjc_rows_destroy (&self->rows);
        free (self);
        *self_p = NULL;
    }
}

void
yjc_outbox_reset (yjc_outbox_t *self)
{
    yjc_rows_reset (self->rows);
    memset (self->seen, 0, sizeof self->seen);
}

int
yjc_outbox_add (yjc_outbox_t *self,
                int event_type,
                const char *app_id,
                const void *payload,
                size_t size)
{
    const yjc_event_def_t *def = &yjc_event_defs[event_type];
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    yjc_problems_t problems = { 0 };
    bool valid =
        msgpack_unpack_next (&un, (const char *)payload, size, NULL) ==
            MSGPACK_UNPACK_SUCCESS &&
        yjc_validate (def->schema, &un.data, "payload", &problems) == 0;
    msgpack_unpacked_destroy (&un);
    if (!valid) {
        zsys_error ("emit %s: payload does not match proto: %s",
                    def->wire,
                    problems.count ? problems.items[0].message : "undecodable");
        return -1;
    }
    const char *texts[] = { def->wire, app_id };
    yjc_rows_add (self->rows, texts, payload, size);
    self->seen[event_type] = true;
    return 0;
}

int
yjc_outbox_commit (yjc_outbox_t *self, yjc_db_t *db, const char *now_iso)
{
    if (yjc_rows_count (self->rows) == 0)
        return yjc_db_commit (db);
    //  The receivers of the types in this batch, as two parallel text[].
    const char *types[YJC_EV_COUNT * YJC_SVC_COUNT];
    const char *receivers[YJC_EV_COUNT * YJC_SVC_COUNT];
    size_t routes = 0;
    for (int ev = 0; ev < YJC_EV_COUNT; ev++)
        for (int s = 0; self->seen[ev] && s < YJC_SVC_COUNT; s++)
            if (yjc_event_defs[ev].receivers & (1u << s)) {
                types[routes] = yjc_event_defs[ev].wire;
                receivers[routes++] = yjc_service_name (s);
            }
    char *route_types = yjc_db_array_literal (types, routes);
    char *route_receivers = yjc_db_array_literal (receivers, routes);
    const char *extra[] = { now_iso, route_types, route_receivers };
    //  Sequence numbers follow the order of emission (ORDER BY n), so the
    //  relay delivers in that order.
    int rc = yjc_rows_exec_commit (
        self->rows,
        db,
        "WITH e AS (INSERT INTO outbox (type, app_id, created_at, payload)"
        "  SELECT t, a, $4, p FROM unnest($1::text[], $2::text[],"
        "  $3::bytea[]) WITH ORDINALITY AS u (t, a, p, n) ORDER BY n"
        "  RETURNING seq, type)"
        " INSERT INTO outbox_pending (seq, receiver)"
        " SELECT e.seq, r.receiver FROM e"
        " JOIN unnest($5::text[], $6::text[]) AS r (type, receiver)"
        " ON r.type = e.type",
        3,
        extra);
    free (route_types);
    free (route_receivers);
    memset (self->seen, 0, sizeof self->seen);
    return rc;
}
