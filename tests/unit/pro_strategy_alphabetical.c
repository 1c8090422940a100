/* pro_strategy_alphabetical — a third strategy, outside services/promotion, compiled only into
 * test_pro_strategy: it shows that a strategy plugs in from its own file with one registration
 * line and nothing else touched. Booths go by product id (strcmp; then application id, then
 * input index); entities at an overlapping fair are refused; the rest wait in the same order. */
#include <stdlib.h>
#include <string.h>

#include "pro_strategy.h"

static int s_cmp(const void *pa, const void *pb)
{
    const pro_application_t *a = *(const pro_application_t *const *)pa;
    const pro_application_t *b = *(const pro_application_t *const *)pb;
    int c = strcmp(a->product_id, b->product_id);
    if (c == 0)
        c = strcmp(a->id, b->id);
    return c != 0 ? c : (a > b) - (a < b);
}

static int s_allocate(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    const pro_application_t **order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!apps[i].overlapping)
            order[m++] = &apps[i];
    qsort(order, m, sizeof *order, s_cmp);
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

PRO_STRATEGY_REGISTER(s_alphabetical, "alphabetical", "booths by product id order (a test strategy)", s_allocate);
