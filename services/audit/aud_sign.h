/* aud_sign — the audit service's Ed25519 signing key and signed tree heads.
 *
 * The key lives in <keys_dir>/<name>.sign (hex of libsodium's 64-byte secret key, mode 0600;
 * created at the first start, it never leaves the audit host) with its public half in
 * <name>.sign.pub (hex, 32 bytes), which verifiers are given. A head is signed over
 *   "OCOP-STH-v1" || be64(tree_size) || root (32) || be64(timestamp_ms). */
#ifndef AUD_SIGN_H
#define AUD_SIGN_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "aud_merkle.h"

#define AUD_KEY_ID_LEN (2 * crypto_sign_PUBLICKEYBYTES)

typedef struct {
    uint8_t secret[crypto_sign_SECRETKEYBYTES];
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    char key_id[AUD_KEY_ID_LEN + 1]; /* hex of the public key */
} aud_signer_t;

/* Loads <dir>/<name>.sign, creating the pair first when neither file exists. 0, or -1 with err. */
int aud_signer_open(aud_signer_t *s, const char *dir, const char *name, char *err, size_t errlen);
void aud_signer_close(aud_signer_t *s);

/* Reads a public key file (hex, as <name>.sign.pub). 0, or -1 with err. */
int aud_public_key_read(const char *path, uint8_t out[crypto_sign_PUBLICKEYBYTES], char *err, size_t errlen);

#define AUD_HEAD_MSG_LEN (11 + 8 + AUD_HASH_LEN + 8)

/* The signed bytes of a head. */
void aud_head_message(uint64_t size, const aud_hash_t *root, int64_t timestamp_ms, uint8_t out[AUD_HEAD_MSG_LEN]);
void aud_head_sign(const aud_signer_t *s, uint64_t size, const aud_hash_t *root, int64_t timestamp_ms,
                   uint8_t signature[crypto_sign_BYTES]);
/* 1 when signature is the key's over the head, else 0. */
int aud_head_verify(const uint8_t public_key[crypto_sign_PUBLICKEYBYTES], uint64_t size, const aud_hash_t *root,
                    int64_t timestamp_ms, const uint8_t *signature, size_t signature_len);

#endif
