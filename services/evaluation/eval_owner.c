/* eval_owner — see eval_owner.h. */
#include "eval_owner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_record.h"
#include "ocop_scan.h"
#include "ocop_store.h"

static void s_key(ocop_key_t *key, const char *kind, const char *name)
{
    ocop_key_init(key);
    ocop_key_str(key, kind);
    ocop_key_str(key, name);
}

int eval_owner_move_get(const eval_state_t *state, MDB_txn *txn, const char *province, ProtobufCAllocator *allocator,
                        Ocop__EvalProvinceMove **out)
{
    ocop_key_t key;
    s_key(&key, "p", province);
    *out = NULL;
    if (key.overflow)
        return MDB_NOTFOUND;
    MDB_val k = ocop_key_val(&key);
    return ocop_record_get(txn, state->db.moves, &k, &ocop__eval_province_move__descriptor, allocator,
                           (ProtobufCMessage **)out);
}

int eval_owner_move_put(const eval_state_t *state, MDB_txn *txn, const Ocop__EvalProvinceMove *move)
{
    ocop_key_t key;
    s_key(&key, "p", move->province_code);
    if (key.overflow)
        return EINVAL;
    MDB_val k = ocop_key_val(&key);
    return ocop_record_put(txn, state->db.moves, &k, &move->base);
}

int eval_owner_move_del(const eval_state_t *state, MDB_txn *txn, const char *province)
{
    ocop_key_t key;
    s_key(&key, "p", province);
    MDB_val k = ocop_key_val(&key);
    int rc = ocop_db_del(txn, state->db.moves, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int eval_owner_province(const eval_state_t *state, MDB_txn *txn, const char *province, eval_owner_t *out)
{
    memset(out, 0, sizeof *out);
    Ocop__EvalProvinceMove *move = NULL;
    int rc = eval_owner_move_get(state, txn, province, NULL, &move);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    if (move) {
        out->state = move->state;
        out->version = move->version;
        out->replica_cursor = move->replica_cursor;
        snprintf(out->peer, sizeof out->peer, "%s", move->peer);
        ocop__eval_province_move__free_unpacked(move, NULL);
    }
    switch (out->state) {
    case OCOP__EVAL_MOVE_STATE__MOVE_OWNED:
        out->kind = EVAL_OWNER_SERVES;
        return 0;
    case OCOP__EVAL_MOVE_STATE__MOVE_FENCED:
        out->kind = EVAL_OWNER_FENCED;
        return 0;
    case OCOP__EVAL_MOVE_STATE__MOVE_INCOMING: /* the source serves until the move commits */
    case OCOP__EVAL_MOVE_STATE__MOVE_GONE:
        out->kind = EVAL_OWNER_ELSEWHERE;
        snprintf(out->holder, sizeof out->holder, "%s", out->peer);
        return 0;
    default:
        break;
    }
    if (ocop_service_owns(state->service, province))
        out->kind = EVAL_OWNER_SERVES;
    else if (ocop_config_shard_owner(state->config, EVAL_GROUP, province, out->holder, sizeof out->holder) == 0)
        out->kind = EVAL_OWNER_ELSEWHERE;
    else
        out->kind = EVAL_OWNER_NOBODY;
    return 0;
}

int eval_owner_takes_replica(const eval_state_t *state, MDB_txn *txn, const char *province, bool *takes)
{
    eval_owner_t o;
    int rc = eval_owner_province(state, txn, province, &o);
    *takes = rc == 0 && (o.kind == EVAL_OWNER_SERVES || o.kind == EVAL_OWNER_FENCED ||
                         o.state == OCOP__EVAL_MOVE_STATE__MOVE_INCOMING);
    return rc;
}

int eval_owner_id_get(const eval_state_t *state, MDB_txn *txn, const char *id, char *holder, size_t len)
{
    ocop_key_t key;
    s_key(&key, "i", id);
    if (key.overflow)
        return MDB_NOTFOUND;
    MDB_val k = ocop_key_val(&key), v;
    int rc = mdb_get(txn, state->db.moves, &k, &v);
    if (rc != 0)
        return rc;
    if (v.mv_size == 0 || v.mv_size >= len || memchr(v.mv_data, '\0', v.mv_size))
        return MDB_CORRUPTED;
    memcpy(holder, v.mv_data, v.mv_size);
    holder[v.mv_size] = '\0';
    return 0;
}

int eval_owner_id_put(const eval_state_t *state, MDB_txn *txn, const char *id, const char *holder)
{
    ocop_key_t key;
    s_key(&key, "i", id);
    if (key.overflow)
        return EINVAL;
    MDB_val k = ocop_key_val(&key), v = {strlen(holder), (void *)holder};
    return ocop_db_put(txn, state->db.moves, &k, &v, 0);
}

int eval_owner_moves(const eval_state_t *state, MDB_txn *txn, ProtobufCAllocator *allocator,
                     Ocop__EvalProvinceMove ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, "p");
    size_t cap = 0;
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, state->db.moves, &prefix, NULL);
    while (rc == 0 && ocop_scan_next(&scan)) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            Ocop__EvalProvinceMove **grown = allocator->alloc(allocator->allocator_data, cap * sizeof *grown);
            if (!grown) {
                ocop_scan_fail(&scan, ENOMEM);
                break;
            }
            if (*n)
                memcpy(grown, *out, *n * sizeof *grown);
            *out = grown;
        }
        Ocop__EvalProvinceMove *m = ocop__eval_province_move__unpack(allocator, scan.value.size, scan.value.data);
        if (!m) {
            ocop_scan_fail(&scan, MDB_CORRUPTED);
            break;
        }
        (*out)[(*n)++] = m;
    }
    return ocop_scan_close(&scan, rc);
}

int eval_owner_province_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, eval_owner_t *out)
{
    int rc = eval_owner_province(ocop_ctx_user(ctx), ocop_ctx_txn(ctx), province, out);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the shard map");
}

int eval_owner_holder_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, char *holder, size_t len)
{
    int rc = eval_owner_id_get(ocop_ctx_user(ctx), ocop_ctx_txn(ctx), id, holder, len);
    if (rc == MDB_NOTFOUND)
        return 1;
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the shard map");
}
