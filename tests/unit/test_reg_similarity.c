/* Unit tests for reg_similarity: trigram sets as pg_trgm builds them, Jaccard properties,
 * the reusable set API, and the near-duplicate threshold on realistic product names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reg_normalize.h"
#include "reg_similarity.h"

static void test_trigram_counts(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        uint32_t n;
    } cases[] = {
        {"cat", 4}, /* "  c" " ca" "cat" "at " as pg_trgm's show_trgm('cat') */
        {"u", 2},   /* "  u" " u " */
        {"a a", 2}, /* duplicates collapse */
        {"mat ong", 8},
        {"mat ong rung u minh", 18}, /* "  m" and "ng " occur twice */
        {"\u65e5\u672c", 3},         /* non-Latin letters are code points, not bytes */
        {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reg_trigrams_t t;
        assert_int_equal(reg_trigrams_from(cases[i].key, &t), 0);
        assert_int_equal(t.n, cases[i].n);
        assert_int_equal(t.truncated, 0);
        for (uint32_t k = 1; k < t.n; k++)
            assert_true(t.gram[k - 1] < t.gram[k]);
    }
}

typedef struct {
    const char *a;
    const char *b;
    double want;
} pair_t;

/* Exact values: pg_trgm's documented similarity('word', 'two words') = 0.363636, and
 * hand-counted sets. */
static void test_known_values(void **state)
{
    (void)state;
    static const pair_t cases[] = {
        {"word", "two words", 4.0 / 11.0},
        {"mat ong", "mat ong", 1.0},
        {"abc", "xyz", 0.0},
        {"mat ong rung u minh", "mat ong rung u minh ha", 18.0 / 21.0},
        {"\u65e5\u672c", "\u65e5\u672c", 1.0},
        {"\u65e5\u672c", "\u65e5\u4e2d", 1.0 / 5.0}, /* share only "  日" */
        {"", "", 0.0},
        {"", "abc", 0.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double s = reg_similarity(cases[i].a, cases[i].b);
        if (s < cases[i].want - 1e-12 || s > cases[i].want + 1e-12)
            print_error("\"%s\" / \"%s\": %f, want %f\n", cases[i].a, cases[i].b, s, cases[i].want);
        assert_true(s >= cases[i].want - 1e-12 && s <= cases[i].want + 1e-12);
    }
}

static const char *const s_keys[] = {
    "mat ong rung u minh",
    "mat ong rung u minh ha",
    "mat ong",
    "nuoc mam",
    "che shan tuyet suoi giang",
    "tra shan tuyet suoi giang",
    "gao st25",
    "gao st24",
    "a",
    "xyz",
    "\u65e5\u672c",
    "nuoc mam ca com phu quoc",
};

/* Symmetric, within [0, 1], 1 exactly on the diagonal. */
static void test_properties(void **state)
{
    (void)state;
    size_t n = sizeof s_keys / sizeof s_keys[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            double ab = reg_similarity(s_keys[i], s_keys[j]);
            double ba = reg_similarity(s_keys[j], s_keys[i]);
            assert_true(ab == ba);
            assert_true(ab >= 0.0 && ab <= 1.0);
            if (i == j)
                assert_true(ab == 1.0);
            else
                assert_true(ab < 1.0);
        }
    }
}

/* One set built once against many candidates gives what reg_similarity gives. */
static void test_reusable_sets(void **state)
{
    (void)state;
    size_t n = sizeof s_keys / sizeof s_keys[0];
    reg_trigrams_t *sets = calloc(n, sizeof *sets);
    assert_non_null(sets);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(reg_trigrams_from(s_keys[i], &sets[i]), 0);
    reg_trigrams_t probe;
    assert_int_equal(reg_trigrams_from("mat ong rung u minh", &probe), 0);
    for (size_t i = 0; i < n; i++)
        assert_true(reg_trigrams_similarity(&probe, &sets[i]) == reg_similarity("mat ong rung u minh", s_keys[i]));
    assert_true(reg_trigrams_similarity(&probe, NULL) == 0.0);
    free(sets);
}

static void test_rejected_input(void **state)
{
    (void)state;
    reg_trigrams_t t;
    assert_int_equal(reg_trigrams_from("mat \xff ong", &t), -1);
    assert_int_equal(t.n, 0);
    assert_int_equal(reg_trigrams_from(NULL, &t), -1);
    assert_int_equal(t.n, 0);
    assert_int_equal(reg_trigrams_from("abc", NULL), -1);
    assert_true(reg_similarity("mat \xff ong", "mat \xff ong") == 0.0);
    assert_true(reg_similarity(NULL, "abc") == 0.0);
}

/* More trigram positions than the cap: the set stays bounded, sorted and flagged. */
static void test_truncation(void **state)
{
    (void)state;
    size_t words = 300;
    char *key = malloc(words * 6 + 1);
    assert_non_null(key);
    size_t len = 0;
    for (size_t i = 0; i < words; i++)
        len += (size_t)sprintf(key + len, "%sw%03zu", i ? " " : "", i);
    reg_trigrams_t t;
    assert_int_equal(reg_trigrams_from(key, &t), 0);
    assert_int_equal(t.truncated, 1);
    assert_true(t.n > 0 && t.n <= REG_TRIGRAMS_MAX);
    for (uint32_t k = 1; k < t.n; k++)
        assert_true(t.gram[k - 1] < t.gram[k]);
    assert_true(reg_trigrams_similarity(&t, &t) == 1.0);
    free(key);
}

/* Raw product names as registered, through the product normaliser, against the threshold.
 * The values are those quoted at REG_SIMILARITY_THRESHOLD; keep the two in step. */
typedef struct {
    const char *a;
    const char *b;
    double approx;
} name_pair_t;

static const name_pair_t s_near[] = {
    {"M\u1eadt ong r\u1eebng U Minh", "M\u1eadt ong r\u1eebng U Minh H\u1ea1", 0.857},
    {"Ch\u00e8 Shan tuy\u1ebft Su\u1ed1i Gi\u00e0ng", "Tr\u00e0 Shan tuy\u1ebft Su\u1ed1i Gi\u00e0ng", 0.750},
    {"T\u01b0\u01a1ng B\u1ea7n", "T\u01b0\u01a1ng B\u1ea7n H\u01b0ng Y\u00ean", 0.556},
    {"M\u1eadt ong r\u1eebng U Minh", "M\u1eadt ong hoa tr\u00e0m U Minh", 0.519},
    {"N\u01b0\u1edbc m\u1eafm Ph\u00fa Qu\u1ed1c",
     "N\u01b0\u1edbc m\u1eafm Ph\u00fa Qu\u1ed1c - C\u00f4ng ty TNHH Kh\u1ea3i Ho\u00e0n", 0.615},
    {"G\u1ea1o ST25", "G\u1ea1o ST24", 0.636},
    {"Nem chua Thanh Ho\u00e1", "NEM CHUA THANH H\u00d3A", 1.0},
};

static const name_pair_t s_different[] = {
    {"M\u1eadt ong", "N\u01b0\u1edbc m\u1eafm", 0.133},
    {"H\u1ea1t \u0111i\u1ec1u rang mu\u1ed1i", "H\u1ea1t \u0111i\u1ec1u t\u1ea9m m\u1eadt ong", 0.393},
    {"V\u1ea3i thi\u1ec1u Thanh H\u00e0", "V\u1ea3i thi\u1ec1u L\u1ee5c Ng\u1ea1n", 0.385},
    {"C\u00e0 ph\u00ea b\u1ed9t nguy\u00ean ch\u1ea5t", "C\u00e0 ph\u00ea h\u1ea1t rang xay", 0.273},
    {"M\u1eadt ong r\u1eebng U Minh", "M\u1eadt ong hoa c\u00e0 ph\u00ea \u0110\u1eafk L\u1eafk", 0.222},
};

static double s_name_similarity(const name_pair_t *p)
{
    char *a = reg_normalize_product_name(p->a, strlen(p->a));
    char *b = reg_normalize_product_name(p->b, strlen(p->b));
    assert_non_null(a);
    assert_non_null(b);
    double s = reg_similarity(a, b);
    free(a);
    free(b);
    return s;
}

static void test_threshold(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_near / sizeof s_near[0]; i++) {
        double s = s_name_similarity(&s_near[i]);
        if (s < REG_SIMILARITY_THRESHOLD || s < s_near[i].approx - 0.001 || s > s_near[i].approx + 0.001)
            print_error("near %zu: %.3f\n", i, s);
        assert_true(s >= REG_SIMILARITY_THRESHOLD);
        assert_true(s >= s_near[i].approx - 0.001 && s <= s_near[i].approx + 0.001);
    }
    for (size_t i = 0; i < sizeof s_different / sizeof s_different[0]; i++) {
        double s = s_name_similarity(&s_different[i]);
        if (s >= REG_SIMILARITY_THRESHOLD || s < s_different[i].approx - 0.001 || s > s_different[i].approx + 0.001)
            print_error("different %zu: %.3f\n", i, s);
        assert_true(s < REG_SIMILARITY_THRESHOLD);
        assert_true(s >= s_different[i].approx - 0.001 && s <= s_different[i].approx + 0.001);
    }
}

/* A random sorted, duplicate-free set of up to 40 codes out of 48, so that sets overlap a lot. */
static uint32_t s_random_set(uint32_t *out, unsigned *seed)
{
    uint32_t n = 0, want = 1 + (uint32_t)(rand_r(seed) % 40);
    for (uint32_t code = 0; code < 48 && n < want; code++)
        if ((uint32_t)(rand_r(seed) % 48) < want)
            out[n++] = code;
    return n;
}

/* The bounded comparison screening uses gives the full similarity whenever it reaches the
 * threshold, and 0 exactly when it does not, at the edge too (fractions like 1/2 and 2/3). */
static void test_at_least_agrees(void **state)
{
    (void)state;
    static const double thresholds[] = {0.5, 1.0 / 3.0, 2.0 / 3.0, 0.25, 0.8, 1.0};
    unsigned seed = 20261207u;
    size_t reached = 0, below = 0, cut = 0;
    for (int round = 0; round < 20000; round++) {
        uint32_t a[48], b[48];
        uint32_t na = s_random_set(a, &seed), nb = s_random_set(b, &seed);
        for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
            double full = reg_grams_similarity(a, na, b, nb);
            double bounded = reg_grams_similarity_at_least(a, na, b, nb, thresholds[t]);
            if (full >= thresholds[t]) {
                assert_true(bounded == full);
                reached++;
            } else {
                assert_true(bounded == 0.0);
                below++;
                cut += full > 0.0;
            }
        }
    }
    /* Both sides of the threshold were met often, and nonzero similarities below it too. */
    assert_true(reached > 1000 && below > 1000 && cut > 1000);
    uint32_t one[] = {7};
    assert_true(reg_grams_similarity_at_least(one, 1, one, 1, 1.0) == 1.0);
    assert_true(reg_grams_similarity_at_least(one, 0, one, 1, 0.5) == 0.0);
    assert_true(reg_grams_similarity_at_least(NULL, 1, one, 1, 0.5) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trigram_counts), cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_properties),     cmocka_unit_test(test_reusable_sets),
        cmocka_unit_test(test_rejected_input), cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_threshold),      cmocka_unit_test(test_at_least_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
