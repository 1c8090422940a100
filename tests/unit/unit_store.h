/* A store in a temporary directory with one write transaction open, rolled back afterwards: the
 * fixture of the tests of what lives in LMDB (counters, scans, per-record logs). */
#ifndef UNIT_STORE_H
#define UNIT_STORE_H

#include <lmdb.h>

#include "ocop_store.h"
#include "unit_tmpdir.h"

#define UNIT_STORE_DBS 2

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    MDB_dbi dbi[UNIT_STORE_DBS]; /* the databases "db0" and "db1", empty at first */
    MDB_txn *txn;
} unit_store_t;

/* cmocka setup / teardown for a unit_store_t in *state (a map of 1 MiB). */
static inline int unit_store_setup(void **state)
{
    unit_store_t *fx = calloc(1, sizeof *fx);
    char err[256], name[8];
    if (!fx || !unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    *state = fx;
    ocop_store_options_t so = {.path = fx->dir, .map_size = 1u << 20, .map_max = 1u << 20};
    if (!(fx->store = ocop_store_open(&so, err, sizeof err)))
        return -1;
    for (int i = 0; i < UNIT_STORE_DBS; i++) {
        snprintf(name, sizeof name, "db%d", i);
        if (ocop_store_dbi(fx->store, name, 0, &fx->dbi[i]) != 0)
            return -1;
    }
    return mdb_txn_begin(ocop_store_env(fx->store), NULL, 0, &fx->txn) == 0 ? 0 : -1;
}

static inline int unit_store_teardown(void **state)
{
    unit_store_t *fx = *state;
    if (!fx)
        return 0;
    if (fx->txn)
        mdb_txn_abort(fx->txn);
    ocop_store_destroy(&fx->store);
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

#endif
