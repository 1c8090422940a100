/* ocop-evaluation — one evaluation shard.
 *
 *   ocop-evaluation --config FILE --name evaluation-N [--expire-every-ms MS]
 *
 * Serves the requests of section services.NAME of FILE for the provinces that section owns;
 * learns products from registration's events (section services.registration) in a background
 * feed, and asks itself every MS milliseconds (default 60000) to expire the certificates that
 * are due, so expiry goes through the ordinary, durable request path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "eval_handlers.h"
#include "eval_replica.h"
#include "eval_state.h"
#include "ocop_boot.h"
#include "ocop_client.h"
#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"

#define S_EXPIRE_EVERY_MS 60000
#define S_TICK_TIMEOUT_MS 10000

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

/* The feed's tick: ask this shard to expire what is due, as any client would. */
static void s_expire_tick(void *user)
{
    ocop_client_t *self_client = user;
    Ocop__EvalExpireDue due = OCOP__EVAL_EXPIRE_DUE__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_EXPIRE_DUE;
    req.eval_expire_due = &due;
    Ocop__Reply *reply;
    if (ocop_client_call(self_client, &req, &reply, S_TICK_TIMEOUT_MS, 1) != 0) {
        ocop_log_warn("expire_tick_unanswered", "timeout_ms=%d", S_TICK_TIMEOUT_MS);
        return;
    }
    if (reply->status != OCOP__STATUS__STATUS_OK)
        ocop_log_warn("expire_tick_failed", "status=%s message=\"%s\"", ocop_status_name(reply->status),
                      reply->message);
    else if (reply->eval_expire_result && reply->eval_expire_result->expired)
        ocop_log_info("certificates_expired", "count=%u", reply->eval_expire_result->expired);
    ocop__reply__free_unpacked(reply, NULL);
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
    ocop_client_t *self_client = NULL;
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
    service = ocop_service_new(&opts);
    if (!service)
        goto done;
    zctx = zmq_ctx_new();
    subscriber =
        zctx ? ocop_boot_subscriber(&boot, zctx, "registration", eval_replica_apply, NULL, &state, err, sizeof err)
             : NULL;
    self_client = zctx ? ocop_client_new(zctx, boot.sc.endpoint, boot.keys.public_z85, &boot.keys, boot.name) : NULL;
    if (!subscriber || !self_client) {
        ocop_log_error("sources_invalid", "error=\"%s\"", err);
        goto done;
    }
    ocop_feed_options_t fo = {.subscribers = &subscriber,
                              .count = 1,
                              .tick = s_expire_tick,
                              .tick_user = self_client,
                              .tick_ms = expire_every_ms};
    feed = ocop_feed_start(&fo);
    if (!feed)
        goto done;
    ocop_log_info("shard", "name=%s shard=%u provinces=%zu", boot.sc.name, boot.sc.shard, boot.sc.province_count);
    status = ocop_boot_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    ocop_client_destroy(&self_client);
    ocop_subscriber_destroy(&subscriber);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_service_destroy(&service);
    if (state_open)
        eval_state_close(&state);
    ocop_boot_close(&boot);
    return status;
}
