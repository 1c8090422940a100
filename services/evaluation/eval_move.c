/* eval_move — a shard's side of moving a province between running shards (the steps are listed
 * in evaluation.proto, the orchestration is ocopctl's `shard move`, the state eval_owner.h's).
 *
 * The copy is a range sync: the source reads a table in key order, a bounded run of keys at a
 * time, and sends the province's records of that run with the run's first and last key; the
 * target writes those that differ from its own and deletes its records of the province in the
 * run that the source no longer has (EvalMoveImport), or only says whether it would
 * (EvalMoveCompare, a read). The first copy runs while the source serves as usual; the second,
 * under the fence, compares each chunk and imports only those that differ, so the fence lasts as
 * long as reading the province and writing what changed since the first.
 *
 * Products are kept by both shards' replicas of registration while the province moves (the
 * target's from the moment it began), so a product's registration fields are taken from
 * whichever of the two applied the later event (EvalProduct.replica_sequence); its evaluation
 * fields (rating, session, attestation) always from the source, which alone wrote them.
 *
 * Only the operators' key may send the steps (ocop_ctx_peer): the gateway, trusted to name any
 * caller, cannot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_handlers.h"
#include "eval_move_tables.h"
#include "eval_owner.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_scan.h"
#include "ocop_subscriber.h"

#define S_OPERATOR "ocopctl"
#define S_CHUNK_BYTES (256 * 1024) /* of records per chunk: well inside a request's limit */
#define S_CHUNK_SCAN 20000         /* keys read per chunk, of any province */
#define S_REPLICA_SOURCE "registration"

static int s_operator(ocop_ctx_t *ctx, Ocop__Reply *reply)
{
    if (strcmp(ocop_ctx_peer(ctx), S_OPERATOR) == 0)
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "",
                         "moving a province is an operator's step: only the %s key may send it", S_OPERATOR);
}

/* field names another evaluation shard of the config. 0 / -1. */
static int s_check_peer(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *name)
{
    eval_state_t *state = eval_state(ctx);
    char shards[64][OCOP_NAME_MAX];
    size_t n = ocop_config_shards(state->config, EVAL_GROUP, shards, 64);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(shards[i], name) == 0)
            return strcmp(name, state->service->name) == 0
                       ? ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is this shard", field)
                       : 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s '%.40s' is not an evaluation shard of the config",
                         field, name ? name : "");
}

static uint64_t s_replica_cursor(ocop_ctx_t *ctx, int *rc)
{
    uint64_t cursor = 0;
    *rc = ocop_subscriber_cursor_get(ocop_ctx_txn(ctx), eval_state(ctx)->db.cursors, S_REPLICA_SOURCE, &cursor);
    return cursor;
}

/* This shard's move record of province, a fresh one (MOVE_NONE) when it has none. */
static Ocop__EvalProvinceMove *s_move_of(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province)
{
    Ocop__EvalProvinceMove *m = NULL;
    int rc = eval_owner_move_get(eval_state(ctx), ocop_ctx_txn(ctx), province,
                                 ocop_arena_allocator(ocop_ctx_arena(ctx)), &m);
    if (rc == MDB_NOTFOUND) {
        m = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *m);
        ocop__eval_province_move__init(m);
        m->province_code = ocop_arena_strdup(ocop_ctx_arena(ctx), province);
    } else if (rc != 0) {
        ocop_ctx_db_error(ctx, reply, rc, "reading the shard map");
        return NULL;
    }
    return m;
}

/* Stores move as this shard's state of its province, publishes it, answers with it. */
static int s_record(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProvinceMove *move, uint32_t records)
{
    move->time_ms = ocop_ctx_now_ms(ctx);
    int rc = move->state == OCOP__EVAL_MOVE_STATE__MOVE_NONE
                 ? eval_owner_move_del(eval_state(ctx), ocop_ctx_txn(ctx), move->province_code)
                 : eval_owner_move_put(eval_state(ctx), ocop_ctx_txn(ctx), move);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "writing the shard map");
    Ocop__EvalProvinceMoveChanged body = OCOP__EVAL_PROVINCE_MOVE_CHANGED__INIT;
    body.move = move;
    body.records = records;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_PROVINCE_MOVE;
    reply->eval_province_move = move;
    return 0;
}

/* The same state again: a repeated step answers what it did. */
static int s_already(Ocop__Reply *reply, Ocop__EvalProvinceMove *move)
{
    reply->body_case = OCOP__REPLY__BODY_EVAL_PROVINCE_MOVE;
    reply->eval_province_move = move;
    return 0;
}

static int s_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, eval_owner_t *owner)
{
    if (ocop_ctx_check_text(ctx, reply, "province_code", province, 1, 7) != 0)
        return -1;
    int rc = eval_owner_province(eval_state(ctx), ocop_ctx_txn(ctx), province, owner);
    return rc != 0 ? ocop_ctx_db_error(ctx, reply, rc, "reading the shard map") : 0;
}

/* ---------------------------------------------------------------- records of a province */

typedef struct {
    MDB_val *keys;
    size_t n, cap;
} s_keys_t;

static int s_keys_add(ocop_arena_t *arena, s_keys_t *keys, const MDB_val *k)
{
    keys->keys = ocop_arena_grow(arena, keys->keys, keys->n, &keys->cap, sizeof *keys->keys);
    MDB_val *copy = &keys->keys[keys->n++];
    copy->mv_size = k->mv_size;
    copy->mv_data = ocop_arena_alloc(arena, k->mv_size ? k->mv_size : 1);
    memcpy(copy->mv_data, k->mv_data, k->mv_size);
    return 0;
}

/* Calls fn on every record of province in table (keys copied, so fn may write). 0 / MDB error. */
typedef int (*s_each_fn)(ocop_ctx_t *ctx, eval_table_t table, const MDB_val *k, void *arg);
static int s_each(ocop_ctx_t *ctx, eval_table_t table, const char *province, s_each_fn fn, void *arg)
{
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    MDB_txn *txn = ocop_ctx_txn(ctx);
    s_keys_t keys = {0};
    eval_parent_cache_t cache = {0};
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, eval_move_table_dbi(state, table), NULL, NULL);
    while (rc == 0 && ocop_scan_next(&scan)) {
        bool yes;
        MDB_val k = ocop_bytes_val(scan.key), v = ocop_bytes_val(scan.value);
        int brc = eval_move_belongs(state, txn, table, &k, &v, province, &cache, &yes);
        if (brc != 0) {
            ocop_scan_fail(&scan, brc);
            break;
        }
        if (yes)
            s_keys_add(arena, &keys, &k);
    }
    rc = ocop_scan_close(&scan, rc);
    for (size_t i = 0; i < keys.n && rc == 0; i++)
        rc = fn(ctx, table, &keys.keys[i], arg);
    return rc;
}

typedef struct {
    const char *holder;
    uint32_t count;
} s_ids_t;

static int s_id_point(ocop_ctx_t *ctx, eval_table_t table, const MDB_val *k, void *arg)
{
    s_ids_t *ids = arg;
    const char *id = eval_move_record_id(table, k, ocop_ctx_arena(ctx));
    ids->count++;
    return id ? eval_owner_id_put(eval_state(ctx), ocop_ctx_txn(ctx), id, ids->holder) : 0;
}

static int s_delete(ocop_ctx_t *ctx, eval_table_t table, const MDB_val *k, void *arg)
{
    (*(uint32_t *)arg)++;
    return ocop_db_del(ocop_ctx_txn(ctx), eval_move_table_dbi(eval_state(ctx), table), (MDB_val *)k, NULL);
}

/* Points every id of province's records (ids_only: those a request can name) at holder. */
static int s_point_ids(ocop_ctx_t *ctx, const char *province, const char *holder, uint32_t *count)
{
    static const eval_table_t with_ids[] = {EVAL_TABLE_PRODUCTS, EVAL_TABLE_COUNCILS, EVAL_TABLE_SESSIONS,
                                            EVAL_TABLE_CERTIFICATES, EVAL_TABLE_ROUNDS};
    s_ids_t ids = {.holder = holder};
    int rc = 0;
    for (size_t i = 0; i < sizeof with_ids / sizeof with_ids[0] && rc == 0; i++)
        rc = s_each(ctx, with_ids[i], province, s_id_point, &ids);
    *count = ids.count;
    return rc;
}

/* Deletes every record of province, children before parents (a child finds its province through
 * its parent). */
static int s_forget(ocop_ctx_t *ctx, const char *province, uint32_t *count)
{
    int rc = 0;
    for (int t = EVAL_TABLE_COUNT; t >= 1 && rc == 0; t--)
        rc = s_each(ctx, (eval_table_t)t, province, s_delete, count);
    return rc;
}

/* The checks every step makes (the operators' key, a province, the other shard a config's shard
 * other than this one) and this shard's move record of the province; NULL after failing reply. */
static Ocop__EvalProvinceMove *s_step_open(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province,
                                           const char *peer_field, const char *peer, eval_owner_t *owner)
{
    if (s_operator(ctx, reply) != 0 || s_province(ctx, reply, province, owner) != 0 ||
        s_check_peer(ctx, reply, peer_field, peer) != 0)
        return NULL;
    return s_move_of(ctx, reply, province);
}

/* ---------------------------------------------------------------- steps */

int eval_handle_move_begin(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveBegin *in = req->eval_move_begin;
    eval_owner_t owner;
    Ocop__EvalProvinceMove *move = s_step_open(ctx, reply, in->province_code, "from", in->from, &owner);
    if (!move)
        return -1;
    if (move->state == OCOP__EVAL_MOVE_STATE__MOVE_INCOMING && strcmp(move->peer, in->from) == 0)
        return s_already(reply, move);
    if (owner.kind == EVAL_OWNER_SERVES || owner.kind == EVAL_OWNER_FENCED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "province_code", "this shard serves province %s already",
                             in->province_code);
    if (owner.state == OCOP__EVAL_MOVE_STATE__MOVE_INCOMING)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "from", "province %s is moving here from %s already",
                             in->province_code, owner.peer);
    int rc;
    uint64_t cursor = s_replica_cursor(ctx, &rc);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the replica's cursor");
    move->state = OCOP__EVAL_MOVE_STATE__MOVE_INCOMING;
    move->peer = in->from;
    move->replica_cursor = cursor;
    return s_record(ctx, reply, move, 0);
}

int eval_handle_move_fence(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveFence *in = req->eval_move_fence;
    eval_owner_t owner;
    Ocop__EvalProvinceMove *move = s_step_open(ctx, reply, in->province_code, "to", in->to, &owner);
    if (!move)
        return -1;
    bool fenced = owner.kind == EVAL_OWNER_FENCED;
    if (fenced && strcmp(move->peer, in->to) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "to", "province %s is moving to %s, not %s",
                             in->province_code, move->peer, in->to);
    if (in->lift) {
        if (!fenced) /* nothing to lift: a repeated step */
            return s_already(reply, move);
        /* Back to what it was: the config's map, or the move that brought it here. */
        move->state = move->version == 0 && ocop_service_owns(eval_state(ctx)->service, in->province_code)
                          ? OCOP__EVAL_MOVE_STATE__MOVE_NONE
                          : OCOP__EVAL_MOVE_STATE__MOVE_OWNED;
        return s_record(ctx, reply, move, 0);
    }
    if (fenced)
        return s_already(reply, move);
    if (owner.kind != EVAL_OWNER_SERVES)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "province_code",
                             "this shard does not serve province %s%s%s", in->province_code,
                             *owner.holder ? "; it is on " : "", owner.holder);
    move->state = OCOP__EVAL_MOVE_STATE__MOVE_FENCED;
    move->peer = in->to;
    return s_record(ctx, reply, move, 0);
}

int eval_handle_move_export(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveExport *in = req->eval_move_export;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    MDB_txn *txn = ocop_ctx_txn(ctx);
    eval_owner_t owner;
    if (s_operator(ctx, reply) != 0 || s_province(ctx, reply, in->province_code, &owner) != 0)
        return -1;
    if (owner.kind != EVAL_OWNER_SERVES && owner.kind != EVAL_OWNER_FENCED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "province_code",
                             "this shard does not serve province %s: it has nothing of it to copy", in->province_code);
    if (in->table < 1 || in->table > EVAL_TABLE_COUNT)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "table", "table is 1 to %d", EVAL_TABLE_COUNT);
    if (!in->first && in->after.len == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "after", "after is required unless first is set");
    eval_table_t table = (eval_table_t)in->table;
    Ocop__EvalMoveChunk *chunk = ocop_arena_alloc(arena, sizeof *chunk);
    ocop__eval_move_chunk__init(chunk);
    chunk->province_code = in->province_code;
    chunk->table = in->table;
    chunk->table_name = (char *)eval_move_table_name(table);
    chunk->tables = EVAL_TABLE_COUNT;
    chunk->first = in->first;
    chunk->after = in->first ? (ProtobufCBinaryData){0, NULL} : in->after;
    chunk->version = owner.version;
    int rc;
    chunk->replica_cursor = s_replica_cursor(ctx, &rc);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the replica's cursor");

    MDB_cursor *cur;
    if ((rc = mdb_cursor_open(txn, eval_move_table_dbi(state, table), &cur)) != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a table to copy");
    MDB_val k = {in->after.len, in->after.data}, v;
    rc = mdb_cursor_get(cur, &k, &v, in->first ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == 0 && !in->first && k.mv_size == in->after.len && memcmp(k.mv_data, in->after.data, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    size_t scanned = 0, bytes = 0, cap = 0;
    eval_parent_cache_t cache = {0};
    for (; rc == 0 && scanned < S_CHUNK_SCAN && bytes < S_CHUNK_BYTES;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), scanned++) {
        bool yes;
        int brc = eval_move_belongs(state, txn, table, &k, &v, in->province_code, &cache, &yes);
        if (brc != 0) {
            rc = brc;
            break;
        }
        chunk->last.len = k.mv_size;
        chunk->last.data = ocop_arena_alloc(arena, k.mv_size);
        memcpy(chunk->last.data, k.mv_data, k.mv_size);
        if (!yes)
            continue;
        chunk->records = ocop_arena_grow(arena, chunk->records, chunk->n_records, &cap, sizeof *chunk->records);
        Ocop__EvalMoveRecord *r = ocop_arena_alloc(arena, sizeof *r);
        ocop__eval_move_record__init(r);
        r->key = chunk->last;
        r->value.len = v.mv_size;
        r->value.data = ocop_arena_alloc(arena, v.mv_size ? v.mv_size : 1);
        memcpy(r->value.data, v.mv_data, v.mv_size);
        chunk->records[chunk->n_records++] = r;
        bytes += k.mv_size + v.mv_size + 8;
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a table to copy");
    chunk->table_done = rc == MDB_NOTFOUND;
    reply->body_case = OCOP__REPLY__BODY_EVAL_MOVE_CHUNK;
    reply->eval_move_chunk = chunk;
    return 0;
}

/* ---------------------------------------------------------------- import */

/* The target's product have and the source's in: the source's, with registration's fields from
 * have when have's replica applied a later event. The merged record packed into out. */
static int s_product_merge(ocop_arena_t *arena, const MDB_val *have, const ProtobufCBinaryData *in,
                           ProtobufCBinaryData *out)
{
    ProtobufCAllocator *a = ocop_arena_allocator(arena);
    Ocop__EvalProduct *t = ocop__eval_product__unpack(a, have->mv_size, have->mv_data);
    Ocop__EvalProduct *s = ocop__eval_product__unpack(a, in->len, in->data);
    if (!t || !s)
        return MDB_CORRUPTED;
    *out = *in;
    if (t->replica_sequence <= s->replica_sequence)
        return 0;
    s->stage = t->stage;
    if (!t->replica_stage_only) {
        s->entity_id = t->entity_id;
        s->name = t->name;
        s->province_code = t->province_code;
        s->district_code = t->district_code;
        s->commune_code = t->commune_code;
        s->catalogue_version = t->catalogue_version;
        s->sector_code = t->sector_code;
        s->product_set_code = t->product_set_code;
    }
    s->replica_sequence = t->replica_sequence;
    out->len = ocop__eval_product__get_packed_size(s);
    out->data = ocop_arena_alloc(arena, out->len ? out->len : 1);
    ocop__eval_product__pack(s, out->data);
    return 0;
}

/* Whether key k is one of the chunk's records (they are in key order). */
static bool s_in_chunk(MDB_txn *txn, MDB_dbi dbi, const Ocop__EvalMoveChunk *chunk, const MDB_val *k)
{
    size_t lo = 0, hi = chunk->n_records;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        MDB_val m = {chunk->records[mid]->key.len, chunk->records[mid]->key.data};
        int c = mdb_cmp(txn, dbi, &m, (MDB_val *)k);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Refuses a chunk whose records are not in strictly increasing key order inside its range. */
static int s_chunk_check(ocop_ctx_t *ctx, Ocop__Reply *reply, MDB_dbi dbi, const Ocop__EvalMoveChunk *chunk)
{
    MDB_txn *txn = ocop_ctx_txn(ctx);
    MDB_val after = {chunk->after.len, chunk->after.data}, last = {chunk->last.len, chunk->last.data};
    if (!chunk->first && chunk->after.len == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.after", "after is required unless first is set");
    for (size_t i = 0; i < chunk->n_records; i++) {
        MDB_val k = {chunk->records[i]->key.len, chunk->records[i]->key.data};
        if (k.mv_size == 0 || k.mv_size > OCOP_KEY_MAX ||
            (!chunk->first && i == 0 && mdb_cmp(txn, dbi, &k, &after) <= 0) ||
            (i > 0 &&
             mdb_cmp(txn, dbi, &k, &(MDB_val){chunk->records[i - 1]->key.len, chunk->records[i - 1]->key.data}) <= 0) ||
            mdb_cmp(txn, dbi, &k, &last) > 0)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.records",
                                 "record %zu is out of key order or outside the chunk's range", i);
    }
    return 0;
}

/* The checks an import and a compare share: the operators' key, the province moving here from
 * `from`, a chunk in order. Its table, or 0 after failing reply. */
static eval_table_t s_chunk_accept(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk,
                                   const char *from)
{
    eval_owner_t owner;
    if (s_operator(ctx, reply) != 0)
        return 0;
    if (!chunk) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk", "chunk is required");
        return 0;
    }
    if (s_province(ctx, reply, chunk->province_code, &owner) != 0)
        return 0;
    if (owner.state != OCOP__EVAL_MOVE_STATE__MOVE_INCOMING || strcmp(owner.peer, from) != 0) {
        ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "from",
                      "province %s is not moving here from %.40s (begin the move first)", chunk->province_code, from);
        return 0;
    }
    if (chunk->table < 1 || chunk->table > EVAL_TABLE_COUNT) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.table", "table is 1 to %d", EVAL_TABLE_COUNT);
        return 0;
    }
    eval_table_t table = (eval_table_t)chunk->table;
    return s_chunk_check(ctx, reply, eval_move_table_dbi(eval_state(ctx), table), chunk) == 0 ? table : 0;
}

/* The chunk's records written where they differ from this shard's (apply), or only counted, into
 * result. 0, or -1 after failing reply. */
static int s_sync_records(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk, eval_table_t table,
                          bool apply, eval_parent_cache_t *cache, Ocop__EvalMoveImported *result)
{
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    MDB_txn *txn = ocop_ctx_txn(ctx);
    MDB_dbi dbi = eval_move_table_dbi(state, table);
    int rc = 0;
    for (size_t i = 0; i < chunk->n_records && rc == 0; i++) {
        const Ocop__EvalMoveRecord *r = chunk->records[i];
        MDB_val k = {r->key.len, r->key.data}, incoming = {r->value.len, r->value.data}, have;
        bool yes;
        if ((rc = eval_move_belongs(state, txn, table, &k, &incoming, chunk->province_code, cache, &yes)) != 0)
            break;
        if (!yes && !apply) { /* its parent is in the chunk, not written yet */
            result->written++;
            continue;
        }
        if (!yes)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.records", "record %zu of %s is not of province %s",
                                 i, eval_move_table_name(table), chunk->province_code);
        ProtobufCBinaryData value = r->value;
        if (value.len == 0)
            value.data = (uint8_t *)""; /* protobuf-c leaves empty bytes NULL */
        rc = mdb_get(txn, dbi, &k, &have);
        if (rc == 0 && table == EVAL_TABLE_PRODUCTS)
            rc = s_product_merge(arena, &have, &r->value, &value);
        if (rc == 0 && have.mv_size == value.len && memcmp(have.mv_data, value.data, value.len) == 0) {
            result->unchanged++;
            continue;
        }
        if (rc != 0 && rc != MDB_NOTFOUND)
            break;
        MDB_val put = {value.len, value.data};
        if (!apply || (rc = ocop_db_put(txn, dbi, &k, &put, 0)) == 0) {
            rc = 0;
            result->written++;
        }
    }
    return rc != 0 ? ocop_ctx_db_error(ctx, reply, rc, "writing a copied record") : 0;
}

/* The province's records in the chunk's range that the source no longer has: deleted (apply), or
 * only counted, into result. A product the target's replica took after the source's had read it
 * stays. 0, or -1 after failing reply. */
static int s_sync_gone(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk, eval_table_t table,
                       bool apply, eval_parent_cache_t *cache, Ocop__EvalMoveImported *result)
{
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    MDB_txn *txn = ocop_ctx_txn(ctx);
    MDB_dbi dbi = eval_move_table_dbi(state, table);
    s_keys_t gone = {0};
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a table to copy");
    MDB_val k = {chunk->after.len, chunk->after.data}, v, last = {chunk->last.len, chunk->last.data};
    rc = mdb_cursor_get(cur, &k, &v, chunk->first ? MDB_FIRST : MDB_SET_RANGE);
    if (rc == 0 && !chunk->first && k.mv_size == chunk->after.len &&
        memcmp(k.mv_data, chunk->after.data, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (!chunk->table_done && (chunk->last.len == 0 || mdb_cmp(txn, dbi, &k, &last) > 0))
            break;
        bool yes;
        if (s_in_chunk(txn, dbi, chunk, &k))
            continue;
        if ((rc = eval_move_belongs(state, txn, table, &k, &v, chunk->province_code, cache, &yes)) != 0)
            break;
        if (!yes)
            continue;
        if (table == EVAL_TABLE_PRODUCTS) {
            Ocop__EvalProduct *p = ocop__eval_product__unpack(ocop_arena_allocator(arena), v.mv_size, v.mv_data);
            if (!p) {
                rc = MDB_CORRUPTED;
                break;
            }
            if (p->replica_sequence > chunk->replica_cursor)
                continue;
        }
        s_keys_add(arena, &gone, &k);
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a table to copy");
    for (size_t i = 0; i < gone.n; i++) {
        if (apply && (rc = ocop_db_del(txn, dbi, &gone.keys[i], NULL)) != 0)
            return ocop_ctx_db_error(ctx, reply, rc, "deleting a record the source no longer has");
        result->deleted++;
    }
    return 0;
}

/* A chunk synchronised (apply) or compared: the reply counts what was or would be written and
 * deleted. 0, or -1 after failing reply. */
static int s_sync(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk, eval_table_t table, bool apply)
{
    Ocop__EvalMoveImported *result = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *result);
    ocop__eval_move_imported__init(result);
    eval_parent_cache_t cache = {0};
    if (s_sync_records(ctx, reply, chunk, table, apply, &cache, result) != 0 ||
        s_sync_gone(ctx, reply, chunk, table, apply, &cache, result) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_MOVE_IMPORTED;
    reply->eval_move_imported = result;
    return 0;
}

int eval_handle_move_import(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveImport *in = req->eval_move_import;
    eval_table_t table = s_chunk_accept(ctx, reply, in->chunk, in->from);
    return table ? s_sync(ctx, reply, in->chunk, table, true) : -1;
}

int eval_handle_move_compare(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveCompare *in = req->eval_move_compare;
    eval_table_t table = s_chunk_accept(ctx, reply, in->chunk, in->from);
    return table ? s_sync(ctx, reply, in->chunk, table, false) : -1;
}

/* ---------------------------------------------------------------- the end of a move */

int eval_handle_move_commit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveCommit *in = req->eval_move_commit;
    eval_owner_t owner;
    Ocop__EvalProvinceMove *move = s_step_open(ctx, reply, in->province_code, "from", in->from, &owner);
    if (!move)
        return -1;
    if (move->state == OCOP__EVAL_MOVE_STATE__MOVE_OWNED && strcmp(move->peer, in->from) == 0 &&
        move->version == in->version + 1)
        return s_already(reply, move);
    if (move->state != OCOP__EVAL_MOVE_STATE__MOVE_INCOMING || strcmp(move->peer, in->from) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "from", "province %s is not moving here from %s",
                             in->province_code, in->from);
    uint32_t records = 0;
    int rc = s_point_ids(ctx, in->province_code, eval_state(ctx)->service->name, &records);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "recording the province's ids");
    move->state = OCOP__EVAL_MOVE_STATE__MOVE_OWNED;
    move->version = in->version + 1;
    move->replica_cursor = 0;
    return s_record(ctx, reply, move, records);
}

int eval_handle_move_release(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveRelease *in = req->eval_move_release;
    eval_owner_t owner;
    Ocop__EvalProvinceMove *move = s_step_open(ctx, reply, in->province_code, "to", in->to, &owner);
    if (!move)
        return -1;
    uint32_t records = 0;
    int rc;
    switch (move->state) {
    case OCOP__EVAL_MOVE_STATE__MOVE_GONE:
        if (strcmp(move->peer, in->to) == 0)
            return s_already(reply, move);
        break;
    case OCOP__EVAL_MOVE_STATE__MOVE_FENCED:
        /* The source: every id of the province now points at the target, then its records go. */
        if (strcmp(move->peer, in->to) != 0)
            break;
        if ((rc = s_point_ids(ctx, in->province_code, in->to, &records)) != 0 ||
            (rc = s_forget(ctx, in->province_code, &(uint32_t){0})) != 0)
            return ocop_ctx_db_error(ctx, reply, rc, "forgetting the province");
        move->state = OCOP__EVAL_MOVE_STATE__MOVE_GONE;
        move->version++;
        return s_record(ctx, reply, move, records);
    case OCOP__EVAL_MOVE_STATE__MOVE_INCOMING:
        /* The target of an abandoned move: what was copied goes, the map is as before. */
        if (strcmp(move->peer, in->to) != 0)
            break;
        if ((rc = s_forget(ctx, in->province_code, &records)) != 0)
            return ocop_ctx_db_error(ctx, reply, rc, "forgetting the province");
        move->state = move->version ? OCOP__EVAL_MOVE_STATE__MOVE_GONE : OCOP__EVAL_MOVE_STATE__MOVE_NONE;
        return s_record(ctx, reply, move, records);
    default:
        break;
    }
    return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "to",
                         "province %s is neither fenced for a move to %s nor moving here from it", in->province_code,
                         in->to);
}

int eval_handle_move_map_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    (void)req;
    eval_state_t *state = eval_state(ctx);
    Ocop__EvalMoveMap *map = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *map);
    ocop__eval_move_map__init(map);
    map->shard = (char *)state->service->name;
    int rc = eval_owner_moves(state, ocop_ctx_txn(ctx), ocop_arena_allocator(ocop_ctx_arena(ctx)), &map->moves,
                              &map->n_moves);
    if (rc == 0)
        map->replica_cursor = s_replica_cursor(ctx, &rc);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the shard map");
    reply->body_case = OCOP__REPLY__BODY_EVAL_MOVE_MAP;
    reply->eval_move_map = map;
    return 0;
}
