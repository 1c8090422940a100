/* aud_merkle — see aud_merkle.h.
 *
 * Every hash of a range of leaves is built from stored complete subtrees. The ranges the RFC 6962
 * recursion produces (MTH, PATH, SUBPROOF all split D[start:start+len] at the largest power of two
 * k < len) always start at a multiple of the smallest power of two >= len, so such a range is
 * exactly the concatenation of the aligned complete subtrees given by the set bits of len, the
 * largest first: one node read per set bit. */
#include "aud_merkle.h"

#include <sodium.h>
#include <string.h>

void aud_leaf_hash(const void *entry, size_t len, aud_hash_t *out)
{
    static const unsigned char prefix = 0x00;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, entry, len);
    crypto_hash_sha256_final(&st, out->h);
}

/* out may alias left or right: both are absorbed before final writes out. */
void aud_node_hash(const aud_hash_t *left, const aud_hash_t *right, aud_hash_t *out)
{
    static const unsigned char prefix = 0x01;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, left->h, AUD_HASH_LEN);
    crypto_hash_sha256_update(&st, right->h, AUD_HASH_LEN);
    crypto_hash_sha256_final(&st, out->h);
}

void aud_empty_root(aud_hash_t *out)
{
    static const unsigned char nothing[1];
    crypto_hash_sha256(out->h, nothing, 0);
}

static int s_equal(const aud_hash_t *a, const aud_hash_t *b)
{
    return memcmp(a->h, b->h, AUD_HASH_LEN) == 0;
}

/* The largest power of two smaller than len (len >= 2), the split point of RFC 6962 §2.1.
 * Written as k < len - k so that doubling k can never overflow. */
static uint64_t s_split(uint64_t len)
{
    uint64_t k = 1;
    while (k < len - k)
        k <<= 1;
    return k;
}

/* log2 of a power of two. */
static unsigned s_level(uint64_t pow2)
{
    unsigned level = 0;
    while (pow2 >>= 1)
        level++;
    return level;
}

/* MTH(D[start:start+len]) for len >= 1 and start a multiple of the smallest power of two >= len
 * (every range the RFC recursion visits). The complete subtrees of the set bits of len are folded
 * from the smallest (rightmost) leftwards, which is what the recursion computes; a complete
 * subtree (len a power of two) is a single read. */
static int s_range(const aud_nodes_t *nodes, uint64_t start, uint64_t len, aud_hash_t *out)
{
    int first = 1;
    while (len) {
        uint64_t low = len & (~len + 1); /* the lowest set bit: the rightmost subtree */
        unsigned level = s_level(low);
        aud_hash_t sub;
        int rc = nodes->get(nodes->user, level, (start + len - low) >> level, &sub);
        if (rc != 0)
            return rc;
        if (first)
            *out = sub;
        else
            aud_node_hash(&sub, out, out);
        first = 0;
        len -= low;
    }
    return 0;
}

/* The proofs are collected from the root downwards, the RFC lists them leaf-side first. */
static void s_reverse(aud_hash_t *list, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        aud_hash_t t = list[i];
        list[i] = list[n - 1 - i];
        list[n - 1 - i] = t;
    }
}

int aud_merkle_append(const aud_nodes_t *nodes, uint64_t size, const aud_hash_t *leaf)
{
    aud_hash_t h = *leaf;
    uint64_t index = size;
    unsigned level = 0;
    int rc = nodes->put(nodes->user, 0, index, &h);
    /* While the new node is a right child (odd index), its left sibling is stored and their
     * parent is now complete. */
    while (rc == 0 && (index & 1)) {
        aud_hash_t left;
        rc = nodes->get(nodes->user, level, index - 1, &left);
        if (rc != 0)
            return rc;
        aud_node_hash(&left, &h, &h);
        index >>= 1;
        level++;
        rc = nodes->put(nodes->user, level, index, &h);
    }
    return rc;
}

int aud_merkle_root(const aud_nodes_t *nodes, uint64_t size, aud_hash_t *out)
{
    if (size == 0) {
        aud_empty_root(out);
        return 0;
    }
    return s_range(nodes, 0, size, out);
}

/* PATH(m, D[n]) unrolled: at each split the leaf's side is kept and the other side's MTH is
 * recorded. The other side is a complete subtree (one read) except the first time the leaf goes
 * left, where it is the ragged right part (one read per set bit); after that every range is a
 * complete subtree. So at most 64 + 63 reads. */
int aud_merkle_inclusion(const aud_nodes_t *nodes, uint64_t index, uint64_t size, aud_hash_t *path, size_t *n)
{
    if (index >= size)
        return AUD_MERKLE_E_RANGE;
    uint64_t start = 0, len = size;
    size_t count = 0;
    while (len > 1) {
        uint64_t k = s_split(len);
        int rc;
        if (index - start < k) {
            rc = s_range(nodes, start + k, len - k, &path[count++]);
            len = k;
        } else {
            rc = s_range(nodes, start, k, &path[count++]);
            start += k;
            len -= k;
        }
        if (rc != 0)
            return rc;
    }
    s_reverse(path, count);
    *n = count;
    return 0;
}

/* PROOF(m, D[n]) = SUBPROOF(m, D[n], true) unrolled, with m the number of the first tree's leaves
 * inside the current range D[start:start+len]. whole is the RFC's b: it stays true while the
 * range is a prefix of the first tree's own recursion, whose root the verifier already has. The
 * read cost is bounded as for inclusion. */
int aud_merkle_consistency(const aud_nodes_t *nodes, uint64_t first, uint64_t second, aud_hash_t *proof, size_t *n)
{
    if (first > second)
        return AUD_MERKLE_E_RANGE;
    *n = 0;
    if (first == 0 || first == second)
        return 0;
    uint64_t start = 0, len = second, m = first;
    int whole = 1;
    size_t count = 0;
    while (m != len) {
        uint64_t k = s_split(len);
        int rc;
        if (m <= k) {
            /* The first tree lies in the left part; the right part is new in the second. */
            rc = s_range(nodes, start + k, len - k, &proof[count++]);
            len = k;
        } else {
            /* The left part is complete and shared; carry on in the right part. */
            rc = s_range(nodes, start, k, &proof[count++]);
            start += k;
            len -= k;
            m -= k;
            whole = 0;
        }
        if (rc != 0)
            return rc;
    }
    /* m == len: the range is a complete subtree of both trees (the loop only ends after a step
     * left, into a power-of-two range). Unless it is the first tree itself, record it. */
    if (!whole) {
        int rc = s_range(nodes, start, len, &proof[count++]);
        if (rc != 0)
            return rc;
    }
    s_reverse(proof, count);
    *n = count;
    return 0;
}

/* RFC 9162 §2.1.3.2. fn is the node's index at the current level, sn the last index there; an
 * odd fn, or fn == sn with no right sibling, takes its sibling from the left. */
int aud_merkle_verify_inclusion(const aud_hash_t *leaf, uint64_t index, uint64_t size, const aud_hash_t *path, size_t n,
                                const aud_hash_t *root)
{
    if (index >= size)
        return 0;
    uint64_t fn = index, sn = size - 1;
    aud_hash_t r = *leaf;
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            aud_node_hash(&path[i], &r, &r);
            /* The rightmost node of its level has no sibling at the levels where it is a left
             * child: skip those levels. */
            while (fn != 0 && !(fn & 1)) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            aud_node_hash(&r, &path[i], &r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && s_equal(&r, root);
}

/* RFC 9162 §2.1.4.2 for 0 < first < second; fr rebuilds the first root and sr the second from the
 * same path. */
int aud_merkle_verify_consistency(uint64_t first, uint64_t second, const aud_hash_t *first_root,
                                  const aud_hash_t *second_root, const aud_hash_t *proof, size_t n)
{
    if (first > second)
        return 0;
    if (first == second)
        return n == 0 && s_equal(first_root, second_root);
    if (first == 0)
        return n == 0;
    if (n == 0)
        return 0;
    /* Step 2: when first is a power of two its root is a node of the second tree and the proof
     * leaves it out; the RFC prepends first_root. Here the seed is taken from first_root instead
     * of copying the proof. */
    const aud_hash_t *seed = &proof[0];
    size_t i = 1;
    if ((first & (first - 1)) == 0) {
        seed = first_root;
        i = 0;
    }
    uint64_t fn = first - 1, sn = second - 1;
    /* Step 4: climb to the lowest level where the first tree's last node is a left child or the
     * root of a complete subtree; the seed is that node. */
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    aud_hash_t fr = *seed, sr = *seed;
    for (; i < n; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            aud_node_hash(&proof[i], &fr, &fr);
            aud_node_hash(&proof[i], &sr, &sr);
            while (fn != 0 && !(fn & 1)) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            /* A right sibling exists only in the second tree. */
            aud_node_hash(&sr, &proof[i], &sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && s_equal(&fr, first_root) && s_equal(&sr, second_root);
}

void aud_builder_init(aud_builder_t *b)
{
    memset(b, 0, sizeof *b);
}

/* Like a binary counter: the new leaf merges with every top subtree of its level, so the stack
 * holds one subtree per set bit of size (at most 64, never more even in passing). */
void aud_builder_add(aud_builder_t *b, const aud_hash_t *leaf)
{
    aud_hash_t h = *leaf;
    unsigned level = 0;
    while (b->depth > 0 && b->levels[b->depth - 1] == level) {
        aud_node_hash(&b->stack[b->depth - 1], &h, &h);
        b->depth--;
        level++;
    }
    b->stack[b->depth] = h;
    b->levels[b->depth] = level;
    b->depth++;
    b->size++;
}

void aud_builder_root(const aud_builder_t *b, aud_hash_t *out)
{
    if (b->depth == 0) {
        aud_empty_root(out);
        return;
    }
    *out = b->stack[b->depth - 1];
    for (unsigned i = b->depth - 1; i > 0; i--)
        aud_node_hash(&b->stack[i - 1], out, out);
}
