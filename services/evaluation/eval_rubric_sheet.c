/* eval_rubric_sheet — checking one member's sheet against its rubric; see eval_rubric.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_rubric.h"
#include "ocop_error.h"

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

/* The points of one choice, or an error. */
static int s_points_of(const eval_rubric_t *r, const eval_criterion_t *c, const eval_choice_t *ch, double *out,
                       char *err, size_t errlen)
{
    bool has_option = ch->option && *ch->option;
    if (r->has_options) {
        if (!has_option) {
            ocop_error_format(err, errlen,
                              "scores[criterion %s]: choose one of the criterion's options; %s scores by option, not "
                              "by a number",
                              c->id, r->version);
            return EVAL_SHEET_E_INVALID;
        }
        if (ch->score != 0) {
            ocop_error_format(err, errlen,
                              "scores[criterion %s]: a number (%g) given beside option %.16s; the option gives the "
                              "points",
                              c->id, ch->score, ch->option);
            return EVAL_SHEET_E_INVALID;
        }
        int k = eval_criterion_option(c, ch->option);
        if (k < 0) {
            ocop_error_format(err, errlen,
                              "scores[criterion %s]: option %.16s is not one of the criterion's options (%s-%s)", c->id,
                              ch->option, c->options[0].id, c->options[c->n_options - 1].id);
            return EVAL_SHEET_E_UNKNOWN;
        }
        *out = c->options[k].points;
        return EVAL_SHEET_OK;
    }
    if (has_option) {
        ocop_error_format(err, errlen,
                          "scores[criterion %s]: %s product set %s has no options; give a number from 0 to %g", c->id,
                          r->version, r->product_set, c->max);
        return EVAL_SHEET_E_INVALID;
    }
    if (!isfinite(ch->score))
        ocop_error_format(err, errlen, "scores[criterion %s]: not a finite number", c->id);
    else if (ch->score < 0)
        ocop_error_format(err, errlen, "scores[criterion %s]: %g is negative", c->id, ch->score);
    else if (ch->score > c->max)
        ocop_error_format(err, errlen, "scores[criterion %s]: %g exceeds the maximum %g", c->id, ch->score, c->max);
    else {
        *out = ch->score;
        return EVAL_SHEET_OK;
    }
    return EVAL_SHEET_E_RANGE;
}

/* Every criterion given once; of each alternative set exactly one. seen[i]: criterion i given. */
static int s_complete(const eval_rubric_t *r, const bool *seen, char *err, size_t errlen)
{
    for (size_t a = 0; a < r->n_alternatives; a++) {
        size_t given = 0;
        for (size_t i = 0; i < r->n_criteria; i++)
            given += r->criteria[i].alternative == (int)a && seen[i];
        if (given != 1) {
            ocop_error_format(err, errlen, "scores[criterion %s]: score exactly one of its alternatives, not %zu",
                              r->alternatives[a].id, given);
            return given ? EVAL_SHEET_E_DUPLICATE : EVAL_SHEET_E_MISSING;
        }
    }
    for (size_t i = 0; i < r->n_criteria; i++)
        if (r->criteria[i].alternative < 0 && !seen[i]) {
            ocop_error_format(err, errlen, "scores[criterion %s]: missing", r->criteria[i].id);
            return EVAL_SHEET_E_MISSING;
        }
    return EVAL_SHEET_OK;
}

static int s_knockouts(const eval_rubric_t *r, const eval_sheet_t *sheet, char *err, size_t errlen)
{
    for (size_t i = 0; i < sheet->n_knockouts; i++) {
        const char *id = sheet->knockouts[i];
        if (!id || !eval_rubric_knockout(r, id)) {
            ocop_error_format(err, errlen, "knockouts[%zu]: %.32s is not a knock-out condition of %s product set %s", i,
                              id ? id : "(null)", r->version, r->product_set);
            return EVAL_SHEET_E_UNKNOWN;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(sheet->knockouts[j], id) == 0) {
                ocop_error_format(err, errlen, "knockouts[%zu]: %s given twice", i, id);
                return EVAL_SHEET_E_DUPLICATE;
            }
    }
    return EVAL_SHEET_OK;
}

static int s_check(const eval_rubric_t *r, const eval_sheet_t *sheet, bool *seen, eval_sheet_result_t *out, char *err,
                   size_t errlen)
{
    int rc;
    out->minimum_stars = EVAL_STARS_MAX;
    for (size_t i = 0; i < sheet->n_choices; i++) {
        const eval_choice_t *ch = &sheet->choices[i];
        if (!ch->id) {
            ocop_error_format(err, errlen, "scores[%zu]: id is required", i);
            return EVAL_SHEET_E_INVALID;
        }
        const eval_criterion_t *c = eval_rubric_criterion_near(r, ch->id, i);
        if (!c) {
            ocop_error_format(err, errlen, "scores[criterion %.64s]: unknown criterion for %s product set %s", ch->id,
                              r->version, r->product_set);
            return EVAL_SHEET_E_UNKNOWN;
        }
        if (seen[c->index]) {
            ocop_error_format(err, errlen, "scores[criterion %s]: given twice", c->id);
            return EVAL_SHEET_E_DUPLICATE;
        }
        seen[c->index] = true;
        double points;
        if ((rc = s_points_of(r, c, ch, &points, err, errlen)) != EVAL_SHEET_OK)
            return rc;
        out->parts[c->part] += points;
        int k = r->has_options ? eval_criterion_option(c, ch->option) : -1;
        while (out->minimum_stars >= EVAL_MARKER_MIN && c->requires[out->minimum_stars] > k)
            out->minimum_stars--;
    }
    if ((rc = s_complete(r, seen, err, errlen)) != EVAL_SHEET_OK)
        return rc;
    if ((rc = s_knockouts(r, sheet, err, errlen)) != EVAL_SHEET_OK)
        return rc;
    out->total = out->parts[0] + out->parts[1] + out->parts[2];
    return EVAL_SHEET_OK;
}

int eval_rubric_check_sheet(const eval_rubric_t *rubric, const eval_sheet_t *sheet, eval_sheet_result_t *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!rubric || !sheet || (sheet->n_choices && !sheet->choices) || (sheet->n_knockouts && !sheet->knockouts)) {
        ocop_error_format(err, errlen, "sheet: a rubric and arrays matching their counts are required");
        return EVAL_SHEET_E_INVALID;
    }
    bool *seen = calloc(rubric->n_criteria + 1, sizeof *seen);
    if (!seen) {
        ocop_error_format(err, errlen, "sheet: out of memory");
        return EVAL_SHEET_E_INVALID;
    }
    int rc = s_check(rubric, sheet, seen, out, err, errlen);
    free(seen);
    if (rc != EVAL_SHEET_OK)
        memset(out, 0, sizeof *out);
    return rc;
}
