/* fuzz_users — libFuzzer target for the gateway's users file (common/ocop_users.c): the input
 * is written to a file of mode 0600 (others are refused), loaded with ocop_users_load and
 * searched for a fixed token, whose hash the seeds in corpus/fuzz_users hold. */
#include <stdint.h>

#include "fuzz_dir.h"
#include "ocop_users.h"

/* The token the seeds' users hold the hash of (BLAKE2b-256, as ocop_users stores it). */
#define FUZZ_TOKEN "ocop_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[PATH_MAX];
    fuzz_dir_write("tokens.json", data, size, path);
    char err[512];
    ocop_users_t *users = ocop_users_load(path, err, sizeof err);
    if (users)
        ocop_users_find(users, FUZZ_TOKEN);
    ocop_users_destroy(&users);
    return 0;
}
