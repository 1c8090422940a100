/* pro_state — the trade-promotion service's store schema and loaded rules.
 *
 * Databases (keys built with ocop_key_*, "|" separates parts below):
 *   certs         product id                     -> ProCertificateView (replica of evaluation)
 *   fairs         fair id                        -> ProFair
 *   applications  fair id|seq(u64)               -> ProApplication
 *   by_product    product id|fair id             -> seq(u64)   (applications of a product)
 *   pos           point-of-sale id               -> ProPointOfSale
 *   listings      pos id|product id              -> ProListing
 *   listed_by     product id|pos id              -> ""
 *   plans         province|year(u32)             -> ProPlan
 *   cascade       product id                     -> reason     (bookings to cancel: a rating lost)
 *   meta          name                           -> u64 (id sequences)
 * The replica's subscriber cursors are in "cursors" (ocop_subscriber). */
#ifndef PRO_STATE_H
#define PRO_STATE_H

#include "ocop_arena.h"
#include "ocop_config.h"
#include "ocop_key.h"

typedef struct ocop_store_t ocop_store_t;

#define PRO_REGIONS_MAX 16
#define PRO_PROVINCES_MAX 128

/* Fairs and points of sale are numbered "FAIR-000001", "POS-000001" on (ocop_seq_id). */
#define PRO_ID_WIDTH 6

typedef struct {
    char province[8];
    char region[48];
} pro_province_t;

typedef struct {
    ocop_table_t certs, fairs, applications, by_product, pos, listings, listed_by, plans, cascade, meta;
} pro_dbs_t;

typedef struct {
    ocop_store_t *store;
    pro_dbs_t db;
    pro_province_t provinces[PRO_PROVINCES_MAX];
    size_t n_provinces;
    char regions_digest[65];
    ocop_arena_t *replica_arena; /* used by the replica's thread only */
} pro_state_t;

/* Opens every database and loads rules_dir/regions.json. 0, or -1 with err naming file and field. */
int pro_state_open(pro_state_t *state, ocop_store_t *store, const char *rules_dir, char *err, size_t errlen);
void pro_state_close(pro_state_t *state);

/* The region of province; NULL when the province is unknown. */
const char *pro_state_region(const pro_state_t *state, const char *province);

#endif
