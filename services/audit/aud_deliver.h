/* aud_deliver — sends evaluation the revocation requests of failed inspections.
 *
 * Runs as the audit feed's tick (its own thread): every pending request (an inspection failed,
 * evaluation not yet answered) is sent to the shard that issued the certificate (the shard
 * number is in the certificate id) as an EvalCertificateRevoke with a request id derived from
 * the inspection, so a resend after a crash or a time-out is applied once. The answer is
 * recorded on the inspection. The revocation then comes back into the log as evaluation's
 * CertificateEnded and RatingChanged events: audit asks, evaluation decides and records. */
#ifndef AUD_DELIVER_H
#define AUD_DELIVER_H

#include "aud_state.h"
#include "ocop_keys.h"

typedef struct aud_deliverer_t aud_deliverer_t;

/* zctx and keys are the caller's and outlive the deliverer. NULL on failure. */
aud_deliverer_t *aud_deliverer_new(aud_state_t *state, void *zctx, const ocop_keypair_t *keys);
void aud_deliverer_destroy(aud_deliverer_t **self_p);

/* An ocop_feed_tick_fn; user is the aud_deliverer_t. */
void aud_deliver_tick(void *user);

#endif
