/* aud_verify — recomputes the whole log and checks it: every entry (an ocop.Event, indexes in
 * order, each source's sequences contiguous), every signed head (its Ed25519 signature, and its
 * root against the tree recomputed from the entries), and that the last head covers exactly
 * the entries given. A consistent, validly signed head over a tampered entry is caught because
 * the recomputed root differs.
 *
 * Give it every head first (any order), then the entries in order; it keeps the heads and a
 * O(log n) tree builder, never the entries. */
#ifndef AUD_VERIFY_H
#define AUD_VERIFY_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "aud_merkle.h"

typedef struct aud_verifier_t aud_verifier_t;

aud_verifier_t *aud_verifier_new(const uint8_t public_key[crypto_sign_PUBLICKEYBYTES]);
void aud_verifier_destroy(aud_verifier_t **self_p);

/* 0, or -1 once a problem was found (the first one is kept: aud_verifier_problem). */
/* key_id is the head's own statement of its key (hex of the public key): it must name the key
 * the verifier was given. */
int aud_verifier_head(aud_verifier_t *self, uint64_t tree_size, const uint8_t *root, size_t root_len,
                      int64_t timestamp_ms, const uint8_t *signature, size_t signature_len, const char *key_id);
int aud_verifier_entry(aud_verifier_t *self, uint64_t index, const uint8_t *data, size_t len);
/* After the last entry: checks coverage. 0 when everything verified, else -1. */
int aud_verifier_finish(aud_verifier_t *self);

/* The first problem ("" when none). */
const char *aud_verifier_problem(const aud_verifier_t *self);
uint64_t aud_verifier_entries(const aud_verifier_t *self);
uint64_t aud_verifier_heads(const aud_verifier_t *self);
size_t aud_verifier_sources(const aud_verifier_t *self);
/* The root of every entry given. */
void aud_verifier_root(const aud_verifier_t *self, aud_hash_t *out);

#endif
