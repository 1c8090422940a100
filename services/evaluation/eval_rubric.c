/* eval_rubric — see eval_rubric.h. */
#include "eval_rubric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

/* The part totals the legal instruments fix (1048/QĐ-TTg: 35/25/40; 148/QĐ-TTg: 40/25/35).
 * The criteria themselves are data; these totals are what a rubric file is checked against, so
 * a mistyped annex cannot silently shift points between parts. 1048 has neither mandatory nor
 * bonus criteria. A new instrument needs a row here and in data/FORMAT.md. */
typedef struct {
    const char *instrument;
    double part_max[EVAL_RUBRIC_PARTS];
    bool extras; /* mandatory and bonus criteria allowed */
} s_instrument_t;

static const s_instrument_t s_instruments[] = {
    {"1048", {35, 25, 40}, false},
    {"148", {40, 25, 35}, true},
};

static const char *const s_part_codes[EVAL_RUBRIC_PARTS] = {"A", "B", "C"};

struct eval_rubrics_t {
    eval_rubric_t *items;
    size_t count;
};

static const s_instrument_t *s_instrument(const char *code)
{
    for (size_t i = 0; i < sizeof s_instruments / sizeof s_instruments[0]; i++)
        if (strcmp(s_instruments[i].instrument, code) == 0)
            return &s_instruments[i];
    return NULL;
}

static void s_criteria_free(eval_criterion_t *criteria, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(criteria[i].name);
    free(criteria);
}

static void s_rubric_free(eval_rubric_t *r)
{
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        free(r->parts[p].name);
        s_criteria_free(r->parts[p].criteria, r->parts[p].n_criteria);
    }
    s_criteria_free(r->mandatory, r->n_mandatory);
    s_criteria_free(r->bonus, r->n_bonus);
    free(r->source);
}

/* The criterion whose id is id, other than skip; NULL when none. */
static const eval_criterion_t *s_find(const eval_rubric_t *r, const char *id, const eval_criterion_t *skip)
{
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++)
        for (size_t i = 0; i < r->parts[p].n_criteria; i++)
            if (&r->parts[p].criteria[i] != skip && strcmp(r->parts[p].criteria[i].id, id) == 0)
                return &r->parts[p].criteria[i];
    for (size_t i = 0; i < r->n_mandatory; i++)
        if (&r->mandatory[i] != skip && strcmp(r->mandatory[i].id, id) == 0)
            return &r->mandatory[i];
    for (size_t i = 0; i < r->n_bonus; i++)
        if (&r->bonus[i] != skip && strcmp(r->bonus[i].id, id) == 0)
            return &r->bonus[i];
    return NULL;
}

/* Where c sits in its file, for messages: "parts[0].criteria[2]", "mandatory[1]". */
static void s_path_of(const eval_rubric_t *r, const eval_criterion_t *c, char *out, size_t outlen)
{
    if (c->kind == EVAL_CRITERION_SCORED)
        snprintf(out, outlen, "parts[%zu].criteria[%zu]", c->part, (size_t)(c - r->parts[c->part].criteria));
    else if (c->kind == EVAL_CRITERION_MANDATORY)
        snprintf(out, outlen, "mandatory[%zu]", (size_t)(c - r->mandatory));
    else
        snprintf(out, outlen, "bonus[%zu]", (size_t)(c - r->bonus));
}

static bool s_id_valid(const char *id)
{
    for (const char *s = id; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return false;
    return *id != '\0';
}

/* A positive number of whole or half points. */
static int s_points(const eval_json_src_t *src, const cJSON *obj, const char *at, double *out)
{
    if (eval_json_number(src, obj, at, "max", out) != 0)
        return -1;
    if (*out <= 0)
        return eval_json_fail(src, at, "max", "must be positive, found %g", *out);
    if (*out * 2 != floor(*out * 2))
        return eval_json_fail(src, at, "max", "must be a whole or half number of points, found %g", *out);
    return 0;
}

/* Parses one criterion into c, which is already counted in r (so r frees it on failure). */
static int s_parse_criterion(const eval_json_src_t *src, const eval_rubric_t *r, const cJSON *js, const char *at,
                             eval_criterion_t *c)
{
    if (!cJSON_IsObject(js))
        return eval_json_fail(src, at, NULL, "expected an object");
    if (eval_json_string(src, js, at, "id", true, c->id, sizeof c->id) != 0)
        return -1;
    if (!s_id_valid(c->id))
        return eval_json_fail(src, at, "id", "\"%s\" may contain only letters, digits, '.', '_' and '-'", c->id);
    const eval_criterion_t *other = s_find(r, c->id, c);
    if (other) {
        char where[64];
        s_path_of(r, other, where, sizeof where);
        return eval_json_fail(src, at, "id", "%s is already used at %s (ids are unique within a rubric)", c->id, where);
    }
    if (eval_json_strdup(src, js, at, "name", &c->name) != 0)
        return -1;
    if (c->kind != EVAL_CRITERION_MANDATORY && s_points(src, js, at, &c->max) != 0)
        return -1;
    return 0;
}

/* Parses the criteria array list into a fresh array counted in *n as it fills. */
static int s_parse_list(const eval_json_src_t *src, eval_rubric_t *r, const cJSON *list, const char *at,
                        eval_criterion_kind_t kind, size_t part, eval_criterion_t **out, size_t *n)
{
    size_t size = (size_t)cJSON_GetArraySize(list);
    *out = calloc(size ? size : 1, sizeof **out);
    if (!*out)
        return eval_json_fail(src, at, NULL, "out of memory");
    const cJSON *js;
    cJSON_ArrayForEach (js, list) {
        eval_criterion_t *c = &(*out)[*n];
        c->kind = kind;
        c->part = part;
        c->index = eval_rubric_criteria_count(r);
        (*n)++;
        char cat[64];
        snprintf(cat, sizeof cat, "%s[%zu]", at, *n - 1);
        if (s_parse_criterion(src, r, js, cat, c) != 0)
            return -1;
    }
    return 0;
}

static int s_parse_part(const eval_json_src_t *src, eval_rubric_t *r, const s_instrument_t *ins, const cJSON *js,
                        size_t p)
{
    char at[32];
    snprintf(at, sizeof at, "parts[%zu]", p);
    eval_part_t *part = &r->parts[p];
    if (!cJSON_IsObject(js))
        return eval_json_fail(src, at, NULL, "expected an object");
    char code[EVAL_ID_LEN];
    if (eval_json_string(src, js, at, "code", true, code, sizeof code) != 0)
        return -1;
    if (strcmp(code, s_part_codes[p]) != 0)
        return eval_json_fail(src, at, "code", "expected \"%s\" (parts are A, B, C in that order), found \"%s\"",
                              s_part_codes[p], code);
    memcpy(part->code, code, sizeof part->code);
    if (eval_json_strdup(src, js, at, "name", &part->name) != 0 || s_points(src, js, at, &part->max) != 0)
        return -1;
    if (part->max != ins->part_max[p])
        return eval_json_fail(src, at, "max", "%g, but part %s of %s totals %g", part->max, part->code, ins->instrument,
                              ins->part_max[p]);
    char cat[48];
    snprintf(cat, sizeof cat, "%s.criteria", at);
    const cJSON *criteria = eval_json_array(src, js, at, "criteria", true);
    if (!criteria ||
        s_parse_list(src, r, criteria, cat, EVAL_CRITERION_SCORED, p, &part->criteria, &part->n_criteria) != 0)
        return -1;
    double sum = 0;
    for (size_t i = 0; i < part->n_criteria; i++)
        sum += part->criteria[i].max;
    /* Halves add up exactly in binary floating point, so equality is the right test. */
    if (sum != part->max)
        return eval_json_fail(src, at, "criteria", "the criteria's maxima sum to %g, but the part's max is %g", sum,
                              part->max);
    return 0;
}

static int s_parse_header(const eval_json_src_t *src, const cJSON *root, eval_rubric_t *r, const s_instrument_t **ins)
{
    if (eval_json_string(src, root, "", "instrument", true, r->instrument, sizeof r->instrument) != 0)
        return -1;
    *ins = s_instrument(r->instrument);
    if (!*ins)
        return eval_json_fail(src, "", "instrument", "unknown instrument \"%s\" (known: 1048, 148)", r->instrument);
    if (eval_json_string(src, root, "", "version", true, r->version, sizeof r->version) != 0 ||
        eval_json_string(src, root, "", "catalogue_version", true, r->catalogue_version, sizeof r->catalogue_version) !=
            0 ||
        eval_json_string(src, root, "", "product_set", true, r->product_set, sizeof r->product_set) != 0 ||
        eval_json_date(src, root, "", "effective_from", r->effective_from) != 0 ||
        eval_json_bool(src, root, "", "self_assessment", true, &r->self_assessment) != 0 ||
        eval_json_notes(src, root) != 0)
        return -1;
    return 0;
}

static int s_parse(const char *path, eval_rubric_t *r, char *err, size_t errlen)
{
    cJSON *root = ocop_rulefile_read(path, r->digest, err, errlen);
    if (!root)
        return -1;
    eval_json_src_t src = {path, err, errlen};
    int rc = -1;
    const s_instrument_t *ins = NULL;
    r->source = strdup(eval_json_basename(path));
    if (!r->source) {
        eval_json_fail(&src, "", NULL, "out of memory");
        goto done;
    }
    if (s_parse_header(&src, root, r, &ins) != 0)
        goto done;
    const cJSON *parts = eval_json_array(&src, root, "", "parts", true);
    if (!parts)
        goto done;
    if (cJSON_GetArraySize(parts) != EVAL_RUBRIC_PARTS) {
        eval_json_fail(&src, "", "parts", "expected exactly 3 parts (A, B, C), found %d", cJSON_GetArraySize(parts));
        goto done;
    }
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        if (s_parse_part(&src, r, ins, cJSON_GetArrayItem(parts, (int)p), p) != 0)
            goto done;
        r->max_score += r->parts[p].max;
    }
    const cJSON *mandatory = eval_json_array(&src, root, "", "mandatory", false);
    const cJSON *bonus = mandatory ? eval_json_array(&src, root, "", "bonus", false) : NULL;
    if (!mandatory || !bonus)
        goto done;
    if (!ins->extras && cJSON_GetArraySize(mandatory) > 0) {
        eval_json_fail(&src, "", "mandatory", "%s has no mandatory criteria: expected []", ins->instrument);
        goto done;
    }
    if (!ins->extras && cJSON_GetArraySize(bonus) > 0) {
        eval_json_fail(&src, "", "bonus", "%s has no bonus criteria: expected []", ins->instrument);
        goto done;
    }
    if (s_parse_list(&src, r, mandatory, "mandatory", EVAL_CRITERION_MANDATORY, 0, &r->mandatory, &r->n_mandatory) !=
            0 ||
        s_parse_list(&src, r, bonus, "bonus", EVAL_CRITERION_BONUS, 0, &r->bonus, &r->n_bonus) != 0)
        goto done;
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
    return id ? s_find(rubric, id, NULL) : NULL;
}

size_t eval_rubric_scored_count(const eval_rubric_t *rubric)
{
    size_t n = 0;
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++)
        n += rubric->parts[p].n_criteria;
    return n;
}

size_t eval_rubric_criteria_count(const eval_rubric_t *rubric)
{
    return eval_rubric_scored_count(rubric) + rubric->n_mandatory + rubric->n_bonus;
}

/* ---- checking one sheet ------------------------------------------------------------------ */

static const char *const s_sheet_names[] = {
    "EVAL_SHEET_OK",          "EVAL_SHEET_E_INVALID", "EVAL_SHEET_E_UNKNOWN",
    "EVAL_SHEET_E_DUPLICATE", "EVAL_SHEET_E_MISSING", "EVAL_SHEET_E_RANGE",
};

const char *eval_sheet_status_name(int status)
{
    if (status > 0 || -status >= (int)(sizeof s_sheet_names / sizeof s_sheet_names[0]))
        return "EVAL_SHEET_E_UNKNOWN_STATUS";
    return s_sheet_names[-status];
}

/* Which array of the sheet a message is about, and what a criterion there must be. */
typedef struct {
    const char *list; /* "scores", "mandatory", "bonus" */
    eval_criterion_kind_t kind;
} s_role_t;

static const char *s_kind_name(eval_criterion_kind_t kind)
{
    return kind == EVAL_CRITERION_SCORED ? "scored" : kind == EVAL_CRITERION_MANDATORY ? "mandatory" : "bonus";
}

/* The criterion a sheet lists i-th in role's array when it follows the rubric's order (as
 * sheets made from the rubric do); NULL past the end. */
static const eval_criterion_t *s_in_order(const eval_rubric_t *r, const s_role_t *role, size_t i)
{
    if (role->kind == EVAL_CRITERION_MANDATORY)
        return i < r->n_mandatory ? &r->mandatory[i] : NULL;
    if (role->kind == EVAL_CRITERION_BONUS)
        return i < r->n_bonus ? &r->bonus[i] : NULL;
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        if (i < r->parts[p].n_criteria)
            return &r->parts[p].criteria[i];
        i -= r->parts[p].n_criteria;
    }
    return NULL;
}

/* Resolves entry i of a sheet array: the criterion, first sighting, of the right kind. */
static int s_take(const eval_rubric_t *r, const s_role_t *role, size_t i, const char *id, bool *seen,
                  const eval_criterion_t **out, char *err, size_t errlen)
{
    if (!id) {
        ocop_error_format(err, errlen, "%s[%zu]: id is required", role->list, i);
        return EVAL_SHEET_E_INVALID;
    }
    /* The rubric's own order first: a sheet in that order costs one comparison per entry. */
    const eval_criterion_t *c = s_in_order(r, role, i);
    if (!c || strcmp(c->id, id) != 0)
        c = s_find(r, id, NULL);
    if (!c) {
        ocop_error_format(err, errlen, "%s[criterion %.64s]: unknown criterion for %s product set %s", role->list, id,
                          r->version, r->product_set);
        return EVAL_SHEET_E_UNKNOWN;
    }
    if (c->kind != role->kind) {
        ocop_error_format(err, errlen, "%s[criterion %s]: %s is a %s criterion, not a %s one", role->list, id, id,
                          s_kind_name(c->kind), s_kind_name(role->kind));
        return EVAL_SHEET_E_UNKNOWN;
    }
    if (seen[c->index]) {
        ocop_error_format(err, errlen, "%s[criterion %s]: given twice", role->list, id);
        return EVAL_SHEET_E_DUPLICATE;
    }
    seen[c->index] = true;
    *out = c;
    return EVAL_SHEET_OK;
}

static int s_range(const s_role_t *role, const eval_criterion_t *c, double v, char *err, size_t errlen)
{
    if (!isfinite(v))
        ocop_error_format(err, errlen, "%s[criterion %s]: not a finite number", role->list, c->id);
    else if (v < 0)
        ocop_error_format(err, errlen, "%s[criterion %s]: %g is negative", role->list, c->id, v);
    else if (v > c->max)
        ocop_error_format(err, errlen, "%s[criterion %s]: %g exceeds the maximum %g", role->list, c->id, v, c->max);
    else
        return EVAL_SHEET_OK;
    return EVAL_SHEET_E_RANGE;
}

static int s_check(const eval_rubric_t *r, const eval_sheet_t *sheet, bool *seen, eval_sheet_result_t *out, char *err,
                   size_t errlen)
{
    static const s_role_t scores = {"scores", EVAL_CRITERION_SCORED};
    static const s_role_t mandatory = {"mandatory", EVAL_CRITERION_MANDATORY};
    static const s_role_t bonus = {"bonus", EVAL_CRITERION_BONUS};
    const eval_criterion_t *c;
    int rc;
    for (size_t i = 0; i < sheet->n_scores; i++) {
        if ((rc = s_take(r, &scores, i, sheet->scores[i].id, seen, &c, err, errlen)) != 0 ||
            (rc = s_range(&scores, c, sheet->scores[i].score, err, errlen)) != 0)
            return rc;
        out->parts[c->part] += sheet->scores[i].score;
    }
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++)
        for (size_t i = 0; i < r->parts[p].n_criteria; i++)
            if (!seen[r->parts[p].criteria[i].index]) {
                ocop_error_format(err, errlen, "scores[criterion %s]: missing", r->parts[p].criteria[i].id);
                return EVAL_SHEET_E_MISSING;
            }
    for (size_t i = 0; i < sheet->n_mandatory; i++) {
        if ((rc = s_take(r, &mandatory, i, sheet->mandatory[i].id, seen, &c, err, errlen)) != 0)
            return rc;
        if (!sheet->mandatory[i].pass && !out->mandatory_failed) {
            out->mandatory_failed = true;
            memcpy(out->first_failed, c->id, sizeof out->first_failed);
        }
    }
    for (size_t i = 0; i < r->n_mandatory; i++)
        if (!seen[r->mandatory[i].index]) {
            ocop_error_format(err, errlen, "mandatory[criterion %s]: missing", r->mandatory[i].id);
            return EVAL_SHEET_E_MISSING;
        }
    for (size_t i = 0; i < sheet->n_bonus; i++) {
        if ((rc = s_take(r, &bonus, i, sheet->bonus[i].id, seen, &c, err, errlen)) != 0 ||
            (rc = s_range(&bonus, c, sheet->bonus[i].points, err, errlen)) != 0)
            return rc;
        out->bonus += sheet->bonus[i].points;
    }
    return EVAL_SHEET_OK;
}

int eval_rubric_check_sheet(const eval_rubric_t *rubric, const eval_sheet_t *sheet, eval_sheet_result_t *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!rubric || !sheet || (sheet->n_scores && !sheet->scores) || (sheet->n_mandatory && !sheet->mandatory) ||
        (sheet->n_bonus && !sheet->bonus)) {
        ocop_error_format(err, errlen, "sheet: a rubric and arrays matching their counts are required");
        return EVAL_SHEET_E_INVALID;
    }
    bool *seen = calloc(eval_rubric_criteria_count(rubric) + 1, sizeof *seen);
    if (!seen) {
        ocop_error_format(err, errlen, "sheet: out of memory");
        return EVAL_SHEET_E_INVALID;
    }
    int rc = s_check(rubric, sheet, seen, out, err, errlen);
    free(seen);
    if (rc != EVAL_SHEET_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->raw_total = out->parts[0] + out->parts[1] + out->parts[2] + out->bonus;
    out->capped = out->raw_total > rubric->max_score;
    out->total = out->capped ? rubric->max_score : out->raw_total;
    return EVAL_SHEET_OK;
}
