/* reg_counts — product counts by today's province × catalogue sector × stage, kept
 * incrementally by every registration and stage change so reports never scan products. */
#ifndef REG_COUNTS_H
#define REG_COUNTS_H

#include <lmdb.h>
#include <stdint.h>

#include "registration.pb-c.h"

typedef struct reg_state reg_state_t;

/* Adds delta (+1 / -1) to the count of the product's cell. 0 / MDB error code. */
int reg_counts_add(reg_state_t *state, MDB_txn *txn, const Ocop__RegProduct *product, Ocop__Stage stage, int delta);

#endif
