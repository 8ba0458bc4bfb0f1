/*  fuzz_json.c - libFuzzer harness for the CLI's JSON conversion: any
    text either is refused with a line and column, or converts to msgpack
    and back to JSON that converts to the very same msgpack (round trip
    identical), compact and pretty.                                      */
#include "yjc_json.h"
#include <stdlib.h>
#include <string.h>

static void
s_same (const msgpack_sbuffer *a, const char *json)
{
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    char err[128];
    if (yjc_json_to_msgpack (json, strlen (json), &b, err, sizeof err) != 0)
        abort ();
    if (a->size != b.size || memcmp (a->data, b.data, a->size) != 0)
        abort ();
    msgpack_sbuffer_destroy (&b);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    msgpack_sbuffer mp;
    msgpack_sbuffer_init (&mp);
    char err[128] = "";
    if (yjc_json_to_msgpack ((const char *)data, size, &mp, err, sizeof err) !=
        0) {
        //  refused: says where
        if (!strstr (err, "line ") || !strstr (err, "column "))
            abort ();
        msgpack_sbuffer_destroy (&mp);
        return 0;
    }
    msgpack_unpacked un;
    msgpack_unpacked_init (&un);
    if (msgpack_unpack_next (&un, mp.data, mp.size, NULL) !=
        MSGPACK_UNPACK_SUCCESS)
        abort ();
    for (int pretty = 0; pretty < 2; pretty++) {
        char *json = yjc_json_from_object (&un.data, pretty);
        if (!json)
            abort ();
        s_same (&mp, json);
        free (json);
    }
    msgpack_unpacked_destroy (&un);
    msgpack_sbuffer_destroy (&mp);
    return 0;
}
