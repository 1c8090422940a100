/* aud_derived — what the audit service keeps besides the log, derived from its entries: the
 * integrity reports' tallies (aud_tally) and the valid certificates inspections draw from
 * (aud_certified). Intake applies each entry in the transaction that appends it; meta "kept"
 * says how many entries the derived databases cover, so that a store from before them (or one
 * whose mark was lost) is brought up to the log at start, and readers can tell when they lag. */
#ifndef AUD_DERIVED_H
#define AUD_DERIVED_H

#include "aud_state.h"
#include "envelope.pb-c.h"

/* Entries per transaction of aud_derived_catch_up. */
#define AUD_DERIVED_CHUNK 5000

/* Applies the entry just appended at index when the derived databases are current (kept ==
 * index), and moves the mark; otherwise leaves it to aud_derived_catch_up. 0 / MDB code. */
int aud_derived_apply(const aud_state_t *state, MDB_txn *txn, uint64_t index, const Ocop__Event *event);

/* Brings the derived databases up to the log, AUD_DERIVED_CHUNK entries per transaction, each
 * recording how far it got; from a mark of 0 they are emptied first. The intake's thread, before
 * it takes any entry. 0, or -1 with err. */
int aud_derived_catch_up(aud_state_t *state, char *err, size_t errlen);

/* Whether the derived databases cover the log as txn sees it: 0 with *kept and *size, else an
 * MDB code. */
int aud_derived_coverage(const aud_state_t *state, MDB_txn *txn, uint64_t *kept, uint64_t *size);
/* aud_derived_coverage in the request's transaction: 0, or -1 with the store error in reply. */
int aud_derived_coverage_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *kept, uint64_t *size);

#endif
