/* ocop-registration — the registration service process.
 *
 *   ocop-registration --config FILE [--name registration]
 */
#include <stdio.h>
#include <stdlib.h>

#include "ocop_boot.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "reg_handlers.h"
#include "reg_memindex_file.h"
#include "reg_state.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-registration --config FILE [--name NAME]\n"
                 "  Runs the registration service described by section services.NAME of FILE\n"
                 "  (NAME defaults to \"registration\"). Stops cleanly on SIGTERM or SIGINT.\n");
}

int main(int argc, char **argv)
{
    ocop_boot_t boot;
    int rc = ocop_boot_args(&boot, argc, argv, "registration", s_usage, NULL, NULL);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    ocop_log_init(boot.name);
    char err[512];
    const char *stage;
    int status = 1, state_open = 0;
    ocop_service_t *service = NULL;
    reg_state_t state;
    if (ocop_boot_open(&boot, &stage, err, sizeof err) != 0) {
        ocop_log_error(stage, "error=\"%s\"", err);
        goto done;
    }
    if (reg_state_open(&state, boot.store, boot.sc.rules_dir, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        goto done;
    }
    state_open = 1;
    size_t route_count;
    const ocop_route_t *routes = reg_routes(&route_count);
    ocop_service_options_t opts = ocop_boot_service_options(&boot, "registration", routes, route_count, &state);
    opts.undo = reg_state_undo();
    service = ocop_service_new(&opts);
    if (service)
        status = ocop_boot_run(service) == 0 ? 0 : 1;
    /* A clean stop: the screening index matches the store, and the next start loads it. */
    reg_memindex_t *index = service && status == 0 ? reg_state_memindex(&state) : NULL;
    if (index) {
        if (reg_memindex_file_save(boot.store, index, err, sizeof err) == 0)
            ocop_log_info("products_saved", "products=%zu", reg_memindex_size(index));
        else
            ocop_log_warn("products_not_saved", "error=\"%s\"", err);
    }
done:
    ocop_service_destroy(&service);
    if (state_open)
        reg_state_close(&state);
    ocop_boot_close(&boot);
    return status;
}
