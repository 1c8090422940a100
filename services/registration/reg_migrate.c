/* reg_migrate — see reg_migrate.h. */
#include "reg_migrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_scan.h"
#include "ocop_store.h"

#define S_MARK "key_format"
#define S_FORMAT 1

typedef struct {
    MDB_dbi dbi;
    const char *name;
} s_table_t;

/* One record to rewrite, copied out of the transaction's pages. */
typedef struct {
    ocop_key_t key; /* the old key, then ocop_key_str of it */
    void *value;
    size_t size;
} s_move_t;

static int s_marked(reg_state_t *state, MDB_txn *txn, int *done)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, S_MARK);
    MDB_val k = ocop_key_val(&key);
    uint64_t format;
    int rc = ocop_counter_get(txn, state->db.meta, &k, &format);
    *done = rc == 0 && format >= S_FORMAT;
    return rc;
}

/* Copies up to REG_MIGRATE_CHUNK old keys of dbi from *from on (the key after the last one
 * moved: its rewritten twin, which is skipped) into moves. */
static int s_collect(MDB_txn *txn, MDB_dbi dbi, const ocop_key_t *from, s_move_t *moves, size_t *n)
{
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, dbi, NULL, from->len ? from : NULL);
    *n = 0;
    while (rc == 0 && *n < REG_MIGRATE_CHUNK && ocop_scan_next(&scan)) {
        const uint8_t *k = scan.key.data;
        if (scan.key.size == 0 || k[scan.key.size - 1] == '\0')
            continue; /* rewritten already (or the mark) */
        if (scan.key.size + 1 > OCOP_KEY_MAX || memchr(k, '\0', scan.key.size)) {
            ocop_scan_fail(&scan, MDB_BAD_VALSIZE);
            break;
        }
        s_move_t *m = &moves[*n];
        memcpy(m->key.buf, k, scan.key.size);
        m->key.len = scan.key.size;
        m->key.overflow = 0;
        if (!(m->value = malloc(scan.value.size ? scan.value.size : 1))) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        memcpy(m->value, scan.value.data, scan.value.size);
        m->size = scan.value.size;
        (*n)++;
    }
    return ocop_scan_close(&scan, rc);
}

/* Each old key is deleted and its value stored under the key with a NUL appended. */
static int s_move(MDB_txn *txn, MDB_dbi dbi, s_move_t *moves, size_t n)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        MDB_val old = ocop_key_val(&moves[i].key);
        if ((rc = ocop_db_del(txn, dbi, &old, NULL)) != 0)
            break;
        moves[i].key.buf[moves[i].key.len++] = '\0';
        MDB_val k = ocop_key_val(&moves[i].key), v = {.mv_size = moves[i].size, .mv_data = moves[i].value};
        rc = ocop_db_put(txn, dbi, &k, &v, MDB_NOOVERWRITE);
    }
    return rc;
}

static int s_set_mark(reg_state_t *state, MDB_txn *txn)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, S_MARK);
    uint8_t b[8];
    ocop_be64_put(b, S_FORMAT);
    MDB_val k = ocop_key_val(&key), v = {.mv_size = 8, .mv_data = b};
    return ocop_db_put(txn, state->db.meta, &k, &v, 0);
}

/* One transaction: the next chunk of table *t (moving on to the next table when it has none),
 * or the mark after the last. *finished once the mark is committed. */
static int s_step(reg_state_t *state, const s_table_t *tables, size_t n_tables, size_t *t, ocop_key_t *from,
                  s_move_t *moves, uint64_t *moved, int *finished)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    if (rc != 0)
        return rc;
    size_t n = 0;
    while (rc == 0 && *t < n_tables && (rc = s_collect(txn, tables[*t].dbi, from, moves, &n)) == 0 && n == 0) {
        ++*t;
        ocop_key_init(from);
    }
    if (rc == 0 && n > 0) {
        ocop_key_t last = moves[n - 1].key;
        rc = s_move(txn, tables[*t].dbi, moves, n);
        if (rc == 0) {
            *from = last;
            from->buf[from->len++] = '\0'; /* its twin: skipped, the next old key follows */
        }
    }
    if (rc == 0 && *t == n_tables)
        rc = s_set_mark(state, txn);
    for (size_t i = 0; i < n; i++)
        free(moves[i].value);
    if (rc == 0 && (rc = mdb_txn_commit(txn)) == 0) {
        *moved += n;
        *finished = *t == n_tables;
        if (n)
            ocop_log_info("keys_migrating", "table=%s moved=%llu", tables[*t].name, (unsigned long long)*moved);
    } else {
        mdb_txn_abort(txn);
    }
    return rc;
}

int reg_migrate_keys(reg_state_t *state, char *err, size_t errlen)
{
    MDB_txn *txn;
    int done = 0, rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = s_marked(state, txn, &done);
        mdb_txn_abort(txn);
    }
    if (rc != 0 || done) {
        if (rc != 0)
            ocop_error_format(err, errlen, "%s: reading the key format: %s", ocop_store_path(state->store),
                              mdb_strerror(rc));
        return rc == 0 ? 0 : -1;
    }
    const s_table_t tables[] = {
        {state->db.entities, "entities"}, {state->db.products, "products"}, {state->db.meta, "meta"}};
    s_move_t *moves = calloc(REG_MIGRATE_CHUNK, sizeof *moves);
    if (!moves) {
        ocop_error_format(err, errlen, "out of memory migrating the store's keys");
        return -1;
    }
    int64_t started = ocop_now_ms();
    size_t t = 0;
    ocop_key_t from;
    ocop_key_init(&from);
    uint64_t moved = 0;
    int finished = 0;
    while (!finished) {
        rc = s_step(state, tables, sizeof tables / sizeof tables[0], &t, &from, moves, &moved, &finished);
        if (rc == MDB_MAP_FULL && ocop_store_grow(state->store) == 0)
            continue;
        if (rc != 0)
            break;
    }
    free(moves);
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: migrating the keys of %s: %s", ocop_store_path(state->store),
                          t < sizeof tables / sizeof tables[0] ? tables[t].name : "meta", mdb_strerror(rc));
        return -1;
    }
    if (moved)
        ocop_log_info("keys_migrated", "records=%llu ms=%lld", (unsigned long long)moved,
                      (long long)(ocop_now_ms() - started));
    return 0;
}
