/* ocop-demo — the demonstration tool: a deterministic national demo dataset, and a year of the
 * programme played on a running deployment (deploy/demo.sh runs them in order). Kept apart
 * from ocopctl, the operators' tool, so that nothing an operator runs makes up data. */
#include <stdio.h>

#include "demo.h"

int demo_connect_direct(ctl_t *ctl, const char *command, const char *to)
{
    if (ctl->gateway) {
        fprintf(stderr, "ocop-demo %s: runs on a service host, straight to the %s (--config, not --gateway)\n", command,
                to);
        return CTL_EXIT_USAGE;
    }
    return ctl_prepare(ctl);
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-demo [OPTIONS] COMMAND [ARGS]\n"
                 "\n"
                 "Options (as ocopctl's):\n"
                 "  --config FILE        deployment config (default: $OCOP_CONFIG, else ./ocop.json if there is\n"
                 "                       one, else " OCOPCTL_SYSTEM_CONFIG ")\n"
                 "  --as NAME            key name to authenticate with (default: ocopctl)\n"
                 "  --timeout MS         per-attempt time-out, 3 attempts (default: 5000)\n"
                 "\n"
                 "Commands:\n"
                 "  generate --rules DIR --out DIR      deterministic national demo dataset (CSV) for ocopctl import\n"
                 "  advance --journal J --out F         transitions moving imported demo products to evaluation\n"
                 "  evaluate [--date D]                 councils score the demo products; certified ones promoted\n"
                 "  rerate [--seed N]                   after evaluate: catalogue 26-2026, a round of upgrades\n"
                 "                                      under 26/2026/QĐ-TTg, revocations by ground\n"
                 "  promote [--year Y]                  the year's plans, fairs, booths and points of sale\n"
                 "\n"
                 "Every command can be run again after an interruption: it carries on where it stopped.\n"
                 "Exit codes as ocopctl's: 0 ok, 1 failed, 2 usage, 3 invalid input, 4 not found, 5 conflict,\n"
                 "6 forbidden, 7 service unavailable, 8 storage full.\n");
}

static const ctl_command_t s_commands[] = {
    {"generate", demo_generate}, {"advance", demo_advance}, {"evaluate", demo_evaluate},
    {"rerate", demo_rerate},     {"promote", demo_promote},
};

int main(int argc, char **argv)
{
    return ctl_run(argc, argv, "ocop-demo", s_usage, s_commands, sizeof s_commands / sizeof s_commands[0]);
}
