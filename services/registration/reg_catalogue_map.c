/* reg_catalogue_map — see reg_catalogue_map.h. */
#include "reg_catalogue_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ocop_rulefile.h"
#include "reg_json.h"

#define S_CODE_LEN 16

typedef struct {
    char from[S_CODE_LEN];
    size_t n_to;
    char to[REG_CATALOGUE_MAP_TARGETS_MAX][S_CODE_LEN];
} s_entry_t;

typedef struct {
    char from[S_CODE_LEN], to[S_CODE_LEN]; /* catalogue versions */
    s_entry_t *entries;
    size_t n_entries;
} s_table_t;

struct reg_catalogue_map_t {
    s_table_t *tables;
    size_t n_tables;
};

void reg_catalogue_map_destroy(reg_catalogue_map_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    reg_catalogue_map_t *self = *self_p;
    for (size_t i = 0; i < self->n_tables; i++)
        free(self->tables[i].entries);
    free(self->tables);
    free(self);
    *self_p = NULL;
}

static const s_table_t *s_table_from(const reg_catalogue_map_t *self, const char *version)
{
    for (size_t i = 0; i < self->n_tables; i++)
        if (strcmp(self->tables[i].from, version) == 0)
            return &self->tables[i];
    return NULL;
}

static const s_entry_t *s_entry(const s_table_t *t, const char *set)
{
    for (size_t i = 0; i < t->n_entries; i++)
        if (strcmp(t->entries[i].from, set) == 0)
            return &t->entries[i];
    return NULL;
}

/* The targets of one entry: a non-empty array of distinct set codes of the newer catalogue. */
static int s_parse_targets(const cJSON *js, s_entry_t *e, const reg_catalogue_t *to, const char *where, char *err,
                           size_t errlen)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(js, "to");
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n == 0 || n > REG_CATALOGUE_MAP_TARGETS_MAX) {
        snprintf(err, errlen, "%s.to: expected a non-empty array of at most %d product-set codes of catalogue %s",
                 where, REG_CATALOGUE_MAP_TARGETS_MAX, to->version);
        return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, list) {
        size_t k = e->n_to;
        const char *code = cJSON_IsString(item) ? item->valuestring : NULL;
        if (!code || strlen(code) >= S_CODE_LEN || !reg_catalogue_product_set(to, code, NULL)) {
            snprintf(err, errlen, "%s.to[%zu]: '%.32s' is not a product set of catalogue %s", where, k,
                     code ? code : "(not a string)", to->version);
            return -1;
        }
        for (size_t m = 0; m < k; m++)
            if (strcmp(e->to[m], code) == 0) {
                snprintf(err, errlen, "%s.to[%zu]: '%s' appears twice", where, k, code);
                return -1;
            }
        memcpy(e->to[k], code, strlen(code) + 1);
        e->n_to++;
    }
    return 0;
}

static int s_parse_entries(const cJSON *js, s_table_t *t, const reg_catalogue_t *from, const reg_catalogue_t *to,
                           const char *where, char *err, size_t errlen)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(js, "map");
    if (!cJSON_IsArray(map) || cJSON_GetArraySize(map) == 0) {
        snprintf(err, errlen, "%s.map: expected a non-empty array", where);
        return -1;
    }
    t->entries = calloc((size_t)cJSON_GetArraySize(map), sizeof *t->entries);
    if (!t->entries) {
        snprintf(err, errlen, "%s: out of memory", where);
        return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach (item, map) {
        char at[128];
        snprintf(at, sizeof at, "%s.map[%zu]", where, t->n_entries);
        s_entry_t *e = &t->entries[t->n_entries];
        if (reg_json_string(item, "from", 1, e->from, sizeof e->from) != 0 ||
            !reg_catalogue_product_set(from, e->from, NULL)) {
            snprintf(err, errlen, "%s.from: '%.32s' is not a product set of catalogue %s", at, e->from, from->version);
            return -1;
        }
        if (s_entry(t, e->from)) {
            snprintf(err, errlen, "%s.from: product set '%s' has a second entry", at, e->from);
            return -1;
        }
        const cJSON *note = cJSON_GetObjectItemCaseSensitive(item, "note");
        if (note && !cJSON_IsString(note)) {
            snprintf(err, errlen, "%s.note: expected a string", at);
            return -1;
        }
        if (s_parse_targets(item, e, to, at, err, errlen) != 0)
            return -1;
        t->n_entries++;
    }
    for (size_t s = 0; s < from->n_sectors; s++)
        for (size_t k = 0; k < from->sectors[s].n_sets; k++)
            if (!s_entry(t, from->sectors[s].sets[k].code)) {
                snprintf(err, errlen, "%s.map: product set '%s' of catalogue %s has no entry", where,
                         from->sectors[s].sets[k].code, from->version);
                return -1;
            }
    return 0;
}

static int s_parse_table(const cJSON *js, reg_catalogue_map_t *self, const reg_catalogues_t *cats, const char *path,
                         char *err, size_t errlen)
{
    s_table_t *t = &self->tables[self->n_tables];
    char where[96];
    snprintf(where, sizeof where, "%s: maps[%zu]", path, self->n_tables);
    const reg_catalogue_t *from = NULL, *to = NULL;
    if (reg_json_string(js, "from", 1, t->from, sizeof t->from) != 0 || !(from = reg_catalogues_find(cats, t->from))) {
        snprintf(err, errlen, "%s.from: '%.32s' is not a catalogue version (catalogue-<version>.json)", where, t->from);
        return -1;
    }
    if (reg_json_string(js, "to", 1, t->to, sizeof t->to) != 0 || !(to = reg_catalogues_find(cats, t->to))) {
        snprintf(err, errlen, "%s.to: '%.32s' is not a catalogue version (catalogue-<version>.json)", where, t->to);
        return -1;
    }
    const reg_catalogue_t *next = reg_catalogues_next(cats, from);
    if (to != next) {
        if (next)
            snprintf(err, errlen, "%s.to: a table goes from a catalogue to the next one: after %s comes %s, not %s",
                     where, from->version, next->version, to->version);
        else
            snprintf(err, errlen, "%s.from: catalogue %s is the newest, nothing follows it", where, from->version);
        return -1;
    }
    if (s_table_from(self, t->from)) {
        snprintf(err, errlen, "%s.from: a second table from catalogue %s", where, t->from);
        return -1;
    }
    self->n_tables++; /* from here its entries are freed with the map */
    return s_parse_entries(js, t, from, to, where, err, errlen);
}

static int s_parse(const cJSON *root, reg_catalogue_map_t *self, const reg_catalogues_t *cats, const char *path,
                   char *err, size_t errlen)
{
    const cJSON *maps = cJSON_GetObjectItemCaseSensitive(root, "maps");
    if (!cJSON_IsArray(maps) || cJSON_GetArraySize(maps) == 0) {
        snprintf(err, errlen, "%s: maps: expected a non-empty array", path);
        return -1;
    }
    self->tables = calloc((size_t)cJSON_GetArraySize(maps), sizeof *self->tables);
    if (!self->tables) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    const cJSON *js;
    cJSON_ArrayForEach (js, maps)
        if (s_parse_table(js, self, cats, path, err, errlen) != 0)
            return -1;
    for (size_t i = 0; i < reg_catalogues_count(cats); i++) {
        const reg_catalogue_t *c = reg_catalogues_at(cats, i), *next = reg_catalogues_next(cats, c);
        if (next && !s_table_from(self, c->version)) {
            snprintf(err, errlen,
                     "%s: maps: no table from catalogue %s to %s (each catalogue but the newest needs one)", path,
                     c->version, next->version);
            return -1;
        }
    }
    return 0;
}

reg_catalogue_map_t *reg_catalogue_map_load(const char *dir, const reg_catalogues_t *cats, char *err, size_t errlen)
{
    reg_catalogue_map_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "%s: out of memory", dir);
        return NULL;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, REG_CATALOGUE_MAP_FILE);
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT && reg_catalogues_count(cats) < 2)
        return self;
    cJSON *root = ocop_rulefile_read(path, NULL, err, errlen);
    int rc = root ? s_parse(root, self, cats, path, err, errlen) : -1;
    cJSON_Delete(root);
    if (rc != 0)
        reg_catalogue_map_destroy(&self);
    return self;
}

static int s_add(const char *list[REG_CATALOGUE_MAP_TARGETS_MAX], int *n, const char *code)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i], code) == 0)
            return 0;
    if (*n == REG_CATALOGUE_MAP_TARGETS_MAX)
        return -1;
    list[(*n)++] = code;
    return 0;
}

int reg_catalogue_map_targets(const reg_catalogue_map_t *self, const char *from_version, const char *from_set,
                              const char *to_version, const char *out[REG_CATALOGUE_MAP_TARGETS_MAX])
{
    if (strcmp(from_version, to_version) == 0)
        return -1;
    const char *cur[REG_CATALOGUE_MAP_TARGETS_MAX] = {from_set};
    int n_cur = 1;
    const char *version = from_version;
    /* Tables go from each catalogue to the next, so the chain is a path: it either reaches
     * to_version or ends at the newest catalogue. */
    while (strcmp(version, to_version) != 0) {
        const s_table_t *t = s_table_from(self, version);
        if (!t)
            return -1;
        int n_next = 0;
        for (int i = 0; i < n_cur; i++) {
            const s_entry_t *e = s_entry(t, cur[i]);
            for (size_t k = 0; e && k < e->n_to; k++)
                if (s_add(out, &n_next, e->to[k]) != 0)
                    break;
        }
        memcpy(cur, out, (size_t)n_next * sizeof *cur);
        n_cur = n_next;
        version = t->to;
    }
    memcpy(out, cur, (size_t)n_cur * sizeof *cur);
    return n_cur;
}
