/* aud_intake — see aud_intake.h. */
#include "aud_intake.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aud_derived.h"
#include "aud_index.h"
#include "audit.pb-c.h"
#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_record.h"
#include "ocop_scan.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "ocop_stored.h"

static void s_entries_key(ocop_key_t *key, const char *section)
{
    ocop_key_init(key);
    ocop_key_str(key, "entries");
    ocop_key_str(key, section);
}

typedef struct {
    const aud_state_t *state;
    MDB_txn *txn;
    uint64_t index;
} s_keys_t;

static int s_put_key(void *user, const char *kind, const char *value)
{
    s_keys_t *k = user;
    if (strcmp(kind, AUD_KEY_PRODUCT) == 0)
        return aud_memindex_add(k->state->products, value, k->index) == 0 ? 0 : ENOMEM;
    return aud_state_put_key(k->state, k->txn, kind, value, k->index);
}

int aud_intake_apply(void *user, MDB_txn *txn, const Ocop__Event *event, const ProtobufCBinaryData *raw)
{
    aud_source_t *src = user;
    aud_state_t *state = src->state;
    uint64_t index;
    int rc = aud_state_size(state, txn, &index);
    if (rc != 0)
        return rc;
    uint8_t ib[8];
    ocop_be64_put(ib, index);
    /* A large event is kept compressed; its leaf hash, like everything a verifier sees, is
     * over the event's own bytes. */
    ocop_arena_reset(state->intake_arena);
    const void *stored;
    MDB_val k = {.mv_size = 8, .mv_data = ib}, v;
    if (ocop_stored_pack(state->intake_arena, raw->data, raw->len, &stored, &v.mv_size) != 0)
        return ENOMEM;
    v.mv_data = (void *)stored;
    if ((rc = ocop_db_put(txn, state->db.entries, &k, &v, MDB_APPEND)) != 0)
        return rc;
    aud_hash_t leaf;
    aud_leaf_hash(raw->data, raw->len, &leaf);
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_state_nodes(&nctx, state, txn, &nodes);
    if ((rc = aud_merkle_append(&nodes, index, &leaf)) != 0)
        return rc;

    if ((rc = aud_state_put_sequence(state, txn, src->section, event->sequence, index)) != 0)
        return rc;
    s_keys_t keys = {state, txn, index};
    if ((rc = aud_index_keys(event, s_put_key, &keys)) != 0 || (rc = aud_derived_apply(state, txn, index, event)) != 0)
        return rc;
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_u64(&key, (uint64_t)event->time_ms);
    ocop_key_u64(&key, index);
    MDB_val tk = ocop_key_val(&key), empty = {.mv_size = 0, .mv_data = ""};
    if ((rc = ocop_db_put(txn, state->db.by_time, &tk, &empty, 0)) != 0)
        return rc;
    MDB_val sk = {.mv_size = 4, .mv_data = "size"};
    ocop_be64_put(ib, index + 1);
    MDB_val sv = {.mv_size = 8, .mv_data = ib};
    if ((rc = ocop_db_put(txn, state->db.meta, &sk, &sv, 0)) != 0)
        return rc;
    s_entries_key(&key, src->section);
    MDB_val ek = ocop_key_val(&key);
    rc = ocop_counter_add(txn, state->db.meta, &ek, 1, NULL);
    snprintf(src->source, sizeof src->source, "%s", event->source);
    src->shard = event->shard;
    return rc;
}

/* The size of the newest signed head (0 when none). */
static int s_last_head(const aud_state_t *state, MDB_txn *txn, uint64_t *size)
{
    ocop_bytes_t k;
    int rc = ocop_scan_last(txn, state->db.heads, NULL, &k, NULL);
    *size = rc == 0 && k.size == 8 ? ocop_be64_get(k.data) : 0;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Signs and stores the head of the log as txn sees it, unless it is signed already. */
static int s_sign_head(aud_state_t *state, MDB_txn *txn, uint64_t size)
{
    aud_hash_t root;
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_state_nodes(&nctx, state, txn, &nodes);
    int rc = aud_merkle_root(&nodes, size, &root);
    if (rc != 0)
        return rc;
    int64_t now = ocop_now_ms();
    uint8_t signature[crypto_sign_BYTES];
    aud_head_sign(&state->signer, size, &root, now, signature);
    Ocop__AudSignedTreeHead head = OCOP__AUD_SIGNED_TREE_HEAD__INIT;
    head.tree_size = size;
    head.root_hash = (ProtobufCBinaryData){AUD_HASH_LEN, root.h};
    head.timestamp_ms = now;
    head.signature = (ProtobufCBinaryData){sizeof signature, signature};
    head.key_id = state->signer.key_id;
    uint8_t sb[8];
    ocop_be64_put(sb, size);
    MDB_val hk = {.mv_size = 8, .mv_data = sb};
    return ocop_record_put(txn, state->db.heads, &hk, &head.base);
}

int aud_intake_batch_end(void *user, MDB_txn *txn, uint64_t cursor, uint64_t source_last)
{
    aud_source_t *src = user;
    aud_state_t *state = src->state;
    uint64_t size, signed_size;
    int rc = aud_state_size(state, txn, &size);
    if (rc == 0)
        rc = s_last_head(state, txn, &signed_size);
    /* A head per commit under load; a trickle of events is signed by aud_intake_sign_pending. */
    if (rc == 0 && size - signed_size >= AUD_HEAD_EVERY)
        rc = s_sign_head(state, txn, size);
    if (rc != 0)
        return rc;
    int64_t now = ocop_now_ms();
    ocop_key_t key;
    s_entries_key(&key, src->section);
    Ocop__AudSource status = OCOP__AUD_SOURCE__INIT;
    status.name = src->section;
    status.source = src->source;
    status.shard = src->shard;
    status.cursor = cursor;
    MDB_val ek = ocop_key_val(&key);
    if ((rc = ocop_counter_get(txn, state->db.meta, &ek, &status.entries)) != 0)
        return rc;
    status.source_last = source_last > cursor ? source_last : cursor;
    status.lag = status.source_last - cursor;
    status.heard_ms = now;
    status.contiguous = status.entries == cursor;
    ocop_key_init(&key);
    ocop_key_str(&key, src->section);
    MDB_val sk = ocop_key_val(&key);
    return ocop_record_put(txn, state->db.sources, &sk, &status.base);
}

int aud_intake_sign_pending(aud_state_t *state)
{
    ocop_store_hold(state->store);
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    uint64_t size = 0, signed_size = 0;
    if (rc == 0) {
        rc = aud_state_size(state, txn, &size);
        if (rc == 0)
            rc = s_last_head(state, txn, &signed_size);
        if (rc == 0 && size > signed_size)
            rc = s_sign_head(state, txn, size);
        rc = rc == 0 && size > signed_size ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
    }
    ocop_store_release(state->store);
    if (rc == MDB_MAP_FULL && ocop_store_grow(state->store) == 0)
        return aud_intake_sign_pending(state);
    return rc;
}
