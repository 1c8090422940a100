/* ocop_text: a table of well-formed and ill-formed UTF-8, and the field check's reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ocop_text.h"

typedef struct {
    const char *bytes;
    size_t len; /* explicit so cases can hold NUL bytes */
    int valid;
    const char *what;
} s_case_t;

#define S_CASE(lit, ok, what)                                                                                          \
    {                                                                                                                  \
        lit, sizeof(lit) - 1, ok, what                                                                                 \
    }

static const s_case_t s_cases[] = {
    S_CASE("", 1, "empty"),
    S_CASE("Hello, world", 1, "ASCII"),
    S_CASE("tab\there\nnew line\r\n", 1, "tab, LF, CR"),
    S_CASE("H\xe1\xbb\x93ng tr\xc3\xa0", 1, "Vietnamese (2- and 3-byte)"),
    S_CASE("\xc2\x80", 1, "U+0080, smallest 2-byte"),
    S_CASE("\xdf\xbf", 1, "U+07FF, largest 2-byte"),
    S_CASE("\xe0\xa0\x80", 1, "U+0800, smallest 3-byte"),
    S_CASE("\xed\x9f\xbf", 1, "U+D7FF, just below surrogates"),
    S_CASE("\xee\x80\x80", 1, "U+E000, just above surrogates"),
    S_CASE("\xef\xbf\xbf", 1, "U+FFFF"),
    S_CASE("\xf0\x90\x80\x80", 1, "U+10000, smallest 4-byte"),
    S_CASE("\xf0\x9f\x98\x80", 1, "emoji"),
    S_CASE("\xf4\x8f\xbf\xbf", 1, "U+10FFFF, largest code point"),

    S_CASE("a\0b", 0, "NUL"),
    S_CASE("\x01", 0, "C0 control"),
    S_CASE("\x1b[31m", 0, "escape sequence"),
    S_CASE("\x7f", 0, "DEL"),
    S_CASE("\x80", 0, "lone continuation byte"),
    S_CASE("\xbf", 0, "lone continuation byte (last)"),
    S_CASE("\xc0\x80", 0, "overlong NUL"),
    S_CASE("\xc1\xbf", 0, "overlong 2-byte"),
    S_CASE("\xe0\x80\x80", 0, "overlong 3-byte"),
    S_CASE("\xe0\x9f\xbf", 0, "overlong U+07FF in 3 bytes"),
    S_CASE("\xf0\x80\x80\x80", 0, "overlong 4-byte"),
    S_CASE("\xf0\x8f\xbf\xbf", 0, "overlong U+FFFF in 4 bytes"),
    S_CASE("\xed\xa0\x80", 0, "surrogate U+D800"),
    S_CASE("\xed\xbf\xbf", 0, "surrogate U+DFFF"),
    S_CASE("\xed\xa0\xbd\xed\xb8\x80", 0, "CESU-8 surrogate pair"),
    S_CASE("\xf4\x90\x80\x80", 0, "U+110000"),
    S_CASE("\xf5\x80\x80\x80", 0, "lead byte F5"),
    S_CASE("\xff", 0, "byte FF"),
    S_CASE("\xfe", 0, "byte FE"),
    S_CASE("\xc3", 0, "truncated 2-byte"),
    S_CASE("\xe1\xbb", 0, "truncated 3-byte"),
    S_CASE("\xf0\x9f\x98", 0, "truncated 4-byte"),
    S_CASE("\xc3\x28", 0, "bad continuation"),
    S_CASE("\xe1\x28\x93", 0, "bad second byte of 3"),
    S_CASE("\xe1\xbb\x28", 0, "bad third byte of 3"),
    S_CASE("ok\xc3", 0, "truncated at end"),
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
        const s_case_t *c = &s_cases[i];
        int got = ocop_text_valid_utf8(c->bytes, c->len);
        if (got != c->valid)
            fail_msg("case %zu (%s): expected %d, got %d", i, c->what, c->valid, got);
    }
}

/* The length is honoured: bytes past len are not read. */
static void test_length_bound(void **state)
{
    (void)state;
    assert_true(ocop_text_valid_utf8("abc\xff", 3));
    assert_false(ocop_text_valid_utf8("abc\xff", 4));
    assert_false(ocop_text_valid_utf8("\xc3\xa0", 1));
    assert_true(ocop_text_valid_utf8(NULL, 0));
}

static void test_chars(void **state)
{
    (void)state;
    assert_int_equal(ocop_text_chars(""), 0);
    assert_int_equal(ocop_text_chars(NULL), 0);
    assert_int_equal(ocop_text_chars("abc"), 3);
    assert_int_equal(ocop_text_chars("H\xe1\xbb\x93ng"), 4);
    assert_int_equal(ocop_text_chars("\xf0\x9f\x98\x80x"), 2);
}

static void test_check(void **state)
{
    (void)state;
    assert_null(ocop_text_check("Tr\xc3\xa0 Th\xc3\xa1i Nguy\xc3\xaan", 1, 64));
    assert_string_equal(ocop_text_check("", 1, 64), "is required");
    assert_string_equal(ocop_text_check(NULL, 1, 64), "is required");
    assert_null(ocop_text_check("", 0, 64));
    assert_null(ocop_text_check(NULL, 0, 64));
    assert_string_equal(ocop_text_check("bad\xc0\x80", 1, 64), "is not valid UTF-8");
    assert_string_equal(ocop_text_check("bad\xc0\x80", 0, 64), "is not valid UTF-8");
    assert_string_equal(ocop_text_check("bell\a", 0, 64), "is not valid UTF-8");
    /* The limit counts code points, not bytes: 4 chars in 7 bytes fits 4. */
    assert_null(ocop_text_check("H\xe1\xbb\x93ng", 1, 4));
    assert_string_equal(ocop_text_check("H\xe1\xbb\x93ng!", 1, 4), "is too long");
    char long_text[302];
    memset(long_text, 'x', 301);
    long_text[301] = '\0';
    assert_string_equal(ocop_text_check(long_text, 1, 300), "is too long");
    long_text[300] = '\0';
    assert_null(ocop_text_check(long_text, 1, 300));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_bound),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
