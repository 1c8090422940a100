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

#endif
