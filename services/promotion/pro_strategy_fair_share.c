/* pro_strategy_fair_share — "fair-share": booths spread over provinces and sectors, one per
 * entity, stars first within each (province, sector).
 *
 * What it does, exactly:
 *   1. An application whose entity is `overlapping` (it already holds a booth at another fair
 *      whose dates overlap) is refused: it is in neither list.
 *   2. The others are grouped by (province_code, sector_code). Within a group, applications are
 *      ordered by priority: stars (higher first), then seq (earlier first), then id (strcmp),
 *      then their index in the input (only reached if two applications share an id).
 *   3. Applications are then picked in rounds. At the start of each round the groups that still
 *      have something to give are ordered by: picks so far (fewest first); then groups whose
 *      sector is one of fair->focus_sectors before the others; then province_code (strcmp); then
 *      sector_code (strcmp). In that order, each group gives its best remaining application
 *      whose entity has not been picked yet in this pass (see 4). Applications it passes over
 *      because their entity has already been picked are set aside, in priority order, for the
 *      next pass. A group with nothing left to give in this pass gives nothing and drops out of
 *      the pass's later rounds.
 *   4. Passes. The first pass runs rounds until no group can give anything: it picks at most one
 *      application per entity. Then, if applications were set aside, a second pass runs rounds
 *      over them the same way (again at most one per entity, the groups' pick counts carried
 *      over), and so on until every application not refused has been picked once.
 *   5. The first fair->booths picks of the first pass are booked, in pick order (booth 1 to the
 *      first pick). Every later pick waits, in pick order: the rest of the first pass, then the
 *      second pass, and so on. So an entity holds at most one booth, and its other applications
 *      wait behind every entity's first application; booths stay empty when fewer entities than
 *      booths applied. Capacity never changes the order of the picks, only where booking stops:
 *      the waiting list is the order in which the rounds would have booked the applications had
 *      there been more booths.
 * Nothing depends on the order of the input array (only on ids, codes, stars, seq and the focus
 * list), so the same applications in any order give the same allocation. O(n log n) time for
 * n applications over g groups (plus O(g log g) per round, and one extra scan of the
 * applications per pass); scratch memory O(n); -1 only when it cannot be allocated. */
#include "pro_strategy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const pro_application_t *app;
    size_t idx;    /* into apps */
    size_t entity; /* dense entity number */
} s_item_t;

typedef struct {
    const char *province, *sector;
    int focus;
    size_t begin, end; /* the group's applications still to pick in this pass: items[begin, end) */
    size_t cursor;     /* next item to look at in this pass */
    size_t kept;       /* items set aside for the next pass: items[begin, kept) */
    size_t picks;
} s_group_t;

static int s_strcmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int s_cmp_entity(const void *pa, const void *pb)
{
    const s_item_t *a = pa, *b = pb;
    return s_strcmp(a->app->entity_id, b->app->entity_id);
}

/* Group, then priority within the group. */
static int s_cmp_item(const void *pa, const void *pb)
{
    const s_item_t *a = pa, *b = pb;
    int c = s_strcmp(a->app->province_code, b->app->province_code);
    if (c == 0)
        c = s_strcmp(a->app->sector_code, b->app->sector_code);
    if (c != 0)
        return c;
    if (a->app->stars != b->app->stars)
        return a->app->stars > b->app->stars ? -1 : 1;
    if (a->app->seq != b->app->seq)
        return a->app->seq < b->app->seq ? -1 : 1;
    c = s_strcmp(a->app->id, b->app->id);
    if (c != 0)
        return c;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The order of the groups in a round. */
static int s_cmp_group(const void *pa, const void *pb)
{
    const s_group_t *a = *(s_group_t *const *)pa, *b = *(s_group_t *const *)pb;
    if (a->picks != b->picks)
        return a->picks < b->picks ? -1 : 1;
    if (a->focus != b->focus)
        return a->focus ? -1 : 1;
    int c = s_strcmp(a->province, b->province);
    return c != 0 ? c : s_strcmp(a->sector, b->sector);
}

static int s_is_focus(const pro_fair_view_t *fair, const char *sector)
{
    if (!fair->focus_sectors)
        return 0;
    for (size_t f = 0; f < fair->n_focus; f++)
        if (fair->focus_sectors[f] && s_strcmp(fair->focus_sectors[f], sector) == 0)
            return 1;
    return 0;
}

typedef struct {
    s_item_t *items;
    size_t n_items;
    s_group_t *groups;
    size_t n_groups;
    s_group_t **active;
    size_t *picked_in; /* by entity: the pass (1, 2, ...) it was last picked in; 0 never */
} s_work_t;

static void s_work_free(s_work_t *w)
{
    free(w->items);
    free(w->groups);
    free(w->active);
    free(w->picked_in);
}

/* Items (refused ones left out) with dense entity numbers, sorted into groups; the groups. */
static int s_work_init(s_work_t *w, const pro_fair_view_t *fair, const pro_application_t *apps, size_t n)
{
    memset(w, 0, sizeof *w);
    w->items = malloc(n * sizeof *w->items);
    w->groups = malloc(n * sizeof *w->groups);
    w->active = malloc(n * sizeof *w->active);
    w->picked_in = calloc(n, sizeof *w->picked_in);
    if (!w->items || !w->groups || !w->active || !w->picked_in)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!apps[i].overlapping)
            w->items[w->n_items++] = (s_item_t){.app = &apps[i], .idx = i};
    /* Entities numbered in entity_id order (the input order plays no part). */
    qsort(w->items, w->n_items, sizeof *w->items, s_cmp_entity);
    for (size_t k = 0, e = 0; k < w->n_items; k++) {
        if (k > 0 && s_cmp_entity(&w->items[k - 1], &w->items[k]) != 0)
            e++;
        w->items[k].entity = e;
    }
    qsort(w->items, w->n_items, sizeof *w->items, s_cmp_item);
    for (size_t k = 0; k < w->n_items; k++) {
        const pro_application_t *a = w->items[k].app;
        s_group_t *g = w->n_groups ? &w->groups[w->n_groups - 1] : NULL;
        if (g && s_strcmp(g->province, a->province_code) == 0 && s_strcmp(g->sector, a->sector_code) == 0) {
            g->end = k + 1;
            continue;
        }
        w->groups[w->n_groups++] = (s_group_t){.province = a->province_code,
                                               .sector = a->sector_code,
                                               .focus = s_is_focus(fair, a->sector_code),
                                               .begin = k,
                                               .end = k + 1,
                                               .cursor = k,
                                               .kept = k};
    }
    return 0;
}

/* The group's best item whose entity was not picked in this pass, setting aside those passed
 * over; NULL when it has nothing more to give in this pass. */
static const s_item_t *s_next(s_work_t *w, s_group_t *g, size_t pass)
{
    while (g->cursor < g->end) {
        s_item_t *it = &w->items[g->cursor++];
        if (w->picked_in[it->entity] != pass)
            return it;
        w->items[g->kept++] = *it; /* kept <= cursor: compacts in place, priority order kept */
    }
    return NULL;
}

static void s_emit(const pro_fair_view_t *fair, pro_allocation_t *out, size_t idx, size_t pass)
{
    if (pass == 1 && out->n_booked < fair->booths)
        out->booked[out->n_booked++] = idx;
    else
        out->waiting[out->n_waiting++] = idx;
}

static void s_rounds(s_work_t *w, const pro_fair_view_t *fair, pro_allocation_t *out)
{
    size_t n_active = 0;
    for (size_t gi = 0; gi < w->n_groups; gi++)
        w->active[n_active++] = &w->groups[gi];
    for (size_t pass = 1; n_active > 0; pass++) {
        while (n_active > 0) {
            qsort(w->active, n_active, sizeof *w->active, s_cmp_group);
            size_t still = 0;
            for (size_t a = 0; a < n_active; a++) {
                s_group_t *g = w->active[a];
                const s_item_t *it = s_next(w, g, pass);
                if (!it)
                    continue; /* nothing left this pass: drops out */
                w->picked_in[it->entity] = pass;
                g->picks++;
                s_emit(fair, out, it->idx, pass);
                w->active[still++] = g;
            }
            n_active = still;
        }
        /* The next pass: what each group set aside. */
        for (size_t gi = 0; gi < w->n_groups; gi++) {
            s_group_t *g = &w->groups[gi];
            g->end = g->kept;
            g->cursor = g->kept = g->begin;
            if (g->begin < g->end)
                w->active[n_active++] = g;
        }
    }
}

static int s_allocate(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->n_booked = out->n_waiting = 0;
    if (n == 0)
        return 0;
    s_work_t w;
    int rc = s_work_init(&w, fair, apps, n);
    if (rc == 0)
        s_rounds(&w, fair, out);
    s_work_free(&w);
    return rc;
}

PRO_STRATEGY_REGISTER(s_fair_share, "fair-share",
                      "one booth per entity, spread round-robin over (province, sector) groups, stars first within "
                      "each; entities at an overlapping fair are refused",
                      s_allocate);
