/* ctl_config — `ocopctl config check|services`: the deployment config as the services read it,
 * without starting them (a package's postinst, a Kubernetes ConfigMap checked in CI). */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ocop_config.h"

#define S_SERVICES_MAX 256

static int s_usage(void)
{
    fprintf(stderr, "usage: ocopctl [--config FILE] config check|services\n"
                    "  check     load the config and every service and gateway section as the services do;\n"
                    "            exit 0 when they would start with it, 3 with the reason otherwise\n"
                    "  services  the service sections' names, one per line, in file order\n");
    return CTL_EXIT_USAGE;
}

/* Every section as its service would read it. 0, or -1 with err. */
static int s_check(const ocop_config_t *config, char (*names)[OCOP_NAME_MAX], size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        ocop_service_config_t sc;
        if (ocop_config_service(config, names[i], &sc, err, errlen) != 0)
            return -1;
    }
    ocop_gateway_config_t gc;
    if (ocop_config_has_gateway(config) && ocop_config_gateway(config, &gc, err, errlen) != 0)
        return -1;
    return 0;
}

int ctl_cmd_config(const char *path, int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "services") != 0))
        return s_usage();
    char err[1024];
    ocop_config_t *config = ocop_config_load(path, err, sizeof err);
    if (!config) {
        fprintf(stderr, "ocopctl config: %s\n", err);
        return CTL_EXIT_INVALID;
    }
    static char names[S_SERVICES_MAX][OCOP_NAME_MAX];
    size_t n = ocop_config_service_names(config, names, S_SERVICES_MAX);
    int rc = CTL_EXIT_OK;
    if (n > S_SERVICES_MAX) {
        fprintf(stderr, "ocopctl config: %s: %zu services; this tool reads at most %d\n", path, n, S_SERVICES_MAX);
        rc = CTL_EXIT_INVALID;
    } else if (strcmp(argv[1], "services") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", names[i]);
    } else if (s_check(config, names, n, err, sizeof err) != 0) {
        fprintf(stderr, "ocopctl config: %s\n", err);
        rc = CTL_EXIT_INVALID;
    } else {
        printf("%s: %zu service%s", path, n, n == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++)
            printf("%s%s", i ? ", " : " (", names[i]);
        printf("%s%s\n", n ? ")" : "", ocop_config_has_gateway(config) ? " and a gateway" : "");
    }
    ocop_config_destroy(&config);
    return rc;
}
