/* aud_products — the index of events by product (aud_memindex) saved in a file beside the
 * store at a clean stop, so that a restart loads it and indexes only the entries appended
 * since, instead of unpacking the whole log.
 *
 * <store>/products.idx: "OCOPAIX1", the log size S it covers (u64), the Merkle root of the log
 * at S (32 bytes), the index (aud_memindex_save), then a BLAKE2b-256 of everything before it.
 * The log only grows, so the file stays right for its first S entries whatever happens after;
 * it is used only when its hash holds and the log's root at S is the one it names (a store
 * restored from another deployment's copy does not match), else the whole log is indexed. */
#ifndef AUD_PRODUCTS_H
#define AUD_PRODUCTS_H

#include <stdint.h>

#include "aud_state.h"

#define AUD_PRODUCTS_FILE "products.idx"

/* Writes the file for the log as committed now (written aside, synced and renamed over the
 * old one). 0, or -1 with err. */
int aud_products_save(aud_state_t *state, char *err, size_t errlen);

/* Loads the file into state->products: 0 with *covered (the entries it indexes), 1 when there
 * is no usable file (why in err: missing, damaged, another log), -1 out of memory. */
int aud_products_load(aud_state_t *state, uint64_t *covered, char *err, size_t errlen);

#endif
