/* reg_state — see reg_state.h. */
#include "reg_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_scan.h"
#include "ocop_seq_id.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "reg_migrate.h"

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
    if (reg_migrate_keys(state, err, errlen) != 0 || reg_units_seed(state, rules_dir, err, errlen) != 0) {
        reg_state_close(state);
        return -1;
    }
    if (!(state->products_index = reg_memindex_loader_start(store, state->db.products, err, errlen))) {
        reg_state_close(state);
        return -1;
    }
    return 0;
}

reg_memindex_t *reg_state_memindex(reg_state_t *state)
{
    return reg_memindex_loader_wait(state->products_index);
}

void reg_state_close(reg_state_t *state)
{
    reg_catalogue_map_destroy(&state->catalogue_map);
    reg_catalogues_destroy(&state->catalogues);
    reg_hierarchies_destroy(&state->hierarchies);
    reg_memindex_loader_destroy(&state->products_index);
}

int reg_state_next_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *kind, char *out, size_t outlen)
{
    /* Records are never deleted and ids are zero-padded, so the last key is the highest id:
     * reading it costs no write, where a counter would dirty a page of its own. */
    const reg_state_t *state = ocop_ctx_user(ctx);
    ocop_table_t table = strcmp(kind, "ENT") == 0 ? state->db.entities : state->db.products;
    ocop_bytes_t k;
    uint64_t last = 0;
    int rc = ocop_ctx_last(ctx, reply, table, NULL, &k, NULL);
    if (rc < 0)
        return -1;
    /* Keys are ocop_key_str: the id and its NUL. */
    if (rc == 0 && (k.size < 1 || ((const char *)k.data)[k.size - 1] != '\0' ||
                    ocop_seq_id_parse(k.data, k.size - 1, kind, REG_ID_WIDTH, &last) != 0))
        return ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading the last id");
    if (ocop_seq_id_format(out, outlen, kind, REG_ID_WIDTH, last + 1) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "no %s id follows %llu", kind, (unsigned long long)last);
    return 0;
}

/* While the index is being built no handler has changed it, and it is handed over with an empty
 * journal: a mark taken before is 0, and there is nothing to undo or forget. */
static size_t s_undo_mark(void *user)
{
    reg_memindex_t *index = reg_memindex_loader_ready(((reg_state_t *)user)->products_index);
    return index ? reg_memindex_mark(index) : 0;
}

static void s_undo_rollback(void *user, size_t mark)
{
    reg_memindex_t *index = reg_memindex_loader_ready(((reg_state_t *)user)->products_index);
    if (index)
        reg_memindex_rollback(index, mark);
}

static void s_undo_commit(void *user)
{
    reg_memindex_t *index = reg_memindex_loader_ready(((reg_state_t *)user)->products_index);
    if (index)
        reg_memindex_commit(index);
}

const ocop_memory_undo_t *reg_state_undo(void)
{
    static const ocop_memory_undo_t undo = {.mark = s_undo_mark, .rollback = s_undo_rollback, .commit = s_undo_commit};
    return &undo;
}
