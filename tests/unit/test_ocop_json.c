/* ocop_json: real messages through JSON text and back (compared as packed bytes), enum short
 * names and the input forms accepted for them, bytes as base64, oneofs, and the refusals with
 * an error that names the field path. Parsing always goes through an arena allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.pb-c.h"
#include "envelope.pb-c.h"
#include "ocop_arena.h"
#include "ocop_json.h"
#include "ocop_json_private.h"
#include "registration.pb-c.h"

static int s_setup(void **state)
{
    ocop_arena_t *arena = ocop_arena_new(4096);
    if (!arena)
        return -1;
    *state = arena;
    return 0;
}

static int s_teardown(void **state)
{
    ocop_arena_t *arena = *state;
    ocop_arena_destroy(&arena);
    return 0;
}

/* Packs msg into malloc'd memory (the caller frees); *len gets the size. */
static uint8_t *s_pack(const ProtobufCMessage *msg, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(*len ? *len : 1);
    assert_non_null(buf);
    assert_int_equal(protobuf_c_message_pack(msg, buf), *len);
    return buf;
}

/* msg -> JSON text -> cJSON -> message (from the arena). The text step makes sure nothing
 * survives only inside cJSON's doubles or pointers. */
static ProtobufCMessage *s_through_text(const ProtobufCMessage *msg, ocop_arena_t *arena, cJSON **json_out)
{
    cJSON *json = ocop_json_from_message(msg);
    assert_non_null(json);
    char *text = cJSON_PrintUnformatted(json);
    assert_non_null(text);
    cJSON *parsed = cJSON_Parse(text);
    free(text);
    assert_non_null(parsed);
    ocop_json_error_t err;
    ProtobufCMessage *back = ocop_json_to_message(msg->descriptor, parsed, ocop_arena_allocator(arena), &err);
    cJSON_Delete(parsed);
    if (!back)
        print_error("parse failed: %s\n", err.message);
    assert_non_null(back);
    assert_string_equal(err.message, "");
    assert_string_equal(err.field, "");
    assert_ptr_equal(back->descriptor, msg->descriptor);
    *json_out = json;
    return back;
}

/* The round trip is exact when both pack to the same bytes (protobuf-c packs in field order). */
static void s_assert_same_bytes(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t alen, blen;
    uint8_t *abuf = s_pack(a, &alen), *bbuf = s_pack(b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_equal(abuf, bbuf, alen);
    free(abuf);
    free(bbuf);
}

static const char *s_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    assert_true(cJSON_IsString(item));
    return item->valuestring;
}

/* 64-bit fields are written as raw decimal text (exact), the others as numbers. */
static double s_num(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    assert_true(cJSON_IsNumber(item) || cJSON_IsRaw(item));
    return cJSON_IsRaw(item) ? strtod(item->valuestring, NULL) : item->valuedouble;
}

static const cJSON *s_obj(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    assert_true(cJSON_IsObject(item));
    return item;
}

/* Of the oneof that field `set` belongs to, only `set` may appear in json. */
static void s_assert_only_oneof_member(const ProtobufCMessageDescriptor *desc, const cJSON *json, const char *set)
{
    int seen = 0;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, f->name);
        if (set && strcmp(f->name, set) == 0) {
            assert_non_null(item);
            seen = 1;
        } else if (item) {
            fail_msg("oneof member '%s' written although '%s' is the one set", f->name, set ? set : "(none)");
        }
    }
    assert_int_equal(seen, set != NULL);
}

/* Parses text as type desc; returns the message or NULL with err filled. */
static ProtobufCMessage *s_parse(const ProtobufCMessageDescriptor *desc, const char *text, ocop_arena_t *arena,
                                 ocop_json_error_t *err)
{
    cJSON *json = cJSON_Parse(text);
    if (!json)
        fail_msg("test JSON does not parse: %s", text);
    ProtobufCMessage *msg = ocop_json_to_message(desc, json, ocop_arena_allocator(arena), err);
    cJSON_Delete(json);
    return msg;
}

static void test_request_round_trip(void **state)
{
    ocop_arena_t *arena = *state;
    Ocop__RegEntityRegister body = OCOP__REG_ENTITY_REGISTER__INIT;
    body.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    body.name = "HTX N\xc3\xb4ng nghi\xe1\xbb\x87p T\xc3\xa2n L\xe1\xba\xadp";
    body.tax_code = "0101234567";
    body.unit_version = "2025";
    body.commune_code = "00004";
    body.representative = "Nguy\xe1\xbb\x85n V\xc4\x83n A";
    body.phone = "+84912345678";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "3f2a9c0d1e";
    req.caller = "ocopctl";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &body;

    cJSON *json;
    Ocop__Request *back = (Ocop__Request *)s_through_text(&req.base, arena, &json);
    assert_true(ocop_arena_used(arena) > 0);

    assert_string_equal(s_str(json, "request_id"), "3f2a9c0d1e");
    assert_string_equal(s_str(json, "caller"), "ocopctl");
    s_assert_only_oneof_member(&ocop__request__descriptor, json, "reg_entity_register");
    const cJSON *jb = s_obj(json, "reg_entity_register");
    assert_string_equal(s_str(jb, "type"), "cooperative");
    assert_string_equal(s_str(jb, "name"), body.name);
    assert_string_equal(s_str(jb, "phone"), "+84912345678");
    cJSON_Delete(json);

    assert_int_equal(back->body_case, OCOP__REQUEST__BODY_REG_ENTITY_REGISTER);
    assert_non_null(back->reg_entity_register);
    assert_int_equal(back->reg_entity_register->type, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE);
    assert_string_equal(back->reg_entity_register->name, body.name);
    assert_string_equal(back->reg_entity_register->representative, body.representative);
    assert_string_equal(back->request_id, "3f2a9c0d1e");
    s_assert_same_bytes(&req.base, &back->base);
}

static void test_product_detail_round_trip(void **state)
{
    ocop_arena_t *arena = *state;
    Ocop__RegDuplicateCandidate c1 = OCOP__REG_DUPLICATE_CANDIDATE__INIT, c2 = OCOP__REG_DUPLICATE_CANDIDATE__INIT;
    c1.product_id = "p-0007";
    c1.entity_id = "e-0002";
    c1.name = "Tr\xc3\xa0 Th\xc3\xa1i Nguy\xc3\xaan";
    c1.similarity = 0.8125;
    c2.product_id = "p-0011";
    c2.entity_id = "e-0009";
    c2.name = "Tr\xc3\xa0 xanh Th\xc3\xa1i";
    c2.similarity = 0.5;
    Ocop__RegDuplicateCandidate *candidates[] = {&c1, &c2};
    char *standards[] = {"TCVN 1454:2013", "VietGAP"};
    char *flags[] = {"near_duplicate"};

    Ocop__RegProduct product = OCOP__REG_PRODUCT__INIT;
    product.id = "p-0012";
    product.entity_id = "e-0003";
    product.name = "Tr\xc3\xa0 Th\xc3\xa1i";
    product.catalogue_version = "1048";
    product.sector_code = "1";
    product.product_set_code = "1.2";
    product.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    product.n_standards = 2;
    product.standards = standards;
    product.stage = OCOP__STAGE__STAGE_IDEA_SUBMITTED;
    product.review = OCOP__REVIEW_STATE__REVIEW_PENDING;
    product.n_flags = 1;
    product.flags = flags;
    product.n_candidates = 2;
    product.candidates = candidates;
    product.created_ms = 1732363200123; /* past 2^32: the 64-bit path is exercised */
    product.updated_ms = 1732363299999;
    /* 2^52 + 1 needs every bit of a double's mantissa. (2^53 itself is exact in the cJSON tree
     * but cJSON 1.7.15 prints it with 15 digits, as 9.00719925474099e+15.) */
    product.revision = 4503599627370497ULL;

    Ocop__RegStageChange h1 = OCOP__REG_STAGE_CHANGE__INIT, h2 = OCOP__REG_STAGE_CHANGE__INIT;
    h1.from = OCOP__STAGE__STAGE_UNSPECIFIED;
    h1.to = OCOP__STAGE__STAGE_IDEA_SUBMITTED;
    h1.action = OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT;
    h1.by = "user:lan";
    h1.time_ms = 1732363200123;
    h2.from = OCOP__STAGE__STAGE_IDEA_SUBMITTED;
    h2.to = OCOP__STAGE__STAGE_IDEA_REJECTED;
    h2.action = OCOP__STAGE_ACTION__STAGE_ACTION_REJECT;
    h2.by = "council:hn";
    h2.reason = "thi\xe1\xba\xbfu h\xe1\xbb\x93 s\xc6\xa1";
    h2.time_ms = -1; /* negative int64 survives */
    Ocop__RegStageChange *history[] = {&h1, &h2};
    Ocop__RegReviewDecision r1 = OCOP__REG_REVIEW_DECISION__INIT;
    r1.decision = OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE;
    r1.by = "user:minh";
    r1.note = "same producer";
    r1.time_ms = 1732363300000;
    Ocop__RegReviewDecision *reviews[] = {&r1};

    Ocop__RegProductDetail detail = OCOP__REG_PRODUCT_DETAIL__INIT;
    detail.product = &product;
    detail.n_history = 2;
    detail.history = history;
    detail.n_reviews = 1;
    detail.reviews = reviews;

    cJSON *json;
    Ocop__RegProductDetail *back = (Ocop__RegProductDetail *)s_through_text(&detail.base, arena, &json);

    const cJSON *jp = s_obj(json, "product");
    assert_string_equal(s_str(jp, "processing"), "processed");
    assert_string_equal(s_str(jp, "stage"), "idea_submitted");
    assert_string_equal(s_str(jp, "review"), "pending");
    assert_true(s_num(jp, "created_ms") == 1732363200123.0);
    assert_true(s_num(jp, "revision") == 4503599627370497.0);
    const cJSON *jstd = cJSON_GetObjectItemCaseSensitive(jp, "standards");
    assert_true(cJSON_IsArray(jstd));
    assert_int_equal(cJSON_GetArraySize(jstd), 2);
    assert_string_equal(cJSON_GetArrayItem(jstd, 1)->valuestring, "VietGAP");
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(jp, "candidates");
    assert_true(cJSON_IsArray(jc));
    assert_int_equal(cJSON_GetArraySize(jc), 2);
    assert_true(s_num(cJSON_GetArrayItem(jc, 0), "similarity") == 0.8125);
    assert_string_equal(s_str(cJSON_GetArrayItem(jc, 1), "product_id"), "p-0011");
    const cJSON *jh = cJSON_GetObjectItemCaseSensitive(json, "history");
    assert_int_equal(cJSON_GetArraySize(jh), 2);
    assert_string_equal(s_str(cJSON_GetArrayItem(jh, 0), "from"), "unspecified");
    assert_string_equal(s_str(cJSON_GetArrayItem(jh, 0), "to"), "idea_submitted");
    assert_string_equal(s_str(cJSON_GetArrayItem(jh, 0), "action"), "submit");
    assert_string_equal(s_str(cJSON_GetArrayItem(jh, 1), "to"), "idea_rejected");
    assert_true(s_num(cJSON_GetArrayItem(jh, 1), "time_ms") == -1.0);
    assert_string_equal(s_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "reviews"), 0), "decision"),
                        "confirmed_duplicate");
    cJSON_Delete(json);

    assert_non_null(back->product);
    assert_int_equal(back->product->n_candidates, 2);
    assert_true(back->product->candidates[0]->similarity == 0.8125);
    assert_string_equal(back->product->candidates[1]->name, c2.name);
    assert_int_equal(back->product->n_standards, 2);
    assert_string_equal(back->product->standards[0], "TCVN 1454:2013");
    assert_int_equal(back->product->processing, OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    assert_int_equal(back->product->revision, 4503599627370497ULL);
    assert_int_equal(back->n_history, 2);
    assert_int_equal(back->history[1]->action, OCOP__STAGE_ACTION__STAGE_ACTION_REJECT);
    assert_int_equal(back->history[1]->time_ms, -1);
    assert_int_equal(back->n_reviews, 1);
    s_assert_same_bytes(&detail.base, &back->base);
}

static void test_event_batch_bytes(void **state)
{
    ocop_arena_t *arena = *state;
    Ocop__RegEntity entity = OCOP__REG_ENTITY__INIT;
    entity.id = "e-0001";
    entity.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM;
    entity.name = "Trang tr\xe1\xba\xa1i B\xc3\xacnh Minh";
    entity.revision = 1;
    Ocop__RegEntityRegistered registered = OCOP__REG_ENTITY_REGISTERED__INIT;
    registered.entity = &entity;
    Ocop__Event event = OCOP__EVENT__INIT;
    event.source = "registration";
    event.sequence = 41;
    event.time_ms = 1732363200123;
    event.body_case = OCOP__EVENT__BODY_REG_ENTITY_REGISTERED;
    event.reg_entity_registered = &registered;
    size_t event_len;
    uint8_t *event_bytes = s_pack(&event.base, &event_len);

    uint8_t raw[] = {0x00, 0x01, 0x02, 0xff};
    ProtobufCBinaryData events[3] = {
        {.len = sizeof raw, .data = raw},
        {.len = 0, .data = NULL},
        {.len = event_len, .data = event_bytes},
    };
    Ocop__EventBatch batch = OCOP__EVENT_BATCH__INIT;
    batch.n_events = 3;
    batch.events = events;
    batch.last_sequence = 42;

    cJSON *json;
    Ocop__EventBatch *back = (Ocop__EventBatch *)s_through_text(&batch.base, arena, &json);
    const cJSON *je = cJSON_GetObjectItemCaseSensitive(json, "events");
    assert_true(cJSON_IsArray(je));
    assert_int_equal(cJSON_GetArraySize(je), 3);
    assert_string_equal(cJSON_GetArrayItem(je, 0)->valuestring, "AAEC/w==");
    assert_string_equal(cJSON_GetArrayItem(je, 1)->valuestring, "");
    assert_true(s_num(json, "last_sequence") == 42.0);
    cJSON_Delete(json);

    assert_int_equal(back->n_events, 3);
    assert_int_equal(back->events[0].len, 4);
    assert_memory_equal(back->events[0].data, raw, 4);
    assert_int_equal(back->events[1].len, 0);
    assert_int_equal(back->events[2].len, event_len);
    Ocop__Event *inner = ocop__event__unpack(ocop_arena_allocator(arena), back->events[2].len, back->events[2].data);
    assert_non_null(inner);
    assert_int_equal(inner->sequence, 41);
    assert_int_equal(inner->body_case, OCOP__EVENT__BODY_REG_ENTITY_REGISTERED);
    assert_string_equal(inner->reg_entity_registered->entity->name, entity.name);
    s_assert_same_bytes(&batch.base, &back->base);
    free(event_bytes);
}

static void test_enum_names_out(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(ocop_json_enum_name(&ocop__entity_type__descriptor, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                            buf, sizeof buf),
                        "cooperative");
    assert_string_equal(ocop_json_enum_name(&ocop__entity_type__descriptor,
                                            OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE_GROUP, buf, sizeof buf),
                        "cooperative_group");
    assert_string_equal(
        ocop_json_enum_name(&ocop__stage__descriptor, OCOP__STAGE__STAGE_IDEA_SUBMITTED, buf, sizeof buf),
        "idea_submitted");
    assert_string_equal(ocop_json_enum_name(&ocop__processing_level__descriptor,
                                            OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED, buf, sizeof buf),
                        "processed");
    assert_string_equal(
        ocop_json_enum_name(&ocop__status__descriptor, OCOP__STATUS__STATUS_STORAGE_FULL, buf, sizeof buf),
        "storage_full");
    assert_string_equal(ocop_json_enum_name(&ocop__review_state__descriptor,
                                            OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE, buf, sizeof buf),
                        "confirmed_duplicate");
    assert_string_equal(
        ocop_json_enum_name(&ocop__unit_level__descriptor, OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE, buf, sizeof buf),
        "commune");
    /* A value the descriptor does not know is written as its number. */
    assert_string_equal(ocop_json_enum_name(&ocop__stage__descriptor, 99, buf, sizeof buf), "99");
    /* The output is bounded by outlen and always terminated. */
    char small[5];
    assert_ptr_equal(ocop_json_enum_name(&ocop__entity_type__descriptor, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                         small, sizeof small),
                     small);
    assert_string_equal(small, "coop");
}

static void test_enum_input_forms(void **state)
{
    ocop_arena_t *arena = *state;
    static const struct {
        const char *value; /* JSON text of the value */
        int want;
    } cases[] = {
        {"\"cooperative\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"\"COOPERATIVE\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"\"CoOpErAtIvE\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"\"ENTITY_TYPE_COOPERATIVE\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"\"entity_type_cooperative\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"\"cooperative_group\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE_GROUP},
        {"\"Household_Business\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_HOUSEHOLD_BUSINESS},
        {"\"unspecified\"", OCOP__ENTITY_TYPE__ENTITY_TYPE_UNSPECIFIED},
        {"1", OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE},
        {"5", OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM},
        {"0", OCOP__ENTITY_TYPE__ENTITY_TYPE_UNSPECIFIED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128];
        ocop_json_error_t err;
        snprintf(text, sizeof text, "{\"type\":%s,\"name\":\"x\"}", cases[i].value);
        ocop_arena_reset(arena);
        Ocop__RegEntityRegister *msg =
            (Ocop__RegEntityRegister *)s_parse(&ocop__reg_entity_register__descriptor, text, arena, &err);
        if (!msg)
            fail_msg("%s refused: %s", text, err.message);
        assert_int_equal(msg->type, cases[i].want);
        assert_string_equal(msg->name, "x");
    }

    /* Other enums: stage and processing, in a product list / register request. */
    ocop_json_error_t err;
    ocop_arena_reset(arena);
    Ocop__Request *req = (Ocop__Request *)s_parse(
        &ocop__request__descriptor, "{\"reg_product_list\":{\"stage\":\"Stage_Idea_Submitted\",\"limit\":20}}", arena,
        &err);
    assert_non_null(req);
    assert_int_equal(req->body_case, OCOP__REQUEST__BODY_REG_PRODUCT_LIST);
    assert_int_equal(req->reg_product_list->stage, OCOP__STAGE__STAGE_IDEA_SUBMITTED);
    assert_int_equal(req->reg_product_list->limit, 20);
    req = (Ocop__Request *)s_parse(&ocop__request__descriptor,
                                   "{\"reg_product_register\":{\"processing\":3,\"standards\":[]}}", arena, &err);
    assert_non_null(req);
    assert_int_equal(req->reg_product_register->processing, OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    assert_int_equal(req->reg_product_register->n_standards, 0);
    req = (Ocop__Request *)s_parse(&ocop__request__descriptor,
                                   "{\"reg_product_register\":{\"processing\":\"processed\"}}", arena, &err);
    assert_non_null(req);
    assert_int_equal(req->reg_product_register->processing, OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
}

static void test_errors_name_the_field(void **state)
{
    ocop_arena_t *arena = *state;
    static const struct {
        const ProtobufCMessageDescriptor *desc;
        const char *json;
        const char *want; /* must occur in the error */
    } cases[] = {
        /* unknown fields, at the top and nested */
        {&ocop__request__descriptor, "{\"request_id\":\"r\",\"bogus\":1}", "bogus: unknown field"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"nmae\":\"x\"}}",
         "reg_entity_register.nmae: unknown field"},
        {&ocop__request__descriptor, "{\"Request_ID\":\"r\"}", "Request_ID: unknown field"},
        /* wrong types */
        {&ocop__request__descriptor, "{\"reg_entity_list\":{\"limit\":\"10\"}}", "reg_entity_list.limit: expected"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"name\":5}}",
         "reg_entity_register.name: expected a string"},
        {&ocop__reg_product_detail__descriptor, "{\"product\":{\"candidates\":{}}}",
         "product.candidates: expected an array"},
        {&ocop__reg_product_detail__descriptor, "{\"product\":{\"standards\":[\"VietGAP\",3]}}",
         "product.standards: expected a string"},
        {&ocop__reg_product_detail__descriptor, "{\"product\":\"p-1\"}", "product: expected a JSON object"},
        {&ocop__request__descriptor, "{\"reg_product_update\":{\"set_standards\":\"yes\"}}",
         "reg_product_update.set_standards: expected true or false"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"name\":[\"x\"]}}",
         "reg_entity_register.name: expected a string"},
        /* out-of-range integers */
        {&ocop__request__descriptor, "{\"reg_entity_list\":{\"limit\":-1}}", "reg_entity_list.limit: expected"},
        {&ocop__request__descriptor, "{\"reg_entity_list\":{\"limit\":8589934592}}", "reg_entity_list.limit: expected"},
        {&ocop__request__descriptor, "{\"reg_entity_list\":{\"limit\":4294967296}}", "reg_entity_list.limit: expected"},
        {&ocop__request__descriptor, "{\"reg_entity_list\":{\"limit\":2.5}}", "reg_entity_list.limit: expected"},
        {&ocop__request__descriptor, "{\"events_from\":{\"from_sequence\":18014398509481984}}",
         "events_from.from_sequence: expected"},
        {&ocop__request__descriptor, "{\"events_from\":{\"from_sequence\":-1}}", "events_from.from_sequence: expected"},
        {&ocop__reg_product_detail__descriptor, "{\"product\":{\"created_ms\":1.5}}", "product.created_ms: expected"},
        /* unknown enum values, including in a repeated message */
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"type\":\"coop\"}}",
         "reg_entity_register.type: unknown value"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"type\":99}}",
         "reg_entity_register.type: unknown value"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"type\":1.5}}",
         "reg_entity_register.type: unknown value"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"type\":1e12}}",
         "reg_entity_register.type: unknown value"},
        {&ocop__request__descriptor, "{\"reg_entity_register\":{\"type\":true}}",
         "reg_entity_register.type: unknown value"},
        {&ocop__request__descriptor,
         "{\"reg_unit_import\":{\"units\":[{\"level\":\"commune\"},{\"level\":\"galaxy\"}]}}",
         "reg_unit_import.units.level: unknown value"},
        /* invalid base64 */
        {&ocop__event_batch__descriptor, "{\"events\":[\"AAEC/w==\",\"not base64!\"]}", "events: not valid base64"},
        {&ocop__event_batch__descriptor, "{\"events\":[\"AAE\"]}", "events: not valid base64"},
        {&ocop__event_batch__descriptor, "{\"events\":[7]}", "events: expected a base64 string"},
        /* not an object at the top */
        {&ocop__request__descriptor, "[]", "expected a JSON object"},
        {&ocop__request__descriptor, "\"ping\"", "expected a JSON object"},
        {&ocop__request__descriptor, "42", "expected a JSON object"},
        {&ocop__request__descriptor, "null", "expected a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ocop_json_error_t err;
        ocop_arena_reset(arena);
        ProtobufCMessage *msg = s_parse(cases[i].desc, cases[i].json, arena, &err);
        if (msg)
            fail_msg("accepted %s", cases[i].json);
        if (!strstr(err.message, cases[i].want))
            fail_msg("%s: error '%s' does not contain '%s'", cases[i].json, err.message, cases[i].want);
        /* The field comes apart from the sentence: what precedes ": " in it, "body" for the whole. */
        const char *colon = strstr(cases[i].want, ": ");
        char field[160];
        snprintf(field, sizeof field, "%.*s", colon ? (int)(colon - cases[i].want) : 4, colon ? cases[i].want : "body");
        assert_string_equal(err.field, field);
    }

    /* The edges that are accepted: 2^53 for 64-bit fields, 2^32 - 1 for uint32. */
    ocop_json_error_t ok_err;
    Ocop__Request *req = (Ocop__Request *)s_parse(
        &ocop__request__descriptor, "{\"events_from\":{\"from_sequence\":9007199254740992,\"max\":4294967295}}", arena,
        &ok_err);
    assert_non_null(req);
    assert_int_equal(req->events_from->from_sequence, 9007199254740992ULL);
    assert_int_equal(req->events_from->max, UINT32_MAX);

    /* The error is cleared by a later success. */
    ocop_json_error_t err;
    assert_null(s_parse(&ocop__request__descriptor, "{\"reg_entity_register\":{\"nmae\":\"x\"}}", arena, &err));
    assert_string_equal(err.field, "reg_entity_register.nmae");
    assert_non_null(s_parse(&ocop__request__descriptor, "{\"ping\":{}}", arena, &err));
    assert_string_equal(err.field, "");
    assert_string_equal(err.message, "");
    /* A field name longer than the error holds is cut short there, never overrun. */
    char text[700];
    snprintf(text, sizeof text, "{\"reg_entity_register\":{\"%0600d\":1}}", 7);
    assert_null(s_parse(&ocop__request__descriptor, text, arena, &err));
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(strncmp(err.message, err.field, strlen(err.field)), 0);
}

static void test_oneof(void **state)
{
    ocop_arena_t *arena = *state;
    /* A Reply whose body is a Pong with every field at its default still writes "pong". */
    Ocop__Pong pong = OCOP__PONG__INIT;
    Ocop__Reply reply = OCOP__REPLY__INIT;
    reply.request_id = "r1";
    reply.status = OCOP__STATUS__STATUS_STORAGE_FULL;
    reply.body_case = OCOP__REPLY__BODY_PONG;
    reply.pong = &pong;
    cJSON *json;
    Ocop__Reply *back = (Ocop__Reply *)s_through_text(&reply.base, arena, &json);
    s_assert_only_oneof_member(&ocop__reply__descriptor, json, "pong");
    assert_string_equal(s_str(json, "status"), "storage_full");
    assert_int_equal(back->body_case, OCOP__REPLY__BODY_PONG);
    assert_non_null(back->pong);
    assert_int_equal(back->status, OCOP__STATUS__STATUS_STORAGE_FULL);
    cJSON_Delete(json);
    s_assert_same_bytes(&reply.base, &back->base);

    /* No body: no oneof member at all, and none comes back. */
    Ocop__Reply bare = OCOP__REPLY__INIT;
    bare.status = OCOP__STATUS__STATUS_NOT_FOUND;
    bare.field = "id";
    bare.message = "no such entity";
    back = (Ocop__Reply *)s_through_text(&bare.base, arena, &json);
    s_assert_only_oneof_member(&ocop__reply__descriptor, json, NULL);
    assert_string_equal(s_str(json, "field"), "id");
    cJSON_Delete(json);
    assert_int_equal(back->body_case, OCOP__REPLY__BODY__NOT_SET);
    s_assert_same_bytes(&bare.base, &back->base);

    /* A request reads back with the member its JSON names. */
    ocop_json_error_t err;
    Ocop__Request *req =
        (Ocop__Request *)s_parse(&ocop__request__descriptor, "{\"request_id\":\"a\",\"ping\":{}}", arena, &err);
    assert_non_null(req);
    assert_int_equal(req->body_case, OCOP__REQUEST__BODY_PING);
    assert_non_null(req->ping);
    req = (Ocop__Request *)s_parse(&ocop__request__descriptor, "{\"reg_entity_get\":{\"id\":\"e-1\"}}", arena, &err);
    assert_non_null(req);
    assert_int_equal(req->body_case, OCOP__REQUEST__BODY_REG_ENTITY_GET);
    assert_string_equal(req->reg_entity_get->id, "e-1");
    /* null means absent */
    req = (Ocop__Request *)s_parse(&ocop__request__descriptor, "{\"reg_entity_get\":null}", arena, &err);
    assert_non_null(req);
    assert_int_equal(req->body_case, OCOP__REQUEST__BODY__NOT_SET);
}

/* Without an allocator the result is freed by protobuf-c: under ASan this proves every piece
 * came from malloc and nothing is freed twice. */
static void test_default_allocator(void **state)
{
    (void)state;
    cJSON *json = cJSON_Parse("{\"product\":{\"id\":\"p\",\"standards\":[\"a\",\"b\"],"
                              "\"candidates\":[{\"name\":\"c\",\"similarity\":0.25}]},"
                              "\"history\":[{\"to\":\"evaluating\",\"by\":\"x\"}]}");
    assert_non_null(json);
    ocop_json_error_t err;
    ProtobufCMessage *msg = ocop_json_to_message(&ocop__reg_product_detail__descriptor, json, NULL, &err);
    cJSON_Delete(json);
    assert_non_null(msg);
    Ocop__RegProductDetail *detail = (Ocop__RegProductDetail *)msg;
    assert_int_equal(detail->product->n_candidates, 1);
    assert_true(detail->product->candidates[0]->similarity == 0.25);
    assert_int_equal(detail->history[0]->to, OCOP__STAGE__STAGE_EVALUATING);
    size_t len;
    uint8_t *bytes = s_pack(msg, &len);
    Ocop__RegProductDetail *unpacked = ocop__reg_product_detail__unpack(NULL, len, bytes);
    assert_non_null(unpacked);
    s_assert_same_bytes(msg, &unpacked->base);
    ocop__reg_product_detail__free_unpacked(unpacked, NULL);
    free(bytes);
    protobuf_c_message_free_unpacked(msg, NULL);
}

/* ---------------------------------------------------------------- the direct writer */

static uint64_t s_rng = 0x0c0a1ce5eedULL;

static uint64_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

/* A string of up to 12 bytes among those JSON text must escape and some that it must not. */
static char *s_random_text(ocop_arena_t *arena)
{
    static const char alphabet[] = "aZ09 \"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9\xe1\xba\xa1";
    size_t n = s_next() % 13;
    char *out = ocop_arena_alloc(arena, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[s_next() % (sizeof alphabet - 1)];
    return out;
}

static double s_random_double(void)
{
    static const double specials[] = {0.0,          -0.0,          1.0,           -1.0,  0.1,    2147483647.0,
                                      2147483648.0, -2147483648.0, -2147483649.0, 1e300, 1e-300, 3.141592653589793,
                                      70.05,        1.0 / 3.0};
    switch (s_next() % 4) {
    case 0:
        return specials[s_next() % (sizeof specials / sizeof specials[0])];
    case 1:
        return (s_next() % 2 ? 1 : -1) * (double)(s_next() % 1000000) / 100.0;
    case 2: {
        double d;
        uint64_t bits = s_next();
        memcpy(&d, &bits, sizeof d); /* any double: NaNs and infinities too */
        return d;
    }
    default:
        return (double)(int32_t)s_next();
    }
}

static ProtobufCMessage *s_random_message(const ProtobufCMessageDescriptor *desc, ocop_arena_t *arena, int depth);

/* One random value of field f's type at p. */
static void s_random_value(const ProtobufCFieldDescriptor *f, void *p, ocop_arena_t *arena, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *(uint32_t *)p = s_next() % 3 ? (uint32_t)(s_next() % 2000) : (uint32_t)s_next();
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *(uint64_t *)p = s_next();
        break;
    case PROTOBUF_C_TYPE_FLOAT: {
        double d = s_random_double(); /* beyond float's range: its infinity (a cast would be undefined) */
        *(float *)p = isfinite(d) && fabs(d) > FLT_MAX ? (float)copysign(INFINITY, d) : (float)d;
        break;
    }
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)p = s_random_double();
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)p = (protobuf_c_boolean)(s_next() % 2);
        break;
    case PROTOBUF_C_TYPE_ENUM: /* a known value mostly, sometimes one the enum does not have */
        *(int *)p = s_next() % 5 ? ((const ProtobufCEnumDescriptor *)f->descriptor)
                                       ->values[s_next() % ((const ProtobufCEnumDescriptor *)f->descriptor)->n_values]
                                       .value
                                 : (int)(s_next() % 1000);
        break;
    case PROTOBUF_C_TYPE_STRING:
        *(char **)p = s_random_text(arena);
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = p;
        b->len = s_next() % 20;
        b->data = ocop_arena_alloc(arena, b->len + 1);
        for (size_t i = 0; i < b->len; i++)
            b->data[i] = (uint8_t)s_next();
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        *(ProtobufCMessage **)p = depth > 0 && s_next() % 3 ? s_random_message(f->descriptor, arena, depth - 1) : NULL;
        break;
    }
}

/* A message of desc with random fields: a repeated field 0 to 3 values, one member (or none) of
 * each oneof, nested messages down to depth. */
static ProtobufCMessage *s_random_message(const ProtobufCMessageDescriptor *desc, ocop_arena_t *arena, int depth)
{
    ProtobufCMessage *m = ocop_arena_alloc(arena, desc->sizeof_message);
    protobuf_c_message_init(desc, m);
    /* Each oneof's member, drawn once when its first member comes up: any of them, or none. */
    unsigned chosen[desc->n_fields + 1];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        chosen[i] = desc->n_fields; /* not a oneof's first member */
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            continue;
        unsigned first = i, members = 0;
        for (unsigned j = 0; j < desc->n_fields; j++)
            if ((desc->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                desc->fields[j].quantifier_offset == f->quantifier_offset && j < first)
                first = j;
        for (unsigned j = 0; j < desc->n_fields; j++)
            members += (desc->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                       desc->fields[j].quantifier_offset == f->quantifier_offset;
        if (first == i)
            chosen[i] = (unsigned)(s_next() % (members + 1)); /* members: none */
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        void *p = (char *)m + f->offset;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            unsigned first = i, k = 0;
            for (unsigned j = 0; j < i; j++)
                if ((desc->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                    desc->fields[j].quantifier_offset == f->quantifier_offset) {
                    first = first < j ? first : j;
                    k++;
                }
            if (chosen[first] != k)
                continue;
            *(uint32_t *)((char *)m + f->quantifier_offset) = f->id;
            s_random_value(f, p, arena, depth);
            continue;
        }
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            s_random_value(f, p, arena, depth);
            continue;
        }
        size_t n = s_next() % 4, size = ocop_json_elem_size(f->type);
        char *items = ocop_arena_alloc(arena, (n ? n : 1) * size);
        for (size_t j = 0; j < n; j++)
            s_random_value(f, items + j * size, arena, depth);
        *(size_t *)((char *)m + f->quantifier_offset) = n;
        *(void **)p = items;
    }
    return m;
}

/* ocop_json_print_message writes exactly the text cJSON prints of ocop_json_from_message's tree,
 * over random requests, replies and events (every field type, escapes, numbers cJSON prints
 * three ways, NaN and infinities, oneofs, nesting). */
static void test_direct_writer_matches_the_tree(void **state)
{
    ocop_arena_t *arena = *state;
    const ProtobufCMessageDescriptor *const descs[] = {&ocop__request__descriptor, &ocop__reply__descriptor,
                                                       &ocop__event__descriptor};
    for (int i = 0; i < 3000; i++) {
        ProtobufCMessage *m = s_random_message(descs[i % 3], arena, 3);
        cJSON *tree = ocop_json_from_message(m);
        char *want = cJSON_PrintUnformatted(tree);
        char *got = ocop_json_print_message(m);
        assert_non_null(want);
        assert_non_null(got);
        if (strcmp(want, got) != 0)
            fail_msg("message %d differs:\n tree:   %.2000s\n direct: %.2000s", i, want, got);
        free(got);
        free(want);
        cJSON_Delete(tree);
        ocop_arena_reset(arena);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_round_trip, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_product_detail_round_trip, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_event_batch_bytes, s_setup, s_teardown),
        cmocka_unit_test(test_enum_names_out),
        cmocka_unit_test_setup_teardown(test_enum_input_forms, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_field, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_oneof, s_setup, s_teardown),
        cmocka_unit_test(test_default_allocator),
        cmocka_unit_test_setup_teardown(test_direct_writer_matches_the_tree, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
