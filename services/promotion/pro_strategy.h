/* pro_strategy — booth allocation behind a small interface, so that another scheduling strategy
 * plugs in without touching the service.
 *
 * A strategy is a table of C functions (a name and allocate). It registers itself with one line
 * in its own file:
 *
 *     static int s_allocate(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n,
 *                           pro_allocation_t *out) { ... }
 *     PRO_STRATEGY_REGISTER(my_strategy, "my-strategy", "what it favours, in one sentence", s_allocate);
 *
 * and a fair names the strategy it is allocated with. The service hands a strategy the fair and
 * every application still standing (eligibility — a valid 3★+ certificate covering the fair's
 * dates — is checked before, by the service); the strategy decides who gets a booth and the
 * order of the waiting list. Strategies must be deterministic: the same input gives the same
 * allocation (the service may recompute it, and audit may check it). */
#ifndef PRO_STRATEGY_H
#define PRO_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *id; /* the application's id, unique within the fair */
    const char *product_id;
    const char *entity_id;
    const char *province_code; /* the producer's province */
    const char *sector_code;
    uint32_t stars;   /* the product's certified stars (3..5) */
    uint64_t seq;     /* arrival order within the fair: 1, 2, 3, ... */
    bool overlapping; /* the entity already holds a booth at another fair whose dates overlap */
} pro_application_t;

typedef struct {
    const char *id;
    const char *province_code;
    uint32_t booths;                  /* capacity, >= 1 */
    const char *const *focus_sectors; /* sectors in focus (may favour them); n_focus may be 0 */
    size_t n_focus;
} pro_fair_view_t;

/* Filled by allocate: booked[i] is the index (into apps) of the application given booth i + 1;
 * waiting lists the others that may still get a booth, best first. Both arrays have room for n.
 * An application in neither is refused by the strategy (e.g. an entity already at an
 * overlapping fair). */
typedef struct {
    size_t *booked;
    size_t n_booked;
    size_t *waiting;
    size_t n_waiting;
} pro_allocation_t;

typedef int (*pro_allocate_fn)(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n,
                               pro_allocation_t *out);

typedef struct pro_strategy_t {
    const char *name;
    const char *description;
    pro_allocate_fn allocate;
    struct pro_strategy_t *next; /* the registry's list */
} pro_strategy_t;

/* Adds s to the registry (at start-up, before main, through PRO_STRATEGY_REGISTER). */
void pro_strategy_register(pro_strategy_t *s);
/* The strategy called name; NULL when none is registered. */
const pro_strategy_t *pro_strategy_find(const char *name);
/* Every registered strategy, by name: the count, and up to max of them into out. */
size_t pro_strategy_list(const pro_strategy_t **out, size_t max);

/* Runs the strategy and checks what it returned (each index once, booked <= booths, all < n).
 * 0, or -1 when the strategy failed or broke the contract (err says how). */
int pro_strategy_run(const pro_strategy_t *s, const pro_fair_view_t *fair, const pro_application_t *apps, size_t n,
                     pro_allocation_t *out, char *err, size_t errlen);

#define PRO_STRATEGY_REGISTER(var, name_, description_, fn)                                                            \
    static pro_strategy_t var = {name_, description_, fn, NULL};                                                       \
    __attribute__((constructor)) static void var##_register(void)                                                      \
    {                                                                                                                  \
        pro_strategy_register(&var);                                                                                   \
    }

#endif
