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
#include <zmq.h>

#include "ocop_boot.h"
#include "ocop_config.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"
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
    MDB_cursor *cur;
    MDB_val k, v;
    bool pending = false;
    ocop_store_hold(state->store);
    if (mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_cursor_open(txn, state->db.cascade, &cur) == 0) {
            pending = mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0;
            mdb_cursor_close(cur);
        }
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

int main(int argc, char **argv)
{
    ocop_boot_t boot;
    int rc = ocop_boot_args(&boot, argc, argv, "promotion", s_usage, NULL, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ocop_log_init(boot.name);
    char err[512];
    const char *stage;
    int status = 1, state_open = 0;
    ocop_service_t *service = NULL;
    ocop_feed_t *feed = NULL;
    ocop_subscriber_t *subscribers[OCOP_ALLOW_MAX];
    size_t n_subscribers = 0;
    void *zctx = NULL;
    pro_state_t state;
    if (ocop_boot_open(&boot, &stage, err, sizeof err) != 0) {
        ocop_log_error(stage, "error=\"%s\"", err);
        goto done;
    }
    if (pro_state_open(&state, boot.store, boot.sc.rules_dir, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        pro_state_close(&state);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = pro_routes(&route_count);
    ocop_service_options_t opts = ocop_boot_service_options(&boot, "promotion", routes, route_count, &state);
    const ocop_timer_t cascade = {"cascade", S_TICK_MS, s_cascade_make, s_cascade_done};
    opts.timers = &cascade;
    opts.timer_count = 1;
    if (!(service = ocop_service_new(&opts)) || !(zctx = zmq_ctx_new()))
        goto done;
    for (size_t i = 0; i < boot.sc.source_count; i++) {
        subscribers[i] =
            ocop_boot_subscriber(&boot, zctx, boot.sc.sources[i], pro_replica_apply, NULL, &state, err, sizeof err);
        if (!subscribers[i]) {
            ocop_log_error("sources_invalid", "error=\"%s\"", err);
            goto done;
        }
        n_subscribers++;
    }
    ocop_feed_options_t fo = {.subscribers = subscribers, .count = n_subscribers};
    if (!(feed = ocop_feed_start(&fo)))
        goto done;
    status = ocop_boot_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    for (size_t i = 0; i < n_subscribers; i++)
        ocop_subscriber_destroy(&subscribers[i]);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_service_destroy(&service);
    if (state_open)
        pro_state_close(&state);
    ocop_boot_close(&boot);
    return status;
}
