/* reg_state — see reg_state.h. */
#include "reg_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ocop_log.h"

int reg_state_open(reg_state_t *state, ocop_store_t *store, const char *rules_dir, char *err, size_t errlen)
{
    memset(state, 0, sizeof *state);
    state->store = store;
    struct {
        const char *name;
        MDB_dbi *dbi;
    } dbs[] = {
        {"units", &state->db.units},
        {"units_by_parent", &state->db.units_by_parent},
        {"entities", &state->db.entities},
        {"entity_tax", &state->db.entity_tax},
        {"entity_idx", &state->db.entity_idx},
        {"products", &state->db.products},
        {"product_idx", &state->db.product_idx},
        {"product_history", &state->db.product_history},
        {"product_reviews", &state->db.product_reviews},
        {"counts", &state->db.counts},
        {"meta", &state->db.meta},
    };
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++)
        if (ocop_store_dbi(store, dbs[i].name, 0, dbs[i].dbi) != 0) {
            snprintf(err, errlen, "%s: cannot open database %s", ocop_store_path(store), dbs[i].name);
            return -1;
        }
    state->catalogues = reg_catalogues_load(rules_dir, err, errlen);
    if (!state->catalogues)
        return -1;
    state->hierarchies = reg_hierarchies_load(rules_dir, err, errlen);
    if (!state->hierarchies) {
        reg_state_close(state);
        return -1;
    }
    if (reg_units_seed(state, rules_dir, err, errlen) != 0) {
        reg_state_close(state);
        return -1;
    }
    MDB_txn *txn;
    state->memindex = reg_memindex_new();
    int rc = state->memindex ? mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn) : ENOMEM;
    if (rc == 0) {
        rc = reg_memindex_load(state->memindex, txn, state->db.products);
        mdb_txn_abort(txn);
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot index the products: %s", ocop_store_path(store), mdb_strerror(rc));
        reg_state_close(state);
        return -1;
    }
    ocop_log_info("products_indexed", "products=%zu", reg_memindex_size(state->memindex));
    return 0;
}

void reg_state_close(reg_state_t *state)
{
    reg_catalogues_destroy(&state->catalogues);
    reg_hierarchies_destroy(&state->hierarchies);
    reg_memindex_destroy(&state->memindex);
}

int reg_state_next_id(reg_state_t *state, MDB_txn *txn, const char *kind, char *out, size_t outlen)
{
    char name[32];
    snprintf(name, sizeof name, "next_id:%s", kind);
    MDB_val k = {.mv_size = strlen(name), .mv_data = name}, v;
    uint64_t next = 1;
    int rc = mdb_get(txn, state->db.meta, &k, &v);
    if (rc == 0 && v.mv_size == 8)
        next = ocop_be64_get(v.mv_data);
    else if (rc != MDB_NOTFOUND && rc != 0)
        return rc;
    uint8_t vb[8];
    ocop_be64_put(vb, next + 1);
    v = (MDB_val){.mv_size = 8, .mv_data = vb};
    rc = mdb_put(txn, state->db.meta, &k, &v, 0);
    if (rc != 0)
        return rc;
    /* Zero-padded so that ids sort in creation order in every index. */
    snprintf(out, outlen, "%s-%08llu", kind, (unsigned long long)next);
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
