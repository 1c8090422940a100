/* ocop-registration — the registration service process.
 *
 *   ocop-registration --config FILE [--name registration]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "ocop_config.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_store.h"
#include "reg_handlers.h"
#include "reg_state.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-registration --config FILE [--name NAME]\n"
                 "  Runs the registration service described by section services.NAME of FILE\n"
                 "  (NAME defaults to \"registration\"). Stops cleanly on SIGTERM or SIGINT.\n");
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *name = "registration";
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
    char err[512];
    ocop_config_t *config = ocop_config_load(config_path, err, sizeof err);
    if (!config) {
        ocop_log_error("config_invalid", "error=\"%s\"", err);
        return 1;
    }
    int status = 1;
    ocop_service_config_t sc;
    ocop_keypair_t keys;
    ocop_store_t *store = NULL;
    ocop_service_t *service = NULL;
    reg_state_t state;
    int state_open = 0;
    char allowed[OCOP_ALLOW_MAX][OCOP_Z85_KEY_LEN + 1];
    const char *allowed_p[OCOP_ALLOW_MAX];
    if (ocop_config_service(config, name, &sc, err, sizeof err) != 0 ||
        ocop_keys_load_pair(ocop_config_keys_dir(config), name, &keys, err, sizeof err) != 0) {
        ocop_log_error("config_invalid", "error=\"%s\"", err);
        goto done;
    }
    for (size_t i = 0; i < sc.allow_count; i++) {
        if (ocop_keys_load_public(ocop_config_keys_dir(config), sc.allow[i], allowed[i], err, sizeof err) != 0) {
            ocop_log_error("config_invalid", "error=\"%s\"", err);
            goto done;
        }
        allowed_p[i] = allowed[i];
    }
    ocop_store_options_t so = {.path = sc.store_dir, .map_size = sc.map_size, .map_max = sc.map_max, .max_dbs = 32};
    store = ocop_store_open(&so, err, sizeof err);
    if (!store) {
        ocop_log_error("store_open_failed", "error=\"%s\"", err);
        goto done;
    }
    if (reg_state_open(&state, store, sc.rules_dir, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = reg_routes(&route_count);
    ocop_service_options_t opts = {.name = "registration",
                                   .shard = 0,
                                   .config = &sc,
                                   .keys = &keys,
                                   .allowed_keys = allowed_p,
                                   .allowed_count = sc.allow_count,
                                   .store = store,
                                   .routes = routes,
                                   .route_count = route_count,
                                   .user = &state,
                                   .undo = reg_state_undo()};
    service = ocop_service_new(&opts);
    if (!service)
        goto done;
    status = ocop_service_run(service) == 0 ? 0 : 1;
done:
    ocop_service_destroy(&service);
    if (state_open)
        reg_state_close(&state);
    ocop_store_destroy(&store);
    ocop_config_destroy(&config);
    sodium_memzero(&keys, sizeof keys);
    return status;
}
