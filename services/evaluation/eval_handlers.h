/* eval_handlers — the evaluation shard's request handlers (see ocop_service.h for the handler
 * contract), its route table, and the helpers its handlers share. */
#ifndef EVAL_HANDLERS_H
#define EVAL_HANDLERS_H

#include <stddef.h>

#include "eval_state.h"
#include "evaluation.pb-c.h"
#include "ocop_service.h"

int eval_handle_council_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_council_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_tie_declare(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_attest(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_late_dossiers_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_product_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_session_open(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_session_start(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_session_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_sheet_submit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_sheet_list(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_form_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_phase_advance(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_session_close(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_certificate_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_certificate_revoke(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_expire_due(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_central_result_certify(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_report_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_self_assess(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_self_assessment_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
/* eval_round.c: the evaluation rounds of 26/2026 Art. 5 */
int eval_handle_round_open(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_round_calendar_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_begin(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_fence(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_export(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_import(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_compare(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_commit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_release(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int eval_handle_move_map_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

/* The route table handed to ocop_service_new. */
const ocop_route_t *eval_routes(size_t *count);

/* --- helpers shared by the handlers --- */

#define EVAL_NAME_MAX 200
#define EVAL_CODE_MAX 32
#define EVAL_NOTE_MAX 1000

static inline eval_state_t *eval_state(ocop_ctx_t *ctx)
{
    return ocop_ctx_user(ctx);
}

/* Checks that this shard serves province (the config's map and the moves it took part in,
 * eval_owner.h): WRONG_SHARD on field with reply->redirect naming the shard that does (or saying
 * none does); UNAVAILABLE for a write while the province is fenced for a move. 0 / -1. */
int eval_check_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *province);

/* Checks that id has the form "<prefix><shard>-<n>" and that its record is here: INVALID when
 * it is not an id of that kind, WRONG_SHARD with reply->redirect naming the shard that holds it
 * (the one that made it, or where a move took it). 0 / -1. */
int eval_check_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id, const char *prefix);

/* WRONG_SHARD on field naming holder in reply->redirect, message printf-style. -1. */
int eval_redirect(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *holder, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Every record of dbi whose key starts with prefix, in key order, unpacked into the request's
 * arena (*n of them). NULL with the reply failed (naming what) on a store error. */
void **eval_read_prefix(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const ocop_key_t *prefix,
                        const ProtobufCMessageDescriptor *desc, size_t *n, const char *what);

/* A session's product, keyed session|product. */
Ocop__EvalSessionProduct *eval_session_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id,
                                                    const char *product_id);
int eval_session_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id,
                               const Ocop__EvalSessionProduct *sp);

/* The policy level a council's level maps to (EvalLevel and eval_level_t differ by one). */
eval_level_t eval_level_of(Ocop__EvalLevel level);
Ocop__EvalLevel eval_level_to_proto(eval_level_t level);

/* The day the rules in force are looked up on: date (checked: INVALID on "date" when it is not
 * YYYY-MM-DD), or today when empty. In the request's arena; NULL with the reply failed. */
const char *eval_form_date(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *date);
/* The rubric product p is scored on under the rules in force on date (eval_form.c): the policy
 * in force (*policy) names the instrument, and p's catalogue must be that instrument's. NULL
 * with the reply failed: NOT_FOUND on "date" (no policy in force) or "product_id" (no sheet). */
const eval_rubric_t *eval_form_rubric(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, const char *date,
                                      const eval_policy_t **policy);

/* The member of council with id, or NULL. */
/* The council id names, checked like eval_check_id and then its province like
 * eval_check_province. NULL with reply failed on field. */
Ocop__EvalCouncil *eval_council_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);
const Ocop__EvalMember *eval_council_member(const Ocop__EvalCouncil *council, const char *id);
/* True when member declared a tie to entity_id. */
bool eval_member_tied(const Ocop__EvalMember *member, const char *entity_id);

#endif
