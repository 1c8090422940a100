/* eval_policy — see eval_policy.h. */
#include "eval_policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_bands.h"
#include "ocop_date.h"
#include "ocop_error.h"

static const char *const s_level_names[EVAL_LEVEL_COUNT] = {"commune", "district", "province", "central"};

struct eval_policies_t {
    eval_policy_t *items;
    size_t count;
};

const char *eval_level_name(eval_level_t level)
{
    return (unsigned)level < EVAL_LEVEL_COUNT ? s_level_names[level] : "unknown";
}

int eval_level_parse(const char *name, eval_level_t *out)
{
    for (int i = 0; name && i < EVAL_LEVEL_COUNT; i++)
        if (strcmp(s_level_names[i], name) == 0) {
            *out = (eval_level_t)i;
            return 0;
        }
    return -1;
}

/* The members only a scoring level may carry. */
static const char *const s_scoring_only[] = {"confers_min_stars", "confers_max_stars", "forward_at", "council"};

static int s_parse_stars(const eval_json_src_t *src, const cJSON *js, const char *at, eval_policy_level_t *l)
{
    if (eval_json_int(src, js, at, "confers_max_stars", 0, 5, &l->confers_max_stars) != 0)
        return -1;
    if (l->confers_max_stars > 0)
        return eval_json_int(src, js, at, "confers_min_stars", 1, l->confers_max_stars, &l->confers_min_stars);
    /* A level that confers nothing may say so with confers_min_stars 0, or leave it out. */
    if (cJSON_GetObjectItemCaseSensitive(js, "confers_min_stars"))
        return eval_json_int(src, js, at, "confers_min_stars", 0, 0, &l->confers_min_stars);
    return 0;
}

/* A scoring level's "council": its size and quorum (policy data: 26/2026 leaves them to each
 * council's rules of procedure, Art. 7.3(b), 7.4(b)). */
static int s_parse_council(const eval_json_src_t *src, const cJSON *js, const char *at, eval_policy_level_t *l)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(js, "council");
    char cat[48];
    snprintf(cat, sizeof cat, "%s.council", at);
    if (!cJSON_IsObject(c))
        return eval_json_fail(src, at, "council",
                              "is required for a level that scores: {\"min_members\", \"quorum_present\", "
                              "\"quorum_of\", \"chair_present\", \"article\"}");
    if (eval_json_int(src, c, cat, "min_members", 1, 50, &l->min_members) != 0 ||
        eval_json_int(src, c, cat, "quorum_of", 1, 50, &l->quorum_of) != 0 ||
        eval_json_int(src, c, cat, "quorum_present", 1, l->quorum_of, &l->quorum_present) != 0 ||
        eval_json_bool(src, c, cat, "chair_present", true, &l->chair_present) != 0 ||
        eval_json_string(src, c, cat, "article", true, l->council_article, sizeof l->council_article) != 0)
        return -1;
    return 0;
}

unsigned eval_policy_quorum(const eval_policy_level_t *l, size_t n)
{
    return (unsigned)((n * (size_t)l->quorum_present + (size_t)l->quorum_of - 1) / (size_t)l->quorum_of);
}

static int s_parse_level(const eval_json_src_t *src, const cJSON *js, size_t i, eval_policy_t *p)
{
    char at[32];
    snprintf(at, sizeof at, "levels[%zu]", i);
    eval_policy_level_t *l = &p->levels[i];
    char name[16];
    if (!cJSON_IsObject(js))
        return eval_json_fail(src, at, NULL, "expected an object");
    if (eval_json_string(src, js, at, "level", true, name, sizeof name) != 0)
        return -1;
    if (eval_level_parse(name, &l->level) != 0)
        return eval_json_fail(src, at, "level", "unknown level \"%s\" (commune, district, province, central)", name);
    if (i > 0 && l->level <= p->levels[i - 1].level)
        return eval_json_fail(src, at, "level",
                              "%s after %s: levels go commune, district, province, central, each once", name,
                              eval_level_name(p->levels[i - 1].level));
    if (eval_json_bool(src, js, at, "scores", true, &l->scores) != 0 ||
        eval_json_bool(src, js, at, "attests", false, &l->attests) != 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(js, "until") && eval_json_date(src, js, at, "until", l->until) != 0)
        return -1;
    l->forwarded_confers = true;
    if (cJSON_GetObjectItemCaseSensitive(js, "forwarded_confers") &&
        eval_json_bool(src, js, at, "forwarded_confers", true, &l->forwarded_confers) != 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(js, "report_within_working_days")) {
        if (!l->attests)
            return eval_json_fail(src, at, "report_within_working_days", "only a level that attests reports");
        if (eval_json_int(src, js, at, "report_within_working_days", 1, 365, &l->report_working_days) != 0 ||
            eval_json_string(src, js, at, "report_article", true, l->report_article, sizeof l->report_article) != 0)
            return -1;
    }
    if (!l->scores) {
        for (size_t k = 0; k < sizeof s_scoring_only / sizeof s_scoring_only[0]; k++)
            if (cJSON_GetObjectItemCaseSensitive(js, s_scoring_only[k]))
                return eval_json_fail(src, at, s_scoring_only[k], "only a level that scores may have it");
        if (!l->attests)
            return eval_json_fail(src, at, "attests", "a level that does not score must attest (or be left out)");
        return 0;
    }
    if (s_parse_stars(src, js, at, l) != 0 || s_parse_council(src, js, at, l) != 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(js, "forward_at")) {
        if (eval_json_number(src, js, at, "forward_at", &l->forward_at) != 0)
            return -1;
        if (l->forward_at <= 0)
            return eval_json_fail(src, at, "forward_at", "must be positive, found %g", l->forward_at);
        l->forwards = true;
    } else if (l->confers_max_stars == 0) {
        return eval_json_fail(src, at, "forward_at",
                              "is required when the level confers no stars (it scores and "
                              "forwards)");
    }
    return 0;
}

static int s_parse_levels(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p)
{
    const cJSON *levels = eval_json_array(src, root, "", "levels", true);
    if (!levels)
        return -1;
    if (cJSON_GetArraySize(levels) > EVAL_LEVEL_COUNT)
        return eval_json_fail(src, "", "levels", "at most %d levels, found %d", EVAL_LEVEL_COUNT,
                              cJSON_GetArraySize(levels));
    const cJSON *js;
    cJSON_ArrayForEach (js, levels) {
        if (s_parse_level(src, js, p->n_levels, p) != 0)
            return -1;
        p->n_levels++;
    }
    bool any = false;
    for (size_t i = 0; i < p->n_levels; i++) {
        any |= p->levels[i].scores;
        if (p->levels[i].forwards && !eval_policy_next_scoring(p, p->levels[i].level)) {
            char at[32];
            snprintf(at, sizeof at, "levels[%zu]", i);
            return eval_json_fail(src, at, "forward_at", "no later level scores, so nothing can be forwarded");
        }
    }
    if (!any)
        return eval_json_fail(src, "", "levels", "no level scores");
    return 0;
}

static int s_parse(const char *path, eval_policy_t *p, char *err, size_t errlen)
{
    cJSON *root = ocop_rulefile_read(path, p->digest, err, errlen);
    if (!root)
        return -1;
    eval_json_src_t src = {path, err, errlen};
    int rc = -1;
    p->source = strdup(eval_json_basename(path));
    if (!p->source)
        eval_json_fail(&src, "", NULL, "out of memory");
    else if (eval_json_string(&src, root, "", "instrument", true, p->instrument, sizeof p->instrument) == 0 &&
             eval_json_string(&src, root, "", "rubric", true, p->rubric, sizeof p->rubric) == 0 &&
             eval_json_string(&src, root, "", "decision", true, p->decision, sizeof p->decision) == 0 &&
             eval_json_date(&src, root, "", "effective_from", p->effective_from) == 0 &&
             s_parse_levels(&src, root, p) == 0 && eval_policy_parse_procedure(&src, root, p) == 0 &&
             eval_json_notes(&src, root) == 0)
        rc = 0;
    cJSON_Delete(root);
    return rc;
}

/* One policy file, then the checks against the policies loaded before it. */
static int s_parse_item(const char *path, void *items, size_t i, char *err, size_t errlen)
{
    eval_policy_t *all = items, *p = &all[i];
    if (s_parse(path, p, err, errlen) != 0)
        return -1;
    for (size_t j = 0; j < i; j++) {
        const eval_policy_t *q = &all[j];
        if (strcmp(q->instrument, p->instrument) == 0) {
            ocop_error_format(err, errlen, "%s: instrument: %s is already defined by %s", path, p->instrument,
                              q->source);
            return -1;
        }
        /* Two policies starting the same day would leave "in force" undecided. */
        if (strcmp(q->effective_from, p->effective_from) == 0) {
            ocop_error_format(err, errlen, "%s: effective_from: %s is also the date of %s", path, p->effective_from,
                              q->source);
            return -1;
        }
    }
    return 0;
}

eval_policies_t *eval_policies_load(const char *dir, char *err, size_t errlen)
{
    eval_policies_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "%s: out of memory", dir);
        return NULL;
    }
    void *items;
    int rc =
        ocop_rulefile_load_each(dir, "policy-", sizeof(eval_policy_t), s_parse_item, &items, &self->count, err, errlen);
    self->items = items;
    if (rc != 0)
        eval_policies_destroy(&self);
    return self;
}

void eval_policies_destroy(eval_policies_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    eval_policies_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free(self->items[i].source);
        eval_policy_free_procedure(&self->items[i]);
    }
    free(self->items);
    free(self);
    *self_p = NULL;
}

size_t eval_policies_count(const eval_policies_t *self)
{
    return self->count;
}

const eval_policy_t *eval_policies_at(const eval_policies_t *self, size_t i)
{
    return i < self->count ? &self->items[i] : NULL;
}

const eval_policy_t *eval_policies_find(const eval_policies_t *self, const char *instrument)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->items[i].instrument, instrument) == 0)
            return &self->items[i];
    return NULL;
}

const eval_policy_t *eval_policies_in_force(const eval_policies_t *self, const char *day)
{
    if (!ocop_date_valid(day))
        return NULL;
    const eval_policy_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        const eval_policy_t *p = &self->items[i];
        if (strcmp(p->effective_from, day) <= 0 && (!best || strcmp(p->effective_from, best->effective_from) > 0))
            best = p;
    }
    return best;
}

const eval_policy_level_t *eval_policy_level(const eval_policy_t *policy, eval_level_t level)
{
    for (size_t i = 0; i < policy->n_levels; i++)
        if (policy->levels[i].level == level)
            return &policy->levels[i];
    return NULL;
}

const eval_policy_level_t *eval_policy_next_scoring(const eval_policy_t *policy, eval_level_t level)
{
    for (size_t i = 0; i < policy->n_levels; i++)
        if (policy->levels[i].level > level && policy->levels[i].scores)
            return &policy->levels[i];
    return NULL;
}

int eval_policy_outcome(const eval_policy_t *policy, eval_level_t level, double mean, int band_stars,
                        eval_outcome_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->forward_to = level;
    const eval_policy_level_t *l = eval_policy_level(policy, level);
    if (!l) {
        ocop_error_format(err, errlen, "level: %s has no %s level", policy->decision, eval_level_name(level));
        return -1;
    }
    if (!l->scores) {
        ocop_error_format(err, errlen, "level: under %s the %s level does not score", policy->decision,
                          eval_level_name(level));
        return -1;
    }
    if (!isfinite(mean) || mean < 0) {
        ocop_error_format(err, errlen, "mean: %g is not a score", mean);
        return -1;
    }
    if (band_stars < 0 || band_stars > 5) {
        ocop_error_format(err, errlen, "band_stars: %d is not 0..5", band_stars);
        return -1;
    }
    if (band_stars == 0)
        return 0;
    if (l->confers_max_stars > 0 && band_stars >= l->confers_min_stars)
        out->stars = band_stars < l->confers_max_stars ? band_stars : l->confers_max_stars;
    const eval_policy_level_t *next = eval_policy_next_scoring(policy, level);
    /* A band above the level's maximum goes upward unless forward_at says otherwise. */
    bool upward = l->forwards ? mean + EVAL_BANDS_TOLERANCE >= l->forward_at : band_stars > l->confers_max_stars;
    /* Only what the next level could confer goes there: a product its star minimums hold below
     * that level's lowest rating stays here. */
    if (next && upward && band_stars >= next->confers_min_stars) {
        out->forwarded = true;
        out->forward_to = next->level;
        if (!l->forwarded_confers)
            out->stars = 0;
    }
    return 0;
}
