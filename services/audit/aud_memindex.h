/* aud_memindex — the log's index of events by product, kept in memory.
 *
 * Products are many and their events interleave, so an on-disk index keyed by product would
 * rewrite a different page for almost every event and dominate each commit. The index is
 * instead rebuilt from the entries at start-up and extended as entries are appended. Indexes
 * per product are kept ascending; adding one not above the last is ignored, so re-applying a
 * batch that LMDB aborted adds nothing twice. Readers must drop indexes at or above the log
 * size their transaction sees (an aborted batch may have added some). Thread-safe: the intake
 * thread adds while the service thread reads. */
#ifndef AUD_MEMINDEX_H
#define AUD_MEMINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct aud_memindex_t aud_memindex_t;

aud_memindex_t *aud_memindex_new(void);
void aud_memindex_destroy(aud_memindex_t **self_p);

/* 0, or -1 out of memory. */
int aud_memindex_add(aud_memindex_t *self, const char *key, uint64_t index);

/* Up to max indexes of key that are >= from and < below, ascending, into out; *next is the
 * index to continue from (0 when there are no more). Returns how many. */
size_t aud_memindex_find(aud_memindex_t *self, const char *key, uint64_t from, uint64_t below, uint64_t *out,
                         size_t max, uint64_t *next);

size_t aud_memindex_keys(aud_memindex_t *self);
/* Forgets every key. */
void aud_memindex_clear(aud_memindex_t *self);

/* The index as bytes, for aud_products: each key with its indexes below `below` (u32 key
 * length, the key, u64 count, the indexes; this machine's byte order), then a u32 0. write
 * returns 0, or non-zero to stop (returned). Readers may go on meanwhile. */
int aud_memindex_save(aud_memindex_t *self, uint64_t below, int (*write)(void *user, const void *data, size_t len),
                      void *user);
/* Adds what aud_memindex_save(below) wrote, read through read (0, or non-zero to stop:
 * returned). 0, -1 out of memory, or 1 when the bytes are not such an index. */
int aud_memindex_load(aud_memindex_t *self, uint64_t below, int (*read)(void *user, void *data, size_t len),
                      void *user);

#endif
