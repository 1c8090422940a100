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

#endif
