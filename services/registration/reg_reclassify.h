/* reg_reclassify — moving products to a newer catalogue version along catalogue-map.json: one
 * product (RegProductReclassify) or, in batches, every product of a catalogue whose set has a
 * single successor (RegCatalogueMigrate). Each move is kept in the product's history of
 * classifications and published as RegProductReclassified. */
#ifndef REG_RECLASSIFY_H
#define REG_RECLASSIFY_H

#include <stddef.h>

#include "ocop_service.h"
#include "registration.pb-c.h"

/* The product's classifications, oldest first, in the request's arena: the stored history, or,
 * for a product never reclassified (nothing stored), one entry for the classification it was
 * registered with, by registered_by at its creation. 0, or -1 with the store error in reply. */
int reg_classifications_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *p, const char *registered_by,
                             Ocop__RegClassification ***out, size_t *n);

#endif
