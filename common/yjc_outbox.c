/*  yjc_outbox.c - buffered outbox writes (see yjc_outbox.h).

    The events of a unit of work go out as rows of one statement, with
    the transaction's COMMIT in the same round trip.                     */
#include "yjc_outbox.h"
#include "yjc_lifecycle.h"
#include "yjc_log.h"
#include "yjc_rows.h"
#include <czmq.h>

struct _yjc_outbox_t {
    yjc_rows_t *rows;        //  type, app_id, actor; payload
    bool seen[YJC_EV_COUNT]; //  which types, for the routes
};

yjc_outbox_t *
yjc_outbox_new (void)
{
    yjc_outbox_t *self = (yjc_outbox_t *)zmalloc (sizeof (yjc_outbox_t));
    self->rows = yjc_rows_new (3);
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
                const char *actor,
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
        yjc_log (YJC_LOG_ERROR,
                 "emit %s: payload does not match proto: %s",
                 def->wire,
                 problems.count ? problems.items[0].message : "undecodable");
        return -1;
    }
    const char *texts[] = { def->wire, app_id, actor };
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
        "WITH e AS (INSERT INTO outbox (type, app_id, actor, created_at,"
        "  payload) SELECT t, a, w, $5, p FROM unnest($1::text[],"
        "  $2::text[], $3::text[], $4::bytea[]) WITH ORDINALITY"
        "  AS u (t, a, w, p, n) ORDER BY n RETURNING seq, type)"
        " INSERT INTO outbox_pending (seq, receiver)"
        " SELECT e.seq, r.receiver FROM e"
        " JOIN unnest($6::text[], $7::text[]) AS r (type, receiver)"
        " ON r.type = e.type",
        3,
        extra);
    free (route_types);
    free (route_receivers);
    memset (self->seen, 0, sizeof self->seen);
    return rc;
}

/* ---- selftest ------------------------------------------------------------ */

extern const yjc_migration_t yjc_common_migrations[];

//  An application.accepted payload (ev_review_step) about `app_id`.
static void
s_step (yjc_pack_t *out, const char *app_id)
{
    yjc_pack_reset (out);
    msgpack_pack_map (&out->pk, 3);
    yjc_pk_kv_str (&out->pk, "app_id", app_id);
    yjc_pk_kv_str (&out->pk, "unit", "县教育局");
    yjc_pk_kv_str (&out->pk, "state", yjc_state_code (YJC_STATE_ACCEPTED));
}

static int
s_count (yjc_db_t *db, const char *sql)
{
    PGresult *res = yjc_db_query (db, sql, 0, NULL);
    int n = res && PQntuples (res) == 1 ? atoi (PQgetvalue (res, 0, 0)) : -1;
    PQclear (res);
    return n;
}

static int
s_popcount (unsigned mask)
{
    int n = 0;
    for (; mask; mask &= mask - 1)
        n++;
    return n;
}

//  The rows written: in order of emission, each with a pending row for
//  every receiver proto names (audit always), payloads as given.
static void
s_check_written (yjc_test_t *t, yjc_db_t *db, const yjc_pack_t *last)
{
    PGresult *res = yjc_db_query_raw (
        db,
        "SELECT o.type, coalesce(o.app_id, '-'), o.payload,"
        " string_agg(p.receiver, ',' ORDER BY p.receiver),"
        " count(p.receiver)::text, o.created_at::text"
        " FROM outbox o LEFT JOIN outbox_pending p ON p.seq = o.seq"
        " GROUP BY o.seq ORDER BY o.seq",
        0,
        NULL,
        NULL,
        NULL);
    YJC_CHECK (t, res && PQntuples (res) == 3);
    if (!res || PQntuples (res) != 3) {
        PQclear (res);
        return;
    }
    const char *types[] = { "application.accepted",
                            "attachment.stored",
                            "application.accepted" };
    const int evs[] = { YJC_EV_APPLICATION_ACCEPTED,
                        YJC_EV_ATTACHMENT_STORED,
                        YJC_EV_APPLICATION_ACCEPTED };
    const char *apps[] = { "A000001", "-", "A000002" };
    char buf[128];
    for (int i = 0; i < 3; i++) {
        YJC_CHECK (t,
                   streq (yjc_db_copy (res, i, 0, buf, sizeof buf), types[i]));
        YJC_CHECK (t,
                   streq (yjc_db_copy (res, i, 1, buf, sizeof buf), apps[i]));
        YJC_CHECK (t,
                   strstr (yjc_db_copy (res, i, 3, buf, sizeof buf), "audit"));
        YJC_CHECK (t,
                   atoi (yjc_db_copy (res, i, 4, buf, sizeof buf)) ==
                       s_popcount (yjc_event_defs[evs[i]].receivers));
        YJC_CHECK (t,
                   strncmp (yjc_db_copy (res, i, 5, buf, sizeof buf),
                            "2026-05-04 09:00:00",
                            19) == 0);
    }
    YJC_CHECK (t, strstr (yjc_db_copy (res, 0, 3, buf, sizeof buf), "intake"));
    YJC_CHECK (t,
               (size_t)PQgetlength (res, 2, 2) == last->buf.size &&
                   memcmp (PQgetvalue (res, 2, 2),
                           last->buf.data,
                           last->buf.size) == 0);
    PQclear (res);
}

void
yjc_outbox_test (yjc_test_t *t)
{
    if (!t->pg) {
        printf ("  outbox: skipped (no --pg CONNSTR)\n");
        return;
    }
    printf ("  outbox: the errors logged below are expected\n");
    yjc_db_t *db = yjc_db_new (t->pg, "selftest_outbox");
    YJC_CHECK (t, db != NULL);
    if (!db)
        return;
    YJC_CHECK (
        t,
        yjc_db_exec (
            db, "DROP SCHEMA IF EXISTS selftest_outbox CASCADE", 0, NULL) >=
                0 &&
            yjc_db_exec (db, "CREATE SCHEMA selftest_outbox", 0, NULL) >= 0);
    YJC_CHECK (t, yjc_db_migrate (db, yjc_common_migrations) == 0);
    yjc_outbox_t *outbox = yjc_outbox_new ();
    yjc_pack_t p1, p2, p3;
    yjc_pack_init (&p1);
    yjc_pack_init (&p2);
    yjc_pack_init (&p3);
    const char *now = "2026-05-04T09:00:00+08:00";

    //  A payload proto does not allow is a bug: refused, nothing added.
    YJC_CHECK (
        t,
        yjc_outbox_add (
            outbox, YJC_EV_APPLICATION_ACCEPTED, "A1", NULL, "\xc1", 1) == -1);
    msgpack_pack_map (&p1.pk, 1);
    yjc_pk_kv_str (&p1.pk, "app_id", "A1"); //  unit and state missing
    YJC_CHECK (t,
               yjc_outbox_add (outbox,
                               YJC_EV_APPLICATION_ACCEPTED,
                               "A1",
                               NULL,
                               p1.buf.data,
                               p1.buf.size) == -1);

    //  Three events, one commit.
    s_step (&p1, "A000001");
    s_step (&p3, "A000002");
    msgpack_pack_map (&p2.pk, 5);
    yjc_pk_kv_str (&p2.pk, "att_id", "F000001");
    yjc_pk_kv_str (&p2.pk, "name", "方案.pdf");
    yjc_pk_kv_str (&p2.pk, "media_type", "application/pdf");
    yjc_pk_kv_int (&p2.pk, "size", 655);
    yjc_pk_kv_str (
        &p2.pk,
        "sha256",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 &&
                   yjc_db_exec (db, "SELECT 1", 0, NULL) == 1);
    YJC_CHECK (t,
               yjc_outbox_add (outbox,
                               YJC_EV_APPLICATION_ACCEPTED,
                               "A000001",
                               "clerk1",
                               p1.buf.data,
                               p1.buf.size) == 0);
    YJC_CHECK (t,
               yjc_outbox_add (outbox,
                               YJC_EV_ATTACHMENT_STORED,
                               NULL,
                               NULL,
                               p2.buf.data,
                               p2.buf.size) == 0);
    YJC_CHECK (t,
               yjc_outbox_add (outbox,
                               YJC_EV_APPLICATION_ACCEPTED,
                               "A000002",
                               NULL,
                               p3.buf.data,
                               p3.buf.size) == 0);
    YJC_CHECK (t, yjc_outbox_commit (outbox, db, now) == 0);
    //  who caused each event travels with it (audit.events.actor)
    YJC_CHECK (t,
               s_count (db,
                        "SELECT count(*) FROM outbox WHERE (actor = 'clerk1'"
                        " AND app_id = 'A000001') OR (actor IS NULL"
                        " AND coalesce(app_id, 'A000002') = 'A000002')") == 3);
    s_check_written (t, db, &p3);

    //  Reset forgets (a rolled-back unit of work); nothing to write is a
    //  plain commit; a failed write rolls the whole transaction back.
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 &&
                   yjc_db_exec (db, "SELECT 1", 0, NULL) == 1);
    yjc_outbox_add (outbox,
                    YJC_EV_APPLICATION_ACCEPTED,
                    "A9",
                    NULL,
                    p1.buf.data,
                    p1.buf.size);
    yjc_outbox_reset (outbox);
    YJC_CHECK (t, yjc_outbox_commit (outbox, db, now) == 0);
    YJC_CHECK (t, s_count (db, "SELECT count(*) FROM outbox") == 3);
    int pending =
        2 * s_popcount (yjc_event_defs[YJC_EV_APPLICATION_ACCEPTED].receivers) +
        s_popcount (yjc_event_defs[YJC_EV_ATTACHMENT_STORED].receivers);
    YJC_CHECK (t,
               yjc_db_begin (db) == 0 &&
                   yjc_db_exec (db, "DELETE FROM outbox_pending", 0, NULL) ==
                       pending);
    yjc_outbox_add (outbox,
                    YJC_EV_APPLICATION_ACCEPTED,
                    "A9",
                    NULL,
                    p1.buf.data,
                    p1.buf.size);
    YJC_CHECK (t, yjc_outbox_commit (outbox, db, "not a time") == -1);
    YJC_CHECK (t, s_count (db, "SELECT count(*) FROM outbox") == 3);
    YJC_CHECK (t,
               s_count (db, "SELECT count(*) FROM outbox_pending") == pending);

    yjc_pack_release (&p1);
    yjc_pack_release (&p2);
    yjc_pack_release (&p3);
    yjc_outbox_destroy (&outbox);
    YJC_CHECK (t, outbox == NULL);
    YJC_CHECK (
        t,
        yjc_db_exec (db, "DROP SCHEMA selftest_outbox CASCADE", 0, NULL) >= 0);
    yjc_db_destroy (&db);
}
