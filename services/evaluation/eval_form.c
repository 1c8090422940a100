/* eval_form — the form a product is scored on: its rubric under the rules in force on a date,
 * with every option, star marker and knock-out, as a council member or the producer (for the
 * self-assessment) fills it in. Public data: the sheets are published with the decisions. */
#include <string.h>

#include "eval_handlers.h"
#include "eval_product.h"
#include "ocop_date.h"
#include "ocop_error.h"

static Ocop__EvalFormOption **s_options(ocop_arena_t *arena, const eval_criterion_t *c)
{
    Ocop__EvalFormOption **out = ocop_arena_alloc(arena, (c->n_options + 1) * sizeof *out);
    for (size_t i = 0; i < c->n_options; i++) {
        Ocop__EvalFormOption *o = out[i] = ocop_arena_alloc(arena, sizeof *o);
        ocop__eval_form_option__init(o);
        o->id = (char *)c->options[i].id;
        o->text = c->options[i].text;
        o->points = c->options[i].points;
        o->min_stars = (uint32_t)c->options[i].min_stars;
        o->implied = c->options[i].implied;
    }
    return out;
}

static void s_criteria(ocop_arena_t *arena, const eval_rubric_t *r, Ocop__EvalForm *f)
{
    f->criteria = ocop_arena_alloc(arena, (r->n_criteria + 1) * sizeof *f->criteria);
    for (size_t i = 0; i < r->n_criteria; i++) {
        const eval_criterion_t *c = &r->criteria[i];
        Ocop__EvalFormCriterion *fc = f->criteria[f->n_criteria++] = ocop_arena_alloc(arena, sizeof *fc);
        ocop__eval_form_criterion__init(fc);
        fc->id = (char *)c->id;
        fc->name = c->name;
        fc->max = c->max;
        fc->part = (char *)r->parts[c->part].code;
        fc->group_id = (char *)r->parts[c->part].groups[c->group].id;
        fc->alternative_of = (char *)(c->alternative >= 0 ? r->alternatives[c->alternative].id : "");
        fc->n_options = c->n_options;
        fc->options = s_options(arena, c);
    }
}

static void s_structure(ocop_arena_t *arena, const eval_rubric_t *r, Ocop__EvalForm *f)
{
    size_t groups = 0;
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++)
        groups += r->parts[p].n_groups;
    f->part_names = ocop_arena_alloc(arena, EVAL_RUBRIC_PARTS * sizeof *f->part_names);
    f->part_max = ocop_arena_alloc(arena, EVAL_RUBRIC_PARTS * sizeof *f->part_max);
    f->groups = ocop_arena_alloc(arena, (groups + 1) * sizeof *f->groups);
    for (size_t p = 0; p < EVAL_RUBRIC_PARTS; p++) {
        f->part_names[f->n_part_names++] = r->parts[p].name;
        f->part_max[f->n_part_max++] = r->parts[p].max;
        for (size_t g = 0; g < r->parts[p].n_groups; g++) {
            Ocop__EvalFormGroup *fg = f->groups[f->n_groups++] = ocop_arena_alloc(arena, sizeof *fg);
            ocop__eval_form_group__init(fg);
            fg->id = (char *)r->parts[p].groups[g].id;
            fg->name = r->parts[p].groups[g].name;
            fg->max = r->parts[p].groups[g].max;
            fg->part = (char *)r->parts[p].code;
        }
    }
    f->alternatives = ocop_arena_alloc(arena, (r->n_alternatives + 1) * sizeof *f->alternatives);
    for (size_t a = 0; a < r->n_alternatives; a++) {
        Ocop__EvalFormAlternative *fa = f->alternatives[f->n_alternatives++] = ocop_arena_alloc(arena, sizeof *fa);
        ocop__eval_form_alternative__init(fa);
        fa->id = (char *)r->alternatives[a].id;
        fa->name = r->alternatives[a].name;
    }
    f->knockouts = ocop_arena_alloc(arena, (r->n_knockouts + 1) * sizeof *f->knockouts);
    for (size_t k = 0; k < r->n_knockouts; k++) {
        Ocop__EvalFormKnockout *fk = f->knockouts[f->n_knockouts++] = ocop_arena_alloc(arena, sizeof *fk);
        ocop__eval_form_knockout__init(fk);
        fk->id = (char *)r->knockouts[k].id;
        fk->text = r->knockouts[k].text;
        fk->criterion_id = (char *)(r->knockouts[k].criterion ? r->knockouts[k].criterion : "");
    }
}

const char *eval_form_date(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *date)
{
    char *out = ocop_arena_alloc(ocop_ctx_arena(ctx), OCOP_DATE_LEN);
    if (date && *date) {
        if (!ocop_date_valid(date)) {
            ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "date", "date must be a calendar date YYYY-MM-DD");
            return NULL;
        }
        memcpy(out, date, OCOP_DATE_LEN);
    } else {
        ocop_day_of(ocop_ctx_now_ms(ctx), out);
    }
    return out;
}

const eval_rubric_t *eval_form_rubric(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalProduct *p, const char *date,
                                      const eval_policy_t **policy)
{
    eval_state_t *state = eval_state(ctx);
    if (!(*policy = eval_policies_in_force(state->policies, date))) {
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "date", "no rating policy was in force on %s", date);
        return NULL;
    }
    const char *instrument = (*policy)->rubric;
    const eval_rubric_t *r = strcmp(p->catalogue_version, instrument) == 0
                                 ? eval_rubrics_find(state->rubrics, instrument, p->product_set_code)
                                 : NULL;
    if (!r)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "product_id",
                      "no sheet of %s covers product set %s of catalogue %s (product %s): reclassify it first",
                      instrument, p->product_set_code, p->catalogue_version, p->id);
    return r;
}

int eval_handle_form_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalFormGet *in = req->eval_form_get;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    const char *date = eval_form_date(ctx, reply, in->date);
    if (!date)
        return -1;
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    const eval_policy_t *policy;
    const eval_rubric_t *r = eval_form_rubric(ctx, reply, p, date, &policy);
    if (!r)
        return -1;
    Ocop__EvalForm *f = ocop_arena_alloc(arena, sizeof *f);
    ocop__eval_form__init(f);
    f->product_id = p->id;
    f->date = (char *)date;
    f->policy = (char *)policy->decision;
    f->rubric = ocop_arena_printf(arena, "%s/%s", r->instrument, r->product_set);
    f->version = (char *)r->version;
    f->name = r->name;
    f->digest = (char *)r->digest;
    f->official = r->official;
    f->by_options = r->has_options;
    s_structure(arena, r, f);
    s_criteria(arena, r, f);
    reply->body_case = OCOP__REPLY__BODY_EVAL_FORM;
    reply->eval_form = f;
    return 0;
}
