/* eval_rubric — loading and validating the score sheets; see eval_rubric.h. */
#include "eval_rubric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

/* The part totals the legal instruments fix (1048/QĐ-TTg: 35/25/40; 148/QĐ-TTg and
 * 26/2026/QĐ-TTg Art. 3.1: 40/25/35). The criteria themselves are data; these totals are what a
 * rubric file is checked against, so a mistyped sheet cannot silently shift points between
 * parts. A new instrument needs a row here and in data/FORMAT.md. */
typedef struct {
    const char *instrument;
    double part_max[EVAL_RUBRIC_PARTS];
} s_instrument_t;

static const s_instrument_t s_instruments[] = {
    {"1048", {35, 25, 40}},
    {"148", {40, 25, 35}},
    {"26-2026", {40, 25, 35}},
};

static const char *const s_part_codes[EVAL_RUBRIC_PARTS] = {"A", "B", "C"};

struct eval_rubrics_t {
    eval_rubric_t *items;
    size_t count;
};

/* While one file is read: where errors go, and room for what the file holds (counted first, so
 * the arrays never move and pointers into them stay valid). */
typedef struct {
    const eval_json_src_t *src;
    eval_rubric_t *r;
    size_t cap_criteria, cap_knockouts, cap_alternatives;
    int options_seen; /* -1 unknown, 0 free numbers, 1 options */
} s_load_t;

static const s_instrument_t *s_instrument(const char *code)
{
    for (size_t i = 0; i < sizeof s_instruments / sizeof s_instruments[0]; i++)
        if (strcmp(s_instruments[i].instrument, code) == 0)
            return &s_instruments[i];
    return NULL;
}

static void s_rubric_free(eval_rubric_t *r)
{
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        free(r->parts[p].name);
        for (size_t g = 0; g < r->parts[p].n_groups; g++)
            free(r->parts[p].groups[g].name);
        free(r->parts[p].groups);
    }
    for (size_t i = 0; i < r->n_criteria; i++) {
        free(r->criteria[i].name);
        for (size_t o = 0; o < r->criteria[i].n_options; o++)
            free(r->criteria[i].options[o].text);
        free(r->criteria[i].options);
    }
    free(r->criteria);
    for (size_t i = 0; i < r->n_knockouts; i++)
        free(r->knockouts[i].text);
    free(r->knockouts);
    for (size_t i = 0; i < r->n_alternatives; i++)
        free(r->alternatives[i].name);
    free(r->alternatives);
    free(r->name);
    free(r->source);
}

static bool s_id_valid(const char *id)
{
    for (const char *s = id; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return false;
    return *id != '\0';
}

static int s_id(const eval_json_src_t *src, const cJSON *js, const char *at, char out[EVAL_ID_LEN])
{
    if (eval_json_string(src, js, at, "id", true, out, EVAL_ID_LEN) != 0)
        return -1;
    if (!s_id_valid(out))
        return eval_json_fail(src, at, "id", "\"%s\" may contain only letters, digits, '.', '_' and '-'", out);
    return 0;
}

/* A number of whole or half points, positive unless zero_ok. */
static int s_points(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool zero_ok,
                    double *out)
{
    if (eval_json_number(src, obj, at, name, out) != 0)
        return -1;
    if (*out < 0 || (*out == 0 && !zero_ok))
        return eval_json_fail(src, at, name, "must be %s, found %g", zero_ok ? "zero or more" : "positive", *out);
    if (*out * 2 != floor(*out * 2))
        return eval_json_fail(src, at, name, "must be a whole or half number of points, found %g", *out);
    return 0;
}

/* ---------------------------------------------------------------- counting */

/* Counts the scored criteria, alternative sets and knock-outs under a criterion node. */
static void s_count_node(s_load_t *L, const cJSON *node)
{
    const cJSON *kos = cJSON_GetObjectItemCaseSensitive(node, "knockouts");
    L->cap_knockouts += (size_t)cJSON_GetArraySize(kos);
    const cJSON *alts = cJSON_GetObjectItemCaseSensitive(node, "alternatives");
    const cJSON *kids = cJSON_GetObjectItemCaseSensitive(node, "criteria");
    const cJSON *c;
    if (cJSON_IsArray(alts)) {
        L->cap_alternatives++;
        cJSON_ArrayForEach (c, alts)
            s_count_node(L, c);
    } else if (cJSON_IsArray(kids)) {
        cJSON_ArrayForEach (c, kids)
            s_count_node(L, c);
    } else {
        L->cap_criteria++;
    }
}

static int s_reserve(s_load_t *L, const cJSON *root)
{
    L->cap_knockouts = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "knockouts"));
    const cJSON *part, *group, *crit;
    cJSON_ArrayForEach (part, cJSON_GetObjectItemCaseSensitive(root, "parts"))
        cJSON_ArrayForEach (group, cJSON_GetObjectItemCaseSensitive(part, "groups"))
            cJSON_ArrayForEach (crit, cJSON_GetObjectItemCaseSensitive(group, "criteria"))
                s_count_node(L, crit);
    L->r->criteria = calloc(L->cap_criteria + 1, sizeof *L->r->criteria);
    L->r->knockouts = calloc(L->cap_knockouts + 1, sizeof *L->r->knockouts);
    L->r->alternatives = calloc(L->cap_alternatives + 1, sizeof *L->r->alternatives);
    if (!L->r->criteria || !L->r->knockouts || !L->r->alternatives)
        return eval_json_fail(L->src, "", NULL, "out of memory");
    return 0;
}

/* ---------------------------------------------------------------- knock-outs */

static int s_knockouts(s_load_t *L, const cJSON *owner, const char *at, const char *criterion, bool required)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(owner, "knockouts");
    if (!list && !required)
        return 0;
    list = eval_json_array(L->src, owner, at, "knockouts", false);
    if (!list)
        return -1;
    const cJSON *js;
    size_t i = 0;
    cJSON_ArrayForEach (js, list) {
        char kat[160];
        snprintf(kat, sizeof kat, "%s%sknockouts[%zu]", at, *at ? "." : "", i++);
        eval_knockout_t *k = &L->r->knockouts[L->r->n_knockouts];
        if (!cJSON_IsObject(js))
            return eval_json_fail(L->src, kat, NULL, "expected an object");
        if (s_id(L->src, js, kat, k->id) != 0)
            return -1;
        if (eval_rubric_knockout(L->r, k->id))
            return eval_json_fail(L->src, kat, "id", "knock-out %s is already defined (ids are unique within a rubric)",
                                  k->id);
        L->r->n_knockouts++;
        k->criterion = criterion;
        if (eval_json_strdup(L->src, js, kat, "text", &k->text) != 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- options */

static int s_option(s_load_t *L, eval_criterion_t *c, const cJSON *js, const char *at)
{
    eval_option_t *o = &c->options[c->n_options];
    if (!cJSON_IsObject(js))
        return eval_json_fail(L->src, at, NULL, "expected an object");
    if (s_id(L->src, js, at, o->id) != 0)
        return -1;
    if (eval_criterion_option(c, o->id) >= 0)
        return eval_json_fail(L->src, at, "id", "criterion %s has two options %s", c->id, o->id);
    c->n_options++;
    if (eval_json_strdup(L->src, js, at, "text", &o->text) != 0 || s_points(L->src, js, at, "points", true, &o->points))
        return -1;
    const cJSON *stars = cJSON_GetObjectItemCaseSensitive(js, "min_stars");
    if (stars) {
        /* One marker per option: *** (3), **** (4) or ***** (5). */
        /* The range first, on the double: converting one no int holds is undefined. */
        if (!cJSON_IsNumber(stars) ||
            !(stars->valuedouble >= EVAL_MARKER_MIN && stars->valuedouble <= EVAL_STARS_MAX) ||
            stars->valuedouble != floor(stars->valuedouble))
            return eval_json_fail(L->src, at, "min_stars", "one star marker per option: a whole number %d to %d",
                                  EVAL_MARKER_MIN, EVAL_STARS_MAX);
        o->min_stars = (int)stars->valuedouble;
    }
    if (eval_json_bool(L->src, js, at, "implied", false, &o->implied) != 0)
        return -1;
    return 0;
}

/* Options are printed from the lowest achievement to the highest: points and markers never go
 * down, so "reaches at least the marked option" is a comparison of positions. */
static int s_options_order(s_load_t *L, const eval_criterion_t *c, const char *at)
{
    for (size_t i = 1; i < c->n_options; i++) {
        char oat[200];
        snprintf(oat, sizeof oat, "%s.options[%zu]", at, i);
        if (c->options[i].points < c->options[i - 1].points)
            return eval_json_fail(L->src, oat, "points",
                                  "criterion %s: option %s gives %g, less than the option before it (%g)", c->id,
                                  c->options[i].id, c->options[i].points, c->options[i - 1].points);
    }
    int marker = 0;
    for (size_t i = 0; i < c->n_options; i++) {
        if (!c->options[i].min_stars)
            continue;
        if (c->options[i].min_stars <= marker) {
            char oat[200];
            snprintf(oat, sizeof oat, "%s.options[%zu]", at, i);
            return eval_json_fail(L->src, oat, "min_stars",
                                  "criterion %s: a %d-star minimum after a %d-star one (markers rise with the options)",
                                  c->id, c->options[i].min_stars, marker);
        }
        marker = c->options[i].min_stars;
    }
    return 0;
}

static void s_requires(eval_criterion_t *c)
{
    for (int n = 0; n <= EVAL_STARS_MAX; n++) {
        c->requires[n] = -1;
        for (size_t i = 0; i < c->n_options; i++)
            if (c->options[i].min_stars && c->options[i].min_stars <= n)
        c->requires[n] = (int)i;
    }
}

/* ---------------------------------------------------------------- criteria */

/* A scored criterion (a leaf of the sheet). */
static int s_leaf(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, int alternative, double *max)
{
    eval_criterion_t *c = &L->r->criteria[L->r->n_criteria];
    if (s_id(L->src, js, at, c->id) != 0)
        return -1;
    if (eval_rubric_criterion(L->r, c->id))
        return eval_json_fail(L->src, at, "id", "criterion %s is already defined (ids are unique within a rubric)",
                              c->id);
    c->index = L->r->n_criteria++;
    c->part = part;
    c->group = group;
    c->alternative = alternative;
    if (eval_json_strdup(L->src, js, at, "name", &c->name) != 0 || s_points(L->src, js, at, "max", false, &c->max) != 0)
        return -1;
    if (s_knockouts(L, js, at, c->id, false) != 0)
        return -1;
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(js, "options");
    int has = options != NULL;
    if (L->options_seen >= 0 && has != L->options_seen)
        return eval_json_fail(L->src, at, "options",
                              "criterion %s %s options while others %s: a sheet is scored by options or by numbers",
                              c->id, has ? "has" : "has no", has ? "have none" : "have them");
    L->options_seen = has;
    *max = c->max;
    if (!has) {
        s_requires(c);
        return 0;
    }
    options = eval_json_array(L->src, js, at, "options", true);
    if (!options)
        return -1;
    c->options = calloc((size_t)cJSON_GetArraySize(options), sizeof *c->options);
    if (!c->options)
        return eval_json_fail(L->src, at, NULL, "out of memory");
    const cJSON *o;
    double best = 0;
    cJSON_ArrayForEach (o, options) {
        char oat[200];
        snprintf(oat, sizeof oat, "%s.options[%zu]", at, c->n_options);
        if (s_option(L, c, o, oat) != 0)
            return -1;
        const eval_option_t *opt = &c->options[c->n_options - 1];
        if (opt->points > c->max)
            return eval_json_fail(L->src, oat, "points",
                                  "criterion %s: option %s gives %g, above the criterion's max %g", c->id, opt->id,
                                  opt->points, c->max);
        best = fmax(best, opt->points);
    }
    if (best != c->max)
        return eval_json_fail(L->src, at, "max", "criterion %s: max is %g but its best option gives %g", c->id, c->max,
                              best);
    if (s_options_order(L, c, at) != 0)
        return -1;
    s_requires(c);
    return 0;
}

static int s_node(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, double *max);

/* Alternatives: each stands for the whole criterion, so each carries its max. */
static int s_alternatives(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, double *max)
{
    eval_alternative_t *a = &L->r->alternatives[L->r->n_alternatives];
    int set = (int)L->r->n_alternatives++;
    if (s_id(L->src, js, at, a->id) != 0 || eval_json_strdup(L->src, js, at, "name", &a->name) != 0 ||
        s_points(L->src, js, at, "max", false, max) != 0 || s_knockouts(L, js, at, NULL, false) != 0)
        return -1;
    const cJSON *alts = eval_json_array(L->src, js, at, "alternatives", true);
    if (!alts)
        return -1;
    if (cJSON_GetArraySize(alts) < 2)
        return eval_json_fail(L->src, at, "alternatives", "criterion %s: at least two alternatives", a->id);
    const cJSON *alt;
    size_t i = 0;
    cJSON_ArrayForEach (alt, alts) {
        char aat[200];
        snprintf(aat, sizeof aat, "%s.alternatives[%zu]", at, i++);
        double amax;
        if (!cJSON_IsObject(alt))
            return eval_json_fail(L->src, aat, NULL, "expected an object");
        if (s_leaf(L, alt, aat, part, group, set, &amax) != 0)
            return -1;
        if (amax != *max)
            return eval_json_fail(L->src, aat, "max", "alternative of criterion %s totals %g, the criterion %g", a->id,
                                  amax, *max);
    }
    return 0;
}

/* The criteria array of js (a group or a heading), each node loaded; *sum their maxima. */
static int s_children(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, double *sum)
{
    const cJSON *kids = eval_json_array(L->src, js, at, "criteria", true);
    if (!kids)
        return -1;
    const cJSON *kid;
    size_t i = 0;
    *sum = 0;
    cJSON_ArrayForEach (kid, kids) {
        char kat[200];
        snprintf(kat, sizeof kat, "%s.criteria[%zu]", at, i++);
        double kmax;
        if (s_node(L, kid, kat, part, group, &kmax) != 0)
            return -1;
        *sum += kmax;
    }
    return 0;
}

/* A heading over sub-criteria: its max is the sum of theirs. */
static int s_heading(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, double *max)
{
    char id[EVAL_ID_LEN];
    double sum;
    if (s_id(L->src, js, at, id) != 0 || s_points(L->src, js, at, "max", false, max) != 0 ||
        s_knockouts(L, js, at, NULL, false) != 0 || s_children(L, js, at, part, group, &sum) != 0)
        return -1;
    /* Halves add up exactly in binary floating point, so equality is the right test. */
    if (sum != *max)
        return eval_json_fail(L->src, at, "max", "criterion %s: max is %g but its sub-criteria sum to %g", id, *max,
                              sum);
    return 0;
}

static int s_node(s_load_t *L, const cJSON *js, const char *at, size_t part, size_t group, double *max)
{
    if (!cJSON_IsObject(js))
        return eval_json_fail(L->src, at, NULL, "expected an object");
    if (cJSON_GetObjectItemCaseSensitive(js, "alternatives"))
        return s_alternatives(L, js, at, part, group, max);
    if (cJSON_GetObjectItemCaseSensitive(js, "criteria"))
        return s_heading(L, js, at, part, group, max);
    return s_leaf(L, js, at, part, group, -1, max);
}

/* ---------------------------------------------------------------- parts and groups */

static int s_group(s_load_t *L, const cJSON *js, const char *at, size_t p, size_t g)
{
    eval_group_t *group = &L->r->parts[p].groups[g];
    double sum;
    if (!cJSON_IsObject(js))
        return eval_json_fail(L->src, at, NULL, "expected an object");
    if (s_id(L->src, js, at, group->id) != 0 || eval_json_strdup(L->src, js, at, "name", &group->name) != 0 ||
        s_points(L->src, js, at, "max", false, &group->max) != 0 || s_children(L, js, at, p, g, &sum) != 0)
        return -1;
    if (sum != group->max)
        return eval_json_fail(L->src, at, "max", "group %s: max is %g but its criteria sum to %g", group->id,
                              group->max, sum);
    return 0;
}

static int s_part(s_load_t *L, const s_instrument_t *ins, const cJSON *js, size_t p)
{
    char at[32];
    snprintf(at, sizeof at, "parts[%zu]", p);
    eval_part_t *part = &L->r->parts[p];
    if (!cJSON_IsObject(js))
        return eval_json_fail(L->src, at, NULL, "expected an object");
    char code[EVAL_ID_LEN];
    if (eval_json_string(L->src, js, at, "code", true, code, sizeof code) != 0)
        return -1;
    if (strcmp(code, s_part_codes[p]) != 0)
        return eval_json_fail(L->src, at, "code", "expected \"%s\" (parts are A, B, C in that order), found \"%s\"",
                              s_part_codes[p], code);
    memcpy(part->code, code, sizeof part->code);
    if (eval_json_strdup(L->src, js, at, "name", &part->name) != 0 ||
        s_points(L->src, js, at, "max", false, &part->max) != 0)
        return -1;
    if (part->max != ins->part_max[p])
        return eval_json_fail(L->src, at, "max", "%g, but part %s of %s totals %g", part->max, part->code,
                              ins->instrument, ins->part_max[p]);
    const cJSON *groups = eval_json_array(L->src, js, at, "groups", true);
    if (!groups)
        return -1;
    part->groups = calloc((size_t)cJSON_GetArraySize(groups), sizeof *part->groups);
    if (!part->groups)
        return eval_json_fail(L->src, at, NULL, "out of memory");
    const cJSON *g;
    double sum = 0;
    cJSON_ArrayForEach (g, groups) {
        char gat[48];
        size_t gi = part->n_groups++;
        snprintf(gat, sizeof gat, "%s.groups[%zu]", at, gi);
        if (s_group(L, g, gat, p, gi) != 0)
            return -1;
        sum += part->groups[gi].max;
    }
    if (sum != part->max)
        return eval_json_fail(L->src, at, "max", "part %s: max is %g but its groups sum to %g", part->code, part->max,
                              sum);
    return 0;
}

static int s_header(const eval_json_src_t *src, const cJSON *root, eval_rubric_t *r, const s_instrument_t **ins)
{
    if (eval_json_string(src, root, "", "instrument", true, r->instrument, sizeof r->instrument) != 0)
        return -1;
    *ins = s_instrument(r->instrument);
    if (!*ins)
        return eval_json_fail(src, "", "instrument", "unknown instrument \"%s\" (known: 1048, 148, 26-2026)",
                              r->instrument);
    if (eval_json_string(src, root, "", "version", true, r->version, sizeof r->version) != 0 ||
        eval_json_string(src, root, "", "catalogue_version", true, r->catalogue_version, sizeof r->catalogue_version) !=
            0 ||
        eval_json_string(src, root, "", "product_set", true, r->product_set, sizeof r->product_set) != 0 ||
        eval_json_strdup(src, root, "", "name", &r->name) != 0 ||
        eval_json_date(src, root, "", "effective_from", r->effective_from) != 0 ||
        eval_json_bool(src, root, "", "self_assessment", true, &r->self_assessment) != 0 ||
        eval_json_bool(src, root, "", "official", true, &r->official) != 0 || eval_json_notes(src, root) != 0)
        return -1;
    return 0;
}

static int s_parse(const char *path, eval_rubric_t *r, char *err, size_t errlen)
{
    cJSON *root = ocop_rulefile_read(path, r->digest, err, errlen);
    if (!root)
        return -1;
    eval_json_src_t src = {path, err, errlen};
    s_load_t L = {.src = &src, .r = r, .options_seen = -1};
    int rc = -1;
    const s_instrument_t *ins = NULL;
    r->source = strdup(eval_json_basename(path));
    if (!r->source) {
        eval_json_fail(&src, "", NULL, "out of memory");
        goto done;
    }
    if (s_header(&src, root, r, &ins) != 0 || s_reserve(&L, root) != 0 || s_knockouts(&L, root, "", NULL, true) != 0)
        goto done;
    const cJSON *parts = eval_json_array(&src, root, "", "parts", true);
    if (!parts)
        goto done;
    if (cJSON_GetArraySize(parts) != EVAL_RUBRIC_PARTS) {
        eval_json_fail(&src, "", "parts", "expected exactly 3 parts (A, B, C), found %d", cJSON_GetArraySize(parts));
        goto done;
    }
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        if (s_part(&L, ins, cJSON_GetArrayItem(parts, (int)p), p) != 0)
            goto done;
        r->max_score += r->parts[p].max;
    }
    r->has_options = L.options_seen == 1;
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

/* One rubric file, then the check that no earlier file defined the same product set. */
static int s_parse_item(const char *path, void *items, size_t i, char *err, size_t errlen)
{
    eval_rubric_t *all = items, *r = &all[i];
    if (s_parse(path, r, err, errlen) != 0)
        return -1;
    for (size_t j = 0; j < i; j++)
        if (strcmp(all[j].instrument, r->instrument) == 0 && strcmp(all[j].product_set, r->product_set) == 0) {
            ocop_error_format(err, errlen, "%s: product_set: (%s, %s) is already defined by %s", path, r->instrument,
                              r->product_set, all[j].source);
            return -1;
        }
    return 0;
}

eval_rubrics_t *eval_rubrics_load(const char *dir, char *err, size_t errlen)
{
    eval_rubrics_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "%s: out of memory", dir);
        return NULL;
    }
    void *items;
    int rc =
        ocop_rulefile_load_each(dir, "rubric-", sizeof(eval_rubric_t), s_parse_item, &items, &self->count, err, errlen);
    self->items = items;
    if (rc != 0)
        eval_rubrics_destroy(&self);
    return self;
}

void eval_rubrics_destroy(eval_rubrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    eval_rubrics_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        s_rubric_free(&self->items[i]);
    free(self->items);
    free(self);
    *self_p = NULL;
}

const eval_rubric_t *eval_rubrics_find(const eval_rubrics_t *self, const char *instrument, const char *product_set)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->items[i].instrument, instrument) == 0 && strcmp(self->items[i].product_set, product_set) == 0)
            return &self->items[i];
    return NULL;
}

size_t eval_rubrics_count(const eval_rubrics_t *self)
{
    return self->count;
}

size_t eval_rubrics_count_instrument(const eval_rubrics_t *self, const char *instrument)
{
    size_t n = 0;
    for (size_t i = 0; i < self->count; i++)
        n += strcmp(self->items[i].instrument, instrument) == 0;
    return n;
}

const eval_rubric_t *eval_rubrics_at(const eval_rubrics_t *self, size_t i)
{
    return i < self->count ? &self->items[i] : NULL;
}

const eval_criterion_t *eval_rubric_criterion(const eval_rubric_t *rubric, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < rubric->n_criteria; i++)
        if (strcmp(rubric->criteria[i].id, id) == 0)
            return &rubric->criteria[i];
    return NULL;
}

const eval_criterion_t *eval_rubric_criterion_near(const eval_rubric_t *rubric, const char *id, size_t i)
{
    if (id && i < rubric->n_criteria && strcmp(rubric->criteria[i].id, id) == 0)
        return &rubric->criteria[i];
    return eval_rubric_criterion(rubric, id);
}

int eval_criterion_option(const eval_criterion_t *criterion, const char *option_id)
{
    if (!option_id)
        return -1;
    for (size_t i = 0; i < criterion->n_options; i++)
        if (strcmp(criterion->options[i].id, option_id) == 0)
            return (int)i;
    return -1;
}

const eval_knockout_t *eval_rubric_knockout(const eval_rubric_t *rubric, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < rubric->n_knockouts; i++)
        if (strcmp(rubric->knockouts[i].id, id) == 0)
            return &rubric->knockouts[i];
    return NULL;
}
