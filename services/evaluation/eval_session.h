/* eval_session — evaluation sessions: what they hold and the helpers the sheet and closing
 * handlers share. */
#ifndef EVAL_SESSION_H
#define EVAL_SESSION_H

#include <stddef.h>

#include "eval_policy.h"
#include "eval_rubric.h"
#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* The most products one session may take. */
#define EVAL_SESSION_PRODUCTS_MAX 5000

/* The session with id (checked to be one of this shard's), in the request's arena; NULL with
 * the reply failed otherwise. */
Ocop__EvalSession *eval_session_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);
int eval_session_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s);

/* Every product of the session in id order, in the request's arena. NULL with the reply failed
 * on a store error (an empty session cannot exist). */
Ocop__EvalSessionProduct **eval_session_products(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id,
                                                 size_t *n);

/* Sets the reply's body to the session with its products. */
void eval_reply_session(Ocop__Reply *reply, Ocop__EvalSession *s, Ocop__EvalSessionProduct **sps, size_t n);

/* The members who score a product of entity_id in session: present and not tied to it. Their
 * ids go to out (room for s->n_present_member_ids); returns how many. */
size_t eval_scorers(const Ocop__EvalCouncil *council, const Ocop__EvalSession *s, const char *entity_id,
                    const char **out);

/* The policy the session recorded, found again among the loaded rules. NULL with the reply
 * failed ILLEGAL_STATE when its file changed since the session opened (a result must come
 * from the rules it says it used). */
const eval_policy_t *eval_session_policy(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s);
/* Likewise the rubric of a session's product ("<instrument>/<product set>" and its digest). */
const eval_rubric_t *eval_session_rubric(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionProduct *sp);

#endif
