/* eval_owner — which provinces and records this shard serves: the config's shard map (version 0
 * of every province), overridden by the moves this shard took part in (eval_move.h), kept in the
 * database `moves`:
 *   "p"|province   -> EvalProvinceMove (this shard's side of the province's last move)
 *   "i"|record id  -> the section that holds the record now: on the shard it left, the target;
 *                     on the shard it came to, itself (ids carry the number of the shard that
 *                     made them, so an id of a moved record needs this entry to be found)
 * Every check costs one lookup in that (small) database. */
#ifndef EVAL_OWNER_H
#define EVAL_OWNER_H

#include <stdbool.h>

#include "eval_state.h"
#include "evaluation.pb-c.h"

typedef enum {
    EVAL_OWNER_SERVES,    /* reads and writes */
    EVAL_OWNER_FENCED,    /* reads; writes wait for the move to end */
    EVAL_OWNER_ELSEWHERE, /* another shard: holder names it */
    EVAL_OWNER_NOBODY,    /* no shard owns the province */
} eval_owner_kind_t;

typedef struct {
    eval_owner_kind_t kind;
    char holder[OCOP_NAME_MAX]; /* ELSEWHERE: the section to ask */
    Ocop__EvalMoveState state;  /* this shard's move record of the province (MOVE_NONE: none) */
    char peer[OCOP_NAME_MAX];   /* the other shard of that move */
    uint64_t version;           /* the province's map version as this shard knows it */
    uint64_t replica_cursor;    /* INCOMING: registration's sequence when the move began */
} eval_owner_t;

/* Who serves province, as this shard knows it inside txn. 0 / MDB error. */
int eval_owner_province(const eval_state_t *state, MDB_txn *txn, const char *province, eval_owner_t *out);

/* 1 when this shard's replica takes registration's events of province (it serves it, fences it,
 * or is receiving it), 0 when not, or an MDB error (negative never: MDB codes are). */
int eval_owner_takes_replica(const eval_state_t *state, MDB_txn *txn, const char *province, bool *takes);

/* The section that holds record id (into holder) when a move placed it: 0, MDB_NOTFOUND when no
 * move did, or an MDB error. */
int eval_owner_id_get(const eval_state_t *state, MDB_txn *txn, const char *id, char *holder, size_t len);

/* eval_owner_province and eval_owner_id_get in the request's transaction, for handlers: 0 (for
 * a holder: the id was placed by a move), 1 (it was not), or -1 with the store error in reply. */
int eval_owner_province_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, eval_owner_t *out);
int eval_owner_holder_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, char *holder, size_t len);

/* For a move's steps, in the request's transaction and arena (0, or -1 with the store error in
 * reply): this shard's move record of province (1 when it has none), writing and removing it;
 * pointing record id at holder; every move record, in province order. */
int eval_owner_move_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, Ocop__EvalProvinceMove **out);
int eval_owner_move_put(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProvinceMove *move);
int eval_owner_move_del(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province);
int eval_owner_id_put(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, const char *holder);
int eval_owner_moves(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProvinceMove ***out, size_t *n);

/* How far this shard's replica of registration has applied (its subscriber's cursor). 0 / -1. */
int eval_owner_replica_cursor_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *cursor);

#endif
