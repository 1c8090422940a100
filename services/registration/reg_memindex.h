/* reg_memindex — the two product indexes whose keys scatter over the whole store, kept in
 * memory instead: screening blocks (the products of a commune, with what duplicate screening
 * compares, and each block's trigram index so screening looks only at products sharing
 * trigrams with the new name) and the products of each entity.
 *
 * In LMDB every registration dirtied one page of each of them that few other registrations of
 * the batch shared, which made them most of what a commit wrote. Both are derived data: they
 * are rebuilt from the `products` database at start-up, and every change is journalled so that
 * the service loop can undo a discarded request or batch (ocop_memory_undo_t). Lists are in id
 * order, because ids grow and entries are only ever appended. */
#ifndef REG_MEMINDEX_H
#define REG_MEMINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ocop_scan.h"
#include "registration.pb-c.h"

/* Catalogue versions and product-set codes are short (reg_catalogue_t's fields). */
#define REG_MEMINDEX_CODE_LEN 16

typedef struct {
    char *id;
    char *entity_id;
    char catalogue_version[REG_MEMINDEX_CODE_LEN]; /* changed in place by a reclassification */
    char product_set_code[REG_MEMINDEX_CODE_LEN];
    char *name;      /* as registered, shown to reviewers among candidates */
    char *key;       /* normalised name */
    uint32_t *grams; /* its trigram set (reg_similarity), sorted */
    uint32_t n_grams;
    /* the index's own: its catalogue and set as a small number, its block and place there, and
     * its entity's list (the same pointer for every product of the entity) */
    uint32_t set_id;
    uint32_t pos;
    void *block;
    const void *entity;
} reg_memindex_entry_t;

typedef struct reg_memindex_t reg_memindex_t;

reg_memindex_t *reg_memindex_new(void);
void reg_memindex_destroy(reg_memindex_t **self_p);

/* Adds every product of the products database (ids as keys, RegProduct values). 0, or an MDB
 * error code / ENOMEM. */
int reg_memindex_load(reg_memindex_t *self, MDB_txn *txn, ocop_table_t products);

/* Adds a product (copies what it needs). Ids must grow. 0 / ENOMEM. */
int reg_memindex_add(reg_memindex_t *self, const Ocop__RegProduct *p);

/* Moves product id (of entity_id) to another catalogue version and set, journalled like an
 * add. 0; ENOENT when the index does not hold it; EINVAL when a code does not fit. */
int reg_memindex_reclassify(reg_memindex_t *self, const char *entity_id, const char *id, const char *catalogue_version,
                            const char *product_set_code);

/* The products of a commune of a hierarchy version, and of an entity, in id order. The arrays
 * belong to the index and stay valid until its next change. */
reg_memindex_entry_t *const *reg_memindex_block(const reg_memindex_t *self, const char *unit_version,
                                                const char *commune, size_t *count);
reg_memindex_entry_t *const *reg_memindex_entity(const reg_memindex_t *self, const char *entity_id, size_t *count);

/* What the entries of entity_id's products hold as `entity`, or NULL when the index holds none
 * of them: screening tells the entity's own products from others' without comparing ids. */
const void *reg_memindex_entity_handle(const reg_memindex_t *self, const char *entity_id);

/* The products of the block (unit_version, commune) in the product set (catalogue_version,
 * product_set_code) that may be at Jaccard similarity >= threshold (0 < threshold <= 1) from a
 * name of grams (sorted, duplicate-free, as reg_trigrams_t holds them): every product that is,
 * and others to be checked, each once, in block order. Found through the block's trigram index,
 * kept per product set, by prefix filtering, so the cost follows the postings of the name's
 * rarest trigrams within its set, not the block's size. With own_entity (what
 * reg_memindex_entity_handle gives; NULL: none), that entity's products are left out unless
 * their key may be key (a hash of it matches, from an array beside the block's items, without
 * reading their entries): an entity's own products are not near-duplicates of its new one, only
 * the same name registered again is. *out is malloc'd (the caller frees it; NULL when none).
 * 0 / ENOMEM. */
int reg_memindex_candidates(const reg_memindex_t *self, const char *unit_version, const char *commune,
                            const char *catalogue_version, const char *product_set_code, const uint32_t *grams,
                            uint32_t n_grams, double threshold, const void *own_entity, const char *key,
                            const reg_memindex_entry_t ***out, size_t *count);

/* First position in an id-ordered list whose id sorts after cursor ("" = 0). */
size_t reg_memindex_after(reg_memindex_entry_t *const *list, size_t count, const char *cursor);

/* The undo journal: a mark, a rollback to it (removes what was added since and puts
 * reclassified products back), and a commit (forgets the journal: the changes are kept). */
size_t reg_memindex_mark(const reg_memindex_t *self);
void reg_memindex_rollback(reg_memindex_t *self, size_t mark);
void reg_memindex_commit(reg_memindex_t *self);

/* Products indexed (for logs and tests). */
size_t reg_memindex_size(const reg_memindex_t *self);

/* The index as bytes (reg_memindex_file): every block with its entries in order. write returns
 * 0, or non-zero to stop (returned). Only between batches (nothing journalled). */
int reg_memindex_write(const reg_memindex_t *self, int (*write)(void *user, const void *data, size_t len), void *user);
/* Adds what reg_memindex_write wrote to an empty index, read through read (0, or non-zero when
 * the bytes end). 0, ENOMEM, or EINVAL when the bytes are not such an index. */
int reg_memindex_read(reg_memindex_t *self, int (*read)(void *user, void *data, size_t len), void *user);

#endif
