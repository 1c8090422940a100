/* demo_round — the round a demo session belongs to. Under 26/2026 (Art. 5) every province
 * and central session is held in a round of its level; the demo uses a round already declared
 * whose dates take its dossiers, or declares one of the council's own. */
#ifndef DEMO_ROUND_H
#define DEMO_ROUND_H

#include "envelope.pb-c.h"
#include "ocop_client.h"

/* The id (DEMO_ID_LEN) of a round of level for province in deadline's year whose cut-off
 * is on or after filed and whose deadline is on or after deadline: one the calendar holds, else
 * one declared with cutoff and deadline as the first number after those declared that is not a
 * statutory round (whose dates the policy sets). The request id names level, province, year and
 * number, so a re-run finds the same round. 0 / exit code. */
int demo_round(ocop_client_t *shard, Ocop__EvalLevel level, const char *province, const char *filed, const char *cutoff,
               const char *deadline, int timeout_ms, char *id);

#endif
