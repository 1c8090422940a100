/* reg_screening — duplicate screening of product registrations (seed 004).
 *
 * Candidates are the products of the same commune and product set (the block); names are
 * compared by their normalised keys (reg_normalize) with trigram similarity (reg_similarity).
 * The same entity registering the same key again is a conflict; near-duplicates of other
 * entities and fresh/raw products are accepted but flagged for review. */
#ifndef REG_SCREENING_H
#define REG_SCREENING_H

#include <stdbool.h>

#include "ocop_service.h"
#include "registration.pb-c.h"

#define REG_CANDIDATES_MAX 5
#define REG_FLAG_NEAR_DUPLICATE "near_duplicate"
#define REG_FLAG_FRESH_RAW "fresh_raw"

/* Screens p (normalized_name, entity_id, unit_version, commune_code, catalogue_version,
 * product_set_code set) and fills p->flags, p->candidates and p->review. fresh_set says the
 * product set itself is fresh/raw produce. 0, or -1 with the reply failed (CONFLICT). */
int reg_screen(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__RegProduct *p, bool fresh_set);

/* Adds p to its block (reg_memindex) so later registrations are screened against it; call it
 * after the product's own writes. 0, or -1 with reply failed (out of memory). */
int reg_screen_index(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p);

#endif
