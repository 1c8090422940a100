/* reg_counts — product counts by province × catalogue sector × stage, both by today's province
 * and by the province as recorded (with its hierarchy version), kept incrementally by every
 * registration and stage change so reports never scan products. */
#ifndef REG_COUNTS_H
#define REG_COUNTS_H

#include <lmdb.h>
#include <stdint.h>

#include "registration.pb-c.h"

typedef struct reg_state reg_state_t;

/* Adds delta (+1 / -1) to the product's two cells (today's and as recorded). 0 / MDB error. */
int reg_counts_add(reg_state_t *state, MDB_txn *txn, const Ocop__RegProduct *product, Ocop__Stage stage, int delta);

#endif
