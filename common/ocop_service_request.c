/* ocop_service_request — opening a request frame as every request is opened, on the loop or on
 * a reader thread: its id read off the frame for error replies, one frame, the size limit,
 * unpacking and NUL bytes in strings; and packing a reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_client.h"
#include "ocop_error.h"
#include "ocop_service_private.h"
#include "ocop_wire.h"

char *ocop__peek_request_id(ocop_arena_t *arena, zmq_msg_t *payload)
{
    char *id = ocop_arena_alloc(arena, OCOP_REQUEST_ID_MAX + 1);
    if (!ocop_wire_peek_text(zmq_msg_data(payload), zmq_msg_size(payload), 1 /* Request.request_id */, id,
                             OCOP_REQUEST_ID_MAX + 1))
        id[0] = '\0';
    return id;
}

Ocop__Request *ocop__request_open(ocop_arena_t *arena, size_t max_bytes, zmq_msg_t *payload, int extra_frames,
                                  Ocop__Reply *reply)
{
    size_t size = zmq_msg_size(payload);
    /* Errors before unpacking still name the request when its id can be read off the frame. */
    reply->request_id = ocop__peek_request_id(arena, payload);
    if (extra_frames) {
        ocop__reply_status(arena, reply, OCOP_E_MALFORMED, "", "a request is exactly one frame");
        return NULL;
    }
    if (size > max_bytes) {
        char msg[128];
        snprintf(msg, sizeof msg, "request of %zu bytes exceeds the limit of %zu bytes", size, max_bytes);
        ocop__reply_status(arena, reply, OCOP_E_TOO_LARGE, "", msg);
        return NULL;
    }
    Ocop__Request *req = ocop__request__unpack(ocop_arena_allocator(arena), size, zmq_msg_data(payload));
    if (!req) {
        ocop__reply_status(arena, reply, OCOP_E_MALFORMED, "", "the frame is not a valid request");
        return NULL;
    }
    reply->request_id = req->request_id;
    char nul_field[128];
    if (ocop_wire_find_nul(&ocop__request__descriptor, zmq_msg_data(payload), size, 1, nul_field, sizeof nul_field)) {
        char msg[192];
        snprintf(msg, sizeof msg, "%.128s holds a NUL byte", nul_field);
        if (strcmp(nul_field, "request_id") == 0)
            reply->request_id = ""; /* what unpacked is not the id the client sent */
        ocop__reply_status(arena, reply, OCOP_E_INVALID, nul_field, msg);
        return NULL;
    }
    return req;
}

int ocop__reply_pack(const Ocop__Reply *reply, uint8_t **out, size_t *len)
{
    *len = ocop__reply__get_packed_size(reply);
    *out = malloc(*len ? *len : 1);
    if (!*out)
        return -1;
    ocop__reply__pack(reply, *out);
    return 0;
}
