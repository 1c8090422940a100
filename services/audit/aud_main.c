/* ocop-audit — the audit service: independent intake of every source's events into a signed
 * transparency log.
 *
 *   ocop-audit --config FILE [--name audit]
 *
 * Follows every service listed in section services.NAME.sources (each must allow this key),
 * appends their events to its own LMDB store and signs a tree head per commit with
 * <keys_dir>/NAME.sign (created at the first start). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "aud_deliver.h"
#include "aud_handlers.h"
#include "aud_intake.h"
#include "aud_state.h"
#include "ocop_config.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"

/* How often unsigned entries get a head, and failed inspections' revocation requests are
 * (re)sent to evaluation. */
#define S_TICK_MS 500

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-audit --config FILE [--name NAME]\n"
                 "  Runs the audit service of section services.NAME of FILE (default \"audit\"): follows the\n"
                 "  services listed in its \"sources\", keeps every event in a Merkle tree and signs a tree\n"
                 "  head per commit with KEYS_DIR/NAME.sign (created at the first start; give verifiers\n"
                 "  KEYS_DIR/NAME.sign.pub). Stops cleanly on SIGTERM or SIGINT.\n");
}

/* The feed's tick: sign what a quiet moment left unsigned, then deliver revocation requests. */
typedef struct {
    aud_state_t *state;
    aud_deliverer_t *deliverer;
} s_tick_t;

static void s_tick(void *user)
{
    s_tick_t *t = user;
    int rc = aud_intake_sign_pending(t->state);
    if (rc != 0)
        ocop_log_warn("sign_pending_failed", "error=\"%s\"", mdb_strerror(rc));
    aud_deliver_tick(t->deliverer);
}

typedef struct {
    ocop_config_t *config;
    ocop_service_config_t sc;
    ocop_keypair_t keys;
    char allowed[OCOP_ALLOW_MAX][OCOP_Z85_KEY_LEN + 1];
    const char *allowed_p[OCOP_ALLOW_MAX];
    aud_source_t sources[OCOP_ALLOW_MAX];
    ocop_subscriber_t *subscribers[OCOP_ALLOW_MAX];
    size_t n_subscribers;
    void *zctx;
} s_setup_t;

static int s_load(s_setup_t *s, const char *path, const char *name, char *err, size_t errlen)
{
    s->config = ocop_config_load(path, err, errlen);
    if (!s->config || ocop_config_service(s->config, name, &s->sc, err, errlen) != 0 ||
        ocop_keys_load_pair(ocop_config_keys_dir(s->config), name, &s->keys, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->sc.allow_count; i++) {
        if (ocop_keys_load_public(ocop_config_keys_dir(s->config), s->sc.allow[i], s->allowed[i], err, errlen) != 0)
            return -1;
        s->allowed_p[i] = s->allowed[i];
    }
    return 0;
}

/* One subscriber per source section, its cursor named after the section. */
static int s_subscribe(s_setup_t *s, aud_state_t *state, char *err, size_t errlen)
{
    s->zctx = zmq_ctx_new();
    if (!s->zctx)
        return -1;
    for (size_t i = 0; i < s->sc.source_count; i++) {
        const char *section = s->sc.sources[i];
        ocop_service_config_t src;
        char server_key[OCOP_Z85_KEY_LEN + 1];
        if (ocop_config_service(s->config, section, &src, err, errlen) != 0 ||
            ocop_keys_load_public(ocop_config_keys_dir(s->config), section, server_key, err, errlen) != 0)
            return -1;
        aud_source_t *as = &s->sources[i];
        as->state = state;
        snprintf(as->section, sizeof as->section, "%s", section);
        ocop_subscriber_options_t so = {.zctx = s->zctx,
                                        .store = state->store,
                                        .cursor_name = section,
                                        .endpoint = src.endpoint,
                                        .events_endpoint = src.events_endpoint,
                                        .server_public_z85 = server_key,
                                        .keys = &s->keys,
                                        .apply = aud_intake_apply,
                                        .batch_end = aud_intake_batch_end,
                                        .user = as,
                                        .request_timeout_ms = 1000};
        s->subscribers[i] = ocop_subscriber_new(&so);
        if (!s->subscribers[i])
            return -1;
        s->n_subscribers++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *name = "audit";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config_path = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return 0;
        } else {
            s_usage(stderr);
            return 2;
        }
    }
    if (!config_path) {
        s_usage(stderr);
        return 2;
    }
    ocop_log_init(name);
    if (sodium_init() < 0) {
        ocop_log_error("sodium_init_failed", "msg=\"libsodium could not start\"");
        return 1;
    }
    char err[512];
    int status = 1, state_open = 0;
    s_setup_t setup;
    memset(&setup, 0, sizeof setup);
    ocop_store_t *store = NULL;
    ocop_service_t *service = NULL;
    ocop_feed_t *feed = NULL;
    aud_deliverer_t *deliverer = NULL;
    aud_state_t state;
    if (s_load(&setup, config_path, name, err, sizeof err) != 0) {
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
    if (aud_state_open(&state, store, setup.config, &setup.sc, err, sizeof err) != 0) {
        ocop_log_error("state_invalid", "error=\"%s\"", err);
        aud_state_close(&state);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = aud_routes(&route_count);
    ocop_service_options_t opts = {.name = "audit",
                                   .shard = 0,
                                   .config = &setup.sc,
                                   .keys = &setup.keys,
                                   .allowed_keys = setup.allowed_p,
                                   .allowed_count = setup.sc.allow_count,
                                   .store = store,
                                   .routes = routes,
                                   .route_count = route_count,
                                   .user = &state};
    service = ocop_service_new(&opts);
    if (!service)
        goto done;
    if (s_subscribe(&setup, &state, err, sizeof err) != 0) {
        ocop_log_error("sources_invalid", "error=\"%s\"", err);
        goto done;
    }
    deliverer = aud_deliverer_new(&state, setup.zctx, &setup.keys);
    if (!deliverer)
        goto done;
    s_tick_t tick = {&state, deliverer};
    ocop_feed_options_t fo = {.subscribers = setup.subscribers,
                              .count = setup.n_subscribers,
                              .tick = s_tick,
                              .tick_user = &tick,
                              .tick_ms = S_TICK_MS};
    feed = ocop_feed_start(&fo);
    if (!feed)
        goto done;
    ocop_log_info("audit", "sources=%zu signing_key=%s", setup.n_subscribers, state.signer.key_id);
    status = ocop_service_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    aud_deliverer_destroy(&deliverer);
    for (size_t i = 0; i < setup.n_subscribers; i++)
        ocop_subscriber_destroy(&setup.subscribers[i]);
    if (setup.zctx)
        zmq_ctx_term(setup.zctx);
    ocop_service_destroy(&service);
    if (state_open)
        aud_state_close(&state);
    ocop_store_destroy(&store);
    ocop_config_destroy(&setup.config);
    sodium_memzero(&setup.keys, sizeof setup.keys);
    return status;
}
