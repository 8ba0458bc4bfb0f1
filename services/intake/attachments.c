/*  attachments.c - the materials of an application (R8).

    A file travels in chunks of at most 256 KiB (a frame is bounded at
    1 MiB) and is at most 20 MiB.  Within its unit a file is known by its
    SHA-256, so every chunk is idempotent: a retried chunk is found equal
    and changes nothing, a resumed upload continues where it stopped, and
    a chunk that differs from the stored one at its offset rewrites the
    upload from there (the sender knows its file better than we do).  The
    last chunk assembles the file, and it is kept only if PostgreSQL's
    sha256() of what was received is the one declared.                  */
#include "attachments.h"
#include <stdio.h>
#include <string.h>

//  One upload as stored: its id, declared size, bytes so far.
typedef struct {
    char att_id[33];
    int64_t size, received;
    bool complete;
} s_upload_t;

//  A file as events and replies describe it (proto's attachment_info).
static const yjc_col_t s_info_cols[] = {
    { "att_id", YJC_COL_TEXT }, { "kind", YJC_COL_TEXT },
    { "name", YJC_COL_TEXT },   { "media_type", YJC_COL_TEXT },
    { "size", YJC_COL_INT },    { "sha256", YJC_COL_TEXT },
};
#define S_INFO_COLS (int)(sizeof s_info_cols / sizeof *s_info_cols)

//  Finds the unit's upload of this file, or begins it; locks the row so
//  that a retried chunk waits for the first to finish.  `found` is false
//  when a concurrent first chunk of the same file won the race.
static yjc_result_t
s_open (yjc_ctx_t *ctx, const msgpack_object *body, s_upload_t *up, bool *found)
{
    char sha[65], name[256], media[128], size[24];
    int64_t n = 0;
    yjc_obj_strcpy (body, "sha256", sha, sizeof sha);
    yjc_obj_strcpy (body, "name", name, sizeof name);
    yjc_obj_strcpy (body, "media_type", media, sizeof media);
    yjc_obj_int (body, "size", &n);
    snprintf (size, sizeof size, "%lld", (long long)n);
    const char *params[] = {
        ctx->actor->unit, sha, ctx->actor->name, name, media, size, ctx->now_iso
    };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH s AS (SELECT att_id, size, received, complete FROM attachments"
        "  WHERE unit = $1 AND sha256 = $2 FOR UPDATE),"
        " i AS (INSERT INTO attachments (att_id, unit, uploaded_by, name,"
        "  media_type, size, sha256, created_at)"
        "  SELECT yjc_new_id('F', 'attachment_seq'), $1, $3, $4, $5,"
        "   $6::bigint, $2, $7 WHERE NOT EXISTS (SELECT 1 FROM s)"
        "  ON CONFLICT (unit, sha256) DO NOTHING"
        "  RETURNING att_id, size, received, complete)"
        " SELECT att_id, size::text, received::text, complete::text FROM s"
        " UNION ALL SELECT att_id, size::text, received::text,"
        " complete::text FROM i",
        7,
        params);
    if (!res)
        return YJC_DB_ERROR;
    *found = PQntuples (res) > 0;
    if (*found) {
        snprintf (up->att_id, sizeof up->att_id, "%s", PQgetvalue (res, 0, 0));
        up->size = atoll (PQgetvalue (res, 0, 1));
        up->received = atoll (PQgetvalue (res, 0, 2));
        up->complete = strcmp (PQgetvalue (res, 0, 3), "true") == 0;
    }
    PQclear (res);
    return YJC_OK;
}

//  A chunk before the end of what is stored: `same` when it is the
//  stored one (a retry); when it differs the upload is cut back to its
//  offset.  YJC_FAIL when no stored chunk starts there.
static yjc_result_t
s_replay (yjc_ctx_t *ctx,
          s_upload_t *up,
          int64_t offset,
          const char *data,
          size_t len,
          bool *same)
{
    char off[24];
    snprintf (off, sizeof off, "%lld", (long long)offset);
    const char *params[] = { up->att_id, off, data };
    const int lengths[] = { 0, 0, (int)len };
    const int formats[] = { 0, 0, 1 };
    PGresult *res =
        yjc_db_query_bin (ctx->db,
                          "SELECT (data = $3)::text FROM attachment_chunks"
                          " WHERE att_id = $1 AND off = $2::bigint",
                          3,
                          params,
                          lengths,
                          formats);
    if (!res)
        return YJC_DB_ERROR;
    int rows = PQntuples (res);
    *same = rows && strcmp (PQgetvalue (res, 0, 0), "true") == 0;
    PQclear (res);
    if (!rows)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.offset",
                             "no chunk of this upload starts at %lld; the"
                             " next one starts at %lld",
                             (long long)offset,
                             (long long)up->received);
    if (*same)
        return YJC_OK;
    const char *cut[] = { up->att_id, off };
    if (yjc_db_exec (ctx->db,
                     "DELETE FROM attachment_chunks"
                     " WHERE att_id = $1 AND off >= $2::bigint",
                     2,
                     cut) < 0)
        return YJC_DB_ERROR;
    up->received = offset;
    return YJC_OK;
}

static yjc_result_t
s_store_chunk (yjc_ctx_t *ctx, s_upload_t *up, const char *data, size_t len)
{
    char off[24], end[24];
    snprintf (off, sizeof off, "%lld", (long long)up->received);
    snprintf (
        end, sizeof end, "%lld", (long long)(up->received + (int64_t)len));
    const char *params[] = { up->att_id, off, data, end };
    const int lengths[] = { 0, 0, (int)len, 0 };
    const int formats[] = { 0, 0, 1, 0 };
    PGresult *res = yjc_db_query_bin (
        ctx->db,
        "WITH c AS (INSERT INTO attachment_chunks (att_id, off, data)"
        " VALUES ($1, $2::bigint, $3))"
        " UPDATE attachments SET received = $4::bigint WHERE att_id = $1",
        4,
        params,
        lengths,
        formats);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    up->received += (int64_t)len;
    return YJC_OK;
}

//  The last chunk: assembles the file and keeps it if its SHA-256 is the
//  one declared (otherwise nothing of this request is kept), announces it.
static yjc_result_t
s_finish (yjc_ctx_t *ctx, s_upload_t *up)
{
    const char *params[] = { up->att_id, ctx->now_iso };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH whole AS (SELECT string_agg(data, ''::bytea ORDER BY off)"
        "  AS data FROM attachment_chunks WHERE att_id = $1)"
        " UPDATE attachments a SET data = whole.data, complete = true,"
        "  completed_at = $2"
        " FROM whole WHERE a.att_id = $1"
        "  AND encode(sha256(whole.data), 'hex') = a.sha256"
        " RETURNING a.att_id, a.name, a.media_type, a.size::text, a.sha256,"
        "  a.unit",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) == 0) {
        PQclear (res);
        return yjc_ctx_fail (ctx,
                             YJC_E_CHECKSUM_MISMATCH,
                             "body.sha256",
                             "the %lld bytes received do not hash to it;"
                             " send the file again from offset 0",
                             (long long)up->size);
    }
    static const yjc_col_t cols[] = {
        { "att_id", YJC_COL_TEXT },     { "name", YJC_COL_TEXT },
        { "media_type", YJC_COL_TEXT }, { "size", YJC_COL_INT },
        { "sha256", YJC_COL_TEXT },     { "unit", YJC_COL_TEXT },
    };
    yjc_pack_t ev;
    yjc_pack_init (&ev);
    yjc_pk_row (&ev.pk, res, 0, cols, 6);
    PQclear (res);
    yjc_result_t rc = yjc_ctx_emit (ctx, YJC_EV_ATTACHMENT_STORED, NULL, &ev);
    yjc_pack_release (&ev);
    if (rc != YJC_OK)
        return rc;
    const char *del[] = { up->att_id };
    if (yjc_db_exec (ctx->db,
                     "DELETE FROM attachment_chunks WHERE att_id = $1",
                     1,
                     del) < 0)
        return YJC_DB_ERROR;
    up->complete = true;
    return YJC_OK;
}

static void
s_reply_upload (yjc_ctx_t *ctx, const s_upload_t *up)
{
    msgpack_pack_map (ctx->reply, 4);
    yjc_pk_kv_str (ctx->reply, "att_id", up->att_id);
    yjc_pk_kv_int (ctx->reply, "size", up->size);
    yjc_pk_kv_int (ctx->reply, "received", up->received);
    yjc_pk_kv_bool (ctx->reply, "complete", up->complete);
}

//  attachment.put - R8: one chunk of a material, in order.
yjc_result_t
attachments_put (yjc_ctx_t *ctx, const msgpack_object *body)
{
    const msgpack_object *data = yjc_obj_get (body, "data");
    const char *bytes = data->via.bin.ptr;
    size_t len = data->via.bin.size;
    int64_t size = 0, offset = 0;
    yjc_obj_int (body, "size", &size);
    yjc_obj_int (body, "offset", &offset);
    if (offset + (int64_t)len > size)
        return yjc_ctx_fail (ctx,
                             YJC_E_OUT_OF_RANGE,
                             "body.data",
                             "the chunk ends at %lld, past the file's %lld"
                             " bytes",
                             (long long)(offset + (int64_t)len),
                             (long long)size);
    s_upload_t up;
    bool found = false, same = false;
    yjc_result_t rc = s_open (ctx, body, &up, &found);
    if (rc != YJC_OK)
        return rc;
    if (!found)
        return yjc_ctx_fail (ctx,
                             YJC_E_UNAVAILABLE,
                             "body.sha256",
                             "this file is being uploaded by another"
                             " request; try again");
    if (up.size != size)
        return yjc_ctx_fail (ctx,
                             YJC_E_INVALID_VALUE,
                             "body.size",
                             "this file (by its sha256) was begun as %lld"
                             " bytes",
                             (long long)up.size);
    if (!up.complete) {
        if (offset < up.received)
            rc = s_replay (ctx, &up, offset, bytes, len, &same);
        else if (offset > up.received)
            return yjc_ctx_fail (ctx,
                                 YJC_E_INVALID_VALUE,
                                 "body.offset",
                                 "the next chunk starts at %lld",
                                 (long long)up.received);
        if (rc != YJC_OK)
            return rc;
        if (!same && (rc = s_store_chunk (ctx, &up, bytes, len)) != YJC_OK)
            return rc;
        if (up.received == up.size && (rc = s_finish (ctx, &up)) != YJC_OK)
            return rc;
    }
    s_reply_upload (ctx, &up);
    return YJC_OK;
}

//  attachment.get - up to 256 KiB from `offset`; a unit gets only its own
//  unit's files (not_found otherwise), the vendor only those a problem
//  report named (R15), the bureau and the auditor any.
yjc_result_t
attachments_get (yjc_ctx_t *ctx, const msgpack_object *body)
{
    char att_id[33], off[24];
    int64_t offset = 0;
    yjc_obj_strcpy (body, "att_id", att_id, sizeof att_id);
    yjc_obj_int (body, "offset", &offset);
    snprintf (off, sizeof off, "%lld", (long long)offset);
    const char *params[] = { att_id, off };
    PGresult *res = yjc_db_query_raw (
        ctx->db,
        "SELECT unit, att_id, name, media_type, size::text, sha256,"
        " to_char(completed_at, 'YYYY-MM-DD HH24:MI:SS'), $2::int::text,"
        " substring(data FROM $2::int + 1 FOR 262144),"
        " complete::text, received::text, EXISTS (SELECT 1 FROM"
        " vendor_shares s WHERE s.att_id = a.att_id)::text"
        " FROM attachments a WHERE att_id = $1",
        2,
        params,
        NULL,
        NULL);
    yjc_result_t rc = yjc_ctx_found (ctx, res, "body.att_id", att_id);
    if (rc != YJC_OK)
        return rc;
    if (ctx->actor->role == YJC_ROLE_VENDOR &&
        strcmp (PQgetvalue (res, 0, 11), "true") != 0) {
        PQclear (res);
        return yjc_ctx_fail (ctx, YJC_E_NOT_FOUND, "body.att_id", "%s", att_id);
    }
    int64_t size = atoll (PQgetvalue (res, 0, 4));
    bool complete = strcmp (PQgetvalue (res, 0, 9), "true") == 0;
    int64_t received = atoll (PQgetvalue (res, 0, 10));
    if (!complete || offset >= size) {
        PQclear (res);
        if (!complete)
            return yjc_ctx_fail (ctx,
                                 YJC_E_INVALID_STATE,
                                 "body.att_id",
                                 "upload incomplete: %lld of %lld bytes",
                                 (long long)received,
                                 (long long)size);
        return yjc_ctx_fail (ctx,
                             YJC_E_OUT_OF_RANGE,
                             "body.offset",
                             "the file has %lld bytes",
                             (long long)size);
    }
    static const yjc_col_t cols[] = {
        { "unit", YJC_COL_TEXT },        { "att_id", YJC_COL_TEXT },
        { "name", YJC_COL_TEXT },        { "media_type", YJC_COL_TEXT },
        { "size", YJC_COL_INT },         { "sha256", YJC_COL_TEXT },
        { "uploaded_at", YJC_COL_TEXT }, { "offset", YJC_COL_INT },
        { "data", YJC_COL_BIN },
    };
    yjc_pk_row (ctx->reply, res, 0, cols, 9);
    PQclear (res);
    return YJC_OK;
}

//  problem.reported - R15: the files it names become the vendor's to read.
yjc_result_t
attachments_on_problem (yjc_ctx_t *ctx, const yjc_event_in_t *ev)
{
    char problem_id[33];
    yjc_obj_strcpy (ev->payload, "problem_id", problem_id, sizeof problem_id);
    const msgpack_object *list = yjc_obj_get (ev->payload, "attachments");
    for (uint32_t i = 0;
         list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size;
         i++) {
        const msgpack_object *o = &list->via.array.ptr[i];
        char att_id[33];
        if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= sizeof att_id)
            continue;
        snprintf (att_id,
                  sizeof att_id,
                  "%.*s",
                  (int)o->via.str.size,
                  o->via.str.ptr);
        const char *params[] = { att_id, problem_id };
        //  (an id intake does not have is nothing to share)
        if (yjc_db_exec (ctx->db,
                         "INSERT INTO vendor_shares (att_id, problem_id)"
                         " SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM"
                         " attachments WHERE att_id = $1)"
                         " ON CONFLICT DO NOTHING",
                         2,
                         params) < 0)
            return YJC_DB_ERROR;
    }
    return YJC_OK;
}

/* ---- the materials of an application ---------------------------------- */

//  The att_ids of application.submit's `attachments`, and their kinds.
typedef struct {
    uint32_t count;
    const char *att_ids[32];
    const char *kinds[32];
    char buf[32][2][33];
} s_refs_t;

static void
s_refs (const msgpack_object *attachments, s_refs_t *refs)
{
    refs->count = 0;
    if (!attachments || attachments->type != MSGPACK_OBJECT_ARRAY)
        return;
    for (uint32_t i = 0; i < attachments->via.array.size && i < 32; i++) {
        const msgpack_object *item = &attachments->via.array.ptr[i];
        refs->att_ids[i] = yjc_obj_strcpy (item, "att_id", refs->buf[i][0], 33);
        refs->kinds[i] = yjc_obj_strcpy (item, "kind", refs->buf[i][1], 33);
        refs->count++;
    }
}

//  The stored files of these ids, whoever's: one statement, and an index
//  att_id -> row + 1 of its result.  NULL (no result) on a database error.
static PGresult *
s_fetch (yjc_ctx_t *ctx, const char **att_ids, size_t count, zhashx_t *rows)
{
    char *ids = yjc_db_array_literal (att_ids, count);
    const char *params[] = { ids };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT att_id, complete::text, received::text, size::text, name,"
        " media_type, sha256, unit FROM attachments"
        " WHERE att_id = ANY ($1::text[])",
        1,
        params);
    free (ids);
    for (int r = 0; res && r < PQntuples (res); r++)
        zhashx_insert (rows, PQgetvalue (res, r, 0), (void *)(intptr_t)(r + 1));
    return res;
}

//  Checks that every file `refs` names is `unit`'s own and complete
//  (problems go to `problems`); with `info`, packs there the array of
//  their descriptions (proto's attachment_info, with the kind).
static void
s_describe (PGresult *res,
            zhashx_t *rows,
            const char *unit,
            const s_refs_t *refs,
            yjc_problems_t *problems,
            yjc_pack_t *info)
{
    if (info)
        msgpack_pack_array (&info->pk, refs->count);
    for (uint32_t i = 0; i < refs->count; i++) {
        int row = (int)(intptr_t)zhashx_lookup (rows, refs->att_ids[i]) - 1;
        //  another unit's file is not revealed either
        if (row >= 0 && strcmp (PQgetvalue (res, row, 7), unit) != 0)
            row = -1;
        char field[64];
        snprintf (field, sizeof field, "body.attachments[%u].att_id", i);
        if (row < 0)
            yjc_problems_add (
                problems, YJC_E_NOT_FOUND, field, "%s", refs->att_ids[i]);
        else if (strcmp (PQgetvalue (res, row, 1), "true") != 0)
            yjc_problems_add (problems,
                              YJC_E_INVALID_STATE,
                              field,
                              "upload incomplete: %s of %s bytes",
                              PQgetvalue (res, row, 2),
                              PQgetvalue (res, row, 3));
        else if (info) {
            msgpack_pack_map (&info->pk, 6);
            yjc_pk_kv_str (&info->pk, "att_id", refs->att_ids[i]);
            yjc_pk_kv_str (&info->pk, "kind", refs->kinds[i]);
            yjc_pk_kv_str (&info->pk, "name", PQgetvalue (res, row, 4));
            yjc_pk_kv_str (&info->pk, "media_type", PQgetvalue (res, row, 5));
            yjc_pk_kv_int (&info->pk, "size", atoll (PQgetvalue (res, row, 3)));
            yjc_pk_kv_str (&info->pk, "sha256", PQgetvalue (res, row, 6));
        }
    }
}

yjc_result_t
attachments_check (yjc_ctx_t *ctx,
                   const msgpack_object *attachments,
                   yjc_pack_t *info)
{
    s_refs_t refs;
    s_refs (attachments, &refs);
    if (refs.count == 0) {
        if (info)
            msgpack_pack_array (&info->pk, 0);
        return YJC_OK;
    }
    zhashx_t *rows = zhashx_new ();
    PGresult *res = s_fetch (ctx, refs.att_ids, refs.count, rows);
    if (res)
        s_describe (res, rows, ctx->actor->unit, &refs, ctx->problems, info);
    zhashx_destroy (&rows);
    if (!res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
attachments_check_many (yjc_ctx_t *ctx,
                        yjc_request_in_t *reqs,
                        int count,
                        yjc_pack_t *infos)
{
    s_refs_t *refs = (s_refs_t *)zmalloc (count * sizeof (s_refs_t));
    const char **ids = (const char **)zmalloc (count * 32 * sizeof (char *));
    size_t nids = 0;
    for (int k = 0; k < count; k++) {
        s_refs (yjc_obj_get (reqs[k].body, "attachments"), &refs[k]);
        for (uint32_t i = 0; i < refs[k].count; i++)
            ids[nids++] = refs[k].att_ids[i];
    }
    zhashx_t *rows = zhashx_new ();
    PGresult *res = nids ? s_fetch (ctx, ids, nids, rows) : NULL;
    for (int k = 0; (res || !nids) && k < count; k++)
        if (!reqs[k].refused) {
            s_describe (res,
                        rows,
                        reqs[k].actor->unit,
                        &refs[k],
                        reqs[k].problems,
                        &infos[k]);
            reqs[k].refused = reqs[k].problems->count > 0;
        }
    zhashx_destroy (&rows);
    free (ids);
    free (refs);
    if (nids && !res)
        return YJC_DB_ERROR;
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
attachments_check_one (yjc_ctx_t *ctx, const char *att_id, const char *field)
{
    const char *params[] = { ctx->actor->unit, att_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT complete::text, received::text, size::text FROM attachments"
        " WHERE unit = $1 AND att_id = $2",
        2,
        params);
    if (!res)
        return YJC_DB_ERROR;
    if (PQntuples (res) == 0)
        yjc_problems_add (ctx->problems, YJC_E_NOT_FOUND, field, "%s", att_id);
    else if (strcmp (PQgetvalue (res, 0, 0), "true") != 0)
        yjc_problems_add (ctx->problems,
                          YJC_E_INVALID_STATE,
                          field,
                          "upload incomplete: %s of %s bytes",
                          PQgetvalue (res, 0, 1),
                          PQgetvalue (res, 0, 2));
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
attachments_link (yjc_ctx_t *ctx,
                  const char *app_id,
                  const msgpack_object *attachments,
                  yjc_map_t *map,
                  const char *key)
{
    s_refs_t refs;
    s_refs (attachments, &refs);
    char *ids = yjc_db_array_literal (refs.att_ids, refs.count);
    char *kinds = yjc_db_array_literal (refs.kinds, refs.count);
    const char *params[] = { app_id, kinds, ids };
    PGresult *res = yjc_db_query (
        ctx->db,
        "WITH m AS (INSERT INTO materials (app_id, kind, att_id)"
        "  SELECT $1, k, a FROM unnest ($2::text[], $3::text[]) AS u (k, a)"
        "  ON CONFLICT DO NOTHING RETURNING kind, att_id)"
        " SELECT a.att_id, m.kind, a.name, a.media_type, a.size::text,"
        "  a.sha256 FROM m JOIN attachments a USING (att_id)"
        " ORDER BY m.kind, a.att_id",
        3,
        params);
    free (ids);
    free (kinds);
    if (!res)
        return YJC_DB_ERROR;
    yjc_pk_rows (yjc_map_entry (map), key, res, s_info_cols, S_INFO_COLS);
    PQclear (res);
    return YJC_OK;
}

yjc_result_t
attachments_pack_materials (yjc_ctx_t *ctx,
                            const char *app_id,
                            const msgpack_object *submitted,
                            msgpack_packer *pk,
                            const char *key)
{
    const char *params[] = { app_id };
    PGresult *res = yjc_db_query (
        ctx->db,
        "SELECT a.att_id, m.kind, a.name, a.media_type, a.size::text,"
        " a.sha256 FROM materials m JOIN attachments a USING (att_id)"
        " WHERE m.app_id = $1 ORDER BY m.kind, a.att_id",
        1,
        params);
    if (!res)
        return YJC_DB_ERROR;
    uint32_t n = submitted && submitted->type == MSGPACK_OBJECT_ARRAY
                     ? submitted->via.array.size
                     : 0;
    int rows = PQntuples (res);
    yjc_pk_str (pk, key);
    msgpack_pack_array (pk, n + (uint32_t)rows);
    for (uint32_t i = 0; i < n; i++)
        msgpack_pack_object (pk, submitted->via.array.ptr[i]);
    for (int r = 0; r < rows; r++)
        yjc_pk_row (pk, res, r, s_info_cols, S_INFO_COLS);
    PQclear (res);
    return YJC_OK;
}
