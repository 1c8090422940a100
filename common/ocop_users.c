/* ocop_users — the users file: hashed API tokens with roles and scopes. */
#include "ocop_users.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ocop_error.h"
#include "ocop_fs.h"

#define S_FILE_MAX (64u << 20)

struct ocop_users_t {
    ocop_user_t *users; /* sorted by token_hash */
    size_t count;
};

static int s_by_hash(const void *a, const void *b)
{
    return memcmp(((const ocop_user_t *)a)->token_hash, ((const ocop_user_t *)b)->token_hash, OCOP_TOKEN_HASH_LEN);
}

/* The file says who may do what: like a secret key, it is refused unless only its owner may read
 * and write it (a group- or world-writable one would let any local user add a central officer). */
static int s_check_file(FILE *f, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        ocop_error_format(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (st.st_mode & 077) {
        ocop_error_format(err, errlen, "%s: mode %04o gives group/other access; the tokens file must be 0600", path,
                          (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

static char *s_read_all(const char *path, int *missing, char *err, size_t errlen)
{
    *missing = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *missing = errno == ENOENT;
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (s_check_file(f, path, err, errlen) != 0) {
        fclose(f);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = cap <= S_FILE_MAX ? realloc(buf, cap) : NULL;
            if (!grown) {
                ocop_error_format(err, errlen, "%s: too large", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        ocop_error_format(err, errlen, "%s: read error", path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static int s_copy_member(const cJSON *obj, const char *key, char *out, size_t len)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!item) {
        out[0] = '\0';
        return 0;
    }
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= len)
        return -1;
    memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
    return 0;
}

int ocop_user_validate(const ocop_user_t *u, char *err, size_t errlen)
{
    const char *role = ocop_role_name(u->role);
    if (!u->name[0] || !role) {
        ocop_error_format(err, errlen, "%s", !u->name[0] ? "a user needs a name" : "unknown role");
        return -1;
    }
    const char *missing = NULL;
    switch (u->role) {
    case OCOP_ROLE_PRODUCER:
        missing = !u->entity[0] ? "entity" : NULL;
        break;
    case OCOP_ROLE_COMMUNE:
        missing = !u->commune[0] ? "commune" : !u->province[0] ? "province" : NULL;
        break;
    case OCOP_ROLE_PROVINCE:
        missing = !u->province[0] ? "province" : NULL;
        break;
    case OCOP_ROLE_COUNCIL:
        missing = !u->member[0] ? "member" : !u->council_count ? "councils" : NULL;
        break;
    default:
        break;
    }
    if (missing) {
        ocop_error_format(err, errlen, "user %s: a %s needs %s", u->name, role, missing);
        return -1;
    }
    return 0;
}

static int s_parse_user(const cJSON *obj, ocop_user_t *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(obj, "role");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(obj, "token_hash");
    const cJSON *councils = cJSON_GetObjectItemCaseSensitive(obj, "councils");
    if (!cJSON_IsObject(obj) || s_copy_member(obj, "name", u->name, sizeof u->name) != 0 ||
        s_copy_member(obj, "province", u->province, sizeof u->province) != 0 ||
        s_copy_member(obj, "commune", u->commune, sizeof u->commune) != 0 ||
        s_copy_member(obj, "entity", u->entity, sizeof u->entity) != 0 ||
        s_copy_member(obj, "member", u->member, sizeof u->member) != 0) {
        ocop_error_format(err, errlen, "user %s: name, province, commune, entity and member are short strings",
                          u->name);
        return -1;
    }
    u->role = cJSON_IsString(role) ? ocop_role_from_name(role->valuestring) : 0;
    size_t hlen = 0;
    if (!cJSON_IsString(hash) || strlen(hash->valuestring) != 2 * OCOP_TOKEN_HASH_LEN ||
        sodium_hex2bin(u->token_hash, sizeof u->token_hash, hash->valuestring, strlen(hash->valuestring), NULL, &hlen,
                       NULL) != 0 ||
        hlen != OCOP_TOKEN_HASH_LEN) {
        ocop_error_format(err, errlen, "user %s: token_hash: expected %d hex digits", u->name, 2 * OCOP_TOKEN_HASH_LEN);
        return -1;
    }
    if (councils && !cJSON_IsArray(councils)) {
        ocop_error_format(err, errlen, "user %s: councils: expected an array of ids", u->name);
        return -1;
    }
    for (const cJSON *c = councils ? councils->child : NULL; c; c = c->next) {
        if (!cJSON_IsString(c) || strlen(c->valuestring) >= sizeof u->councils[0] ||
            u->council_count == OCOP_USER_COUNCILS_MAX) {
            ocop_error_format(err, errlen, "user %s: councils: at most %d ids of up to %zu characters", u->name,
                              OCOP_USER_COUNCILS_MAX, sizeof u->councils[0] - 1);
            return -1;
        }
        memcpy(u->councils[u->council_count++], c->valuestring, strlen(c->valuestring) + 1);
    }
    return ocop_user_validate(u, err, errlen);
}

/* The users array of a parsed file, or NULL with err. */
static const cJSON *s_users_array(const cJSON *root, const char *path, char *err, size_t errlen)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "users");
    if (!cJSON_IsArray(arr)) {
        ocop_error_format(err, errlen, "%s: expected {\"users\": [...]}", path);
        return NULL;
    }
    return arr;
}

ocop_users_t *ocop_users_load(const char *path, char *err, size_t errlen)
{
    ocop_users_t *self = calloc(1, sizeof *self);
    if (!self || sodium_init() < 0) {
        free(self);
        ocop_error_format(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    int missing;
    char *text = s_read_all(path, &missing, err, errlen);
    if (!text)
        return missing ? self : (ocop_users_destroy(&self), NULL);
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *arr = root ? s_users_array(root, path, err, errlen) : NULL;
    if (!root)
        ocop_error_format(err, errlen, "%s: invalid JSON", path);
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
    self->users = calloc(n ? n : 1, sizeof *self->users);
    int ok = arr && self->users;
    char why[256];
    for (const cJSON *u = arr ? arr->child : NULL; ok && u; u = u->next) {
        if (s_parse_user(u, &self->users[self->count], why, sizeof why) != 0) {
            ocop_error_format(err, errlen, "%s: %s", path, why);
            ok = 0;
            break;
        }
        for (size_t i = 0; i < self->count; i++)
            if (strcmp(self->users[i].name, self->users[self->count].name) == 0) {
                ocop_error_format(err, errlen, "%s: user %s is listed twice", path, self->users[i].name);
                ok = 0;
            }
        self->count++;
    }
    cJSON_Delete(root);
    if (!ok) {
        ocop_users_destroy(&self);
        return NULL;
    }
    qsort(self->users, self->count, sizeof *self->users, s_by_hash);
    return self;
}

void ocop_users_destroy(ocop_users_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->users);
    free(*self_p);
    *self_p = NULL;
}

size_t ocop_users_count(const ocop_users_t *self)
{
    return self->count;
}

static int s_token_hash(const char *token, unsigned char hash[OCOP_TOKEN_HASH_LEN])
{
    if (!token || strlen(token) != OCOP_TOKEN_LEN || strncmp(token, "ocop_", 5) != 0)
        return -1;
    crypto_generichash(hash, OCOP_TOKEN_HASH_LEN, (const unsigned char *)token, OCOP_TOKEN_LEN, NULL, 0);
    return 0;
}

const ocop_user_t *ocop_users_find(const ocop_users_t *self, const char *token)
{
    ocop_user_t key;
    if (s_token_hash(token, key.token_hash) != 0)
        return NULL;
    /* Comparing hashes, not tokens: how long a comparison takes says nothing about a token. */
    return bsearch(&key, self->users, self->count, sizeof *self->users, s_by_hash);
}

void ocop_token_new(char *token, unsigned char hash[OCOP_TOKEN_HASH_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "ocop_", 5);
    sodium_bin2hex(token + 5, OCOP_TOKEN_LEN - 5 + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    s_token_hash(token, hash);
}

static void s_add_string(cJSON *obj, const char *key, const char *value)
{
    if (value[0])
        cJSON_AddStringToObject(obj, key, value);
}

int ocop_users_add(const char *path, const ocop_user_t *user, char *err, size_t errlen)
{
    if (ocop_user_validate(user, err, errlen) != 0)
        return -1;
    int missing;
    char *text = s_read_all(path, &missing, err, errlen);
    if (!text && !missing)
        return -1;
    cJSON *root = text ? cJSON_Parse(text) : cJSON_CreateObject();
    free(text);
    if (!root) {
        ocop_error_format(err, errlen, "%s: invalid JSON", path);
        return -1;
    }
    if (missing)
        cJSON_AddArrayToObject(root, "users");
    cJSON *arr = (cJSON *)s_users_array(root, path, err, errlen);
    int rc = arr ? 0 : -1;
    for (const cJSON *u = arr ? arr->child : NULL; u && rc == 0; u = u->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(u, "name");
        if (cJSON_IsString(name) && strcmp(name->valuestring, user->name) == 0) {
            ocop_error_format(err, errlen, "%s: user %s already exists", path, user->name);
            rc = -1;
        }
    }
    if (rc == 0) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", user->name);
        cJSON_AddStringToObject(o, "role", ocop_role_name(user->role));
        s_add_string(o, "province", user->province);
        s_add_string(o, "commune", user->commune);
        s_add_string(o, "entity", user->entity);
        s_add_string(o, "member", user->member);
        if (user->council_count) {
            cJSON *c = cJSON_AddArrayToObject(o, "councils");
            for (size_t i = 0; i < user->council_count; i++)
                cJSON_AddItemToArray(c, cJSON_CreateString(user->councils[i]));
        }
        char hex[2 * OCOP_TOKEN_HASH_LEN + 1];
        sodium_bin2hex(hex, sizeof hex, user->token_hash, OCOP_TOKEN_HASH_LEN);
        cJSON_AddStringToObject(o, "token_hash", hex);
        cJSON_AddItemToArray(arr, o);
        char *out = cJSON_Print(root);
        if (!out || ocop_fs_write_file(path, out, 0600) != 0) {
            ocop_error_format(err, errlen, "%s: cannot write: %s", path, strerror(errno));
            rc = -1;
        }
        free(out);
    }
    cJSON_Delete(root);
    return rc;
}
