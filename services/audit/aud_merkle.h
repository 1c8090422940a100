/* aud_merkle — the RFC 6962 (Certificate Transparency) Merkle tree of the audit log.
 *
 * Leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right); the root of
 * n leaves is MTH(D[0:n]) as RFC 6962 §2.1 defines it (the empty tree hashes to SHA-256("")).
 *
 * The tree is kept as complete subtrees: node (level, index) is the hash of the 2^level leaves
 * [index << level, (index + 1) << level). Appending a leaf stores it at level 0 and every
 * subtree it completes; roots and proofs of any size up to the current one are computed from
 * those nodes, so a store holds about two hashes per leaf and answers in O(log n) reads.
 * Storage is the caller's, through two callbacks (the audit service keeps nodes in LMDB; the
 * offline verifier and tests keep them in memory).
 *
 * Verification needs no store: aud_merkle_verify_* check proofs against roots (RFC 9162
 * §2.1.3.2 and §2.1.4.2), and aud_builder recomputes roots while streaming every leaf. */
#ifndef AUD_MERKLE_H
#define AUD_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define AUD_HASH_LEN 32
/* The longest proof for a tree of up to 2^63 leaves. */
#define AUD_PROOF_MAX 64

typedef struct {
    uint8_t h[AUD_HASH_LEN];
} aud_hash_t;

/* SHA-256(0x00 || entry). */
void aud_leaf_hash(const void *entry, size_t len, aud_hash_t *out);
/* SHA-256(0x01 || left || right). */
void aud_node_hash(const aud_hash_t *left, const aud_hash_t *right, aud_hash_t *out);
/* SHA-256 of nothing: the root of the empty tree. */
void aud_empty_root(aud_hash_t *out);

/* Node storage: 0 on success, nonzero (the caller's error code, returned as is) otherwise.
 * get must find every node a put stored, in the same transaction or state. */
typedef int (*aud_node_get_fn)(void *user, unsigned level, uint64_t index, aud_hash_t *out);
typedef int (*aud_node_put_fn)(void *user, unsigned level, uint64_t index, const aud_hash_t *hash);

typedef struct {
    aud_node_get_fn get;
    aud_node_put_fn put; /* only aud_merkle_append needs it */
    void *user;
} aud_nodes_t;

/* Appends leaf as leaf number size (the tree had size leaves): stores node (0, size) and each
 * complete subtree it closes. 0, or the first nonzero callback result. */
int aud_merkle_append(const aud_nodes_t *nodes, uint64_t size, const aud_hash_t *leaf);

/* MTH of the first size leaves. 0 / callback error. */
int aud_merkle_root(const aud_nodes_t *nodes, uint64_t size, aud_hash_t *out);

/* The audit path of leaf index in the tree of size leaves (RFC 6962 §2.1.1 PATH, nearest
 * sibling first) into path (AUD_PROOF_MAX entries), its length in *n. 0, AUD_MERKLE_E_RANGE
 * when index >= size, or a callback error. */
int aud_merkle_inclusion(const aud_nodes_t *nodes, uint64_t index, uint64_t size, aud_hash_t *path, size_t *n);

/* The consistency proof between the trees of first and second leaves (RFC 6962 §2.1.2
 * PROOF, empty when first == second or first == 0). 0, AUD_MERKLE_E_RANGE when first > second,
 * or a callback error. */
int aud_merkle_consistency(const aud_nodes_t *nodes, uint64_t first, uint64_t second, aud_hash_t *proof, size_t *n);

/* Negative results of the functions above that are not callback errors. */
#define AUD_MERKLE_E_RANGE (-1000)

/* 1 when path proves that leaf is leaf index of the tree of size leaves with root, else 0. */
int aud_merkle_verify_inclusion(const aud_hash_t *leaf, uint64_t index, uint64_t size, const aud_hash_t *path, size_t n,
                                const aud_hash_t *root);

/* 1 when proof shows the tree of first leaves (first_root) is a prefix of the tree of second
 * leaves (second_root), else 0. first == second needs an empty proof and equal roots; first
 * == 0 is consistent with anything (empty proof). */
int aud_merkle_verify_consistency(uint64_t first, uint64_t second, const aud_hash_t *first_root,
                                  const aud_hash_t *second_root, const aud_hash_t *proof, size_t n);

/* Streaming root computation: add every leaf in order; the root of the leaves so far is
 * available at any time in O(log n) (the verifier checks each signed head this way). */
typedef struct {
    aud_hash_t stack[64]; /* complete subtrees, the largest first */
    unsigned levels[64];
    unsigned depth;
    uint64_t size;
} aud_builder_t;

void aud_builder_init(aud_builder_t *b);
void aud_builder_add(aud_builder_t *b, const aud_hash_t *leaf);
/* MTH of the leaves added so far. */
void aud_builder_root(const aud_builder_t *b, aud_hash_t *out);

#endif
