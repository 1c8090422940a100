/* aud_state — see aud_state.h. */
#include "aud_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aud_index.h"
#include "aud_migrate.h"
#include "aud_products.h"
#include "envelope.pb-c.h"
#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "ocop_stored.h"

typedef struct {
    aud_memindex_t *products;
    uint64_t index;
} s_rebuild_t;

static int s_product_key(void *user, const char *kind, const char *value)
{
    s_rebuild_t *r = user;
    return strcmp(kind, AUD_KEY_PRODUCT) == 0 ? aud_memindex_add(r->products, value, r->index) : 0;
}

int aud_entry_event(ocop_arena_t *arena, const void *stored, size_t len, Ocop__Event **event)
{
    const void *data;
    size_t n;
    int rc = ocop_stored_open(arena, stored, len, &data, &n);
    if (rc != 0)
        return rc == EBADMSG ? MDB_CORRUPTED : rc;
    *event = ocop__event__unpack(ocop_arena_allocator(arena), n, data);
    return *event ? 0 : MDB_CORRUPTED;
}

int aud_state_rebuild_products(aud_state_t *state, char *err, size_t errlen)
{
    int64_t started = ocop_now_ms();
    uint64_t from = 0;
    char why[512];
    int loaded = aud_products_load(state, &from, why, sizeof why);
    if (loaded < 0) {
        ocop_error_format(err, errlen, "%s", why);
        atomic_store(&state->products_ready, -1);
        return -1;
    }
    if (loaded == 0) {
        ocop_log_info("product_index_loaded", "entries=%llu products=%zu ms=%lld", (unsigned long long)from,
                      aud_memindex_keys(state->products), (long long)(ocop_now_ms() - started));
    } else {
        ocop_log_info("product_index_from_the_log", "reason=\"%s\"", why);
        aud_memindex_clear(state->products);
    }
    MDB_txn *txn;
    MDB_cursor *cur;
    /* The service answers meanwhile: the map must not grow under this long read. */
    ocop_store_hold(state->store);
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc == 0 && (rc = mdb_cursor_open(txn, state->db.entries, &cur)) != 0)
        mdb_txn_abort(txn);
    if (rc != 0) {
        ocop_store_release(state->store);
        ocop_error_format(err, errlen, "%s: cannot read the entries: %s", ocop_store_path(state->store),
                          mdb_strerror(rc));
        atomic_store(&state->products_ready, -1);
        return -1;
    }
    uint64_t n = 0;
    uint8_t first[8];
    ocop_be64_put(first, from);
    MDB_val k = {.mv_size = 8, .mv_data = first}, v;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), n++) {
        s_rebuild_t r = {state->products, k.mv_size == 8 ? ocop_be64_get(k.mv_data) : 0};
        ocop_arena_reset(state->intake_arena);
        Ocop__Event *ev = NULL;
        if ((rc = aud_entry_event(state->intake_arena, v.mv_data, v.mv_size, &ev)) != 0)
            break;
        if (aud_index_keys(ev, s_product_key, &r) != 0) {
            rc = ENOMEM;
            break;
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    ocop_store_release(state->store);
    if (rc != MDB_NOTFOUND) {
        ocop_error_format(err, errlen, "%s: rebuilding the product index failed at entry %llu: %s",
                          ocop_store_path(state->store), (unsigned long long)(from + n), mdb_strerror(rc));
        atomic_store(&state->products_ready, -1);
        return -1;
    }
    atomic_store(&state->products_ready, 1);
    ocop_log_info("product_index_rebuilt", "entries=%llu products=%zu ms=%lld", (unsigned long long)n,
                  aud_memindex_keys(state->products), (long long)(ocop_now_ms() - started));
    return 0;
}

int aud_state_open_dup_tables(aud_state_t *state, char *err, size_t errlen)
{
    const struct {
        const char *name;
        MDB_dbi *dbi;
        unsigned flags;
    } tables[] = {{"key_entries", &state->db.key_entries, MDB_DUPSORT | MDB_DUPFIXED},
                  {"source_entries", &state->db.source_entries, MDB_DUPSORT | MDB_DUPFIXED},
                  {AUD_TALLY_ENTRIES_TABLE, &state->db.tally.entries, MDB_DUPSORT}};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (ocop_store_dbi(state->store, tables[i].name, tables[i].flags, tables[i].dbi) != 0) {
            ocop_error_format(err, errlen, "%s: cannot open database %s", ocop_store_path(state->store),
                              tables[i].name);
            return -1;
        }
    return 0;
}

int aud_state_open(aud_state_t *state, ocop_store_t *store, const ocop_config_t *config,
                   const ocop_service_config_t *service, char *err, size_t errlen)
{
    memset(state, 0, sizeof *state);
    state->store = store;
    state->service = service;
    state->config = config;
    const ocop_dbi_spec_t dbs[] = {
        {"entries", &state->db.entries}, {"merkle", &state->db.merkle},         {"heads", &state->db.heads},
        {"sources", &state->db.sources}, {"by_time", &state->db.by_time},       {"inspections", &state->db.inspections},
        {"meta", &state->db.meta},       {"tally_sums", &state->db.tally.sums}, {"certified", &state->db.certified},
    };
    if (ocop_store_dbis(store, dbs, sizeof dbs / sizeof dbs[0], err, errlen) != 0 ||
        aud_state_open_dup_tables(state, err, errlen) != 0)
        return -1;
    if (service->source_count == 0) {
        ocop_error_format(err, errlen, "services.%s.sources: an audit service follows at least one source",
                          service->name);
        return -1;
    }
    if (aud_signer_open(&state->signer, ocop_config_keys_dir(config), service->name, err, errlen) != 0)
        return -1;
    if (aud_migrate_nodes(state, err, errlen) != 0 || aud_migrate_indexes(state, err, errlen) != 0)
        return -1;
    state->intake_arena = ocop_arena_new(64 * 1024);
    state->products = aud_memindex_new();
    if (!state->intake_arena || !state->products) {
        ocop_error_format(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void aud_state_close(aud_state_t *state)
{
    aud_signer_close(&state->signer);
    ocop_arena_destroy(&state->intake_arena);
    aud_memindex_destroy(&state->products);
}

static int s_meta_u64(const aud_state_t *state, MDB_txn *txn, const char *name, uint64_t *value)
{
    MDB_val k = {.mv_size = strlen(name), .mv_data = (void *)name}, v;
    int rc = mdb_get(txn, state->db.meta, &k, &v);
    *value = rc == 0 && v.mv_size == 8 ? ocop_be64_get(v.mv_data) : 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int aud_state_size(const aud_state_t *state, MDB_txn *txn, uint64_t *size)
{
    return s_meta_u64(state, txn, "size", size);
}

int aud_state_kept(const aud_state_t *state, MDB_txn *txn, uint64_t *kept)
{
    return s_meta_u64(state, txn, "kept", kept);
}

int aud_state_set_kept(const aud_state_t *state, MDB_txn *txn, uint64_t kept)
{
    uint8_t b[8];
    ocop_be64_put(b, kept);
    MDB_val k = {.mv_size = 4, .mv_data = "kept"}, v = {.mv_size = 8, .mv_data = b};
    return ocop_db_put(txn, state->db.meta, &k, &v, 0);
}

int aud_state_put_key(const aud_state_t *state, MDB_txn *txn, const char *kind, const char *value, uint64_t index)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, kind);
    ocop_key_str(&key, value);
    if (key.overflow)
        return 0; /* no id is that long; such an event is still logged, just not indexed */
    uint8_t ib[8];
    ocop_be64_put(ib, index);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof ib, .mv_data = ib};
    return ocop_db_append_dup(txn, state->db.key_entries, &k, &v);
}

int aud_state_put_sequence(const aud_state_t *state, MDB_txn *txn, const char *section, uint64_t seq, uint64_t index)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, section);
    uint8_t sv[16];
    ocop_be64_put(sv, seq);
    ocop_be64_put(sv + 8, index);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof sv, .mv_data = sv};
    return ocop_db_put(txn, state->db.source_entries, &k, &v, MDB_APPENDDUP);
}

void aud_node_key(ocop_key_t *key, unsigned level, uint64_t index)
{
    ocop_key_init(key);
    ocop_key_u64(key, ((index + 1) << level) - 1);
    ocop_key_u32(key, level);
}

static int s_node_get(void *user, unsigned level, uint64_t index, aud_hash_t *out)
{
    aud_node_ctx_t *ctx = user;
    ocop_key_t key;
    aud_node_key(&key, level, index);
    MDB_val k = ocop_key_val(&key), v;
    int rc = mdb_get(ctx->txn, ctx->state->db.merkle, &k, &v);
    if (rc == 0 && v.mv_size != AUD_HASH_LEN)
        rc = MDB_CORRUPTED;
    if (rc == 0)
        memcpy(out->h, v.mv_data, AUD_HASH_LEN);
    return rc;
}

static int s_node_put(void *user, unsigned level, uint64_t index, const aud_hash_t *hash)
{
    aud_node_ctx_t *ctx = user;
    ocop_key_t key;
    aud_node_key(&key, level, index);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = AUD_HASH_LEN, .mv_data = (void *)hash->h};
    /* aud_merkle_append makes nodes in key order: each goes at the end (MDB_APPEND keeps the
     * pages full, and refuses a node made twice). */
    return ocop_db_put(ctx->txn, ctx->state->db.merkle, &k, &v, MDB_APPEND);
}

void aud_state_nodes(aud_node_ctx_t *ctx, const aud_state_t *state, MDB_txn *txn, aud_nodes_t *out)
{
    ctx->state = state;
    ctx->txn = txn;
    *out = (aud_nodes_t){.get = s_node_get, .put = s_node_put, .user = ctx};
}

int aud_state_size_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *size)
{
    int rc = aud_state_size(ocop_ctx_user(ctx), ocop_ctx_txn(ctx), size);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the log's size");
}

void aud_state_nodes_in(aud_node_ctx_t *nctx, ocop_ctx_t *ctx, aud_nodes_t *out)
{
    aud_state_nodes(nctx, ocop_ctx_user(ctx), ocop_ctx_txn(ctx), out);
}

int aud_state_next_inspection(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *n)
{
    const aud_state_t *state = ocop_ctx_user(ctx);
    MDB_val k = {.mv_size = 11, .mv_data = "inspections"};
    int rc = ocop_counter_add(ocop_ctx_txn(ctx), state->db.meta, &k, 1, n);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "numbering an inspection");
}
