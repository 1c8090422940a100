/* reg_units — see reg_units.h. */
#include "reg_units.h"

#include "ocop_date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop_db.h"
#include "ocop_index.h"
#include "ocop_log.h"
#include "ocop_record.h"
#include "ocop_rulefile.h"
#include "ocop_store.h"
#include "reg_json.h"
#include "reg_state.h"

struct reg_hierarchies_t {
    reg_hierarchy_t *items;
    size_t count;
};

reg_hierarchies_t *reg_hierarchies_load(const char *dir, char *err, size_t errlen)
{
    char **paths;
    size_t n;
    if (ocop_rulefile_list(dir, "units-", &paths, &n) != 0 || n == 0) {
        snprintf(err, errlen, "%s: no units-*.json file", dir);
        ocop_rulefile_list_free(paths, n);
        return NULL;
    }
    reg_hierarchies_t *self = calloc(1, sizeof *self);
    if (self)
        self->items = calloc(n, sizeof *self->items);
    if (!self || !self->items) {
        free(self);
        ocop_rulefile_list_free(paths, n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        reg_hierarchy_t *h = &self->items[self->count];
        cJSON *root = ocop_rulefile_read(paths[i], h->digest, err, errlen);
        char from[16];
        int ok = root && reg_json_string(root, "version", 1, h->version, sizeof h->version) == 0 &&
                 reg_json_string(root, "effective_from", 1, from, sizeof from) == 0 && strlen(from) == 10 &&
                 cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "units"));
        if (root && !ok)
            snprintf(err, errlen, "%s: version, effective_from (YYYY-MM-DD) and units are required", paths[i]);
        cJSON_Delete(root);
        if (!ok) {
            ocop_rulefile_list_free(paths, n);
            reg_hierarchies_destroy(&self);
            return NULL;
        }
        memcpy(h->effective_from, from, 11);
        snprintf(h->path, sizeof h->path, "%s", paths[i]);
        self->count++;
    }
    ocop_rulefile_list_free(paths, n);
    return self;
}

void reg_hierarchies_destroy(reg_hierarchies_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->items);
    free(*self_p);
    *self_p = NULL;
}

const reg_hierarchy_t *reg_hierarchies_find(const reg_hierarchies_t *self, const char *version)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->items[i].version, version) == 0)
            return &self->items[i];
    return NULL;
}

const reg_hierarchy_t *reg_hierarchies_current(const reg_hierarchies_t *self, const char *day)
{
    const reg_hierarchy_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        const reg_hierarchy_t *h = &self->items[i];
        if (strcmp(h->effective_from, day) <= 0 && (!best || strcmp(h->effective_from, best->effective_from) > 0))
            best = h;
    }
    return best;
}

/* ---------------------------------------------------------------- seeding */

static Ocop__UnitLevel s_level(const char *s)
{
    if (strcmp(s, "province") == 0)
        return OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE;
    if (strcmp(s, "district") == 0)
        return OCOP__UNIT_LEVEL__UNIT_LEVEL_DISTRICT;
    if (strcmp(s, "commune") == 0)
        return OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE;
    return OCOP__UNIT_LEVEL__UNIT_LEVEL_UNSPECIFIED;
}

/* Successor codes of code in the merge files whose "from" is version. */
static const cJSON *s_successors(cJSON *const *merges, size_t n_merges, const char *version, const char *code)
{
    for (size_t m = 0; m < n_merges; m++) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(merges[m], "from");
        if (!cJSON_IsString(from) || strcmp(from->valuestring, version) != 0)
            continue;
        const cJSON *row;
        cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive(merges[m], "map")) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "from");
            if (cJSON_IsString(c) && strcmp(c->valuestring, code) == 0)
                return cJSON_GetObjectItemCaseSensitive(row, "to");
        }
    }
    return NULL;
}

/* Writes a unit and its parent index entry, dropping the entry under its former parent when
 * a rewrite moves it. 0 / MDB error code. */
static int s_unit_put(reg_state_t *state, MDB_txn *txn, const Ocop__RegUnit *unit)
{
    int frc;
    Ocop__RegUnit *old = reg_unit_find(state, txn, NULL, unit->version, unit->code, &frc);
    if (!old && frc != MDB_NOTFOUND)
        return frc;
    if (old) {
        frc = strcmp(old->parent_code, unit->parent_code) != 0
                  ? ocop_index_del(txn, state->db.units_by_parent, unit->version, old->parent_code, unit->code)
                  : 0;
        ocop__reg_unit__free_unpacked(old, NULL);
        if (frc != 0)
            return frc;
    }
    ocop_key_t k;
    ocop_key_init(&k);
    ocop_key_str(&k, unit->version);
    ocop_key_str(&k, unit->code);
    MDB_val kv = ocop_key_val(&k);
    int rc = ocop_record_put(txn, state->db.units, &kv, &unit->base);
    return rc != 0 ? rc : ocop_index_put(txn, state->db.units_by_parent, unit->version, unit->parent_code, unit->code);
}

static int s_seed_version(reg_state_t *state, MDB_txn *txn, const reg_hierarchy_t *h, cJSON *const *merges,
                          size_t n_merges, size_t *count, char *err, size_t errlen)
{
    cJSON *root = ocop_rulefile_read(h->path, NULL, err, errlen);
    if (!root)
        return -1;
    int rc = 0;
    size_t i = 0;
    const cJSON *ju;
    cJSON_ArrayForEach (ju, cJSON_GetObjectItemCaseSensitive(root, "units")) {
        char code[16], name[160], kind[40], level[16], parent[16];
        if (reg_json_string(ju, "code", 1, code, sizeof code) != 0 ||
            reg_json_string(ju, "name", 1, name, sizeof name) != 0 ||
            reg_json_string(ju, "kind", 0, kind, sizeof kind) != 0 ||
            reg_json_string(ju, "level", 1, level, sizeof level) != 0 ||
            reg_json_string(ju, "parent", 0, parent, sizeof parent) != 0 || s_level(level) == 0) {
            snprintf(err, errlen, "%s: units[%zu]: code, name and level (province|district|commune) are required",
                     h->path, i);
            rc = -1;
            break;
        }
        Ocop__RegUnit unit = OCOP__REG_UNIT__INIT;
        unit.version = (char *)h->version;
        unit.code = code;
        unit.name = name;
        unit.kind = kind;
        unit.level = s_level(level);
        unit.parent_code = parent;
        /* Units are listed parents first, so the province of a commune is its parent's. */
        char province[16] = "";
        if (unit.level == OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE) {
            snprintf(province, sizeof province, "%s", code);
        } else {
            int frc;
            ProtobufCAllocator *none = NULL;
            Ocop__RegUnit *p = reg_unit_find(state, txn, none, h->version, parent, &frc);
            if (!p) {
                snprintf(err, errlen, "%s: units[%zu].parent: %s is not an earlier unit", h->path, i, parent);
                rc = -1;
                break;
            }
            snprintf(province, sizeof province, "%s", p->province_code);
            ocop__reg_unit__free_unpacked(p, NULL);
        }
        unit.province_code = province;
        const cJSON *succ = s_successors(merges, n_merges, h->version, code);
        char *codes[16];
        size_t n = 0;
        const cJSON *s;
        cJSON_ArrayForEach (s, succ) {
            if (cJSON_IsString(s) && n < 16)
                codes[n++] = s->valuestring;
        }
        unit.successor_codes = codes;
        unit.n_successor_codes = n;
        rc = s_unit_put(state, txn, &unit);
        if (rc != 0) {
            snprintf(err, errlen, "%s: storing units[%zu]: %s", h->path, i, mdb_strerror(rc));
            rc = -1;
            break;
        }
        i++;
    }
    cJSON_Delete(root);
    *count = i;
    return rc;
}

/* What the store remembers of the files a version was seeded from: the digest of its units
 * file, then of each merge file from that version, in name order. A different value (or "1",
 * written before digests were kept) means the files changed. */
static void s_seed_fingerprint(const reg_hierarchy_t *h, cJSON *const *merges,
                               const char (*merge_digests)[OCOP_RULEFILE_DIGEST_LEN], size_t n_merges, char *out,
                               size_t outlen)
{
    size_t len = (size_t)snprintf(out, outlen, "%s", h->digest);
    for (size_t m = 0; m < n_merges && len < outlen; m++) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(merges[m], "from");
        if (cJSON_IsString(from) && strcmp(from->valuestring, h->version) == 0)
            len += (size_t)snprintf(out + len, outlen - len, ",%s", merge_digests[m]);
    }
}

int reg_units_seed(reg_state_t *state, const char *dir, char *err, size_t errlen)
{
    char **paths;
    size_t n_merges;
    ocop_rulefile_list(dir, "merge-", &paths, &n_merges);
    cJSON **merges = calloc(n_merges + 1, sizeof *merges);
    char(*merge_digests)[OCOP_RULEFILE_DIGEST_LEN] = calloc(n_merges + 1, sizeof *merge_digests);
    int rc = merges && merge_digests ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n_merges; i++) {
        merges[i] = ocop_rulefile_read(paths[i], merge_digests[i], err, errlen);
        if (!merges[i] || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(merges[i], "map"))) {
            if (merges[i])
                snprintf(err, errlen, "%s: map: expected an array", paths[i]);
            rc = -1;
        }
    }
    for (size_t i = 0; rc == 0 && i < state->hierarchies->count; i++) {
        const reg_hierarchy_t *h = &state->hierarchies->items[i];
        MDB_txn *txn;
        if (mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn) != 0) {
            rc = -1;
            break;
        }
        char meta_key[64], fingerprint[OCOP_RULEFILE_DIGEST_LEN * 8];
        snprintf(meta_key, sizeof meta_key, "units_seeded:%s", h->version);
        s_seed_fingerprint(h, merges, (const char(*)[OCOP_RULEFILE_DIGEST_LEN])merge_digests, n_merges, fingerprint,
                           sizeof fingerprint);
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, meta_key);
        MDB_val k = ocop_key_val(&key), v;
        int seen = mdb_get(txn, state->db.meta, &k, &v) == 0;
        if (seen && v.mv_size == strlen(fingerprint) && memcmp(v.mv_data, fingerprint, v.mv_size) == 0) {
            mdb_txn_abort(txn);
            continue;
        }
        size_t count = 0;
        rc = s_seed_version(state, txn, h, merges, n_merges, &count, err, errlen);
        v = (MDB_val){.mv_size = strlen(fingerprint), .mv_data = fingerprint};
        if (rc == 0 && ocop_db_put(txn, state->db.meta, &k, &v, 0) == 0 && mdb_txn_commit(txn) == 0) {
            ocop_log_info(seen ? "units_reseeded" : "units_seeded", "version=%s units=%zu file=%s", h->version, count,
                          h->path);
        } else {
            if (rc == 0)
                snprintf(err, errlen, "%s: could not store the units", h->path);
            rc = -1;
            mdb_txn_abort(txn);
        }
    }
    for (size_t i = 0; merges && i < n_merges; i++)
        cJSON_Delete(merges[i]);
    free(merges);
    free(merge_digests);
    ocop_rulefile_list_free(paths, n_merges);
    return rc;
}

/* ---------------------------------------------------------------- lookups */

Ocop__RegUnit *reg_unit_find(reg_state_t *state, MDB_txn *txn, ProtobufCAllocator *alloc, const char *version,
                             const char *code, int *rc)
{
    ocop_key_t k;
    ocop_key_init(&k);
    ocop_key_str(&k, version);
    ocop_key_str(&k, code);
    if (k.overflow) {
        *rc = MDB_NOTFOUND;
        return NULL;
    }
    MDB_val kv = ocop_key_val(&k);
    ProtobufCMessage *msg;
    *rc = ocop_record_get(txn, state->db.units, &kv, &ocop__reg_unit__descriptor, alloc, &msg);
    return (Ocop__RegUnit *)msg;
}

int reg_unit_get(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *version, const char *code, Ocop__RegUnit **out)
{
    const reg_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t k;
    ocop_key_init(&k);
    ocop_key_str(&k, version);
    ocop_key_str(&k, code);
    return ocop_ctx_record(ctx, reply, state->db.units, &k, &ocop__reg_unit__descriptor, (void **)out);
}

int reg_units_current_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *day, const char *version,
                               const char *province_code, char *out, size_t outlen)
{
    const reg_state_t *state = ocop_ctx_user(ctx);
    const reg_hierarchy_t *current = reg_hierarchies_current(state->hierarchies, day);
    char ver[16], code[16];
    snprintf(ver, sizeof ver, "%s", version);
    snprintf(code, sizeof code, "%s", province_code);
    /* Follow the merge table forward version by version (bounded: there are few versions). */
    for (size_t hop = 0; hop <= state->hierarchies->count; hop++) {
        if (!current || strcmp(ver, current->version) == 0) {
            snprintf(out, outlen, "%s", code);
            return 0;
        }
        Ocop__RegUnit *u;
        int rc = reg_unit_get(ctx, reply, ver, code, &u);
        if (rc != 0)
            return rc;
        if (u->n_successor_codes == 0)
            return 1;
        snprintf(code, sizeof code, "%s", u->successor_codes[0]);
        /* The next version is the one whose effective_from follows ver's. */
        const reg_hierarchy_t *from = reg_hierarchies_find(state->hierarchies, ver);
        const reg_hierarchy_t *next = NULL;
        for (size_t i = 0; from && i < state->hierarchies->count; i++) {
            const reg_hierarchy_t *h = &state->hierarchies->items[i];
            if (strcmp(h->effective_from, from->effective_from) > 0 &&
                (!next || strcmp(h->effective_from, next->effective_from) < 0))
                next = h;
        }
        if (!next)
            return 1;
        snprintf(ver, sizeof ver, "%s", next->version);
    }
    return 1;
}
