/* fuzz_audit_export — libFuzzer target for audit exports ("ocopctl audit export" files) as
 * ocop-audit-verify reads them: aud_export_read feeds every record to a verifier holding a fixed
 * Ed25519 public key, then aud_verifier_finish checks coverage. The key pair comes from a fixed
 * seed, so seeds signed with it (corpus/fuzz_audit_export) verify and runs are reproducible. */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aud_export.h"

/* The seed of the key the corpus is signed with (31 characters and the NUL). */
static const uint8_t s_key_seed[crypto_sign_SEEDBYTES] = "ocop fuzz_audit_export key seed";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    static int have_key;
    if (!have_key) {
        uint8_t secret[crypto_sign_SECRETKEYBYTES];
        if (sodium_init() < 0 || crypto_sign_seed_keypair(public_key, secret, s_key_seed) != 0)
            abort();
        have_key = 1;
    }
    if (size == 0) /* fmemopen refuses an empty buffer */
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    aud_verifier_t *v = aud_verifier_new(public_key);
    if (!f || !v)
        abort();
    char err[256];
    aud_export_read(v, f, err, sizeof err);
    aud_verifier_finish(v);
    aud_verifier_destroy(&v);
    fclose(f);
    return 0;
}
