/* pro_strategy: the registry (find, list, a third strategy plugged in from its own file),
 * pro_strategy_run's contract checks (against deliberately broken strategies registered here),
 * and the two shipped strategies, first-come-first-served and fair-share, on hand-made cases,
 * for determinism and on 10,000 applications. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pro_strategy.h"

#define S_FCFS "first-come-first-served"
#define S_FAIR "fair-share"

/* ---- a set of applications ---- */

typedef struct {
    pro_application_t *a;
    size_t n, cap;
} s_set_t;

static char *s_dup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void s_add(s_set_t *set, const char *id, const char *entity, const char *province, const char *sector,
                  uint32_t stars, uint64_t seq, bool overlapping)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 16;
        set->a = realloc(set->a, set->cap * sizeof *set->a);
        assert_non_null(set->a);
    }
    char product[64];
    snprintf(product, sizeof product, "prod-%s", id);
    set->a[set->n++] = (pro_application_t){.id = s_dup(id),
                                           .product_id = s_dup(product),
                                           .entity_id = s_dup(entity),
                                           .province_code = s_dup(province),
                                           .sector_code = s_dup(sector),
                                           .stars = stars,
                                           .seq = seq,
                                           .overlapping = overlapping};
}

static void s_set_free(s_set_t *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free((char *)set->a[i].id);
        free((char *)set->a[i].product_id);
        free((char *)set->a[i].entity_id);
        free((char *)set->a[i].province_code);
        free((char *)set->a[i].sector_code);
    }
    free(set->a);
    memset(set, 0, sizeof *set);
}

/* Fisher-Yates with a fixed xorshift generator: the same shuffle every run. */
static void s_shuffle(s_set_t *set, uint64_t seed)
{
    uint64_t x = seed ? seed : 1;
    for (size_t i = set->n; i > 1; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % i);
        pro_application_t t = set->a[i - 1];
        set->a[i - 1] = set->a[j];
        set->a[j] = t;
    }
}

/* ---- running a strategy ---- */

typedef struct {
    size_t *booked, *waiting;
    pro_allocation_t out;
    char booked_ids[4096], waiting_ids[4096]; /* "a,b,c" */
    char err[256];
} s_result_t;

static void s_ids(const s_set_t *set, const size_t *list, size_t count, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "," : "", set->a[list[i]].id);
}

static int s_run_strategy(const pro_strategy_t *s, const pro_fair_view_t *fair, const s_set_t *set, s_result_t *r)
{
    memset(r, 0, sizeof *r);
    size_t room = set->n ? set->n : 1;
    r->booked = malloc(room * sizeof *r->booked);
    r->waiting = malloc(room * sizeof *r->waiting);
    assert_non_null(r->booked);
    assert_non_null(r->waiting);
    r->out = (pro_allocation_t){.booked = r->booked, .waiting = r->waiting};
    int rc = pro_strategy_run(s, fair, set->a, set->n, &r->out, r->err, sizeof r->err);
    if (rc == 0) {
        s_ids(set, r->booked, r->out.n_booked, r->booked_ids, sizeof r->booked_ids);
        s_ids(set, r->waiting, r->out.n_waiting, r->waiting_ids, sizeof r->waiting_ids);
    }
    return rc;
}

static void s_run(const char *name, const pro_fair_view_t *fair, const s_set_t *set, s_result_t *r)
{
    const pro_strategy_t *s = pro_strategy_find(name);
    assert_non_null(s);
    int rc = s_run_strategy(s, fair, set, r);
    if (rc != 0)
        fail_msg("%s: %s", name, r->err);
}

static void s_result_free(s_result_t *r)
{
    free(r->booked);
    free(r->waiting);
}

static pro_fair_view_t s_fair(uint32_t booths)
{
    return (pro_fair_view_t){.id = "fair-1", .province_code = "01", .booths = booths};
}

/* ---- deliberately broken strategies, for pro_strategy_run's checks ---- */

static int s_twice(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->booked[out->n_booked++] = 0;
    out->waiting[out->n_waiting++] = 0; /* application 0 both booked and waiting */
    return 0;
}
PRO_STRATEGY_REGISTER(s_broken_twice, "broken-twice", "gives application 0 a booth and a waiting place", s_twice);

static int s_twice_booked(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->booked[out->n_booked++] = 1;
    out->booked[out->n_booked++] = 1;
    return 0;
}
PRO_STRATEGY_REGISTER(s_broken_twice_booked, "broken-twice-booked", "gives application 1 two booths", s_twice_booked);

static int s_overbook(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    for (size_t i = 0; i < n; i++)
        out->booked[out->n_booked++] = i; /* every application, whatever the capacity */
    return 0;
}
PRO_STRATEGY_REGISTER(s_broken_overbook, "broken-overbook", "books everyone", s_overbook);

static int s_out_of_range(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->waiting[out->n_waiting++] = n;
    return 0;
}
PRO_STRATEGY_REGISTER(s_broken_range, "broken-out-of-range", "an index past the end", s_out_of_range);

static int s_fails(const pro_fair_view_t *fair, const pro_application_t *apps, size_t n, pro_allocation_t *out)
{
    out->booked[out->n_booked++] = 0;
    return -7;
}
PRO_STRATEGY_REGISTER(s_broken_fails, "broken-fails", "reports a failure", s_fails);

/* ---- the registry ---- */

static void test_registry_find(void **state)
{
    const pro_strategy_t *fcfs = pro_strategy_find(S_FCFS), *fair = pro_strategy_find(S_FAIR);
    assert_non_null(fcfs);
    assert_non_null(fair);
    assert_string_equal(fcfs->name, S_FCFS);
    assert_string_equal(fair->name, S_FAIR);
    assert_non_null(fcfs->description);
    assert_non_null(fair->description);
    assert_null(pro_strategy_find("no-such-strategy"));
    assert_null(pro_strategy_find(""));
    assert_null(pro_strategy_find("fair"));
    assert_null(pro_strategy_find(NULL));
}

static void test_registry_list(void **state)
{
    size_t count = pro_strategy_list(NULL, 0);
    /* at least the 2 shipped, alphabetical and the 5 broken ones of this file */
    assert_true(count >= 8 && count <= 32);
    const pro_strategy_t *all[32];
    assert_int_equal(pro_strategy_list(all, 32), count);
    int have_fcfs = 0, have_fair = 0, have_alpha = 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            assert_true(strcmp(all[i - 1]->name, all[i]->name) < 0); /* by name */
        have_fcfs += strcmp(all[i]->name, S_FCFS) == 0;
        have_fair += strcmp(all[i]->name, S_FAIR) == 0;
        have_alpha += strcmp(all[i]->name, "alphabetical") == 0;
        assert_ptr_equal(pro_strategy_find(all[i]->name), all[i]);
    }
    assert_int_equal(have_fcfs, 1);
    assert_int_equal(have_fair, 1);
    assert_int_equal(have_alpha, 1);
    /* max smaller than the count: fills max, still returns the count */
    const pro_strategy_t *two[3] = {NULL, NULL, NULL};
    assert_int_equal(pro_strategy_list(two, 2), count);
    assert_ptr_equal(two[0], all[0]);
    assert_ptr_equal(two[1], all[1]);
    assert_null(two[2]);
}

static void test_registry_duplicates_ignored(void **state)
{
    size_t count = pro_strategy_list(NULL, 0);
    /* the same object again: nothing changes */
    pro_strategy_register((pro_strategy_t *)pro_strategy_find(S_FCFS));
    assert_int_equal(pro_strategy_list(NULL, 0), count);
    /* another strategy under a name already taken: the first keeps it */
    static pro_strategy_t impostor = {S_FAIR, "an impostor", s_overbook, NULL};
    pro_strategy_register(&impostor);
    assert_int_equal(pro_strategy_list(NULL, 0), count);
    assert_ptr_not_equal(pro_strategy_find(S_FAIR), &impostor);
    /* without a name or an allocate function: ignored */
    static pro_strategy_t nameless = {NULL, "x", s_overbook, NULL}, idle = {"idle", "x", NULL, NULL};
    pro_strategy_register(&nameless);
    pro_strategy_register(&idle);
    pro_strategy_register(NULL);
    assert_int_equal(pro_strategy_list(NULL, 0), count);
    assert_null(pro_strategy_find("idle"));
}

/* The strategy of tests/unit/pro_strategy_alphabetical.c: registered from its own file. */
static void test_alphabetical_plugs_in(void **state)
{
    const pro_strategy_t *s = pro_strategy_find("alphabetical");
    assert_non_null(s);
    s_set_t set = {0};
    s_add(&set, "c", "E1", "01", "S1", 3, 1, false);
    s_add(&set, "a", "E2", "01", "S1", 3, 2, false);
    s_add(&set, "d", "E3", "01", "S1", 3, 3, true);
    s_add(&set, "b", "E4", "01", "S1", 3, 4, false);
    pro_fair_view_t fair = s_fair(2);
    s_result_t r;
    assert_int_equal(s_run_strategy(s, &fair, &set, &r), 0);
    assert_string_equal(r.booked_ids, "a,b");
    assert_string_equal(r.waiting_ids, "c"); /* d refused */
    s_result_free(&r);
    s_set_free(&set);
}

/* ---- pro_strategy_run's checks ---- */

static void s_expect_broken(const char *name, uint32_t booths, const char *needle)
{
    s_set_t set = {0};
    s_add(&set, "a", "E1", "01", "S1", 3, 1, false);
    s_add(&set, "b", "E2", "01", "S1", 3, 2, false);
    s_add(&set, "c", "E3", "01", "S1", 3, 3, false);
    pro_fair_view_t fair = s_fair(booths);
    s_result_t r;
    const pro_strategy_t *s = pro_strategy_find(name);
    assert_non_null(s);
    assert_int_equal(s_run_strategy(s, &fair, &set, &r), -1);
    assert_int_equal(r.out.n_booked, 0); /* emptied: nothing half-checked is left to act on */
    assert_int_equal(r.out.n_waiting, 0);
    if (!strstr(r.err, needle))
        fail_msg("%s: \"%s\" does not say \"%s\"", name, r.err, needle);
    assert_non_null(strstr(r.err, name));
    s_result_free(&r);
    s_set_free(&set);
}

static void test_run_rejects_broken_strategies(void **state)
{
    s_expect_broken("broken-twice", 2, "appears twice");
    s_expect_broken("broken-twice-booked", 2, "appears twice");
    s_expect_broken("broken-overbook", 2, "booked 3 applications for 2 booths");
    s_expect_broken("broken-out-of-range", 2, "out of range");
    s_expect_broken("broken-fails", 2, "failed (-7)");
    /* books everyone: fine when everyone fits */
    s_set_t set = {0};
    s_add(&set, "a", "E1", "01", "S1", 3, 1, false);
    pro_fair_view_t fair = s_fair(5);
    s_result_t r;
    assert_int_equal(s_run_strategy(pro_strategy_find("broken-overbook"), &fair, &set, &r), 0);
    assert_int_equal(r.out.n_booked, 1);
    s_result_free(&r);
    s_set_free(&set);
}

static void test_run_checks_arguments(void **state)
{
    s_set_t set = {0};
    s_add(&set, "a", "E1", "01", "S1", 3, 1, false);
    size_t booked[1], waiting[1];
    pro_allocation_t out = {.booked = booked, .waiting = waiting};
    char err[128];
    pro_fair_view_t fair = s_fair(0);
    const pro_strategy_t *fcfs = pro_strategy_find(S_FCFS);
    assert_int_equal(pro_strategy_run(fcfs, &fair, set.a, set.n, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no booths"));
    fair.booths = 1;
    assert_int_equal(pro_strategy_run(NULL, &fair, set.a, set.n, &out, err, sizeof err), -1);
    assert_int_equal(pro_strategy_run(fcfs, NULL, set.a, set.n, &out, err, sizeof err), -1);
    assert_int_equal(pro_strategy_run(fcfs, &fair, set.a, set.n, NULL, err, sizeof err), -1);
    assert_int_equal(pro_strategy_run(fcfs, &fair, NULL, set.n, &out, err, sizeof err), -1);
    assert_int_equal(pro_strategy_run(fcfs, &fair, set.a, set.n, &out, NULL, 0), 0); /* err is optional */
    assert_int_equal(out.n_booked, 1);
    /* no applications: empty lists, from a stale out too */
    out.n_booked = out.n_waiting = 7;
    assert_int_equal(pro_strategy_run(fcfs, &fair, NULL, 0, &out, err, sizeof err), 0);
    assert_int_equal(out.n_booked, 0);
    assert_int_equal(out.n_waiting, 0);
    assert_string_equal(err, "");
    const pro_strategy_t *fs = pro_strategy_find(S_FAIR);
    out.n_booked = out.n_waiting = 7;
    assert_int_equal(pro_strategy_run(fs, &fair, NULL, 0, &out, err, sizeof err), 0);
    assert_int_equal(out.n_booked + out.n_waiting, 0);
    s_set_free(&set);
}

/* ---- first-come-first-served ---- */

static void test_fcfs_by_seq_with_capacity(void **state)
{
    s_set_t set = {0};
    s_add(&set, "late", "E1", "01", "S1", 5, 40, false);
    s_add(&set, "first", "E2", "02", "S2", 3, 10, false);
    s_add(&set, "third", "E3", "01", "S1", 4, 30, false);
    s_add(&set, "second", "E4", "03", "S1", 3, 20, false);
    s_add(&set, "last", "E5", "01", "S1", 5, 50, false);
    pro_fair_view_t fair = s_fair(3);
    s_result_t r;
    s_run(S_FCFS, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "first,second,third"); /* stars play no part */
    assert_string_equal(r.waiting_ids, "late,last");
    s_result_free(&r);
    /* more booths than applications: all booked, none waits */
    fair.booths = 10;
    s_run(S_FCFS, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "first,second,third,late,last");
    assert_int_equal(r.out.n_waiting, 0);
    s_result_free(&r);
    s_set_free(&set);
}

static void test_fcfs_refuses_overlapping(void **state)
{
    s_set_t set = {0};
    s_add(&set, "a", "E1", "01", "S1", 3, 1, true);
    s_add(&set, "b", "E2", "01", "S1", 3, 2, false);
    s_add(&set, "c", "E1", "01", "S1", 3, 3, true);
    s_add(&set, "d", "E3", "01", "S1", 3, 4, false);
    s_add(&set, "e", "E4", "01", "S1", 3, 5, false);
    pro_fair_view_t fair = s_fair(1);
    s_result_t r;
    s_run(S_FCFS, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "b");
    assert_string_equal(r.waiting_ids, "d,e"); /* a and c in neither list */
    s_result_free(&r);
    s_set_free(&set);
}

static void test_fcfs_ties_and_shuffles(void **state)
{
    /* equal seq (never produced by the service): by id */
    s_set_t set = {0};
    s_add(&set, "y", "E1", "01", "S1", 3, 7, false);
    s_add(&set, "x", "E2", "01", "S1", 3, 7, false);
    s_add(&set, "w", "E3", "01", "S1", 3, 9, false);
    s_add(&set, "z", "E4", "01", "S1", 3, 1, false);
    pro_fair_view_t fair = s_fair(2);
    s_result_t r;
    s_run(S_FCFS, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "z,x");
    assert_string_equal(r.waiting_ids, "y,w");
    s_result_free(&r);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        s_shuffle(&set, seed);
        s_run(S_FCFS, &fair, &set, &r);
        assert_string_equal(r.booked_ids, "z,x");
        assert_string_equal(r.waiting_ids, "y,w");
        s_result_free(&r);
    }
    s_set_free(&set);
}

/* ---- fair-share ---- */

static void test_fair_share_capacity_and_overlapping(void **state)
{
    s_set_t set = {0};
    s_add(&set, "a", "E1", "01", "S1", 5, 1, true); /* refused however good */
    s_add(&set, "b", "E2", "01", "S1", 3, 2, false);
    s_add(&set, "c", "E3", "01", "S1", 4, 3, false);
    s_add(&set, "d", "E4", "01", "S1", 3, 4, false);
    pro_fair_view_t fair = s_fair(2);
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "c,b");
    assert_string_equal(r.waiting_ids, "d");
    s_result_free(&r);
    s_set_free(&set);
}

static void test_fair_share_priority_within_group(void **state)
{
    /* one group: stars, then seq, then id */
    s_set_t set = {0};
    s_add(&set, "three", "E1", "01", "S1", 3, 1, false);
    s_add(&set, "five", "E2", "01", "S1", 5, 9, false);
    s_add(&set, "four-late", "E3", "01", "S1", 4, 8, false);
    s_add(&set, "four-early", "E4", "01", "S1", 4, 2, false);
    s_add(&set, "four-b", "E5", "01", "S1", 4, 5, false);
    s_add(&set, "four-a", "E6", "01", "S1", 4, 5, false);
    pro_fair_view_t fair = s_fair(3);
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "five,four-early,four-a");
    assert_string_equal(r.waiting_ids, "four-b,four-late,three");
    s_result_free(&r);
    s_set_free(&set);
}

static void test_fair_share_one_booth_per_entity(void **state)
{
    s_set_t set = {0};
    s_add(&set, "big-1", "BIG", "01", "S1", 5, 1, false);
    s_add(&set, "big-2", "BIG", "01", "S1", 5, 2, false);
    s_add(&set, "big-3", "BIG", "02", "S2", 5, 3, false); /* another group, same entity */
    s_add(&set, "small-1", "E1", "01", "S1", 3, 4, false);
    s_add(&set, "small-2", "E2", "01", "S1", 3, 5, false);
    pro_fair_view_t fair = s_fair(3);
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    /* round 1: 01/S1 gives big-1, 02/S2 has only BIG's: gives nothing; round 2: small-1; round 3: small-2.
     * BIG's other applications wait behind every entity's first one: in the second pass 02/S2 (no
     * picks yet) gives big-3 before 01/S1 (three picks) could give big-2, which the third pass gives. */
    assert_string_equal(r.booked_ids, "big-1,small-1,small-2");
    assert_string_equal(r.waiting_ids, "big-3,big-2");
    s_result_free(&r);
    /* fewer entities than booths: booths stay empty, the extra applications wait */
    s_set_t one = {0};
    s_add(&one, "x1", "X", "01", "S1", 4, 1, false);
    s_add(&one, "x2", "X", "01", "S1", 5, 2, false);
    s_add(&one, "x3", "X", "02", "S1", 5, 3, false);
    fair.booths = 5;
    s_run(S_FAIR, &fair, &one, &r);
    assert_string_equal(r.booked_ids, "x2"); /* 01/S1 before 02/S1; its best is 5 stars */
    assert_string_equal(r.waiting_ids, "x3,x1");
    s_result_free(&r);
    s_set_free(&one);
    s_set_free(&set);
}

static void test_fair_share_balance_provinces_sectors(void **state)
{
    /* 3 provinces x 2 sectors, 3 applications each, the 5-star ones all in 01/S1: 6 booths give
     * one to each group, the best of each. */
    s_set_t set = {0};
    const char *prov[] = {"01", "02", "03"}, *sect[] = {"S1", "S2"};
    uint64_t seq = 1;
    for (int k = 0; k < 3; k++)
        for (int p = 0; p < 3; p++)
            for (int s = 0; s < 2; s++) {
                char id[32], ent[32];
                snprintf(id, sizeof id, "%s-%s-%d", prov[p], sect[s], k);
                snprintf(ent, sizeof ent, "E-%s", id);
                uint32_t stars = (p == 0 && s == 0) ? 5 : (uint32_t)(3 + (k == 1));
                s_add(&set, id, ent, prov[p], sect[s], stars, seq++, false);
            }
    pro_fair_view_t fair = s_fair(6);
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "01-S1-0,01-S2-1,02-S1-1,02-S2-1,03-S1-1,03-S2-1");
    /* the waiting list: the rounds that would have followed */
    assert_string_equal(r.waiting_ids, "01-S1-1,01-S2-0,02-S1-0,02-S2-0,03-S1-0,03-S2-0,"
                                       "01-S1-2,01-S2-2,02-S1-2,02-S2-2,03-S1-2,03-S2-2");
    s_result_free(&r);
    /* fcfs, for contrast, books the first six arrivals */
    s_run(S_FCFS, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "01-S1-0,01-S2-0,02-S1-0,02-S2-0,03-S1-0,03-S2-0");
    s_result_free(&r);
    s_set_free(&set);
}

static void test_fair_share_group_order(void **state)
{
    /* Equal picks: focus sectors first, then province, then sector. */
    s_set_t set = {0};
    s_add(&set, "p02-s1", "E1", "02", "S1", 5, 1, false);
    s_add(&set, "p01-s3", "E2", "01", "S3", 3, 2, false);
    s_add(&set, "p01-s2", "E3", "01", "S2", 3, 3, false);
    s_add(&set, "p03-s2", "E4", "03", "S2", 3, 4, false);
    s_add(&set, "p01-s1", "E5", "01", "S1", 3, 5, false);
    pro_fair_view_t fair = s_fair(2);
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "p01-s1,p01-s2");
    assert_string_equal(r.waiting_ids, "p01-s3,p02-s1,p03-s2");
    s_result_free(&r);
    const char *focus[] = {"S2", "S9"};
    fair.focus_sectors = focus;
    fair.n_focus = 2;
    s_run(S_FAIR, &fair, &set, &r);
    assert_string_equal(r.booked_ids, "p01-s2,p03-s2");
    assert_string_equal(r.waiting_ids, "p01-s1,p01-s3,p02-s1");
    s_result_free(&r);
    /* a later pass: groups with fewer picks so far go first. BIG is picked in 01/S1 in the first
     * pass; its 02/S1 application is set aside and comes back in the second pass, where 02/S1
     * (no picks yet) goes before 01/S1 (one pick). */
    s_set_t two = {0};
    s_add(&two, "big-a", "BIG", "01", "S1", 5, 1, false);
    s_add(&two, "big-b", "BIG", "01", "S1", 4, 2, false);
    s_add(&two, "big-c", "BIG", "02", "S1", 5, 3, false);
    fair = s_fair(1);
    s_run(S_FAIR, &fair, &two, &r);
    assert_string_equal(r.booked_ids, "big-a");
    assert_string_equal(r.waiting_ids, "big-c,big-b");
    s_result_free(&r);
    s_set_free(&two);
    s_set_free(&set);
}

/* ---- determinism and size ---- */

/* n applications over 34 provinces x 6 sectors, entities with one to three applications, a few
 * at overlapping fairs; stars and seq from a fixed generator. */
static void s_make_large(s_set_t *set, size_t n, size_t overlapping_every)
{
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        char id[32], ent[32], prov[8], sect[8];
        snprintf(id, sizeof id, "app-%05zu", i);
        size_t entity = i - i % 3 + (size_t)(x % 2); /* groups of two or three share an entity */
        snprintf(ent, sizeof ent, "ent-%05zu", entity);
        snprintf(prov, sizeof prov, "%02u", (unsigned)(1 + (x >> 8) % 34));
        snprintf(sect, sizeof sect, "S%u", (unsigned)(1 + (x >> 16) % 6));
        uint32_t pct = (uint32_t)((x >> 24) % 100), stars = pct < 67 ? 3 : pct < 98 ? 4 : 5;
        bool over = overlapping_every && entity % overlapping_every == 0;
        s_add(set, id, ent, prov, sect, stars, i + 1, over);
    }
}

static void test_determinism(void **state)
{
    s_set_t set = {0};
    s_make_large(&set, 600, 17);
    const char *focus[] = {"S3"};
    pro_fair_view_t fair = s_fair(40);
    fair.focus_sectors = focus;
    fair.n_focus = 1;
    const char *names[] = {S_FCFS, S_FAIR};
    for (size_t k = 0; k < 2; k++) {
        s_result_t first, again;
        s_run(names[k], &fair, &set, &first);
        s_run(names[k], &fair, &set, &again);
        assert_int_equal(first.out.n_booked, 40);
        assert_string_equal(first.booked_ids, again.booked_ids);
        assert_string_equal(first.waiting_ids, again.waiting_ids);
        s_result_free(&again);
        /* the input order plays no part: same booked ids, same waiting list, in the same order */
        s_set_t shuffled = {0};
        s_make_large(&shuffled, 600, 17);
        for (uint64_t seed = 11; seed < 14; seed++) {
            s_shuffle(&shuffled, seed);
            s_run(names[k], &fair, &shuffled, &again);
            assert_string_equal(first.booked_ids, again.booked_ids);
            assert_string_equal(first.waiting_ids, again.waiting_ids);
            s_result_free(&again);
        }
        s_set_free(&shuffled);
        s_result_free(&first);
    }
    s_set_free(&set);
}

/* fair-share's invariants on a realistic fair: refused = overlapping, one booth per entity,
 * booked groups differ by at most one booth (every group has plenty to give). */
static void test_fair_share_invariants_large(void **state)
{
    s_set_t set = {0};
    s_make_large(&set, 3000, 23);
    pro_fair_view_t fair = s_fair(204); /* 34 x 6 groups */
    s_result_t r;
    s_run(S_FAIR, &fair, &set, &r);
    assert_int_equal(r.out.n_booked, 204);
    size_t overlapping = 0;
    for (size_t i = 0; i < set.n; i++)
        overlapping += set.a[i].overlapping;
    assert_int_equal(r.out.n_booked + r.out.n_waiting + overlapping, set.n);
    unsigned per_group[34][6] = {{0}};
    for (size_t b = 0; b < r.out.n_booked; b++) {
        const pro_application_t *a = &set.a[r.booked[b]];
        assert_false(a->overlapping);
        per_group[atoi(a->province_code) - 1][a->sector_code[1] - '1']++;
        for (size_t c = 0; c < b; c++)
            assert_string_not_equal(a->entity_id, set.a[r.booked[c]].entity_id);
    }
    for (int p = 0; p < 34; p++)
        for (int s = 0; s < 6; s++)
            assert_int_equal(per_group[p][s], 1);
    s_result_free(&r);
    s_set_free(&set);
}

/* Not timed: 10,000 applications and 400 booths complete, every strategy books 400. */
static void test_ten_thousand_applications(void **state)
{
    s_set_t set = {0};
    s_make_large(&set, 10000, 31);
    pro_fair_view_t fair = s_fair(400);
    const char *names[] = {S_FCFS, S_FAIR, "alphabetical"};
    for (size_t k = 0; k < 3; k++) {
        s_result_t r;
        s_run(names[k], &fair, &set, &r);
        assert_int_equal(r.out.n_booked, 400);
        assert_true(r.out.n_waiting > 8000);
        s_result_free(&r);
    }
    s_set_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_find),
        cmocka_unit_test(test_registry_list),
        cmocka_unit_test(test_registry_duplicates_ignored),
        cmocka_unit_test(test_alphabetical_plugs_in),
        cmocka_unit_test(test_run_rejects_broken_strategies),
        cmocka_unit_test(test_run_checks_arguments),
        cmocka_unit_test(test_fcfs_by_seq_with_capacity),
        cmocka_unit_test(test_fcfs_refuses_overlapping),
        cmocka_unit_test(test_fcfs_ties_and_shuffles),
        cmocka_unit_test(test_fair_share_capacity_and_overlapping),
        cmocka_unit_test(test_fair_share_priority_within_group),
        cmocka_unit_test(test_fair_share_one_booth_per_entity),
        cmocka_unit_test(test_fair_share_balance_provinces_sectors),
        cmocka_unit_test(test_fair_share_group_order),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_fair_share_invariants_large),
        cmocka_unit_test(test_ten_thousand_applications),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
