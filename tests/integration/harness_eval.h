/* harness_eval — helpers for tests of the evaluation shards: pipelined calls, products made
 * ready for evaluation through registration, score sheets that total exactly what a test
 * wants under a real rubric, and the evaluation requests a test makes most. */
#ifndef HARNESS_EVAL_H
#define HARNESS_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "eval_rubric.h"
#include "harness.h"

/* ---------------------------------------------------------------- pipelining */

/* Sends every request (window in flight at a time) and collects the replies in request order
 * (replies[i] answers reqs[i]; the caller frees each with ocop__reply__free_unpacked).
 * Requests without a request_id get a fresh one. 0, or -1 when a reply did not come within
 * the harness time-out (the replies received so far are freed). */
int harness_pipeline(ocop_client_t *c, Ocop__Request **reqs, size_t n, unsigned window, Ocop__Reply **replies);
void harness_replies_free(Ocop__Reply **replies, size_t n);

/* ---------------------------------------------------------------- registration side */

/* A product for the evaluation tests, registered and moved to READY_FOR_EVALUATION. */
typedef struct {
    char entity_id[32];
    char product_id[32];
    char commune[16];
    char unit_version[16];
    char catalogue[16];
    char sector[16];
    char product_set[16];
    char current_province[16]; /* filled: today's province of the product (shard ownership) */
} harness_ready_t;

/* Registers products[i] (entity, then product of entity_id taken from entity_of[i]: the index
 * of an earlier item whose entity it shares, or i for a new entity) and moves each through the
 * cycle to READY_FOR_EVALUATION, clearing any duplicate flag with a recorded review. Fills
 * entity_id and product_id. name_seed makes names and tax codes unique across calls.
 * 0 / -1 (message on stderr). */
int harness_make_ready(ocop_client_t *reg, harness_ready_t *products, const size_t *entity_of, size_t n,
                       unsigned name_seed);

/* Fills products[0..n) for harness_make_ready from d: each a new entity (entity_of[i] = i) with
 * d's catalogue, sector and set, in d's communes 0-2 in turn except every `every`-th product,
 * which goes to commune 3 (another province). */
void harness_ready_fill(harness_ready_t *products, size_t *entity_of, size_t n, const harness_data_t *d,
                        unsigned every);

/* Waits (bounded) until shard i knows product_id through registration's events. 0 / -1. */
int harness_shard_wait_product(harness_t *h, unsigned i, const char *product_id);

/* ---------------------------------------------------------------- sheets */

/* Rubrics from the source tree's services/evaluation/data/rubrics (NULL + message on failure). */
eval_rubrics_t *harness_rubrics_load(void);

/* A member's sheet totalling exactly total. On a sheet with options: from the best option of
 * every criterion (the first alternative of each set) down, one option at a time, never below
 * what the star minimums of total's band require (50/70/90), until the sum is total; on a
 * free-number sheet (1048): each criterion its share in half points. */
typedef struct {
    Ocop__EvalSheetSubmit body;
    Ocop__Request req;
    Ocop__EvalScore *scores;
    Ocop__EvalScore **score_ptrs;
    char *knockout; /* the flagged knock-out, when asked */
} harness_sheet_t;

typedef struct {
    /* Hold this criterion one option below the minimum of below_stars (which it must have),
     * the others making up the total. */
    const char *below;
    int below_stars;
    const char *knockout; /* flag this knock-out condition */
} harness_sheet_opts_t;

/* 0, or -1 with a message when the total cannot be made (opts may be NULL). */
int harness_sheet_init(harness_sheet_t *sheet, const eval_rubric_t *rubric, double total,
                       const harness_sheet_opts_t *opts);
/* Points the sheet at its session, product, member, phase and round (strings not copied). */
void harness_sheet_address(harness_sheet_t *sheet, const char *session_id, const char *product_id,
                           const char *member_id, unsigned phase, unsigned round);
void harness_sheet_free(harness_sheet_t *sheet);

/* ---------------------------------------------------------------- evaluation requests
 * Each returns the reply (caller frees) or NULL when none came; request_id NULL = fresh. */

/* A council of n members "m1".."mn", m1 the chair; quorum 0 = the default. */
Ocop__Reply *harness_council_create(ocop_client_t *c, Ocop__EvalLevel level, const char *unit_code,
                                    const char *province_code, size_t n_members, unsigned quorum);
/* A round of council's level and province whose cut-off is on or after date (26/2026 Art. 5: a
 * session belongs to one): the calendar's first, else one declared after the statutory ones
 * (cut-off date, deadline the next day). Its id into out; 0 / -1. */
int harness_round_for(ocop_client_t *c, const char *council_id, const char *date, char out[HARNESS_ID_LEN]);
/* Opens a session as an operator would: where the rules in force ask for a round (refused
 * ILLEGAL_STATE on round_id), with the round of harness_round_for. */
Ocop__Reply *harness_session_open(ocop_client_t *c, const char *council_id, const char *date, const char *const *ids,
                                  size_t n, bool two_phase);
/* present: member ids; NULL = "m1".."m<n_present>". */
Ocop__Reply *harness_session_start(ocop_client_t *c, const char *session_id, const char *const *present,
                                   size_t n_present);
/* Closes with the recognition decision decision_ref dated today. */
Ocop__Reply *harness_session_close(ocop_client_t *c, const char *session_id, const char *decision_ref);
Ocop__Reply *harness_session_get(ocop_client_t *c, const char *session_id);
Ocop__Reply *harness_eval_product_get(ocop_client_t *c, const char *product_id);
Ocop__Reply *harness_report_get(ocop_client_t *c, const char *province, const char *sector, unsigned year);

#endif
