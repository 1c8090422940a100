/* Unit: a NUL inside a protobuf string is found on the wire and named by its field path; a
 * message without one, or with NUL bytes outside strings (numbers, packed fields), is left alone.
 * A request id is read off a frame that does not unpack, and only when it is printable text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "ocop_wire.h"

/* Packs req, turns its first '|' into a NUL (when there is one) and looks for a NUL string. */
static int s_find(Ocop__Request *req, char *field, size_t len)
{
    size_t n = ocop__request__get_packed_size(req);
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    ocop__request__pack(req, buf);
    uint8_t *bar = memchr(buf, '|', n);
    if (bar)
        *bar = 0;
    Ocop__Request *back = ocop__request__unpack(NULL, n, buf);
    assert_non_null(back); /* protobuf-c takes it: the NUL would cut the string short */
    ocop__request__free_unpacked(back, NULL);
    field[0] = '\0';
    int found = ocop_wire_find_nul(&ocop__request__descriptor, buf, n, 1, field, len);
    free(buf);
    return found;
}

static void test_nested_and_repeated(void **state)
{
    (void)state;
    Ocop__EvalDossier d0 = OCOP__EVAL_DOSSIER__INIT, d1 = OCOP__EVAL_DOSSIER__INIT;
    d0.product_id = "PRD-1";
    d0.filed = "2026-06-01";
    d1.product_id = "PRD|2";
    Ocop__EvalDossier *dossiers[] = {&d0, &d1};
    Ocop__EvalSessionOpen open = OCOP__EVAL_SESSION_OPEN__INIT;
    open.council_id = "C1-1";
    open.spread_limit = 256; /* a varint with a zero byte in it */
    open.n_dossiers = 2;
    open.dossiers = dossiers;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "r-1";
    req.body_case = OCOP__REQUEST__BODY_EVAL_SESSION_OPEN;
    req.eval_session_open = &open;
    char field[128];
    assert_int_equal(s_find(&req, field, sizeof field), 1);
    assert_string_equal(field, "dossiers.product_id");
    assert_int_equal(s_find(&req, field, 12), 1); /* a path longer than the room is cut */
    assert_string_equal(field, "dossiers.pr");

    d1.product_id = "PRD-2";
    char *ids[] = {"PRD-1", "PRD|3"};
    open.n_product_ids = 2;
    open.product_ids = ids;
    assert_int_equal(s_find(&req, field, sizeof field), 1);
    assert_string_equal(field, "product_ids");

    ids[1] = "PRD-3";
    assert_int_equal(s_find(&req, field, sizeof field), 0);
    assert_string_equal(field, "");

    req.caller = "lan|01";
    assert_int_equal(s_find(&req, field, sizeof field), 1);
    assert_string_equal(field, "caller");
}

static void test_truncated_bytes_are_not_walked(void **state)
{
    (void)state;
    /* field 1 of the body, length 200, two bytes present: protobuf-c refuses it, the walk stops */
    static const uint8_t frame[] = {0x0a, 0xc8, 0x01, 'a', 0};
    char field[32] = "";
    assert_int_equal(ocop_wire_find_nul(&ocop__request__descriptor, frame, sizeof frame, 1, field, sizeof field), 0);
}

static void test_peek_request_id(void **state)
{
    (void)state;
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.caller = "tester";
    req.request_id = "peek-1";
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    uint8_t buf[128];
    size_t n = ocop__request__pack(&req, buf);
    char id[16];
    /* whole, or cut short after the id: found */
    assert_int_equal(ocop_wire_peek_text(buf, n, 1, id, sizeof id), 1);
    assert_string_equal(id, "peek-1");
    assert_int_equal(ocop_wire_peek_text(buf, 8, 1, id, sizeof id), 1);
    /* cut inside the id, too long for out, not printable, or garbage first: not found */
    assert_int_equal(ocop_wire_peek_text(buf, 5, 1, id, sizeof id), 0);
    assert_int_equal(ocop_wire_peek_text(buf, n, 1, id, 6), 0);
    buf[3] = 0x01;
    assert_int_equal(ocop_wire_peek_text(buf, n, 1, id, sizeof id), 0);
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x07, 0x0a, 0x01, 'x'};
    assert_int_equal(ocop_wire_peek_text(junk, sizeof junk, 1, id, sizeof id), 0);
    /* after other fields (caller first here): still found */
    static const uint8_t later[] = {0x12, 0x02, 'm', 'e', 0x08, 0x05, 0x0a, 0x02, 'i', 'd'};
    assert_int_equal(ocop_wire_peek_text(later, sizeof later, 1, id, sizeof id), 1);
    assert_string_equal(id, "id");
}

/* The body case read off the frame, as the service loop does to hand reads to its readers. */
static void test_peek_oneof(void **state)
{
    (void)state;
    Ocop__RegEntityGet get = OCOP__REG_ENTITY_GET__INIT;
    get.id = "ENT-00000001";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = "abc";
    req.caller = "me";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    req.reg_entity_get = &get;
    uint8_t buf[256];
    size_t len = ocop__request__pack(&req, buf);
    assert_int_equal(ocop_wire_peek_oneof(&ocop__request__descriptor, buf, len), OCOP__REQUEST__BODY_REG_ENTITY_GET);
    assert_int_equal(ocop_wire_peek_oneof(&ocop__request__descriptor, buf, len - 1), 0); /* cut short */
    Ocop__Request bare = OCOP__REQUEST__INIT;
    bare.request_id = "abc";
    len = ocop__request__pack(&bare, buf);
    assert_int_equal(ocop_wire_peek_oneof(&ocop__request__descriptor, buf, len), 0); /* no body */
    Ocop__Ping ping = OCOP__PING__INIT;
    bare.body_case = OCOP__REQUEST__BODY_PING;
    bare.ping = &ping;
    len = ocop__request__pack(&bare, buf);
    assert_int_equal(ocop_wire_peek_oneof(&ocop__request__descriptor, buf, len), OCOP__REQUEST__BODY_PING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_and_repeated),
        cmocka_unit_test(test_truncated_bytes_are_not_walked),
        cmocka_unit_test(test_peek_request_id),
        cmocka_unit_test(test_peek_oneof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
