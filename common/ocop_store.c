/* ocop_store — the LMDB environment of one service. */
#include "ocop_store.h"
#include "ocop_error.h"
#include "ocop_fs.h"

#include "ocop_config.h"
#include "ocop_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ocop_store_t {
    MDB_env *env;
    pthread_rwlock_t growth; /* read: a transaction is open; write: the map is resized */
    char path[OCOP_PATH_MAX];
    size_t map_size;
    size_t map_max;
};

static size_t s_round_pages(size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t ps = page > 0 ? (size_t)page : 4096;
    if (size < ps)
        return ps;
    return size / ps * ps + ((size % ps) ? ps : 0);
}

ocop_store_t *ocop_store_open(const ocop_store_options_t *opts, char *err, size_t errlen)
{
    if (!opts || !opts->path || !*opts->path) {
        ocop_error_format(err, errlen, "store: path is required");
        return NULL;
    }
    ocop_store_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "%s: out of memory", opts->path);
        return NULL;
    }
    pthread_rwlock_init(&self->growth, NULL);
    if (snprintf(self->path, sizeof self->path, "%s", opts->path) >= (int)sizeof self->path) {
        ocop_error_format(err, errlen, "%s: path is too long", opts->path);
        goto fail;
    }
    if (ocop_fs_mkdirs(self->path) != 0) {
        ocop_error_format(err, errlen, "%s: cannot create directory: %s", self->path, strerror(errno));
        goto fail;
    }
    int rc = mdb_env_create(&self->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(self->env, opts->max_dbs ? opts->max_dbs : 32);
    /* The map size is deliberately not set before opening: LMDB then adopts the size recorded
     * in an existing file, which may have grown past the configured size in an earlier run. */
    if (rc == 0)
        rc = mdb_env_open(self->env, self->path, MDB_NOTLS, 0600);
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: cannot open LMDB environment: %s", self->path, mdb_strerror(rc));
        goto fail;
    }
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    size_t wanted = s_round_pages(opts->map_size);
    self->map_size = info.me_mapsize;
    if (wanted > self->map_size) {
        rc = mdb_env_set_mapsize(self->env, wanted);
        if (rc != 0) {
            ocop_error_format(err, errlen, "%s: cannot set map size %zu: %s", self->path, wanted, mdb_strerror(rc));
            goto fail;
        }
        self->map_size = wanted;
    }
    self->map_max = opts->map_max > self->map_size ? s_round_pages(opts->map_max) : self->map_size;

    /* A process that died inside a read transaction leaves a reader slot that pins old pages
     * and makes the file grow; clear such slots before we start. */
    int dead = 0;
    rc = mdb_reader_check(self->env, &dead);
    if (rc != 0)
        ocop_log_warn("store_reader_check_failed", "path=%s error=\"%s\"", self->path, mdb_strerror(rc));
    ocop_log_info("store_open", "path=%s map_size=%zu map_max=%zu stale_readers=%d", self->path, self->map_size,
                  self->map_max, dead);
    return self;
fail:
    if (self->env)
        mdb_env_close(self->env);
    pthread_rwlock_destroy(&self->growth);
    free(self);
    return NULL;
}

void ocop_store_destroy(ocop_store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_store_t *self = *self_p;
    mdb_env_close(self->env);
    pthread_rwlock_destroy(&self->growth);
    free(self);
    *self_p = NULL;
}

MDB_env *ocop_store_env(ocop_store_t *self)
{
    return self ? self->env : NULL;
}

const char *ocop_store_path(const ocop_store_t *self)
{
    return self ? self->path : NULL;
}

int ocop_store_dbi(ocop_store_t *self, const char *name, unsigned flags, MDB_dbi *out)
{
    if (!self || !out)
        return -1;
    /* Opening a handle inside a committed write txn makes it valid for every later txn. */
    MDB_txn *txn;
    int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, name, flags | MDB_CREATE, out);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    if (rc != 0) {
        ocop_log_error("store_dbi_failed", "path=%s db=%s error=\"%s\"", self->path, name ? name : "-",
                       mdb_strerror(rc));
        return -1;
    }
    return 0;
}

int ocop_store_dbis(ocop_store_t *self, const ocop_dbi_spec_t *specs, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (ocop_store_dbi(self, specs[i].name, 0, specs[i].dbi) != 0) {
            ocop_error_format(err, errlen, "%s: cannot open database %s", self->path, specs[i].name);
            return -1;
        }
    return 0;
}

int ocop_store_grow(ocop_store_t *self)
{
    if (!self || self->map_size >= self->map_max)
        return -1;
    size_t next = self->map_size > self->map_max / 2 ? self->map_max : self->map_size * 2;
    pthread_rwlock_wrlock(&self->growth);
    int rc = mdb_env_set_mapsize(self->env, next);
    pthread_rwlock_unlock(&self->growth);
    if (rc != 0) {
        ocop_log_error("store_grow_failed", "path=%s map_size=%zu error=\"%s\"", self->path, next, mdb_strerror(rc));
        return -1;
    }
    ocop_log_info("store_grow", "path=%s from=%zu to=%zu max=%zu", self->path, self->map_size, next, self->map_max);
    self->map_size = next;
    return 0;
}

void ocop_store_hold(ocop_store_t *self)
{
    pthread_rwlock_rdlock(&self->growth);
}

void ocop_store_release(ocop_store_t *self)
{
    pthread_rwlock_unlock(&self->growth);
}

size_t ocop_store_map_size(const ocop_store_t *self)
{
    return self ? self->map_size : 0;
}

size_t ocop_store_map_max(const ocop_store_t *self)
{
    return self ? self->map_max : 0;
}

size_t ocop_store_used_bytes(ocop_store_t *self)
{
    MDB_envinfo info;
    MDB_stat st;
    if (!self || mdb_env_info(self->env, &info) != 0 || mdb_env_stat(self->env, &st) != 0)
        return 0;
    return ((size_t)info.me_last_pgno + 1) * st.ms_psize;
}

/* LMDB's own databases, which lmdb.h does not name: the free list and the main database. */
#define S_FREE_DBI 0
#define S_MAIN_DBI 1

static uint64_t s_tree_pages(const MDB_stat *st)
{
    return (uint64_t)(st->ms_branch_pages + st->ms_leaf_pages + st->ms_overflow_pages);
}

/* Pages on the free list: each of its records lists page numbers (MDB_IDs, size_t in LMDB 0.9),
 * led by their count. */
static int s_free_pages(MDB_txn *txn, uint64_t *pages)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn, S_FREE_DBI, &cursor);
    if (rc != 0)
        return rc;
    MDB_val k, v;
    while ((rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) == 0)
        if (v.mv_size >= sizeof(size_t))
            *pages += *(const size_t *)v.mv_data;
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Pages of the free list's tree, the main database's and each named database's (the main
 * database's keys are their names). */
static int s_tree_pages_all(MDB_txn *txn, uint64_t *pages)
{
    MDB_stat st;
    MDB_cursor *cursor;
    int rc = mdb_stat(txn, S_FREE_DBI, &st);
    if (rc == 0)
        *pages += s_tree_pages(&st);
    if (rc != 0 || (rc = mdb_stat(txn, S_MAIN_DBI, &st)) != 0 || (rc = mdb_cursor_open(txn, S_MAIN_DBI, &cursor)) != 0)
        return rc;
    *pages += s_tree_pages(&st);
    MDB_val k, v;
    while ((rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) == 0) {
        char name[256];
        MDB_dbi dbi;
        if (k.mv_size >= sizeof name) {
            rc = MDB_CORRUPTED;
            break;
        }
        memcpy(name, k.mv_data, k.mv_size);
        name[k.mv_size] = '\0';
        if ((rc = mdb_dbi_open(txn, name, 0, &dbi)) != 0 || (rc = mdb_stat(txn, dbi, &st)) != 0)
            break;
        *pages += s_tree_pages(&st);
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int ocop_store_pages(MDB_env *env, ocop_store_pages_t *out)
{
    memset(out, 0, sizeof *out);
    MDB_envinfo info;
    MDB_stat est;
    MDB_txn *txn;
    int rc = mdb_env_info(env, &info);
    if (rc != 0 || (rc = mdb_env_stat(env, &est)) != 0 || (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0)
        return rc;
    out->used = (uint64_t)info.me_last_pgno + 1;
    out->psize = est.ms_psize;
    if ((rc = s_free_pages(txn, &out->free)) == 0)
        rc = s_tree_pages_all(txn, &out->trees);
    mdb_txn_abort(txn);
    if (rc == 0 && out->used < 2 + out->free + out->trees)
        rc = MDB_CORRUPTED;
    if (rc == 0)
        out->duplicates = out->used - 2 - out->free - out->trees;
    return rc;
}

_Static_assert(sizeof(ocop_table_t) == sizeof(MDB_dbi) && (ocop_table_t)-1 > 0 && (MDB_dbi)-1 > 0,
               "ocop_table_t is LMDB's MDB_dbi");
_Static_assert(OCOP_STORE_CORRUPT == MDB_CORRUPTED, "OCOP_STORE_CORRUPT is LMDB's MDB_CORRUPTED");

MDB_val ocop_key_val(const ocop_key_t *key)
{
    MDB_val v = {.mv_size = key->len, .mv_data = (void *)key->buf};
    return v;
}
