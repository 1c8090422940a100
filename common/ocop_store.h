/* ocop_store — one LMDB environment per service, named databases opened once, map growth.
 *
 * Contract: one process opens a store; all named databases are opened by ocop_store_dbi
 * before the service loop starts. Every commit is fsync'd (no MDB_NOSYNC): a reply sent
 * after ocop_store commit means the change is durable. */
#ifndef OCOP_STORE_H
#define OCOP_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "ocop_key.h"

typedef struct {
    const char *path; /* directory; created (0700) if missing */
    size_t map_size;  /* initial map size in bytes */
    size_t map_max;   /* ceiling for growth; map_size when smaller */
    unsigned max_dbs; /* named databases, 0 = 32 */
} ocop_store_options_t;

typedef struct ocop_store_t ocop_store_t;

/* Opens (creating) the environment and runs mdb_reader_check to clear stale readers.
 * NULL + err on failure. Keeps the larger of map_size and the size the file already has. */
ocop_store_t *ocop_store_open(const ocop_store_options_t *opts, char *err, size_t errlen);
void ocop_store_destroy(ocop_store_t **self_p);

MDB_env *ocop_store_env(ocop_store_t *self);
const char *ocop_store_path(const ocop_store_t *self);

/* A consistent, compacted copy of the store in src_dir (a service may be running on it: the copy
 * is one read transaction of another process, which LMDB allows) written to dst_dir/data.mdb;
 * dst_dir is created (0700) and must not hold a data.mdb yet. 0, or -1 with err. Implemented in
 * ocop_store_copy.c. */
int ocop_store_copy(const char *src_dir, const char *dst_dir, char *err, size_t errlen);

/* Opens (creating) a named database once; flags as mdb_dbi_open (MDB_CREATE is added).
 * Must run with no other transaction open. 0 / -1. */
int ocop_store_dbi(ocop_store_t *self, const char *name, unsigned flags, MDB_dbi *out);

/* A named database and where its handle goes, for ocop_store_dbis. */
typedef struct {
    const char *name;
    MDB_dbi *dbi;
} ocop_dbi_spec_t;

/* Opens (creating) every database of specs, as ocop_store_dbi. 0, or -1 with err naming the
 * store and the database that failed. */
int ocop_store_dbis(ocop_store_t *self, const ocop_dbi_spec_t *specs, size_t n, char *err, size_t errlen);

/* Doubles the map (capped at map_max). The calling thread must have no transaction open; it
 * waits until no other thread holds the store (ocop_store_hold). 0 if it grew, -1 at the
 * ceiling or on error. */
int ocop_store_grow(ocop_store_t *self);

/* When several threads write to one store (a service loop and its subscribers), each holds the
 * store for the life of every write transaction it opens, so that a map growth never happens
 * under an open transaction (LMDB forbids it). Shared: holders do not exclude each other. */
void ocop_store_hold(ocop_store_t *self);
void ocop_store_release(ocop_store_t *self);
size_t ocop_store_map_size(const ocop_store_t *self);
size_t ocop_store_map_max(const ocop_store_t *self);
/* Bytes of the pages in use (up to the last page written): what the map must hold. */
size_t ocop_store_used_bytes(ocop_store_t *self);

/* Where the pages of a store go, as its last commit left them. */
typedef struct {
    uint64_t used;       /* up to the last page written, the two meta pages included */
    uint64_t free;       /* on the free list, to be reused */
    uint64_t trees;      /* in the trees mdb_stat counts: the free list's, the main database's and
                            each named database's own */
    uint64_t duplicates; /* the rest: the sub-trees of tables of sorted duplicates (MDB_DUPSORT),
                            which mdb_stat leaves out */
    uint64_t psize;      /* bytes per page */
} ocop_store_pages_t;

/* Counts the pages of a store's environment (ocop_store_env, or any LMDB environment) in a read
 * transaction of its own, with no write transaction running (for benchmarks and tests). 0 / MDB
 * error (MDB_CORRUPTED when the counts do not add up). */
int ocop_store_pages(MDB_env *env, ocop_store_pages_t *out);

/* An MDB_val pointing into key (valid while key lives). */
MDB_val ocop_key_val(const ocop_key_t *key);
/* The MDB_val of bytes read from a store (for the functions that take one). */
static inline MDB_val ocop_bytes_val(ocop_bytes_t bytes)
{
    return (MDB_val){.mv_size = bytes.size, .mv_data = (void *)bytes.data};
}

#endif
