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

#include "aud_deliver.h"
#include "aud_derived.h"
#include "aud_handlers.h"
#include "aud_intake.h"
#include "aud_products.h"
#include "aud_state.h"
#include "ocop_boot.h"
#include "ocop_error.h"
#include "ocop_log.h"

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

/* The process's own: the handlers' state, what each source's intake is given, and the delivery
 * of revocation requests. */
typedef struct {
    aud_state_t state;
    aud_source_t sources[OCOP_ALLOW_MAX];
    aud_deliverer_t *deliverer;
} s_app_t;

static int s_open(void *app, ocop_boot_t *b, char *err, size_t errlen)
{
    s_app_t *a = app;
    a->deliverer = NULL;
    if (aud_state_open(&a->state, b->store, b->config, &b->sc, err, errlen) == 0)
        return 0;
    aud_state_close(&a->state);
    return -1;
}

static void s_close(void *app)
{
    aud_state_close(&((s_app_t *)app)->state);
}

static void *s_handlers_user(void *app)
{
    return &((s_app_t *)app)->state;
}

/* Each source section's intake knows its section (its cursor and status are named after it). */
static void *s_source_user(void *app, size_t i, const char *section)
{
    s_app_t *a = app;
    a->sources[i] = (aud_source_t){.state = &a->state};
    snprintf(a->sources[i].section, sizeof a->sources[i].section, "%s", section);
    return &a->sources[i];
}

static int s_start(void *app, ocop_boot_t *b, void *zctx, char *err, size_t errlen)
{
    s_app_t *a = app;
    if (!(a->deliverer = aud_deliverer_new(&a->state, zctx, &b->keys))) {
        ocop_error_format(err, errlen, "cannot start delivering revocation requests");
        return -1;
    }
    ocop_log_info("audit", "sources=%zu signing_key=%s", b->sc.source_count, a->state.signer.key_id);
    return 0;
}

/* The feed's tick: sign what a quiet moment left unsigned, then deliver revocation requests. */
static void s_tick(void *app)
{
    s_app_t *a = app;
    int rc = aud_intake_sign_pending(&a->state);
    if (rc != 0)
        ocop_log_warn("sign_pending_failed", "error=\"%s\"", mdb_strerror(rc));
    aud_deliver_tick(a->deliverer);
}

/* The feed's first steps, before any intake: the product index of the log as it stands, and
 * the derived databases of a store from before them. */
static void s_rebuild(void *app)
{
    aud_state_t *state = &((s_app_t *)app)->state;
    char err[512];
    if (aud_state_rebuild_products(state, err, sizeof err) != 0)
        ocop_log_error("product_index_failed", "error=\"%s\"", err);
    if (aud_derived_catch_up(state, err, sizeof err) != 0)
        ocop_log_error("derived_failed", "error=\"%s\"", err);
}

/* Intake has stopped: the product index matches the log, and the next start loads it. */
static void s_stopped(void *app, ocop_boot_t *b, bool clean)
{
    (void)b;
    (void)clean;
    s_app_t *a = app;
    char err[512];
    if (atomic_load(&a->state.products_ready) == 1) {
        if (aud_products_save(&a->state, err, sizeof err) == 0)
            ocop_log_info("product_index_saved", "products=%zu", aud_memindex_keys(a->state.products));
        else
            ocop_log_warn("product_index_not_saved", "error=\"%s\"", err);
    }
    aud_deliverer_destroy(&a->deliverer);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        ocop_log_error("sodium_init_failed", "msg=\"libsodium could not start\"");
        return 1;
    }
    static const ocop_boot_spec_t spec = {.default_name = "audit",
                                          .group = "audit",
                                          .usage = s_usage,
                                          .open = s_open,
                                          .close = s_close,
                                          .open_failed = "state_invalid",
                                          .routes = aud_routes,
                                          .handlers_user = s_handlers_user,
                                          .follows = OCOP_BOOT_SOURCES,
                                          .apply = aud_intake_apply,
                                          .batch_end = aud_intake_batch_end,
                                          .source_user = s_source_user,
                                          .prepare = s_rebuild,
                                          .tick = s_tick,
                                          .tick_ms = S_TICK_MS,
                                          .start = s_start,
                                          .stopped = s_stopped};
    static s_app_t app;
    return ocop_boot_main(&spec, &app, argc, argv);
}
