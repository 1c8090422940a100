/* ocop_stored: which messages are kept compressed, that every form reads back as the message
 * itself, and that a compressed value which cannot be read back is refused, never allocated
 * blindly or returned half. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_stored.h"

#define S_LEN 4600

/* A packed-message-like text (field tags, ids and scores repeated), compressible. */
static void s_text(uint8_t *out, size_t len)
{
    static const char unit[] = "\x0a\x04S1-1\x12\x0cPRD-00000219\x1a\x02m3\x32\x11\x0a\x03"
                               "1.1\x11";
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)unit[i % (sizeof unit - 1)];
}

static void s_noise(uint8_t *out, size_t len)
{
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        out[i] = (uint8_t)x;
    }
    out[0] = 0x0a; /* a message's first byte is a tag, never 0 */
}

static void s_round_trip(ocop_arena_t *arena, const uint8_t *msg, size_t len, int expect_compressed)
{
    const void *stored;
    size_t stored_len;
    assert_int_equal(ocop_stored_pack(arena, msg, len, &stored, &stored_len), 0);
    if (expect_compressed) {
        assert_ptr_not_equal(stored, msg);
        assert_true(stored_len < len);
        assert_int_equal(((const uint8_t *)stored)[0], OCOP_STORED_COMPRESSED);
    } else {
        assert_ptr_equal(stored, msg);
        assert_int_equal(stored_len, len);
    }
    const void *back;
    size_t back_len;
    assert_int_equal(ocop_stored_open(arena, stored, stored_len, &back, &back_len), 0);
    assert_int_equal(back_len, len);
    if (len)
        assert_memory_equal(back, msg, len);
}

static void test_forms(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    static uint8_t text[S_LEN], noise[S_LEN];
    s_text(text, sizeof text);
    s_noise(noise, sizeof noise);
    s_round_trip(arena, text, S_LEN, 1);
    /* Kept as they are: too short to gain a page, empty, or not shrunk by compression. */
    s_round_trip(arena, text, OCOP_STORED_COMPRESS_MIN - 1, 0);
    s_round_trip(arena, text, 0, 0);
    s_round_trip(arena, noise, S_LEN, 0);
    /* The smallest message that is compressed. */
    s_round_trip(arena, text, OCOP_STORED_COMPRESS_MIN, 1);
    /* The evaluation result this is for shrinks about six times; text this regular, more. */
    const void *stored;
    size_t stored_len;
    assert_int_equal(ocop_stored_pack(arena, text, S_LEN, &stored, &stored_len), 0);
    assert_true(stored_len * 6 < S_LEN);
    ocop_arena_destroy(&arena);
}

static void s_refused(ocop_arena_t *arena, const uint8_t *stored, size_t len)
{
    const void *out = NULL;
    size_t out_len = 12345;
    assert_int_equal(ocop_stored_open(arena, stored, len, &out, &out_len), EBADMSG);
}

static void test_refuses_what_cannot_be_read(void **state)
{
    (void)state;
    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    static uint8_t text[S_LEN];
    s_text(text, sizeof text);
    const void *stored;
    size_t len;
    assert_int_equal(ocop_stored_pack(arena, text, S_LEN, &stored, &len), 0);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, stored, len);

    /* The mark alone, a truncated frame, a frame with its last block cut. */
    s_refused(arena, copy, 1);
    s_refused(arena, copy, 6);
    s_refused(arena, copy, len - 1);
    /* A changed byte anywhere: the frame does not decode, or its checksum does not match what
     * it decodes to. */
    for (size_t i = 1; i < len; i++) {
        copy[i] ^= 0x5a;
        s_refused(arena, copy, len);
        copy[i] ^= 0x5a;
    }
    free(copy);

    /* A header that claims more than any message may hold is refused before anything is
     * allocated: magic, a single-segment descriptor with an 8-byte content size of 2^40. */
    const uint8_t huge[] = {OCOP_STORED_COMPRESSED, 0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0};
    s_refused(arena, huge, sizeof huge);
    /* A frame that does not record its size (a stream's) is not a form this writes. */
    const uint8_t unknown[] = {OCOP_STORED_COMPRESSED, 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x48, 0x01, 0x00, 0x00};
    s_refused(arena, unknown, sizeof unknown);
    ocop_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refuses_what_cannot_be_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
