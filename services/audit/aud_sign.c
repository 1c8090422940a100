/* aud_sign — see aud_sign.h. */
#include "aud_sign.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ocop_error.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_store.h"

static const char s_domain[11] = {'O', 'C', 'O', 'P', '-', 'S', 'T', 'H', '-', 'v', '1'};

static int s_hex_decode(const char *hex, uint8_t *out, size_t len)
{
    size_t got;
    const char *end;
    return sodium_hex2bin(out, len, hex, strlen(hex), "\n", &got, &end) == 0 && got == len && *end == '\0' ? 0 : -1;
}

int aud_public_key_read(const char *path, uint8_t out[crypto_sign_PUBLICKEYBYTES], char *err, size_t errlen)
{
    char text[256];
    if (ocop_keys_read_file(path, 0, text, sizeof text, err, errlen) != 0)
        return -1;
    if (s_hex_decode(text, out, crypto_sign_PUBLICKEYBYTES) != 0) {
        ocop_error_format(err, errlen, "%s: expected %d hex digits (an Ed25519 public key)", path,
                          2 * crypto_sign_PUBLICKEYBYTES);
        return -1;
    }
    return 0;
}

int aud_signer_open(aud_signer_t *s, const char *dir, const char *name, char *err, size_t errlen)
{
    char secret_path[1100], public_path[1100], text[512];
    snprintf(secret_path, sizeof secret_path, "%s/%s.sign", dir, name);
    snprintf(public_path, sizeof public_path, "%s/%s.sign.pub", dir, name);
    memset(s, 0, sizeof *s);
    if (access(secret_path, F_OK) != 0 && access(public_path, F_OK) != 0) {
        if (ocop_keys_sign_create(dir, name, err, errlen) != 0)
            return -1;
        ocop_log_info("signing_key_created", "path=%s public=%s", secret_path, public_path);
    }
    if (ocop_keys_read_file(secret_path, 1, text, sizeof text, err, errlen) != 0)
        return -1;
    int rc = s_hex_decode(text, s->secret, sizeof s->secret);
    sodium_memzero(text, sizeof text);
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: expected %d hex digits (an Ed25519 secret key)", secret_path,
                          2 * crypto_sign_SECRETKEYBYTES);
        return -1;
    }
    uint8_t published[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(s->public_key, s->secret);
    if (aud_public_key_read(public_path, published, err, errlen) != 0)
        return -1;
    if (memcmp(published, s->public_key, sizeof published) != 0) {
        ocop_error_format(err, errlen, "%s: is not the public half of %s", public_path, secret_path);
        return -1;
    }
    sodium_bin2hex(s->key_id, sizeof s->key_id, s->public_key, sizeof s->public_key);
    return 0;
}

void aud_signer_close(aud_signer_t *s)
{
    sodium_memzero(s, sizeof *s);
}

void aud_head_message(uint64_t size, const aud_hash_t *root, int64_t timestamp_ms, uint8_t out[AUD_HEAD_MSG_LEN])
{
    memcpy(out, s_domain, sizeof s_domain);
    ocop_be64_put(out + 11, size);
    memcpy(out + 19, root->h, AUD_HASH_LEN);
    ocop_be64_put(out + 19 + AUD_HASH_LEN, (uint64_t)timestamp_ms);
}

void aud_head_sign(const aud_signer_t *s, uint64_t size, const aud_hash_t *root, int64_t timestamp_ms,
                   uint8_t signature[crypto_sign_BYTES])
{
    uint8_t msg[AUD_HEAD_MSG_LEN];
    aud_head_message(size, root, timestamp_ms, msg);
    crypto_sign_detached(signature, NULL, msg, sizeof msg, s->secret);
}

int aud_head_verify(const uint8_t public_key[crypto_sign_PUBLICKEYBYTES], uint64_t size, const aud_hash_t *root,
                    int64_t timestamp_ms, const uint8_t *signature, size_t signature_len)
{
    if (signature_len != crypto_sign_BYTES)
        return 0;
    uint8_t msg[AUD_HEAD_MSG_LEN];
    aud_head_message(size, root, timestamp_ms, msg);
    return crypto_sign_verify_detached(signature, msg, sizeof msg, public_key) == 0;
}
