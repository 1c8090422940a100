/* eval_policy_procedure — the procedure sections of a policy file: the certificate's term, what
 * follows a central council's refusal, and revocation (grounds, authority, time limit). See
 * data/FORMAT.md; declared in eval_policy.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_policy.h"
#include "ocop_date.h"
#include "ocop_json.h"
#include "evaluation.pb-c.h"

static int s_certificate(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "certificate");
    if (!cJSON_IsObject(c))
        return eval_json_fail(src, "", "certificate", "is required: {\"months\", \"from\", \"article\"}");
    char from[16];
    if (eval_json_int(src, c, "certificate", "months", 1, 120, &p->certificate_months) != 0 ||
        eval_json_string(src, c, "certificate", "from", true, from, sizeof from) != 0 ||
        eval_json_string(src, c, "certificate", "article", true, p->certificate_article,
                         sizeof p->certificate_article) != 0)
        return -1;
    if (strcmp(from, "decision") != 0 && strcmp(from, "session") != 0)
        return eval_json_fail(src, "certificate", "from", "\"%s\": the term runs from \"decision\" or \"session\"",
                              from);
    p->certificate_from_decision = strcmp(from, "decision") == 0;
    return 0;
}

static int s_after_central(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "after_central_below");
    if (!cJSON_IsObject(a))
        return eval_json_fail(src, "", "after_central_below", "is required: {\"action\", \"article\"}");
    char action[32];
    if (eval_json_string(src, a, "after_central_below", "action", true, action, sizeof action) != 0 ||
        eval_json_string(src, a, "after_central_below", "article", true, p->after_central_article,
                         sizeof p->after_central_article) != 0)
        return -1;
    if (strcmp(action, "keep_province_stars") == 0)
        p->after_central = EVAL_AFTER_CENTRAL_KEEPS;
    else if (strcmp(action, "province_may_certify") == 0)
        p->after_central = EVAL_AFTER_CENTRAL_PROVINCE_MAY_CERTIFY;
    else
        return eval_json_fail(src, "after_central_below", "action",
                              "\"%s\": one of keep_province_stars, province_may_certify", action);
    return 0;
}

/* Whether name is the JSON name of a RevocationReason other than unspecified. */
static bool s_reason_known(const char *name)
{
    const ProtobufCEnumDescriptor *d = &ocop__revocation_reason__descriptor;
    for (unsigned i = 0; i < d->n_values; i++) {
        char buf[48];
        if (d->values[i].value != 0 && strcmp(ocop_json_enum_name(d, d->values[i].value, buf, sizeof buf), name) == 0)
            return true;
    }
    return false;
}

static int s_ground(const eval_json_src_t *src, const cJSON *js, const char *at, eval_ground_t *g)
{
    if (!cJSON_IsObject(js))
        return eval_json_fail(src, at, NULL, "expected an object");
    if (eval_json_string(src, js, at, "code", true, g->code, sizeof g->code) != 0 ||
        eval_json_string(src, js, at, "article", true, g->article, sizeof g->article) != 0 ||
        eval_json_strdup(src, js, at, "text", &g->text) != 0)
        return -1;
    const cJSON *reasons = cJSON_GetObjectItemCaseSensitive(js, "reasons"), *r;
    cJSON_ArrayForEach (r, reasons) {
        if (!cJSON_IsString(r) || !s_reason_known(r->valuestring))
            return eval_json_fail(src, at, "reasons", "each must be a revocation reason name (food_safety, ...)");
        if (g->n_reasons == sizeof g->reasons / sizeof g->reasons[0])
            return eval_json_fail(src, at, "reasons", "at most %zu", sizeof g->reasons / sizeof g->reasons[0]);
        snprintf(g->reasons[g->n_reasons++], sizeof g->reasons[0], "%s", r->valuestring);
    }
    return 0;
}

static int s_authority(const eval_json_src_t *src, const cJSON *rev, eval_revocation_rules_t *r)
{
    const cJSON *list = eval_json_array(src, rev, "revocation", "authority", true), *js;
    if (!list)
        return -1;
    size_t i = 0;
    cJSON_ArrayForEach (js, list) {
        char at[48], name[16];
        snprintf(at, sizeof at, "revocation.authority[%zu]", i++);
        eval_level_t level;
        if (eval_json_string(src, js, at, "level", true, name, sizeof name) != 0)
            return -1;
        if (eval_level_parse(name, &level) != 0)
            return eval_json_fail(src, at, "level", "unknown level \"%s\"", name);
        const cJSON *stars = eval_json_array(src, js, at, "stars", true), *s;
        if (!stars)
            return -1;
        cJSON_ArrayForEach (s, stars) {
            if (!cJSON_IsNumber(s) || s->valueint < 1 || s->valueint > 5 || s->valuedouble != s->valueint)
                return eval_json_fail(src, at, "stars", "each must be a star rating 1..5");
            if (r->has_authority[s->valueint])
                return eval_json_fail(src, at, "stars", "%d stars already has an authority", s->valueint);
            r->has_authority[s->valueint] = true;
            r->authority[s->valueint] = level;
        }
    }
    return 0;
}

static int s_revocation(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    eval_revocation_rules_t *r = &p->revocation;
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(root, "revocation");
    if (!cJSON_IsObject(rev))
        return eval_json_fail(src, "", "revocation", "is required: {\"grounds\", \"authority\", \"within_days\"}");
    if (eval_json_int(src, rev, "revocation", "within_days", 0, 365, &r->within_days) != 0 ||
        eval_json_string(src, rev, "revocation", "article", true, r->article, sizeof r->article) != 0 ||
        s_authority(src, rev, r) != 0)
        return -1;
    const cJSON *grounds = eval_json_array(src, rev, "revocation", "grounds", true), *js;
    if (!grounds)
        return -1;
    if (cJSON_GetArraySize(grounds) > EVAL_GROUNDS_MAX)
        return eval_json_fail(src, "revocation", "grounds", "at most %d", EVAL_GROUNDS_MAX);
    cJSON_ArrayForEach (js, grounds) {
        char at[48];
        snprintf(at, sizeof at, "revocation.grounds[%zu]", r->n_grounds);
        eval_ground_t *g = &r->grounds[r->n_grounds++];
        if (s_ground(src, js, at, g) != 0)
            return -1;
        for (size_t i = 0; i + 1 < r->n_grounds; i++)
            if (strcmp(r->grounds[i].code, g->code) == 0)
                return eval_json_fail(src, at, "code", "\"%s\" is listed twice", g->code);
    }
    return 0;
}

static int s_handover(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "handover");
    if (!h)
        return 0;
    eval_handover_t *o = &p->handover;
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(h, "finish_days");
    if (eval_json_date(src, h, "handover", "before", o->before) != 0 ||
        eval_json_string(src, h, "handover", "article", true, o->article, sizeof o->article) != 0)
        return -1;
    if (!cJSON_IsObject(days))
        return eval_json_fail(src, "handover", "finish_days",
                              "is required: {\"first\", \"upgrade\", \"reevaluation\"}");
    static const char *const kinds[] = {"first", "upgrade", "reevaluation"};
    for (int k = 0; k < 3; k++)
        if (eval_json_int(src, days, "handover.finish_days", kinds[k], 0, 3650, &o->finish_days[k + 1]) != 0)
            return -1;
    o->has = true;
    return 0;
}

static int s_reevaluation(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "reevaluation");
    if (!r)
        return 0;
    eval_reevaluation_rules_t *o = &p->reevaluation;
    if (eval_json_int(src, r, "reevaluation", "file_from_days_before_expiry", 1, 3650, &o->file_from_days) != 0 ||
        eval_json_int(src, r, "reevaluation", "file_until_days_before_expiry", 0, o->file_from_days,
                      &o->file_until_days) != 0 ||
        eval_json_int(src, r, "reevaluation", "late_extension_days", 0, 3650, &o->late_extension_days) != 0 ||
        eval_json_int(src, r, "reevaluation", "finish_within_days", 0, 3650, &o->finish_days) != 0 ||
        eval_json_string(src, r, "reevaluation", "article", true, o->article, sizeof o->article) != 0)
        return -1;
    o->has = true;
    return 0;
}

/* "MM-DD" of a day every year has (29 February is refused: a round's date must exist in each
 * year it applies to). */
static int s_month_day(const eval_json_src_t *src, const cJSON *js, const char *at, const char *name, char out[6])
{
    char text[16], day[24];
    if (eval_json_string(src, js, at, name, true, text, sizeof text) != 0)
        return -1;
    snprintf(day, sizeof day, "2025-%s", text);
    snprintf(out, 6, "%.5s", text);
    if (strlen(text) != 5 || !ocop_date_valid(day))
        return eval_json_fail(src, at, name, "\"%s\" is not a day of every year MM-DD", text);
    return 0;
}

static int s_round_list(const eval_json_src_t *src, const cJSON *list, const char *name, eval_level_t level,
                        eval_policy_t *p)
{
    eval_round_rules_t *r = &p->rounds;
    const eval_policy_level_t *l = eval_policy_level(p, level);
    if (!l || !l->scores)
        return eval_json_fail(src, "rounds", name, "the %s level does not score under this policy", name);
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return eval_json_fail(src, "rounds", name,
                              "must be a non-empty array of {\"number\", \"cutoff\", \"deadline\"}");
    if (cJSON_GetArraySize(list) > EVAL_ROUNDS_MAX)
        return eval_json_fail(src, "rounds", name, "at most %d rounds", EVAL_ROUNDS_MAX);
    const cJSON *js;
    cJSON_ArrayForEach (js, list) {
        size_t i = r->n_by_level[level];
        char at[48];
        snprintf(at, sizeof at, "rounds.%s[%zu]", name, i);
        eval_round_rule_t *rule = &r->by_level[level][i];
        if (!cJSON_IsObject(js))
            return eval_json_fail(src, at, NULL, "expected an object");
        if (eval_json_int(src, js, at, "number", 1, EVAL_ROUNDS_MAX, &rule->number) != 0 ||
            s_month_day(src, js, at, "cutoff", rule->cutoff) != 0 ||
            s_month_day(src, js, at, "deadline", rule->deadline) != 0)
            return -1;
        if (rule->number != (int)i + 1)
            return eval_json_fail(src, at, "number", "%d: the rounds are numbered 1, 2, ... in order", rule->number);
        /* Both days fall in the round's year: the cut-off comes first. */
        if (strcmp(rule->cutoff, rule->deadline) >= 0)
            return eval_json_fail(src, at, "deadline", "%s is not after the cut-off %s", rule->deadline, rule->cutoff);
        r->n_by_level[level]++;
    }
    if ((int)r->n_by_level[level] < r->min_per_year)
        return eval_json_fail(src, "rounds", name, "%zu rounds, fewer than min_per_year %d", r->n_by_level[level],
                              r->min_per_year);
    return 0;
}

/* 26/2026 Art. 5: the rounds each level holds a year, with their cut-off and deadline. */
static int s_rounds(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *rounds = cJSON_GetObjectItemCaseSensitive(root, "rounds");
    if (!rounds)
        return 0;
    eval_round_rules_t *r = &p->rounds;
    if (!cJSON_IsObject(rounds))
        return eval_json_fail(src, "", "rounds",
                              "expected an object {\"article\", \"min_per_year\", \"<level>\": [...]}");
    if (eval_json_string(src, rounds, "rounds", "article", true, r->article, sizeof r->article) != 0 ||
        eval_json_int(src, rounds, "rounds", "min_per_year", 1, EVAL_ROUNDS_MAX, &r->min_per_year) != 0)
        return -1;
    const cJSON *js;
    bool any = false;
    cJSON_ArrayForEach (js, rounds) {
        eval_level_t level;
        if (strcmp(js->string, "article") == 0 || strcmp(js->string, "min_per_year") == 0)
            continue;
        if (eval_level_parse(js->string, &level) != 0)
            return eval_json_fail(src, "rounds", js->string,
                                  "unknown member (article, min_per_year, or a level: "
                                  "commune, district, province, central)");
        if (s_round_list(src, js, js->string, level, p) != 0)
            return -1;
        any = true;
    }
    if (!any)
        return eval_json_fail(src, "", "rounds", "names no level's rounds");
    r->has = true;
    return 0;
}

int eval_policy_parse_procedure(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    return s_certificate(src, root, p) != 0 || s_after_central(src, root, p) != 0 || s_revocation(src, root, p) != 0 ||
                   s_handover(src, root, p) != 0 || s_reevaluation(src, root, p) != 0 || s_rounds(src, root, p) != 0
               ? -1
               : 0;
}

void eval_policy_free_procedure(eval_policy_t *p)
{
    for (size_t i = 0; i < p->revocation.n_grounds; i++)
        free(p->revocation.grounds[i].text);
}

const eval_ground_t *eval_policy_ground(const eval_policy_t *p, const char *code, const char *reason)
{
    for (size_t i = 0; i < p->revocation.n_grounds; i++) {
        const eval_ground_t *g = &p->revocation.grounds[i];
        if (code && *code && strcmp(g->code, code) == 0)
            return g;
        for (size_t k = 0; reason && (!code || !*code) && k < g->n_reasons; k++)
            if (strcmp(g->reasons[k], reason) == 0)
                return g;
    }
    return NULL;
}

const eval_round_rule_t *eval_policy_round(const eval_policy_t *p, eval_level_t level, int number)
{
    if ((unsigned)level >= EVAL_LEVEL_COUNT || number < 1 || (size_t)number > p->rounds.n_by_level[level])
        return NULL;
    return &p->rounds.by_level[level][number - 1];
}

bool eval_policy_level_sits(const eval_policy_level_t *l, const char *day)
{
    return !*l->until || strcmp(day, l->until) <= 0;
}
