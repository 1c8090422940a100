/* ctl_options — what ocopctl and ocop-demo share before their command word: the client's
 * defaults, its global options, and closing what the commands opened. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <zmq.h>

#include "ctl.h"

static void s_init(ctl_t *ctl)
{
    *ctl = (ctl_t){.config_path = getenv("OCOP_CONFIG"),
                   .as = "ocopctl",
                   .timeout_ms = 5000,
                   .gateway = getenv("OCOP_GATEWAY"),
                   .token = getenv("OCOP_TOKEN")};
}

int ctl_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *text == '-' || *end || errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int ctl_parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno == ERANGE || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The options before the command word: -1 with *cmd the word's index, or the exit status. */
static int s_options(ctl_t *ctl, int argc, char **argv, int *cmd, void (*usage)(FILE *out))
{
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            ctl->config_path = argv[++i];
        else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
            ctl->as = argv[++i];
        else if (strcmp(argv[i], "--gateway") == 0 && i + 1 < argc)
            ctl->gateway = argv[++i];
        else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc)
            ctl->token = argv[++i];
        else if (strcmp(argv[i], "--output") == 0 && i + 1 < argc) {
            const char *o = argv[++i];
            if (strcmp(o, "json") != 0 && strcmp(o, "table") != 0 && strcmp(o, "csv") != 0) {
                fprintf(stderr, "%s: --output is json, table or csv\n", prog);
                return CTL_EXIT_USAGE;
            }
            ctl->output_json = strcmp(o, "json") == 0;
            ctl->output_csv = strcmp(o, "csv") == 0;
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            long ms;
            if (ctl_parse_long(argv[++i], 1, 3600000, &ms) != 0) {
                fprintf(stderr, "%s: --timeout is 1 to 3600000 milliseconds\n", prog);
                return CTL_EXIT_USAGE;
            }
            ctl->timeout_ms = (int)ms;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (!ctl->config_path)
        ctl->config_path = access("ocop.json", F_OK) == 0 ? "ocop.json" : OCOPCTL_SYSTEM_CONFIG;
    *cmd = i;
    return -1;
}

static void s_close(ctl_t *ctl)
{
    if (ctl->curl)
        curl_easy_cleanup(ctl->curl);
    ocop_config_destroy(&ctl->config);
    ocop_arena_destroy(&ctl->arena);
    if (ctl->zctx)
        zmq_ctx_term(ctl->zctx);
}

int ctl_run(int argc, char **argv, const char *tool, void (*usage)(FILE *out), const ctl_command_t *commands, size_t n)
{
    ctl_t ctl;
    s_init(&ctl);
    int cmd = 0;
    int rc = s_options(&ctl, argc, argv, &cmd, usage);
    if (rc >= 0)
        return rc;
    size_t c = 0;
    while (c < n && strcmp(commands[c].word, argv[cmd]) != 0)
        c++;
    if (c < n) {
        rc = commands[c].run(&ctl, argc - cmd, argv + cmd);
    } else {
        fprintf(stderr, "%s: unknown command '%s' (see %s --help)\n", tool, argv[cmd], tool);
        rc = CTL_EXIT_USAGE;
    }
    s_close(&ctl);
    return rc;
}
