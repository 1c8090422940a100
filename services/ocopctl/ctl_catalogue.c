/* ctl_catalogue — "ocopctl catalogue migrate": when a catalogue comes into force, moves the
 * products of the older one whose product set has a single successor (catalogue-map.json),
 * batch after batch (RegCatalogueMigrate) until none remain, and says how many are left for a
 * person to classify. Each batch is one request: a retry repeats its request id, and a run that
 * stops half-way is finished by running it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define S_BATCH_MAX 5000

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: ocopctl catalogue migrate --from VERSION --to VERSION [--province CODE] [--batch N]\n"
            "                                 [--reason TEXT]\n"
            "  Reclassifies every product of catalogue --from whose product set maps to a single set of\n"
            "  catalogue --to (catalogue-map.json), N products per request (default 500, at most %d),\n"
            "  until none remain; prints each batch, then the totals. --province keeps to the products\n"
            "  of one province (today's code). Products whose set maps to several sets are counted as\n"
            "  ambiguous and stay where they are until a person chooses, e.g.\n"
            "    ocopctl call registration reg_product_reclassify '{\"product_id\":\"PRD-00000042\",\n"
            "      \"catalogue_version\":\"148\",\"product_set_code\":\"4\",\"reason\":\"raw honey\"}'\n"
            "  Example: ocopctl catalogue migrate --from 148 --to 26-2026\n",
            S_BATCH_MAX);
}

typedef struct {
    const char *from, *to, *province, *reason;
    long batch; /* 0 = the service's default */
} s_args_t;

static int s_parse(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.province = "", .reason = ""};
    for (int i = 2; i < argc; i += 2) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!value)
            return -1;
        if (strcmp(flag, "--from") == 0)
            a->from = value;
        else if (strcmp(flag, "--to") == 0)
            a->to = value;
        else if (strcmp(flag, "--province") == 0)
            a->province = value;
        else if (strcmp(flag, "--reason") == 0)
            a->reason = value;
        else if (strcmp(flag, "--batch") == 0) {
            a->batch = strtol(value, &end, 10);
            if (*end || a->batch < 1 || a->batch > S_BATCH_MAX)
                return -1;
        } else
            return -1;
    }
    return a->from && a->to ? 0 : -1;
}

static void s_print_totals(const ctl_t *ctl, const s_args_t *a, unsigned long long moved, unsigned ambiguous,
                           unsigned batches)
{
    if (!ctl->output_json) {
        printf("catalogue %s -> %s%s%s: %llu reclassified in %u batch%s, 0 remaining, %u ambiguous%s\n", a->from, a->to,
               *a->province ? ", province " : "", a->province, moved, batches, batches == 1 ? "" : "es", ambiguous,
               ambiguous ? " (a person chooses their set: reg_product_reclassify)" : "");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "from_catalogue_version", a->from);
    cJSON_AddStringToObject(o, "to_catalogue_version", a->to);
    cJSON_AddStringToObject(o, "province_code", a->province);
    cJSON_AddNumberToObject(o, "reclassified", (double)moved);
    cJSON_AddNumberToObject(o, "ambiguous", ambiguous);
    cJSON_AddNumberToObject(o, "remaining", 0);
    cJSON_AddNumberToObject(o, "batches", batches);
    char *text = cJSON_PrintUnformatted(o);
    if (text)
        printf("%s\n", text);
    free(text);
    cJSON_Delete(o);
}

int ctl_cmd_catalogue(ctl_t *ctl, int argc, char **argv)
{
    s_args_t a;
    int help = argc >= 2 && strcmp(argv[argc - 1], "--help") == 0;
    if (help || argc < 2 || strcmp(argv[1], "migrate") != 0 || s_parse(argc, argv, &a) != 0) {
        s_usage(help ? stdout : stderr);
        return help ? CTL_EXIT_OK : CTL_EXIT_USAGE;
    }
    unsigned long long moved = 0;
    unsigned batches = 0, ambiguous = 0;
    char after[160] = ""; /* where the next batch starts: the previous one's next */
    for (;;) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "from_catalogue_version", a.from);
        cJSON_AddStringToObject(body, "to_catalogue_version", a.to);
        cJSON_AddStringToObject(body, "province_code", a.province);
        cJSON_AddStringToObject(body, "reason", a.reason);
        cJSON_AddStringToObject(body, "after", after);
        if (a.batch)
            cJSON_AddNumberToObject(body, "max", (double)a.batch);
        Ocop__Reply *reply;
        int rc = ctl_call(ctl, "registration", "reg_catalogue_migrate", body, &reply);
        cJSON_Delete(body);
        if (rc != 0)
            return rc;
        if (reply->status != OCOP__STATUS__STATUS_OK ||
            reply->body_case != OCOP__REPLY__BODY_REG_CATALOGUE_MIGRATE_RESULT) {
            ctl_print_reply(ctl, reply);
            rc = ctl_exit_for_status(reply->status);
            ocop__reply__free_unpacked(reply, NULL);
            return rc ? rc : CTL_EXIT_FAILED;
        }
        const Ocop__RegCatalogueMigrateResult *m = reply->reg_catalogue_migrate_result;
        unsigned reclassified = m->reclassified;
        int stuck = *m->next && strcmp(m->next, after) == 0, fits = strlen(m->next) < sizeof after;
        ambiguous += m->ambiguous;
        if (fits)
            snprintf(after, sizeof after, "%s", m->next);
        if (!ctl->output_json)
            printf("batch %u: %u reclassified, %u ambiguous%s%s\n", batches + 1, reclassified, m->ambiguous,
                   *m->next ? ", next from " : "", m->next);
        ocop__reply__free_unpacked(reply, NULL);
        moved += reclassified;
        batches++;
        if (stuck || !fits) {
            fprintf(stderr, "ocopctl catalogue migrate: the registration service %s\n",
                    stuck ? "named the same place to go on from twice"
                          : "named a place to go on from that is too long");
            return CTL_EXIT_FAILED;
        }
        if (!*after) {
            s_print_totals(ctl, &a, moved, ambiguous, batches);
            return CTL_EXIT_OK;
        }
        fflush(stdout);
    }
}
