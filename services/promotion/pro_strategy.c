/* pro_strategy — the registry of booth allocation strategies and pro_strategy_run, which runs
 * one and checks what it returned. See pro_strategy.h.
 *
 * The registry is a singly linked list kept sorted by name (strcmp), so pro_strategy_list
 * gives the strategies by name whatever order their constructors ran in. Registration happens
 * before main, from constructors, on one thread; lookups afterwards only read the list, so no
 * lock is taken. A second registration of the same object is ignored; a second strategy with a
 * name already registered is not added (the first one to register keeps the name) and a line
 * says so on stderr, since a constructor has no caller to return an error to. Strategies without
 * a name or an allocate function are ignored the same way.
 *
 * pro_strategy_run checks its arguments, empties out, calls allocate and then verifies the
 * contract: allocate returned 0; n_booked <= fair->booths; n_booked <= n and n_waiting <= n (the
 * arrays only have room for n); every index < n; no index appears twice, in one list or across
 * both. When anything fails, out is emptied again (n_booked = n_waiting = 0) so that a caller
 * never acts on a half-checked allocation, and err says what went wrong. */
#include "pro_strategy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pro_strategy_t *s_head;

void pro_strategy_register(pro_strategy_t *s)
{
    if (!s)
        return;
    if (!s->name || !s->allocate) {
        fprintf(stderr, "pro_strategy: ignoring a strategy without %s\n", s->name ? "an allocate function" : "a name");
        return;
    }
    pro_strategy_t **at = &s_head;
    while (*at && strcmp((*at)->name, s->name) < 0)
        at = &(*at)->next;
    if (*at && strcmp((*at)->name, s->name) == 0) {
        if (*at != s)
            fprintf(stderr, "pro_strategy: a strategy named \"%s\" is already registered; ignoring the second\n",
                    s->name);
        return;
    }
    s->next = *at;
    *at = s;
}

const pro_strategy_t *pro_strategy_find(const char *name)
{
    if (!name)
        return NULL;
    for (const pro_strategy_t *s = s_head; s; s = s->next) {
        int c = strcmp(s->name, name);
        if (c == 0)
            return s;
        if (c > 0)
            break; /* sorted: it is not further on */
    }
    return NULL;
}

size_t pro_strategy_list(const pro_strategy_t **out, size_t max)
{
    size_t count = 0;
    for (const pro_strategy_t *s = s_head; s; s = s->next) {
        if (out && count < max)
            out[count] = s;
        count++;
    }
    return count;
}

__attribute__((format(printf, 3, 4))) static int s_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Marks each index of list in seen; -1 (with err) at the first one out of range or seen before. */
static int s_check_list(const char *sname, const char *what, const size_t *list, size_t count, size_t n,
                        unsigned char *seen, char *err, size_t errlen)
{
    for (size_t i = 0; i < count; i++) {
        size_t idx = list[i];
        if (idx >= n)
            return s_fail(err, errlen, "strategy \"%s\": %s[%zu] = %zu is out of range (%zu applications)", sname, what,
                          i, idx, n);
        if (seen[idx])
            return s_fail(err, errlen, "strategy \"%s\": application %zu appears twice (again as %s[%zu])", sname, idx,
                          what, i);
        seen[idx] = 1;
    }
    return 0;
}

static int s_check(const pro_strategy_t *s, const pro_fair_view_t *fair, size_t n, const pro_allocation_t *out,
                   char *err, size_t errlen)
{
    if (out->n_booked > fair->booths)
        return s_fail(err, errlen, "strategy \"%s\" booked %zu applications for %u booths", s->name, out->n_booked,
                      (unsigned)fair->booths);
    if (out->n_booked > n || out->n_waiting > n)
        return s_fail(err, errlen, "strategy \"%s\" returned %zu booked and %zu waiting of %zu applications", s->name,
                      out->n_booked, out->n_waiting, n);
    if (n == 0)
        return 0;
    unsigned char *seen = calloc(n, 1);
    if (!seen)
        return s_fail(err, errlen, "out of memory checking strategy \"%s\"", s->name);
    int rc = s_check_list(s->name, "booked", out->booked, out->n_booked, n, seen, err, errlen);
    if (rc == 0)
        rc = s_check_list(s->name, "waiting", out->waiting, out->n_waiting, n, seen, err, errlen);
    free(seen);
    return rc;
}

int pro_strategy_run(const pro_strategy_t *s, const pro_fair_view_t *fair, const pro_application_t *apps, size_t n,
                     pro_allocation_t *out, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!s || !s->allocate)
        return s_fail(err, errlen, "no strategy");
    if (!fair || !out)
        return s_fail(err, errlen, "strategy \"%s\": no fair or no allocation to fill", s->name);
    if (fair->booths < 1)
        return s_fail(err, errlen, "fair %s has no booths", fair->id ? fair->id : "(unnamed)");
    if (n > 0 && (!apps || !out->booked || !out->waiting))
        return s_fail(err, errlen, "strategy \"%s\": no applications or no room for the allocation", s->name);
    out->n_booked = out->n_waiting = 0;
    int rc = s->allocate(fair, apps, n, out);
    if (rc != 0)
        rc = s_fail(err, errlen, "strategy \"%s\" failed (%d)", s->name, rc);
    else
        rc = s_check(s, fair, n, out, err, errlen);
    if (rc != 0)
        out->n_booked = out->n_waiting = 0;
    return rc;
}
