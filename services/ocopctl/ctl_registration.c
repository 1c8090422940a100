/* ctl_registration — the registration service's commands, as a table from command words and
 * flags to request fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

enum { S_STR, S_NUM, S_BOOL, S_LIST };

typedef struct {
    const char *flag;
    const char *field;
    int kind;
} s_flag_t;

typedef struct {
    const char *noun;
    const char *verb;
    const char *body;
    const char *positional[3]; /* fields filled by positional arguments, in order */
    int json_arg;              /* 1: the last positional argument is the whole body (JSON or -) */
    s_flag_t flags[10];
    const char *help;
} s_cmd_t;

static const s_cmd_t s_cmds[] = {
    {"unit", "get", "reg_unit_get", {"code"}, 0, {{"--version", "version", S_STR}}, "unit get CODE [--version V]"},
    {"unit",
     "list",
     "reg_unit_list",
     {0},
     0,
     {{"--parent", "parent_code", S_STR},
      {"--version", "version", S_STR},
      {"--limit", "limit", S_NUM},
      {"--cursor", "cursor", S_STR}},
     "unit list [--parent CODE] [--version V] [--limit N] [--cursor C]"},
    {"entity",
     "register",
     "reg_entity_register",
     {0},
     1,
     {{0}},
     "entity register JSON|-   e.g. '{\"type\":\"cooperative\",\"name\":\"HTX Chè Tân "
     "Cương\",\"tax_code\":\"4600123456\","
     "\"commune_code\":\"05503\",\"phone\":\"0912345678\"}'"},
    {"entity", "get", "reg_entity_get", {"id"}, 0, {{0}}, "entity get ID"},
    {"entity",
     "update",
     "reg_entity_update",
     {"id"},
     0,
     {{"--name", "name", S_STR},
      {"--representative", "representative", S_STR},
      {"--phone", "phone", S_STR},
      {"--revision", "expected_revision", S_NUM}},
     "entity update ID [--name N] [--representative R] [--phone P] [--revision N]"},
    {"entity",
     "list",
     "reg_entity_list",
     {0},
     0,
     {{"--province", "province_code", S_STR},
      {"--commune", "commune_code", S_STR},
      {"--type", "type", S_STR},
      {"--limit", "limit", S_NUM},
      {"--cursor", "cursor", S_STR}},
     "entity list [--province P] [--commune C] [--type T] [--limit N] [--cursor C]"},
    {"product",
     "register",
     "reg_product_register",
     {0},
     1,
     {{0}},
     "product register JSON|-  e.g. '{\"entity_id\":\"ENT-00000001\",\"name\":\"Chè Tân Cương\",\"sector_code\":\"1\","
     "\"product_set_code\":\"11\",\"commune_code\":\"05503\",\"processing\":\"processed\"}'"},
    {"product", "get", "reg_product_get", {"id"}, 0, {{0}}, "product get ID"},
    {"product",
     "update",
     "reg_product_update",
     {"id"},
     0,
     {{"--standards", "standards", S_LIST},
      {"--processing", "processing", S_STR},
      {"--revision", "expected_revision", S_NUM}},
     "product update ID [--standards 'VietGAP;HACCP'] [--processing fresh|preliminary|processed] [--revision N]"},
    {"product",
     "list",
     "reg_product_list",
     {0},
     0,
     {{"--province", "province_code", S_STR},
      {"--commune", "commune_code", S_STR},
      {"--entity", "entity_id", S_STR},
      {"--stage", "stage", S_STR},
      {"--sector", "sector_code", S_STR},
      {"--review-pending", "review_pending", S_BOOL},
      {"--limit", "limit", S_NUM},
      {"--cursor", "cursor", S_STR}},
     "product list [--province P] [--commune C] [--entity E] [--stage S] [--sector S] [--review-pending] "
     "[--limit N] [--cursor C]"},
    {"product",
     "transition",
     "reg_stage_transition",
     {"product_id", "action"},
     0,
     {{"--reason", "reason", S_STR}, {"--revision", "expected_revision", S_NUM}},
     "product transition ID accept|reject|resubmit|submit|withdraw|promote [--reason TEXT] [--revision N]"},
    {"product",
     "review",
     "reg_duplicate_review",
     {"product_id", "decision"},
     0,
     {{"--note", "note", S_STR}},
     "product review ID cleared|confirmed_duplicate [--note TEXT]"},
    {"counts",
     NULL,
     "reg_counts_get",
     {0},
     0,
     {{"--province", "province_code", S_STR}, {"--as-recorded", "as_recorded", S_BOOL}},
     "counts [--province CODE] [--as-recorded]"},
};

static void s_help(const char *noun, FILE *out)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < sizeof s_cmds / sizeof s_cmds[0]; i++)
        if (strcmp(s_cmds[i].noun, noun) == 0)
            fprintf(out, "  ocopctl %s\n", s_cmds[i].help);
    if (strcmp(noun, "unit") == 0)
        fprintf(out, "  ocopctl unit import FILE.csv   (same as: ocopctl import units FILE.csv)\n");
}

static int s_add_flag(cJSON *body, const s_flag_t *f, const char *value)
{
    if (f->kind == S_NUM) {
        char *end;
        double d = strtod(value, &end);
        if (*end)
            return -1;
        cJSON_AddNumberToObject(body, f->field, d);
    } else if (f->kind == S_LIST) {
        ctl_json_add_list(body, f->field, value);
        cJSON_AddBoolToObject(body, "set_standards", 1);
    } else {
        cJSON_AddStringToObject(body, f->field, value);
    }
    return 0;
}

static cJSON *s_read_json(const char *arg)
{
    if (strcmp(arg, "-") != 0)
        return cJSON_Parse(arg);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

int ctl_cmd_registration(ctl_t *ctl, int argc, char **argv)
{
    const char *noun = argv[0];
    int first = 1;
    const s_cmd_t *cmd = NULL;
    if (strcmp(noun, "counts") == 0) {
        cmd = &s_cmds[sizeof s_cmds / sizeof s_cmds[0] - 1];
    } else {
        if (argc < 2 || strcmp(argv[1], "--help") == 0) {
            s_help(noun, argc < 2 ? stderr : stdout);
            return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
        }
        if (strcmp(noun, "unit") == 0 && strcmp(argv[1], "import") == 0) {
            char *import_argv[] = {"import", "units", argc > 2 ? argv[2] : NULL};
            return argc == 3 ? ctl_cmd_import(ctl, 3, import_argv) : (s_help(noun, stderr), CTL_EXIT_USAGE);
        }
        for (size_t i = 0; i < sizeof s_cmds / sizeof s_cmds[0]; i++)
            if (strcmp(s_cmds[i].noun, noun) == 0 && s_cmds[i].verb && strcmp(s_cmds[i].verb, argv[1]) == 0)
                cmd = &s_cmds[i];
        first = 2;
    }
    if (!cmd) {
        s_help(noun, stderr);
        return CTL_EXIT_USAGE;
    }
    cJSON *body = NULL;
    size_t pos = 0;
    int rc = CTL_EXIT_OK;
    if (!cmd->json_arg)
        body = cJSON_CreateObject();
    for (int i = first; i < argc && rc == CTL_EXIT_OK; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            printf("usage: ocopctl %s\n", cmd->help);
            cJSON_Delete(body);
            return CTL_EXIT_OK;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            const s_flag_t *f = NULL;
            for (size_t k = 0; k < 10 && cmd->flags[k].flag; k++)
                if (strcmp(cmd->flags[k].flag, argv[i]) == 0)
                    f = &cmd->flags[k];
            if (!f || !body || (f->kind != S_BOOL && i + 1 >= argc)) {
                rc = CTL_EXIT_USAGE;
                break;
            }
            if (f->kind == S_BOOL)
                cJSON_AddBoolToObject(body, f->field, 1);
            else if (s_add_flag(body, f, argv[++i]) != 0)
                rc = CTL_EXIT_USAGE;
            continue;
        }
        if (cmd->json_arg && !body) {
            body = s_read_json(argv[i]);
            if (!body) {
                fprintf(stderr, "ocopctl: the body is not valid JSON\n");
                return CTL_EXIT_INVALID;
            }
        } else if (pos < 3 && cmd->positional[pos]) {
            cJSON_AddStringToObject(body, cmd->positional[pos++], argv[i]);
        } else {
            rc = CTL_EXIT_USAGE;
        }
    }
    size_t needed = 0;
    while (needed < 3 && cmd->positional[needed])
        needed++;
    if (rc != CTL_EXIT_OK || pos < needed || (cmd->json_arg && !body)) {
        fprintf(stderr, "usage: ocopctl %s\n", cmd->help);
        cJSON_Delete(body);
        return CTL_EXIT_USAGE;
    }
    rc = ctl_call_and_print(ctl, "registration", cmd->body, body);
    cJSON_Delete(body);
    return rc;
}
