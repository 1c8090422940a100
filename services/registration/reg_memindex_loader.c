/* reg_memindex_loader — see reg_memindex_loader.h. */
#include "reg_memindex_loader.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_date.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_store.h"
#include "reg_memindex_file.h"

enum { S_BUILDING, S_READY, S_FAILED };

struct reg_memindex_loader_t {
    ocop_store_t *store;
    MDB_dbi products;
    ocop_snapfile_t *file; /* the saved index when usable, read by the thread */
    reg_memindex_t *index;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t done;
    atomic_int state; /* S_*: set once, under lock, when the thread ends */
};

/* Every product of the store, read on a read transaction of the thread's own (holding the store
 * against the map growing under it meanwhile). */
static int s_from_store(reg_memindex_loader_t *self, reg_memindex_t *index, char *err, size_t errlen)
{
    MDB_txn *txn;
    ocop_store_hold(self->store);
    int rc = mdb_txn_begin(ocop_store_env(self->store), NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = reg_memindex_load(index, txn, self->products);
        mdb_txn_abort(txn);
    }
    ocop_store_release(self->store);
    if (rc != 0)
        ocop_error_format(err, errlen, "%s: cannot index the products: %s", ocop_store_path(self->store),
                          mdb_strerror(rc));
    return rc ? -1 : 0;
}

static int s_build(reg_memindex_loader_t *self, reg_memindex_t **out, char *err, size_t errlen)
{
    int64_t started = ocop_monotonic_ms();
    reg_memindex_t *index = reg_memindex_new();
    if (!index) {
        ocop_error_format(err, errlen, "out of memory");
        return -1;
    }
    if (self->file) {
        char why[512];
        int rc = reg_memindex_file_read(&self->file, index, why, sizeof why);
        if (rc == 0) {
            ocop_log_info("products_loaded", "products=%zu ms=%lld", reg_memindex_size(index),
                          (long long)(ocop_monotonic_ms() - started));
            *out = index;
            return 0;
        }
        reg_memindex_destroy(&index); /* it may hold part of the file */
        if (rc < 0) {
            ocop_error_format(err, errlen, "%s", why);
            return -1;
        }
        ocop_log_info("products_from_the_store", "reason=\"%s\"", why);
        if (!(index = reg_memindex_new())) {
            ocop_error_format(err, errlen, "out of memory");
            return -1;
        }
    }
    if (s_from_store(self, index, err, errlen) != 0) {
        reg_memindex_destroy(&index);
        return -1;
    }
    ocop_log_info("products_indexed", "products=%zu ms=%lld", reg_memindex_size(index),
                  (long long)(ocop_monotonic_ms() - started));
    *out = index;
    return 0;
}

static void *s_run(void *arg)
{
    reg_memindex_loader_t *self = arg;
    reg_memindex_t *index = NULL;
    char err[512];
    int ok = s_build(self, &index, err, sizeof err) == 0;
    if (!ok)
        ocop_log_error("products_not_indexed",
                       "error=\"%s\" effect=\"registering, reclassifying and listing "
                       "products by commune or entity fail until a restart\"",
                       err);
    pthread_mutex_lock(&self->lock);
    self->index = index;
    atomic_store(&self->state, ok ? S_READY : S_FAILED);
    pthread_cond_broadcast(&self->done);
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

reg_memindex_loader_t *reg_memindex_loader_start(ocop_store_t *store, MDB_dbi products, char *err, size_t errlen)
{
    reg_memindex_loader_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "out of memory");
        return NULL;
    }
    self->store = store;
    self->products = products;
    char why[512];
    if (!(self->file = reg_memindex_file_open(store, why, sizeof why)))
        ocop_log_info("products_from_the_store", "reason=\"%s\"", why);
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->done, NULL);
    atomic_init(&self->state, S_BUILDING);
    int rc = pthread_create(&self->thread, NULL, s_run, self);
    if (rc != 0) {
        ocop_error_format(err, errlen, "cannot start the thread that indexes the products: %s", strerror(rc));
        ocop_snapfile_drop(&self->file);
        pthread_cond_destroy(&self->done);
        pthread_mutex_destroy(&self->lock);
        free(self);
        return NULL;
    }
    return self;
}

reg_memindex_t *reg_memindex_loader_wait(reg_memindex_loader_t *self)
{
    if (atomic_load(&self->state) == S_BUILDING) {
        pthread_mutex_lock(&self->lock);
        while (atomic_load(&self->state) == S_BUILDING)
            pthread_cond_wait(&self->done, &self->lock);
        pthread_mutex_unlock(&self->lock);
    }
    return reg_memindex_loader_ready(self);
}

reg_memindex_t *reg_memindex_loader_ready(reg_memindex_loader_t *self)
{
    /* The index was written before state, which is read here with acquire ordering. */
    return atomic_load(&self->state) == S_READY ? self->index : NULL;
}

void reg_memindex_loader_destroy(reg_memindex_loader_t **self_p)
{
    reg_memindex_loader_t *self = *self_p;
    if (!self)
        return;
    pthread_join(self->thread, NULL);
    reg_memindex_destroy(&self->index);
    pthread_cond_destroy(&self->done);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}
