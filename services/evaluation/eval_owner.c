/* eval_owner — see eval_owner.h. */
#include "eval_owner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_record.h"
#include "ocop_scan.h"
#include "ocop_store.h"
#include "ocop_subscriber.h"

static void s_key(ocop_key_t *key, const char *kind, const char *name)
{
    ocop_key_init(key);
    ocop_key_str(key, kind);
    ocop_key_str(key, name);
}

static int s_move_get(const eval_state_t *state, MDB_txn *txn, const char *province, Ocop__EvalProvinceMove **out)
{
    ocop_key_t key;
    s_key(&key, "p", province);
    *out = NULL;
    if (key.overflow)
        return MDB_NOTFOUND;
    MDB_val k = ocop_key_val(&key);
    return ocop_record_get(txn, state->db.moves, &k, &ocop__eval_province_move__descriptor, NULL,
                           (ProtobufCMessage **)out);
}

int eval_owner_province(const eval_state_t *state, MDB_txn *txn, const char *province, eval_owner_t *out)
{
    memset(out, 0, sizeof *out);
    Ocop__EvalProvinceMove *move = NULL;
    int rc = s_move_get(state, txn, province, &move);
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

static ocop_table_t s_moves(ocop_ctx_t *ctx)
{
    return ((const eval_state_t *)ocop_ctx_user(ctx))->db.moves;
}

int eval_owner_move_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, Ocop__EvalProvinceMove **out)
{
    ocop_key_t key;
    s_key(&key, "p", province);
    return ocop_ctx_record(ctx, reply, s_moves(ctx), &key, &ocop__eval_province_move__descriptor, (void **)out);
}

int eval_owner_move_put(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProvinceMove *move)
{
    ocop_key_t key;
    s_key(&key, "p", move->province_code);
    return ocop_ctx_record_put(ctx, reply, s_moves(ctx), &key, &move->base);
}

int eval_owner_move_del(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province)
{
    ocop_key_t key;
    s_key(&key, "p", province);
    return ocop_ctx_erase(ctx, reply, s_moves(ctx), &key);
}

int eval_owner_id_put(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, const char *holder)
{
    ocop_key_t key;
    s_key(&key, "i", id);
    return ocop_ctx_value_put(ctx, reply, s_moves(ctx), &key, holder, strlen(holder));
}

int eval_owner_moves(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProvinceMove ***out, size_t *n)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    *out = NULL;
    *n = 0;
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, "p");
    size_t cap = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, s_moves(ctx), &prefix, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        Ocop__EvalProvinceMove *m =
            ocop__eval_province_move__unpack(ocop_arena_allocator(arena), scan.value.size, scan.value.data);
        if (!m || !(*out = ocop_arena_grow(arena, *out, *n, &cap, sizeof **out))) {
            ocop_scan_fail(&scan, m ? ENOMEM : OCOP_STORE_CORRUPT);
            break;
        }
        (*out)[(*n)++] = m;
    }
    return ocop_ctx_scan_close(ctx, reply, &scan, "reading the shard map");
}

int eval_owner_replica_cursor_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *cursor)
{
    int rc = ocop_subscriber_cursor_get(ocop_ctx_txn(ctx), ((const eval_state_t *)ocop_ctx_user(ctx))->db.cursors,
                                        EVAL_REPLICA_SOURCE, cursor);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the replica's cursor");
}
