/* bench_workload — realistic registration requests from the shipped rules: communes of the
 * current unit hierarchy (units-2025.json), the product sets of the current catalogue
 * (catalogue-148.json) that are not fresh/raw, and Vietnamese entity, person and product names
 * composed from the shipped demo vocabulary (demo-names.json: product stems per set, entity
 * patterns, trades, brands, qualifiers, surnames and given names).
 *
 * Request number i is a pure function of i (a mixing hash picks commune, product set, name
 * parts and entity), so runs are repeatable and different i give different requests. */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "registration.pb-c.h"

typedef struct bench_workload_t bench_workload_t;

/* Reads units-2025.json, catalogue-148.json and demo-names.json of rules_dir. NULL + err. */
bench_workload_t *bench_workload_new(const char *rules_dir, char *err, size_t errlen);
void bench_workload_destroy(bench_workload_t **self_p);

size_t bench_workload_commune_count(const bench_workload_t *self);
size_t bench_workload_set_count(const bench_workload_t *self); /* non-fresh product sets */
const char *bench_workload_unit_version(const bench_workload_t *self);
const char *bench_workload_catalogue_version(const bench_workload_t *self);

/* Room for the strings of one request; the filled message points into it. */
typedef struct {
    char name[256];
    char tax_code[32];
    char representative[96];
    char phone[24];
    char *standards[2];
} bench_scratch_t;

/* Fills out (initialised here) with entity registration number i. */
void bench_workload_entity(const bench_workload_t *self, uint64_t i, Ocop__RegEntityRegister *out,
                           bench_scratch_t *scratch);

/* The commune of entity registration number i. */
const char *bench_workload_entity_commune(const bench_workload_t *self, uint64_t i);

/* Fills out (initialised here) with product registration number i by one of entity_ids, in that
 * entity's commune (entity_communes, parallel; both must outlive out): a product is registered in
 * its producer's province. Processing PROCESSED, a non-fresh product set, so that only
 * near-duplicates of other entities' names in the same commune and set get flagged. */
void bench_workload_product(const bench_workload_t *self, uint64_t i, const char *const *entity_ids,
                            const char *const *entity_communes, size_t n_entities, Ocop__RegProductRegister *out,
                            bench_scratch_t *scratch);

#endif
