/* fuzz_wire — libFuzzer target for the raw protobuf frames a service receives: unpacked as an
 * ocop.Request, walked for a NUL inside a string (ocop_wire_find_nul) and read for its request id
 * without unpacking (ocop_wire_peek_text), with the buffer sizes the service gives them. */
#include <stdint.h>

#include "envelope.pb-c.h"
#include "ocop_client.h"
#include "ocop_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ocop__request__free_unpacked(ocop__request__unpack(NULL, size, data), NULL);
    char field[128];
    ocop_wire_find_nul(&ocop__request__descriptor, data, size, 1, field, sizeof field);
    char request_id[OCOP_REQUEST_ID_MAX + 1];
    ocop_wire_peek_text(data, size, 1 /* Request.request_id */, request_id, sizeof request_id);
    return 0;
}
