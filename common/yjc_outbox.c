/*  yjc_outbox.c - buffered outbox writes (see yjc_outbox.h).

    The events are collected as PostgreSQL array literals and inserted by
    one statement through unnest(): one round trip per batch, however
    many requests in it emitted events.                                  */
#include "yjc_outbox.h"
#include <czmq.h>

typedef struct {
    char *data;
    size_t size, cap;
} s_text_t;

struct _yjc_outbox_t {
    s_text_t types; //  elements of a text[] literal, comma-separated
    s_text_t apps;  //  text[] (NULL for no application)
    yjc_db_bytea_array_t payloads; //  binary bytea[]: no hex, no parsing
    int count;
    bool seen[YJC_EV_COUNT]; //  which types, for the routes
};

static void
s_append (s_text_t *t, const char *data, size_t size)
{
    if (t->size + size + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->size + size + 1)
            cap *= 2;
        t->data = (char *)realloc (t->data, cap);
        assert (t->data);
        t->cap = cap;
    }
    memcpy (t->data + t->size, data, size);
    t->size += size;
    t->data[t->size] = 0;
}

//  Appends one quoted array element; the values are our own identifiers
//  (proto type names, application ids), but quote them properly anyway.
static void
s_append_element (s_text_t *t, const char *value)
{
    if (t->size)
        s_append (t, ",", 1);
    if (!value) {
        s_append (t, "NULL", 4);
        return;
    }
    s_append (t, "\"", 1);
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\')
            s_append (t, "\\", 1);
        s_append (t, c, 1);
    }
    s_append (t, "\"", 1);
}

yjc_outbox_t *
yjc_outbox_new (void)
{
    return (yjc_outbox_t *)zmalloc (sizeof (yjc_outbox_t));
}

void
yjc_outbox_destroy (yjc_outbox_t **self_p)
{
    if (*self_p) {
        yjc_outbox_t *self = *self_p;
        free (self->types.data);
        free (self->apps.data);
        yjc_db_bytea_array_release (&self->payloads);
        free (self);
        *self_p = NULL;
    }
}

void
yjc_outbox_reset (yjc_outbox_t *self)
{
    self->types.size = self->apps.size = 0;
    self->payloads.size = 0;
    self->payloads.count = 0;
    self->count = 0;
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
    s_append_element (&self->types, def->wire);
    s_append_element (&self->apps, app_id);
    yjc_db_bytea_array_add (&self->payloads, payload, size);
    self->seen[event_type] = true;
    self->count++;
    return 0;
}

//  The receivers of the types in this batch, as two parallel text[].
static void
s_routes (const yjc_outbox_t *self, s_text_t *types, s_text_t *receivers)
{
    for (int ev = 0; ev < YJC_EV_COUNT; ev++)
        for (int s = 0; self->seen[ev] && s < YJC_SVC_COUNT; s++)
            if (yjc_event_defs[ev].receivers & (1u << s)) {
                s_append_element (types, yjc_event_defs[ev].wire);
                s_append_element (receivers, yjc_service_name (s));
            }
}

static char *
s_literal (const s_text_t *t)
{
    return zsys_sprintf ("{%s}", t->size ? t->data : "");
}

int
yjc_outbox_commit (yjc_outbox_t *self, yjc_db_t *db, const char *now_iso)
{
    if (self->count == 0)
        return yjc_db_commit (db);
    s_text_t route_types = { 0 }, route_receivers = { 0 };
    s_routes (self, &route_types, &route_receivers);
    size_t size;
    char *payloads = yjc_db_bytea_array_take (&self->payloads, &size);
    char *lit[4] = { s_literal (&self->types),
                     s_literal (&self->apps),
                     s_literal (&route_types),
                     s_literal (&route_receivers) };
    const char *params[] = {
        lit[0], lit[1], payloads, now_iso, lit[2], lit[3]
    };
    int lengths[] = { 0, 0, (int)size, 0, 0, 0 };
    int formats[] = { 0, 0, 1, 0, 0, 0 };
    //  Sequence numbers follow the order of emission (ORDER BY n), so the
    //  relay delivers in that order.
    int rc = yjc_db_exec_commit (
        db,
        "WITH e AS (INSERT INTO outbox (type, app_id, created_at, payload)"
        "  SELECT t, a, $4, p FROM unnest($1::text[], $2::text[],"
        "  $3::bytea[]) WITH ORDINALITY AS u (t, a, p, n) ORDER BY n"
        "  RETURNING seq, type)"
        " INSERT INTO outbox_pending (seq, receiver)"
        " SELECT e.seq, r.receiver FROM e"
        " JOIN unnest($5::text[], $6::text[]) AS r (type, receiver)"
        " ON r.type = e.type",
        6,
        params,
        lengths,
        formats);
    for (int i = 0; i < 4; i++)
        zstr_free (&lit[i]);
    free (route_types.data);
    free (route_receivers.data);
    free (payloads);
    return rc;
}
