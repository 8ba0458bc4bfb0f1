/*  files.c - materials between a local file and intake (R8).

    A file is read whole (at most 20 MiB), hashed with SHA-256 (libsodium,
    which CurveZMQ already links), and sent in 256 KiB chunks, each one
    repeating the file's hash, size, name and media type, so that intake
    needs no upload session: a chunk sent again is a no-op, and running
    the same upload again finishes one that was cut off.                 */
#include "files.h"
#include "yjc_pack.h"
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK (256 * 1024) //  = proto attachment_put.data

static const struct {
    const char *ext;
    const char *media_type;
} s_media_types[] = {
    { "pdf", "application/pdf" },
    { "ofd", "application/ofd" },
    { "doc", "application/msword" },
    { "docx",
      "application/vnd.openxmlformats-officedocument.wordprocessingml."
      "document" },
    { "xls", "application/vnd.ms-excel" },
    { "xlsx",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
    { "zip", "application/zip" },
    { "png", "image/png" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "txt", "text/plain" },
};

const char *
files_media_type (const char *path)
{
    const char *dot = strrchr (path, '.');
    if (!dot || strchr (dot, '/'))
        return NULL;
    for (size_t i = 0; i < sizeof s_media_types / sizeof *s_media_types; i++)
        if (strcasecmp (dot + 1, s_media_types[i].ext) == 0)
            return s_media_types[i].media_type;
    return NULL;
}

static const char *
s_basename (const char *path)
{
    const char *slash = strrchr (path, '/');
    return slash ? slash + 1 : path;
}

static void
s_sha256_hex (const unsigned char *data, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, data, len);
    sodium_bin2hex (hex, 65, digest, sizeof digest);
}

//  Reads the whole file; NULL (said why) when it cannot be a material.
static unsigned char *
s_read (const char *path, size_t *len)
{
    FILE *f = fopen (path, "rb");
    if (!f) {
        fprintf (stderr, "无法读取文件 %s：%s\n", path, strerror (errno));
        return NULL;
    }
    unsigned char *data = (unsigned char *)malloc (FILES_MAX_SIZE + 1);
    *len = data ? fread (data, 1, FILES_MAX_SIZE + 1, f) : 0;
    fclose (f);
    if (data && *len > 0 && *len <= FILES_MAX_SIZE)
        return data;
    fprintf (stderr,
             "文件 %s %s\n",
             path,
             *len ? "超过 20 MiB 上限" : "为空，不能作为申请材料");
    free (data);
    return NULL;
}

static int
s_put_chunk (yjc_client_t *client,
             int timeout_ms,
             const files_info_t *info,
             const char *name,
             const unsigned char *data,
             size_t offset,
             size_t len,
             yjc_reply_t *reply)
{
    yjc_pack_t body;
    yjc_pack_init (&body);
    msgpack_pack_map (&body.pk, 6);
    yjc_pk_kv_str (&body.pk, "sha256", info->sha256);
    yjc_pk_kv_int (&body.pk, "size", info->size);
    yjc_pk_kv_str (&body.pk, "name", name);
    yjc_pk_kv_str (&body.pk, "media_type", info->media_type);
    yjc_pk_kv_int (&body.pk, "offset", (int64_t)offset);
    yjc_pk_str (&body.pk, "data");
    msgpack_pack_bin (&body.pk, len);
    msgpack_pack_bin_body (&body.pk, data + offset, len);
    int rc = yjc_client_call (client,
                              "attachment.put",
                              body.buf.data,
                              body.buf.size,
                              timeout_ms,
                              reply);
    yjc_pack_release (&body);
    return rc != 0 ? 3 : reply->ok ? 0 : 1;
}

int
files_upload (yjc_client_t *client,
              int timeout_ms,
              const char *path,
              files_info_t *info,
              yjc_reply_t *reply)
{
    memset (info, 0, sizeof *info);
    info->media_type = files_media_type (path);
    if (!info->media_type) {
        fprintf (stderr,
                 "文件 %s 的类型不受理（可用：pdf ofd doc docx xls xlsx zip"
                 " png jpg txt）\n",
                 path);
        return 2;
    }
    size_t len = 0;
    unsigned char *data = s_read (path, &len);
    if (!data)
        return 2;
    info->size = (int64_t)len;
    s_sha256_hex (data, len, info->sha256);
    char name[256];
    snprintf (name, sizeof name, "%s", s_basename (path));
    //  In order, every chunk: what intake has already is acknowledged as
    //  it is, and a chunk that differs from what it has rewrites it.
    int rc = 0;
    bool complete = false;
    for (size_t off = 0; off < len && !complete && rc == 0; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        rc = s_put_chunk (client, timeout_ms, info, name, data, off, n, reply);
        if (rc == 0) {
            const msgpack_object *c = yjc_obj_get (reply->body, "complete");
            complete = c && c->type == MSGPACK_OBJECT_BOOLEAN && c->via.boolean;
            yjc_obj_strcpy (
                reply->body, "att_id", info->att_id, sizeof info->att_id);
        }
    }
    free (data);
    return rc;
}

//  Writes the downloaded bytes next to `path`, then renames: a file by
//  that name is only ever complete and checked.
static int
s_write (const char *path, const unsigned char *data, size_t len)
{
    char part[4200];
    snprintf (part, sizeof part, "%s.part", path);
    FILE *f = fopen (part, "wb");
    bool ok = f && fwrite (data, 1, len, f) == len;
    if (f && fclose (f) != 0)
        ok = false;
    if (ok && rename (part, path) == 0)
        return 0;
    fprintf (stderr, "无法写入 %s：%s\n", path, strerror (errno));
    remove (part);
    return 2;
}

int
files_download (yjc_client_t *client,
                int timeout_ms,
                const char *att_id,
                const char *path,
                files_info_t *info,
                yjc_reply_t *reply)
{
    memset (info, 0, sizeof *info);
    unsigned char *data = NULL;
    int64_t size = 1;
    char want[65] = "", name[256] = "";
    int rc = 0;
    for (int64_t off = 0; off < size && rc == 0;) {
        yjc_pack_t body;
        yjc_pack_init (&body);
        msgpack_pack_map (&body.pk, 2);
        yjc_pk_kv_str (&body.pk, "att_id", att_id);
        yjc_pk_kv_int (&body.pk, "offset", off);
        rc = yjc_client_call (client,
                              "attachment.get",
                              body.buf.data,
                              body.buf.size,
                              timeout_ms,
                              reply) != 0
                 ? 3
             : reply->ok ? 0
                         : 1;
        yjc_pack_release (&body);
        if (rc != 0)
            break;
        const msgpack_object *chunk = yjc_obj_get (reply->body, "data");
        int64_t n = 0;
        yjc_obj_int (reply->body, "size", &n);
        if (!data) {
            size = n;
            yjc_obj_strcpy (reply->body, "sha256", want, sizeof want);
            yjc_obj_strcpy (reply->body, "name", name, sizeof name);
            data = size > 0 && size <= FILES_MAX_SIZE
                       ? (unsigned char *)malloc ((size_t)size)
                       : NULL;
        }
        if (!data || n != size || !chunk || chunk->type != MSGPACK_OBJECT_BIN ||
            chunk->via.bin.size == 0 ||
            off + (int64_t)chunk->via.bin.size > size) {
            fprintf (stderr, "附件 %s 的应答不完整\n", att_id);
            rc = 2;
            break;
        }
        memcpy (data + off, chunk->via.bin.ptr, chunk->via.bin.size);
        off += (int64_t)chunk->via.bin.size;
    }
    if (rc == 0) {
        s_sha256_hex (data, (size_t)size, info->sha256);
        info->size = size;
        snprintf (info->att_id, sizeof info->att_id, "%s", att_id);
        const char *target = path ? path : s_basename (name);
        struct stat st;
        if (strcmp (info->sha256, want) != 0) {
            fprintf (stderr,
                     "附件 %s 校验失败：SHA-256 应为 %s，实为 %s\n",
                     att_id,
                     want,
                     info->sha256);
            rc = 2;
        }
        else if (!path && (!*target || stat (target, &st) == 0)) {
            fprintf (stderr,
                     "文件 %s 已存在（或无文件名），请用 --out 指定保存位置\n",
                     target);
            rc = 2;
        }
        else
            rc = s_write (target, data, (size_t)size);
    }
    free (data);
    return rc;
}
