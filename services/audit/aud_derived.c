/* aud_derived — see aud_derived.h. */
#include "aud_derived.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "aud_certified.h"
#include "aud_tally.h"
#include "ocop_db.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_scan.h"
#include "ocop_service.h"
#include "ocop_store.h"

/* One entry into every derived database. An id too long to key leaves the entry out of them,
 * said in the log: the entry itself is in the log whatever its ids. */
static int s_apply(const aud_state_t *state, MDB_txn *txn, uint64_t index, const Ocop__Event *event)
{
    int rc = 0;
    if (event->body_case == OCOP__EVENT__BODY_EVAL_RESULT_DISCLOSED)
        rc = aud_tally_result(txn, &state->db.tally, index, event->eval_result_disclosed);
    if (rc == 0)
        rc = aud_certified_apply(txn, state->db.certified, index, event);
    if (rc == EOVERFLOW) {
        ocop_log_warn("entry_not_derived", "entry=%llu reason=\"an id or a counter is too long to keep\"",
                      (unsigned long long)index);
        rc = 0;
    }
    return rc;
}

int aud_derived_apply(const aud_state_t *state, MDB_txn *txn, uint64_t index, const Ocop__Event *event)
{
    uint64_t kept;
    int rc = aud_state_kept(state, txn, &kept);
    if (rc != 0 || kept != index)
        return rc;
    if ((rc = s_apply(state, txn, index, event)) != 0)
        return rc;
    return aud_state_set_kept(state, txn, index + 1);
}

int aud_derived_coverage(const aud_state_t *state, MDB_txn *txn, uint64_t *kept, uint64_t *size)
{
    int rc = aud_state_size(state, txn, size);
    return rc ? rc : aud_state_kept(state, txn, kept);
}

int aud_derived_coverage_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *kept, uint64_t *size)
{
    int rc = aud_derived_coverage(ocop_ctx_user(ctx), ocop_ctx_txn(ctx), kept, size);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading the log's size");
}

/* Entries [from, to) into the derived databases, and kept = to, in txn. */
static int s_chunk(aud_state_t *state, MDB_txn *txn, uint64_t from, uint64_t to)
{
    int rc = 0;
    if (from == 0) {
        const MDB_dbi derived[] = {state->db.tally.sums, state->db.tally.entries, state->db.certified};
        for (size_t i = 0; rc == 0 && i < sizeof derived / sizeof derived[0]; i++)
            rc = ocop_db_drop(txn, derived[i], 0);
        if (rc != 0)
            return rc;
    }
    ocop_key_t first;
    ocop_key_init(&first);
    ocop_key_u64(&first, from);
    ocop_scan_t scan;
    rc = ocop_scan_open(&scan, txn, state->db.entries, NULL, &first);
    while (rc == 0 && ocop_scan_next(&scan)) {
        uint64_t index = scan.key.size == 8 ? ocop_be64_get(scan.key.data) : UINT64_MAX;
        if (index >= to)
            break;
        ocop_arena_reset(state->intake_arena);
        Ocop__Event *e = NULL;
        int arc = aud_entry_event(state->intake_arena, scan.value.data, scan.value.size, &e);
        if (arc == 0)
            arc = s_apply(state, txn, index, e);
        if (arc != 0) {
            ocop_scan_fail(&scan, arc);
            break;
        }
    }
    if ((rc = ocop_scan_close(&scan, rc)) != 0)
        return rc;
    return aud_state_set_kept(state, txn, to);
}

int aud_derived_catch_up(aud_state_t *state, char *err, size_t errlen)
{
    int64_t started = ocop_now_ms();
    uint64_t first = UINT64_MAX, size = 0, kept = 0;
    for (;;) {
        ocop_store_hold(state->store);
        MDB_txn *txn = NULL;
        int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
        if (rc == 0)
            rc = aud_derived_coverage(state, txn, &kept, &size);
        if (first == UINT64_MAX)
            first = kept;
        int done = rc == 0 && kept >= size;
        if (rc == 0 && !done)
            rc = s_chunk(state, txn, kept, size - kept > AUD_DERIVED_CHUNK ? kept + AUD_DERIVED_CHUNK : size);
        if (rc == 0 && !done)
            rc = mdb_txn_commit(txn);
        else if (txn)
            mdb_txn_abort(txn);
        ocop_store_release(state->store);
        if (rc == MDB_MAP_FULL && ocop_store_grow(state->store) == 0)
            continue;
        if (rc != 0) {
            ocop_error_format(err, errlen, "%s: keeping the figures of entries from %llu: %s",
                              ocop_store_path(state->store), (unsigned long long)kept, mdb_strerror(rc));
            return -1;
        }
        if (done)
            break;
    }
    if (size > first)
        ocop_log_info("derived_caught_up", "entries=%llu ms=%lld", (unsigned long long)(size - first),
                      (long long)(ocop_now_ms() - started));
    return 0;
}
