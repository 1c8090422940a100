/* demo_sheets — see demo_sheets.h. */
#include "demo_sheets.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

#define S_FORMS_MAX 256

struct demo_forms_t {
    char keys[S_FORMS_MAX][40]; /* "<catalogue>/<set>" */
    Ocop__Reply *replies[S_FORMS_MAX];
    size_t n;
};

demo_forms_t *demo_forms_new(void)
{
    return calloc(1, sizeof(demo_forms_t));
}

void demo_forms_destroy(demo_forms_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->n; i++)
        ocop__reply__free_unpacked((*self_p)->replies[i], NULL);
    free(*self_p);
    *self_p = NULL;
}

const Ocop__EvalForm *demo_forms_get(demo_forms_t *self, ocop_client_t *shard, const char *product_id,
                                     const char *catalogue, const char *set, const char *date, int timeout_ms)
{
    char key[40];
    snprintf(key, sizeof key, "%s/%s", catalogue, set);
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->keys[i], key) == 0)
            return self->replies[i]->eval_form;
    if (self->n == S_FORMS_MAX) {
        fprintf(stderr, "ocop-demo evaluate: more than %d product sets\n", S_FORMS_MAX);
        return NULL;
    }
    Ocop__EvalFormGet get = OCOP__EVAL_FORM_GET__INIT;
    get.product_id = (char *)product_id;
    get.date = (char *)date;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_FORM_GET;
    req.eval_form_get = &get;
    Ocop__Reply *reply;
    if (ocop_client_call(shard, &req, &reply, timeout_ms, 3) != 0) {
        fprintf(stderr, "ocop-demo evaluate: the shard did not send the form of product %s\n", product_id);
        return NULL;
    }
    if (reply->status != OCOP__STATUS__STATUS_OK) {
        fprintf(stderr, "ocop-demo evaluate: form of product %s: %s (%s) %s\n", product_id,
                ocop_status_name(reply->status), reply->field, reply->message);
        ocop__reply__free_unpacked(reply, NULL);
        return NULL;
    }
    snprintf(self->keys[self->n], sizeof self->keys[0], "%s", key);
    self->replies[self->n++] = reply;
    return reply->eval_form;
}

static uint64_t s_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Free numbers: each criterion its share of target rounded down to half points, the rest
 * handed out half a point at a time. */
static void s_spread(const Ocop__EvalForm *form, const size_t *pick, size_t n, double target, Ocop__EvalScore *scores)
{
    double sum = 0, all = 0;
    for (size_t i = 0; i < n; i++)
        all += form->criteria[pick[i]]->max;
    for (size_t i = 0; i < n; i++) {
        scores[i].score = floor(form->criteria[pick[i]]->max * target / all * 2) / 2;
        sum += scores[i].score;
    }
    for (size_t i = 0; target - sum > 1e-9; i = (i + 1) % n)
        if (scores[i].score + 0.5 <= form->criteria[pick[i]]->max) {
            scores[i].score += 0.5;
            sum += 0.5;
        }
}

/* The lowest option a criterion may fall to for band: the highest one marked band or fewer
 * stars (options rise with their markers), else the first. */
static size_t s_floor(const Ocop__EvalFormCriterion *c, int band)
{
    size_t floor_at = 0;
    for (size_t o = 0; o < c->n_options; o++)
        if (c->options[o]->min_stars && (int)c->options[o]->min_stars <= band)
            floor_at = o;
    return floor_at;
}

/* From the best options down, one option at a time, in an order variety shuffles. */
static void s_descend(const Ocop__EvalForm *form, const size_t *pick, size_t n, double target, int band,
                      uint64_t variety, Ocop__EvalScore *scores)
{
    size_t at[128], order[128];
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        at[i] = form->criteria[pick[i]]->n_options - 1;
        total += form->criteria[pick[i]]->options[at[i]]->points;
        order[i] = i;
    }
    for (size_t i = n; i > 1; i--) {
        variety = s_mix(variety + i);
        size_t j = variety % i, t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (bool stepped = true; stepped;) {
        stepped = false;
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            const Ocop__EvalFormCriterion *c = form->criteria[pick[i]];
            if (at[i] == 0 || at[i] <= s_floor(c, band))
                continue;
            double drop = c->options[at[i]]->points - c->options[at[i] - 1]->points;
            if (total - drop < target - 1e-9)
                continue;
            at[i]--;
            total -= drop;
            stepped = true;
        }
    }
    for (size_t i = 0; i < n; i++)
        scores[i].option = form->criteria[pick[i]]->options[at[i]]->id;
}

void demo_choose(const Ocop__EvalForm *form, double target, int band, uint64_t variety, Ocop__EvalScore *scores,
                 size_t *n)
{
    size_t pick[128];
    *n = 0;
    for (size_t i = 0; i < form->n_criteria && *n < sizeof pick / sizeof pick[0]; i++) {
        const char *alt = form->criteria[i]->alternative_of;
        bool later_alternative = false;
        for (size_t j = 0; *alt && j < i; j++)
            later_alternative |= strcmp(form->criteria[j]->alternative_of, alt) == 0;
        if (!later_alternative)
            pick[(*n)++] = i;
    }
    for (size_t i = 0; i < *n; i++) {
        ocop__eval_score__init(&scores[i]);
        scores[i].id = form->criteria[pick[i]]->id;
    }
    if (form->by_options)
        s_descend(form, pick, *n, target, band, variety, scores);
    else
        s_spread(form, pick, *n, target, scores);
}
