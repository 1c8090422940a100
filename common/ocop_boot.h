/* ocop_boot — what every service process does before its loop runs: read its command line
 * (--config FILE [--name NAME] and its own options), load the deployment config, its section,
 * its CURVE key pair and the public keys it allows, open its store; and, for a service that
 * follows others, make the subscriber of a source section. Each step that fails says why in
 * err, naming the file or section. */
#ifndef OCOP_BOOT_H
#define OCOP_BOOT_H

#include <stdbool.h>
#include <stdio.h>

#include "ocop_config.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "ocop_subscriber.h"

typedef struct {
    const char *config_path;
    const char *name;
    ocop_config_t *config;
    ocop_service_config_t sc;
    ocop_keypair_t keys;
    char allowed[OCOP_ALLOW_MAX + 1][OCOP_Z85_KEY_LEN + 1];
    const char *allowed_p[OCOP_ALLOW_MAX + 1];
    const char *allowed_names[OCOP_ALLOW_MAX + 1]; /* the key files' names, the service's own last */
    bool allowed_trusted[OCOP_ALLOW_MAX + 1];      /* may name any caller (trusted_callers) */
    size_t allowed_count;
    ocop_store_t *store;
} ocop_boot_t;

/* A service's own option: 0 when flag (with its value) is not one, 1 when taken, -1 when the
 * value is wrong. */
typedef int (*ocop_boot_option_fn)(void *user, const char *flag, const char *value);

/* Parses --config FILE, --name NAME (default name), --help (usage to stdout) and the options
 * option takes. 0 to go on, 1 after --help, 2 after a usage error (usage printed to stderr). */
int ocop_boot_args(ocop_boot_t *b, int argc, char **argv, const char *default_name, void (*usage)(FILE *out),
                   ocop_boot_option_fn option, void *user);

/* Loads config, section, keys and allowed keys, and opens the store. The service's own public
 * key is allowed too, acting only as itself: services send themselves timed requests, and
 * probes (Kubernetes' liveness) ping a service with its own key. 0, or -1 with err; *stage says
 * what failed ("config_invalid", "store_open_failed") for the log. */
int ocop_boot_open(ocop_boot_t *b, const char **stage, char *err, size_t errlen);
void ocop_boot_close(ocop_boot_t *b);

/* ocop_service_run with SIGTERM and SIGINT stopping service (after the batch in hand); the
 * signals' default action is back when it returns. Its return value. */
int ocop_boot_run(ocop_service_t *service);

/* The service options every service starts with: its section, keys, allowed keys, store and shard
 * from b, with its own name, routes and handler state (user). Pointers into b: keep b open. */
ocop_service_options_t ocop_boot_service_options(const ocop_boot_t *b, const char *name, const ocop_route_t *routes,
                                                 size_t route_count, void *user);

/* A subscriber of source section (its endpoints and public key from the config), with its
 * cursor named after the section, on the service's store. NULL with err. */
ocop_subscriber_t *ocop_boot_subscriber(ocop_boot_t *b, void *zctx, const char *section, ocop_event_apply_fn apply,
                                        ocop_batch_end_fn batch_end, void *user, char *err, size_t errlen);

/* What a service process is, for ocop_boot_main. app is the process's own (its handlers' state,
 * and whatever else its hooks keep). */
typedef struct {
    const char *default_name; /* of its config section; NULL: --name is required */
    const char *group;        /* its name in logs and metrics (ocop_service_options_t.name) */
    void (*usage)(FILE *out);
    ocop_boot_option_fn option; /* its own command-line options (NULL: none), with option_user */
    void *option_user;
    /* Opens app from the booted config, section and store; on failure it leaves nothing to close
     * and says why in err, logged as open_failed. close undoes a successful open. */
    int (*open)(void *app, ocop_boot_t *b, char *err, size_t errlen);
    void (*close)(void *app);
    const char *open_failed;
    /* The handlers (their user: handlers_user(app), or app itself when NULL), the undo hook of
     * the memory they change, and the loop's timers (their user is the handlers'). */
    const ocop_route_t *(*routes)(size_t *count);
    void *(*handlers_user)(void *app);
    const ocop_memory_undo_t *undo;
    const ocop_timer_t *timers;
    size_t timer_count;
    /* The source sections whose events it follows, in a feed beside the loop: follows names one
     * section; OCOP_BOOT_SOURCES the section's "sources" list; NULL none. apply's user for
     * source i is source_user(app, i, section), or the handlers' user when NULL. */
    const char *follows;
    ocop_event_apply_fn apply;
    ocop_batch_end_fn batch_end;
    void *(*source_user)(void *app, size_t i, const char *section);
    /* The feed's first step and its periodic tick (NULL: none); their user is app. */
    ocop_feed_tick_fn prepare;
    ocop_feed_tick_fn tick;
    int tick_ms;
    /* Called with the process's ZeroMQ context before the feed starts (NULL: nothing): 0, or -1
     * with err (logged as start_failed). */
    int (*start)(void *app, ocop_boot_t *b, void *zctx, char *err, size_t errlen);
    /* Called once the loop and the feed have stopped, before the subscribers, the context and
     * close: clean when the loop ran and stopped without error (NULL: nothing). */
    void (*stopped)(void *app, ocop_boot_t *b, bool clean);
} ocop_boot_spec_t;

#define OCOP_BOOT_SOURCES ""

/* A service process from its command line to its exit: ocop_boot_args, the log, ocop_boot_open,
 * spec->open, the service with its routes and timers, its subscribers and feed, start, then
 * ocop_boot_run until SIGTERM/SIGINT; and everything undone in reverse order on the way out,
 * from wherever it stopped. The process's exit status: 0 after a clean stop or --help, 2 after a
 * usage error, 1 otherwise. */
int ocop_boot_main(const ocop_boot_spec_t *spec, void *app, int argc, char **argv);

#endif
