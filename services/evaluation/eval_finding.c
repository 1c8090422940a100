/* eval_finding — see eval_finding.h. */
#include "eval_finding.h"

#include <stdio.h>
#include <string.h>

/* The sheet's choice on criterion c, NULL when it scored another alternative. Sheets list
 * their criteria in the rubric's order, so c's position is looked at first. */
static const Ocop__EvalScore *s_choice(const Ocop__EvalSheet *sheet, const eval_criterion_t *c)
{
    if (c->index < sheet->n_scores && strcmp(sheet->scores[c->index]->id, c->id) == 0)
        return sheet->scores[c->index];
    for (size_t k = 0; k < sheet->n_scores; k++)
        if (strcmp(sheet->scores[k]->id, c->id) == 0)
            return sheet->scores[k];
    return NULL;
}

/* How many sheets reach at least option index `need` on criterion c. An alternative a sheet
 * did not score does not count against it: its own alternative is counted instead. */
static size_t s_reaching(const eval_criterion_t *c, Ocop__EvalSheet *const *sheets, size_t n, int need, size_t *scored)
{
    size_t reach = 0;
    *scored = 0;
    for (size_t i = 0; i < n; i++) {
        const Ocop__EvalScore *s = s_choice(sheets[i], c);
        if (!s)
            continue;
        (*scored)++;
        reach += eval_criterion_option(c, s->option) >= need;
    }
    return reach;
}

/* Whether criterion c meets the stars-level minimum on the council's sheets. */
static bool s_meets(const eval_criterion_t *c, Ocop__EvalSheet *const *sheets, size_t n, int stars, size_t *reach,
                    size_t *scored)
{
    *reach = *scored = 0;
    int need = c->requires[stars];
    if (need < 0)
        return true;
    *reach = s_reaching(c, sheets, n, need, scored);
    /* An alternative no sheet scored sets no minimum for this product. */
    return *scored == 0 || *reach * 2 > *scored;
}

static int s_minimum_stars(const eval_rubric_t *r, Ocop__EvalSheet *const *sheets, size_t n)
{
    int level = EVAL_STARS_MAX;
    for (size_t i = 0; i < r->n_criteria && level >= EVAL_MARKER_MIN; i++) {
        size_t reach, scored;
        while (level >= EVAL_MARKER_MIN && !s_meets(&r->criteria[i], sheets, n, level, &reach, &scored))
            level--;
    }
    return level;
}

static void s_missed(ocop_arena_t *arena, const eval_rubric_t *r, Ocop__EvalSheet *const *sheets, size_t n, int from,
                     int to, Ocop__EvalSessionProduct *sp)
{
    size_t cap = (size_t)(to - from + 1) * r->n_criteria;
    sp->minimums_missed = ocop_arena_alloc(arena, (cap + 1) * sizeof *sp->minimums_missed);
    for (int stars = from; stars <= to; stars++)
        for (size_t i = 0; i < r->n_criteria; i++) {
            const eval_criterion_t *c = &r->criteria[i];
            size_t reach, scored;
            if (s_meets(c, sheets, n, stars, &reach, &scored))
                continue;
            Ocop__EvalMinimumMissed *m = ocop_arena_alloc(arena, sizeof *m);
            ocop__eval_minimum_missed__init(m);
            m->criterion_id = (char *)c->id;
            m->stars = (uint32_t)stars;
            m->option_id = (char *)c->options[c->requires[stars]].id;
            m->sheets_reaching = (uint32_t)reach;
            m->sheets = (uint32_t)scored;
            sp->minimums_missed[sp->n_minimums_missed++] = m;
        }
}

static void s_knockouts(ocop_arena_t *arena, const eval_rubric_t *r, Ocop__EvalSheet *const *sheets, size_t n,
                        Ocop__EvalSessionProduct *sp)
{
    sp->knockouts = ocop_arena_alloc(arena, (r->n_knockouts + 1) * sizeof *sp->knockouts);
    for (size_t k = 0; k < r->n_knockouts; k++) {
        const eval_knockout_t *ko = &r->knockouts[k];
        size_t flagged = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < sheets[i]->n_knockouts; j++)
                flagged += strcmp(sheets[i]->knockouts[j], ko->id) == 0;
        if (flagged * 2 <= n)
            continue;
        Ocop__EvalKnockoutFound *f = ocop_arena_alloc(arena, sizeof *f);
        ocop__eval_knockout_found__init(f);
        f->id = (char *)ko->id;
        f->text = ko->text;
        f->criterion_id = (char *)(ko->criterion ? ko->criterion : "");
        f->sheets_flagging = (uint32_t)flagged;
        f->sheets = (uint32_t)n;
        sp->knockouts[sp->n_knockouts++] = f;
    }
}

/* One sentence: the band, each minimum that held the product below it, each knock-out. */
static char *s_why(ocop_arena_t *arena, const Ocop__EvalSessionProduct *sp, int band)
{
    char buf[1024];
    size_t len = (size_t)snprintf(buf, sizeof buf, "mean %.2f is in the %d-star band", sp->mean, band);
    for (size_t i = 0; i < sp->n_knockouts && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "; knocked out by %s (%u of %u sheets)",
                                sp->knockouts[i]->id, sp->knockouts[i]->sheets_flagging, sp->knockouts[i]->sheets);
    for (size_t i = 0; i < sp->n_minimums_missed && len < sizeof buf; i++) {
        const Ocop__EvalMinimumMissed *m = sp->minimums_missed[i];
        len += (size_t)snprintf(buf + len, sizeof buf - len,
                                "; criterion %s misses the %u-star minimum (option %s or better: %u of %u sheets)",
                                m->criterion_id, m->stars, m->option_id, m->sheets_reaching, m->sheets);
    }
    if (len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, "; ranked %u stars", sp->ranked_stars);
    return ocop_arena_printf(arena, "%s", buf);
}

void eval_finding_compute(ocop_arena_t *arena, const eval_rubric_t *rubric, Ocop__EvalSheet *const *sheets, size_t n,
                          int band, Ocop__EvalSessionProduct *sp)
{
    sp->n_minimums_missed = sp->n_knockouts = 0;
    int minimum = s_minimum_stars(rubric, sheets, n);
    sp->minimum_stars = (uint32_t)minimum;
    if (minimum < band)
        s_missed(arena, rubric, sheets, n, minimum + 1, band, sp);
    s_knockouts(arena, rubric, sheets, n, sp);
    int ranked = band < minimum ? band : minimum;
    sp->ranked_stars = sp->n_knockouts ? 0 : (uint32_t)ranked;
    sp->why = s_why(arena, sp, band);
}
