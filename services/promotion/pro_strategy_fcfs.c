/* pro_strategy_fcfs — "first-come-first-served": booths in order of arrival.
 *
 * What it does, exactly:
 *   1. An application whose entity is `overlapping` (it already holds a booth at another fair
 *      whose dates overlap) is refused: it is in neither list.
 *   2. The others are ordered by seq (earlier first); two with the same seq — which the service
 *      never produces — by id (strcmp), then by their index in the input, so that the order is
 *      total and the result deterministic.
 *   3. The first fair->booths of that order are booked (booth 1 to the earliest), the rest wait
 *      in that same order.
 * Nothing else is looked at: not stars, province, sector, focus sectors, nor whether an entity
 * has several applications (each is treated on its own). O(n log n) time, one array of n
 * pointers of scratch memory; -1 only when that cannot be allocated. */
#include "pro_strategy.h"

#include <stdlib.h>
#include <string.h>

static int s_strcmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int s_cmp_arrival(const void *pa, const void *pb)
{
    const pro_application_t *a = *(const pro_application_t *const *)pa;
    const pro_application_t *b = *(const pro_application_t *const *)pb;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    int c = s_strcmp(a->id, b->id);
    if (c != 0)
        return c;
    return (a > b) - (a < b); /* their order in the input */
}

static int s_allocate(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->n_booked = out->n_waiting = 0;
    if (n == 0)
        return 0;
    const pro_application_t **order = malloc(n * sizeof *order);
    if (!order)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!apps[i].overlapping)
            order[m++] = &apps[i];
    qsort(order, m, sizeof *order, s_cmp_arrival);
    for (size_t k = 0; k < m; k++) {
        size_t idx = (size_t)(order[k] - apps);
        if (out->n_booked < fair->booths)
            out->booked[out->n_booked++] = idx;
        else
            out->waiting[out->n_waiting++] = idx;
    }
    free(order);
    return 0;
}

PRO_STRATEGY_REGISTER(s_fcfs, "first-come-first-served",
                      "booths in order of arrival (seq); entities at an overlapping fair are refused", s_allocate);
