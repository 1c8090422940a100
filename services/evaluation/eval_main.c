/* ocop-evaluation — one evaluation shard.
 *
 *   ocop-evaluation --config FILE --name evaluation-N [--expire-every-ms MS]
 *
 * Serves the requests of section services.NAME of FILE for the provinces that section owns;
 * learns products from registration's events (section services.registration) in a background
 * feed, and its loop expires the certificates that are due every MS milliseconds (default
 * 60000; a timer of the loop, so expiry goes through the ordinary, durable request path). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "eval_handlers.h"
#include "eval_replica.h"
#include "eval_state.h"
#include "ocop_boot.h"
#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"

#define S_EXPIRE_EVERY_MS 60000

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: ocop-evaluation --config FILE --name NAME [--expire-every-ms MS]\n"
            "  Runs the evaluation shard described by section services.NAME of FILE (e.g.\n"
            "  evaluation-1, with \"shard\" and \"provinces\"). Learns products from section\n"
            "  services.registration's events. Expires due certificates every MS milliseconds\n"
            "  (default %d). Stops cleanly on SIGTERM or SIGINT.\n",
            S_EXPIRE_EVERY_MS);
}

static int s_option(void *user, const char *flag, const char *value)
{
    if (strcmp(flag, "--expire-every-ms") != 0)
        return 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (*end || v < 10 || v > 86400000)
        return -1;
    *(int *)user = (int)v;
    return 1;
}

/* The loop's timer: expire what is due, through the ordinary durable path. */
static bool s_expire_make(void *user, Ocop__Request *req, ocop_arena_t *arena)
{
    (void)user;
    Ocop__EvalExpireDue *due = ocop_arena_alloc(arena, sizeof *due);
    ocop__eval_expire_due__init(due);
    req->body_case = OCOP__REQUEST__BODY_EVAL_EXPIRE_DUE;
    req->eval_expire_due = due;
    return true;
}

static bool s_expire_done(void *user, const Ocop__Reply *reply)
{
    (void)user;
    if (reply->eval_expire_result && reply->eval_expire_result->expired)
        ocop_log_info("certificates_expired", "count=%u", reply->eval_expire_result->expired);
    return false;
}

int main(int argc, char **argv)
{
    ocop_boot_t boot;
    int expire_every_ms = S_EXPIRE_EVERY_MS;
    int rc = ocop_boot_args(&boot, argc, argv, NULL, s_usage, s_option, &expire_every_ms);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ocop_log_init(boot.name);
    char err[512];
    const char *stage;
    int status = 1;
    ocop_service_t *service = NULL;
    ocop_subscriber_t *subscriber = NULL;
    ocop_feed_t *feed = NULL;
    void *zctx = NULL;
    eval_state_t state;
    int state_open = 0;
    if (ocop_boot_open(&boot, &stage, err, sizeof err) != 0) {
        ocop_log_error(stage, "error=\"%s\"", err);
        goto done;
    }
    if (eval_state_open(&state, boot.store, boot.config, &boot.sc, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = eval_routes(&route_count);
    ocop_service_options_t opts = ocop_boot_service_options(&boot, EVAL_GROUP, routes, route_count, &state);
    const ocop_timer_t expire = {"expire", (unsigned)expire_every_ms, s_expire_make, s_expire_done};
    opts.timers = &expire;
    opts.timer_count = 1;
    service = ocop_service_new(&opts);
    if (!service)
        goto done;
    zctx = zmq_ctx_new();
    subscriber =
        zctx ? ocop_boot_subscriber(&boot, zctx, "registration", eval_replica_apply, NULL, &state, err, sizeof err)
             : NULL;
    if (!subscriber) {
        ocop_log_error("sources_invalid", "error=\"%s\"", err);
        goto done;
    }
    ocop_feed_options_t fo = {.subscribers = &subscriber, .count = 1};
    feed = ocop_feed_start(&fo);
    if (!feed)
        goto done;
    ocop_log_info("shard", "name=%s shard=%u provinces=%zu", boot.sc.name, boot.sc.shard, boot.sc.province_count);
    status = ocop_boot_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    ocop_subscriber_destroy(&subscriber);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_service_destroy(&service);
    if (state_open)
        eval_state_close(&state);
    ocop_boot_close(&boot);
    return status;
}
