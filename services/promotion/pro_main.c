/* ocop-promotion — the trade-promotion service.
 *
 *   ocop-promotion --config FILE [--name promotion]
 *
 * Keeps a replica of the certificates of every evaluation shard listed in its "sources"; a timer
 * of its loop (ProCascadeDue through the ordinary durable path) cancels the bookings and
 * listings of products that lost their rating, as soon as the replica marks one. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_boot.h"
#include "ocop_log.h"
#include "ocop_scan.h"
#include "ocop_store.h"
#include "pro_handlers.h"
#include "pro_replica.h"

#define S_TICK_MS 200
#define S_CASCADE_BATCH 500 /* marks acted on per request */

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-promotion --config FILE [--name NAME]\n"
                 "  Runs the trade-promotion service of section services.NAME of FILE (default \"promotion\"):\n"
                 "  fairs, points of sale, plans; follows the certificates of the evaluation shards listed in\n"
                 "  its \"sources\". Stops cleanly on SIGTERM or SIGINT.\n");
}

/* The loop's timer: when the replica marked products, act on a batch of them. */
static bool s_cascade_make(void *user, Ocop__Request *req, ocop_arena_t *arena)
{
    pro_state_t *state = user;
    MDB_txn *txn;
    bool pending = false;
    ocop_store_hold(state->store);
    if (mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn) == 0) {
        ocop_scan_t scan;
        int rc = ocop_scan_open(&scan, txn, state->db.cascade, NULL, NULL);
        pending = rc == 0 && ocop_scan_next(&scan);
        ocop_scan_close(&scan, rc);
        mdb_txn_abort(txn);
    }
    ocop_store_release(state->store);
    if (!pending)
        return false;
    Ocop__ProCascadeDue *due = ocop_arena_alloc(arena, sizeof *due);
    ocop__pro_cascade_due__init(due);
    due->max = S_CASCADE_BATCH;
    req->body_case = OCOP__REQUEST__BODY_PRO_CASCADE_DUE;
    req->pro_cascade_due = due;
    return true;
}

/* A full batch means more marks wait: again at once rather than at the next tick. */
static bool s_cascade_done(void *user, const Ocop__Reply *reply)
{
    (void)user;
    if (reply->status != OCOP__STATUS__STATUS_OK || !reply->pro_cascade_result)
        return false;
    const Ocop__ProCascadeResult *r = reply->pro_cascade_result;
    ocop_log_info("cascade", "products=%u cancelled=%u promoted=%u", r->products, r->cancelled, r->promoted);
    return r->products >= S_CASCADE_BATCH;
}

static int s_open(void *app, ocop_boot_t *b, char *err, size_t errlen)
{
    if (pro_state_open(app, b->store, b->sc.rules_dir, err, errlen) == 0)
        return 0;
    pro_state_close(app);
    return -1;
}

static void s_close(void *app)
{
    pro_state_close(app);
}

int main(int argc, char **argv)
{
    static const ocop_timer_t cascade = {"cascade", S_TICK_MS, s_cascade_make, s_cascade_done};
    static const ocop_boot_spec_t spec = {.default_name = "promotion",
                                          .group = "promotion",
                                          .usage = s_usage,
                                          .open = s_open,
                                          .close = s_close,
                                          .open_failed = "rules_invalid",
                                          .routes = pro_routes,
                                          .timers = &cascade,
                                          .timer_count = 1,
                                          .follows = OCOP_BOOT_SOURCES,
                                          .apply = pro_replica_apply};
    pro_state_t state;
    return ocop_boot_main(&spec, &state, argc, argv);
}
