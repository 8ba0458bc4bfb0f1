/*  yjc_attachref.c - intake's attachments named by another service (see
    yjc_attachref.h).                                                    */
#include "yjc_attachref.h"

yjc_result_t
yjc_attachref_learn (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char att_id[33], unit[129], name[256], size[24], sha[65];
    int64_t n = 0;
    yjc_obj_strcpy (ev->payload, "att_id", att_id, sizeof att_id);
    yjc_obj_strcpy (ev->payload, "unit", unit, sizeof unit);
    yjc_obj_strcpy (ev->payload, "name", name, sizeof name);
    yjc_obj_strcpy (ev->payload, "sha256", sha, sizeof sha);
    yjc_obj_int (ev->payload, "size", &n);
    snprintf (size, sizeof size, "%lld", (long long)n);
    const char *params[] = { att_id, unit, name, size, sha };
    return yjc_db_exec (ctx->db,
                        "INSERT INTO known_attachments (att_id, unit, name,"
                        " size, sha256) VALUES ($1, $2, $3, $4, $5)"
                        " ON CONFLICT (att_id) DO NOTHING",
                        5,
                        params) < 0
               ? YJC_DB_ERROR
               : YJC_OK;
}

//  The unit of attachment `id` into `unit`; false when not known here.
static bool
s_unit_of (yjc_ctx_t *ctx, const char *id, char *unit, size_t size, bool *ok)
{
    const char *params[] = { id };
    PGresult *res =
        yjc_db_query (ctx->db,
                      "SELECT unit FROM known_attachments WHERE att_id = $1",
                      1,
                      params);
    *ok = res != NULL;
    bool known = res && PQntuples (res) == 1;
    if (known)
        snprintf (unit, size, "%s", PQgetvalue (res, 0, 0));
    PQclear (res);
    return known;
}

yjc_result_t
yjc_attachref_check (yjc_ctx_t *ctx,
                     const msgpack_object *list,
                     const char *field)
{
    if (!list || list->type != MSGPACK_OBJECT_ARRAY)
        return YJC_OK;
    yjc_result_t rc = YJC_OK;
    bool unknown = false;
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        char id[33], unit[129], path[64];
        snprintf (path, sizeof path, "%s[%u]", field, i);
        if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 ||
            o->via.str.size >= sizeof id) {
            rc = yjc_ctx_fail (
                ctx, YJC_E_INVALID_VALUE, path, "an attachment id");
            continue;
        }
        snprintf (id, sizeof id, "%.*s", (int)o->via.str.size, o->via.str.ptr);
        bool ok;
        bool known = s_unit_of (ctx, id, unit, sizeof unit, &ok);
        if (!ok)
            return YJC_DB_ERROR;
        if (!known)
            unknown = true;
        //  a unit names only its own uploads; no more is said of others'
        else if (ctx->actor->role == YJC_ROLE_UNIT &&
                 !streq (unit, ctx->actor->unit))
            rc = yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, path, "%s", id);
    }
    if (unknown && rc == YJC_OK &&
        yjc_ctx_wait (ctx, YJC_ATTACHREF_WAIT_MS) == YJC_WAIT)
        return YJC_WAIT;
    for (uint32_t i = 0; unknown && i < list->via.array.size; i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        char id[33], unit[129], path[64];
        if (o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 ||
            o->via.str.size >= sizeof id)
            continue;
        snprintf (id, sizeof id, "%.*s", (int)o->via.str.size, o->via.str.ptr);
        snprintf (path, sizeof path, "%s[%u]", field, i);
        bool ok;
        if (!s_unit_of (ctx, id, unit, sizeof unit, &ok))
            rc = ok ? yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, path, "%s", id)
                    : YJC_DB_ERROR;
    }
    return rc;
}
