/* eval_bands — see eval_bands.h. */
#include "eval_bands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

typedef struct {
    double min;
    int stars;
} s_band_t;

struct eval_bands_t {
    s_band_t bands[EVAL_BANDS_MAX];
    size_t n_bands;
    int certified_min_stars;
    double max_score;
    char *source;
    char version[64];
    char digest[OCOP_RULEFILE_DIGEST_LEN];
};

static int s_parse_bands(const eval_json_src_t *src, const cJSON *root, eval_bands_t *self)
{
    if (eval_json_number(src, root, "", "max_score", &self->max_score) != 0)
        return -1;
    if (self->max_score <= 0)
        return eval_json_fail(src, "", "max_score", "must be positive, found %g", self->max_score);
    const cJSON *bands = eval_json_array(src, root, "", "bands", true);
    if (!bands)
        return -1;
    if (cJSON_GetArraySize(bands) > EVAL_BANDS_MAX)
        return eval_json_fail(src, "", "bands", "at most %d bands (1 to 5 stars), found %d", EVAL_BANDS_MAX,
                              cJSON_GetArraySize(bands));
    const cJSON *js;
    cJSON_ArrayForEach (js, bands) {
        size_t i = self->n_bands;
        s_band_t *b = &self->bands[i];
        char at[32];
        snprintf(at, sizeof at, "bands[%zu]", i);
        if (!cJSON_IsObject(js))
            return eval_json_fail(src, at, NULL, "expected an object");
        if (eval_json_number(src, js, at, "min", &b->min) != 0 ||
            eval_json_int(src, js, at, "stars", 1, EVAL_BANDS_MAX, &b->stars) != 0)
            return -1;
        if (i == 0 && b->min != 0)
            return eval_json_fail(src, at, "min", "the first band must start at 0, found %g", b->min);
        if (i > 0 && b->min <= self->bands[i - 1].min)
            return eval_json_fail(src, at, "min", "%g does not exceed the previous band's %g (bands ascend)", b->min,
                                  self->bands[i - 1].min);
        if (b->min >= self->max_score)
            return eval_json_fail(src, at, "min", "%g is not below max_score %g", b->min, self->max_score);
        if (i > 0 && b->stars <= self->bands[i - 1].stars)
            return eval_json_fail(src, at, "stars", "%d does not exceed the previous band's %d", b->stars,
                                  self->bands[i - 1].stars);
        self->n_bands++;
    }
    if (eval_json_int(src, root, "", "certified_min_stars", 1, EVAL_BANDS_MAX, &self->certified_min_stars) != 0)
        return -1;
    if (eval_bands_min_for(self, self->certified_min_stars) < 0)
        return eval_json_fail(src, "", "certified_min_stars", "no band gives %d stars", self->certified_min_stars);
    return 0;
}

/* How the members' sheets make the council's finding (see eval_finding.h): one rule today. */
static int s_parse_finding(const eval_json_src_t *src, const cJSON *root)
{
    char finding[32];
    if (eval_json_string(src, root, "", "council_finding", true, finding, sizeof finding) != 0)
        return -1;
    if (strcmp(finding, "majority") != 0)
        return eval_json_fail(src, "", "council_finding", "\"%s\" is not a known rule (known: majority)", finding);
    return 0;
}

eval_bands_t *eval_bands_load(const char *path, char *err, size_t errlen)
{
    eval_bands_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    cJSON *root = ocop_rulefile_read(path, self->digest, err, errlen);
    if (!root) {
        free(self);
        return NULL;
    }
    eval_json_src_t src = {path, err, errlen};
    self->source = strdup(eval_json_basename(path));
    int rc = self->source ? 0 : eval_json_fail(&src, "", NULL, "out of memory");
    if (rc == 0)
        rc = s_parse_bands(&src, root, self);
    if (rc == 0)
        rc = eval_json_string(&src, root, "", "version", false, self->version, sizeof self->version);
    if (rc == 0)
        rc = eval_json_notes(&src, root);
    if (rc == 0)
        rc = s_parse_finding(&src, root);
    cJSON_Delete(root);
    if (rc != 0)
        eval_bands_destroy(&self);
    return self;
}

void eval_bands_destroy(eval_bands_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->source);
    free(*self_p);
    *self_p = NULL;
}

int eval_bands_stars(const eval_bands_t *self, double mean)
{
    if (!isfinite(mean) || mean < 0 || mean > self->max_score + EVAL_BANDS_TOLERANCE)
        return -1;
    int stars = self->bands[0].stars;
    for (size_t i = 1; i < self->n_bands; i++)
        if (mean + EVAL_BANDS_TOLERANCE >= self->bands[i].min)
            stars = self->bands[i].stars;
    return stars;
}

int eval_bands_certified_min_stars(const eval_bands_t *self)
{
    return self->certified_min_stars;
}

bool eval_bands_certified(const eval_bands_t *self, int stars)
{
    return stars >= self->certified_min_stars && stars <= EVAL_BANDS_MAX;
}

double eval_bands_max_score(const eval_bands_t *self)
{
    return self->max_score;
}

double eval_bands_min_for(const eval_bands_t *self, int stars)
{
    for (size_t i = 0; i < self->n_bands; i++)
        if (self->bands[i].stars == stars)
            return self->bands[i].min;
    return -1;
}

const char *eval_bands_source(const eval_bands_t *self)
{
    return self->source;
}

const char *eval_bands_version(const eval_bands_t *self)
{
    return self->version;
}

const char *eval_bands_digest(const eval_bands_t *self)
{
    return self->digest;
}
