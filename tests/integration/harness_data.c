/* harness_data — the rule data the tests use, read from the service's JSON files at test time
 * (see harness.h). */
#include "harness.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- rule data */

static cJSON *s_read_json(const char *path)
{
    char *text = harness_read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "harness: cannot read %s\n", path);
        return NULL;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        fprintf(stderr, "harness: %s is not JSON\n", path);
    return root;
}

static const char *s_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The file among rules_dir/prefix*.json whose effective_from is the latest not after today
 * (what the service calls "current"). Caller deletes the result. */
static cJSON *s_current_file(const char *rules_dir, const char *prefix)
{
    char today[11];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    DIR *dir = opendir(rules_dir);
    if (!dir) {
        fprintf(stderr, "harness: cannot open %s\n", rules_dir);
        return NULL;
    }
    cJSON *best = NULL;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[HARNESS_PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", rules_dir, e->d_name);
        cJSON *root = s_read_json(path);
        const char *from = root ? s_str(root, "effective_from") : NULL;
        if (!from || strcmp(from, today) > 0 || (best && strcmp(from, s_str(best, "effective_from")) <= 0)) {
            cJSON_Delete(root);
            continue;
        }
        cJSON_Delete(best);
        best = root;
    }
    closedir(dir);
    if (!best)
        fprintf(stderr, "harness: no %s*.json in force in %s\n", prefix, rules_dir);
    return best;
}

static int s_pick_units(cJSON *root, harness_data_t *out)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units");
    const cJSON *u;
    /* Province A: the first (in file order) with at least three communes; B: the next with one. */
    cJSON_ArrayForEach (u, units) {
        const char *level = s_str(u, "level"), *code = s_str(u, "code");
        if (!level || !code || strcmp(level, "province") != 0)
            continue;
        size_t n = 0;
        const cJSON *c;
        cJSON_ArrayForEach (c, units) {
            const char *cl = s_str(c, "level"), *parent = s_str(c, "parent"), *cc = s_str(c, "code");
            if (cl && parent && cc && strcmp(cl, "commune") == 0 && strcmp(parent, code) == 0)
                n++;
        }
        if (!out->province_a[0] && n >= 3)
            snprintf(out->province_a, sizeof out->province_a, "%s", code);
        else if (out->province_a[0] && !out->province_b[0] && n >= 1)
            snprintf(out->province_b, sizeof out->province_b, "%s", code);
    }
    if (!out->province_a[0] || !out->province_b[0])
        return -1;
    size_t na = 0, nb = 0;
    cJSON_ArrayForEach (u, units) {
        const char *level = s_str(u, "level"), *parent = s_str(u, "parent"), *code = s_str(u, "code");
        if (!level || !parent || !code || strcmp(level, "commune") != 0)
            continue;
        if (strcmp(parent, out->province_a) == 0 && na < 3)
            snprintf(out->communes[na++], sizeof out->communes[0], "%s", code);
        else if (strcmp(parent, out->province_b) == 0 && nb < 1) {
            snprintf(out->communes[3], sizeof out->communes[3], "%s", code);
            nb++;
        }
    }
    if (na < 3 || nb < 1)
        return -1;
    /* An unused 5-digit code, counting down from 99999. */
    for (int code = 99999; code > 0 && !out->unknown_commune[0]; code--) {
        char candidate[16];
        snprintf(candidate, sizeof candidate, "%05d", code);
        int used = 0;
        cJSON_ArrayForEach (u, units) {
            const char *c = s_str(u, "code");
            used |= c && strcmp(c, candidate) == 0;
        }
        if (!used)
            snprintf(out->unknown_commune, sizeof out->unknown_commune, "%s", candidate);
    }
    return out->unknown_commune[0] ? 0 : -1;
}

static int s_pick_catalogue(cJSON *root, harness_data_t *out)
{
    const cJSON *sector;
    cJSON_ArrayForEach (sector, cJSON_GetObjectItemCaseSensitive(root, "sectors")) {
        const char *scode = s_str(sector, "code");
        const cJSON *set;
        if (!scode)
            continue;
        cJSON_ArrayForEach (set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets")) {
            const char *code = s_str(set, "code");
            int fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "fresh"));
            if (!code)
                continue;
            if (fresh && !out->fresh_set[0]) {
                snprintf(out->fresh_sector, sizeof out->fresh_sector, "%s", scode);
                snprintf(out->fresh_set, sizeof out->fresh_set, "%s", code);
            } else if (!fresh && !out->product_set[0]) {
                snprintf(out->sector, sizeof out->sector, "%s", scode);
                snprintf(out->product_set, sizeof out->product_set, "%s", code);
            } else if (!fresh && !out->product_set_b[0] && strcmp(scode, out->sector) != 0) {
                snprintf(out->sector_b, sizeof out->sector_b, "%s", scode);
                snprintf(out->product_set_b, sizeof out->product_set_b, "%s", code);
            }
        }
    }
    return out->fresh_set[0] && out->product_set[0] && out->product_set_b[0] ? 0 : -1;
}

int harness_data_load(const char *rules_dir, harness_data_t *out)
{
    memset(out, 0, sizeof *out);
    cJSON *units = s_current_file(rules_dir, "units-");
    cJSON *catalogue = s_current_file(rules_dir, "catalogue-");
    int rc = -1;
    if (units && catalogue && s_str(units, "version") && s_str(catalogue, "version")) {
        snprintf(out->unit_version, sizeof out->unit_version, "%s", s_str(units, "version"));
        snprintf(out->catalogue_version, sizeof out->catalogue_version, "%s", s_str(catalogue, "version"));
        rc = s_pick_units(units, out) == 0 && s_pick_catalogue(catalogue, out) == 0 ? 0 : -1;
        if (rc != 0)
            fprintf(stderr, "harness: %s lacks the communes or product sets the tests need\n", rules_dir);
    }
    cJSON_Delete(units);
    cJSON_Delete(catalogue);
    return rc;
}

static cJSON *s_version_file(const char *rules_dir, const char *prefix, const char *version)
{
    char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s%s.json", rules_dir, prefix, version);
    cJSON *root = s_read_json(path);
    if (!root)
        fprintf(stderr, "harness: cannot read %s\n", path);
    return root;
}

int harness_catalogue_sets(const char *rules_dir, const char *version, harness_set_t **out, size_t *n)
{
    cJSON *root = s_version_file(rules_dir, "catalogue-", version);
    *out = NULL;
    *n = 0;
    if (!root)
        return -1;
    size_t cap = 64;
    *out = calloc(cap, sizeof **out);
    const cJSON *sector;
    cJSON_ArrayForEach (sector, cJSON_GetObjectItemCaseSensitive(root, "sectors")) {
        const cJSON *set;
        cJSON_ArrayForEach (set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets")) {
            const char *scode = s_str(sector, "code"), *code = s_str(set, "code");
            if (!*out || !scode || !code || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "fresh")) || *n == cap)
                continue;
            snprintf((*out)[*n].sector, sizeof(*out)[*n].sector, "%s", scode);
            snprintf((*out)[*n].set, sizeof(*out)[*n].set, "%s", code);
            (*n)++;
        }
    }
    cJSON_Delete(root);
    return *out && *n ? 0 : -1;
}

int harness_communes(const char *rules_dir, const char *version, harness_commune_t **out, size_t *n)
{
    cJSON *root = s_version_file(rules_dir, "units-", version);
    *out = NULL;
    *n = 0;
    if (!root)
        return -1;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units"), *u;
    *out = calloc((size_t)cJSON_GetArraySize(units) + 1, sizeof **out);
    cJSON_ArrayForEach (u, units) {
        const char *level = s_str(u, "level"), *parent = s_str(u, "parent"), *code = s_str(u, "code");
        if (!*out || !level || !parent || !code || strcmp(level, "commune") != 0)
            continue;
        /* The parent is a district where the hierarchy has districts: its parent is the province. */
        const char *province = parent, *district = "";
        const cJSON *p;
        cJSON_ArrayForEach (p, units) {
            const char *pcode = s_str(p, "code"), *plevel = s_str(p, "level");
            if (pcode && plevel && strcmp(pcode, parent) == 0 && strcmp(plevel, "district") == 0) {
                district = parent;
                province = s_str(p, "parent");
                break;
            }
        }
        harness_commune_t *c = &(*out)[(*n)++];
        snprintf(c->code, sizeof c->code, "%s", code);
        snprintf(c->district, sizeof c->district, "%s", district);
        snprintf(c->province, sizeof c->province, "%s", province ? province : "");
    }
    cJSON_Delete(root);
    return *out && *n ? 0 : -1;
}

int harness_provinces(const char *rules_dir, const char *version, char (**codes)[16], size_t *n)
{
    cJSON *root = s_version_file(rules_dir, "units-", version);
    *codes = NULL;
    *n = 0;
    if (!root)
        return -1;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units"), *u;
    *codes = calloc((size_t)cJSON_GetArraySize(units) + 1, sizeof **codes);
    cJSON_ArrayForEach (u, units) {
        const char *level = s_str(u, "level"), *code = s_str(u, "code");
        if (*codes && level && code && strcmp(level, "province") == 0)
            snprintf((*codes)[(*n)++], sizeof **codes, "%s", code);
    }
    cJSON_Delete(root);
    return *codes && *n ? 0 : -1;
}

void harness_rules_dir(const char *service, char *out, size_t len)
{
    const char *src = getenv("OCOP_SOURCE_DIR");
    snprintf(out, len, "%s/services/%s/data", src ? src : ".", service);
}

int harness_data_load_registration(harness_data_t *out)
{
    char rules[HARNESS_PATH_MAX];
    harness_rules_dir("registration", rules, sizeof rules);
    return harness_data_load(rules, out);
}
