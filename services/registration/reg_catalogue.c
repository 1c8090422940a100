/* reg_catalogue — see reg_catalogue.h. */
#include "reg_catalogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_rulefile.h"
#include "reg_catalogue_map.h"
#include "reg_json.h"

struct reg_catalogues_t {
    reg_catalogue_t *items;
    size_t count;
};

static void s_catalogue_free(reg_catalogue_t *cat)
{
    for (size_t i = 0; i < cat->n_sectors; i++)
        free(cat->sectors[i].sets);
    free(cat->sectors);
}

static int s_parse_sector(const cJSON *js, reg_sector_t *sector, const char *path, size_t si, char *err, size_t errlen)
{
    if (reg_json_string(js, "code", 1, sector->code, sizeof sector->code) != 0 ||
        reg_json_string(js, "name", 1, sector->name, sizeof sector->name) != 0) {
        snprintf(err, errlen, "%s: sectors[%zu]: code and name are required strings", path, si);
        return -1;
    }
    const cJSON *sets = cJSON_GetObjectItemCaseSensitive(js, "product_sets");
    if (!cJSON_IsArray(sets) || cJSON_GetArraySize(sets) == 0) {
        snprintf(err, errlen, "%s: sectors[%zu].product_sets: expected a non-empty array", path, si);
        return -1;
    }
    sector->n_sets = (size_t)cJSON_GetArraySize(sets);
    sector->sets = calloc(sector->n_sets, sizeof *sector->sets);
    if (!sector->sets)
        return -1;
    size_t i = 0;
    const cJSON *set;
    cJSON_ArrayForEach (set, sets) {
        reg_product_set_t *ps = &sector->sets[i];
        if (reg_json_string(set, "code", 1, ps->code, sizeof ps->code) != 0 ||
            reg_json_string(set, "name", 1, ps->name, sizeof ps->name) != 0) {
            snprintf(err, errlen, "%s: sectors[%zu].product_sets[%zu]: code and name are required strings", path, si,
                     i);
            return -1;
        }
        ps->fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "fresh"));
        for (size_t j = 0; j < i; j++)
            if (strcmp(sector->sets[j].code, ps->code) == 0) {
                snprintf(err, errlen, "%s: sectors[%zu].product_sets[%zu].code: %s appears twice", path, si, i,
                         ps->code);
                return -1;
            }
        i++;
    }
    return 0;
}

static int s_parse(const char *path, reg_catalogue_t *cat, char *err, size_t errlen)
{
    cJSON *root = ocop_rulefile_read(path, NULL, err, errlen);
    if (!root)
        return -1;
    int rc = -1;
    char from[16];
    if (reg_json_string(root, "version", 1, cat->version, sizeof cat->version) != 0) {
        snprintf(err, errlen, "%s: version: expected a string", path);
        goto done;
    }
    if (reg_json_string(root, "effective_from", 1, from, sizeof from) != 0 || strlen(from) != 10) {
        snprintf(err, errlen, "%s: effective_from: expected YYYY-MM-DD", path);
        goto done;
    }
    memcpy(cat->effective_from, from, 11);
    const cJSON *sectors = cJSON_GetObjectItemCaseSensitive(root, "sectors");
    if (!cJSON_IsArray(sectors) || cJSON_GetArraySize(sectors) == 0) {
        snprintf(err, errlen, "%s: sectors: expected a non-empty array", path);
        goto done;
    }
    cat->n_sectors = (size_t)cJSON_GetArraySize(sectors);
    cat->sectors = calloc(cat->n_sectors, sizeof *cat->sectors);
    if (!cat->sectors)
        goto done;
    size_t i = 0;
    const cJSON *js;
    cJSON_ArrayForEach (js, sectors) {
        if (s_parse_sector(js, &cat->sectors[i], path, i, err, errlen) != 0)
            goto done;
        i++;
    }
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

/* Two catalogues may not share a version (products name it) or a first day (the one in force
 * on a day, and which of two is newer, must be unambiguous). */
static int s_check_distinct(const reg_catalogues_t *self, const char *path, char *err, size_t errlen)
{
    const reg_catalogue_t *last = &self->items[self->count - 1];
    for (size_t i = 0; i + 1 < self->count; i++) {
        if (strcmp(self->items[i].version, last->version) == 0) {
            snprintf(err, errlen, "%s: version: catalogue %s is defined twice", path, last->version);
            return -1;
        }
        if (strcmp(self->items[i].effective_from, last->effective_from) == 0) {
            snprintf(err, errlen, "%s: effective_from: catalogue %s starts on %s too", path, self->items[i].version,
                     last->effective_from);
            return -1;
        }
    }
    return 0;
}

reg_catalogues_t *reg_catalogues_load(const char *dir, char *err, size_t errlen)
{
    char **paths;
    size_t n;
    if (ocop_rulefile_list(dir, "catalogue-", &paths, &n) != 0) {
        snprintf(err, errlen, "%s: cannot read the directory", dir);
        return NULL;
    }
    reg_catalogues_t *self = calloc(1, sizeof *self);
    if (self)
        self->items = calloc(n ? n : 1, sizeof *self->items);
    int rc = self && self->items ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "%s: out of memory", dir);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* The mapping between catalogues shares the prefix; reg_catalogue_map reads it. */
        const char *name = strrchr(paths[i], '/');
        if (strcmp(name ? name + 1 : paths[i], REG_CATALOGUE_MAP_FILE) == 0)
            continue;
        self->count++; /* a half-parsed catalogue is freed with the others */
        rc = s_parse(paths[i], &self->items[self->count - 1], err, errlen);
        if (rc == 0)
            rc = s_check_distinct(self, paths[i], err, errlen);
    }
    if (rc == 0 && self->count == 0) {
        snprintf(err, errlen, "%s: no catalogue-*.json file", dir);
        rc = -1;
    }
    ocop_rulefile_list_free(paths, n);
    if (rc != 0)
        reg_catalogues_destroy(&self);
    return self;
}

void reg_catalogues_destroy(reg_catalogues_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    reg_catalogues_t *self = *self_p;
    for (size_t i = 0; self->items && i < self->count; i++)
        s_catalogue_free(&self->items[i]);
    free(self->items);
    free(self);
    *self_p = NULL;
}

const reg_catalogue_t *reg_catalogues_find(const reg_catalogues_t *self, const char *version)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->items[i].version, version) == 0)
            return &self->items[i];
    return NULL;
}

const reg_catalogue_t *reg_catalogues_current(const reg_catalogues_t *self, const char *day)
{
    const reg_catalogue_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        const reg_catalogue_t *c = &self->items[i];
        if (strcmp(c->effective_from, day) <= 0 && (!best || strcmp(c->effective_from, best->effective_from) > 0))
            best = c;
    }
    return best;
}

size_t reg_catalogues_count(const reg_catalogues_t *self)
{
    return self->count;
}
const reg_catalogue_t *reg_catalogues_at(const reg_catalogues_t *self, size_t i)
{
    return &self->items[i];
}

const reg_sector_t *reg_catalogue_sector(const reg_catalogue_t *cat, const char *code)
{
    for (size_t i = 0; i < cat->n_sectors; i++)
        if (strcmp(cat->sectors[i].code, code) == 0)
            return &cat->sectors[i];
    return NULL;
}

const reg_product_set_t *reg_sector_product_set(const reg_sector_t *sector, const char *code)
{
    for (size_t i = 0; i < sector->n_sets; i++)
        if (strcmp(sector->sets[i].code, code) == 0)
            return &sector->sets[i];
    return NULL;
}

const reg_product_set_t *reg_catalogue_product_set(const reg_catalogue_t *cat, const char *code,
                                                   const reg_sector_t **sector)
{
    for (size_t i = 0; i < cat->n_sectors; i++) {
        const reg_product_set_t *set = reg_sector_product_set(&cat->sectors[i], code);
        if (set) {
            if (sector)
                *sector = &cat->sectors[i];
            return set;
        }
    }
    return NULL;
}

const reg_catalogue_t *reg_catalogues_next(const reg_catalogues_t *self, const reg_catalogue_t *cat)
{
    const reg_catalogue_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        const reg_catalogue_t *c = &self->items[i];
        if (strcmp(c->effective_from, cat->effective_from) > 0 &&
            (!best || strcmp(c->effective_from, best->effective_from) < 0))
            best = c;
    }
    return best;
}

bool reg_catalogue_newer(const reg_catalogue_t *a, const reg_catalogue_t *b)
{
    return strcmp(a->effective_from, b->effective_from) > 0;
}
