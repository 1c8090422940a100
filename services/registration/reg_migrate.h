/* reg_migrate — brings a registration store from before the one key encoding up to it.
 *
 * Entities, products and meta were keyed by the bytes of their id (or name); every other record
 * of every service is keyed with ocop_key_str (the string and a terminating NUL). At start, each
 * such key is rewritten as ocop_key_str of the same string, REG_MIGRATE_CHUNK records per
 * transaction so that a store of millions of products never needs one transaction larger than
 * LMDB allows; meta's "key_format" (ocop_key_str, a u64 set to 1) marks a store as done. A start
 * that stops half way resumes: a key already rewritten ends in NUL, which no id does, and is
 * skipped. Progress is logged per chunk. */
#ifndef REG_MIGRATE_H
#define REG_MIGRATE_H

#include <stddef.h>

#include "reg_state.h"

#define REG_MIGRATE_CHUNK 5000

/* Rewrites the old keys of state's entities, products and meta, unless meta says it is done. The
 * loop is not running yet. 0, or -1 with err. */
int reg_migrate_keys(reg_state_t *state, char *err, size_t errlen);

#endif
