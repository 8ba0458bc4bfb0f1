/*  inbox.c - who reads which notifications (proto/README.md, the inbox):
    a unit those to its own unit, the bureau those to the bureau, the
    vendor those to the vendor; the auditor everyone's, optionally of one
    recipient.  Read marks are per actor name.                          */
#include "notify.h"

static bool
s_flag (const msgpack_object *body, const char *key)
{
    const msgpack_object *o = yjc_obj_get (body, key);
    return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

//  Which notifications the actor may see: *party ($1, NULL: any) and
//  *unit ($2, NULL: any).  Only the auditor picks (body recipient, unit);
//  anyone else naming one is refused: the filter never widens what it
//  sees.  The admin has no inbox (a party nobody is: nothing matches).
static yjc_result_t
s_scope (yjc_ctx_t *ctx,
         const msgpack_object *body,
         const char **party,
         const char **unit,
         char *unit_buf,
         size_t unit_size)
{
    char recipient[17];
    yjc_obj_strcpy (body, "recipient", recipient, sizeof recipient);
    yjc_obj_strcpy (body, "unit", unit_buf, unit_size);
    int role = ctx->actor->role;
    *party = NULL;
    *unit = NULL;
    if (role != YJC_ROLE_AUDITOR && (*recipient || *unit_buf))
        return yjc_ctx_fail (ctx,
                             YJC_E_FORBIDDEN,
                             *recipient ? "body.recipient" : "body.unit",
                             "only the auditor picks a recipient");
    if (role == YJC_ROLE_AUDITOR) {
        int p = *recipient ? yjc_party_by_code (recipient) : -1;
        if (*recipient && p < 0)
            return yjc_ctx_fail (ctx,
                                 YJC_E_INVALID_VALUE,
                                 "body.recipient",
                                 "a party: unit, bureau or vendor");
        *party = p >= 0 ? yjc_parties[p].code : NULL;
        *unit = *unit_buf ? unit_buf : NULL;
        return YJC_OK;
    }
    if (role == YJC_ROLE_UNIT) {
        *party = yjc_parties[YJC_PARTY_UNIT].code;
        *unit = ctx->actor->unit;
    }
    else if (role == YJC_ROLE_BUREAU)
        *party = yjc_parties[YJC_PARTY_BUREAU].code;
    else if (role == YJC_ROLE_VENDOR)
        *party = yjc_parties[YJC_PARTY_VENDOR].code;
    else
        *party = "";
    return YJC_OK;
}

#define S_SCOPE_SQL                                                            \
    " ($1::text IS NULL OR n.recipient = $1)"                                  \
    " AND ($2::text IS NULL OR n.unit = $2)"

//  inbox.list - newest first, paged by `before` (an id); `unread` only
//  those the actor has not marked read.
yjc_result_t
inbox_list (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const char *party, *unit;
    char unit_buf[129];
    yjc_result_t rc =
        s_scope (ctx, body, &party, &unit, unit_buf, sizeof unit_buf);
    if (rc != YJC_OK)
        return rc;
    int64_t limit = 50, before = 0;
    yjc_obj_int (body, "limit", &limit);
    yjc_obj_int (body, "before", &before);
    char limit_s[24], before_s[24];
    snprintf (limit_s, sizeof limit_s, "%lld", (long long)limit);
    snprintf (before_s, sizeof before_s, "%lld", (long long)before);
    const char *params[] = { party,
                             unit,
                             ctx->actor->name,
                             s_flag (body, "unread") ? "t" : "f",
                             before > 0 ? before_s : NULL,
                             limit_s };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT n.id::text, n.type, n.title, n.body, coalesce(n.app_id, ''),"
        " n.recipient, coalesce(n.unit, ''),"
        " to_char(n.created_at AT TIME ZONE 'Asia/Shanghai',"
        " 'YYYY-MM-DD HH24:MI'),"
        " coalesce(to_char(r.read_at AT TIME ZONE 'Asia/Shanghai',"
        " 'YYYY-MM-DD HH24:MI'), '')"
        " FROM notifications n LEFT JOIN notification_reads r"
        " ON r.id = n.id AND r.actor = $3"
        " WHERE" S_SCOPE_SQL " AND (NOT $4::bool OR r.id IS NULL)"
        " AND ($5::bigint IS NULL OR n.id < $5::bigint)"
        " ORDER BY n.id DESC LIMIT $6::int",
        6,
        params);
    if (!res)
        return YJC_DB_ERROR;
    static const yjc_col_t cols[] = {
        { "id", YJC_COL_INT },       { "type", YJC_COL_TEXT },
        { "title", YJC_COL_TEXT },   { "body", YJC_COL_TEXT },
        { "app_id", YJC_COL_TEXT },  { "recipient", YJC_COL_TEXT },
        { "unit", YJC_COL_TEXT },    { "at", YJC_COL_TEXT },
        { "read_at", YJC_COL_TEXT },
    };
    int rows = PQntuples (res);
    msgpack_pack_map (ctx->reply, 2);
    yjc_pk_str (ctx->reply, "notifications");
    msgpack_pack_array (ctx->reply, rows);
    for (int i = 0; i < rows; i++) {
        msgpack_pack_map (ctx->reply, 10);
        yjc_pk_columns (ctx->reply, res, i, cols, 9);
        yjc_pk_kv_bool (ctx->reply, "read", *PQgetvalue (res, i, 8) != 0);
    }
    PQclear (res);
    //  how many are unread in all (not only this page)
    const char *cparams[] = { party, unit, ctx->actor->name };
    res = yjc_db_query (ctx->db,
                        "SELECT count(*)::text FROM notifications n"
                        " WHERE" S_SCOPE_SQL " AND NOT EXISTS (SELECT 1 FROM"
                        " notification_reads r WHERE r.id = n.id"
                        " AND r.actor = $3)",
                        3,
                        cparams);
    if (!res)
        return YJC_DB_ERROR;
    yjc_pk_kv_int (
        ctx->reply, "unread", strtoll (PQgetvalue (res, 0, 0), NULL, 10));
    PQclear (res);
    return YJC_OK;
}

//  The ids of inbox.read as a bigint[] literal; YJC_FAIL on one that is
//  not a number.
static yjc_result_t
s_ids (yjc_ctx_t *ctx, const msgpack_object *ids, char *out, size_t size)
{
    size_t used = (size_t)snprintf (out, size, "{");
    for (uint32_t i = 0; i < ids->via.array.size; i++) {
        const msgpack_object *o = &ids->via.array.ptr[i];
        char field[32];
        snprintf (field, sizeof field, "body.ids[%u]", i);
        uint32_t len = o->via.str.size;
        bool digits = len > 0 && len <= 18;
        for (uint32_t k = 0; digits && k < len; k++)
            digits = o->via.str.ptr[k] >= '0' && o->via.str.ptr[k] <= '9';
        if (!digits)
            return yjc_ctx_fail (ctx,
                                 YJC_E_INVALID_VALUE,
                                 field,
                                 "a notification id is a number");
        used += (size_t)snprintf (out + used,
                                  size - used,
                                  "%s%.*s",
                                  i ? "," : "",
                                  (int)len,
                                  o->via.str.ptr);
    }
    snprintf (out + used, size - used, "}");
    return YJC_OK;
}

//  inbox.read - marks `ids` (each one the actor may see, or nothing is
//  marked) or all of the actor's notifications read, for this actor.
yjc_result_t
inbox_read (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const char *party, *unit;
    char unit_buf[129];
    yjc_result_t rc =
        s_scope (ctx, body, &party, &unit, unit_buf, sizeof unit_buf);
    if (rc != YJC_OK)
        return rc;
    const msgpack_object *ids = yjc_obj_get (body, "ids");
    bool all = s_flag (body, "all");
    if (!ids && !all)
        return yjc_ctx_fail (
            ctx, YJC_E_MISSING_FIELD, "body.ids", "ids, or all");
    char list[500 * 20 + 4] = "{}";
    if (ids && (rc = s_ids (ctx, ids, list, sizeof list)) != YJC_OK)
        return rc;
    const char *params[] = {
        party, unit, ctx->actor->name, all ? NULL : list, ctx->now_iso
    };
    if (!all) {
        //  an id the actor may not see is not found, whoever's it is
        const char *check[] = { party, unit, list };
        PGresult *res = yjc_db_query (
            ctx->db,
            "SELECT min(x)::text FROM unnest($3::bigint[]) AS x"
            " WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = x"
            " AND" S_SCOPE_SQL ")",
            3,
            check);
        if (!res)
            return YJC_DB_ERROR;
        char missing[24];
        yjc_db_copy (res, 0, 0, missing, sizeof missing);
        PQclear (res);
        if (*missing)
            return yjc_ctx_fail (
                ctx, YJC_E_NOT_FOUND, "body.ids", "%s", missing);
    }
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH m AS (INSERT INTO notification_reads (id, actor, read_at)"
        " SELECT n.id, $3, $5::timestamptz FROM notifications n "
        "WHERE" S_SCOPE_SQL
        " AND ($4::bigint[] IS NULL OR n.id = ANY ($4::bigint[]))"
        " ON CONFLICT (id, actor) DO NOTHING RETURNING 1)"
        " SELECT count(*)::text FROM m",
        5,
        params);
    if (!res)
        return YJC_DB_ERROR;
    msgpack_pack_map (ctx->reply, 1);
    yjc_pk_kv_int (
        ctx->reply, "marked", strtoll (PQgetvalue (res, 0, 0), NULL, 10));
    PQclear (res);
    return YJC_OK;
}
