/* ocop_boot_main — see ocop_boot.h. */
#include <stdbool.h>
#include <stdio.h>
#include <zmq.h>

#include "ocop_boot.h"
#include "ocop_log.h"

/* What a run has opened, undone in reverse order by s_close. */
typedef struct {
    const ocop_boot_spec_t *spec;
    void *app;
    ocop_boot_t boot;
    bool opened;
    ocop_service_t *service;
    void *zctx;
    ocop_subscriber_t *subscribers[OCOP_ALLOW_MAX];
    size_t n_subscribers;
    ocop_feed_t *feed;
} s_run_t;

static void *s_handlers_user(const s_run_t *r)
{
    return r->spec->handlers_user ? r->spec->handlers_user(r->app) : r->app;
}

/* The subscribers of the sections spec->follows names. 0, or -1 logged. */
static int s_follow(s_run_t *r)
{
    const ocop_boot_spec_t *spec = r->spec;
    size_t n = *spec->follows ? 1 : r->boot.sc.source_count;
    char err[512];
    for (size_t i = 0; i < n; i++) {
        const char *section = *spec->follows ? spec->follows : r->boot.sc.sources[i];
        void *user = spec->source_user ? spec->source_user(r->app, i, section) : s_handlers_user(r);
        r->subscribers[i] =
            ocop_boot_subscriber(&r->boot, r->zctx, section, spec->apply, spec->batch_end, user, err, sizeof err);
        if (!r->subscribers[i]) {
            ocop_log_error("sources_invalid", "error=\"%s\"", err);
            return -1;
        }
        r->n_subscribers++;
    }
    return 0;
}

/* Everything up to the loop. 0, or -1 logged. */
static int s_open(s_run_t *r)
{
    const ocop_boot_spec_t *spec = r->spec;
    char err[512];
    const char *stage;
    if (ocop_boot_open(&r->boot, &stage, err, sizeof err) != 0) {
        ocop_log_error(stage, "error=\"%s\"", err);
        return -1;
    }
    if (spec->open(r->app, &r->boot, err, sizeof err) != 0) {
        ocop_log_error(spec->open_failed, "error=\"%s\"", err);
        return -1;
    }
    r->opened = true;
    size_t route_count;
    const ocop_route_t *routes = spec->routes(&route_count);
    ocop_service_options_t opts =
        ocop_boot_service_options(&r->boot, spec->group, routes, route_count, s_handlers_user(r));
    opts.undo = spec->undo;
    opts.timers = spec->timers;
    opts.timer_count = spec->timer_count;
    if (!(r->service = ocop_service_new(&opts)))
        return -1;
    if ((spec->follows || spec->start) && !(r->zctx = zmq_ctx_new())) {
        ocop_log_error("zmq_failed", "error=\"no ZeroMQ context\"");
        return -1;
    }
    if (spec->follows && s_follow(r) != 0)
        return -1;
    if (spec->start && spec->start(r->app, &r->boot, r->zctx, err, sizeof err) != 0) {
        ocop_log_error("start_failed", "error=\"%s\"", err);
        return -1;
    }
    if (r->n_subscribers || spec->tick || spec->prepare) {
        ocop_feed_options_t fo = {.subscribers = r->subscribers,
                                  .count = r->n_subscribers,
                                  .tick = spec->tick,
                                  .tick_user = r->app,
                                  .tick_ms = spec->tick_ms,
                                  .prepare = spec->prepare,
                                  .prepare_user = r->app};
        if (!(r->feed = ocop_feed_start(&fo)))
            return -1;
    }
    return 0;
}

static void s_close(s_run_t *r, bool clean)
{
    ocop_feed_stop(&r->feed);
    if (r->opened && r->spec->stopped)
        r->spec->stopped(r->app, &r->boot, clean);
    for (size_t i = 0; i < r->n_subscribers; i++)
        ocop_subscriber_destroy(&r->subscribers[i]);
    if (r->zctx)
        zmq_ctx_term(r->zctx);
    ocop_service_destroy(&r->service);
    if (r->opened)
        r->spec->close(r->app);
    ocop_boot_close(&r->boot);
}

int ocop_boot_main(const ocop_boot_spec_t *spec, void *app, int argc, char **argv)
{
    s_run_t r = {.spec = spec, .app = app};
    int rc = ocop_boot_args(&r.boot, argc, argv, spec->default_name, spec->usage, spec->option, spec->option_user);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ocop_log_init(r.boot.name);
    int status = s_open(&r) == 0 && ocop_boot_run(r.service) == 0 ? 0 : 1;
    s_close(&r, status == 0);
    return status;
}
