/* eval_round — the evaluation rounds of 26/2026/QĐ-TTg Art. 5: a province (or the central level,
 * recorded for each province it evaluates) declares the rounds of a year, the policy's statutory
 * ones with the policy's dates (its "rounds" section) and further ones with their own; a session
 * names its round and takes only dossiers filed by the round's cut-off; the calendar of a
 * province's year lists the rounds with their sessions and what Art. 5 asks that it lacks.
 *
 * The records live in the rounds database (eval_state.h). The rules that apply to a year are
 * those of the policy in force on its 31 December. */
#ifndef EVAL_ROUND_H
#define EVAL_ROUND_H

#include "eval_policy.h"
#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* For a session being opened under policy: a policy with statutory rounds for the council's
 * level (26/2026 Art. 5) requires in->round_id (refused ILLEGAL_STATE naming the article); under
 * one without (1048, 148, 1489) an empty round_id leaves *out NULL. A named round exists, is
 * of council's level and province, and every dossier (in->dossiers[].filed, else the session's date) was filed on or
 * before its cut-off; a later one is refused ILLEGAL_STATE naming the article and the next round. A session dated after
 * the round's deadline is accepted (the calendar reports it). Writes nothing. 0 and *out (the request's arena), or -1
 * with the reply failed naming the field. */
int eval_round_check_session(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in,
                             const eval_policy_t *policy, const Ocop__EvalCouncil *council, Ocop__EvalRound **out);

/* Records session (n_products products) among round's sessions. 0 / -1 (store error). */
int eval_round_add_session(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalRound *round,
                           const Ocop__EvalSession *session, uint32_t n_products);

#endif
