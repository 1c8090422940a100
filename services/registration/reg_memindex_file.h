/* reg_memindex_file — the screening index (reg_memindex) saved beside the store at a clean stop,
 * so that a start loads it instead of reading and indexing every product.
 *
 * <store>/screening.idx (an ocop_snapfile, "OCOPRMX1"): the store's last event sequence and a
 * BLAKE2b-256 of that event when it was written, then the index. Every change to a product is
 * an event, so the file is used only when the store's last event is that one (same sequence,
 * same bytes); after any later write, a crash or a restore, the index is rebuilt from the
 * products. */
#ifndef REG_MEMINDEX_FILE_H
#define REG_MEMINDEX_FILE_H

#include <stddef.h>

#include "ocop_store.h"
#include "reg_memindex.h"

#define REG_MEMINDEX_FILE "screening.idx"

/* Writes the file for the store as committed now. 0, or -1 with err. */
int reg_memindex_file_save(ocop_store_t *store, const reg_memindex_t *index, char *err, size_t errlen);

/* Loads the file into index (empty): 0; 1 when there is no usable file (why in err; index may
 * hold part of it: start again from an empty one); -1 out of memory. */
int reg_memindex_file_load(ocop_store_t *store, reg_memindex_t *index, char *err, size_t errlen);

#endif
