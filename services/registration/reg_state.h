/* reg_state — the registration service's store schema and loaded rules, shared by its handlers.
 *
 * Databases (keys built with ocop_key_*, "|" separates parts below):
 *   units              version|code                    -> RegUnit
 *   units_by_parent    version|parent|code              -> ""   (provinces have parent "")
 *   entities           id                               -> RegEntity
 *   entity_tax         type(u32)|tax_code               -> id   (unique within a type)
 *   entity_idx         index name|value|id              -> ""   (province, commune)
 *   products           id                               -> RegProduct
 *   product_idx        index name|value|id              -> ""   (all, province, stage, sector, review)
 *   product_history    product id|n(u64)                -> RegStageChange
 *   product_reviews    product id|n(u64)                -> RegReviewDecision
 *   product_classes    product id|n(u64)                -> RegClassification (written from the
 *                      first reclassification on: entry 1 is then the registered classification)
 *   counts             province|unit version|catalogue|sector|stage(u32) -> count (u64 BE); the
 *                      version is "" for cells by today's province, else the recorded one
 *   meta               name                             -> value (seeded unit versions; "key_format":
 *                      reg_migrate)
 * Products by commune (the duplicate-screening blocks) and by entity are kept in memory
 * (reg_memindex), built from `products` (or the file a clean stop saved) on a thread of their
 * own while the service already answers (reg_memindex_loader).
 */
#ifndef REG_STATE_H
#define REG_STATE_H

#include "ocop_service.h"
#include "reg_catalogue.h"
#include "reg_catalogue_map.h"
#include "reg_memindex.h"
#include "reg_memindex_loader.h"
#include "reg_units.h"

/* Entities and products are numbered "ENT-00000001", "PRD-00000001" on (ocop_seq_id). */
#define REG_ID_WIDTH 8

typedef struct {
    ocop_table_t units, units_by_parent;
    ocop_table_t entities, entity_tax, entity_idx;
    ocop_table_t products, product_idx, product_history, product_reviews, product_classes;
    ocop_table_t counts, meta;
} reg_dbs_t;

struct reg_state {
    ocop_store_t *store;
    reg_dbs_t db;
    reg_catalogues_t *catalogues;
    reg_catalogue_map_t *catalogue_map;
    reg_hierarchies_t *hierarchies;
    reg_memindex_loader_t *products_index; /* use reg_state_memindex */
};

/* Opens every database, loads the catalogues, the mapping between them and the unit
 * hierarchies from rules_dir, seeds the
 * shipped units of each hierarchy version that the store does not hold yet, and starts building
 * the in-memory product indexes.
 * 0, or -1 with a message in err naming the file and field at fault. */
int reg_state_open(reg_state_t *state, ocop_store_t *store, const char *rules_dir, char *err, size_t errlen);
void reg_state_close(reg_state_t *state);

/* The in-memory product indexes, waiting for them while they are being built after a start;
 * NULL when building them failed (logged). Only on the service loop. */
reg_memindex_t *reg_state_memindex(reg_state_t *state);

/* Undo hooks for the service loop over the in-memory indexes (user is the reg_state_t). */
const ocop_memory_undo_t *reg_state_undo(void);

/* The next id of a kind ("ENT", "PRD") in the request's transaction: one more than the highest
 * stored, e.g. "ENT-00000042". out >= 24 bytes. 0, or -1 with the store error in reply. */
int reg_state_next_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *kind, char *out, size_t outlen);

#endif
