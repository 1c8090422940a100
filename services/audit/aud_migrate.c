/* aud_migrate — see aud_migrate.h. */
#include "aud_migrate.h"

#include <inttypes.h>

#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_scan.h"
#include "ocop_store.h"

#define S_OLD_TABLE "nodes"

/* The old database's key of node (level, index). */
static void s_old_key(ocop_key_t *key, unsigned level, uint64_t index)
{
    ocop_key_init(key);
    ocop_key_u32(key, level);
    ocop_key_u64(key, index);
}

/* The leaf after the last one whose nodes merkle holds (0 when it holds none). */
static int s_resume_leaf(MDB_txn *txn, MDB_dbi merkle, uint64_t *leaf)
{
    ocop_bytes_t k;
    int rc = ocop_scan_last(txn, merkle, NULL, &k, NULL);
    *leaf = 0;
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc == 0 && k.size != 12)
        rc = MDB_CORRUPTED;
    if (rc == 0)
        *leaf = ocop_be64_get(k.data) + 1;
    return rc;
}

/* Copies every node leaf made (the leaf, then each subtree it completed). */
static int s_copy_leaf(MDB_txn *txn, MDB_dbi old, MDB_dbi merkle, uint64_t leaf, uint64_t *copied)
{
    uint64_t index = leaf;
    for (unsigned level = 0;; level++, index >>= 1) {
        ocop_key_t key;
        s_old_key(&key, level, index);
        MDB_val k = ocop_key_val(&key), v;
        int rc = mdb_get(txn, old, &k, &v);
        if (rc == 0 && v.mv_size != AUD_HASH_LEN)
            rc = MDB_CORRUPTED;
        if (rc != 0)
            return rc;
        aud_node_key(&key, level, index);
        k = ocop_key_val(&key);
        if ((rc = ocop_db_put(txn, merkle, &k, &v, MDB_APPEND)) != 0)
            return rc;
        ++*copied;
        if (!(index & 1)) /* a left child: its parent is not complete at this leaf */
            return 0;
    }
}

/* One transaction: the nodes of the leaves from *next on, and the old database dropped after the
 * last leaf (*finished then). *at: the leaf being copied when it failed. */
static int s_step(aud_state_t *state, MDB_dbi old, uint64_t size, uint64_t *next, uint64_t *copied, int *finished,
                  uint64_t *at)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    if (rc != 0)
        return rc;
    uint64_t end = size - *next > AUD_MIGRATE_LEAVES ? *next + AUD_MIGRATE_LEAVES : size;
    uint64_t n = 0;
    for (*at = *next; rc == 0 && *at < end; ++*at)
        if ((rc = s_copy_leaf(txn, old, state->db.merkle, *at, &n)) != 0)
            break;
    if (rc == 0 && end == size)
        rc = ocop_db_drop(txn, old, 1);
    if (rc == 0 && (rc = mdb_txn_commit(txn)) == 0) {
        *next = end;
        *copied += n;
        *finished = end == size;
        ocop_log_info("merkle_migrating", "leaves=%" PRIu64 " of=%" PRIu64 " nodes=%" PRIu64, end, size, *copied);
    } else if (rc != 0) {
        mdb_txn_abort(txn);
    }
    return rc;
}

int aud_migrate_nodes(aud_state_t *state, char *err, size_t errlen)
{
    MDB_txn *txn;
    MDB_dbi old;
    uint64_t size = 0, next = 0;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, S_OLD_TABLE, 0, &old);
        if (rc == MDB_NOTFOUND) { /* made with merkle, or migrated */
            mdb_txn_abort(txn);
            return 0;
        }
        if (rc == 0 && (rc = aud_state_size(state, txn, &size)) == 0 &&
            (rc = s_resume_leaf(txn, state->db.merkle, &next)) == 0 && next > size)
            rc = MDB_CORRUPTED; /* nodes of leaves the log does not have */
        /* Committed, so that the handle of the old database outlives this transaction. */
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: opening the Merkle nodes to migrate: %s", ocop_store_path(state->store),
                          mdb_strerror(rc));
        return -1;
    }
    int64_t started = ocop_now_ms();
    ocop_log_info("merkle_migration", "leaves=%" PRIu64 " from=%" PRIu64, size, next);
    uint64_t copied = 0, at = next;
    int finished = 0;
    while (!finished) {
        rc = s_step(state, old, size, &next, &copied, &finished, &at);
        if (rc == MDB_MAP_FULL && ocop_store_grow(state->store) == 0)
            continue; /* the same leaves again, in a larger map */
        if (rc != 0)
            break;
    }
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: migrating the Merkle nodes at leaf %" PRIu64 ": %s",
                          ocop_store_path(state->store), at, mdb_strerror(rc));
        return -1;
    }
    ocop_log_info("merkle_migrated", "leaves=%" PRIu64 " nodes=%" PRIu64 " ms=%lld", size, copied,
                  (long long)(ocop_now_ms() - started));
    return 0;
}
