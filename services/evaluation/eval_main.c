/* ocop-evaluation — one evaluation shard.
 *
 *   ocop-evaluation --config FILE --name evaluation-N [--expire-every-ms MS]
 *
 * Serves the requests of section services.NAME of FILE for the provinces that section owns;
 * learns products from registration's events (section services.registration) in a background
 * feed, and asks itself every MS milliseconds (default 60000) to expire the certificates that
 * are due, so expiry goes through the ordinary, durable request path. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "eval_handlers.h"
#include "eval_replica.h"
#include "eval_state.h"
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

typedef struct {
    const char *config_path;
    const char *name;
    int expire_every_ms;
} s_args_t;

static int s_parse_args(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){NULL, NULL, S_EXPIRE_EVERY_MS};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            a->config_path = argv[++i];
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            a->name = argv[++i];
        } else if (strcmp(argv[i], "--expire-every-ms") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 10 || v > 86400000)
                return -1;
            a->expire_every_ms = (int)v;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            exit(0);
        } else {
            return -1;
        }
    }
    return a->config_path && a->name ? 0 : -1;
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

typedef struct {
    ocop_config_t *config;
    ocop_service_config_t sc, registration;
    ocop_keypair_t keys;
    char registration_key[OCOP_Z85_KEY_LEN + 1];
    char allowed[OCOP_ALLOW_MAX + 1][OCOP_Z85_KEY_LEN + 1];
    const char *allowed_p[OCOP_ALLOW_MAX + 1];
    size_t allowed_count;
} s_setup_t;

static int s_load(s_setup_t *s, const s_args_t *a, char *err, size_t errlen)
{
    s->config = ocop_config_load(a->config_path, err, errlen);
    if (!s->config)
        return -1;
    const char *keys_dir = ocop_config_keys_dir(s->config);
    if (ocop_config_service(s->config, a->name, &s->sc, err, errlen) != 0 ||
        ocop_config_service(s->config, "registration", &s->registration, err, errlen) != 0 ||
        ocop_keys_load_pair(keys_dir, a->name, &s->keys, err, errlen) != 0 ||
        ocop_keys_load_public(keys_dir, "registration", s->registration_key, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->sc.allow_count; i++) {
        if (ocop_keys_load_public(keys_dir, s->sc.allow[i], s->allowed[i], err, errlen) != 0)
            return -1;
        s->allowed_p[i] = s->allowed[i];
    }
    /* The shard's own key, for the requests it sends itself (expiry). */
    s->allowed_count = s->sc.allow_count;
    memcpy(s->allowed[s->allowed_count], s->keys.public_z85, OCOP_Z85_KEY_LEN + 1);
    s->allowed_p[s->allowed_count] = s->allowed[s->allowed_count];
    s->allowed_count++;
    return 0;
}

int main(int argc, char **argv)
{
    s_args_t args;
    if (s_parse_args(argc, argv, &args) != 0) {
        s_usage(stderr);
        return 2;
    }
    ocop_log_init(args.name);
    char err[512];
    int status = 1;
    s_setup_t setup;
    memset(&setup, 0, sizeof setup);
    ocop_store_t *store = NULL;
    ocop_service_t *service = NULL;
    ocop_subscriber_t *subscriber = NULL;
    ocop_client_t *self_client = NULL;
    ocop_feed_t *feed = NULL;
    void *zctx = NULL;
    eval_state_t state;
    int state_open = 0;
    if (s_load(&setup, &args, err, sizeof err) != 0) {
        ocop_log_error("config_invalid", "error=\"%s\"", err);
        goto done;
    }
    ocop_store_options_t so = {
        .path = setup.sc.store_dir, .map_size = setup.sc.map_size, .map_max = setup.sc.map_max, .max_dbs = 32};
    store = ocop_store_open(&so, err, sizeof err);
    if (!store) {
        ocop_log_error("store_open_failed", "error=\"%s\"", err);
        goto done;
    }
    if (eval_state_open(&state, store, setup.config, &setup.sc, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = eval_routes(&route_count);
    ocop_service_options_t opts = {.name = EVAL_GROUP,
                                   .shard = setup.sc.shard,
                                   .config = &setup.sc,
                                   .keys = &setup.keys,
                                   .allowed_keys = setup.allowed_p,
                                   .allowed_count = setup.allowed_count,
                                   .store = store,
                                   .routes = routes,
                                   .route_count = route_count,
                                   .user = &state};
    service = ocop_service_new(&opts);
    if (!service)
        goto done;
    zctx = zmq_ctx_new();
    char cursor[OCOP_NAME_MAX + 16];
    snprintf(cursor, sizeof cursor, "registration/0");
    ocop_subscriber_options_t sub = {.zctx = zctx,
                                     .store = store,
                                     .cursor_name = cursor,
                                     .endpoint = setup.registration.endpoint,
                                     .events_endpoint = setup.registration.events_endpoint,
                                     .server_public_z85 = setup.registration_key,
                                     .keys = &setup.keys,
                                     .apply = eval_replica_apply,
                                     .user = &state,
                                     .request_timeout_ms = 1000};
    subscriber = zctx ? ocop_subscriber_new(&sub) : NULL;
    self_client = zctx ? ocop_client_new(zctx, setup.sc.endpoint, setup.keys.public_z85, &setup.keys, args.name) : NULL;
    if (!subscriber || !self_client)
        goto done;
    ocop_feed_options_t fo = {.subscribers = &subscriber,
                              .count = 1,
                              .tick = s_expire_tick,
                              .tick_user = self_client,
                              .tick_ms = args.expire_every_ms};
    feed = ocop_feed_start(&fo);
    if (!feed)
        goto done;
    ocop_log_info("shard", "name=%s shard=%u provinces=%zu source=%s", setup.sc.name, setup.sc.shard,
                  setup.sc.province_count, setup.registration.endpoint);
    status = ocop_service_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    ocop_client_destroy(&self_client);
    ocop_subscriber_destroy(&subscriber);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_service_destroy(&service);
    if (state_open)
        eval_state_close(&state);
    ocop_store_destroy(&store);
    ocop_config_destroy(&setup.config);
    sodium_memzero(&setup.keys, sizeof setup.keys);
    return status;
}
