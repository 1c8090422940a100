/* pro_state — see pro_state.h. */
#include "pro_state.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_rulefile.h"
#include "ocop_store.h"

static int s_load_regions(pro_state_t *state, const char *rules_dir, char *err, size_t errlen)
{
    char path[OCOP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/regions.json", rules_dir);
    cJSON *root = ocop_rulefile_read(path, state->regions_digest, err, errlen);
    if (!root)
        return -1;
    int rc = 0;
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(root, "regions"), *r;
    if (!cJSON_IsArray(regions) || cJSON_GetArraySize(regions) == 0) {
        ocop_error_format(err, errlen, "%s: regions: expected a non-empty array", path);
        rc = -1;
    }
    size_t i = 0;
    cJSON_ArrayForEach (r, regions) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code"),
                    *list = cJSON_GetObjectItemCaseSensitive(r, "provinces"), *p;
        if (rc != 0 || !cJSON_IsString(code) || !cJSON_IsArray(list)) {
            if (rc == 0)
                ocop_error_format(err, errlen, "%s: regions[%zu]: needs a code and a provinces array", path, i);
            rc = -1;
            break;
        }
        cJSON_ArrayForEach (p, list) {
            if (!cJSON_IsString(p) || strlen(p->valuestring) >= sizeof state->provinces[0].province ||
                state->n_provinces == PRO_PROVINCES_MAX || pro_state_region(state, p->valuestring)) {
                ocop_error_format(err, errlen, "%s: regions[%zu].provinces: a province code listed once, at most %d",
                                  path, i, PRO_PROVINCES_MAX);
                rc = -1;
                break;
            }
            pro_province_t *pp = &state->provinces[state->n_provinces++];
            snprintf(pp->province, sizeof pp->province, "%s", p->valuestring);
            snprintf(pp->region, sizeof pp->region, "%s", code->valuestring);
        }
        i++;
    }
    cJSON_Delete(root);
    return rc;
}

int pro_state_open(pro_state_t *state, ocop_store_t *store, const char *rules_dir, char *err, size_t errlen)
{
    memset(state, 0, sizeof *state);
    state->store = store;
    const ocop_dbi_spec_t dbs[] = {
        {"certs", &state->db.certs},
        {"fairs", &state->db.fairs},
        {"applications", &state->db.applications},
        {"by_product", &state->db.by_product},
        {"pos", &state->db.pos},
        {"listings", &state->db.listings},
        {"listed_by", &state->db.listed_by},
        {"plans", &state->db.plans},
        {"cascade", &state->db.cascade},
        {"meta", &state->db.meta},
    };
    if (ocop_store_dbis(store, dbs, sizeof dbs / sizeof dbs[0], err, errlen) != 0)
        return -1;
    state->replica_arena = ocop_arena_new(64 * 1024);
    if (!state->replica_arena) {
        ocop_error_format(err, errlen, "out of memory");
        return -1;
    }
    return s_load_regions(state, rules_dir, err, errlen);
}

void pro_state_close(pro_state_t *state)
{
    ocop_arena_destroy(&state->replica_arena);
}

const char *pro_state_region(const pro_state_t *state, const char *province)
{
    for (size_t i = 0; i < state->n_provinces; i++)
        if (strcmp(state->provinces[i].province, province) == 0)
            return state->provinces[i].region;
    return NULL;
}
