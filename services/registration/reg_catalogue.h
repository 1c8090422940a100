/* reg_catalogue — the versioned product catalogue (sectors/groups and product sets of
 * 1048/QĐ-TTg, 148/QĐ-TTg and 26/2026/QĐ-TTg), loaded from rules_dir/catalogue-*.json at
 * start-up (catalogue-map.json excepted: see reg_catalogue_map.h). */
#ifndef REG_CATALOGUE_H
#define REG_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char code[16];
    char name[160];
    bool fresh; /* fresh/raw product set: registrations are flagged for review */
} reg_product_set_t;

typedef struct {
    char code[16];
    char name[160];
    reg_product_set_t *sets;
    size_t n_sets;
} reg_sector_t;

typedef struct {
    char version[16];
    char effective_from[11]; /* YYYY-MM-DD */
    reg_sector_t *sectors;
    size_t n_sectors;
} reg_catalogue_t;

typedef struct reg_catalogues_t reg_catalogues_t;

/* Loads every catalogue-*.json of dir but catalogue-map.json. NULL + err (file and field) on a
 * broken file, on none, or when two catalogues share a version or an effective_from. A
 * catalogue's effective_to is not read: it is documentation, and a product may still be
 * registered under an ended catalogue that the request names (transitional dossiers). */
reg_catalogues_t *reg_catalogues_load(const char *dir, char *err, size_t errlen);
void reg_catalogues_destroy(reg_catalogues_t **self_p);

const reg_catalogue_t *reg_catalogues_find(const reg_catalogues_t *self, const char *version);
/* The catalogue in force on day (YYYY-MM-DD): the latest effective_from not after it. */
const reg_catalogue_t *reg_catalogues_current(const reg_catalogues_t *self, const char *day);
size_t reg_catalogues_count(const reg_catalogues_t *self);
const reg_catalogue_t *reg_catalogues_at(const reg_catalogues_t *self, size_t i);

const reg_sector_t *reg_catalogue_sector(const reg_catalogue_t *cat, const char *code);
const reg_product_set_t *reg_sector_product_set(const reg_sector_t *sector, const char *code);
/* The set with code in any sector of cat, and (when sector is not NULL) its sector; NULL if none. */
const reg_product_set_t *reg_catalogue_product_set(const reg_catalogue_t *cat, const char *code,
                                                   const reg_sector_t **sector);

/* The catalogue that follows cat (the earliest effective_from after cat's); NULL for the newest. */
const reg_catalogue_t *reg_catalogues_next(const reg_catalogues_t *self, const reg_catalogue_t *cat);
/* a came into force after b. */
bool reg_catalogue_newer(const reg_catalogue_t *a, const reg_catalogue_t *b);

#endif
