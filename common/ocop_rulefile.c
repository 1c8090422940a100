/* ocop_rulefile — see ocop_rulefile.h. */
#include "ocop_rulefile.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

/* Rule files are small; the bound keeps a wrong path (a log, a dump) from being slurped. */
#define S_MAX_FILE_BYTES (4L * 1024 * 1024)

cJSON *ocop_rulefile_read(const char *path, char digest[OCOP_RULEFILE_DIGEST_LEN], char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ocop_error_format(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || size > S_MAX_FILE_BYTES || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        ocop_error_format(err, errlen, "%s: cannot read (or larger than %ld bytes)", path, S_MAX_FILE_BYTES);
        return NULL;
    }
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        ocop_error_format(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    fclose(f);
    text[size] = '\0';
    if (digest) {
        unsigned char hash[crypto_hash_sha256_BYTES];
        if (sodium_init() < 0) {
            free(text);
            ocop_error_format(err, errlen, "%s: cannot initialise libsodium for the digest", path);
            return NULL;
        }
        crypto_hash_sha256(hash, (const unsigned char *)text, (unsigned long long)size);
        sodium_bin2hex(digest, OCOP_RULEFILE_DIGEST_LEN, hash, sizeof hash);
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, (size_t)size, &end, 0);
    if (!root)
        ocop_error_format(err, errlen, "%s: not valid JSON near offset %ld", path, end ? (long)(end - text) : -1L);
    else if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        root = NULL;
        ocop_error_format(err, errlen, "%s: expected a JSON object at the top level", path);
    }
    free(text);
    return root;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ocop_rulefile_list(const char *dir, const char *prefix, char ***paths, size_t *count)
{
    *paths = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(list, cap * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            list = grown;
        }
        size_t plen = strlen(dir) + len + 2;
        list[n] = malloc(plen);
        if (!list[n]) {
            rc = -1;
            break;
        }
        snprintf(list[n], plen, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (rc != 0) {
        ocop_rulefile_list_free(list, n);
        return -1;
    }
    if (n)
        qsort(list, n, sizeof *list, s_cmp);
    *paths = list;
    *count = n;
    return 0;
}

void ocop_rulefile_list_free(char **paths, size_t count)
{
    if (!paths)
        return;
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

int ocop_rulefile_load_each(const char *dir, const char *prefix, size_t item_size, ocop_rulefile_parse_fn parse,
                            void **items, size_t *count, char *err, size_t errlen)
{
    *items = NULL;
    *count = 0;
    char **paths;
    size_t n;
    if (ocop_rulefile_list(dir, prefix, &paths, &n) != 0) {
        ocop_error_format(err, errlen, "%s: cannot read the directory", dir);
        return -1;
    }
    int rc = -1;
    if (n == 0)
        ocop_error_format(err, errlen, "%s: no %s*.json file", dir, prefix);
    else if (!(*items = calloc(n, item_size)))
        ocop_error_format(err, errlen, "%s: out of memory", dir);
    else
        rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        (*count)++;
        rc = parse(paths[i], *items, i, err, errlen);
    }
    ocop_rulefile_list_free(paths, n);
    return rc;
}
