/* eval_json — see eval_json.h. */
#include "eval_json.h"

#include <dirent.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

/* Rule files are a few kilobytes; anything far larger is a mistake, not a rubric. */
#define S_MAX_FILE_BYTES (4L * 1024 * 1024)

cJSON *eval_json_read_file(const char *path, char digest[EVAL_JSON_DIGEST_LEN], char *err, size_t errlen)
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
        sodium_bin2hex(digest, EVAL_JSON_DIGEST_LEN, hash, sizeof hash);
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

int eval_json_list(const char *dir, const char *prefix, char ***paths, size_t *count)
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
        eval_json_list_free(list, n);
        return -1;
    }
    if (n)
        qsort(list, n, sizeof *list, s_cmp);
    *paths = list;
    *count = n;
    return 0;
}

void eval_json_list_free(char **paths, size_t count)
{
    if (!paths)
        return;
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

const char *eval_json_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int eval_json_fail(const eval_json_src_t *src, const char *at, const char *name, const char *fmt, ...)
{
    if (!src->err || !src->errlen)
        return -1;
    char reason[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    bool has_at = at && *at;
    if (has_at && name)
        ocop_error_format(src->err, src->errlen, "%s: %s.%s: %s", src->file, at, name, reason);
    else
        ocop_error_format(src->err, src->errlen, "%s: %s: %s", src->file, has_at ? at : (name ? name : "(root)"),
                          reason);
    return -1;
}

int eval_json_string(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                     char *out, size_t outlen)
{
    out[0] = '\0';
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? eval_json_fail(src, at, name, "is required") : 0;
    if (!cJSON_IsString(item))
        return eval_json_fail(src, at, name, "expected a string");
    size_t len = strlen(item->valuestring);
    if (required && len == 0)
        return eval_json_fail(src, at, name, "must not be empty");
    if (len >= outlen)
        return eval_json_fail(src, at, name, "longer than %zu bytes", outlen - 1);
    memcpy(out, item->valuestring, len + 1);
    return 0;
}

int eval_json_strdup(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, char **out)
{
    *out = NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return eval_json_fail(src, at, name, "is required");
    if (!cJSON_IsString(item))
        return eval_json_fail(src, at, name, "expected a string");
    if (item->valuestring[0] == '\0')
        return eval_json_fail(src, at, name, "must not be empty");
    *out = strdup(item->valuestring);
    return *out ? 0 : eval_json_fail(src, at, name, "out of memory");
}

int eval_json_number(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return eval_json_fail(src, at, name, "is required");
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return eval_json_fail(src, at, name, "expected a number");
    *out = item->valuedouble;
    return 0;
}

int eval_json_int(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, int lo, int hi,
                  int *out)
{
    double v = 0;
    if (eval_json_number(src, obj, at, name, &v) != 0)
        return -1;
    if (v != floor(v) || v < lo || v > hi)
        return eval_json_fail(src, at, name, "expected a whole number from %d to %d, found %g", lo, hi, v);
    *out = (int)v;
    return 0;
}

int eval_json_bool(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                   bool *out)
{
    *out = false;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? eval_json_fail(src, at, name, "is required") : 0;
    if (!cJSON_IsBool(item))
        return eval_json_fail(src, at, name, "expected true or false");
    *out = cJSON_IsTrue(item);
    return 0;
}

int eval_json_date(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                   char out[EVAL_DATE_LEN])
{
    char buf[32];
    if (eval_json_string(src, obj, at, name, true, buf, sizeof buf) != 0)
        return -1;
    if (!eval_json_date_valid(buf))
        return eval_json_fail(src, at, name, "expected a date YYYY-MM-DD, found \"%s\"", buf);
    memcpy(out, buf, EVAL_DATE_LEN);
    return 0;
}

const cJSON *eval_json_array(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                             bool nonempty)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item)) {
        eval_json_fail(src, at, name, "is required");
        return NULL;
    }
    if (!cJSON_IsArray(item)) {
        eval_json_fail(src, at, name, "expected an array");
        return NULL;
    }
    if (nonempty && cJSON_GetArraySize(item) == 0) {
        eval_json_fail(src, at, name, "must not be empty");
        return NULL;
    }
    return item;
}

int eval_json_notes(const eval_json_src_t *src, const cJSON *root)
{
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(root, "notes");
    if (!notes)
        return eval_json_fail(src, "", "notes", "is required (sources and uncertainty of the rule)");
    if (!cJSON_IsString(notes))
        return eval_json_fail(src, "", "notes", "expected a string");
    return 0;
}

bool eval_json_date_valid(const char *day)
{
    if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
            return false;
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

int eval_json_load_each(const char *dir, const char *prefix, size_t item_size, eval_json_parse_fn parse, void **items,
                        size_t *count, char *err, size_t errlen)
{
    *items = NULL;
    *count = 0;
    char **paths;
    size_t n;
    if (eval_json_list(dir, prefix, &paths, &n) != 0) {
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
    eval_json_list_free(paths, n);
    return rc;
}
