/* ctl_stars — "ocopctl stars": the stars report of every evaluation shard, merged (or the one
 * shard owning --province), as a table or JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ocop_error.h"
#include "ocop_eval_report.h"

#define S_SHARDS_MAX 64

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocopctl stars [--province CODE] [--sector CODE] [--year Y | --from Y --to Y]\n"
                 "  Products by stars x province x sector x year from every evaluation shard (or the one\n"
                 "  owning --province). 'proposed 5' are 4-star products proposed to the central council.\n"
                 "  --output csv writes province_code,sector_code,year,stars3,... with a TOTAL row.\n");
}

static cJSON *s_row_json(const Ocop__EvalReportRow *row)
{
    cJSON *o = cJSON_CreateObject();
    if (row->province_code && *row->province_code) {
        cJSON_AddStringToObject(o, "province_code", row->province_code);
        cJSON_AddStringToObject(o, "sector_code", row->sector_code);
        cJSON_AddNumberToObject(o, "year", row->year);
    }
    cJSON_AddNumberToObject(o, "stars3", row->stars3);
    cJSON_AddNumberToObject(o, "stars4", row->stars4);
    cJSON_AddNumberToObject(o, "stars5", row->stars5);
    cJSON_AddNumberToObject(o, "proposed5", row->proposed5);
    cJSON_AddNumberToObject(o, "products", row->products);
    cJSON_AddNumberToObject(o, "entities", row->entities);
    return o;
}

static void s_row_print(const ctl_t *ctl, const char *p, const char *s, const char *y, const Ocop__EvalReportRow *row)
{
    if (ctl->output_csv) {
        printf("%s,%s,%s,%u,%u,%u,%u,%u,%u\n", p, s, y, row->stars3, row->stars4, row->stars5, row->proposed5,
               row->products, row->entities);
        return;
    }
    printf("%-9s %-7s %-5s %7u %7u %7u %11u %9u %9u\n", p, s, y, row->stars3, row->stars4, row->stars5, row->proposed5,
           row->products, row->entities);
}

/* The shards' reports as one (ocop_eval_report_merge): a row per province, sector and year,
 * then the total; as a table, CSV or JSON. */
static int s_print(const ctl_t *ctl, const Ocop__EvalReport *const *parts, size_t n, cJSON *out)
{
    size_t n_rows = ocop_eval_report_rows(parts, n);
    Ocop__EvalReportRow **rows = malloc((n_rows ? n_rows : 1) * sizeof *rows), total;
    Ocop__EvalReport merged;
    if (!rows) {
        fprintf(stderr, "ocopctl: out of memory\n");
        return CTL_EXIT_FAILED;
    }
    ocop_eval_report_merge(parts, n, rows, &total, &merged);
    if (ctl->output_csv)
        printf("province_code,sector_code,year,stars3,stars4,stars5,proposed5,products,entities\n");
    else if (!ctl->output_json)
        printf("%-9s %-7s %-5s %7s %7s %7s %11s %9s %9s\n", "PROVINCE", "SECTOR", "YEAR", "3 STARS", "4 STARS",
               "5 STARS", "PROPOSED 5", "PRODUCTS", "ENTITIES");
    cJSON *json_rows = cJSON_AddArrayToObject(out, "rows");
    for (size_t i = 0; i < merged.n_rows; i++) {
        const Ocop__EvalReportRow *row = merged.rows[i];
        char year[8];
        snprintf(year, sizeof year, "%u", row->year);
        if (ctl->output_json)
            cJSON_AddItemToArray(json_rows, s_row_json(row));
        else
            s_row_print(ctl, row->province_code, row->sector_code, year, row);
    }
    if (ctl->output_json) {
        cJSON_AddItemToObject(out, "total", s_row_json(&total));
        char *text = cJSON_Print(out);
        printf("%s\n", text);
        free(text);
    } else {
        s_row_print(ctl, "TOTAL", "", "", &total);
    }
    free(rows);
    return CTL_EXIT_OK;
}

/* The report's filters from the command line into body, and --province into *province.
 * CTL_EXIT_OK to go on, -1 after --help, or CTL_EXIT_USAGE. */
static int s_filters(int argc, char **argv, cJSON *body, const char **province)
{
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(flag, "--help") == 0) {
            s_usage(stdout);
            return -1;
        }
        long year = 0;
        bool is_year = strcmp(flag, "--year") == 0 || strcmp(flag, "--from") == 0 || strcmp(flag, "--to") == 0;
        if (!value || (is_year && ctl_parse_long(value, 2000, 2200, &year) != 0)) {
            if (is_year && value)
                fprintf(stderr, "ocopctl stars: %s is a year (2000 to 2200), not '%s'\n", flag, value);
            s_usage(stderr);
            return CTL_EXIT_USAGE;
        }
        i++;
        if (strcmp(flag, "--province") == 0)
            cJSON_AddStringToObject(body, "province_code", *province = value);
        else if (strcmp(flag, "--sector") == 0)
            cJSON_AddStringToObject(body, "sector_code", value);
        else if (is_year) {
            if (strcmp(flag, "--to") != 0)
                cJSON_AddNumberToObject(body, "year_from", (double)year);
            if (strcmp(flag, "--from") != 0)
                cJSON_AddNumberToObject(body, "year_to", (double)year);
        } else {
            s_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    return CTL_EXIT_OK;
}

/* The shards to ask: the gateway (which merges), the owner of province, or every evaluation
 * shard. 0, or an exit code (said on stderr). */
static int s_shards(const ctl_t *ctl, const char *province, char (*shards)[OCOP_NAME_MAX], size_t *n)
{
    *n = 0;
    if (ctl->gateway) {
        snprintf(shards[0], OCOP_NAME_MAX, "gateway");
        *n = 1;
    } else if (*province) {
        if (ocop_config_shard_owner(ctl->config, "evaluation", province, shards[0], OCOP_NAME_MAX) != 0) {
            fprintf(stderr, "ocopctl: no evaluation shard of %s owns province %s\n", ctl->config_path, province);
            return CTL_EXIT_NOT_FOUND;
        }
        *n = 1;
    } else {
        *n = ocop_config_shards(ctl->config, "evaluation", shards, S_SHARDS_MAX);
    }
    if (*n == 0) {
        fprintf(stderr, "ocopctl: %s has no evaluation shard\n", ctl->config_path);
        return CTL_EXIT_USAGE;
    }
    return 0;
}

int ctl_cmd_stars(ctl_t *ctl, int argc, char **argv)
{
    cJSON *body = cJSON_CreateObject();
    const char *province = "";
    int rc = s_filters(argc, argv, body, &province);
    if (rc == 0)
        rc = ctl_prepare(ctl);
    char shards[S_SHARDS_MAX][OCOP_NAME_MAX];
    size_t n = 0;
    if (rc == 0)
        rc = s_shards(ctl, province, shards, &n);
    Ocop__Reply *replies[S_SHARDS_MAX] = {0};
    const Ocop__EvalReport *parts[S_SHARDS_MAX];
    for (size_t s = 0; s < n && rc == 0; s++) {
        rc = ctl_call(ctl, shards[s], "eval_report_get", body, &replies[s]);
        if (rc == 0 && replies[s]->status != OCOP__STATUS__STATUS_OK) {
            fprintf(stderr, "ocopctl: %s: %s: %s\n", shards[s], ocop_status_name(replies[s]->status),
                    replies[s]->message);
            rc = ctl_exit_for_status(replies[s]->status);
        } else if (rc == 0) {
            parts[s] = replies[s]->eval_report;
        }
    }
    cJSON *out = cJSON_CreateObject();
    if (rc == 0)
        rc = s_print(ctl, parts, n, out);
    for (size_t s = 0; s < n; s++)
        if (replies[s])
            ocop__reply__free_unpacked(replies[s], NULL);
    cJSON_Delete(out);
    cJSON_Delete(body);
    return rc < 0 ? CTL_EXIT_OK : rc;
}
