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

#include "ocop_snapfile.h"
#include "ocop_store.h"
#include "reg_memindex.h"

#define REG_MEMINDEX_FILE "screening.idx"

/* Writes the file for the store as committed now. 0, or -1 with err. */
int reg_memindex_file_save(ocop_store_t *store, const reg_memindex_t *index, char *err, size_t errlen);

/* Opens the file when it is usable for the store as committed now (call it before anything
 * is written): the snapfile positioned at the index, for reg_memindex_file_read. NULL when
 * there is no usable file (why in err: missing, damaged header, or the store changed after it
 * was written). */
ocop_snapfile_t *reg_memindex_file_open(ocop_store_t *store, char *err, size_t errlen);

/* Reads the index from f (opened by reg_memindex_file_open; freed) into index (empty): 0; 1
 * when the file is damaged (index may hold part of it: start again from an empty one); -1 out
 * of memory. err says which. */
int reg_memindex_file_read(ocop_snapfile_t **f, reg_memindex_t *index, char *err, size_t errlen);

#endif
