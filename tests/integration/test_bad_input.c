/* Integration: bad input gets a clear error and changes nothing; duplicate screening.
 *
 * A table of bad requests against the real service (max_request_bytes 65536): raw frames
 * (garbage, truncated, oversized, multi-frame, unknown message types), and requests that the
 * handlers must refuse (invalid UTF-8, empty and 10 KB names, unknown commune / entity /
 * product, illegal stage transitions, duplicate tax code, same product twice, ...). Every
 * case asserts the status code, the field named, a message, no body, and that the store is
 * unchanged: Ping's last sequence and a snapshot of every entity, product (with history) and
 * count are byte-for-byte what they were before; the service's error counter moves by one.
 *
 * Then: a client whose CURVE key is not on the allow-list gets no answer (ZAP refuses it and
 * the service logs it) while the allowed client still works; a frame above libzmq's hard
 * ceiling only costs its sender the connection; and duplicate screening flags
 * near-duplicates and fresh/raw products for a review that is recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "harness.h"
#include "ocop_log.h"
#include "itest_assert.h"

#define S_MAX_REQUEST 65536
#define S_REFUSED_WAIT_MS 1500 /* how long an unanswered client waits before we call it refused */
#define S_RAW_TIMEOUT_MS 10000

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *c;     /* allowed, caller "clerk" */
    ocop_client_t *raw;   /* allowed, only for raw frames (their replies carry no request id) */
    ocop_client_t *other; /* a client of one test (stranger, oversized sender); closed by teardown too */
    char e1[32], e2[32];
    char p1[32];
    char long_name[10 * 1024 + 1];
} s_world;

#define P1_NAME "Mật ong rừng U Minh"
#define E1_TAX "4600111111"

/* ---------------------------------------------------------------- setup */

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    harness_options_t opts = {.max_request_bytes = S_MAX_REQUEST};
    s_world.h = harness_new(&opts);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0)
        return -1;
    s_world.c = harness_connect(s_world.h, NULL, "clerk");
    s_world.raw = harness_connect(s_world.h, NULL, "raw");
    if (!s_world.c || !s_world.raw)
        return -1;
    memset(s_world.long_name, 'a', sizeof s_world.long_name - 1);

    /* Baseline: two entities in one commune, one product. */
    const harness_data_t *d = &s_world.data;
    Ocop__Reply *r = harness_entity_register(s_world.c, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                             "HTX Ong mật U Minh", E1_TAX, d->communes[0]);
    if (!r || r->status != OCOP__STATUS__STATUS_OK)
        return -1;
    snprintf(s_world.e1, sizeof s_world.e1, "%s", r->reg_entity->id);
    ocop__reply__free_unpacked(r, NULL);
    r = harness_entity_register(s_world.c, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_ENTERPRISE,
                                "Công ty TNHH Ong Rừng Tràm", "0100222222", d->communes[0]);
    if (!r || r->status != OCOP__STATUS__STATUS_OK)
        return -1;
    snprintf(s_world.e2, sizeof s_world.e2, "%s", r->reg_entity->id);
    ocop__reply__free_unpacked(r, NULL);
    r = harness_product_register(s_world.c, s_world.e1, P1_NAME, d->sector, d->product_set, d->communes[0],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED);
    if (!r || r->status != OCOP__STATUS__STATUS_OK)
        return -1;
    snprintf(s_world.p1, sizeof s_world.p1, "%s", r->reg_product_detail->product->id);
    ocop__reply__free_unpacked(r, NULL);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    ocop_client_destroy(&s_world.c);
    ocop_client_destroy(&s_world.raw);
    ocop_client_destroy(&s_world.other);
    harness_destroy(&s_world.h);
    return 0;
}

/* Per-test teardown: the test's own client, also when an assertion jumped out of the test. */
static int s_close_other(void **state)
{
    (void)state;
    ocop_client_destroy(&s_world.other);
    return 0;
}

/* ---------------------------------------------------------------- request builders */

static Ocop__Reply *s_call(Ocop__Request *req)
{
    Ocop__Reply *reply = NULL;
    if (harness_call(s_world.c, req, &reply) != 0)
        return NULL;
    return reply;
}

static Ocop__Reply *s_entity(Ocop__EntityType type, const char *name, const char *tax, const char *commune,
                             const char *phone, const char *version)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = type;
    b.name = (char *)name;
    b.tax_code = (char *)tax;
    b.commune_code = (char *)commune;
    b.phone = (char *)phone;
    b.unit_version = (char *)version;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    return s_call(&req);
}

/* A valid entity registration but for the one thing each case changes. */
#define COOP OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE
#define C0 (s_world.data.communes[0])
#define ENTITY_NAME(name) s_entity(COOP, (name), "4600999001", C0, "", "")

static Ocop__Reply *s_product(const char *entity, const char *name, const char *catalogue, const char *sector,
                              const char *set, const char *commune, Ocop__ProcessingLevel processing,
                              size_t n_standards)
{
    char *standards[32];
    for (size_t i = 0; i < sizeof standards / sizeof standards[0]; i++)
        standards[i] = "VietGAP";
    static char distinct[32][16];
    for (size_t i = 0; i < n_standards && i < 32; i++) {
        snprintf(distinct[i], sizeof distinct[i], "ISO-%zu", i);
        standards[i] = distinct[i];
    }
    Ocop__RegProductRegister b = OCOP__REG_PRODUCT_REGISTER__INIT;
    b.entity_id = (char *)entity;
    b.name = (char *)name;
    b.catalogue_version = (char *)catalogue;
    b.sector_code = (char *)sector;
    b.product_set_code = (char *)set;
    b.commune_code = (char *)commune;
    b.processing = processing;
    b.standards = standards;
    b.n_standards = n_standards;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &b;
    return s_call(&req);
}

#define PROCESSED OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED
#define PRODUCT_NAME(name)                                                                                             \
    s_product(s_world.e1, (name), "", s_world.data.sector, s_world.data.product_set, C0, PROCESSED, 0)

/* Drains replies left over from earlier raw cases (none expected). */
static void s_raw_drain(void)
{
    Ocop__Reply *stale;
    while (ocop_client_recv(s_world.raw, &stale, 0) == 0)
        ocop__reply__free_unpacked(stale, NULL);
}

static Ocop__Reply *s_raw_frames(const void *const *frames, const size_t *lens, size_t n)
{
    s_raw_drain();
    void *sock = ocop_client_socket(s_world.raw);
    for (size_t i = 0; i < n; i++)
        if (zmq_send(sock, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0) < 0)
            return NULL;
    Ocop__Reply *reply = NULL;
    if (ocop_client_recv(s_world.raw, &reply, S_RAW_TIMEOUT_MS) != 0)
        return NULL;
    return reply;
}

static Ocop__Reply *s_raw(const void *data, size_t len)
{
    const void *frames[] = {data};
    size_t lens[] = {len};
    return s_raw_frames(frames, lens, 1);
}

/* A packed Request; request_id may be "" (packs as absent). */
static Ocop__Reply *s_raw_request(Ocop__Request *req, size_t cut)
{
    size_t len = ocop__request__get_packed_size(req);
    uint8_t *buf = malloc(len);
    if (!buf)
        return NULL;
    ocop__request__pack(req, buf);
    Ocop__Reply *reply = s_raw(buf, len - cut);
    free(buf);
    return reply;
}

/* ---------------------------------------------------------------- the cases */

static Ocop__Reply *case_garbage(void)
{
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x07, 'n', 'o', 't', ' ', 'p', 'b'};
    return s_raw(junk, sizeof junk);
}

static Ocop__Reply *case_truncated(void)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Cắt Cụt";
    b.tax_code = "4600999002";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "truncated-1";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    return s_raw_request(&req, 4);
}

/* A packed entity registration whose string "mark" (in the name or the request id) has its '|'
 * turned into a NUL on the wire: protobuf-c would end the string there. */
static Ocop__Reply *s_nul_request(const char *name, const char *request_id)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = (char *)name;
    b.tax_code = "4600999003";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.caller = "test";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    size_t len = ocop__request__get_packed_size(&req);
    uint8_t *buf = malloc(len);
    if (!buf)
        return NULL;
    ocop__request__pack(&req, buf);
    uint8_t *bar = memchr(buf, '|', len);
    assert_non_null(bar);
    *bar = 0;
    Ocop__Reply *reply = s_raw(buf, len);
    free(buf);
    return reply;
}

static Ocop__Reply *case_nul_in_name(void)
{
    return s_nul_request("HTX Nul|Ẩn", "nul-in-name-1");
}

static Ocop__Reply *case_nul_in_request_id(void)
{
    return s_nul_request("HTX Nul Ẩn", "nul-in-id|2");
}

static Ocop__Reply *s_oversized(size_t len, uint8_t fill)
{
    uint8_t *buf = malloc(len);
    if (!buf)
        return NULL;
    memset(buf, fill, len);
    Ocop__Reply *reply = s_raw(buf, len);
    free(buf);
    return reply;
}

static Ocop__Reply *case_above_limit(void)
{
    return s_oversized(S_MAX_REQUEST + 1, 0xff);
}
/* A well-formed request above the limit is refused for its size, before it is parsed. */
static Ocop__Reply *case_valid_above_limit(void)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    char *name = malloc(S_MAX_REQUEST + 1);
    if (!name)
        return NULL;
    memset(name, 'b', S_MAX_REQUEST);
    name[S_MAX_REQUEST] = '\0';
    b.type = COOP;
    b.name = name;
    b.tax_code = "4600999003";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "too-large-1";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    Ocop__Reply *reply = s_raw_request(&req, 0);
    free(name);
    return reply;
}
/* Exactly at the limit is not too large: it is parsed (and is garbage). */
static Ocop__Reply *case_at_limit(void)
{
    return s_oversized(S_MAX_REQUEST, 0xff);
}

static Ocop__Reply *case_empty_frame(void)
{
    return s_raw("", 0);
}

static Ocop__Reply *case_no_body(void)
{
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "no-body-1";
    req.caller = "raw";
    return s_raw_request(&req, 0);
}

/* request_id "x" (field 1), then field 999 (length-delimited, 3 bytes): a body type the
 * envelope does not know. */
static Ocop__Reply *case_unknown_field(void)
{
    static const uint8_t frame[] = {0x0a, 0x01, 'x', 0xba, 0x3e, 0x03, 'a', 'b', 'c'};
    return s_raw(frame, sizeof frame);
}

/* Field 100 (reg_unit_import) with wire type 0 (varint) instead of a message. */
static Ocop__Reply *case_wrong_wire_type(void)
{
    static const uint8_t frame[] = {0xa0, 0x06, 0x01};
    return s_raw(frame, sizeof frame);
}

static Ocop__Reply *case_two_frames(void)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "two-frames";
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    uint8_t buf[64];
    size_t len = ocop__request__pack(&req, buf);
    const void *frames[] = {buf, buf};
    size_t lens[] = {len, len};
    return s_raw_frames(frames, lens, 2);
}

static Ocop__Reply *s_write_with_id(const char *request_id)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Không Mã Yêu Cầu";
    b.tax_code = "4600999004";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    return s_raw_request(&req, 0);
}

static Ocop__Reply *case_write_without_request_id(void)
{
    return s_write_with_id("");
}
static Ocop__Reply *case_write_request_id_too_long(void)
{
    char id[130];
    memset(id, 'r', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    return s_write_with_id(id);
}
static Ocop__Reply *case_write_request_id_control(void)
{
    return s_write_with_id("bad\x01id");
}

static Ocop__Reply *case_name_bad_utf8(void)
{
    return ENTITY_NAME("HTX Ch\xc3"
                       "("
                       " Tân Cương");
}
static Ocop__Reply *case_name_overlong(void)
{
    return ENTITY_NAME("HTX \xc0\xaf"
                       "Tân Cương");
}
static Ocop__Reply *case_name_surrogate(void)
{
    return ENTITY_NAME("HTX \xed\xa0\x80"
                       " Tân Cương");
}
static Ocop__Reply *case_name_truncated_seq(void)
{
    return ENTITY_NAME("HTX Tân Cươ\xe1\xbb");
}
static Ocop__Reply *case_name_control(void)
{
    return ENTITY_NAME("HTX \x01 Tân Cương");
}
static Ocop__Reply *case_name_empty(void)
{
    return ENTITY_NAME("");
}
static Ocop__Reply *case_name_10kb(void)
{
    return ENTITY_NAME(s_world.long_name);
}
static Ocop__Reply *case_name_legal_form_only(void)
{
    return ENTITY_NAME("Công ty TNHH");
}
static Ocop__Reply *case_representative_bad_utf8(void)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Đại Diện";
    b.tax_code = "4600999005";
    b.commune_code = (char *)C0;
    b.representative = "Nguy\xff"
                       "n";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    return s_call(&req);
}
static Ocop__Reply *case_type_unspecified(void)
{
    return s_entity(OCOP__ENTITY_TYPE__ENTITY_TYPE_UNSPECIFIED, "HTX Loại", "4600999006", C0, "", "");
}
static Ocop__Reply *case_type_out_of_range(void)
{
    return s_entity((Ocop__EntityType)99, "HTX Loại", "4600999006", C0, "", "");
}
static Ocop__Reply *case_tax_code_empty(void)
{
    return s_entity(COOP, "HTX Thuế", "", C0, "", "");
}
static Ocop__Reply *case_tax_code_bad_chars(void)
{
    return s_entity(COOP, "HTX Thuế", "4600 999", C0, "", "");
}
static Ocop__Reply *case_phone_invalid(void)
{
    return s_entity(COOP, "HTX Điện Thoại", "4600999007", C0, "12345", "");
}
static Ocop__Reply *case_commune_unknown(void)
{
    return s_entity(COOP, "HTX Xã Lạ", "4600999008", s_world.data.unknown_commune, "", "");
}
static Ocop__Reply *case_commune_empty(void)
{
    return s_entity(COOP, "HTX Xã Trống", "4600999008", "", "", "");
}
static Ocop__Reply *case_commune_is_a_province(void)
{
    return s_entity(COOP, "HTX Tỉnh", "4600999008", s_world.data.province_a, "", "");
}
static Ocop__Reply *case_unit_version_unknown(void)
{
    return s_entity(COOP, "HTX Phiên Bản", "4600999009", C0, "", "1999");
}
static Ocop__Reply *case_duplicate_tax_code(void)
{
    return s_entity(COOP, "HTX Trùng Mã Số Thuế", E1_TAX, s_world.data.communes[1], "", "");
}

static Ocop__Reply *case_product_name_bad_utf8(void)
{
    return PRODUCT_NAME("M\xe1\xba"
                        "t ong");
}
static Ocop__Reply *case_product_name_empty(void)
{
    return PRODUCT_NAME("");
}
static Ocop__Reply *case_product_name_10kb(void)
{
    return PRODUCT_NAME(s_world.long_name);
}
static Ocop__Reply *case_product_name_punctuation_only(void)
{
    return PRODUCT_NAME("!!! ---");
}
static Ocop__Reply *case_product_entity_unknown(void)
{
    return s_product("ENT-99999999", "Mật ong mới", "", s_world.data.sector, s_world.data.product_set, C0, PROCESSED,
                     0);
}
static Ocop__Reply *case_product_entity_empty(void)
{
    return s_product("", "Mật ong mới", "", s_world.data.sector, s_world.data.product_set, C0, PROCESSED, 0);
}
static Ocop__Reply *case_product_commune_unknown(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", s_world.data.sector, s_world.data.product_set,
                     s_world.data.unknown_commune, PROCESSED, 0);
}
/* A product is registered, and rated, in its producer's province: e1 is in province A. */
static Ocop__Reply *case_product_commune_other_province(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", s_world.data.sector, s_world.data.product_set,
                     s_world.data.communes[3], PROCESSED, 0);
}
static Ocop__Reply *case_product_sector_unknown(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", "77", s_world.data.product_set, C0, PROCESSED, 0);
}
static Ocop__Reply *case_product_set_unknown(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", s_world.data.sector, "9.9.9", C0, PROCESSED, 0);
}
static Ocop__Reply *case_product_catalogue_unknown(void)
{
    return s_product(s_world.e1, "Mật ong mới", "1999", s_world.data.sector, s_world.data.product_set, C0, PROCESSED,
                     0);
}
static Ocop__Reply *case_product_processing_unspecified(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", s_world.data.sector, s_world.data.product_set, C0,
                     OCOP__PROCESSING_LEVEL__PROCESSING_UNSPECIFIED, 0);
}
static Ocop__Reply *case_product_too_many_standards(void)
{
    return s_product(s_world.e1, "Mật ong mới", "", s_world.data.sector, s_world.data.product_set, C0, PROCESSED, 21);
}
/* The same entity, the same name once normalised (case, hyphen, decomposed diacritics). */
static Ocop__Reply *case_product_same_name_same_entity(void)
{
    return PRODUCT_NAME("MẬT ONG RỪNG U-MINH");
}
static Ocop__Reply *case_product_same_name_nfd(void)
{
    /* "Mật ong rừng U Minh" in NFD: base letters followed by combining marks. */
    return PRODUCT_NAME("Ma\xcc\xa3\xcc\x82t ong ru\xcc\x9b\xcc\x80ng U Minh");
}

static Ocop__Reply *s_get(Ocop__Request__BodyCase which, const char *id)
{
    Ocop__RegEntityGet eg = OCOP__REG_ENTITY_GET__INIT;
    Ocop__RegProductGet pg = OCOP__REG_PRODUCT_GET__INIT;
    Ocop__RegUnitGet ug = OCOP__REG_UNIT_GET__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = which;
    eg.id = pg.id = ug.code = (char *)id;
    req.reg_entity_get = &eg; /* the oneof shares storage: set the one that matches */
    if (which == OCOP__REQUEST__BODY_REG_PRODUCT_GET)
        req.reg_product_get = &pg;
    else if (which == OCOP__REQUEST__BODY_REG_UNIT_GET)
        req.reg_unit_get = &ug;
    return s_call(&req);
}
static Ocop__Reply *case_entity_get_unknown(void)
{
    return s_get(OCOP__REQUEST__BODY_REG_ENTITY_GET, "ENT-99999999");
}
static Ocop__Reply *case_product_get_unknown(void)
{
    return s_get(OCOP__REQUEST__BODY_REG_PRODUCT_GET, "PRD-99999999");
}
static Ocop__Reply *case_unit_get_unknown(void)
{
    return s_get(OCOP__REQUEST__BODY_REG_UNIT_GET, s_world.data.unknown_commune);
}

#define ACT(x) OCOP__STAGE_ACTION__STAGE_ACTION_##x
static Ocop__Reply *case_transition_unknown_product(void)
{
    return harness_transition(s_world.c, "PRD-99999999", ACT(ACCEPT), NULL);
}
static Ocop__Reply *case_transition_promote_idea(void)
{
    return harness_transition(s_world.c, s_world.p1, ACT(PROMOTE), NULL);
}
static Ocop__Reply *case_transition_resubmit_idea(void)
{
    return harness_transition(s_world.c, s_world.p1, ACT(RESUBMIT), "again");
}
static Ocop__Reply *case_transition_no_action(void)
{
    return harness_transition(s_world.c, s_world.p1, ACT(UNSPECIFIED), NULL);
}
static Ocop__Reply *case_transition_unknown_action(void)
{
    return harness_transition(s_world.c, s_world.p1, (Ocop__StageAction)42, NULL);
}
static Ocop__Reply *case_reject_without_reason(void)
{
    return harness_transition(s_world.c, s_world.p1, ACT(REJECT), "");
}
static Ocop__Reply *case_reject_reason_bad_utf8(void)
{
    return harness_transition(s_world.c, s_world.p1, ACT(REJECT), "thi\xe1\xba\xbfu \xff");
}
static Ocop__Reply *case_transition_stale_revision(void)
{
    Ocop__RegStageTransition b = OCOP__REG_STAGE_TRANSITION__INIT;
    b.product_id = s_world.p1;
    b.action = ACT(ACCEPT);
    b.expected_revision = 7;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req.reg_stage_transition = &b;
    return s_call(&req);
}
static Ocop__Reply *case_entity_update_stale_revision(void)
{
    Ocop__RegEntityUpdate b = OCOP__REG_ENTITY_UPDATE__INIT;
    b.id = s_world.e1;
    b.expected_revision = 5;
    b.representative = "Trần Thị Bình";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_UPDATE;
    req.reg_entity_update = &b;
    return s_call(&req);
}
static Ocop__Reply *case_entity_update_unknown(void)
{
    Ocop__RegEntityUpdate b = OCOP__REG_ENTITY_UPDATE__INIT;
    b.id = "ENT-99999999";
    b.representative = "Trần Thị Bình";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_UPDATE;
    req.reg_entity_update = &b;
    return s_call(&req);
}
static Ocop__Reply *case_review_not_pending(void)
{
    return harness_review(s_world.c, s_world.p1, OCOP__REVIEW_STATE__REVIEW_CLEARED, "fine");
}
static Ocop__Reply *case_review_bad_decision(void)
{
    return harness_review(s_world.c, s_world.p1, OCOP__REVIEW_STATE__REVIEW_PENDING, "fine");
}
static Ocop__Reply *case_review_confirm_without_note(void)
{
    return harness_review(s_world.c, s_world.p1, OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE, "");
}
static Ocop__Reply *case_unit_import_bad_code(void)
{
    Ocop__RegUnit u = OCOP__REG_UNIT__INIT;
    u.code = "12a";
    u.name = "Xã Thử";
    u.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE;
    u.parent_code = s_world.data.province_a;
    Ocop__RegUnit *units[] = {&u};
    Ocop__RegUnitImport b = OCOP__REG_UNIT_IMPORT__INIT;
    b.version = s_world.data.unit_version;
    b.units = units;
    b.n_units = 1;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_IMPORT;
    req.reg_unit_import = &b;
    return s_call(&req);
}

#define S(x) OCOP__STATUS__STATUS_##x
typedef struct {
    const char *name;
    Ocop__Reply *(*run)(void);
    int status;
    const char *field; /* NULL: not checked */
} s_case_t;

static const s_case_t s_cases[] = {
    /* frames */
    {"garbage frame", case_garbage, S(MALFORMED), ""},
    {"truncated protobuf", case_truncated, S(MALFORMED), ""},
    {"frame of max_request_bytes + 1", case_above_limit, S(TOO_LARGE), ""},
    {"well-formed request above the limit", case_valid_above_limit, S(TOO_LARGE), ""},
    {"garbage of exactly max_request_bytes", case_at_limit, S(MALFORMED), ""},
    {"two-frame request", case_two_frames, S(MALFORMED), ""},
    {"empty frame (request without body)", case_empty_frame, S(UNSUPPORTED), "body"},
    {"request without body", case_no_body, S(UNSUPPORTED), "body"},
    {"body of an unknown field number", case_unknown_field, S(UNSUPPORTED), "body"},
    {"known body with the wrong wire type", case_wrong_wire_type, S(MALFORMED), ""},
    {"NUL inside a string of the body", case_nul_in_name, S(INVALID), "name"},
    {"NUL inside the request id", case_nul_in_request_id, S(INVALID), "request_id"},
    {"write without request_id", case_write_without_request_id, S(INVALID), "request_id"},
    {"request_id of 129 characters", case_write_request_id_too_long, S(INVALID), "request_id"},
    {"request_id with a control character", case_write_request_id_control, S(INVALID), "request_id"},
    /* entity registration */
    {"name: invalid UTF-8", case_name_bad_utf8, S(INVALID), "name"},
    {"name: overlong UTF-8", case_name_overlong, S(INVALID), "name"},
    {"name: UTF-16 surrogate", case_name_surrogate, S(INVALID), "name"},
    {"name: truncated UTF-8 sequence", case_name_truncated_seq, S(INVALID), "name"},
    {"name: control character", case_name_control, S(INVALID), "name"},
    {"name: empty", case_name_empty, S(INVALID), "name"},
    {"name: 10 KB", case_name_10kb, S(INVALID), "name"},
    {"name: legal form only", case_name_legal_form_only, S(INVALID), "name"},
    {"representative: invalid UTF-8", case_representative_bad_utf8, S(INVALID), "representative"},
    {"type: unspecified", case_type_unspecified, S(INVALID), "type"},
    {"type: out of range", case_type_out_of_range, S(INVALID), "type"},
    {"tax_code: empty", case_tax_code_empty, S(INVALID), "tax_code"},
    {"tax_code: a space", case_tax_code_bad_chars, S(INVALID), "tax_code"},
    {"phone: not a Vietnamese number", case_phone_invalid, S(INVALID), "phone"},
    {"commune: unknown", case_commune_unknown, S(NOT_FOUND), "commune_code"},
    {"commune: empty", case_commune_empty, S(INVALID), "commune_code"},
    {"commune: a province's code", case_commune_is_a_province, S(NOT_FOUND), "commune_code"},
    {"unit_version: unknown", case_unit_version_unknown, S(INVALID), "unit_version"},
    {"tax_code: already registered for the type", case_duplicate_tax_code, S(CONFLICT), "tax_code"},
    /* product registration */
    {"product name: invalid UTF-8", case_product_name_bad_utf8, S(INVALID), "name"},
    {"product name: empty", case_product_name_empty, S(INVALID), "name"},
    {"product name: 10 KB", case_product_name_10kb, S(INVALID), "name"},
    {"product name: punctuation only", case_product_name_punctuation_only, S(INVALID), "name"},
    {"product entity: unknown", case_product_entity_unknown, S(NOT_FOUND), "entity_id"},
    {"product entity: empty", case_product_entity_empty, S(INVALID), "entity_id"},
    {"product commune: unknown", case_product_commune_unknown, S(NOT_FOUND), "commune_code"},
    {"product commune: in another province than its entity", case_product_commune_other_province, S(INVALID),
     "commune_code"},
    {"product sector: unknown", case_product_sector_unknown, S(INVALID), "sector_code"},
    {"product set: unknown", case_product_set_unknown, S(INVALID), "product_set_code"},
    {"catalogue: unknown", case_product_catalogue_unknown, S(INVALID), "catalogue_version"},
    {"processing: unspecified", case_product_processing_unspecified, S(INVALID), "processing"},
    {"standards: 21", case_product_too_many_standards, S(INVALID), "standards"},
    {"same entity, same normalised name", case_product_same_name_same_entity, S(CONFLICT), "name"},
    {"same entity, same name in NFD", case_product_same_name_nfd, S(CONFLICT), "name"},
    /* reads */
    {"entity get: unknown", case_entity_get_unknown, S(NOT_FOUND), "id"},
    {"product get: unknown", case_product_get_unknown, S(NOT_FOUND), "id"},
    {"unit get: unknown", case_unit_get_unknown, S(NOT_FOUND), NULL},
    /* transitions, updates, reviews, imports */
    {"transition: unknown product", case_transition_unknown_product, S(NOT_FOUND), "product_id"},
    {"transition: promote an idea", case_transition_promote_idea, S(ILLEGAL_STATE), "action"},
    {"transition: resubmit what was not rejected", case_transition_resubmit_idea, S(ILLEGAL_STATE), "action"},
    {"transition: no action", case_transition_no_action, S(INVALID), "action"},
    {"transition: unknown action", case_transition_unknown_action, S(INVALID), "action"},
    {"reject without a reason", case_reject_without_reason, S(INVALID), "reason"},
    {"reject with an invalid UTF-8 reason", case_reject_reason_bad_utf8, S(INVALID), "reason"},
    {"transition: stale revision", case_transition_stale_revision, S(CONFLICT), "expected_revision"},
    {"entity update: stale revision", case_entity_update_stale_revision, S(CONFLICT), "expected_revision"},
    {"entity update: unknown", case_entity_update_unknown, S(NOT_FOUND), "id"},
    {"review: nothing pending", case_review_not_pending, S(ILLEGAL_STATE), "product_id"},
    {"review: decision PENDING", case_review_bad_decision, S(INVALID), "decision"},
    {"review: confirmed duplicate without a note", case_review_confirm_without_note, S(INVALID), "note"},
    {"unit import: bad code", case_unit_import_bad_code, S(INVALID), "units[0].code"},
};

/* ---------------------------------------------------------------- helpers */

typedef struct {
    uint8_t *bytes;
    size_t len;
    uint64_t last_seq, errors, requests;
} s_state_t;

static void s_pong(uint64_t *last, uint64_t *errors, uint64_t *requests)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_world.c, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    *last = r->pong->last_sequence;
    *errors = r->pong->errors;
    *requests = r->pong->requests;
    ITEST_FREE(r);
}

static void s_state_take(s_state_t *st)
{
    memset(st, 0, sizeof *st);
    assert_int_equal(harness_snapshot(s_world.h, s_world.c, &st->bytes, &st->len), 0);
    uint64_t requests;
    s_pong(&st->last_seq, &st->errors, &requests);
}

/* The store is as before (snapshot bytes and last sequence). */
static void s_state_assert_unchanged(const s_state_t *before, const char *what)
{
    s_state_t after;
    s_state_take(&after);
    if (after.last_seq != before->last_seq)
        fail_msg("%s: last sequence moved from %llu to %llu", what, (unsigned long long)before->last_seq,
                 (unsigned long long)after.last_seq);
    if (after.len != before->len || memcmp(after.bytes, before->bytes, after.len) != 0)
        fail_msg("%s: the store changed", what);
    free(after.bytes);
}

/* ---------------------------------------------------------------- tests */

static void test_bad_input_table(void **state)
{
    (void)state;
    s_state_t before;
    s_state_take(&before);
    size_t n = sizeof s_cases / sizeof s_cases[0];
    for (size_t i = 0; i < n; i++) {
        const s_case_t *tc = &s_cases[i];
        uint64_t last0, errors0, requests0, last1, errors1, requests1;
        s_pong(&last0, &errors0, &requests0);
        Ocop__Reply *r = tc->run();
        if (!r)
            fail_msg("case '%s': no reply", tc->name);
        if ((int)r->status != tc->status || (tc->field && strcmp(r->field, tc->field) != 0))
            fail_msg("case '%s': got %s field='%s' message='%s', expected %s field='%s'", tc->name,
                     harness_status_name(r->status), r->field, r->message, harness_status_name(tc->status),
                     tc->field ? tc->field : "(any)");
        if (!r->message || !*r->message)
            fail_msg("case '%s': the error has no message", tc->name);
        if (r->body_case != OCOP__REPLY__BODY__NOT_SET)
            fail_msg("case '%s': an error reply carries a body (%d)", tc->name, (int)r->body_case);
        print_message("  %-45s %s field=%s: %s\n", tc->name, harness_status_name(r->status), r->field, r->message);
        ITEST_FREE(r);
        /* Exactly one more request and one more error; nothing committed. */
        s_pong(&last1, &errors1, &requests1);
        if (last1 != last0 || errors1 != errors0 + 1 || requests1 != requests0 + 2)
            fail_msg("case '%s': last %llu->%llu errors %llu->%llu requests %llu->%llu", tc->name,
                     (unsigned long long)last0, (unsigned long long)last1, (unsigned long long)errors0,
                     (unsigned long long)errors1, (unsigned long long)requests0, (unsigned long long)requests1);
        s_state_assert_unchanged(&before, tc->name);
    }
    free(before.bytes);
}

/* Errors found before a request unpacks still name it when its id can be read off the frame, so
 * a pipelining client knows which request failed. */
static void test_errors_before_unpacking_name_their_request(void **state)
{
    (void)state;
    static const struct {
        Ocop__Reply *(*run)(void);
        const char *request_id;
    } cases[] = {{case_truncated, "truncated-1"},
                 {case_valid_above_limit, "too-large-1"},
                 {case_two_frames, "two-frames"},
                 {case_garbage, ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Ocop__Reply *r = cases[i].run();
        assert_non_null(r);
        assert_int_not_equal(r->status, OCOP__STATUS__STATUS_OK);
        if (strcmp(r->request_id, cases[i].request_id) != 0)
            fail_msg("case %zu: the reply names request '%s', not '%s'", i, r->request_id, cases[i].request_id);
        ITEST_FREE(r);
    }
}

/* Unique within its type only: the same tax code for another type of entity is fine. */
static void test_tax_code_unique_within_type(void **state)
{
    (void)state;
    Ocop__Reply *r = s_entity(OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM, "Trang trại Ong Mật", E1_TAX, C0, "", "");
    ITEST_ASSERT_OK(r);
    assert_string_not_equal(r->reg_entity->id, s_world.e1);
    ITEST_FREE(r);
    r = s_entity(OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM, "Trang trại Ong Mật Hai", E1_TAX, C0, "", "");
    ITEST_ASSERT_ERROR(r, S(CONFLICT), "tax_code");
    ITEST_FREE(r);
}

static void test_stranger_is_refused(void **state)
{
    (void)state;
    s_state_t before;
    s_state_take(&before);
    /* A stranger whose public key holds '=', which logfmt would split on (bounded: about one Z85
     * key in three has one). */
    ocop_keypair_t keys;
    int tries = 0;
    do
        assert_int_equal(ocop_keys_generate(&keys), 0);
    while (!strchr(keys.public_z85, '=') && ++tries < 200);
    assert_non_null(strchr(keys.public_z85, '='));
    s_world.other = harness_connect(s_world.h, &keys, "stranger");
    ocop_client_t *stranger = s_world.other;
    assert_non_null(stranger);
    /* A write and a ping: neither gets an answer. */
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Người Lạ";
    b.tax_code = "4600999099";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    Ocop__Reply *r = NULL;
    int64_t t0 = harness_mono_ms();
    assert_int_not_equal(ocop_client_call(stranger, &req, &r, S_REFUSED_WAIT_MS, 1), 0);
    assert_null(r);
    assert_true(harness_mono_ms() - t0 >= S_REFUSED_WAIT_MS - 50);
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request preq = OCOP__REQUEST__INIT;
    preq.body_case = OCOP__REQUEST__BODY_PING;
    preq.ping = &ping;
    assert_int_not_equal(ocop_client_call(stranger, &preq, &r, S_REFUSED_WAIT_MS, 1), 0);
    assert_null(r);

    /* Meanwhile the allowed client is served. */
    preq.request_id = "";
    assert_int_equal(harness_call(s_world.c, &preq, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    /* The refusal is ZAP's, logged with the stranger's key as one logfmt value (Z85 holds '=' and
     * other characters logfmt splits on, so it is quoted) (bounded wait for the line). */
    char needle[128], key[64], logged[80];
    snprintf(needle, sizeof needle, "event=zap_refused mechanism=CURVE");
    snprintf(logged, sizeof logged, "key=%s", ocop_log_value(key, sizeof key, keys.public_z85));
    int64_t deadline = harness_mono_ms() + 5000;
    int found = 0;
    while (!(found = harness_log_contains(s_world.h, logged)) && harness_mono_ms() < deadline) {
        Ocop__Reply *tmp;
        if (ocop_client_recv(stranger, &tmp, 50) == 0)
            fail_msg("the stranger got a reply");
    }
    if (!found || !harness_log_contains(s_world.h, needle)) {
        harness_log_tail(s_world.h, 1500);
        fail_msg("no zap_refused line naming the stranger's key as %s in the log", logged);
    }
    ocop_client_destroy(&s_world.other);
    s_state_assert_unchanged(&before, "stranger");
    free(before.bytes);
}

/* Beyond libzmq's hard ceiling (4 × max_request_bytes) the sender loses its connection
 * instead of an answer; the service and other clients carry on. */
static void test_frame_beyond_hard_ceiling(void **state)
{
    (void)state;
    s_state_t before;
    s_state_take(&before);
    s_world.other = harness_connect(s_world.h, NULL, "big");
    ocop_client_t *big = s_world.other;
    assert_non_null(big);
    size_t len = 4 * S_MAX_REQUEST + 1024;
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    memset(buf, 0xab, len);
    assert_int_equal(ocop_client_send_raw(big, buf, len), 0);
    free(buf);
    Ocop__Reply *r = NULL;
    assert_int_not_equal(ocop_client_recv(big, &r, S_REFUSED_WAIT_MS), 0);
    assert_null(r);
    ocop_client_destroy(&s_world.other);
    s_state_assert_unchanged(&before, "frame beyond the hard ceiling");
    free(before.bytes);
}

static int s_has_flag(const Ocop__RegProduct *p, const char *flag)
{
    for (size_t i = 0; i < p->n_flags; i++)
        if (strcmp(p->flags[i], flag) == 0)
            return 1;
    return 0;
}

static int s_review_pending_contains(const char *id)
{
    Ocop__RegProductList f = OCOP__REG_PRODUCT_LIST__INIT;
    f.review_pending = 1;
    char **ids;
    size_t n, pages;
    assert_int_equal(harness_product_list_all(s_world.c, &f, 10, &ids, &n, &pages), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(ids[i], id) == 0;
    harness_ids_free(ids, n);
    return found;
}

static void test_duplicate_screening(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    int64_t t0 = harness_wall_ms();
    uint64_t last = (uint64_t)harness_last_sequence(s_world.h);

    /* Another entity, same commune and product set, a near-identical name: accepted, flagged,
     * with the first product as the top candidate. Two events: registered + flagged. */
    Ocop__Reply *r = harness_product_register(s_world.c, s_world.e2, "Mật ong rừng U Minh Hạ", d->sector,
                                              d->product_set, d->communes[0], PROCESSED);
    ITEST_ASSERT_OK(r);
    const Ocop__RegProduct *p2 = r->reg_product_detail->product;
    char p2_id[32];
    snprintf(p2_id, sizeof p2_id, "%s", p2->id);
    assert_true(s_has_flag(p2, "near_duplicate"));
    assert_false(s_has_flag(p2, "fresh_raw"));
    assert_int_equal(p2->review, OCOP__REVIEW_STATE__REVIEW_PENDING);
    assert_true(p2->n_candidates >= 1);
    assert_string_equal(p2->candidates[0]->product_id, s_world.p1);
    assert_string_equal(p2->candidates[0]->entity_id, s_world.e1);
    assert_string_equal(p2->candidates[0]->name, P1_NAME);
    assert_true(p2->candidates[0]->similarity >= 0.5 && p2->candidates[0]->similarity < 1.0);
    ITEST_FREE(r);
    assert_int_equal((uint64_t)harness_last_sequence(s_world.h), last + 2);
    assert_true(s_review_pending_contains(p2_id));
    assert_false(s_review_pending_contains(s_world.p1));

    /* Near both: the other entity's product is a candidate, the entity's own is not. */
    r = harness_product_register(s_world.c, s_world.e2, "Mật ong rừng U Minh Hạ thượng hạng", d->sector, d->product_set,
                                 d->communes[0], PROCESSED);
    ITEST_ASSERT_OK(r);
    const Ocop__RegProduct *p3 = r->reg_product_detail->product;
    assert_true(s_has_flag(p3, "near_duplicate"));
    int saw_other = 0;
    for (size_t i = 0; i < p3->n_candidates; i++) {
        assert_string_not_equal(p3->candidates[i]->entity_id, s_world.e2);
        saw_other |= strcmp(p3->candidates[i]->product_id, s_world.p1) == 0;
    }
    assert_true(saw_other);
    ITEST_FREE(r);

    /* The same name in another commune is another block: not a candidate. */
    r = harness_product_register(s_world.c, s_world.e2, "Mật ong rừng U Minh Thượng", d->sector, d->product_set,
                                 d->communes[1], PROCESSED);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_product_detail->product->n_flags, 0);
    assert_int_equal(r->reg_product_detail->product->review, OCOP__REVIEW_STATE__REVIEW_NONE);
    ITEST_FREE(r);

    /* A flagged product goes no further than its idea until reviewed. */
    r = harness_transition(s_world.c, p2_id, ACT(ACCEPT), NULL);
    ITEST_ASSERT_ERROR(r, S(ILLEGAL_STATE), "product_id");
    ITEST_FREE(r);

    /* The review is recorded (who, when, what, why) and shows in get. */
    r = harness_review(s_world.c, p2_id, OCOP__REVIEW_STATE__REVIEW_CLEARED, "different apiary and recipe");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = harness_product_get(s_world.c, p2_id);
    ITEST_ASSERT_OK(r);
    const Ocop__RegProductDetail *det = r->reg_product_detail;
    assert_int_equal(det->product->review, OCOP__REVIEW_STATE__REVIEW_CLEARED);
    assert_true(s_has_flag(det->product, "near_duplicate"));
    assert_int_equal(det->n_reviews, 1);
    assert_int_equal(det->reviews[0]->decision, OCOP__REVIEW_STATE__REVIEW_CLEARED);
    assert_string_equal(det->reviews[0]->by, "clerk");
    assert_string_equal(det->reviews[0]->note, "different apiary and recipe");
    assert_true(det->reviews[0]->time_ms >= t0 && det->reviews[0]->time_ms <= harness_wall_ms());
    ITEST_FREE(r);
    assert_false(s_review_pending_contains(p2_id));
    r = harness_review(s_world.c, p2_id, OCOP__REVIEW_STATE__REVIEW_CLEARED, "again");
    ITEST_ASSERT_ERROR(r, S(ILLEGAL_STATE), "product_id");
    ITEST_FREE(r);
    r = harness_transition(s_world.c, p2_id, ACT(ACCEPT), NULL);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_product_detail->product->stage, OCOP__STAGE__STAGE_PLAN_PREPARING);
    ITEST_FREE(r);

    /* Fresh/raw: a product set marked fresh, and fresh processing in any set. */
    r = harness_product_register(s_world.c, s_world.e2, "Bưởi da xanh", d->fresh_sector, d->fresh_set, d->communes[0],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_FRESH);
    ITEST_ASSERT_OK(r);
    assert_true(s_has_flag(r->reg_product_detail->product, "fresh_raw"));
    assert_false(s_has_flag(r->reg_product_detail->product, "near_duplicate"));
    assert_int_equal(r->reg_product_detail->product->review, OCOP__REVIEW_STATE__REVIEW_PENDING);
    ITEST_FREE(r);
    r = harness_product_register(s_world.c, s_world.e1, "Bưởi tươi bóc múi", d->sector, d->product_set, d->communes[0],
                                 OCOP__PROCESSING_LEVEL__PROCESSING_FRESH);
    ITEST_ASSERT_OK(r);
    char fresh_id[32];
    snprintf(fresh_id, sizeof fresh_id, "%s", r->reg_product_detail->product->id);
    assert_true(s_has_flag(r->reg_product_detail->product, "fresh_raw"));
    ITEST_FREE(r);

    /* Confirmed duplicate: only withdrawal remains. */
    r = harness_review(s_world.c, fresh_id, OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE, "same as PRD of e2");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    r = harness_transition(s_world.c, fresh_id, ACT(ACCEPT), NULL);
    ITEST_ASSERT_ERROR(r, S(ILLEGAL_STATE), "product_id");
    ITEST_FREE(r);
    r = harness_transition(s_world.c, fresh_id, ACT(WITHDRAW), "duplicate");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_product_detail->product->stage, OCOP__STAGE__STAGE_WITHDRAWN);
    assert_int_equal(r->reg_product_detail->n_reviews, 1);
    assert_int_equal(r->reg_product_detail->reviews[0]->decision, OCOP__REVIEW_STATE__REVIEW_CONFIRMED_DUPLICATE);
    ITEST_FREE(r);
}

/* A request id names one request: sent again with the same route, caller and body it gets the
 * first reply; with another body, route or caller it is refused (CONFLICT on request_id) and
 * changes nothing. */
static void test_request_id_names_one_request(void **state)
{
    (void)state;
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Một Mã Một Yêu Cầu";
    b.tax_code = "4600999077";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "reuse-once";
    req.caller = "tester";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    Ocop__Reply *r = s_call(&req);
    ITEST_ASSERT_OK(r);
    char first[64];
    snprintf(first, sizeof first, "%s", r->reg_entity->id);
    ITEST_FREE(r);
    s_state_t before;
    s_state_take(&before);
    /* the same request again: the first reply */
    r = s_call(&req);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->reg_entity->id, first);
    ITEST_FREE(r);
    /* another entity under the same id */
    b.name = "HTX Khác Hẳn";
    b.tax_code = "4600999078";
    r = s_call(&req);
    ITEST_ASSERT_ERROR(r, S(CONFLICT), "request_id");
    ITEST_FREE(r);
    /* the same body from another caller */
    b.name = "HTX Một Mã Một Yêu Cầu";
    b.tax_code = "4600999077";
    req.caller = "someone-else";
    r = s_call(&req);
    ITEST_ASSERT_ERROR(r, S(CONFLICT), "request_id");
    ITEST_FREE(r);
    /* another route: a withdrawal sent with the registration's id */
    Ocop__RegStageTransition t = OCOP__REG_STAGE_TRANSITION__INIT;
    t.product_id = s_world.p1;
    t.action = OCOP__STAGE_ACTION__STAGE_ACTION_WITHDRAW;
    t.reason = "rút hồ sơ";
    Ocop__Request w = OCOP__REQUEST__INIT;
    w.request_id = "reuse-once";
    w.caller = "tester";
    w.body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    w.reg_stage_transition = &t;
    r = s_call(&w);
    ITEST_ASSERT_ERROR(r, S(CONFLICT), "request_id");
    ITEST_FREE(r);
    s_state_assert_unchanged(&before, "request id reuse");
    free(before.bytes);
}

/* A key other than the gateway's and the operators' (here the audit service's, which
 * registration admits so that audit can follow it) may write only in its own name: naming an
 * officer is refused and changes nothing; naming itself is taken. */
static void test_caller_is_bound_to_the_key(void **state)
{
    (void)state;
    s_world.other = harness_connect(s_world.h, &s_world.h->audit_keys, "hanoi@01");
    assert_non_null(s_world.other);
    s_state_t before;
    s_state_take(&before);
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = COOP;
    b.name = "HTX Mạo Danh";
    b.tax_code = "4600999088";
    b.commune_code = (char *)C0;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    Ocop__Reply *r = NULL;
    assert_int_equal(harness_call(s_world.other, &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S(FORBIDDEN), "caller");
    ITEST_FREE(r);
    s_state_assert_unchanged(&before, "a write in another's name");
    free(before.bytes);
    req.caller = "audit";
    req.request_id = "";
    assert_int_equal(harness_call(s_world.other, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* No crash, no hang, and (sanitizer build) no leak or error: a clean exit on SIGTERM. */
static void test_service_stops_cleanly(void **state)
{
    (void)state;
    assert_int_equal(harness_stop(s_world.h), 0);
}

/* Two registrations of the same product by the same entity that reach the service together
 * land in one batch: screening must see the first (not yet committed) and refuse the second. */
static void test_duplicate_within_one_batch(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    Ocop__RegProductRegister in = OCOP__REG_PRODUCT_REGISTER__INIT;
    in.entity_id = s_world.e1;
    in.name = "Nem chua Thanh Hóa loại đặc biệt";
    in.sector_code = (char *)d->sector;
    in.product_set_code = (char *)d->product_set;
    in.commune_code = (char *)d->communes[0];
    in.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    int64_t before = harness_last_sequence(s_world.h);
    enum { N = 8 };
    char ids[N][OCOP_REQUEST_ID_LEN + 1];
    for (int i = 0; i < N; i++) {
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
        req.reg_product_register = &in;
        ocop_request_id_new(ids[i]);
        req.request_id = ids[i];
        assert_int_equal(ocop_client_send(s_world.c, &req), 0);
    }
    int ok = 0, conflict = 0;
    for (int i = 0; i < N; i++) {
        Ocop__Reply *r = NULL;
        assert_int_equal(ocop_client_recv(s_world.c, &r, 10000), 0);
        if (r->status == OCOP__STATUS__STATUS_OK)
            ok++;
        else if (r->status == OCOP__STATUS__STATUS_CONFLICT && strcmp(r->field, "name") == 0)
            conflict++;
        ocop__reply__free_unpacked(r, NULL);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(conflict, N - 1);
    /* One product, one event. */
    assert_int_equal(harness_last_sequence(s_world.h), before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_table),
        cmocka_unit_test(test_errors_before_unpacking_name_their_request),
        cmocka_unit_test(test_tax_code_unique_within_type),
        cmocka_unit_test_teardown(test_stranger_is_refused, s_close_other),
        cmocka_unit_test_teardown(test_frame_beyond_hard_ceiling, s_close_other),
        cmocka_unit_test(test_duplicate_screening),
        cmocka_unit_test(test_duplicate_within_one_batch),
        cmocka_unit_test(test_request_id_names_one_request),
        cmocka_unit_test_teardown(test_caller_is_bound_to_the_key, s_close_other),
        cmocka_unit_test(test_service_stops_cleanly),
    };
    return cmocka_run_group_tests_name("bad_input", tests, s_group_setup, s_group_teardown);
}
