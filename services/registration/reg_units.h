/* reg_units — administrative units as versioned data: the 2008 hierarchy (63 provinces ›
 * districts › communes), the 2025 one (34 provinces › communes) and those after it, a merge
 * table from each version to the next, lookups, and the unit requests (get, list, import). */
#ifndef REG_UNITS_H
#define REG_UNITS_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

#include "ocop_rulefile.h"
#include "ocop_service.h"
#include "registration.pb-c.h"

typedef struct reg_state reg_state_t;

typedef struct {
    char version[16];
    char effective_from[11];
    char path[1024];
    char digest[OCOP_RULEFILE_DIGEST_LEN]; /* SHA-256 of the units file, to notice a changed file */
} reg_hierarchy_t;

typedef struct reg_hierarchies_t reg_hierarchies_t;

/* Reads the version header of every units-*.json in dir (units are read when seeding). */
reg_hierarchies_t *reg_hierarchies_load(const char *dir, char *err, size_t errlen);
void reg_hierarchies_destroy(reg_hierarchies_t **self_p);
const reg_hierarchy_t *reg_hierarchies_find(const reg_hierarchies_t *self, const char *version);
/* The hierarchy in force on day (YYYY-MM-DD). */
const reg_hierarchy_t *reg_hierarchies_current(const reg_hierarchies_t *self, const char *day);

/* Writes the shipped units of every version the store has not seen yet, with the successor
 * codes of the merge-*.json files of dir, and writes them again when the version's units file
 * or a merge file from it has changed since (a correction, a new table to the next version).
 * Rewriting keeps the units the file does not list (imported ones) and replaces those it lists.
 * 0, or -1 + err (file and field). */
int reg_units_seed(reg_state_t *state, const char *dir, char *err, size_t errlen);

/* The unit, or NULL when absent (or on a store error, reported through *rc): for the seeding. */
Ocop__RegUnit *reg_unit_find(reg_state_t *state, MDB_txn *txn, ProtobufCAllocator *alloc, const char *version,
                             const char *code, int *rc);

/* The unit of version and code in the request's transaction and arena: 0 with *out, 1 when there
 * is none, -1 with the store error in reply. */
int reg_unit_get(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *version, const char *code, Ocop__RegUnit **out);

/* Today's province code (day: YYYY-MM-DD) for province_code of version: itself in the hierarchy
 * in force on day, otherwise the first successor through the merge table. Copies into out
 * (>= 16 bytes). 0, 1 when the chain is broken, -1 with the store error in reply. */
int reg_units_current_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *day, const char *version,
                               const char *province_code, char *out, size_t outlen);

#endif
