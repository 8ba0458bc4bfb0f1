/*  attachments.h - the materials of an application (R8): files uploaded
    in chunks, kept with size, SHA-256 and media type, downloaded again by
    the unit, the bureau and the auditor, and named by application.submit.  */
#ifndef ATTACHMENTS_H_INCLUDED
#define ATTACHMENTS_H_INCLUDED

#include "yjc_server.h"

//  attachment.put / attachment.get handlers.
yjc_result_t attachments_put (yjc_ctx_t *ctx, const msgpack_object *body);
yjc_result_t attachments_get (yjc_ctx_t *ctx, const msgpack_object *body);
//  problem.reported - R15: the files it names, readable by the vendor.
yjc_result_t attachments_on_problem (yjc_ctx_t *ctx, const yjc_event_in_t *ev);

//  Checks that every file `attachments` (application.submit's array, may
//  be NULL) names is the unit's own and complete; problems go to ctx.
//  With `info`, packs there the array of their descriptions (proto's
//  attachment_info, with the kind).  YJC_OK (problems or not) or
//  YJC_DB_ERROR.
yjc_result_t attachments_check (yjc_ctx_t *ctx,
                                const msgpack_object *attachments,
                                yjc_pack_t *info);

//  The same for the submissions of a run (yjc_requests_fn), with one
//  statement: a request whose files fail gets its problems and
//  `refused`; the others their descriptions in infos[k].
yjc_result_t attachments_check_many (yjc_ctx_t *ctx,
                                     yjc_request_in_t *reqs,
                                     int count,
                                     yjc_pack_t *infos);
//  The same for one file named at `field` (a go-live's report).
yjc_result_t attachments_check_one (yjc_ctx_t *ctx,
                                    const char *att_id,
                                    const char *field);

//  Records them as materials added to `app_id` later (a request's) and
//  adds `key` with their descriptions to `map`.
yjc_result_t attachments_link (yjc_ctx_t *ctx,
                               const char *app_id,
                               const msgpack_object *attachments,
                               yjc_map_t *map,
                               const char *key);

//  Packs `key` with the materials of `app_id` (for application.get):
//  those it was submitted with (`submitted`, its stored list, may be
//  NULL), then those its requests added.
yjc_result_t attachments_pack_materials (yjc_ctx_t *ctx,
                                         const char *app_id,
                                         const msgpack_object *submitted,
                                         msgpack_packer *pk,
                                         const char *key);

#endif
