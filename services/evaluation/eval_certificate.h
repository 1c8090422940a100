/* eval_certificate — OCOP certificates: issued on recognition (valid 36 months), superseded by
 * a re-evaluation, revoked for a reason from a fixed list, expired when due. */
#ifndef EVAL_CERTIFICATE_H
#define EVAL_CERTIFICATE_H

#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

#define EVAL_CERTIFICATE_MONTHS 36

/* Issues a certificate of stars to p for its result in the closed session s (decision_ref is
 * the recognition decision), superseding the certificate p holds. Sets p->certificate_id;
 * emits CertificateIssued (and CertificateEnded for the superseded one). Does not store p. */
int eval_certificate_issue(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p, const Ocop__EvalSession *s,
                           const Ocop__EvalSessionProduct *sp, uint32_t stars, const char *decision_ref);

/* Ends p's valid certificate, if any, in state with reason and note; clears
 * p->certificate_id; emits CertificateEnded. Does not store p. 0 / -1 (reply failed). */
int eval_certificate_end_current(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p,
                                 Ocop__CertificateState state, Ocop__RevocationReason reason, const char *note);

#endif
