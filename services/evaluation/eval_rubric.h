/* eval_rubric — the score sheets of 1048/QĐ-TTg, 148/QĐ-TTg and 26/2026/QĐ-TTg, one per
 * (instrument, product set), loaded from rubrics/rubric-*.json (format: data/FORMAT.md) and
 * validated on load; and the check that turns one member's sheet into part totals.
 *
 * A sheet is parts → groups → criteria → options, as the decisions print it. A member scores a
 * criterion by choosing one option; its points are the option's. Some options carry a star
 * minimum (the *** / **** / ***** markers): to be ranked N★ a product must reach, on every
 * criterion, the highest option marked N or fewer stars. Knock-outs ("Hồ sơ bị loại khi …",
 * "Bị loại nếu …") are conditions a member flags; a product knocked out gets no star. The
 * tourism sheets have alternative criteria, of which exactly one is scored. 1048 sheets whose
 * options are not known are scored with a free number from 0 to each criterion's maximum.
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
#define EVAL_STARS_MAX 5
/* The lowest star level a marker may name (*** = 3★). */
#define EVAL_MARKER_MIN 3

typedef struct {
    char id[EVAL_ID_LEN]; /* unique within its criterion: the printed order ("1", "2", …), "0" when implied */
    char *text;
    double points;
    int min_stars; /* 0, or the star level this option is the minimum for (3, 4, 5) */
    bool implied;  /* not printed: "meets none of the options" or met / not met */
} eval_option_t;

/* A condition that ends the evaluation of a product, with its text as printed. */
typedef struct {
    char id[EVAL_ID_LEN]; /* unique within the rubric */
    char *text;
    const char *criterion; /* the criterion it is printed under; NULL for the sheet's own */
} eval_knockout_t;

typedef struct {
    char id[EVAL_ID_LEN]; /* unique among the rubric's criteria, [A-Za-z0-9._-] */
    char *name;
    double max;      /* the best option's points; for a free-number criterion, its maximum */
    size_t part;     /* index into parts */
    size_t group;    /* index into its part's groups */
    size_t index;    /* position in the rubric's criteria */
    int alternative; /* -1, or the alternative set it belongs to: exactly one of a set is scored */
    eval_option_t *options;
    size_t n_options; /* 0: scored with a free number (1048 sheets without options) */
    /* requires[N]: the index of the lowest option that meets the N★ minimum, -1 when the
     * criterion sets none for N (N = 0..5; 0..2 are always -1). */
    int requires[EVAL_STARS_MAX + 1];
} eval_criterion_t;

typedef struct {
    char id[EVAL_ID_LEN];
    char *name;
    double max; /* == the sum of its criteria's max (one per alternative set) */
} eval_group_t;

typedef struct {
    char code[2]; /* "A", "B", "C" */
    char *name;
    double max; /* == the sum of its groups' max */
    eval_group_t *groups;
    size_t n_groups;
} eval_part_t;

typedef struct {
    char id[EVAL_ID_LEN]; /* the printed criterion the alternatives stand for, e.g. "8" */
    char *name;
} eval_alternative_t;

typedef struct {
    char instrument[EVAL_ID_LEN];        /* "1048", "148", "26-2026" */
    char version[64];                    /* "148/QĐ-TTg": recorded on every result */
    char catalogue_version[EVAL_ID_LEN]; /* the registration catalogue of product_set */
    char product_set[EVAL_ID_LEN];
    char *name; /* the product set's name as the sheet prints it */
    char effective_from[EVAL_DATE_LEN];
    bool self_assessment; /* the applicant self-assesses (148, 26/2026) */
    bool official;        /* false: points not those of the gazetted sheet (history only) */
    bool has_options;     /* every criterion has options (else none has: free numbers) */
    eval_part_t parts[EVAL_RUBRIC_PARTS];
    eval_criterion_t *criteria; /* the scored criteria in printed order */
    size_t n_criteria;
    eval_alternative_t *alternatives;
    size_t n_alternatives;
    eval_knockout_t *knockouts; /* the sheet's, then each criterion's, in printed order */
    size_t n_knockouts;
    double max_score;                      /* sum of the part maxima: 100 */
    char *source;                          /* the file name it was loaded from */
    char digest[OCOP_RULEFILE_DIGEST_LEN]; /* SHA-256 of that file: recorded on every result */
} eval_rubric_t;

typedef struct eval_rubrics_t eval_rubrics_t;

/* Loads every rubric-*.json of dir. NULL + err naming the file, the place in it and what is
 * wrong on the first broken file (a total that does not add up names both sums), on a
 * duplicate (instrument, product_set), or when there is none. */
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

/* The criterion with that id; NULL when the rubric has none (or id is NULL). */
const eval_criterion_t *eval_rubric_criterion(const eval_rubric_t *rubric, const char *id);
/* The same, looked for at position i first: a sheet made from the rubric lists its criteria in
 * the rubric's order, so each costs one comparison. */
const eval_criterion_t *eval_rubric_criterion_near(const eval_rubric_t *rubric, const char *id, size_t i);
/* The index of the criterion's option with that id; -1 when it has none. */
int eval_criterion_option(const eval_criterion_t *criterion, const char *option_id);
/* The knock-out with that id; NULL when none. */
const eval_knockout_t *eval_rubric_knockout(const eval_rubric_t *rubric, const char *id);

/* ---- checking one sheet ------------------------------------------------------------------ */

/* One criterion of a sheet: the option chosen (sheets with options) or the points given (free
 * numbers). */
typedef struct {
    const char *id;
    const char *option; /* NULL or "" on a free-number sheet */
    double score;       /* 0 on a sheet with options */
} eval_choice_t;

/* One sheet (a council member's or the applicant's self-assessment); the arrays are the
 * caller's. Every criterion must appear exactly once, but for alternatives, of which exactly
 * one appears; knockouts lists the ids of the knock-out conditions the member finds met. */
typedef struct {
    const eval_choice_t *choices;
    size_t n_choices;
    const char *const *knockouts;
    size_t n_knockouts;
} eval_sheet_t;

typedef struct {
    double parts[EVAL_RUBRIC_PARTS]; /* A, B, C */
    double total;
    /* The highest star level whose minimums every criterion of this sheet meets (5 when none
     * is missed; levels below 3 have no minimums, so at least 2). */
    int minimum_stars;
} eval_sheet_result_t;

/* Status of eval_rubric_check_sheet: 0 or negative, stable (they become reply codes). */
typedef enum {
    EVAL_SHEET_OK = 0,
    EVAL_SHEET_E_INVALID = -1,   /* malformed call; a free number on a sheet with options or the reverse */
    EVAL_SHEET_E_UNKNOWN = -2,   /* a criterion, option or knock-out the rubric does not have */
    EVAL_SHEET_E_DUPLICATE = -3, /* a criterion or knock-out given twice; two alternatives of one set */
    EVAL_SHEET_E_MISSING = -4,   /* a criterion (or every alternative of a set) not given */
    EVAL_SHEET_E_RANGE = -5,     /* a free number below 0, above its max, or not a finite number */
} eval_sheet_status_t;

/* "EVAL_SHEET_E_RANGE" etc.; "EVAL_SHEET_E_UNKNOWN_STATUS" for other numbers. Static string. */
const char *eval_sheet_status_name(int status);

/* Validates sheet against rubric and computes its totals into *out. Returns EVAL_SHEET_OK, or
 * a negative eval_sheet_status_t with err naming the field, e.g.
 * "scores[criterion 1.3]: option 7 is not one of the criterion's options (0-3)" (*out is then
 * zeroed). */
int eval_rubric_check_sheet(const eval_rubric_t *rubric, const eval_sheet_t *sheet, eval_sheet_result_t *out, char *err,
                            size_t errlen);

#endif
