/* aud_products — see aud_products.h. */
#include "aud_products.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aud_merkle.h"
#include "ocop_error.h"

#define S_MAGIC "OCOPAIX1"
#define S_MAGIC_LEN 8

typedef struct {
    FILE *f;
    crypto_generichash_state hash;
} s_io_t;

static int s_write(void *user, const void *data, size_t len)
{
    s_io_t *io = user;
    crypto_generichash_update(&io->hash, data, len);
    return fwrite(data, 1, len, io->f) == len ? 0 : -1;
}

static int s_read(void *user, void *data, size_t len)
{
    s_io_t *io = user;
    if (fread(data, 1, len, io->f) != len)
        return 1;
    crypto_generichash_update(&io->hash, data, len);
    return 0;
}

static void s_path(const aud_state_t *state, char *out, size_t len, const char *suffix)
{
    snprintf(out, len, "%s/%s%s", ocop_store_path(state->store), AUD_PRODUCTS_FILE, suffix);
}

/* The root of the log's first size entries. */
static int s_root_at(const aud_state_t *state, uint64_t size, aud_hash_t *root)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_state_nodes(&nctx, state, txn, &nodes);
    rc = aud_merkle_root(&nodes, size, root);
    mdb_txn_abort(txn);
    return rc;
}

/* The log's size as committed, and its root at that size (zero for an empty log). */
static int s_head(const aud_state_t *state, uint64_t *size, aud_hash_t *root)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = aud_state_size(state, txn, size);
    mdb_txn_abort(txn);
    memset(root->h, 0, sizeof root->h);
    return rc == 0 && *size > 0 ? s_root_at(state, *size, root) : rc;
}

int aud_products_save(aud_state_t *state, char *err, size_t errlen)
{
    uint64_t size = 0;
    aud_hash_t root = {{0}};
    int rc = s_head(state, &size, &root);
    if (rc != 0) {
        ocop_error_format(err, errlen, "reading the log's head: %s", mdb_strerror(rc));
        return -1;
    }
    char tmp[4096], path[4096];
    s_path(state, tmp, sizeof tmp, ".tmp");
    s_path(state, path, sizeof path, "");
    s_io_t io = {.f = fopen(tmp, "wb")};
    if (!io.f) {
        ocop_error_format(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    crypto_generichash_init(&io.hash, NULL, 0, crypto_generichash_BYTES);
    uint8_t digest[crypto_generichash_BYTES];
    int failed = s_write(&io, S_MAGIC, S_MAGIC_LEN) != 0 || s_write(&io, &size, sizeof size) != 0 ||
                 s_write(&io, root.h, sizeof root.h) != 0 || aud_memindex_save(state->products, size, s_write, &io);
    crypto_generichash_final(&io.hash, digest, sizeof digest);
    failed = failed || fwrite(digest, 1, sizeof digest, io.f) != sizeof digest || fflush(io.f) != 0 ||
             fsync(fileno(io.f)) != 0;
    failed = fclose(io.f) != 0 || failed || rename(tmp, path) != 0;
    if (failed) {
        ocop_error_format(err, errlen, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int aud_products_load(aud_state_t *state, uint64_t *covered, char *err, size_t errlen)
{
    char path[4096];
    s_path(state, path, sizeof path, "");
    s_io_t io = {.f = fopen(path, "rb")};
    if (!io.f) {
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        return 1;
    }
    crypto_generichash_init(&io.hash, NULL, 0, crypto_generichash_BYTES);
    char magic[S_MAGIC_LEN];
    uint64_t size = 0, log_size = 0;
    aud_hash_t root, log_root;
    uint8_t digest[crypto_generichash_BYTES], stored[sizeof digest];
    const char *why = NULL;
    if (s_read(&io, magic, sizeof magic) != 0 || memcmp(magic, S_MAGIC, S_MAGIC_LEN) != 0 ||
        s_read(&io, &size, sizeof size) != 0 || s_read(&io, root.h, sizeof root.h) != 0)
        why = "not a product index";
    else if (s_head(state, &log_size, &log_root) != 0 || size > log_size)
        why = "it covers more entries than the log holds";
    else if (size > 0 && (s_root_at(state, size, &log_root) != 0 || memcmp(log_root.h, root.h, sizeof root.h) != 0))
        why = "it was made from another log";
    int rc = why ? 1 : aud_memindex_load(state->products, size, s_read, &io);
    if (rc == 1 && !why)
        why = "damaged";
    crypto_generichash_final(&io.hash, digest, sizeof digest);
    if (rc == 0 && (fread(stored, 1, sizeof stored, io.f) != sizeof stored ||
                    sodium_memcmp(stored, digest, sizeof digest) != 0 || fgetc(io.f) != EOF)) {
        rc = 1;
        why = "damaged (its hash does not hold)";
    }
    fclose(io.f);
    if (rc == 1)
        ocop_error_format(err, errlen, "%s: %s", path, why);
    else if (rc < 0)
        ocop_error_format(err, errlen, "%s: out of memory", path);
    *covered = rc == 0 ? size : 0;
    return rc;
}
