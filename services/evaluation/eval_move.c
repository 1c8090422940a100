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
#include "ocop_error.h"

#define S_OPERATOR "ocopctl"
#define S_CHUNK_BYTES (256 * 1024) /* of records per chunk: well inside a request's limit */
#define S_CHUNK_SCAN 20000         /* keys read per chunk, of any province */

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

/* This shard's move record of province, a fresh one (MOVE_NONE) when it has none. */
static Ocop__EvalProvinceMove *s_move_of(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province)
{
    Ocop__EvalProvinceMove *m;
    int rc = eval_owner_move_in(ctx, reply, province, &m);
    if (rc == 1) {
        m = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *m);
        ocop__eval_province_move__init(m);
        m->province_code = ocop_arena_strdup(ocop_ctx_arena(ctx), province);
    }
    return m;
}

/* Stores move as this shard's state of its province, publishes it, answers with it. */
static int s_record(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProvinceMove *move, uint32_t records)
{
    move->time_ms = ocop_ctx_now_ms(ctx);
    if ((move->state == OCOP__EVAL_MOVE_STATE__MOVE_NONE ? eval_owner_move_del(ctx, reply, move->province_code)
                                                         : eval_owner_move_put(ctx, reply, move)) != 0)
        return -1;
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
    return eval_owner_province_in(ctx, reply, province, owner);
}

/* ---------------------------------------------------------------- records of a province */

/* Keys copied out of the store's pages, their bytes only (a province can hold hundreds of
 * thousands of records: a whole ocop_key_t each would be ten times the memory). */
typedef struct {
    ocop_bytes_t *keys;
    size_t n, cap;
} s_keys_t;

/* Copies k (from the store or a chunk). 0, or -1 with reply failed. */
static int s_keys_add(ocop_ctx_t *ctx, Ocop__Reply *reply, s_keys_t *keys, ocop_bytes_t k)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    uint8_t *data = ocop_arena_alloc(arena, k.size ? k.size : 1);
    if (!data || !(keys->keys = ocop_arena_grow(arena, keys->keys, keys->n, &keys->cap, sizeof *keys->keys)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "out of memory listing a province's records");
    memcpy(data, k.data, k.size);
    keys->keys[keys->n++] = (ocop_bytes_t){data, k.size};
    return 0;
}

/* The i-th copied key as a key to look up with (it came from the store: it fits). */
static ocop_key_t s_keys_at(const s_keys_t *keys, size_t i)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_bytes(&key, keys->keys[i].data, keys->keys[i].size);
    return key;
}

/* Calls fn on every record of province in table (keys copied, so fn may write). 0, or -1 with
 * reply failed. */
typedef int (*s_each_fn)(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, const ocop_key_t *k, void *arg);
static int s_each(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, const char *province, s_each_fn fn,
                  void *arg)
{
    s_keys_t keys = {0};
    eval_parent_cache_t cache = {0};
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, eval_move_table(eval_state(ctx), table), NULL, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        bool yes;
        if (eval_move_belongs(ctx, reply, table, scan.key, scan.value, province, &cache, &yes) != 0 ||
            (yes && s_keys_add(ctx, reply, &keys, scan.key) != 0)) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading a province's records") != 0)
        return -1;
    for (size_t i = 0; i < keys.n; i++) {
        ocop_key_t key = s_keys_at(&keys, i);
        if (fn(ctx, reply, table, &key, arg) != 0)
            return -1;
    }
    return 0;
}

typedef struct {
    const char *holder;
    uint32_t count;
} s_ids_t;

static int s_id_point(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, const ocop_key_t *k, void *arg)
{
    s_ids_t *ids = arg;
    const char *id = eval_move_record_id(table, (ocop_bytes_t){k->buf, k->len}, ocop_ctx_arena(ctx));
    ids->count++;
    return id ? eval_owner_id_put(ctx, reply, id, ids->holder) : 0;
}

static int s_delete(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, const ocop_key_t *k, void *arg)
{
    (*(uint32_t *)arg)++;
    return ocop_ctx_erase(ctx, reply, eval_move_table(eval_state(ctx), table), k);
}

/* Points every id of province's records (ids_only: those a request can name) at holder. 0, or
 * -1 with reply failed. */
static int s_point_ids(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, const char *holder, uint32_t *count)
{
    static const eval_table_t with_ids[] = {EVAL_TABLE_PRODUCTS, EVAL_TABLE_COUNCILS, EVAL_TABLE_SESSIONS,
                                            EVAL_TABLE_CERTIFICATES, EVAL_TABLE_ROUNDS};
    s_ids_t ids = {.holder = holder};
    for (size_t i = 0; i < sizeof with_ids / sizeof with_ids[0]; i++)
        if (s_each(ctx, reply, with_ids[i], province, s_id_point, &ids) != 0)
            return -1;
    *count = ids.count;
    return 0;
}

/* Deletes every record of province, children before parents (a child finds its province through
 * its parent). 0, or -1 with reply failed. */
static int s_forget(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, uint32_t *count)
{
    for (int t = EVAL_TABLE_COUNT; t >= 1; t--)
        if (s_each(ctx, reply, (eval_table_t)t, province, s_delete, count) != 0)
            return -1;
    return 0;
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
    uint64_t cursor;
    if (eval_owner_replica_cursor_in(ctx, reply, &cursor) != 0)
        return -1;
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

/* ---------------------------------------------------------------- chunks */

static ocop_bytes_t s_bytes(ProtobufCBinaryData b)
{
    return (ocop_bytes_t){b.data, b.len};
}

/* bytes copied into the arena, as a message field. */
static ProtobufCBinaryData s_binary(ocop_arena_t *arena, ocop_bytes_t bytes)
{
    ProtobufCBinaryData b = {.len = bytes.size, .data = ocop_arena_alloc(arena, bytes.size ? bytes.size : 1)};
    memcpy(b.data, bytes.data, bytes.size);
    return b;
}

/* A scan of table from the chunk's start on (its first key, or chunk->after), read with s_next.
 * 0, or -1 with reply failed. */
static int s_scan_after(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_scan_t *scan, eval_table_t table,
                        const Ocop__EvalMoveChunk *chunk)
{
    ocop_key_t from;
    ocop_key_init(&from);
    ocop_key_bytes(&from, chunk->after.data, chunk->after.len);
    if (from.overflow)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "after", "after is longer than a key");
    return ocop_ctx_scan_open(ctx, reply, scan, eval_move_table(eval_state(ctx), table), NULL,
                              chunk->first ? NULL : &from);
}

/* The next record of a scan from s_scan_after, passing over the chunk's `after` itself. */
static bool s_next(ocop_scan_t *scan, const Ocop__EvalMoveChunk *chunk)
{
    while (ocop_scan_next(scan))
        if (chunk->first || ocop_bytes_cmp(scan->key, s_bytes(chunk->after)) != 0)
            return true;
    return false;
}

int eval_handle_move_export(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalMoveExport *in = req->eval_move_export;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
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
    if (eval_owner_replica_cursor_in(ctx, reply, &chunk->replica_cursor) != 0)
        return -1;

    ocop_scan_t scan;
    if (s_scan_after(ctx, reply, &scan, table, chunk) != 0)
        return -1;
    size_t scanned = 0, bytes = 0, cap = 0;
    eval_parent_cache_t cache = {0};
    bool more = true;
    for (; scanned < S_CHUNK_SCAN && bytes < S_CHUNK_BYTES; scanned++) {
        if (!(more = s_next(&scan, chunk)))
            break;
        bool yes;
        if (eval_move_belongs(ctx, reply, table, scan.key, scan.value, in->province_code, &cache, &yes) != 0) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
        chunk->last = s_binary(arena, scan.key);
        if (!yes)
            continue;
        chunk->records = ocop_arena_grow(arena, chunk->records, chunk->n_records, &cap, sizeof *chunk->records);
        Ocop__EvalMoveRecord *r = ocop_arena_alloc(arena, sizeof *r);
        ocop__eval_move_record__init(r);
        r->key = chunk->last;
        r->value = s_binary(arena, scan.value);
        chunk->records[chunk->n_records++] = r;
        bytes += scan.key.size + scan.value.size + 8;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading a table to copy") != 0)
        return -1;
    chunk->table_done = !more;
    reply->body_case = OCOP__REPLY__BODY_EVAL_MOVE_CHUNK;
    reply->eval_move_chunk = chunk;
    return 0;
}

/* ---------------------------------------------------------------- import */

/* The target's product have and the source's in: the source's, with registration's fields from
 * have when have's replica applied a later event. The merged record packed into out. */
static int s_product_merge(ocop_arena_t *arena, ocop_bytes_t have, const ProtobufCBinaryData *in,
                           ProtobufCBinaryData *out)
{
    ProtobufCAllocator *a = ocop_arena_allocator(arena);
    Ocop__EvalProduct *t = ocop__eval_product__unpack(a, have.size, have.data);
    Ocop__EvalProduct *s = ocop__eval_product__unpack(a, in->len, in->data);
    if (!t || !s)
        return -1;
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
static bool s_in_chunk(const Ocop__EvalMoveChunk *chunk, ocop_bytes_t k)
{
    size_t lo = 0, hi = chunk->n_records;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ocop_bytes_cmp(s_bytes(chunk->records[mid]->key), k);
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
static int s_chunk_check(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk)
{
    const ocop_bytes_t after = s_bytes(chunk->after), last = s_bytes(chunk->last);
    if (!chunk->first && chunk->after.len == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.after", "after is required unless first is set");
    for (size_t i = 0; i < chunk->n_records; i++) {
        const ocop_bytes_t k = s_bytes(chunk->records[i]->key);
        if (k.size == 0 || k.size > OCOP_KEY_MAX || (!chunk->first && i == 0 && ocop_bytes_cmp(k, after) <= 0) ||
            (i > 0 && ocop_bytes_cmp(k, s_bytes(chunk->records[i - 1]->key)) <= 0) || ocop_bytes_cmp(k, last) > 0)
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
    return s_chunk_check(ctx, reply, chunk) == 0 ? table : 0;
}

/* The chunk's records written where they differ from this shard's (apply), or only counted, into
 * result. 0, or -1 after failing reply. */
static int s_sync_records(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk, eval_table_t table,
                          bool apply, eval_parent_cache_t *cache, Ocop__EvalMoveImported *result)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const ocop_table_t dbi = eval_move_table(eval_state(ctx), table);
    for (size_t i = 0; i < chunk->n_records; i++) {
        const Ocop__EvalMoveRecord *r = chunk->records[i];
        bool yes;
        if (eval_move_belongs(ctx, reply, table, s_bytes(r->key), s_bytes(r->value), chunk->province_code, cache,
                              &yes) != 0)
            return -1;
        if (!yes && !apply) { /* its parent is in the chunk, not written yet */
            result->written++;
            continue;
        }
        if (!yes)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "chunk.records", "record %zu of %s is not of province %s",
                                 i, eval_move_table_name(table), chunk->province_code);
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_bytes(&key, r->key.data, r->key.len); /* checked: at most OCOP_KEY_MAX */
        ProtobufCBinaryData value = r->value;
        if (value.len == 0)
            value.data = (uint8_t *)""; /* protobuf-c leaves empty bytes NULL */
        ocop_bytes_t have;
        int rc = ocop_ctx_value(ctx, reply, dbi, &key, &have);
        if (rc < 0)
            return -1;
        if (rc == 0 && table == EVAL_TABLE_PRODUCTS && s_product_merge(arena, have, &r->value, &value) != 0)
            return ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "merging a copied product");
        if (rc == 0 && have.size == value.len && memcmp(have.data, value.data, value.len) == 0) {
            result->unchanged++;
            continue;
        }
        if (apply && ocop_ctx_value_put(ctx, reply, dbi, &key, value.data, value.len) != 0)
            return -1;
        result->written++;
    }
    return 0;
}

/* The province's records in the chunk's range that the source no longer has: deleted (apply), or
 * only counted, into result. A product the target's replica took after the source's had read it
 * stays. 0, or -1 after failing reply. */
static int s_sync_gone(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalMoveChunk *chunk, eval_table_t table,
                       bool apply, eval_parent_cache_t *cache, Ocop__EvalMoveImported *result)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const ocop_bytes_t last = s_bytes(chunk->last);
    s_keys_t gone = {0};
    ocop_scan_t scan;
    if (s_scan_after(ctx, reply, &scan, table, chunk) != 0)
        return -1;
    while (s_next(&scan, chunk)) {
        if (!chunk->table_done && (chunk->last.len == 0 || ocop_bytes_cmp(scan.key, last) > 0))
            break;
        bool yes;
        if (s_in_chunk(chunk, scan.key))
            continue;
        if (eval_move_belongs(ctx, reply, table, scan.key, scan.value, chunk->province_code, cache, &yes) != 0) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
        if (!yes)
            continue;
        if (table == EVAL_TABLE_PRODUCTS) {
            Ocop__EvalProduct *p =
                ocop__eval_product__unpack(ocop_arena_allocator(arena), scan.value.size, scan.value.data);
            if (!p) {
                ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
                break;
            }
            if (p->replica_sequence > chunk->replica_cursor)
                continue;
        }
        if (s_keys_add(ctx, reply, &gone, scan.key) != 0) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading a table to copy") != 0)
        return -1;
    for (size_t i = 0; i < gone.n; i++) {
        ocop_key_t key = s_keys_at(&gone, i);
        if (apply && ocop_ctx_erase(ctx, reply, eval_move_table(eval_state(ctx), table), &key) != 0)
            return -1;
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
    if (s_point_ids(ctx, reply, in->province_code, eval_state(ctx)->service->name, &records) != 0)
        return -1;
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
    switch (move->state) {
    case OCOP__EVAL_MOVE_STATE__MOVE_GONE:
        if (strcmp(move->peer, in->to) == 0)
            return s_already(reply, move);
        break;
    case OCOP__EVAL_MOVE_STATE__MOVE_FENCED:
        /* The source: every id of the province now points at the target, then its records go. */
        if (strcmp(move->peer, in->to) != 0)
            break;
        if (s_point_ids(ctx, reply, in->province_code, in->to, &records) != 0 ||
            s_forget(ctx, reply, in->province_code, &(uint32_t){0}) != 0)
            return -1;
        move->state = OCOP__EVAL_MOVE_STATE__MOVE_GONE;
        move->version++;
        return s_record(ctx, reply, move, records);
    case OCOP__EVAL_MOVE_STATE__MOVE_INCOMING:
        /* The target of an abandoned move: what was copied goes, the map is as before. */
        if (strcmp(move->peer, in->to) != 0)
            break;
        if (s_forget(ctx, reply, in->province_code, &records) != 0)
            return -1;
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
    if (eval_owner_moves(ctx, reply, &map->moves, &map->n_moves) != 0 ||
        eval_owner_replica_cursor_in(ctx, reply, &map->replica_cursor) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_MOVE_MAP;
    reply->eval_move_map = map;
    return 0;
}
