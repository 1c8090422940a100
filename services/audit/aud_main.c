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
#include "aud_derived.h"
#include "aud_handlers.h"
#include "aud_intake.h"
#include "aud_products.h"
#include "aud_state.h"
#include "ocop_boot.h"
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

/* The feed's first steps, before any intake: the product index of the log as it stands, and
 * the derived databases of a store from before them. */
static void s_rebuild(void *user)
{
    char err[512];
    if (aud_state_rebuild_products(user, err, sizeof err) != 0)
        ocop_log_error("product_index_failed", "error=\"%s\"", err);
    if (aud_derived_catch_up(user, err, sizeof err) != 0)
        ocop_log_error("derived_failed", "error=\"%s\"", err);
}

int main(int argc, char **argv)
{
    ocop_boot_t boot;
    int rc = ocop_boot_args(&boot, argc, argv, "audit", s_usage, NULL, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ocop_log_init(boot.name);
    if (sodium_init() < 0) {
        ocop_log_error("sodium_init_failed", "msg=\"libsodium could not start\"");
        return 1;
    }
    char err[512];
    const char *stage;
    int status = 1, state_open = 0;
    ocop_service_t *service = NULL;
    ocop_feed_t *feed = NULL;
    aud_deliverer_t *deliverer = NULL;
    aud_state_t state;
    aud_source_t sources[OCOP_ALLOW_MAX];
    ocop_subscriber_t *subscribers[OCOP_ALLOW_MAX];
    size_t n_subscribers = 0;
    void *zctx = NULL;
    if (ocop_boot_open(&boot, &stage, err, sizeof err) != 0) {
        ocop_log_error(stage, "error=\"%s\"", err);
        goto done;
    }
    if (aud_state_open(&state, boot.store, boot.config, &boot.sc, err, sizeof err) != 0) {
        ocop_log_error("state_invalid", "error=\"%s\"", err);
        aud_state_close(&state);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = aud_routes(&route_count);
    ocop_service_options_t opts = ocop_boot_service_options(&boot, "audit", routes, route_count, &state);
    if (!(service = ocop_service_new(&opts)) || !(zctx = zmq_ctx_new()))
        goto done;
    /* One subscriber per source section, its cursor named after the section. */
    for (size_t i = 0; i < boot.sc.source_count; i++) {
        sources[i] = (aud_source_t){.state = &state};
        snprintf(sources[i].section, sizeof sources[i].section, "%s", boot.sc.sources[i]);
        subscribers[i] = ocop_boot_subscriber(&boot, zctx, boot.sc.sources[i], aud_intake_apply, aud_intake_batch_end,
                                              &sources[i], err, sizeof err);
        if (!subscribers[i]) {
            ocop_log_error("sources_invalid", "error=\"%s\"", err);
            goto done;
        }
        n_subscribers++;
    }
    if (!(deliverer = aud_deliverer_new(&state, zctx, &boot.keys)))
        goto done;
    s_tick_t tick = {&state, deliverer};
    ocop_feed_options_t fo = {.subscribers = subscribers,
                              .count = n_subscribers,
                              .tick = s_tick,
                              .tick_user = &tick,
                              .tick_ms = S_TICK_MS,
                              .prepare = s_rebuild,
                              .prepare_user = &state};
    if (!(feed = ocop_feed_start(&fo)))
        goto done;
    ocop_log_info("audit", "sources=%zu signing_key=%s", n_subscribers, state.signer.key_id);
    status = ocop_boot_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    /* Intake has stopped: the product index matches the log, and the next start loads it. */
    if (state_open && atomic_load(&state.products_ready) == 1) {
        if (aud_products_save(&state, err, sizeof err) == 0)
            ocop_log_info("product_index_saved", "products=%zu", aud_memindex_keys(state.products));
        else
            ocop_log_warn("product_index_not_saved", "error=\"%s\"", err);
    }
    aud_deliverer_destroy(&deliverer);
    for (size_t i = 0; i < n_subscribers; i++)
        ocop_subscriber_destroy(&subscribers[i]);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_service_destroy(&service);
    if (state_open)
        aud_state_close(&state);
    ocop_boot_close(&boot);
    return status;
}
