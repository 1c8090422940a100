/* eval_dossier — which rules a session's dossiers run under, and the checks on each dossier:
 * its kind (first, upgrade, re-evaluation: 26/2026 Art. 6.1), its filing day against the
 * hand-over windows (Art. 12.2) and, for a re-evaluation, against the certificate's expiry
 * (Art. 7.6(a)), a late filer's certificate extended (Art. 12.3). */
#ifndef EVAL_DOSSIER_H
#define EVAL_DOSSIER_H

#include "eval_policy.h"
#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* The policy the session's dossiers run under: the one in force on the session's date
 * (by_date), or, for dossiers filed before its hand-over date and still inside the window, the
 * one in force on their filing day. Every dossier must resolve to one policy. Checks every
 * dossier entry (a listed product, once, a known kind, a filing day not after the session). 0 and
 * *out, or -1 with the reply failed naming the product and the article. */
int eval_dossier_policy(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in,
                        const eval_policy_t *by_date, const eval_policy_t **out);

/* Checks product p's dossier under policy (the session's) and records its kind and filing day on
 * sp: a product holding a certificate files an upgrade or a re-evaluation (where the policy has
 * re-evaluation rules), a product without one a first evaluation; a re-evaluation filed inside
 * the window, or late: *extend_to is then the day its certificate stays valid until (arena
 * memory; the caller extends it once every check passed), else NULL. Writes nothing.
 * 0 / -1 (reply failed, field named). */
int eval_dossier_check(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const Ocop__EvalSessionOpen *in,
                       const eval_policy_t *policy, const Ocop__EvalProduct *p, Ocop__EvalSessionProduct *sp,
                       char **extend_to);

#endif
