/* ctl_token — "ocopctl token create": a user of the gateway with a role, a scope and a fresh
 * API token, added to the gateway's tokens file (only the token's hash is stored; the token is
 * printed once). The gateway picks the change up within a second. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "ocop_error.h"
#include "ocop_users.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocopctl token create --file TOKENS.json --name NAME --role ROLE\n"
                 "                            [--province CODE] [--commune CODE] [--entity ID]\n"
                 "                            [--member ID --councils ID;ID...]\n"
                 "  Roles and their scope: producer (--entity), commune_officer (--commune, --province),\n"
                 "  province_officer (--province), council_member (--member, --councils),\n"
                 "  central_officer, auditor, public. Prints the token; the file keeps its hash only.\n");
}

static int s_set(char *dst, size_t len, const char *value, const char *flag)
{
    if (strlen(value) >= len) {
        fprintf(stderr, "ocopctl token: %s is too long (at most %zu characters)\n", flag, len - 1);
        return -1;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 0;
}

static int s_councils(ocop_user_t *u, const char *list)
{
    char copy[OCOP_USER_COUNCILS_MAX * 24], *save = NULL;
    if (s_set(copy, sizeof copy, list, "--councils") != 0)
        return -1;
    for (char *tok = strtok_r(copy, ";,", &save); tok; tok = strtok_r(NULL, ";,", &save)) {
        if (u->council_count == OCOP_USER_COUNCILS_MAX ||
            s_set(u->councils[u->council_count], sizeof u->councils[0], tok, "a council id") != 0)
            return -1;
        u->council_count++;
    }
    return 0;
}

int ctl_cmd_token(ctl_t *ctl, int argc, char **argv)
{
    (void)ctl;
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        s_usage(argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc > 1 && strcmp(argv[1], "--help") == 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }
    ocop_user_t u;
    memset(&u, 0, sizeof u);
    const char *file = NULL;
    for (int i = 2; i < argc; i++) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(flag, "--help") == 0) {
            s_usage(stdout);
            return CTL_EXIT_OK;
        }
        if (!value) {
            s_usage(stderr);
            return CTL_EXIT_USAGE;
        }
        i++;
        int rc = 0;
        if (strcmp(flag, "--file") == 0)
            file = value;
        else if (strcmp(flag, "--name") == 0)
            rc = s_set(u.name, sizeof u.name, value, flag);
        else if (strcmp(flag, "--role") == 0) {
            u.role = ocop_role_from_name(value);
            if (!u.role) {
                fprintf(stderr, "ocopctl token: unknown role '%s'\n", value);
                return CTL_EXIT_USAGE;
            }
        } else if (strcmp(flag, "--province") == 0)
            rc = s_set(u.province, sizeof u.province, value, flag);
        else if (strcmp(flag, "--commune") == 0)
            rc = s_set(u.commune, sizeof u.commune, value, flag);
        else if (strcmp(flag, "--entity") == 0)
            rc = s_set(u.entity, sizeof u.entity, value, flag);
        else if (strcmp(flag, "--member") == 0)
            rc = s_set(u.member, sizeof u.member, value, flag);
        else if (strcmp(flag, "--councils") == 0)
            rc = s_councils(&u, value);
        else {
            s_usage(stderr);
            return CTL_EXIT_USAGE;
        }
        if (rc != 0)
            return CTL_EXIT_USAGE;
    }
    if (!file) {
        fprintf(stderr, "ocopctl token: --file TOKENS.json is required (the gateway section's \"tokens\")\n");
        return CTL_EXIT_USAGE;
    }
    char token[OCOP_TOKEN_LEN + 1], err[512];
    ocop_token_new(token, u.token_hash);
    if (ocop_users_add(file, &u, err, sizeof err) != 0) {
        fprintf(stderr, "ocopctl token: %s\n", err);
        return CTL_EXIT_INVALID;
    }
    printf("%s\n", token);
    return CTL_EXIT_OK;
}
