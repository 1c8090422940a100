/* reg_entity — lookups of economic entities and of where a unit code places a record. */
#ifndef REG_ENTITY_H
#define REG_ENTITY_H

#include "ocop_service.h"
#include "registration.pb-c.h"
#include "reg_units.h"

/* The entity with id in the request's transaction and arena: 0 with *out, 1 when there is none,
 * -1 with the store error in reply. */
int reg_entity_find(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, Ocop__RegEntity **out);

/* As reg_product_load, for entities. */
Ocop__RegEntity *reg_entity_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id);

/* Retries of entity writes are answered with the entity as it is now: only its id is kept with
 * the request id (a whole reply is about 400 bytes, and every import row keeps one a week). */
extern const ocop_replay_t reg_entity_replay;

typedef struct {
    char version[16];          /* hierarchy the commune code belongs to */
    char province[16];         /* its province in that hierarchy */
    char district[16];         /* its district ("" when the hierarchy has none, as 2025) */
    char current_province[16]; /* today's province through the merge table */
} reg_place_t;

/* Checks that commune is a commune of requested_version (empty = current) and fills place.
 * 0, or -1 with the reply failed (NOT_FOUND on commune_code, INVALID on unit_version). */
int reg_commune_resolve(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *requested_version, const char *commune,
                        reg_place_t *place);

#endif
