/* ocop_users — the people who may use the API: a name, a role, a scope and the hash of their
 * API token, kept in one JSON file that the gateway reads and `ocopctl token create` writes.
 *
 * {"users": [{"name": "lan", "role": "province_officer", "province": "01",
 *             "token_hash": "<64 hex>"}, ...]}
 * Scope members by role: producer "entity"; commune_officer "commune" and "province";
 * province_officer "province"; council_member "member" and "councils" (ids); central_officer,
 * auditor and public none.
 *
 * A token is "ocop_" followed by 64 hex digits of 32 random bytes; the file holds only its
 * BLAKE2b hash (libsodium crypto_generichash). A token carries 256 bits of entropy, so a fast
 * hash is enough: there is nothing to guess, unlike a password (which would need Argon2). */
#ifndef OCOP_USERS_H
#define OCOP_USERS_H

#include <stddef.h>

#include "ocop_api.h"

#define OCOP_TOKEN_LEN (5 + 64)
#define OCOP_TOKEN_HASH_LEN 32
#define OCOP_USER_COUNCILS_MAX 16
#define OCOP_USER_FIELD_MAX 48

typedef struct {
    char name[OCOP_USER_FIELD_MAX];
    ocop_role_t role;
    char province[8];
    char commune[16];
    char entity[OCOP_USER_FIELD_MAX];
    char member[OCOP_USER_FIELD_MAX];
    char councils[OCOP_USER_COUNCILS_MAX][24];
    size_t council_count;
    unsigned char token_hash[OCOP_TOKEN_HASH_LEN];
} ocop_user_t;

typedef struct ocop_users_t ocop_users_t;

/* Reads the file; a missing file is an empty set. NULL with err naming the file and the user. */
ocop_users_t *ocop_users_load(const char *path, char *err, size_t errlen);
void ocop_users_destroy(ocop_users_t **self_p);
size_t ocop_users_count(const ocop_users_t *self);

/* The user holding token, or NULL (unknown or malformed token). Points into self. */
const ocop_user_t *ocop_users_find(const ocop_users_t *self, const char *token);

/* Checks user's scope members against its role: 0, or -1 with err ("province_officer needs
 * province"). */
int ocop_user_validate(const ocop_user_t *user, char *err, size_t errlen);

/* A fresh token into token (OCOP_TOKEN_LEN + 1 bytes) and its hash. */
void ocop_token_new(char *token, unsigned char hash[OCOP_TOKEN_HASH_LEN]);

/* Adds user (with its token_hash) to the file, creating it with mode 0600; refuses a name that
 * is already there. 0, or -1 with err. */
int ocop_users_add(const char *path, const ocop_user_t *user, char *err, size_t errlen);

#endif
