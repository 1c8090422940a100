/* reg_memindex_file — see reg_memindex_file.h. */
#include "reg_memindex_file.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_outbox.h"
#include "ocop_snapfile.h"
#include "ocop_store.h"

#define S_MAGIC "OCOPRMX1"

/* The store's last event: its sequence (0 when none) and a digest of its bytes. */
typedef struct {
    uint64_t sequence;
    uint8_t digest[crypto_generichash_BYTES];
} s_mark_t;

static int s_mark(ocop_store_t *store, s_mark_t *out)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn);
    if (rc != 0)
        return rc;
    rc = mdb_dbi_open(txn, OCOP_OUTBOX_DB, 0, &dbi);
    if (rc == 0)
        rc = ocop_outbox_last(txn, dbi, &out->sequence);
    if (rc == 0 && out->sequence) {
        uint8_t kb[8];
        ocop_be64_put(kb, out->sequence);
        MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
        if ((rc = mdb_get(txn, dbi, &k, &v)) == 0)
            crypto_generichash(out->digest, sizeof out->digest, v.mv_data, v.mv_size, NULL, 0);
    }
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static void s_path(ocop_store_t *store, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", ocop_store_path(store), REG_MEMINDEX_FILE);
}

int reg_memindex_file_save(ocop_store_t *store, const reg_memindex_t *index, char *err, size_t errlen)
{
    s_mark_t mark;
    int rc = s_mark(store, &mark);
    if (rc != 0) {
        ocop_error_format(err, errlen, "reading the last event: %s", mdb_strerror(rc));
        return -1;
    }
    char path[4096];
    s_path(store, path, sizeof path);
    ocop_snapfile_t *f = ocop_snapfile_create(path, S_MAGIC, err, errlen);
    if (!f)
        return -1;
    int ok = ocop_snapfile_write(f, &mark, sizeof mark) == 0 && reg_memindex_write(index, ocop_snapfile_write, f) == 0;
    return ocop_snapfile_close(&f, ok, err, errlen);
}

ocop_snapfile_t *reg_memindex_file_open(ocop_store_t *store, char *err, size_t errlen)
{
    char path[4096];
    s_path(store, path, sizeof path);
    ocop_snapfile_t *f = ocop_snapfile_open(path, S_MAGIC, err, errlen);
    if (!f)
        return NULL;
    s_mark_t saved, now;
    const char *why = NULL;
    if (ocop_snapfile_read(f, &saved, sizeof saved) != 0)
        why = "damaged";
    else if (s_mark(store, &now) != 0 || memcmp(&saved, &now, sizeof saved) != 0)
        why = "the store changed after it was written";
    if (why) {
        ocop_snapfile_drop(&f);
        ocop_error_format(err, errlen, "%s: %s", path, why);
    }
    return f;
}

int reg_memindex_file_read(ocop_snapfile_t **f, reg_memindex_t *index, char *err, size_t errlen)
{
    int rc = reg_memindex_read(index, ocop_snapfile_read, *f);
    if (rc == 0)
        rc = ocop_snapfile_finish(f) == 0 ? 0 : EINVAL;
    else
        ocop_snapfile_drop(f);
    if (rc == ENOMEM) {
        ocop_error_format(err, errlen, "%s: out of memory", REG_MEMINDEX_FILE);
        return -1;
    }
    if (rc != 0)
        ocop_error_format(err, errlen, "%s: damaged", REG_MEMINDEX_FILE);
    return rc ? 1 : 0;
}
