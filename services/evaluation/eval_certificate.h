/* eval_certificate — OCOP certificates: issued on recognition for the term of the policy in
 * force (26/2026 Art. 4.3: 36 months from the decision), superseded by a re-evaluation, revoked
 * on a ground of the policy in force by the authority it names (Art. 8), expired when due. */
#ifndef EVAL_CERTIFICATE_H
#define EVAL_CERTIFICATE_H

#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

#include "eval_policy.h"

/* The recognition decision a certificate is issued on. */
typedef struct {
    const char *ref;  /* its number */
    const char *date; /* YYYY-MM-DD: the term runs from it when the policy says so */
} eval_decision_t;

/* Issues a certificate of stars to p for its result in the closed session s under policy,
 * superseding the certificate p holds: issued on the decision's date (or the session's, as the
 * policy says), expiring policy->certificate_months later. Sets p->certificate_id; emits
 * CertificateIssued (and CertificateEnded for the superseded one). Does not store p. */
int eval_certificate_issue(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p, const Ocop__EvalSession *s,
                           const Ocop__EvalSessionProduct *sp, uint32_t stars, const eval_policy_t *policy,
                           const eval_decision_t *decision);

/* A back-dated result never leaves a certificate valid past its term: when the stored product
 * product_id's current certificate expired before today it ends now (CertificateEnded, the
 * product's stars to 0 with reason "expired"). 0 / -1. */
int eval_certificate_expire_if_past(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id);

/* Records on p the central council's result of session s (a central session): kept when it did
 * not recognise the product, cleared when it did (eval_central_result.c). */
void eval_central_result_keep(Ocop__EvalProduct *p, const Ocop__EvalSession *s, uint32_t ranked, double mean,
                              bool recognised);

/* The certificate id (a record id checked for this shard); NULL with the reply failed. */
Ocop__EvalCertificate *eval_certificate_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id);

/* Ends the valid certificate c in state (reason and note kept on it) and, when it is its
 * product's current certificate, takes its stars (RatingChanged with why). Stores both. */
int eval_certificate_withdraw(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c,
                              Ocop__CertificateState state, Ocop__RevocationReason reason, const char *note,
                              const char *why);

/* A late re-evaluation filer's certificate stays valid until day (26/2026 Art. 12.3): recorded
 * as extended_to and moved in the expiry index. Stores c. 0 / -1. */
int eval_certificate_extend(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c, const char *day);

/* Ends p's valid certificate, if any, in state with reason and note; clears
 * p->certificate_id; emits CertificateEnded. Does not store p. 0 / -1 (reply failed). */
int eval_certificate_end_current(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p,
                                 Ocop__CertificateState state, Ocop__RevocationReason reason, const char *note);

#endif
