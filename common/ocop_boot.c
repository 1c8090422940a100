/* ocop_boot — see ocop_boot.h. */
#include "ocop_boot.h"

#include <signal.h>
#include <sodium.h>
#include <string.h>

#include "ocop_error.h"

int ocop_boot_args(ocop_boot_t *b, int argc, char **argv, const char *default_name, void (*usage)(FILE *out),
                   ocop_boot_option_fn option, void *user)
{
    memset(b, 0, sizeof *b);
    b->name = default_name;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int taken = 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (value && strcmp(argv[i], "--config") == 0)
            b->config_path = value, taken = 1;
        else if (value && strcmp(argv[i], "--name") == 0)
            b->name = value, taken = 1;
        else if (value && option)
            taken = option(user, argv[i], value);
        if (taken <= 0) {
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!b->config_path || !b->name) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int ocop_boot_open(ocop_boot_t *b, const char **stage, char *err, size_t errlen)
{
    *stage = "config_invalid";
    b->config = ocop_config_load(b->config_path, err, errlen);
    const char *keys_dir = b->config ? ocop_config_keys_dir(b->config) : NULL;
    if (!b->config || ocop_config_service(b->config, b->name, &b->sc, err, errlen) != 0 ||
        ocop_keys_load_pair(keys_dir, b->name, &b->keys, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < b->sc.allow_count; i++) {
        if (ocop_keys_load_public(keys_dir, b->sc.allow[i], b->allowed[i], err, errlen) != 0)
            return -1;
        b->allowed_p[i] = b->allowed[i];
        b->allowed_names[i] = b->sc.allow[i];
        b->allowed_trusted[i] = b->sc.trusted[i];
    }
    b->allowed_count = b->sc.allow_count;
    memcpy(b->allowed[b->allowed_count], b->keys.public_z85, OCOP_Z85_KEY_LEN + 1);
    b->allowed_p[b->allowed_count] = b->allowed[b->allowed_count];
    b->allowed_names[b->allowed_count] = b->name;
    b->allowed_trusted[b->allowed_count] = false;
    b->allowed_count++;
    *stage = "store_open_failed";
    ocop_store_options_t so = {
        .path = b->sc.store_dir, .map_size = b->sc.map_size, .map_max = b->sc.map_max, .max_dbs = 32};
    b->store = ocop_store_open(&so, err, errlen);
    return b->store ? 0 : -1;
}

/* The service a signal stops: a process runs one service loop at a time. */
static ocop_service_t *s_signalled;

static void s_on_signal(int signo)
{
    (void)signo;
    if (s_signalled)
        ocop_service_stop(s_signalled);
}

int ocop_boot_run(ocop_service_t *service)
{
    struct sigaction sa, old_term, old_int;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    s_signalled = service;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
    int rc = ocop_service_run(service);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGINT, &old_int, NULL);
    s_signalled = NULL;
    return rc;
}

void ocop_boot_close(ocop_boot_t *b)
{
    ocop_store_destroy(&b->store);
    ocop_config_destroy(&b->config);
    sodium_memzero(&b->keys, sizeof b->keys);
}

ocop_subscriber_t *ocop_boot_subscriber(ocop_boot_t *b, void *zctx, const char *section, ocop_event_apply_fn apply,
                                        ocop_batch_end_fn batch_end, void *user, char *err, size_t errlen)
{
    ocop_service_config_t src;
    char key[OCOP_Z85_KEY_LEN + 1];
    if (ocop_config_service(b->config, section, &src, err, errlen) != 0 ||
        ocop_keys_load_public(ocop_config_keys_dir(b->config), section, key, err, errlen) != 0)
        return NULL;
    ocop_subscriber_options_t so = {.zctx = zctx,
                                    .store = b->store,
                                    .cursor_name = section,
                                    .endpoint = src.endpoint,
                                    .events_endpoint = src.events_endpoint,
                                    .server_public_z85 = key,
                                    .keys = &b->keys,
                                    .apply = apply,
                                    .batch_end = batch_end,
                                    .user = user,
                                    .request_timeout_ms = 1000};
    ocop_subscriber_t *sub = ocop_subscriber_new(&so);
    if (!sub)
        ocop_error_format(err, errlen, "cannot follow %s at %s", section, src.events_endpoint);
    return sub;
}

ocop_service_options_t ocop_boot_service_options(const ocop_boot_t *b, const char *name, const ocop_route_t *routes,
                                                 size_t route_count, void *user)
{
    return (ocop_service_options_t){.name = name,
                                    .shard = b->sc.shard,
                                    .config = &b->sc,
                                    .keys = &b->keys,
                                    .allowed_keys = b->allowed_p,
                                    .allowed_names = b->allowed_names,
                                    .allowed_trusted = b->allowed_trusted,
                                    .allowed_count = b->allowed_count,
                                    .store = b->store,
                                    .routes = routes,
                                    .route_count = route_count,
                                    .user = user};
}
