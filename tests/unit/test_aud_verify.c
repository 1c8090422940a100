/* aud_verify: the offline verifier's checks on a small log built here — a clean log verifies;
 * every kind of damage is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "aud_sign.h"
#include "aud_verify.h"
#include "envelope.pb-c.h"

#define S_N 6

typedef struct {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    aud_signer_t signer;
    uint8_t *entry[S_N];
    size_t len[S_N];
    aud_hash_t roots[S_N + 1]; /* roots[k]: the tree of the first k entries */
} s_log_t;

static s_log_t L;

/* Entries: registration events 1..S_N (entry 3 is from evaluation/1, sequence 1). */
static int s_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(L.pk, L.signer.secret);
    memcpy(L.signer.public_key, L.pk, sizeof L.pk);
    sodium_bin2hex(L.signer.key_id, sizeof L.signer.key_id, L.pk, sizeof L.pk);
    aud_builder_t b;
    aud_builder_init(&b);
    aud_builder_root(&b, &L.roots[0]);
    uint64_t reg_seq = 0;
    for (int i = 0; i < S_N; i++) {
        Ocop__Event ev = OCOP__EVENT__INIT; /* no body: the verifier checks envelopes */
        ev.source = i == 3 ? "evaluation" : "registration";
        ev.shard = i == 3 ? 1 : 0;
        ev.sequence = i == 3 ? 1 : ++reg_seq;
        ev.time_ms = 1700000000000 + i;
        L.len[i] = ocop__event__get_packed_size(&ev);
        L.entry[i] = malloc(L.len[i]);
        ocop__event__pack(&ev, L.entry[i]);
        aud_hash_t leaf;
        aud_leaf_hash(L.entry[i], L.len[i], &leaf);
        aud_builder_add(&b, &leaf);
        aud_builder_root(&b, &L.roots[i + 1]);
    }
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < S_N; i++)
        free(L.entry[i]);
    return 0;
}

static int s_head(aud_verifier_t *v, uint64_t size, const aud_hash_t *root)
{
    uint8_t sig[crypto_sign_BYTES];
    aud_head_sign(&L.signer, size, root, 42, sig);
    return aud_verifier_head(v, size, root->h, AUD_HASH_LEN, 42, sig, sizeof sig, L.signer.key_id);
}

/* Heads at sizes 3 and S_N, then entries 0..count-1 (entry flip: a byte of that entry flipped). */
static int s_run(aud_verifier_t *v, int count, int flip)
{
    if (s_head(v, 3, &L.roots[3]) != 0 || s_head(v, S_N, &L.roots[S_N]) != 0)
        return -1;
    for (int i = 0; i < count; i++) {
        uint8_t buf[256];
        memcpy(buf, L.entry[i], L.len[i]);
        if (i == flip)
            buf[L.len[i] - 1] ^= 1;
        if (aud_verifier_entry(v, (uint64_t)i, buf, L.len[i]) != 0)
            return -1;
    }
    return aud_verifier_finish(v);
}

static void s_expect(aud_verifier_t *v, int rc, const char *fragment)
{
    if (rc != -1 || !strstr(aud_verifier_problem(v), fragment))
        fail_msg("rc %d, problem '%s', expected '%s'", rc, aud_verifier_problem(v), fragment);
}

static void test_clean_log(void **state)
{
    (void)state;
    aud_verifier_t *v = aud_verifier_new(L.pk);
    assert_int_equal(s_run(v, S_N, -1), 0);
    assert_string_equal(aud_verifier_problem(v), "");
    assert_int_equal(aud_verifier_entries(v), S_N);
    assert_int_equal(aud_verifier_heads(v), 2);
    assert_int_equal(aud_verifier_sources(v), 2);
    aud_hash_t root;
    aud_verifier_root(v, &root);
    assert_memory_equal(root.h, L.roots[S_N].h, AUD_HASH_LEN);
    aud_verifier_destroy(&v);
}

static void test_flipped_entry(void **state)
{
    (void)state;
    for (int flip = 0; flip < S_N; flip++) {
        aud_verifier_t *v = aud_verifier_new(L.pk);
        int rc = s_run(v, S_N, flip);
        assert_int_equal(rc, -1);
        assert_true(strlen(aud_verifier_problem(v)) > 0);
        aud_verifier_destroy(&v);
    }
}

static void test_truncated_and_uncovered(void **state)
{
    (void)state;
    aud_verifier_t *v = aud_verifier_new(L.pk);
    s_expect(v, s_run(v, S_N - 1, -1), "truncated");
    aud_verifier_destroy(&v);
    v = aud_verifier_new(L.pk);
    assert_int_equal(s_head(v, 3, &L.roots[3]), 0);
    for (int i = 0; i < S_N; i++)
        assert_int_equal(aud_verifier_entry(v, (uint64_t)i, L.entry[i], L.len[i]), 0);
    s_expect(v, aud_verifier_finish(v), "vouched for by no signature");
    aud_verifier_destroy(&v);
    v = aud_verifier_new(L.pk);
    s_expect(v, aud_verifier_finish(v), "no signed head");
    aud_verifier_destroy(&v);
}

static void test_reordered_and_gaps(void **state)
{
    (void)state;
    aud_verifier_t *v = aud_verifier_new(L.pk);
    assert_int_equal(s_head(v, S_N, &L.roots[S_N]), 0);
    assert_int_equal(aud_verifier_entry(v, 0, L.entry[0], L.len[0]), 0);
    s_expect(v, aud_verifier_entry(v, 2, L.entry[2], L.len[2]), "where entry 1 was expected");
    aud_verifier_destroy(&v);
    /* Entry 2 in place of entry 1: index right, registration's sequence jumps 1 -> 3. */
    v = aud_verifier_new(L.pk);
    assert_int_equal(aud_verifier_entry(v, 0, L.entry[0], L.len[0]), 0);
    s_expect(v, aud_verifier_entry(v, 1, L.entry[2], L.len[2]), "sequence 3 follows 1");
    aud_verifier_destroy(&v);
    v = aud_verifier_new(L.pk);
    s_expect(v, aud_verifier_entry(v, 0, (const uint8_t *)"\xff\xff\xff", 3), "not an ocop.Event");
    aud_verifier_destroy(&v);
}

static void test_heads(void **state)
{
    (void)state;
    uint8_t other[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(other, sk);
    aud_verifier_t *v = aud_verifier_new(other);
    s_expect(v, s_head(v, 3, &L.roots[3]), "names the key");
    aud_verifier_destroy(&v);
    /* A head that names another key than the one it is checked with, however well signed. */
    v = aud_verifier_new(L.pk);
    uint8_t sig[crypto_sign_BYTES];
    aud_head_sign(&L.signer, 3, &L.roots[3], 42, sig);
    char named[sizeof L.signer.key_id];
    memcpy(named, L.signer.key_id, sizeof named);
    named[0] = named[0] == 'a' ? 'b' : 'a';
    s_expect(v, aud_verifier_head(v, 3, L.roots[3].h, AUD_HASH_LEN, 42, sig, sizeof sig, named), "names the key");
    aud_verifier_destroy(&v);
    /* The right key named, a signature by another. */
    v = aud_verifier_new(L.pk);
    aud_signer_t forger = L.signer;
    crypto_sign_keypair(other, forger.secret);
    aud_head_sign(&forger, 3, &L.roots[3], 42, sig);
    s_expect(v, aud_verifier_head(v, 3, L.roots[3].h, AUD_HASH_LEN, 42, sig, sizeof sig, L.signer.key_id),
             "signature does not verify");
    aud_verifier_destroy(&v);
    /* The same size signed twice over different roots: a fork. */
    v = aud_verifier_new(L.pk);
    assert_int_equal(s_head(v, 3, &L.roots[3]), 0);
    assert_int_equal(s_head(v, 3, &L.roots[4]), 0);
    s_expect(v, aud_verifier_entry(v, 0, L.entry[0], L.len[0]), "forked");
    aud_verifier_destroy(&v);
    /* A validly signed head whose root is not the entries' tree. */
    v = aud_verifier_new(L.pk);
    assert_int_equal(s_head(v, 2, &L.roots[3]), 0);
    assert_int_equal(aud_verifier_entry(v, 0, L.entry[0], L.len[0]), 0);
    s_expect(v, aud_verifier_entry(v, 1, L.entry[1], L.len[1]), "differs from the tree of the entries");
    aud_verifier_destroy(&v);
    v = aud_verifier_new(L.pk);
    assert_int_equal(aud_verifier_entry(v, 0, L.entry[0], L.len[0]), 0);
    s_expect(v, s_head(v, 1, &L.roots[1]), "every head must come first");
    aud_verifier_destroy(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_log),
        cmocka_unit_test(test_flipped_entry),
        cmocka_unit_test(test_truncated_and_uncovered),
        cmocka_unit_test(test_reordered_and_gaps),
        cmocka_unit_test(test_heads),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
