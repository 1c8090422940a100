/* ocop-promotion — the trade-promotion service.
 *
 *   ocop-promotion --config FILE [--name promotion]
 *
 * Keeps a replica of the certificates of every evaluation shard listed in its "sources", and
 * asks itself (ProCascadeDue) to cancel the bookings and listings of products that lost their
 * rating, as soon as the replica marks one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ocop_boot.h"
#include "ocop_client.h"
#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"
#include "pro_handlers.h"
#include "pro_replica.h"

#define S_TICK_MS 200
/* Marks acted on per request, and requests per tick while marks remain. */
#define S_CASCADE_BATCH 500
#define S_ROUNDS_MAX 100

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-promotion --config FILE [--name NAME]\n"
                 "  Runs the trade-promotion service of section services.NAME of FILE (default \"promotion\"):\n"
                 "  fairs, points of sale, plans; follows the certificates of the evaluation shards listed in\n"
                 "  its \"sources\". Stops cleanly on SIGTERM or SIGINT.\n");
}

typedef struct {
    pro_state_t *state;
    ocop_client_t *self_client;
} s_setup_t;

/* The tick: when the replica marked products, ask this service to act on them. */
static void s_tick(void *user)
{
    s_setup_t *s = user;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    int pending = 0;
    ocop_store_hold(s->state->store);
    if (mdb_txn_begin(ocop_store_env(s->state->store), NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_cursor_open(txn, s->state->db.cascade, &cur) == 0) {
            pending = mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0;
            mdb_cursor_close(cur);
        }
        mdb_txn_abort(txn);
    }
    ocop_store_release(s->state->store);
    if (!pending)
        return;
    /* Full batches mean more marks wait: ask again at once rather than at the next tick. */
    for (int round = 0; round < S_ROUNDS_MAX; round++) {
        Ocop__ProCascadeDue due = OCOP__PRO_CASCADE_DUE__INIT;
        due.max = S_CASCADE_BATCH;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_PRO_CASCADE_DUE;
        req.pro_cascade_due = &due;
        Ocop__Reply *reply;
        if (ocop_client_call(s->self_client, &req, &reply, 10000, 1) != 0) {
            ocop_log_warn("cascade_unanswered", "timeout_ms=10000");
            return;
        }
        uint32_t products = 0;
        if (reply->status != OCOP__STATUS__STATUS_OK)
            ocop_log_warn("cascade_failed", "status=%s message=\"%s\"", ocop_status_name(reply->status),
                          reply->message);
        else {
            products = reply->pro_cascade_result->products;
            ocop_log_info("cascade", "products=%u cancelled=%u promoted=%u", products,
                          reply->pro_cascade_result->cancelled, reply->pro_cascade_result->promoted);
        }
        ocop__reply__free_unpacked(reply, NULL);
        if (products < S_CASCADE_BATCH)
            return;
    }
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
    s_setup_t setup = {&state, NULL};
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
    if (!(setup.self_client = ocop_client_new(zctx, boot.sc.endpoint, boot.keys.public_z85, &boot.keys, boot.name)))
        goto done;
    ocop_feed_options_t fo = {
        .subscribers = subscribers, .count = n_subscribers, .tick = s_tick, .tick_user = &setup, .tick_ms = S_TICK_MS};
    if (!(feed = ocop_feed_start(&fo)))
        goto done;
    status = ocop_boot_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    ocop_client_destroy(&setup.self_client);
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
