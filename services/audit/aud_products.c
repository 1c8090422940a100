/* aud_products — see aud_products.h. */
#include "aud_products.h"

#include <stdio.h>
#include <string.h>

#include "aud_merkle.h"
#include "ocop_error.h"
#include "ocop_snapfile.h"
#include "ocop_store.h"

#define S_MAGIC "OCOPAIX1"

static void s_path(const aud_state_t *state, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", ocop_store_path(state->store), AUD_PRODUCTS_FILE);
}

/* The root of the log's first size entries. */
static int s_root_at(const aud_state_t *state, uint64_t size, aud_hash_t *root)
{
    MDB_txn *txn;
    ocop_store_hold(state->store); /* the map does not grow under the read */
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        aud_node_ctx_t nctx;
        aud_nodes_t nodes;
        aud_state_nodes(&nctx, state, txn, &nodes);
        rc = aud_merkle_root(&nodes, size, root);
        mdb_txn_abort(txn);
    }
    ocop_store_release(state->store);
    return rc;
}

/* The log's size as committed, and its root at that size (zero for an empty log). */
static int s_head(const aud_state_t *state, uint64_t *size, aud_hash_t *root)
{
    MDB_txn *txn;
    ocop_store_hold(state->store);
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = aud_state_size(state, txn, size);
        mdb_txn_abort(txn);
    }
    ocop_store_release(state->store);
    if (rc != 0)
        return rc;
    memset(root->h, 0, sizeof root->h);
    return rc == 0 && *size > 0 ? s_root_at(state, *size, root) : rc;
}

int aud_products_save(aud_state_t *state, char *err, size_t errlen)
{
    uint64_t size = 0;
    aud_hash_t root;
    int rc = s_head(state, &size, &root);
    if (rc != 0) {
        ocop_error_format(err, errlen, "reading the log's head: %s", mdb_strerror(rc));
        return -1;
    }
    char path[4096];
    s_path(state, path, sizeof path);
    ocop_snapfile_t *f = ocop_snapfile_create(path, S_MAGIC, err, errlen);
    if (!f)
        return -1;
    int ok = ocop_snapfile_write(f, &size, sizeof size) == 0 && ocop_snapfile_write(f, root.h, sizeof root.h) == 0 &&
             aud_memindex_save(state->products, size, ocop_snapfile_write, f) == 0;
    return ocop_snapfile_close(&f, ok, err, errlen);
}

int aud_products_load(aud_state_t *state, uint64_t *covered, char *err, size_t errlen)
{
    char path[4096];
    s_path(state, path, sizeof path);
    *covered = 0;
    ocop_snapfile_t *f = ocop_snapfile_open(path, S_MAGIC, err, errlen);
    if (!f)
        return 1;
    uint64_t size = 0, log_size = 0;
    aud_hash_t root, log_root;
    const char *why = NULL;
    if (ocop_snapfile_read(f, &size, sizeof size) != 0 || ocop_snapfile_read(f, root.h, sizeof root.h) != 0)
        why = "damaged (it ends in its header)";
    else if (s_head(state, &log_size, &log_root) != 0 || size > log_size)
        why = "it covers more entries than the log holds";
    else if (size > 0 && (s_root_at(state, size, &log_root) != 0 || memcmp(log_root.h, root.h, sizeof root.h) != 0))
        why = "it was made from another log";
    int rc = why ? 1 : aud_memindex_load(state->products, size, ocop_snapfile_read, f);
    if (rc == 0)
        rc = ocop_snapfile_finish(&f);
    else
        ocop_snapfile_drop(&f);
    if (rc == 1 && !why)
        why = "damaged";
    if (rc == 1)
        ocop_error_format(err, errlen, "%s: %s", path, why);
    else if (rc < 0)
        ocop_error_format(err, errlen, "%s: out of memory", path);
    *covered = rc == 0 ? size : 0;
    return rc;
}
