/* eval_rubric — the scoring rubrics of 1048/QĐ-TTg and 148/QĐ-TTg, one per (instrument,
 * product set), loaded from rubrics/rubric-*.json (format: data/FORMAT.md) and validated on
 * load; and the check that turns one member's sheet into part totals and a total.
 *
 * A rubric is read-only after loading and owned by its eval_rubrics_t: every pointer into it
 * lives until eval_rubrics_destroy. */
#ifndef EVAL_RUBRIC_H
#define EVAL_RUBRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "eval_json.h"

#define EVAL_RUBRIC_PARTS 3 /* A, B, C */
#define EVAL_ID_LEN 16

typedef enum {
    EVAL_CRITERION_SCORED,    /* in a part, scored 0..max */
    EVAL_CRITERION_MANDATORY, /* pass/fail (148): failing one means no star */
    EVAL_CRITERION_BONUS,     /* bonus points 0..max (148), added to the total */
} eval_criterion_kind_t;

typedef struct {
    char id[EVAL_ID_LEN]; /* unique within its rubric, [A-Za-z0-9._-] */
    char *name;
    double max; /* > 0, a multiple of 0.5; 0 for a mandatory criterion */
    eval_criterion_kind_t kind;
    size_t part;  /* index into parts for a scored criterion */
    size_t index; /* position among all the rubric's criteria (scored, mandatory, bonus) */
} eval_criterion_t;

typedef struct {
    char code[2]; /* "A", "B", "C" */
    char *name;
    double max; /* == the sum of its criteria's max */
    eval_criterion_t *criteria;
    size_t n_criteria;
} eval_part_t;

typedef struct {
    char instrument[EVAL_ID_LEN];        /* "1048" or "148" */
    char version[64];                    /* "148/QĐ-TTg": recorded on every result */
    char catalogue_version[EVAL_ID_LEN]; /* the registration catalogue of product_set */
    char product_set[EVAL_ID_LEN];
    char effective_from[EVAL_DATE_LEN];
    bool self_assessment; /* the applicant self-assesses (148) */
    eval_part_t parts[EVAL_RUBRIC_PARTS];
    eval_criterion_t *mandatory;
    size_t n_mandatory;
    eval_criterion_t *bonus;
    size_t n_bonus;
    double max_score;                      /* sum of the part maxima: 100 */
    char *source;                          /* the file name it was loaded from */
    char digest[OCOP_RULEFILE_DIGEST_LEN]; /* SHA-256 of that file: recorded on every result */
} eval_rubric_t;

typedef struct eval_rubrics_t eval_rubrics_t;

/* Loads every rubric-*.json of dir. NULL + err naming the file and the field on the first
 * broken file, on a duplicate (instrument, product_set), or when there is none. */
eval_rubrics_t *eval_rubrics_load(const char *dir, char *err, size_t errlen);
/* Frees the set and sets *self_p to NULL; safe on NULL and twice. */
void eval_rubrics_destroy(eval_rubrics_t **self_p);

/* NULL when no rubric of that instrument covers product_set. */
const eval_rubric_t *eval_rubrics_find(const eval_rubrics_t *self, const char *instrument, const char *product_set);
size_t eval_rubrics_count(const eval_rubrics_t *self);
/* How many product sets of instrument have a rubric. */
size_t eval_rubrics_count_instrument(const eval_rubrics_t *self, const char *instrument);
/* i < eval_rubrics_count; sorted by file name. */
const eval_rubric_t *eval_rubrics_at(const eval_rubrics_t *self, size_t i);

/* Any criterion (scored, mandatory or bonus) by id; NULL when the rubric has none. */
const eval_criterion_t *eval_rubric_criterion(const eval_rubric_t *rubric, const char *id);
/* Number of scored criteria (all parts). */
size_t eval_rubric_scored_count(const eval_rubric_t *rubric);
/* Number of criteria of every kind (the bound of eval_criterion_t.index). */
size_t eval_rubric_criteria_count(const eval_rubric_t *rubric);

/* ---- checking one sheet ------------------------------------------------------------------ */

typedef struct {
    const char *id;
    double score;
} eval_score_t;

typedef struct {
    const char *id;
    bool pass;
} eval_check_t;

typedef struct {
    const char *id;
    double points;
} eval_bonus_points_t;

/* One sheet (a council member's or the applicant's self-assessment); the arrays are the
 * caller's. Every scored criterion and every mandatory criterion must appear exactly once;
 * bonus criteria may be left out (0 points) but not repeated. */
typedef struct {
    const eval_score_t *scores;
    size_t n_scores;
    const eval_check_t *mandatory;
    size_t n_mandatory;
    const eval_bonus_points_t *bonus;
    size_t n_bonus;
} eval_sheet_t;

typedef struct {
    double parts[EVAL_RUBRIC_PARTS]; /* A, B, C */
    double bonus;                    /* sum of the bonus points */
    double raw_total;                /* parts + bonus, before the cap */
    double total;                    /* min(raw_total, rubric max_score) */
    bool capped;                     /* raw_total exceeded max_score */
    bool mandatory_failed;           /* some mandatory criterion was failed: no star */
    char first_failed[EVAL_ID_LEN];  /* the first failed mandatory id, "" when none */
} eval_sheet_result_t;

/* Status of eval_rubric_check_sheet: 0 or negative, stable (they become reply codes). */
typedef enum {
    EVAL_SHEET_OK = 0,
    EVAL_SHEET_E_INVALID = -1,   /* malformed call: NULL id, NULL array with a count */
    EVAL_SHEET_E_UNKNOWN = -2,   /* an id the rubric does not have (in that role) */
    EVAL_SHEET_E_DUPLICATE = -3, /* a criterion given twice */
    EVAL_SHEET_E_MISSING = -4,   /* a scored or mandatory criterion not given */
    EVAL_SHEET_E_RANGE = -5,     /* a score below 0, above its max, or not a finite number */
} eval_sheet_status_t;

/* "EVAL_SHEET_E_RANGE" etc.; "EVAL_SHEET_E_UNKNOWN_STATUS" for other numbers. Static string. */
const char *eval_sheet_status_name(int status);

/* Validates sheet against rubric and computes its totals into *out.
 *
 * The total is capped at the rubric's max_score (100): the bonus points of 148 reward a
 * product, but the star bands and certificates are defined on a 0–100 scale, so a sheet never
 * totals more than 100 — raw_total and capped keep the uncapped figure for the audit trail.
 * The cap applies to each sheet, so a council's mean is also at most 100.
 * A failed mandatory criterion does not change the totals; it sets mandatory_failed (the
 * star bands then give no star).
 *
 * Returns EVAL_SHEET_OK, or a negative eval_sheet_status_t with err naming the field, e.g.
 * "scores[criterion A3]: 5 exceeds the maximum 3" (*out is then zeroed). */
int eval_rubric_check_sheet(const eval_rubric_t *rubric, const eval_sheet_t *sheet, eval_sheet_result_t *out, char *err,
                            size_t errlen);

#endif
