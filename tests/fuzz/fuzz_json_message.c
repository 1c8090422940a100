/* fuzz_json_message — libFuzzer target for JSON request bodies. The first byte picks a message
 * type, the rest is the body: parsed by cJSON as the gateway parses it, checked by gw_json_check
 * (bytes after the value, a key given twice, a NUL in a string) when it is an object, converted
 * by ocop_json_to_message and, when that succeeds, back to JSON by ocop_json_from_message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "gw_json_check.h"
#include "ocop_arena.h"
#include "ocop_json.h"

/* Request bodies holding every kind of field but bytes (enum, string, integers, double, bool,
 * repeated strings and messages), and the Request and Reply envelopes, whose oneof body reaches
 * every message of the API (bytes among them). */
static const ProtobufCMessageDescriptor *const s_messages[] = {
    &ocop__reg_entity_register__descriptor,
    &ocop__reg_product_register__descriptor,
    &ocop__eval_sheet_submit__descriptor,
    &ocop__eval_session_open__descriptor,
    &ocop__pro_fair_create__descriptor,
    &ocop__aud_events_query__descriptor,
    &ocop__request__descriptor,
    &ocop__reply__descriptor,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ocop_arena_t *arena; /* as the gateway converts: every allocation from an arena */
    if (size == 0)
        return 0;
    if (!arena && !(arena = ocop_arena_new(8 * 1024)))
        abort();
    const ProtobufCMessageDescriptor *desc = s_messages[data[0] % (sizeof s_messages / sizeof s_messages[0])];
    size_t len = size - 1;
    char *body = malloc(len + 1); /* the gateway's bodies end with a NUL */
    if (!body)
        abort();
    memcpy(body, data + 1, len);
    body[len] = '\0';

    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (cJSON_IsObject(json)) {
        gw_response_t response = {0};
        gw_json_check(body, len, end, json, &response);
        free(response.body);
    }
    ocop_json_error_t err;
    ProtobufCMessage *msg = json ? ocop_json_to_message(desc, json, ocop_arena_allocator(arena), &err) : NULL;
    if (msg)
        cJSON_Delete(ocop_json_from_message(msg));
    ocop_arena_reset(arena);
    cJSON_Delete(json);
    free(body);
    return 0;
}
