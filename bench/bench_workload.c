/* bench_workload — see bench_workload.h. */
#include "bench_workload.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define S_ENTITY_TYPES 5

/* A list of strings that point into a cJSON tree of the workload. */
typedef struct {
    const char **items;
    size_t n;
} s_list_t;

typedef struct {
    char code[16];
    const char *name; /* in units */
} s_commune_t;

typedef struct {
    char sector[16];
    char set[16];
    s_list_t stems; /* product name stems of the set */
} s_set_t;

typedef struct {
    const char *name;
    char gender; /* 'm', 'f' or 'a' (any) */
} s_name_t;

struct bench_workload_t {
    char unit_version[16];
    char catalogue_version[16];
    cJSON *units, *names; /* kept: the lists below point into them */
    s_commune_t *communes;
    size_t n_communes;
    s_set_t *sets;
    size_t n_sets;
    s_list_t patterns[S_ENTITY_TYPES], trades, brands, qualifiers, surnames;
    s_name_t *middles, *givens;
    size_t n_middles, n_givens;
};

static uint64_t s_mix(uint64_t x)
{
    /* splitmix64 */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static const char *s_pick(const s_list_t *list, uint64_t h)
{
    return list->items[h % list->n];
}

static int s_string(const cJSON *obj, const char *name, char *out, size_t outlen)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= outlen)
        return -1;
    snprintf(out, outlen, "%s", item->valuestring);
    return 0;
}

/* The strings of a JSON array (of strings, or of objects with a "name"). 0, or -1 if empty. */
static int s_list(const cJSON *array, s_list_t *out)
{
    out->n = 0;
    out->items = calloc((size_t)cJSON_GetArraySize(array) + 1, sizeof *out->items);
    if (!out->items)
        return -1;
    const cJSON *item;
    cJSON_ArrayForEach (item, array) {
        const cJSON *s = cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, "name") : item;
        if (cJSON_IsString(s) && *s->valuestring)
            out->items[out->n++] = s->valuestring;
    }
    return out->n ? 0 : -1;
}

static int s_gendered(const cJSON *array, s_name_t **out, size_t *n)
{
    *n = 0;
    *out = calloc((size_t)cJSON_GetArraySize(array) + 1, sizeof **out);
    if (!*out)
        return -1;
    const cJSON *item;
    cJSON_ArrayForEach (item, array) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        const cJSON *gender = cJSON_GetObjectItemCaseSensitive(item, "gender");
        if (!cJSON_IsString(name))
            continue;
        char g = cJSON_IsString(gender) ? gender->valuestring[0] : 'a';
        (*out)[(*n)++] = (s_name_t){name->valuestring, g == 'm' || g == 'f' ? g : 'a'};
    }
    return *n ? 0 : -1;
}

static int s_load_units(bench_workload_t *self, const char *dir, char *err, size_t errlen)
{
    cJSON *root = self->units = bench_read_json(dir, "units-2025.json", err, errlen);
    if (!root)
        return -1;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units"), *u;
    if (s_string(root, "version", self->unit_version, sizeof self->unit_version) != 0 || !cJSON_IsArray(units) ||
        !(self->communes = calloc((size_t)cJSON_GetArraySize(units) + 1, sizeof *self->communes))) {
        snprintf(err, errlen, "%s/units-2025.json: version and units are required", dir);
        return -1;
    }
    cJSON_ArrayForEach (u, units) {
        const cJSON *level = cJSON_GetObjectItemCaseSensitive(u, "level");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(u, "name");
        if (!cJSON_IsString(level) || strcmp(level->valuestring, "commune") != 0 || !cJSON_IsString(name))
            continue;
        s_commune_t *c = &self->communes[self->n_communes];
        c->name = name->valuestring;
        if (s_string(u, "code", c->code, sizeof c->code) == 0)
            self->n_communes++;
    }
    if (self->n_communes == 0) {
        snprintf(err, errlen, "%s/units-2025.json: no commune with a code and a name", dir);
        return -1;
    }
    return 0;
}

/* Non-fresh product sets of the catalogue that have name stems in demo-names.json. */
static int s_load_catalogue(bench_workload_t *self, const char *dir, char *err, size_t errlen)
{
    cJSON *root = bench_read_json(dir, "catalogue-148.json", err, errlen);
    if (!root)
        return -1;
    const cJSON *sectors = cJSON_GetObjectItemCaseSensitive(root, "sectors"), *sector, *set;
    const cJSON *stems = cJSON_GetObjectItemCaseSensitive(self->names, "products_by_set");
    size_t cap = 0;
    cJSON_ArrayForEach (sector, sectors) {
        cap += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sector, "product_sets"));
    }
    int rc = s_string(root, "version", self->catalogue_version, sizeof self->catalogue_version);
    if (rc == 0 && !(self->sets = calloc(cap + 1, sizeof *self->sets)))
        rc = -1;
    const cJSON *walk = rc == 0 ? sectors : NULL;
    cJSON_ArrayForEach (sector, walk) {
        char code[16];
        if (s_string(sector, "code", code, sizeof code) != 0)
            continue;
        cJSON_ArrayForEach (set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets")) {
            s_set_t *s = &self->sets[self->n_sets];
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "fresh")) ||
                s_string(set, "code", s->set, sizeof s->set) != 0)
                continue;
            if (s_list(cJSON_GetObjectItemCaseSensitive(stems, s->set), &s->stems) != 0) {
                free(s->stems.items);
                continue;
            }
            snprintf(s->sector, sizeof s->sector, "%s", code);
            self->n_sets++;
        }
    }
    cJSON_Delete(root);
    if (self->n_sets == 0) {
        snprintf(err, errlen, "%s: catalogue-148.json has no version or no non-fresh set with stems in demo-names.json",
                 dir);
        return -1;
    }
    return 0;
}

static int s_load_names(bench_workload_t *self, const char *dir, char *err, size_t errlen)
{
    static const char *const types[S_ENTITY_TYPES] = {"cooperative", "cooperative_group", "enterprise",
                                                      "household_business", "farm"};
    cJSON *root = self->names = bench_read_json(dir, "demo-names.json", err, errlen);
    if (!root)
        return -1;
    const cJSON *patterns = cJSON_GetObjectItemCaseSensitive(root, "entity_patterns");
    int rc = 0;
    for (size_t t = 0; t < S_ENTITY_TYPES; t++)
        rc |= s_list(cJSON_GetObjectItemCaseSensitive(patterns, types[t]), &self->patterns[t]);
    rc |= s_list(cJSON_GetObjectItemCaseSensitive(root, "trades"), &self->trades);
    rc |= s_list(cJSON_GetObjectItemCaseSensitive(root, "brands"), &self->brands);
    rc |= s_list(cJSON_GetObjectItemCaseSensitive(root, "qualifiers"), &self->qualifiers);
    rc |= s_list(cJSON_GetObjectItemCaseSensitive(root, "surnames"), &self->surnames);
    rc |= s_gendered(cJSON_GetObjectItemCaseSensitive(root, "middle_names"), &self->middles, &self->n_middles);
    rc |= s_gendered(cJSON_GetObjectItemCaseSensitive(root, "given_names"), &self->givens, &self->n_givens);
    if (rc != 0)
        snprintf(err, errlen,
                 "%s/demo-names.json: entity_patterns (5 types), trades, brands, qualifiers, surnames, "
                 "middle_names and given_names are required",
                 dir);
    return rc;
}

bench_workload_t *bench_workload_new(const char *rules_dir, char *err, size_t errlen)
{
    bench_workload_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (s_load_units(self, rules_dir, err, errlen) != 0 || s_load_names(self, rules_dir, err, errlen) != 0 ||
        s_load_catalogue(self, rules_dir, err, errlen) != 0)
        bench_workload_destroy(&self);
    return self;
}

void bench_workload_destroy(bench_workload_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    bench_workload_t *self = *self_p;
    for (size_t i = 0; i < self->n_sets; i++)
        free(self->sets[i].stems.items);
    for (size_t t = 0; t < S_ENTITY_TYPES; t++)
        free(self->patterns[t].items);
    free(self->trades.items);
    free(self->brands.items);
    free(self->qualifiers.items);
    free(self->surnames.items);
    free(self->middles);
    free(self->givens);
    free(self->communes);
    free(self->sets);
    cJSON_Delete(self->units);
    cJSON_Delete(self->names);
    free(self);
    *self_p = NULL;
}

size_t bench_workload_commune_count(const bench_workload_t *self)
{
    return self->n_communes;
}
size_t bench_workload_set_count(const bench_workload_t *self)
{
    return self->n_sets;
}
const char *bench_workload_unit_version(const bench_workload_t *self)
{
    return self->unit_version;
}
const char *bench_workload_catalogue_version(const bench_workload_t *self)
{
    return self->catalogue_version;
}

/* A name of the given gender (or any) from list, starting the search at h. */
static const char *s_pick_gendered(const s_name_t *list, size_t n, char gender, uint64_t h)
{
    for (size_t k = 0; k < n; k++) {
        const s_name_t *c = &list[(h + k) % n];
        if (c->gender == 'a' || c->gender == gender)
            return c->name;
    }
    return list[h % n].name;
}

static void s_person(const bench_workload_t *self, uint64_t h, char *out, size_t outlen)
{
    char gender = (h & 1) ? 'm' : 'f';
    snprintf(out, outlen, "%s %s %s", s_pick(&self->surnames, h >> 1),
             s_pick_gendered(self->middles, self->n_middles, gender, h >> 12),
             s_pick_gendered(self->givens, self->n_givens, gender, h >> 24));
}

/* Copies pattern into out with {place}, {brand}, {trade} and {person} replaced. */
static void s_expand(const char *pattern, const char *place, const char *brand, const char *trade, const char *person,
                     char *out, size_t outlen)
{
    static const char *const keys[] = {"{place}", "{brand}", "{trade}", "{person}"};
    const char *values[] = {place, brand, trade, person};
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = pattern; *p && len + 1 < outlen;) {
        size_t k = 0;
        while (k < 4 && strncmp(p, keys[k], strlen(keys[k])) != 0)
            k++;
        if (k < 4) {
            len += (size_t)snprintf(out + len, outlen - len, "%s", values[k]);
            p += strlen(keys[k]);
        } else {
            out[len++] = *p++;
            out[len] = '\0';
        }
        if (len >= outlen)
            len = outlen - 1;
    }
}

static const s_commune_t *s_entity_commune(const bench_workload_t *self, uint64_t i)
{
    return &self->communes[s_mix(i ^ 0x5eedULL) % self->n_communes];
}

const char *bench_workload_entity_commune(const bench_workload_t *self, uint64_t i)
{
    return s_entity_commune(self, i)->code;
}

void bench_workload_entity(const bench_workload_t *self, uint64_t i, Ocop__RegEntityRegister *out,
                           bench_scratch_t *scratch)
{
    ocop__reg_entity_register__init(out);
    uint64_t h = s_mix(i ^ 0x5eedULL), g = s_mix(h);
    size_t type = i % S_ENTITY_TYPES;
    const s_commune_t *commune = s_entity_commune(self, i);
    char person[96];
    s_person(self, g, person, sizeof person);
    s_expand(s_pick(&self->patterns[type], h >> 20), commune->name, s_pick(&self->brands, h >> 28),
             s_pick(&self->trades, h >> 36), person, scratch->name, sizeof scratch->name);
    out->type = (Ocop__EntityType)(type + 1);
    s_person(self, g >> 32, scratch->representative, sizeof scratch->representative);
    snprintf(scratch->tax_code, sizeof scratch->tax_code, "%010llu", (unsigned long long)(1000000000ULL + i));
    snprintf(scratch->phone, sizeof scratch->phone, "09%08llu", (unsigned long long)(g % 100000000ULL));
    out->name = scratch->name;
    out->tax_code = scratch->tax_code;
    out->unit_version = (char *)self->unit_version;
    out->commune_code = (char *)commune->code;
    out->representative = scratch->representative;
    out->phone = scratch->phone;
}

void bench_workload_product(const bench_workload_t *self, uint64_t i, const char *const *entity_ids,
                            const char *const *entity_communes, size_t n_entities, Ocop__RegProductRegister *out,
                            bench_scratch_t *scratch)
{
    ocop__reg_product_register__init(out);
    uint64_t h = s_mix(i), g = s_mix(h);
    const s_set_t *set = &self->sets[(h >> 20) % self->n_sets];
    const s_commune_t *place = &self->communes[h % self->n_communes]; /* a name for the qualifier */
    char qualifier[160];
    s_expand(s_pick(&self->qualifiers, g >> 12), place->name, "", "", "", qualifier, sizeof qualifier);
    const char *stem = s_pick(&set->stems, g), *brand = s_pick(&self->brands, g >> 24);
    /* Stem, qualifier and brand: like products on a shelf ("Miến dong túi 500g Phúc Lộc"). */
    if ((g >> 40) % 4 == 0)
        snprintf(scratch->name, sizeof scratch->name, "%s %s", stem, brand);
    else
        snprintf(scratch->name, sizeof scratch->name, "%s %s %s", stem, qualifier, brand);
    size_t k = (h >> 40) % n_entities;
    out->entity_id = (char *)entity_ids[k];
    out->name = scratch->name;
    out->catalogue_version = (char *)self->catalogue_version;
    out->sector_code = (char *)set->sector;
    out->product_set_code = (char *)set->set;
    out->unit_version = (char *)self->unit_version;
    out->commune_code = (char *)entity_communes[k];
    out->processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    switch ((g >> 56) % 4) {
    case 1:
        scratch->standards[0] = "TCCS 01:2024";
        out->n_standards = 1;
        break;
    case 2:
        scratch->standards[0] = "VietGAP";
        out->n_standards = 1;
        break;
    case 3:
        scratch->standards[0] = "TCCS 02:2025";
        scratch->standards[1] = "HACCP";
        out->n_standards = 2;
        break;
    default:
        out->n_standards = 0;
        break;
    }
    out->standards = scratch->standards;
}
