/* reg_catalogue_map — which product sets of the next catalogue cover each product set of an
 * older one (rules_dir/catalogue-map.json), for reclassifying products when a catalogue comes
 * into force. Loaded at start-up after the catalogues; read-only afterwards.
 *
 * The file holds one table per catalogue but the newest, from it to the next one (by
 * effective_from); an entry lists the sets of the newer catalogue that cover one set of the
 * older. One target: the product can be moved without asking; several: a person chooses. */
#ifndef REG_CATALOGUE_MAP_H
#define REG_CATALOGUE_MAP_H

#include <stddef.h>

#include "reg_catalogue.h"

#define REG_CATALOGUE_MAP_FILE "catalogue-map.json"
/* Targets of one entry, and of a set followed across several tables. */
#define REG_CATALOGUE_MAP_TARGETS_MAX 32

typedef struct reg_catalogue_map_t reg_catalogue_map_t;

/* Loads dir/catalogue-map.json and checks it against cats: every table goes from a catalogue to
 * the next one; every catalogue but the newest has exactly one table; a table's entries name
 * each set of its older catalogue exactly once, each with a non-empty list of distinct sets of
 * the newer one. The file may be absent only when there is a single catalogue (the map is then
 * empty). NULL + err ("path: field: reason") otherwise. The map keeps no pointer into cats. */
reg_catalogue_map_t *reg_catalogue_map_load(const char *dir, const reg_catalogues_t *cats, char *err, size_t errlen);
void reg_catalogue_map_destroy(reg_catalogue_map_t **self_p);

/* The sets of catalogue to_version that cover set from_set of catalogue from_version, following
 * the tables from one catalogue to the next (a set covers what its targets cover), in order of
 * first appearance without repeats. out receives at most REG_CATALOGUE_MAP_TARGETS_MAX codes
 * owned by the map. Returns their number: 0 when from_set is not in the table of from_version,
 * -1 when no chain of tables leads from from_version to to_version (the same version, an older
 * one, or one the map does not know). */
int reg_catalogue_map_targets(const reg_catalogue_map_t *self, const char *from_version, const char *from_set,
                              const char *to_version, const char *out[REG_CATALOGUE_MAP_TARGETS_MAX]);

#endif
