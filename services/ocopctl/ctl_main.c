/* ocopctl — the command-line client: every operation of the services, bulk import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocopctl [OPTIONS] COMMAND [ARGS]\n"
                 "\n"
                 "Options:\n"
                 "  --gateway URL        go through the gateway, e.g. http://127.0.0.1:8080 (default:\n"
                 "                       $OCOP_GATEWAY); without it, straight to the services (--config)\n"
                 "  --token TOKEN        API token for the gateway (default: $OCOP_TOKEN)\n"
                 "  --config FILE        deployment config for direct access (default: $OCOP_CONFIG, else\n"
                 "                       ./ocop.json if there is one, else " OCOPCTL_SYSTEM_CONFIG ")\n"
                 "  --as NAME            key name to authenticate with directly (default: ocopctl)\n"
                 "  --output json|table|csv  output format (default: table; csv for reports)\n"
                 "  --timeout MS         per-attempt time-out, 3 attempts (default: 5000)\n"
                 "\n"
                 "Commands:\n"
                 "  keygen --dir DIR [--keep] [--sign] NAME...  create CURVE key pairs (NAME.key 0600,\n"
                 "                                      NAME.pub); after --sign, Ed25519 signing pairs\n"
                 "  config check|services               the config as the services read it; its services\n"
                 "  backup DIR                          a consistent copy of this host's stores, the keys and\n"
                 "                                      tokens, services running\n"
                 "  restore DIR [--replace-keys] [--owner USER]  a backup into stopped, empty services\n"
                 "  ping [SERVICE]                      health of a service (default: registration)\n"
                 "  call SERVICE REQUEST [JSON|-]       any request, e.g. call registration reg_entity_get "
                 "'{\"id\":\"ENT-00000001\"}'\n"
                 "  events [SERVICE] [--from N] [--max N]  replay a service's events\n"
                 "  unit get|list|import ...            administrative units (ocopctl unit --help)\n"
                 "  entity register|get|update|list ... economic entities (ocopctl entity --help)\n"
                 "  product register|get|update|list|transition|review ...  products (ocopctl product --help)\n"
                 "  counts [--province CODE] [--as-recorded]  products by province x sector x stage\n"
                 "  catalogue migrate --from V --to V [--province P]  move an older catalogue's one-to-one\n"
                 "                                      products to the newer one (ocopctl catalogue --help)\n"
                 "  stars [--province CODE] [--sector CODE] [--year Y]  rated products by stars, all shards\n"
                 "  shard map                           which evaluation shard serves each province (config + moves)\n"
                 "  shard move --province P --to evaluation-N [--wait-ms MS]  move a province between running\n"
                 "                                      shards; its writes wait only while the last changes copy\n"
                 "  token create --file F --name N --role R ...  a gateway user and its API token\n"
                 "  audit export FILE                   the audit log and its signed heads, for ocop-audit-verify\n"
                 "  import units|entities|products|transitions|sheets FILE  bulk import of CSV or JSON, resumable\n"
                 "                                      (ocopctl import --help)\n"
                 "\n"
                 "Exit codes: 0 ok, 1 failed, 2 usage, 3 invalid input, 4 not found, 5 conflict or illegal\n"
                 "state, 6 forbidden, 7 service unavailable, 8 storage full.\n");
}

static int s_events(ctl_t *ctl, int argc, char **argv)
{
    const char *service = "registration";
    cJSON *body = cJSON_CreateObject();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
            cJSON_AddNumberToObject(body, "from_sequence", strtod(argv[++i], NULL));
        else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
            cJSON_AddNumberToObject(body, "max", strtod(argv[++i], NULL));
        else if (argv[i][0] != '-')
            service = argv[i];
        else {
            fprintf(stderr, "usage: ocopctl events [SERVICE] [--from N] [--max N]\n");
            cJSON_Delete(body);
            return CTL_EXIT_USAGE;
        }
    }
    Ocop__Reply *reply;
    int rc = ctl_call(ctl, service, "events_from", body, &reply);
    cJSON_Delete(body);
    if (rc != 0)
        return rc;
    if (reply->status == OCOP__STATUS__STATUS_OK && reply->body_case == OCOP__REPLY__BODY_EVENTS)
        ctl_print_events(ctl, reply->events);
    else
        ctl_print_reply(ctl, reply);
    rc = ctl_exit_for_status(reply->status);
    ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

static int s_call(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ocopctl call SERVICE REQUEST [JSON|-]\n");
        return CTL_EXIT_USAGE;
    }
    cJSON *body = NULL;
    if (argc > 3) {
        char *text = argv[3];
        static char buf[1 << 20];
        if (strcmp(text, "-") == 0) {
            size_t n = fread(buf, 1, sizeof buf - 1, stdin);
            if (n == sizeof buf - 1 && fgetc(stdin) != EOF) {
                fprintf(stderr, "ocopctl call: the body on standard input is larger than %zu bytes\n", sizeof buf - 1);
                return CTL_EXIT_INVALID;
            }
            buf[n] = '\0';
            text = buf;
        }
        body = cJSON_Parse(text);
        if (!body) {
            fprintf(stderr, "ocopctl call: the body is not valid JSON\n");
            return CTL_EXIT_INVALID;
        }
    }
    int rc = ctl_call_and_print(ctl, argv[1], argv[2], body);
    cJSON_Delete(body);
    return rc;
}

/* The global options before the command, into ctl; *cmd is the command's index. -1 to go on,
 * else the exit code (0 after --help). */
static int s_keygen(ctl_t *ctl, int argc, char **argv)
{
    (void)ctl;
    return ctl_cmd_keygen(argc, argv);
}

static int s_config(ctl_t *ctl, int argc, char **argv)
{
    return ctl_cmd_config(ctl->config_path, argc, argv);
}

static int s_ping(ctl_t *ctl, int argc, char **argv)
{
    if (ctl->gateway)
        return ctl_http_health(ctl);
    return ctl_call_and_print(ctl, argc > 1 ? argv[1] : "registration", "ping", NULL);
}

/* The commands: the first word after the options, and what runs it (with the words from it on). */
static const ctl_command_t s_commands[] = {
    {"keygen", s_keygen},
    {"config", s_config},
    {"backup", ctl_cmd_backup},
    {"restore", ctl_cmd_restore},
    {"ping", s_ping},
    {"call", s_call},
    {"events", s_events},
    {"audit", ctl_cmd_audit},
    {"token", ctl_cmd_token},
    {"catalogue", ctl_cmd_catalogue},
    {"stars", ctl_cmd_stars},
    {"shard", ctl_cmd_shard},
    {"import", ctl_cmd_import},
    {"unit", ctl_cmd_registration},
    {"entity", ctl_cmd_registration},
    {"product", ctl_cmd_registration},
    {"counts", ctl_cmd_registration},
};

int main(int argc, char **argv)
{
    return ctl_run(argc, argv, "ocopctl", s_usage, s_commands, sizeof s_commands / sizeof s_commands[0]);
}
