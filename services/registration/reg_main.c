/* ocop-registration — the registration service process.
 *
 *   ocop-registration --config FILE [--name registration]
 */
#include <stdio.h>
#include <stdlib.h>

#include "ocop_boot.h"
#include "ocop_log.h"
#include "reg_handlers.h"
#include "reg_memindex_file.h"
#include "reg_state.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-registration --config FILE [--name NAME]\n"
                 "  Runs the registration service described by section services.NAME of FILE\n"
                 "  (NAME defaults to \"registration\"). Stops cleanly on SIGTERM or SIGINT.\n");
}

static int s_open(void *app, ocop_boot_t *b, char *err, size_t errlen)
{
    return reg_state_open(app, b->store, b->sc.rules_dir, err, errlen);
}

static void s_close(void *app)
{
    reg_state_close(app);
}

/* A clean stop: the screening index matches the store, and the next start loads it. */
static void s_stopped(void *app, ocop_boot_t *b, bool clean)
{
    reg_memindex_t *index = clean ? reg_state_memindex(app) : NULL;
    if (!index)
        return;
    char err[512];
    if (reg_memindex_file_save(b->store, index, err, sizeof err) == 0)
        ocop_log_info("products_saved", "products=%zu", reg_memindex_size(index));
    else
        ocop_log_warn("products_not_saved", "error=\"%s\"", err);
}

int main(int argc, char **argv)
{
    const ocop_boot_spec_t spec = {.default_name = "registration",
                                   .group = "registration",
                                   .usage = s_usage,
                                   .open = s_open,
                                   .close = s_close,
                                   .open_failed = "rules_invalid",
                                   .routes = reg_routes,
                                   .undo = reg_state_undo(),
                                   .stopped = s_stopped};
    reg_state_t state;
    return ocop_boot_main(&spec, &state, argc, argv);
}
