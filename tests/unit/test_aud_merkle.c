/* aud_merkle: RFC 6962 tree hashes, inclusion and consistency proofs and their verifiers, the
 * streaming builder, and the O(log n) read bound of roots and proofs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aud_merkle.h"

/* ---- helpers ---- */

static size_t s_unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static aud_hash_t s_hash(const char *hex)
{
    aud_hash_t h;
    assert_int_equal(strlen(hex), 2 * AUD_HASH_LEN);
    s_unhex(hex, h.h);
    return h;
}

static void s_assert_hash(const aud_hash_t *got, const char *hex)
{
    aud_hash_t want = s_hash(hex);
    assert_memory_equal(got->h, want.h, AUD_HASH_LEN);
}

/* An in-memory store, one array per level; get fails on a node that was never put, so every
 * test also checks that only stored complete subtrees are read. */
#define S_MAX_LEAVES 128
#define S_LEVELS 8
#define S_NOT_FOUND 404

typedef struct {
    aud_hash_t node[S_LEVELS][S_MAX_LEAVES];
    uint8_t have[S_LEVELS][S_MAX_LEAVES];
    uint64_t size;
    aud_hash_t leaf[S_MAX_LEAVES];
} s_mem_t;

static int s_mem_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    s_mem_t *m = user;
    if (level >= S_LEVELS || index >= S_MAX_LEAVES || !m->have[level][index])
        return S_NOT_FOUND;
    *out = m->node[level][index];
    return 0;
}

static int s_mem_put(void *user, unsigned level, uint64_t index, const aud_hash_t *hash)
{
    s_mem_t *m = user;
    assert_true(level < S_LEVELS && index < S_MAX_LEAVES);
    assert_false(m->have[level][index]); /* nodes are written once */
    m->node[level][index] = *hash;
    m->have[level][index] = 1;
    return 0;
}

static aud_nodes_t s_mem_nodes(s_mem_t *m)
{
    return (aud_nodes_t){.get = s_mem_get, .put = s_mem_put, .user = m};
}

static void s_mem_append(s_mem_t *m, const void *entry, size_t len)
{
    aud_nodes_t nodes = s_mem_nodes(m);
    aud_leaf_hash(entry, len, &m->leaf[m->size]);
    assert_int_equal(aud_merkle_append(&nodes, m->size, &m->leaf[m->size]), 0);
    m->size++;
}

/* Leaf i of the generated trees. */
static void s_mem_fill(s_mem_t *m, unsigned count)
{
    memset(m, 0, sizeof *m);
    for (unsigned i = 0; i < count; i++) {
        char entry[32];
        int len = snprintf(entry, sizeof entry, "audit entry %u", i);
        s_mem_append(m, entry, (size_t)len);
    }
}

/* The RFC 6962 §2.1 definitions written out recursively over leaf hashes, as a reference. */
static uint64_t s_ref_split(uint64_t n)
{
    uint64_t k = 1;
    while (2 * k < n)
        k *= 2;
    return k;
}

static void s_ref_mth(const aud_hash_t *leaves, uint64_t n, aud_hash_t *out)
{
    if (n == 0) {
        aud_empty_root(out);
    } else if (n == 1) {
        *out = leaves[0];
    } else {
        uint64_t k = s_ref_split(n);
        aud_hash_t l, r;
        s_ref_mth(leaves, k, &l);
        s_ref_mth(leaves + k, n - k, &r);
        aud_node_hash(&l, &r, out);
    }
}

static void s_ref_path(const aud_hash_t *leaves, uint64_t m, uint64_t n, aud_hash_t *path, size_t *len)
{
    if (n == 1)
        return;
    uint64_t k = s_ref_split(n);
    if (m < k) {
        s_ref_path(leaves, m, k, path, len);
        s_ref_mth(leaves + k, n - k, &path[(*len)++]);
    } else {
        s_ref_path(leaves + k, m - k, n - k, path, len);
        s_ref_mth(leaves, k, &path[(*len)++]);
    }
}

static void s_ref_subproof(const aud_hash_t *leaves, uint64_t m, uint64_t n, int b, aud_hash_t *proof, size_t *len)
{
    if (m == n) {
        if (!b)
            s_ref_mth(leaves, n, &proof[(*len)++]);
        return;
    }
    uint64_t k = s_ref_split(n);
    if (m <= k) {
        s_ref_subproof(leaves, m, k, b, proof, len);
        s_ref_mth(leaves + k, n - k, &proof[(*len)++]);
    } else {
        s_ref_subproof(leaves + k, m - k, n - k, 0, proof, len);
        s_ref_mth(leaves, k, &proof[(*len)++]);
    }
}

/* ---- 1. the Certificate Transparency reference vectors ---- */

/* google/certificate-transparency cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256Roots,
 * kSHA256Paths, kSHA256Proofs) and transparency-dev/merkle proof/verify_test.go, which repeats
 * them and adds the 6 -> 7 consistency proof. The CT files number leaves from 1; the indices here
 * are 0-based. */
static const char *const s_ct_inputs[8] = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
};

static const char *const s_ct_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct {
    uint64_t a, b; /* inclusion: index, size; consistency: first, second */
    size_t n;
    const char *hashes[3];
} s_vector_t;

static const s_vector_t s_ct_paths[] = {
    {0, 1, 0, {NULL}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const s_vector_t s_ct_proofs[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static void s_ct_tree(s_mem_t *m)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < 8; i++) {
        uint8_t entry[16];
        size_t len = s_unhex(s_ct_inputs[i], entry);
        s_mem_append(m, entry, len);
    }
}

static void test_hashes(void **state)
{
    (void)state;
    aud_hash_t h;
    aud_empty_root(&h);
    s_assert_hash(&h, s_ct_roots[0]);
    /* A one-leaf tree's root is its leaf hash: SHA-256(0x00). */
    aud_leaf_hash("", 0, &h);
    s_assert_hash(&h, s_ct_roots[1]);
}

static void test_ct_roots(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    memset(m, 0, sizeof *m);
    aud_nodes_t nodes = s_mem_nodes(m);
    aud_builder_t b;
    aud_builder_init(&b);
    aud_hash_t h;
    for (size_t i = 0; i < 8; i++) {
        uint8_t entry[16];
        size_t len = s_unhex(s_ct_inputs[i], entry);
        s_mem_append(m, entry, len);
        aud_builder_add(&b, &m->leaf[i]);
        /* Every earlier size still has its own root once more leaves are appended. */
        for (uint64_t size = 0; size <= i + 1; size++) {
            assert_int_equal(aud_merkle_root(&nodes, size, &h), 0);
            s_assert_hash(&h, s_ct_roots[size]);
        }
        aud_builder_root(&b, &h);
        s_assert_hash(&h, s_ct_roots[i + 1]);
    }
    test_free(m);
}

static void test_ct_paths(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    s_ct_tree(m);
    aud_nodes_t nodes = s_mem_nodes(m);
    for (size_t v = 0; v < sizeof s_ct_paths / sizeof *s_ct_paths; v++) {
        const s_vector_t *vec = &s_ct_paths[v];
        aud_hash_t path[AUD_PROOF_MAX], root = s_hash(s_ct_roots[vec->b]);
        size_t n = 99;
        assert_int_equal(aud_merkle_inclusion(&nodes, vec->a, vec->b, path, &n), 0);
        assert_int_equal(n, vec->n);
        for (size_t i = 0; i < n; i++)
            s_assert_hash(&path[i], vec->hashes[i]);
        assert_true(aud_merkle_verify_inclusion(&m->leaf[vec->a], vec->a, vec->b, path, n, &root));
    }
    test_free(m);
}

static void test_ct_proofs(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    s_ct_tree(m);
    aud_nodes_t nodes = s_mem_nodes(m);
    for (size_t v = 0; v < sizeof s_ct_proofs / sizeof *s_ct_proofs; v++) {
        const s_vector_t *vec = &s_ct_proofs[v];
        aud_hash_t proof[AUD_PROOF_MAX], r1 = s_hash(s_ct_roots[vec->a]), r2 = s_hash(s_ct_roots[vec->b]);
        size_t n = 99;
        assert_int_equal(aud_merkle_consistency(&nodes, vec->a, vec->b, proof, &n), 0);
        assert_int_equal(n, vec->n);
        for (size_t i = 0; i < n; i++)
            s_assert_hash(&proof[i], vec->hashes[i]);
        assert_true(aud_merkle_verify_consistency(vec->a, vec->b, &r1, &r2, proof, n));
    }
    test_free(m);
}

/* ---- 2. every proof of every tree up to 70 leaves ---- */

#define S_SIZES 70

static void test_inclusion_all(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    s_mem_fill(m, S_SIZES);
    aud_nodes_t nodes = s_mem_nodes(m);
    for (uint64_t size = 1; size <= S_SIZES; size++) {
        aud_hash_t root, ref;
        assert_int_equal(aud_merkle_root(&nodes, size, &root), 0);
        s_ref_mth(m->leaf, size, &ref);
        assert_memory_equal(root.h, ref.h, AUD_HASH_LEN);
        for (uint64_t index = 0; index < size; index++) {
            aud_hash_t path[AUD_PROOF_MAX], ref_path[AUD_PROOF_MAX], leaf = m->leaf[index];
            size_t n, ref_n = 0;
            assert_int_equal(aud_merkle_inclusion(&nodes, index, size, path, &n), 0);
            s_ref_path(m->leaf, index, size, ref_path, &ref_n);
            assert_int_equal(n, ref_n);
            assert_memory_equal(path, ref_path, n * sizeof *path);
            assert_true(aud_merkle_verify_inclusion(&leaf, index, size, path, n, &root));

            /* One bit of each byte of the leaf, of each path element and of the root. */
            for (size_t byte = 0; byte < AUD_HASH_LEN; byte++) {
                leaf.h[byte] ^= 1;
                assert_false(aud_merkle_verify_inclusion(&leaf, index, size, path, n, &root));
                leaf.h[byte] ^= 1;
                root.h[byte] ^= 1;
                assert_false(aud_merkle_verify_inclusion(&leaf, index, size, path, n, &root));
                root.h[byte] ^= 1;
                for (size_t i = 0; i < n; i++) {
                    path[i].h[byte] ^= 1;
                    assert_false(aud_merkle_verify_inclusion(&leaf, index, size, path, n, &root));
                    path[i].h[byte] ^= 1;
                }
            }
            /* Any other position in the same tree (and one past it) fails. */
            for (uint64_t other = 0; other <= size; other++)
                if (other != index)
                    assert_false(aud_merkle_verify_inclusion(&leaf, other, size, path, n, &root));
            /* Wrong sizes. Not every other size: a path does not bind the size where two sizes
             * give the leaf the same siblings (leaf 0 of 3 and of 4 both have [leaf 1, X]), and
             * only the signed head binds the root to its size. Doubling or halving always
             * changes the path's length. */
            assert_false(aud_merkle_verify_inclusion(&leaf, index, size * 2, path, n, &root));
            assert_false(aud_merkle_verify_inclusion(&leaf, index, size / 2, path, n, &root));
            /* A path one element short or long. */
            if (n > 0)
                assert_false(aud_merkle_verify_inclusion(&leaf, index, size, path, n - 1, &root));
            path[n] = root;
            assert_false(aud_merkle_verify_inclusion(&leaf, index, size, path, n + 1, &root));
        }
    }
    test_free(m);
}

static void test_consistency_all(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    s_mem_fill(m, S_SIZES);
    aud_nodes_t nodes = s_mem_nodes(m);
    aud_hash_t roots[S_SIZES + 1];
    for (uint64_t size = 0; size <= S_SIZES; size++)
        assert_int_equal(aud_merkle_root(&nodes, size, &roots[size]), 0);
    for (uint64_t second = 0; second <= S_SIZES; second++) {
        for (uint64_t first = 0; first <= second; first++) {
            aud_hash_t proof[AUD_PROOF_MAX + 1], ref[AUD_PROOF_MAX], r1 = roots[first], r2 = roots[second];
            size_t n, ref_n = 0;
            assert_int_equal(aud_merkle_consistency(&nodes, first, second, proof, &n), 0);
            if (first > 0 && first < second)
                s_ref_subproof(m->leaf, first, second, 1, ref, &ref_n);
            assert_int_equal(n, ref_n);
            assert_memory_equal(proof, ref, n * sizeof *proof);
            assert_true(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n));
            if (first == 0) {
                /* Consistent with anything, but only with an empty proof. */
                assert_true(aud_merkle_verify_consistency(0, second, &r2, &r1, proof, 0));
                proof[0] = r2;
                assert_false(aud_merkle_verify_consistency(0, second, &r1, &r2, proof, 1));
                continue;
            }

            for (size_t byte = 0; byte < AUD_HASH_LEN; byte++) {
                r1.h[byte] ^= 1;
                assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n));
                r1.h[byte] ^= 1;
                r2.h[byte] ^= 1;
                assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n));
                r2.h[byte] ^= 1;
                for (size_t i = 0; i < n; i++) {
                    proof[i].h[byte] ^= 1;
                    assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n));
                    proof[i].h[byte] ^= 1;
                }
            }
            if (first == second) {
                proof[0] = r1;
                assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, 1));
                continue;
            }
            assert_false(aud_merkle_verify_consistency(first, second, &r2, &r1, proof, n));
            assert_false(aud_merkle_verify_consistency(second, first, &r2, &r1, proof, n));
            /* The wrong sizes the CT and transparency-dev verifier tests probe. */
            assert_false(aud_merkle_verify_consistency(first - 1, second, &r1, &r2, proof, n));
            assert_false(aud_merkle_verify_consistency(first + 1, second, &r1, &r2, proof, n));
            assert_false(aud_merkle_verify_consistency(first ^ 2, second, &r1, &r2, proof, n));
            assert_false(aud_merkle_verify_consistency(first, second * 2, &r1, &r2, proof, n));
            assert_false(aud_merkle_verify_consistency(first, second / 2, &r1, &r2, proof, n));
            /* Empty, truncated and extended proofs. */
            assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, 0));
            assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n - 1));
            proof[n] = proof[n - 1];
            assert_false(aud_merkle_verify_consistency(first, second, &r1, &r2, proof, n + 1));
        }
    }
    test_free(m);
}

/* ---- 3. the builder ---- */

static void test_builder(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    memset(m, 0, sizeof *m);
    aud_nodes_t nodes = s_mem_nodes(m);
    aud_builder_t b;
    aud_builder_init(&b);
    aud_hash_t got, want;
    aud_builder_root(&b, &got);
    assert_int_equal(aud_merkle_root(&nodes, 0, &want), 0);
    s_assert_hash(&got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    s_assert_hash(&want, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (unsigned i = 0; i < S_MAX_LEAVES; i++) {
        char entry[32];
        int len = snprintf(entry, sizeof entry, "builder %u", i);
        s_mem_append(m, entry, (size_t)len);
        aud_builder_add(&b, &m->leaf[i]);
        assert_int_equal(b.size, i + 1);
        aud_builder_root(&b, &got);
        assert_int_equal(aud_merkle_root(&nodes, i + 1, &want), 0);
        assert_memory_equal(got.h, want.h, AUD_HASH_LEN);
    }
    test_free(m);
}

/* ---- 4. errors ---- */

typedef struct {
    unsigned calls, fail_at; /* the fail_at-th call (1-based) fails; 0 = never */
    int code;
} s_failing_t;

static int s_failing_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    s_failing_t *f = user;
    if (++f->calls == f->fail_at)
        return f->code;
    memset(out->h, (int)(level * 31 + index), AUD_HASH_LEN);
    return 0;
}

static int s_failing_put(void *user, unsigned level, uint64_t index, const aud_hash_t *hash)
{
    return s_failing_get(user, level, index, &(aud_hash_t){{0}});
}

static void test_errors(void **state)
{
    (void)state;
    s_mem_t *m = test_malloc(sizeof *m);
    s_mem_fill(m, 10);
    aud_nodes_t nodes = s_mem_nodes(m);
    aud_hash_t out[AUD_PROOF_MAX];
    size_t n;
    assert_int_equal(aud_merkle_inclusion(&nodes, 10, 10, out, &n), AUD_MERKLE_E_RANGE);
    assert_int_equal(aud_merkle_inclusion(&nodes, 0, 0, out, &n), AUD_MERKLE_E_RANGE);
    assert_int_equal(aud_merkle_inclusion(&nodes, UINT64_MAX, 3, out, &n), AUD_MERKLE_E_RANGE);
    assert_int_equal(aud_merkle_consistency(&nodes, 4, 3, out, &n), AUD_MERKLE_E_RANGE);
    assert_int_equal(aud_merkle_consistency(&nodes, 1, 0, out, &n), AUD_MERKLE_E_RANGE);
    /* The store's own error for a node beyond the stored tree. */
    assert_int_equal(aud_merkle_root(&nodes, 11, out), S_NOT_FOUND);
    assert_int_equal(aud_merkle_inclusion(&nodes, 3, 12, out, &n), S_NOT_FOUND);
    assert_int_equal(aud_merkle_consistency(&nodes, 3, 12, out, &n), S_NOT_FOUND);
    test_free(m);

    /* A failure at every read of a call is returned as is, negative or positive. */
    const int codes[] = {-30798 /* MDB_NOTFOUND */, 7};
    for (size_t c = 0; c < 2; c++) {
        for (unsigned at = 1; at <= 12; at++) {
            s_failing_t f = {.fail_at = at, .code = codes[c]};
            aud_nodes_t fail = {.get = s_failing_get, .put = s_failing_put, .user = &f};
            int rc = aud_merkle_root(&fail, 1000 + 255, out); /* 1255 has 7 bits set: 7 reads */
            assert_int_equal(rc, at <= 7 ? codes[c] : 0);
            f.calls = 0;
            rc = aud_merkle_inclusion(&fail, 1000, 1255, out, &n);
            assert_true(rc == codes[c] || (rc == 0 && f.calls < at));
            f.calls = 0;
            rc = aud_merkle_consistency(&fail, 1000, 1255, out, &n);
            assert_true(rc == codes[c] || (rc == 0 && f.calls < at));
            /* Appending leaf 1023 closes 10 subtrees: 11 puts and 10 reads, interleaved. */
            f.calls = 0;
            rc = aud_merkle_append(&fail, 1023, &out[0]);
            assert_int_equal(rc, at <= 21 ? codes[c] : 0);
        }
    }
}

/* ---- 5. cost: reads for a large tree, counted ---- */

/* A store that holds nothing: it answers every complete subtree of the tree of size leaves with a
 * hash derived from (level, index), and counts the reads. */
typedef struct {
    uint64_t size;
    unsigned reads;
} s_counting_t;

static int s_counting_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    s_counting_t *c = user;
    c->reads++;
    /* Only complete subtrees of the tree exist. */
    assert_true(level < 64 && index < (c->size >> level));
    memset(out->h, 0, AUD_HASH_LEN);
    out->h[0] = (uint8_t)level;
    memcpy(out->h + 8, &index, sizeof index);
    return 0;
}

static unsigned s_popcount(uint64_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void test_cost(void **state)
{
    (void)state;
    const uint64_t sizes[] = {1000000, 1048576, 1048575, (1ULL << 62) + 12345, (1ULL << 63) - 1, 1ULL << 63};
    const unsigned bound = 2 * 64;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        uint64_t size = sizes[s];
        s_counting_t c = {.size = size};
        aud_nodes_t nodes = {.get = s_counting_get, .user = &c};
        aud_hash_t out[AUD_PROOF_MAX];
        size_t n;

        assert_int_equal(aud_merkle_root(&nodes, size, out), 0);
        assert_int_equal(c.reads, s_popcount(size));

        const uint64_t picks[] = {0, 1, size / 2, size / 3, size - 2, size - 1};
        unsigned worst = 0;
        for (size_t p = 0; p < sizeof picks / sizeof *picks; p++) {
            c.reads = 0;
            assert_int_equal(aud_merkle_inclusion(&nodes, picks[p], size, out, &n), 0);
            assert_true(n <= AUD_PROOF_MAX);
            worst = c.reads > worst ? c.reads : worst;
            c.reads = 0;
            assert_int_equal(aud_merkle_consistency(&nodes, picks[p] + 1, size, out, &n), 0);
            assert_true(n <= AUD_PROOF_MAX);
            worst = c.reads > worst ? c.reads : worst;
        }
        if (worst > bound)
            fail_msg("size %llu: %u reads", (unsigned long long)size, worst);
    }
    /* 1,000,000 leaves: every proof within 20 levels plus the 7 subtrees of the ragged edge. */
    s_counting_t c = {.size = 1000000};
    aud_nodes_t nodes = {.get = s_counting_get, .user = &c};
    aud_hash_t out[AUD_PROOF_MAX];
    size_t n;
    for (uint64_t index = 0; index < 1000000; index += 997) {
        c.reads = 0;
        assert_int_equal(aud_merkle_inclusion(&nodes, index, 1000000, out, &n), 0);
        assert_true(c.reads <= 20 + 7);
        c.reads = 0;
        assert_int_equal(aud_merkle_consistency(&nodes, index + 1, 1000000, out, &n), 0);
        assert_true(c.reads <= 20 + 7);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashes),    cmocka_unit_test(test_ct_roots),      cmocka_unit_test(test_ct_paths),
        cmocka_unit_test(test_ct_proofs), cmocka_unit_test(test_inclusion_all), cmocka_unit_test(test_consistency_all),
        cmocka_unit_test(test_builder),   cmocka_unit_test(test_errors),        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
