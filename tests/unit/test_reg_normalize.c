/* Unit tests for reg_normalize: name keys (Unicode forms, tone placement, đ, case,
 * punctuation, legal forms, invalid input, long input) and phone numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reg_normalize.h"

typedef struct {
    const char *in;
    const char *key; /* expected key */
} key_case_t;

/* Escapes make the code points explicit where the point of the case is which code point is
 * used: \u0300 is the combining grave, à/ò etc. are precomposed. */
static const key_case_t s_name_cases[] = {
    /* NFC and NFD spellings */
    {"H\u00f2a B\u00ecnh", "hoa binh"},
    {"Ho\u0300a Bi\u0300nh", "hoa binh"},
    {"Nguy\u1ec5n", "nguyen"},
    {"Nguye\u0302\u0303n", "nguyen"},
    {"Nguye\u0303\u0302n", "nguyen"}, /* marks in non-canonical order */
    /* old (mark on the second vowel) and new (on the main vowel) tone placement */
    {"ho\u00e0", "hoa"},
    {"h\u00f2a", "hoa"},
    {"thu\u1ef7", "thuy"},
    {"th\u1ee7y", "thuy"},
    {"kho\u1ebb", "khoe"},
    {"kh\u1ecfe", "khoe"},
    {"Thanh Ho\u00e1", "thanh hoa"},
    {"Thanh H\u00f3a", "thanh hoa"},
    /* horn and breve letters, and đ/Đ (no Unicode decomposition) */
    {"Ph\u01b0\u1edbc L\u01a1\u0323i", "phuoc loi"},
    {"\u0110\u1ed3ng Th\u00e1p", "dong thap"},
    {"\u0111\u1eadu \u0111\u1ecf", "dau do"},
    {"\u0110\u0110", "dd"},
    {"\u00d0\u1ed3ng", "dong"}, /* Latin-1 eth, a look-alike of Đ */
    /* case */
    {"M\u1eacT ONG", "mat ong"},
    {"m\u1eadt ong", "mat ong"},
    {"M\u1eadT oNg", "mat ong"},
    /* punctuation, symbols, controls and whitespace collapse to one space */
    {"  N\u01b0\u1edbc   m\u1eafm,  Ph\u00fa-Qu\u1ed1c!! ", "nuoc mam phu quoc"},
    {"\tT\u00e2n\nL\u1eadp\r", "tan lap"},
    {"Tr\u00e0 \u201cSen\u201d (lo\u1ea1i 1) \u2013 50g", "tra sen loai 1 50g"},
    {"T\u00e2n\u00adL\u1eadp", "tanlap"},        /* soft hyphen is ignorable, not a separator */
    {"\uff21\uff22\uff23 \ufb01sh", "abc fish"}, /* full-width letters, fi ligature */
    {"G\u1ea1o ST25", "gao st25"},
    /* legal forms, as whole words, anywhere when unambiguous */
    {"HTX N\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp", "nong nghiep tan lap"},
    {"H\u1ee3p t\u00e1c x\u00e3 n\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp", "nong nghiep tan lap"},
    {"N\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp (HTX)", "nong nghiep tan lap"},
    {"Li\u00ean hi\u1ec7p HTX T\u00e2n L\u1eadp", "tan lap"},
    {"C\u00f4ng ty TNHH M\u1ed9t th\u00e0nh vi\u00ean ABC", "abc"},
    {"C\u00d4NG TY TNHH MTV ABC", "abc"},
    {"C\u00f4ng ty tr\u00e1ch nhi\u1ec7m h\u1eefu h\u1ea1n ABC", "abc"},
    {"ABC Co., Ltd.", "abc"},
    {"C\u00f4ng ty C\u1ed5 ph\u1ea7n Th\u1ef1c ph\u1ea9m S\u1ea1ch", "thuc pham sach"},
    {"CTCP Th\u1ef1c ph\u1ea9m S\u1ea1ch", "thuc pham sach"},
    {"C\u00f4ng ty CP Th\u1ef1c ph\u1ea9m S\u1ea1ch", "thuc pham sach"},
    {"H\u1ed9 kinh doanh Nguy\u1ec5n V\u0103n \u0110\u1ee9c", "nguyen van duc"},
    {"HKD Nguy\u1ec5n V\u0103n \u0110\u1ee9c", "nguyen van duc"},
    {"Doanh nghi\u1ec7p t\u01b0 nh\u00e2n H\u01b0ng Th\u1ecbnh", "hung thinh"},
    {"DNTN H\u01b0ng Th\u1ecbnh", "hung thinh"},
    {"T\u1ed5 h\u1ee3p t\u00e1c Ch\u00e8 T\u00e2n C\u01b0\u01a1ng", "che tan cuong"},
    {"THT Ch\u00e8 T\u00e2n C\u01b0\u01a1ng", "che tan cuong"},
    {"C\u01a1 s\u1edf s\u1ea3n xu\u1ea5t n\u01b0\u1edbc m\u1eafm H\u1ed3ng H\u1ea1nh", "nuoc mam hong hanh"},
    /* ambiguous legal forms: only in front of an entity name */
    {"C\u01a1 s\u1edf B\u00e1nh tr\u00e1ng B\u1ea3y Hi\u1ec1n", "banh trang bay hien"},
    {"Trang tr\u1ea1i B\u00f2 s\u1eefa M\u1ed9c Ch\u00e2u", "bo sua moc chau"},
    {"CP Ch\u0103n nu\u00f4i An Ph\u00fa", "chan nuoi an phu"},
    {"G\u00e0 trang tr\u1ea1i H\u00f2a B\u00ecnh", "ga trang trai hoa binh"},
    {"C\u00f4ng ty TNHH Trang tr\u1ea1i Xanh", "xanh"},
    {"Rau s\u1ea1ch C\u00f3 S\u1ed1", "rau sach co so"},
    /* whole words only */
    {"Htxanh", "htxanh"},
    {"C\u00f4ng tyABC", "cong tyabc"},
    /* nothing distinctive left */
    {"C\u00f4ng ty TNHH", ""},
    {"HTX", ""},
    {"  ,,, -- ", ""},
    {"", ""},
};

static const key_case_t s_product_cases[] = {
    {"M\u1eadt ong r\u1eebng U Minh H\u1ea1", "mat ong rung u minh ha"},
    {"G\u00e0 trang tr\u1ea1i", "ga trang trai"},
    {"Trang tr\u1ea1i g\u00e0 \u0110\u1ed3i", "trang trai ga doi"},
    {"C\u01a1 s\u1edf m\u1eadt ong", "co so mat ong"},
    {"Th\u1ecbt heo CP", "thit heo cp"},
    {"N\u01b0\u1edbc m\u1eafm Ph\u00fa Qu\u1ed1c - C\u00f4ng ty TNHH Kh\u1ea3i Ho\u00e0n",
     "nuoc mam phu quoc khai hoan"},
    {"G\u1ea1o ST25 HTX T\u00e2n L\u1eadp", "gao st25 tan lap"},
    {"Ch\u00e8 Shan tuy\u1ebft Su\u1ed1i Gi\u00e0ng", "che shan tuyet suoi giang"},
    {"", ""},
};

static void s_check_table(const key_case_t *cases, size_t n, char *(*fn)(const char *, size_t))
{
    for (size_t i = 0; i < n; i++) {
        char *key = fn(cases[i].in, strlen(cases[i].in));
        if (!key || strcmp(key, cases[i].key) != 0)
            print_error("case %zu: \"%s\" -> \"%s\", want \"%s\"\n", i, cases[i].in, key ? key : "(null)",
                        cases[i].key);
        assert_non_null(key);
        assert_string_equal(key, cases[i].key);
        free(key);
    }
}

static void test_name_table(void **state)
{
    (void)state;
    s_check_table(s_name_cases, sizeof s_name_cases / sizeof s_name_cases[0], reg_normalize_name);
}

static void test_product_table(void **state)
{
    (void)state;
    s_check_table(s_product_cases, sizeof s_product_cases / sizeof s_product_cases[0], reg_normalize_product_name);
}

/* Pairs written differently that must give one key; the point of the feature. */
static void test_same_key_pairs(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"HTX N\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp",
         "H\u1ee3p t\u00e1c x\u00e3 n\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp"},
        {"C\u00f4ng ty TNHH M\u1ed9t th\u00e0nh vi\u00ean ABC", "ABC"},
        {"Thu\u1ef7 Kho\u1ebb Ho\u00e0", "TH\u1ee6Y KH\u1eceE H\u00d2A"},
        {"H\u00f2a B\u00ecnh", "Ho\u0300a Bi\u0300nh"},
        {"\u0110\u1eafk L\u1eafk", "dak lak"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *a = reg_normalize_name(pairs[i][0], strlen(pairs[i][0]));
        char *b = reg_normalize_name(pairs[i][1], strlen(pairs[i][1]));
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xff",             /* never valid */
        "M\xe1\xba",        /* truncated sequence */
        "\xc0\xaf",         /* overlong '/' */
        "\xed\xa0\x80",     /* UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "ok \x80 ok",       /* stray continuation byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(reg_normalize_name(bad[i], strlen(bad[i])));
        assert_null(reg_normalize_product_name(bad[i], strlen(bad[i])));
    }
    assert_null(reg_normalize_name(NULL, 3));
}

/* The length is honoured: no NUL needed, and an embedded NUL is a separator. */
static void test_length_and_nul(void **state)
{
    (void)state;
    char *k = reg_normalize_name("ABCDEF", 3);
    assert_string_equal(k, "abc");
    free(k);
    k = reg_normalize_name("AB\0CD", 5);
    assert_string_equal(k, "ab cd");
    free(k);
    k = reg_normalize_name(NULL, 0);
    assert_non_null(k);
    assert_string_equal(k, "");
    free(k);
}

static void test_long_input(void **state)
{
    (void)state;
    static const char unit[] = "H\u1ee3p t\u00e1c x\u00e3 N\u00f4ng nghi\u1ec7p T\u00e2n L\u1eadp, ";
    static const char unit_key[] = "nong nghiep tan lap";
    size_t ulen = strlen(unit);
    size_t reps = 10240 / ulen + 1;
    char *in = malloc(reps * ulen);
    char *want = malloc(reps * (sizeof unit_key));
    assert_non_null(in);
    assert_non_null(want);
    size_t wlen = 0;
    for (size_t i = 0; i < reps; i++) {
        memcpy(in + i * ulen, unit, ulen);
        if (i > 0)
            want[wlen++] = ' ';
        memcpy(want + wlen, unit_key, sizeof unit_key - 1);
        wlen += sizeof unit_key - 1;
    }
    want[wlen] = '\0';
    assert_true(reps * ulen >= 10240);

    char *k = reg_normalize_name(in, reps * ulen);
    assert_non_null(k);
    assert_string_equal(k, want);
    free(k);

    /* one 10 KB word of decomposed letters */
    size_t n = 10240 / 3;
    char *word = malloc(n * 3);
    assert_non_null(word);
    for (size_t i = 0; i < n; i++)
        memcpy(word + i * 3, "a\u0301", 3);
    k = reg_normalize_name(word, n * 3);
    assert_non_null(k);
    assert_int_equal(strlen(k), n);
    assert_int_equal(strspn(k, "a"), n);
    free(k);

    free(word);
    free(want);
    free(in);
}

typedef struct {
    const char *in;
    const char *e164; /* NULL: must be rejected */
} phone_case_t;

static const phone_case_t s_phone_cases[] = {
    {"0912 345 678", "+84912345678"},
    {"+84 912-345-678", "+84912345678"},
    {"84912345678", "+84912345678"},
    {"0084 912 345 678", "+84912345678"},
    {"+84 (0) 912 345 678", "+84912345678"},
    {" 0912.345.678", "+84912345678"},
    {"0386 123 456", "+84386123456"},
    {"(024) 3825 1234", "+842438251234"},
    {"+84 24 3825 1234", "+842438251234"},
    {"0203 3825 123", "+842033825123"},
    /* wrong length */
    {"0912 345 67", NULL},
    {"0912 345 6789", NULL},
    {"(024) 3825 123", NULL},
    {"+84", NULL},
    {"0", NULL},
    {"", NULL},
    {"0000000000000000000000000000000912345678", NULL},
    /* wrong prefix or plan */
    {"912 345 678", NULL},
    {"+1 212 555 0100", NULL},
    {"0123 456 789", NULL},
    {"01234 567 890", NULL},  /* 11-digit mobile, retired in 2018 */
    {"(04) 3825 1234", NULL}, /* pre-2017 Hanoi landline */
    {"1900 1234", NULL},
    /* letters and other characters */
    {"0912abc678", NULL},
    {"O912 345 678", NULL},
    {"0912 345 678 ext 1", NULL},
    {"++84912345678", NULL},
    {"0912+345678", NULL},
    {"0912/345/678", NULL},
    {"\uff10912345678", NULL}, /* full-width zero */
};

static void test_phone_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_phone_cases / sizeof s_phone_cases[0]; i++) {
        char out[REG_PHONE_MAX];
        memset(out, 'x', sizeof out);
        int rc = reg_normalize_phone(s_phone_cases[i].in, out, sizeof out);
        if (s_phone_cases[i].e164) {
            if (rc != 0)
                print_error("phone case %zu \"%s\" rejected\n", i, s_phone_cases[i].in);
            assert_int_equal(rc, 0);
            assert_string_equal(out, s_phone_cases[i].e164);
        } else {
            if (rc != -1)
                print_error("phone case %zu \"%s\" accepted as %s\n", i, s_phone_cases[i].in, out);
            assert_int_equal(rc, -1);
            assert_string_equal(out, "");
        }
    }
}

static void test_phone_buffer(void **state)
{
    (void)state;
    char small[REG_PHONE_MAX - 1];
    assert_int_equal(reg_normalize_phone("0912345678", small, sizeof small), -1);
    assert_string_equal(small, "");
    char out[REG_PHONE_MAX];
    assert_int_equal(reg_normalize_phone(NULL, out, sizeof out), -1);
    assert_int_equal(reg_normalize_phone("0912345678", NULL, 0), -1);
    /* the longest result fills the buffer exactly */
    assert_int_equal(reg_normalize_phone("0243 825 1234", out, sizeof out), 0);
    assert_int_equal(strlen(out) + 1, REG_PHONE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_table),     cmocka_unit_test(test_product_table),
        cmocka_unit_test(test_same_key_pairs), cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_length_and_nul), cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_phone_table),    cmocka_unit_test(test_phone_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
