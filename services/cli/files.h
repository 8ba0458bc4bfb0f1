/*  files.h - materials (R8) between a local file and intake: uploaded in
    chunks with the file's SHA-256, downloaded and checked against it.   */
#ifndef FILES_H_INCLUDED
#define FILES_H_INCLUDED

#include "yjc_client.h"

#define FILES_MAX_SIZE (20 * 1024 * 1024) //  = proto attachment_put.size

typedef struct {
    char att_id[33];
    char sha256[65];
    int64_t size;
    const char *media_type;
} files_info_t;

//  Uploads the file at `path`.  0 with `info` filled; 1 when intake
//  refused (its reply is in `reply`); 2 when the file cannot be used
//  (said on stderr); 3 when intake did not answer.
int files_upload (yjc_client_t *client,
                  int timeout_ms,
                  const char *path,
                  files_info_t *info,
                  yjc_reply_t *reply);

//  Downloads attachment `att_id` into `path` (NULL: its own name, in the
//  current directory; never over an existing file) and checks its
//  SHA-256.  Same returns as files_upload; `info` says what was written.
int files_download (yjc_client_t *client,
                    int timeout_ms,
                    const char *att_id,
                    const char *path,
                    files_info_t *info,
                    yjc_reply_t *reply);

//  The media type intake accepts for a file name, by its extension; NULL
//  when none.
const char *files_media_type (const char *path);

#endif
