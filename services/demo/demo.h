/* demo — the commands of ocop-demo, the demonstration tool: a national demo dataset, and the
 * councils', the 26/2026 re-rating's and trade promotion's year played on a running
 * deployment. Each is a ctl_command_t: the command line from its word on (argv[0]), an exit
 * code (CTL_EXIT_*) back; the ones that talk to the services use ocopctl's connection (ctl_t:
 * --config, --as, --timeout). */
#ifndef DEMO_H
#define DEMO_H

#include "ctl.h"

/* For the commands that talk to the services straight (evaluate, rerate, promote): refuses
 * --gateway (naming command and what it talks `to`), then connects (ctl_prepare). 0 / exit code. */
int demo_connect_direct(ctl_t *ctl, const char *command, const char *to);

/* "generate": a deterministic national demo dataset (entities.csv, products.csv). */
int demo_generate(ctl_t *ctl, int argc, char **argv);
/* "advance": the transitions that move imported demo products to evaluation. */
int demo_advance(ctl_t *ctl, int argc, char **argv);
/* "evaluate": the councils score the demo products; certified ones are promoted. */
int demo_evaluate(ctl_t *ctl, int argc, char **argv);
/* "rerate": after evaluate, the programme under 26/2026/QĐ-TTg: catalogue migration, a round
 * of upgrades, revocations by ground. */
int demo_rerate(ctl_t *ctl, int argc, char **argv);
/* "promote": the year's plans, fairs, booths and points of sale. */
int demo_promote(ctl_t *ctl, int argc, char **argv);

#endif
