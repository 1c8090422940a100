/* reg_counts — product counts by province × catalogue sector × stage, both by today's province
 * and by the province as recorded (with its hierarchy version), kept incrementally by every
 * registration and stage change so reports never scan products. */
#ifndef REG_COUNTS_H
#define REG_COUNTS_H

#include <stdint.h>

#include "ocop_service.h"
#include "registration.pb-c.h"

/* Adds delta (+1 / -1) to the product's two cells (today's and as recorded) in the request's
 * transaction. 0, or -1 with the store error in reply (a count going below zero is one). */
int reg_counts_add(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *product, Ocop__Stage stage, int delta);

#endif
