/* eval_bands — the star bands (stars.json, format: data/FORMAT.md): which star rating a mean
 * of the council members' totals earns, and which ratings are certified as OCOP products. */
#ifndef EVAL_BANDS_H
#define EVAL_BANDS_H

#include <stdbool.h>

#include "eval_json.h"

#define EVAL_BANDS_MAX 5

/* A mean within this distance below a band's minimum counts as reaching it: a mean of decimal
 * scores computed in floating point (e.g. 89.7 + 90.1 + 90.2 over 3) must not fall a rounding
 * error short of a band edge. Far below any score a rubric can express (0.5 points). */
#define EVAL_BANDS_TOLERANCE 1e-9

typedef struct eval_bands_t eval_bands_t;

/* Loads path (stars.json). NULL + err naming the file and the field when it is broken:
 * bands ascending by min with the first at 0, stars 1..5 strictly increasing, every min below
 * max_score, certified_min_stars one of the bands' stars, council_finding a known rule (how
 * the members' sheets make the council's finding on a star minimum or a knock-out: "majority",
 * the only one; see eval_finding.h). */
eval_bands_t *eval_bands_load(const char *path, char *err, size_t errlen);
/* Frees and sets *self_p to NULL; safe on NULL and twice. */
void eval_bands_destroy(eval_bands_t **self_p);

/* The stars a mean earns: the band with the highest min not above it (1..5); -1 when mean is
 * not a number in [0, max_score]. */
int eval_bands_stars(const eval_bands_t *self, double mean);

/* The lowest certified rating (3: only 3★ and above are OCOP products). */
int eval_bands_certified_min_stars(const eval_bands_t *self);
/* True when stars (as from eval_bands_stars) is a certified rating. */
bool eval_bands_certified(const eval_bands_t *self, int stars);
double eval_bands_max_score(const eval_bands_t *self);
/* The lowest mean that earns stars; -1 when no band gives that many. */
double eval_bands_min_for(const eval_bands_t *self, int stars);

/* What a result records about the bands that produced it: the file name, its optional
 * "version" member ("" when absent) and the SHA-256 of the file. Owned by self. */
const char *eval_bands_source(const eval_bands_t *self);
const char *eval_bands_version(const eval_bands_t *self);
const char *eval_bands_digest(const eval_bands_t *self);

#endif
