/* bench_pool — a benchmark's producers: a workload's entities registered through a running
 * ocop-registration, the ids it gave them kept with their communes, and product registrations
 * drawn over them (each in its producer's commune). */
#ifndef BENCH_POOL_H
#define BENCH_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "bench_workload.h"
#include "envelope.pb-c.h"
#include "ocop_client.h"

typedef struct {
    const bench_workload_t *workload; /* not owned */
    size_t asked;                     /* entity registrations sent */
    char **entity_ids;                /* by entity request number; NULL where refused */
    const char **ids, **communes;     /* the registered entities and their communes */
    size_t n;
    Ocop__RegEntityRegister entity;
    Ocop__RegProductRegister product;
    bench_scratch_t scratch;
} bench_pool_t;

/* Registers entities 0..n-1 of workload on client (window in flight, run tag tag) into *pool.
 * 0, or -1 when a reply did not come or none was registered. */
int bench_pool_register(bench_pool_t *pool, const bench_workload_t *workload, ocop_client_t *client, size_t n,
                        size_t window, uint32_t tag);
/* Fills req with product registration number i by one of the pool's entities (valid until the
 * next call). */
void bench_pool_product(bench_pool_t *pool, uint64_t i, Ocop__Request *req);
/* Frees what the pool holds; safe twice. */
void bench_pool_free(bench_pool_t *pool);

#endif
