/*  yjc_msg.h - the wire envelope (proto/README.md, "Envelope").

    request: {"v": 1, "id": str<=64, "type": str, "body": map}
    reply:   {"v": 1, "id": same, "ok": true, "body": map}
          or {"v": 1, "id": same, "ok": false,
              "error": {"code", "message", "field", "label", "detail",
                        "details"?}}                                      */
#ifndef YJC_MSG_H_INCLUDED
#define YJC_MSG_H_INCLUDED

#include "yjc_pack.h"
#include "yjc_proto.h"

typedef struct {
    msgpack_unpacked unpacked; //  owns every object below
    char *bytes;               //  our copy of the frame: msgpack-c
                               //  objects point into it (zero-copy)
    size_t len;                //  of the frame
    char id[YJC_MAX_ID + 1];   //  "" until it could be read
    int type;                  //  yjc_msg_type_t, -1 if unknown
    char type_wire[YJC_MAX_TYPE + 1];
    const msgpack_object *body; //  the body map, validated
} yjc_request_t;

void yjc_request_init (yjc_request_t *self);
void yjc_request_release (yjc_request_t *self);

//  Decodes one request frame: bounds, envelope, known type, a body.  The
//  body itself is checked once the sender may send the type
//  (yjc_form_check_body).  Returns 0 (with out->schema the body's), or -1
//  with the problems in `out` (self->id is filled whenever the frame
//  carried a readable id, so that the error reply can name it).
int yjc_request_decode (yjc_request_t *self,
                        const void *data,
                        size_t len,
                        yjc_problems_t *out);

//  Encodes a request; `body` is encoded msgpack (a map), NULL for {}.
void yjc_request_encode (yjc_pack_t *out,
                         const char *id,
                         const char *type,
                         const void *body,
                         size_t body_len);

//  Encodes replies.  `body` as above.
void yjc_reply_encode_ok (yjc_pack_t *out,
                          const char *id,
                          const void *body,
                          size_t body_len);
void yjc_reply_encode_error (yjc_pack_t *out,
                             const char *id,
                             const yjc_problems_t *problems);

typedef struct {
    msgpack_unpacked unpacked; //  owns every object below
    char *bytes;               //  our copy of the frame (see above)
    char id[YJC_MAX_ID + 1];
    bool ok;
    const msgpack_object *body; //  when ok
    char code[48];              //  when !ok
    char field[128];
    char message[512];
    const msgpack_object *error; //  the whole error map, when !ok
} yjc_reply_t;

void yjc_reply_init (yjc_reply_t *self);
void yjc_reply_release (yjc_reply_t *self);
//  Decodes a reply frame (from a service we trust less than fully: still
//  bounded).  0 or -1.
int yjc_reply_decode (yjc_reply_t *self, const void *data, size_t len);

//  How many of the first `len` bytes of UTF-8 text `s` to keep so that
//  at most `max` remain and no character is cut in two: every string a
//  reply carries is cut with this (a reply must be valid UTF-8, or the
//  client cannot decode it and takes the service for down).
size_t yjc_utf8_cut (const char *s, size_t len, size_t max);
//  Removes, in place, every byte of NUL-terminated `s` that is not part
//  of a valid UTF-8 sequence (a cut made by printf's precision or size);
//  returns the new length.
size_t yjc_utf8_scrub (char *s);

#endif
