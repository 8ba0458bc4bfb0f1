/*  upload.c - materials (R8) between a browser and intake: a multipart
    file part streamed to a temp file and hashed as it arrives, then sent
    to intake as the signed-in person in 256 KiB chunks, each repeating
    the file's SHA-256, size, name and media type (as the CLI's
    files_upload does); and a stored material read back for download,
    checked against its SHA-256.                                         */
#include "page.h"

#define CHUNK (256 * 1024) //  = proto attachment_put.data

//  R8: the bound of one material is attachment.put's `size` in proto/.
int64_t
page_upload_max (void)
{
    for (const yjc_field_t *f = yjc_schema_attachment_put.fields; f->key; f++)
        if (streq (f->key, "size"))
            return f->max;
    return 0;
}

//  The media types attachment.put accepts, by file extension (the same
//  list as the CLI's files.c; the service refuses any other).
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
page_media_type (const char *name)
{
    const char *dot = strrchr (name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof s_media_types / sizeof *s_media_types; i++)
        if (strcasecmp (dot + 1, s_media_types[i].ext) == 0)
            return s_media_types[i].media_type;
    return NULL;
}

bool
page_upload_write (page_upload_t *self, const char *data, size_t size)
{
    if (self->size + (int64_t)size > page_upload_max ())
        return false;
    if (!self->file) {
        self->file = tmpfile ();
        crypto_hash_sha256_init (&self->sha);
    }
    if (!self->file || fwrite (data, 1, size, self->file) != size)
        return false;
    crypto_hash_sha256_update (&self->sha, (const unsigned char *)data, size);
    self->size += (int64_t)size;
    return true;
}

void
page_uploads_finish (zhash_t *form)
{
    for (void *v = zhash_first (form); v; v = zhash_next (form)) {
        const char *key = zhash_cursor (form);
        if (strncmp (key, PAGE_FILE_KEY, strlen (PAGE_FILE_KEY)) != 0)
            continue;
        page_upload_t *up = (page_upload_t *)v;
        if (up->file && !*up->sha256) {
            unsigned char digest[crypto_hash_sha256_BYTES];
            crypto_hash_sha256_final (&up->sha, digest);
            sodium_bin2hex (
                up->sha256, sizeof up->sha256, digest, sizeof digest);
        }
    }
}

void
page_upload_free (void *self)
{
    page_upload_t *up = (page_upload_t *)self;
    if (up && up->file)
        fclose (up->file);
    free (up);
}

page_upload_t *
page_upload (zhash_t *form, const char *field)
{
    char key[160];
    snprintf (key, sizeof key, "%s%s", PAGE_FILE_KEY, field);
    page_upload_t *up = (page_upload_t *)zhash_lookup (form, key);
    //  an empty file input is sent as a part with no name and no bytes
    return up && up->file && up->size > 0 && *up->sha256 ? up : NULL;
}

int
page_upload_send (const session_t *s,
                  page_upload_t *up,
                  char att_id[33],
                  char *why,
                  size_t why_size)
{
    *att_id = 0;
    const char *media = page_media_type (up->name);
    if (!media) {
        snprintf (why,
                  why_size,
                  "文件“%s”的类型不受理（可用：pdf ofd doc docx xls xlsx "
                  "zip png jpg txt）",
                  up->name);
        return -1;
    }
    unsigned char *chunk = (unsigned char *)malloc (CHUNK);
    rewind (up->file);
    int rc = 0;
    bool complete = false;
    for (int64_t off = 0; chunk && off < up->size && !complete && rc == 0;) {
        size_t n = fread (chunk, 1, CHUNK, up->file);
        if (n == 0) {
            rc = -1;
            break;
        }
        yjc_pack_t body;
        yjc_pack_init (&body);
        msgpack_pack_map (&body.pk, 6);
        yjc_pk_kv_str (&body.pk, "sha256", up->sha256);
        yjc_pk_kv_int (&body.pk, "size", up->size);
        yjc_pk_kv_str (&body.pk, "name", up->name);
        yjc_pk_kv_str (&body.pk, "media_type", media);
        yjc_pk_kv_int (&body.pk, "offset", off);
        yjc_pk_str (&body.pk, "data");
        msgpack_pack_bin (&body.pk, n);
        msgpack_pack_bin_body (&body.pk, chunk, n);
        yjc_reply_t reply;
        const msgpack_object *b =
            page_call (s, YJC_SVC_INTAKE, "attachment.put", &body, &reply);
        yjc_pack_release (&body);
        if (b) {
            const msgpack_object *c = yjc_obj_get (b, "complete");
            complete = c && c->type == MSGPACK_OBJECT_BOOLEAN && c->via.boolean;
            yjc_obj_strcpy (b, "att_id", att_id, 33);
        }
        else {
            snprintf (why,
                      why_size,
                      "文件“%s”上传失败：%s",
                      up->name,
                      *reply.code ? reply.message : "服务暂时没有应答");
            rc = -1;
        }
        yjc_reply_release (&reply);
        off += (int64_t)n;
    }
    free (chunk);
    if (rc == 0 && !*att_id) {
        snprintf (why, why_size, "文件“%s”上传不完整", up->name);
        rc = -1;
    }
    return rc;
}
