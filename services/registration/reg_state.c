/* reg_state — see reg_state.h. */
#include "reg_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_log.h"
#include "ocop_service.h"
#include "reg_memindex_file.h"

int reg_state_open(reg_state_t *state, ocop_store_t *store, const char *rules_dir, char *err, size_t errlen)
{
    memset(state, 0, sizeof *state);
    state->store = store;
    const ocop_dbi_spec_t dbs[] = {
        {"units", &state->db.units},
        {"units_by_parent", &state->db.units_by_parent},
        {"entities", &state->db.entities},
        {"entity_tax", &state->db.entity_tax},
        {"entity_idx", &state->db.entity_idx},
        {"products", &state->db.products},
        {"product_idx", &state->db.product_idx},
        {"product_history", &state->db.product_history},
        {"product_reviews", &state->db.product_reviews},
        {"product_classes", &state->db.product_classes},
        {"counts", &state->db.counts},
        {"meta", &state->db.meta},
    };
    if (ocop_store_dbis(store, dbs, sizeof dbs / sizeof dbs[0], err, errlen) != 0)
        return -1;
    state->catalogues = reg_catalogues_load(rules_dir, err, errlen);
    if (!state->catalogues)
        return -1;
    state->catalogue_map = reg_catalogue_map_load(rules_dir, state->catalogues, err, errlen);
    if (!state->catalogue_map) {
        reg_state_close(state);
        return -1;
    }
    state->hierarchies = reg_hierarchies_load(rules_dir, err, errlen);
    if (!state->hierarchies) {
        reg_state_close(state);
        return -1;
    }
    if (reg_units_seed(state, rules_dir, err, errlen) != 0) {
        reg_state_close(state);
        return -1;
    }
    int64_t started = ocop_now_ms();
    char why[512];
    state->memindex = reg_memindex_new();
    int rc = state->memindex ? reg_memindex_file_load(store, state->memindex, why, sizeof why) : -1;
    if (rc == 0) {
        ocop_log_info("products_loaded", "products=%zu ms=%lld", reg_memindex_size(state->memindex),
                      (long long)(ocop_now_ms() - started));
        return 0;
    }
    if (rc == 1) {
        ocop_log_info("products_from_the_store", "reason=\"%s\"", why);
        reg_memindex_destroy(&state->memindex); /* it may hold part of the file */
        state->memindex = reg_memindex_new();
    }
    MDB_txn *txn;
    rc = state->memindex ? mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn) : ENOMEM;
    if (rc == 0) {
        rc = reg_memindex_load(state->memindex, txn, state->db.products);
        mdb_txn_abort(txn);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot index the products: %s", ocop_store_path(store), mdb_strerror(rc));
        reg_state_close(state);
        return -1;
    }
    ocop_log_info("products_indexed", "products=%zu ms=%lld", reg_memindex_size(state->memindex),
                  (long long)(ocop_now_ms() - started));
    return 0;
}

void reg_state_close(reg_state_t *state)
{
    reg_catalogue_map_destroy(&state->catalogue_map);
    reg_catalogues_destroy(&state->catalogues);
    reg_hierarchies_destroy(&state->hierarchies);
    reg_memindex_destroy(&state->memindex);
}

int reg_state_next_id(reg_state_t *state, MDB_txn *txn, const char *kind, char *out, size_t outlen)
{
    /* Records are never deleted and ids are zero-padded, so the last key is the highest id:
     * reading it costs no write, where a counter would dirty a page of its own. */
    MDB_dbi dbi = strcmp(kind, "ENT") == 0 ? state->db.entities : state->db.products;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return rc;
    MDB_val k, v;
    unsigned long long last = 0;
    rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    mdb_cursor_close(cur);
    if (rc == 0) {
        char key[32];
        size_t prefix = strlen(kind) + 1;
        if (k.mv_size <= prefix || k.mv_size >= sizeof key)
            return MDB_CORRUPTED;
        memcpy(key, k.mv_data, k.mv_size);
        key[k.mv_size] = '\0';
        char *end;
        last = strtoull(key + prefix, &end, 10);
        if (*end || strncmp(key, kind, prefix - 1) != 0)
            return MDB_CORRUPTED;
    } else if (rc != MDB_NOTFOUND) {
        return rc;
    }
    snprintf(out, outlen, "%s-%08llu", kind, last + 1);
    return 0;
}

static size_t s_undo_mark(void *user)
{
    return reg_memindex_mark(((reg_state_t *)user)->memindex);
}

static void s_undo_rollback(void *user, size_t mark)
{
    reg_memindex_rollback(((reg_state_t *)user)->memindex, mark);
}

static void s_undo_commit(void *user)
{
    reg_memindex_commit(((reg_state_t *)user)->memindex);
}

const ocop_memory_undo_t *reg_state_undo(void)
{
    static const ocop_memory_undo_t undo = {.mark = s_undo_mark, .rollback = s_undo_rollback, .commit = s_undo_commit};
    return &undo;
}
