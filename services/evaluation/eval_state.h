/* eval_state — one evaluation shard's store schema, loaded rules and place in the shard map,
 * shared by its handlers and its replica of registration.
 *
 * Databases (keys built with ocop_key_*, "|" separates parts below):
 *   products          product id                         -> EvalProduct (replica + rating)
 *   councils          council id                         -> EvalCouncil
 *   sessions          session id                         -> EvalSession (without products)
 *   session_products  session id|product id              -> EvalSessionProduct
 *   sheets            session|product|phase(u32)|round(u32)|member -> EvalSheet
 *   certificates      certificate id                     -> EvalCertificate
 *   cert_expiry       expiry day|certificate id          -> ""   (valid certificates only)
 *   report            see eval_report.c                  -> counts
 *   self_assessments  product id|n(u64, 1, 2, …)         -> EvalSelfAssessment (the producer's,
 *                     every one kept: the last n is the latest; see eval_self.h)
 *   rounds            "r"|round id                       -> EvalRound (26/2026 Art. 5; see eval_round.h)
 *                     "k"|province|year(u32)|level(u32)|number(u32) -> round id (one round per key;
 *                     a province's calendar of a year in level and number order)
 *                     "s"|round id|session id            -> u32 products (the sessions of a round)
 *   late_dossiers     province|commune|product id        -> "" (commune reports later than the
 *                     policy's limit: 26/2026 Art. 7.2; see eval_product.c)
 *   meta              name                               -> value (id sequences)
 *   moves             see eval_owner.h                   -> provinces and records moved in or out
 */
#ifndef EVAL_STATE_H
#define EVAL_STATE_H

#include "eval_bands.h"
#include "eval_holidays.h"
#include "eval_policy.h"
#include "eval_rubric.h"
#include "ocop_config.h"
#include "ocop_key.h"
#include "ocop_service.h"

/* The name of the sharded service: shards are config sections "evaluation-<N>". */
#define EVAL_GROUP "evaluation"
/* The section whose events the shards replicate (products and their stages). */
#define EVAL_REPLICA_SOURCE "registration"

typedef struct {
    ocop_table_t products, councils, sessions, session_products, sheets;
    ocop_table_t certificates, cert_expiry, report, meta;
    ocop_table_t self_assessments;
    ocop_table_t rounds;
    ocop_table_t late_dossiers;
    ocop_table_t moves;
    ocop_table_t cursors; /* the replica's cursor (ocop_subscriber), read by a move */
} eval_dbs_t;

typedef struct {
    ocop_store_t *store;
    eval_dbs_t db;
    eval_rubrics_t *rubrics;
    eval_policies_t *policies;
    eval_bands_t *bands;
    eval_holidays_t *holidays;            /* the working calendar of time limits in working days */
    const ocop_config_t *config;          /* the whole deployment: who owns what */
    const ocop_service_config_t *service; /* this shard's section */
    ocop_arena_t *replica_arena;          /* used by the replica's thread only */
} eval_state_t;

/* Opens every database and loads rubrics, policies, star bands and holidays from service->rules_dir;
 * checks that every policy's rubric instrument has rubric files.
 * 0, or -1 with a message in err naming the file and field at fault. */
int eval_state_open(eval_state_t *state, ocop_store_t *store, const ocop_config_t *config,
                    const ocop_service_config_t *service, char *err, size_t errlen);
void eval_state_close(eval_state_t *state);

/* The next id of a kind in the request's transaction: "<prefix><shard>-<n>", e.g. "S2-17"
 * (sessions of shard 2; the grammar of ocop_shard_id), in the request's arena. The shard number
 * in an id tells any shard, the gateway and tools where the record lives. NULL with the reply
 * failed. */
char *eval_next_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *prefix);

#endif
