/* ocop_config — the deployment's JSON configuration.
 * The whole file is validated at load, every service section included, so a typo stops
 * every process at start-up with a message naming the file and the field. */
#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_fs.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#define S_FILE_MAX ((size_t)4 * 1024 * 1024)
#define S_MB_MAX ((uint64_t)1024 * 1024) /* 1 TiB of map is more than any service needs */
#define S_BATCH_MAX ((uint64_t)1024 * 1024)
#define S_DEFAULT_READERS 2 /* reader threads beside the writer loop */
#define S_READERS_MAX 64
#define S_REQUEST_MAX ((uint64_t)1024 * 1024 * 1024)
#define S_DEFAULT_MAP_MB 64
#define S_DEFAULT_MAP_MAX_MB 8192
#define S_DEFAULT_BATCH 4096
#define S_DEFAULT_REQUEST_BYTES 1048576

struct ocop_config_t {
    cJSON *root;
    char path[OCOP_PATH_MAX]; /* as given, for messages */
    char dir[OCOP_PATH_MAX];  /* absolute directory of the file */
    char keys_dir[OCOP_PATH_MAX];
    char data_dir[OCOP_PATH_MAX];
};

static const char *const s_top_keys[] = {"keys_dir", "data_dir", "services", "gateway"};
static const char *const s_gateway_keys[] = {"listen",
                                             "tokens",
                                             "threads",
                                             "timeout_ms",
                                             "max_body_bytes",
                                             "max_connections",
                                             "max_connections_per_client",
                                             "idle_timeout_s",
                                             "request_deadline_s",
                                             "allow_remote",
                                             "static_dir"};
static const char *const s_service_keys[] = {
    "endpoint",        "events_endpoint", "bind",      "events_bind", "store_dir",         "rules_dir",
    "map_size_mb",     "map_max_mb",      "batch_max", "readers",     "max_request_bytes", "allow",
    "trusted_callers", "shard",           "provinces", "sources",
};

static int s_copy(char *dst, size_t len, const char *src)
{
    return snprintf(dst, len, "%s", src) < (int)len ? 0 : -1;
}

static int s_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

int ocop_endpoint_valid(const char *s)
{
    if (!s || strncmp(s, "tcp://", 6) != 0 || strlen(s) >= OCOP_ENDPOINT_MAX)
        return 0;
    const char *host = s + 6;
    const char *colon;
    if (*host == '[') {
        /* IPv6 literal: tcp://[::1]:7101 */
        const char *close = strchr(host, ']');
        if (!close || close == host + 1 || close[1] != ':')
            return 0;
        for (const char *p = host + 1; p < close; p++)
            if (!(s_host_char(*p) || *p == ':' || *p == '%'))
                return 0;
        colon = close + 1;
    } else {
        colon = strrchr(host, ':');
        if (!colon || colon == host)
            return 0;
        if (!(colon == host + 1 && *host == '*'))
            for (const char *p = host; p < colon; p++)
                if (!s_host_char(*p))
                    return 0;
    }
    const char *port = colon + 1;
    if (!*port || strlen(port) > 5)
        return 0;
    long v = 0;
    for (const char *p = port; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v >= 1 && v <= 65535;
}

static int s_is_wildcard(const char *endpoint)
{
    return strncmp(endpoint, "tcp://*:", 8) == 0;
}

/* Joins a relative path onto the config file's directory; absolute paths stay as they are. */
static int s_resolve(const ocop_config_t *self, const char *rel, char *out, size_t len)
{
    if (rel[0] == '/')
        return s_copy(out, len, rel);
    return snprintf(out, len, "%s/%s", self->dir, rel) < (int)len ? 0 : -1;
}

/* Rejects unknown and repeated keys: a misspelt option silently falling back to its default
 * is worse than refusing to start. */
static int s_check_keys(const ocop_config_t *self, const cJSON *obj, const char *where, const char *const *known,
                        size_t nknown, char *err, size_t errlen)
{
    for (const cJSON *item = obj->child; item; item = item->next) {
        size_t i;
        for (i = 0; i < nknown; i++)
            if (strcmp(item->string, known[i]) == 0)
                break;
        if (i == nknown) {
            ocop_error_format(err, errlen, "%s: %s%s: unknown key", self->path, where, item->string);
            return -1;
        }
        for (const cJSON *prev = obj->child; prev != item; prev = prev->next)
            if (strcmp(prev->string, item->string) == 0) {
                ocop_error_format(err, errlen, "%s: %s%s: duplicate key", self->path, where, item->string);
                return -1;
            }
    }
    return 0;
}

/* Optional string member: 0 with *out NULL when absent, -1 (and err) when not a string. */
static int s_get_string(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key,
                        const char **out, char *err, size_t errlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!item)
        return 0;
    if (!cJSON_IsString(item) || !item->valuestring) {
        ocop_error_format(err, errlen, "%s: %s%s: expected a string", self->path, where, key);
        return -1;
    }
    *out = item->valuestring;
    return 0;
}

static int s_get_uint_in(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key, uint64_t dflt,
                         uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = dflt;
    if (!item)
        return 0;
    /* Range first, so the integer conversion below is defined; then it checks integrality. */
    double v = item->valuedouble;
    if (!cJSON_IsNumber(item) || !(v >= (double)min && v <= (double)max) || (double)(uint64_t)v != v) {
        ocop_error_format(err, errlen, "%s: %s%s: expected an integer from %llu to %llu", self->path, where, key,
                          (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int s_get_uint(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key, uint64_t dflt,
                      uint64_t max, uint64_t *out, char *err, size_t errlen)
{
    return s_get_uint_in(self, obj, where, key, dflt, 1, max, out, err, errlen);
}

static int s_get_endpoint(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key,
                          const char *dflt, int connect, char *out, char *err, size_t errlen)
{
    const char *s;
    if (s_get_string(self, obj, where, key, &s, err, errlen) != 0)
        return -1;
    if (!s && !dflt) {
        ocop_error_format(err, errlen, "%s: %s%s: is required", self->path, where, key);
        return -1;
    }
    if (!s)
        s = dflt;
    /* Clients connect to endpoint; a wildcard host only makes sense for bind. */
    if (!ocop_endpoint_valid(s) || (connect && s_is_wildcard(s))) {
        ocop_error_format(err, errlen, "%s: %s%s: expected tcp://host:port", self->path, where, key);
        return -1;
    }
    return s_copy(out, OCOP_ENDPOINT_MAX, s);
}

static int s_get_path(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key, char *out,
                      int *present, char *err, size_t errlen)
{
    const char *s;
    *present = 0;
    if (s_get_string(self, obj, where, key, &s, err, errlen) != 0)
        return -1;
    if (!s)
        return 0;
    if (!*s) {
        ocop_error_format(err, errlen, "%s: %s%s: must not be empty", self->path, where, key);
        return -1;
    }
    if (s_resolve(self, s, out, OCOP_PATH_MAX) != 0) {
        ocop_error_format(err, errlen, "%s: %s%s: path is too long", self->path, where, key);
        return -1;
    }
    *present = 1;
    return 0;
}

/* An optional array of key or section names under key into names (count in *count). */
static int s_get_names(const ocop_config_t *self, const cJSON *obj, const char *where, const char *key,
                       char (*names)[OCOP_NAME_MAX], size_t *count, char *err, size_t errlen)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, key);
    *count = 0;
    if (!list)
        return 0;
    if (!cJSON_IsArray(list)) {
        ocop_error_format(err, errlen, "%s: %s%s: expected an array of names", self->path, where, key);
        return -1;
    }
    size_t i = 0;
    for (const cJSON *item = list->child; item; item = item->next, i++) {
        if (i >= OCOP_ALLOW_MAX) {
            ocop_error_format(err, errlen, "%s: %s%s: more than %d names", self->path, where, key, OCOP_ALLOW_MAX);
            return -1;
        }
        if (!cJSON_IsString(item) || !ocop_fs_name_valid(item->valuestring)) {
            ocop_error_format(err, errlen, "%s: %s%s[%zu]: expected a name (letters, digits, '_', '-', '.')",
                              self->path, where, key, i);
            return -1;
        }
        s_copy(names[i], OCOP_NAME_MAX, item->valuestring);
    }
    *count = i;
    return 0;
}

/* trusted_callers: names of the allow list (default: gateway and ocopctl where allowed). */
static int s_get_trusted(const ocop_config_t *self, const cJSON *obj, const char *where, ocop_service_config_t *out,
                         char *err, size_t errlen)
{
    char names[OCOP_ALLOW_MAX][OCOP_NAME_MAX];
    size_t n = 0;
    if (s_get_names(self, obj, where, "trusted_callers", names, &n, err, errlen) != 0)
        return -1;
    bool given = cJSON_GetObjectItemCaseSensitive(obj, "trusted_callers") != NULL;
    if (!given) {
        s_copy(names[n++], OCOP_NAME_MAX, "gateway");
        s_copy(names[n++], OCOP_NAME_MAX, "ocopctl");
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = 0;
        while (a < out->allow_count && strcmp(out->allow[a], names[i]) != 0)
            a++;
        if (a < out->allow_count)
            out->trusted[a] = true;
        else if (given) {
            ocop_error_format(err, errlen, "%s: %strusted_callers: %s is not in allow", self->path, where, names[i]);
            return -1;
        }
    }
    return 0;
}

static int s_province_code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= OCOP_PROVINCE_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
            return 0;
    return 1;
}

/* The group of a shard section: its name without the trailing "-<N>". */
static size_t s_group_len(const char *name)
{
    const char *dash = strrchr(name, '-');
    return dash ? (size_t)(dash - name) : strlen(name);
}

static int s_get_shard(const ocop_config_t *self, const cJSON *obj, const char *name, const char *where,
                       ocop_service_config_t *out, char *err, size_t errlen)
{
    uint64_t shard;
    if (s_get_uint(self, obj, where, "shard", 0, 1000000, &shard, err, errlen) != 0)
        return -1;
    const cJSON *provinces = cJSON_GetObjectItemCaseSensitive(obj, "provinces");
    if (shard == 0) {
        if (provinces) {
            ocop_error_format(err, errlen, "%s: %sprovinces: only a shard (with \"shard\") owns provinces", self->path,
                              where);
            return -1;
        }
        return 0;
    }
    if (!strchr(name, '-')) {
        ocop_error_format(err, errlen, "%s: %sshard: a shard's section is named <service>-<N>", self->path, where);
        return -1;
    }
    out->shard = (unsigned)shard;
    /* Empty: a shard added to take provinces by moves (ocopctl shard move). */
    if (!cJSON_IsArray(provinces)) {
        ocop_error_format(err, errlen, "%s: %sprovinces: a shard needs an array of province codes", self->path, where);
        return -1;
    }
    size_t i = 0;
    for (const cJSON *item = provinces->child; item; item = item->next, i++) {
        if (i >= OCOP_PROVINCES_MAX) {
            ocop_error_format(err, errlen, "%s: %sprovinces: more than %d codes", self->path, where,
                              OCOP_PROVINCES_MAX);
            return -1;
        }
        if (!cJSON_IsString(item) || !s_province_code_valid(item->valuestring)) {
            ocop_error_format(err, errlen, "%s: %sprovinces[%zu]: expected a province code (1 to %d letters or digits)",
                              self->path, where, i, OCOP_PROVINCE_CODE_MAX - 1);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->provinces[j], item->valuestring) == 0) {
                ocop_error_format(err, errlen, "%s: %sprovinces[%zu]: %s is listed twice", self->path, where, i,
                                  item->valuestring);
                return -1;
            }
        s_copy(out->provinces[i], OCOP_PROVINCE_CODE_MAX, item->valuestring);
    }
    out->province_count = i;
    return 0;
}

int ocop_service_owns(const ocop_service_config_t *sc, const char *province)
{
    for (size_t i = 0; sc->shard && i < sc->province_count; i++)
        if (strcmp(sc->provinces[i], province) == 0)
            return 1;
    return 0;
}

static int s_parse_service(const ocop_config_t *self, const char *name, const cJSON *obj, ocop_service_config_t *out,
                           char *err, size_t errlen)
{
    char where[OCOP_NAME_MAX + 16];
    memset(out, 0, sizeof *out);
    snprintf(where, sizeof where, "services.%s.", name);
    if (!ocop_fs_name_valid(name)) {
        ocop_error_format(err, errlen, "%s: services.%s: expected a service name (letters, digits, '_', '-', '.')",
                          self->path, name);
        return -1;
    }
    if (!cJSON_IsObject(obj)) {
        ocop_error_format(err, errlen, "%s: services.%s: expected an object", self->path, name);
        return -1;
    }
    if (s_check_keys(self, obj, where, s_service_keys, sizeof s_service_keys / sizeof *s_service_keys, err, errlen) !=
        0)
        return -1;
    s_copy(out->name, sizeof out->name, name);

    if (s_get_endpoint(self, obj, where, "endpoint", NULL, 1, out->endpoint, err, errlen) != 0 ||
        s_get_endpoint(self, obj, where, "events_endpoint", NULL, 1, out->events_endpoint, err, errlen) != 0 ||
        s_get_endpoint(self, obj, where, "bind", out->endpoint, 0, out->bind, err, errlen) != 0 ||
        s_get_endpoint(self, obj, where, "events_bind", out->events_endpoint, 0, out->events_bind, err, errlen) != 0)
        return -1;

    int present;
    if (s_get_path(self, obj, where, "store_dir", out->store_dir, &present, err, errlen) != 0)
        return -1;
    if (!present &&
        snprintf(out->store_dir, sizeof out->store_dir, "%s/%s", self->data_dir, name) >= (int)sizeof out->store_dir) {
        ocop_error_format(err, errlen, "%s: %sstore_dir: path is too long", self->path, where);
        return -1;
    }
    if (s_get_path(self, obj, where, "rules_dir", out->rules_dir, &present, err, errlen) != 0)
        return -1;

    uint64_t map_mb, max_mb, batch, request, readers;
    if (s_get_uint(self, obj, where, "map_size_mb", S_DEFAULT_MAP_MB, S_MB_MAX, &map_mb, err, errlen) != 0)
        return -1;
    /* An explicit map_size above the default ceiling raises the default ceiling with it. */
    uint64_t max_default = map_mb > S_DEFAULT_MAP_MAX_MB ? map_mb : S_DEFAULT_MAP_MAX_MB;
    if (s_get_uint(self, obj, where, "map_max_mb", max_default, S_MB_MAX, &max_mb, err, errlen) != 0 ||
        s_get_uint(self, obj, where, "batch_max", S_DEFAULT_BATCH, S_BATCH_MAX, &batch, err, errlen) != 0 ||
        s_get_uint_in(self, obj, where, "readers", S_DEFAULT_READERS, 0, S_READERS_MAX, &readers, err, errlen) != 0 ||
        s_get_uint(self, obj, where, "max_request_bytes", S_DEFAULT_REQUEST_BYTES, S_REQUEST_MAX, &request, err,
                   errlen) != 0)
        return -1;
    if (max_mb < map_mb) {
        ocop_error_format(err, errlen, "%s: %smap_max_mb: must not be smaller than map_size_mb (%llu)", self->path,
                          where, (unsigned long long)map_mb);
        return -1;
    }
    out->map_size = (size_t)map_mb << 20;
    out->map_max = (size_t)max_mb << 20;
    out->batch_max = (unsigned)batch;
    out->readers = (unsigned)readers;
    out->max_request_bytes = (size_t)request;
    if (s_get_shard(self, obj, name, where, out, err, errlen) != 0 ||
        s_get_names(self, obj, where, "sources", out->sources, &out->source_count, err, errlen) != 0)
        return -1;
    if (s_get_names(self, obj, where, "allow", out->allow, &out->allow_count, err, errlen) != 0)
        return -1;
    return s_get_trusted(self, obj, where, out, err, errlen);
}

/* Shards of one group must have distinct numbers and never own the same province. */
static int s_check_shards(const ocop_config_t *self, const ocop_service_config_t *all, size_t n, char *err,
                          size_t errlen)
{
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            const ocop_service_config_t *x = &all[a], *y = &all[b];
            size_t gx = s_group_len(x->name);
            if (!x->shard || !y->shard || gx != s_group_len(y->name) || strncmp(x->name, y->name, gx) != 0)
                continue;
            if (x->shard == y->shard) {
                ocop_error_format(err, errlen, "%s: services.%s.shard: %u is also the shard number of %s", self->path,
                                  y->name, y->shard, x->name);
                return -1;
            }
            for (size_t i = 0; i < y->province_count; i++)
                if (ocop_service_owns(x, y->provinces[i])) {
                    ocop_error_format(err, errlen, "%s: services.%s.provinces: %s is already owned by %s", self->path,
                                      y->name, y->provinces[i], x->name);
                    return -1;
                }
        }
    return 0;
}

static char *s_read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(S_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, S_FILE_MAX + 1, f) : 0;
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed || n > S_FILE_MAX) {
        ocop_error_format(err, errlen, "%s: %s", path, failed ? "cannot read" : "file is too large");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The directory of the file, made absolute so paths stay right if the process changes
 * directory later. */
static int s_config_dir(ocop_config_t *self, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return -1;
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = '\0';
    else
        *slash = '\0';
    int rc = s_copy(self->dir, sizeof self->dir, real);
    free(real);
    return rc;
}

static int s_load_top(ocop_config_t *self, char *err, size_t errlen)
{
    const cJSON *root = self->root;
    if (!cJSON_IsObject(root)) {
        ocop_error_format(err, errlen, "%s: expected a JSON object at the top level", self->path);
        return -1;
    }
    if (s_check_keys(self, root, "", s_top_keys, sizeof s_top_keys / sizeof *s_top_keys, err, errlen) != 0)
        return -1;
    const char *s;
    if (s_get_string(self, root, "", "keys_dir", &s, err, errlen) != 0)
        return -1;
    if (s_resolve(self, s && *s ? s : "keys", self->keys_dir, sizeof self->keys_dir) != 0) {
        ocop_error_format(err, errlen, "%s: keys_dir: path is too long", self->path);
        return -1;
    }
    if (s_get_string(self, root, "", "data_dir", &s, err, errlen) != 0)
        return -1;
    if (s_resolve(self, s && *s ? s : "data", self->data_dir, sizeof self->data_dir) != 0) {
        ocop_error_format(err, errlen, "%s: data_dir: path is too long", self->path);
        return -1;
    }
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(root, "services");
    if (!cJSON_IsObject(services)) {
        ocop_error_format(err, errlen, "%s: services: %s", self->path, services ? "expected an object" : "is required");
        return -1;
    }
    /* Duplicate service names would make the second section unreachable. */
    for (const cJSON *a = services->child; a; a = a->next)
        for (const cJSON *b = a->next; b; b = b->next)
            if (strcmp(a->string, b->string) == 0) {
                ocop_error_format(err, errlen, "%s: services.%s: duplicate key", self->path, a->string);
                return -1;
            }
    size_t n = (size_t)cJSON_GetArraySize(services);
    ocop_service_config_t *all = calloc(n ? n : 1, sizeof *all);
    if (!all) {
        ocop_error_format(err, errlen, "%s: out of memory", self->path);
        return -1;
    }
    int rc = 0;
    size_t i = 0;
    for (const cJSON *svc = services->child; svc && rc == 0; svc = svc->next)
        rc = s_parse_service(self, svc->string, svc, &all[i++], err, errlen);
    if (rc == 0)
        rc = s_check_shards(self, all, n, err, errlen);
    free(all);
    return rc;
}

ocop_config_t *ocop_config_load(const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        ocop_error_format(err, errlen, "config: path is required");
        return NULL;
    }
    ocop_config_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    char *text = NULL;
    if (s_copy(self->path, sizeof self->path, path) != 0) {
        ocop_error_format(err, errlen, "%s: path is too long", path);
        goto fail;
    }
    text = s_read_file(path, err, errlen);
    if (!text)
        goto fail;
    if (s_config_dir(self, path) != 0) {
        ocop_error_format(err, errlen, "%s: cannot resolve directory: %s", path, strerror(errno));
        goto fail;
    }
    const char *end = NULL;
    self->root = cJSON_ParseWithOpts(text, &end, 1);
    if (!self->root) {
        size_t line = 1;
        for (const char *p = text; end && p < end; p++)
            line += *p == '\n';
        ocop_error_format(err, errlen, "%s: line %zu: invalid JSON", path, line);
        goto fail;
    }
    if (s_load_top(self, err, errlen) != 0)
        goto fail;
    free(text);
    return self;
fail:
    free(text);
    ocop_config_destroy(&self);
    return NULL;
}

void ocop_config_destroy(ocop_config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cJSON_Delete((*self_p)->root);
    free(*self_p);
    *self_p = NULL;
}

const char *ocop_config_keys_dir(const ocop_config_t *self)
{
    return self ? self->keys_dir : NULL;
}

const char *ocop_config_data_dir(const ocop_config_t *self)
{
    return self ? self->data_dir : NULL;
}

/* A section of group that is a shard ("shard" present). */
static int s_is_shard_of(const cJSON *svc, const char *group)
{
    size_t glen = strlen(group);
    return s_group_len(svc->string) == glen && strncmp(svc->string, group, glen) == 0 &&
           cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(svc, "shard"));
}

int ocop_config_shard_owner(const ocop_config_t *self, const char *group, const char *province, char *name,
                            size_t namelen)
{
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(self->root, "services");
    for (const cJSON *svc = services ? services->child : NULL; svc; svc = svc->next) {
        if (!s_is_shard_of(svc, group))
            continue;
        const cJSON *provinces = cJSON_GetObjectItemCaseSensitive(svc, "provinces");
        const cJSON *item;
        cJSON_ArrayForEach (item, provinces)
            if (cJSON_IsString(item) && strcmp(item->valuestring, province) == 0)
                return s_copy(name, namelen, svc->string);
    }
    return -1;
}

size_t ocop_config_service_names(const ocop_config_t *self, char (*names)[OCOP_NAME_MAX], size_t max)
{
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(self->root, "services");
    size_t n = 0;
    for (const cJSON *svc = services ? services->child : NULL; svc; svc = svc->next, n++)
        if (n < max)
            s_copy(names[n], OCOP_NAME_MAX, svc->string);
    return n;
}

int ocop_config_has_gateway(const ocop_config_t *self)
{
    return cJSON_GetObjectItemCaseSensitive(self->root, "gateway") != NULL;
}

size_t ocop_config_shards(const ocop_config_t *self, const char *group, char (*names)[OCOP_NAME_MAX], size_t max)
{
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(self->root, "services");
    size_t n = 0;
    for (const cJSON *svc = services ? services->child : NULL; svc && n < max; svc = svc->next)
        if (s_is_shard_of(svc, group))
            s_copy(names[n++], OCOP_NAME_MAX, svc->string);
    return n;
}

int ocop_config_shard_name(const ocop_config_t *self, const char *group, unsigned shard, char *name, size_t namelen)
{
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(self->root, "services");
    for (const cJSON *svc = services ? services->child : NULL; svc; svc = svc->next)
        if (s_is_shard_of(svc, group) && cJSON_GetObjectItemCaseSensitive(svc, "shard")->valuedouble == (double)shard)
            return s_copy(name, namelen, svc->string);
    return -1;
}

int ocop_config_service(const ocop_config_t *self, const char *name, ocop_service_config_t *out, char *err,
                        size_t errlen)
{
    if (!self || !name || !out) {
        ocop_error_format(err, errlen, "config: invalid arguments");
        return -1;
    }
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(self->root, "services");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(services, name);
    if (!obj) {
        memset(out, 0, sizeof *out);
        ocop_error_format(err, errlen, "%s: services.%s: is missing", self->path, name);
        return -1;
    }
    return s_parse_service(self, name, obj, out, err, errlen);
}

int ocop_config_gateway(const ocop_config_t *self, ocop_gateway_config_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const cJSON *gw = cJSON_GetObjectItemCaseSensitive(self->root, "gateway");
    const char *where = "gateway.";
    if (!cJSON_IsObject(gw)) {
        ocop_error_format(err, errlen, "%s: gateway: %s", self->path, gw ? "expected an object" : "section is missing");
        return -1;
    }
    if (s_check_keys(self, gw, where, s_gateway_keys, sizeof s_gateway_keys / sizeof *s_gateway_keys, err, errlen) != 0)
        return -1;
    const char *listen;
    if (s_get_string(self, gw, where, "listen", &listen, err, errlen) != 0)
        return -1;
    char endpoint[OCOP_ENDPOINT_MAX];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    struct in_addr addr;
    if (!listen || snprintf(endpoint, sizeof endpoint, "tcp://%s", listen) >= (int)sizeof endpoint ||
        !ocop_endpoint_valid(endpoint) || !colon || (size_t)(colon - listen) >= sizeof out->host) {
        ocop_error_format(err, errlen, "%s: gateway.listen: expected IPv4-ADDRESS:PORT, e.g. 127.0.0.1:8080",
                          self->path);
        return -1;
    }
    memcpy(out->host, listen, (size_t)(colon - listen));
    out->host[colon - listen] = '\0';
    out->port = (unsigned)atoi(colon + 1);
    uint64_t remote = 0;
    const cJSON *allow_remote = cJSON_GetObjectItemCaseSensitive(gw, "allow_remote");
    if (allow_remote && !cJSON_IsBool(allow_remote)) {
        ocop_error_format(err, errlen, "%s: gateway.allow_remote: expected true or false", self->path);
        return -1;
    }
    remote = cJSON_IsTrue(allow_remote);
    if (inet_pton(AF_INET, out->host, &addr) != 1 || (!remote && (ntohl(addr.s_addr) >> 24) != 127)) {
        ocop_error_format(err, errlen,
                          "%s: gateway.listen: %s is not a loopback IPv4 address (set allow_remote to listen "
                          "elsewhere)",
                          self->path, out->host);
        return -1;
    }
    int present;
    if (s_get_path(self, gw, where, "tokens", out->tokens, &present, err, errlen) != 0)
        return -1;
    if (!present && s_resolve(self, "gateway-tokens.json", out->tokens, sizeof out->tokens) != 0) {
        ocop_error_format(err, errlen, "%s: gateway.tokens: path is too long", self->path);
        return -1;
    }
    if (s_get_path(self, gw, where, "static_dir", out->static_dir, &present, err, errlen) != 0)
        return -1;
    uint64_t v;
    /* One HTTP worker per CPU: a waiting request holds none, so more only add switching
     * between threads (bench_gateway: 4 workers on 2 CPUs served fewer requests than 2). */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (s_get_uint(self, gw, where, "threads",
                   cpus < 1     ? 1
                   : cpus > 256 ? 256
                                : (uint64_t)cpus,
                   256, &v, err, errlen) != 0)
        return -1;
    out->threads = (unsigned)v;
    if (s_get_uint(self, gw, where, "timeout_ms", 3000, 600000, &v, err, errlen) != 0)
        return -1;
    out->timeout_ms = (unsigned)v;
    if (s_get_uint(self, gw, where, "max_body_bytes", 1048576, 64u << 20, &v, err, errlen) != 0)
        return -1;
    out->max_body_bytes = (size_t)v;
    static const struct {
        const char *key;
        uint64_t dflt, max;
        size_t offset;
    } limits[] = {
        {"max_connections", 4096, 65536, offsetof(ocop_gateway_config_t, max_connections)},
        {"max_connections_per_client", 64, 65536, offsetof(ocop_gateway_config_t, max_per_client)},
        {"idle_timeout_s", 15, 3600, offsetof(ocop_gateway_config_t, idle_timeout_s)},
        {"request_deadline_s", 30, 3600, offsetof(ocop_gateway_config_t, request_deadline_s)},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if (s_get_uint(self, gw, where, limits[i].key, limits[i].dflt, limits[i].max, &v, err, errlen) != 0)
            return -1;
        if (v == 0) {
            ocop_error_format(err, errlen, "%s: gateway.%s must be at least 1", self->path, limits[i].key);
            return -1;
        }
        *(unsigned *)((char *)out + limits[i].offset) = (unsigned)v;
    }
    return 0;
}
