/* aud_reports — the integrity reports (bunching, leniency, spread, distribution) built from the
 * tallies (aud_tally.h). The service's handlers (aud_report_requests.c) check the request and
 * that the tallies cover the log, then call aud_reports_build_in. */
#ifndef AUD_REPORTS_H
#define AUD_REPORTS_H

#include "aud_tally.h"
#include "audit.pb-c.h"
#include "ocop_arena.h"

/* A bunching window in points into tenths of a point (0 = 2 points). -1 unless it is a whole
 * number of tenths from 0 to AUD_TALLY_WINDOW_MAX tenths. */
int aud_reports_window(double window, unsigned *tenths);

/* The report in (kind, filters, offset, limit) into report (initialised; tree_size left to the
 * caller), allocated in arena. 0, EINVAL (an unknown kind or a bad window) or an MDB code. */
int aud_reports_build(MDB_txn *txn, const aud_tally_db_t *db, const Ocop__AudReportGet *in, ocop_arena_t *arena,
                      Ocop__AudReport *report);
/* aud_reports_build in the request's transaction and arena: 0, or -1 with the store error in
 * reply (the caller checks kind and window first). */
int aud_reports_build_in(ocop_ctx_t *ctx, Ocop__Reply *reply, const aud_tally_db_t *db, const Ocop__AudReportGet *in,
                         Ocop__AudReport *report);

/* Whether kind names a report (bunching, leniency, spread, distribution). */
bool aud_reports_kind_known(const char *kind);

#endif
