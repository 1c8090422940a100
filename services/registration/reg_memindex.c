/* reg_memindex — see reg_memindex.h. Two hash maps (commune block -> list, entity -> list) of
 * pointers to shared entries, and in each block a trigram -> positions index; the journal
 * records which lists each add appended to, and the codes each reclassification replaced. */
#include "reg_memindex.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_scan.h"
#include "reg_similarity.h"

/* A block's trigram index, per product set: (set, trigram) -> the positions (in the block's
 * list) of the set's products holding the trigram, ascending. Screening compares a name only
 * with products of its own set, so the others are never candidates. Open addressing on the
 * key; slots hold posting index + 1. */
/* Most postings hold one or two positions (a trigram few names of the set share): those are
 * kept in the posting itself, the others in an array of their own (cap > 0). */
#define S_POSTING_LOCAL 2
typedef struct {
    uint64_t key; /* set id << 32 | trigram */
    union {
        uint32_t *heap;
        uint32_t local[S_POSTING_LOCAL];
    } pos;
    uint32_t n, cap;
} s_posting_t;

static uint32_t *s_posting_at(s_posting_t *p)
{
    return p->cap ? p->pos.heap : p->pos.local;
}

/* Room for one more position. 0 / -1 (out of memory: the posting is unchanged). */
static int s_posting_reserve(s_posting_t *p)
{
    if (p->n < (p->cap ? p->cap : S_POSTING_LOCAL))
        return 0;
    uint32_t cap = p->cap ? p->cap * 2 : S_POSTING_LOCAL * 2;
    uint32_t *grown = realloc(p->cap ? p->pos.heap : NULL, cap * sizeof *grown);
    if (!grown)
        return -1;
    if (!p->cap)
        memcpy(grown, p->pos.local, p->n * sizeof *grown);
    p->pos.heap = grown;
    p->cap = cap;
    return 0;
}

typedef struct {
    s_posting_t *postings;
    size_t n, cap;
    uint32_t *slots;
    size_t n_slots;
} s_grams_t;

/* What screening filters a block's candidates on without reading their entries (a cache miss
 * each): the product's entity and a hash of its key, beside its item. */
typedef struct {
    const void *entity;
    uint32_t key_hash;
} s_owner_t;

typedef struct {
    char *name;
    reg_memindex_entry_t **items;
    size_t n, cap;
    s_grams_t *grams;  /* blocks only */
    s_owner_t *owners; /* blocks only: owners[i] is items[i]'s */
    size_t owners_cap;
} s_list_t;

/* Open addressing with linear probing; slots hold list index + 1 (0 = empty). */
typedef struct {
    s_list_t **lists;
    size_t n, cap;
    size_t *slots;
    size_t n_slots;
} s_map_t;

typedef struct {
    s_list_t *block; /* an add: the lists it appended to */
    s_list_t *entity;
    reg_memindex_entry_t *reclassified;        /* a reclassification (block and entity NULL) ... */
    char old_catalogue[REG_MEMINDEX_CODE_LEN]; /* ... and what it replaced */
    char old_set[REG_MEMINDEX_CODE_LEN];
    uint32_t old_set_id;
} s_journal_entry_t;

struct reg_memindex_t {
    s_map_t blocks, entities;
    /* product sets ("catalogue version/set code") as small numbers, the keys of the postings: a
     * set's number is its list's position in this map (the lists stay empty) */
    s_map_t sets;
    s_journal_entry_t *journal;
    size_t n_journal, cap_journal;
    size_t size;
};

static uint64_t s_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The position of name's list in map, or -1. */
static long s_map_index(const s_map_t *map, const char *name)
{
    if (!map->n_slots)
        return -1;
    for (size_t i = s_hash(name) & (map->n_slots - 1);; i = (i + 1) & (map->n_slots - 1)) {
        if (!map->slots[i])
            return -1;
        if (strcmp(map->lists[map->slots[i] - 1]->name, name) == 0)
            return (long)map->slots[i] - 1;
    }
}

static s_list_t *s_map_find(const s_map_t *map, const char *name)
{
    long k = s_map_index(map, name);
    return k < 0 ? NULL : map->lists[k];
}

static int s_map_rehash(s_map_t *map, size_t n_slots)
{
    size_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < map->n; k++) {
        size_t i = s_hash(map->lists[k]->name) & (n_slots - 1);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = k + 1;
    }
    free(map->slots);
    map->slots = slots;
    map->n_slots = n_slots;
    return 0;
}

static s_list_t *s_map_get(s_map_t *map, const char *name)
{
    s_list_t *list = s_map_find(map, name);
    if (list)
        return list;
    /* Keep the load under 1/2 so probes stay short. */
    if ((map->n + 1) * 2 > map->n_slots && s_map_rehash(map, map->n_slots ? map->n_slots * 2 : 1024) != 0)
        return NULL;
    if (map->n == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 1024;
        s_list_t **grown = realloc(map->lists, cap * sizeof *grown);
        if (!grown)
            return NULL;
        map->lists = grown;
        map->cap = cap;
    }
    list = calloc(1, sizeof *list);
    if (!list || !(list->name = strdup(name))) {
        free(list);
        return NULL;
    }
    map->lists[map->n++] = list;
    size_t i = s_hash(name) & (map->n_slots - 1);
    while (map->slots[i])
        i = (i + 1) & (map->n_slots - 1);
    map->slots[i] = map->n;
    return list;
}

static int s_list_push(s_list_t *list, reg_memindex_entry_t *entry)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        reg_memindex_entry_t **grown = realloc(list->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        list->items = grown;
        list->cap = cap;
    }
    list->items[list->n++] = entry;
    return 0;
}

static uint32_t s_key_hash(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        h = (h ^ *c) * 16777619u;
    return h;
}

/* Appends e, whose entity is set, to a block with its owner. 0 / -1 (out of memory: unchanged). */
static int s_block_push(s_list_t *block, reg_memindex_entry_t *e)
{
    if (block->n >= UINT32_MAX || s_list_push(block, e) != 0)
        return -1;
    if (block->owners_cap < block->cap) {
        s_owner_t *grown = realloc(block->owners, block->cap * sizeof *grown);
        if (!grown) {
            block->n--;
            return -1;
        }
        block->owners = grown;
        block->owners_cap = block->cap;
    }
    block->owners[block->n - 1] = (s_owner_t){.entity = e->entity, .key_hash = s_key_hash(e->key)};
    return 0;
}

static uint64_t s_posting_key(uint32_t set_id, uint32_t gram)
{
    return (uint64_t)set_id << 32 | gram;
}

static size_t s_gram_slot(uint64_t key, size_t n_slots)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (n_slots - 1);
}

static s_posting_t *s_grams_find(const s_grams_t *g, uint64_t key)
{
    if (!g || !g->n_slots)
        return NULL;
    for (size_t i = s_gram_slot(key, g->n_slots);; i = (i + 1) & (g->n_slots - 1)) {
        if (!g->slots[i])
            return NULL;
        if (g->postings[g->slots[i] - 1].key == key)
            return &g->postings[g->slots[i] - 1];
    }
}

static int s_grams_rehash(s_grams_t *g, size_t n_slots)
{
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < g->n; k++) {
        size_t i = s_gram_slot(g->postings[k].key, n_slots);
        while (slots[i])
            i = (i + 1) & (n_slots - 1);
        slots[i] = (uint32_t)k + 1;
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = n_slots;
    return 0;
}

static s_posting_t *s_grams_get(s_grams_t *g, uint64_t key)
{
    s_posting_t *p = s_grams_find(g, key);
    if (p)
        return p;
    if ((g->n + 1) * 2 > g->n_slots && s_grams_rehash(g, g->n_slots ? g->n_slots * 2 : 64) != 0)
        return NULL;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 32;
        s_posting_t *grown = realloc(g->postings, cap * sizeof *grown);
        if (!grown)
            return NULL;
        g->postings = grown;
        g->cap = cap;
    }
    p = &g->postings[g->n++];
    *p = (s_posting_t){.key = key};
    size_t i = s_gram_slot(key, g->n_slots);
    while (g->slots[i])
        i = (i + 1) & (g->n_slots - 1);
    g->slots[i] = (uint32_t)g->n;
    return p;
}

/* Indexes the trigrams of the block's entry at pos (its last) under its set. 0 / -1 (out of
 * memory: the postings added so far are taken back). */
static int s_grams_add(s_list_t *block, const reg_memindex_entry_t *e, uint32_t pos)
{
    if (!block->grams && !(block->grams = calloc(1, sizeof *block->grams)))
        return -1;
    for (uint32_t k = 0; k < e->n_grams; k++) {
        s_posting_t *p = s_grams_get(block->grams, s_posting_key(e->set_id, e->grams[k]));
        if (!p || s_posting_reserve(p) != 0) {
            for (uint32_t j = 0; j < k; j++)
                s_grams_find(block->grams, s_posting_key(e->set_id, e->grams[j]))->n--;
            return -1;
        }
        s_posting_at(p)[p->n++] = pos;
    }
    return 0;
}

/* Takes back the postings of the block's last entry. */
static void s_grams_remove_last(s_list_t *block, const reg_memindex_entry_t *e)
{
    for (uint32_t k = 0; k < e->n_grams; k++)
        s_grams_find(block->grams, s_posting_key(e->set_id, e->grams[k]))->n--;
}

/* Moves the entry's postings from one set's to another's (a reclassification or its undo),
 * keeping each posting ascending. 0 / -1 (out of memory: nothing was moved). */
static int s_grams_move(s_list_t *block, const reg_memindex_entry_t *e, uint32_t from, uint32_t to)
{
    /* Room first, so that the move itself cannot fail half-way. */
    for (uint32_t k = 0; k < e->n_grams; k++) {
        s_posting_t *p = s_grams_get(block->grams, s_posting_key(to, e->grams[k]));
        if (!p || s_posting_reserve(p) != 0)
            return -1;
    }
    for (uint32_t k = 0; k < e->n_grams; k++) {
        s_posting_t *src = s_grams_find(block->grams, s_posting_key(from, e->grams[k]));
        uint32_t *pos = s_posting_at(src), at = 0;
        while (at < src->n && pos[at] != e->pos)
            at++;
        if (at < src->n) { /* always: the entry is in its set's postings */
            memmove(pos + at, pos + at + 1, (src->n - at - 1) * sizeof *pos);
            src->n--;
        }
        s_posting_t *dst = s_grams_find(block->grams, s_posting_key(to, e->grams[k]));
        pos = s_posting_at(dst);
        at = dst->n;
        while (at > 0 && pos[at - 1] > e->pos)
            at--;
        memmove(pos + at + 1, pos + at, (dst->n - at) * sizeof *pos);
        pos[at] = e->pos;
        dst->n++;
    }
    return 0;
}

static void s_grams_free(s_grams_t *g)
{
    if (!g)
        return;
    for (size_t k = 0; k < g->n; k++)
        if (g->postings[k].cap)
            free(g->postings[k].pos.heap);
    free(g->postings);
    free(g->slots);
    free(g);
}

/* Builds the trigram index of a block whose entries are all in place (set ids and positions
 * given) in two passes: the positions of each posting are counted, then written into arrays of
 * their exact size, which adding entry by entry would grow and copy again and again. 0 / -1
 * (out of memory: what was built is freed with the block). */
static int s_grams_build(s_list_t *block)
{
    size_t total = 0, n_slots = 64;
    for (size_t i = 0; i < block->n; i++)
        total += block->items[i]->n_grams;
    while (n_slots < total * 2)
        n_slots *= 2;
    s_grams_t *g = block->grams = calloc(1, sizeof *g);
    if (!g || s_grams_rehash(g, n_slots) != 0 || !(g->postings = malloc((total ? total : 1) * sizeof *g->postings)))
        return -1;
    g->cap = total; /* postings <= total and slots >= 2 total: s_grams_get neither grows nor rehashes */
    for (size_t i = 0; i < block->n; i++) {
        const reg_memindex_entry_t *e = block->items[i];
        for (uint32_t k = 0; k < e->n_grams; k++)
            s_grams_get(g, s_posting_key(e->set_id, e->grams[k]))->n++;
    }
    for (size_t k = 0; k < g->n; k++) {
        s_posting_t *p = &g->postings[k];
        if (p->n > S_POSTING_LOCAL) {
            if (!(p->pos.heap = malloc(p->n * sizeof *p->pos.heap)))
                return -1;
            p->cap = p->n;
        }
        p->n = 0;
    }
    for (size_t i = 0; i < block->n; i++) {
        const reg_memindex_entry_t *e = block->items[i];
        for (uint32_t k = 0; k < e->n_grams; k++) {
            s_posting_t *p = s_grams_find(g, s_posting_key(e->set_id, e->grams[k]));
            s_posting_at(p)[p->n++] = e->pos;
        }
    }
    s_posting_t *fit = g->n ? realloc(g->postings, g->n * sizeof *fit) : NULL;
    if (fit) {
        g->postings = fit;
        g->cap = g->n;
    }
    return 0;
}

/* An entry and what it holds in one allocation: the struct, its trigrams, then its strings
 * (a start builds one per product, so this is most of what it allocates). */
static reg_memindex_entry_t *s_entry_alloc(const char *id, const char *entity_id, const char *name, const char *key,
                                           const uint32_t *grams, uint32_t n_grams)
{
    const char *strings[] = {id, entity_id, name, key};
    size_t lens[4], size = sizeof(reg_memindex_entry_t) + (size_t)n_grams * sizeof *grams;
    for (size_t i = 0; i < 4; i++)
        size += lens[i] = strlen(strings[i]) + 1;
    reg_memindex_entry_t *e = calloc(1, size);
    if (!e)
        return NULL;
    e->grams = (uint32_t *)(e + 1); /* the struct's size is a multiple of its pointers' alignment */
    e->n_grams = n_grams;
    memcpy(e->grams, grams, (size_t)n_grams * sizeof *grams);
    char *at = (char *)(e->grams + n_grams);
    char **fields[] = {&e->id, &e->entity_id, &e->name, &e->key};
    for (size_t i = 0; i < 4; i++) {
        *fields[i] = memcpy(at, strings[i], lens[i]);
        at += lens[i];
    }
    return e;
}

static void s_entry_free(reg_memindex_entry_t *e)
{
    free(e);
}

static void s_map_free(s_map_t *map, int free_entries)
{
    for (size_t k = 0; k < map->n; k++) {
        if (free_entries)
            for (size_t i = 0; i < map->lists[k]->n; i++)
                s_entry_free(map->lists[k]->items[i]);
        free(map->lists[k]->items);
        free(map->lists[k]->owners);
        free(map->lists[k]->name);
        s_grams_free(map->lists[k]->grams);
        free(map->lists[k]);
    }
    free(map->lists);
    free(map->slots);
}

reg_memindex_t *reg_memindex_new(void)
{
    return calloc(1, sizeof(reg_memindex_t));
}

void reg_memindex_destroy(reg_memindex_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    reg_memindex_t *self = *self_p;
    s_map_free(&self->blocks, 1); /* every entry is in exactly one block */
    s_map_free(&self->entities, 0);
    free(self->journal);
    s_map_free(&self->sets, 0);
    free(self);
    *self_p = NULL;
}

/* A product set's name in the sets map. */
static void s_set_name(char *out, size_t len, const char *catalogue, const char *set)
{
    snprintf(out, len, "%s/%s", catalogue, set);
}

/* The number of a product set, UINT32_MAX when the index has none of its products yet. */
static uint32_t s_set_find(const reg_memindex_t *self, const char *catalogue, const char *set)
{
    char name[2 * REG_MEMINDEX_CODE_LEN + 2];
    s_set_name(name, sizeof name, catalogue, set);
    long k = s_map_index(&self->sets, name);
    return k < 0 ? UINT32_MAX : (uint32_t)k;
}

/* The number of a product set, given one when new. 0 / -1 (out of memory). */
static int s_set_id(reg_memindex_t *self, const char *catalogue, const char *set, uint32_t *id)
{
    char name[2 * REG_MEMINDEX_CODE_LEN + 2];
    s_set_name(name, sizeof name, catalogue, set);
    if (!s_map_get(&self->sets, name))
        return -1;
    *id = (uint32_t)s_map_index(&self->sets, name);
    return 0;
}

/* The block's new last entry e: its set's number, its place, its postings. 0 / -1. */
/* Gives the block's last entry its place: its block, position and set id. 0 / -1. */
static int s_place_entry(reg_memindex_t *self, s_list_t *block, reg_memindex_entry_t *e)
{
    e->block = block;
    e->pos = (uint32_t)(block->n - 1);
    return s_set_id(self, e->catalogue_version, e->product_set_code, &e->set_id);
}

static int s_index_entry(reg_memindex_t *self, s_list_t *block, reg_memindex_entry_t *e)
{
    if (s_place_entry(self, block, e) != 0)
        return -1;
    return s_grams_add(block, e, e->pos);
}

/* Appends e (a new entry) to its block and its entity's list, without the block's trigram
 * index, which s_grams_build makes once the block is whole. 0 / ENOMEM (e freed). */
static int s_append_unindexed(reg_memindex_t *self, s_list_t *block, reg_memindex_entry_t *e)
{
    s_list_t *entity = s_map_get(&self->entities, e->entity_id);
    if (entity)
        e->entity = entity;
    if (!entity || s_block_push(block, e) != 0) {
        s_entry_free(e);
        return ENOMEM;
    }
    /* from here the entry is the block's: freed with it */
    if (s_place_entry(self, block, e) != 0 || s_list_push(entity, e) != 0)
        return ENOMEM;
    self->size++;
    return 0;
}

/* s_grams_build for every block (a whole index appended without its trigram indexes). */
static int s_build_blocks(reg_memindex_t *self)
{
    for (size_t k = 0; k < self->blocks.n; k++)
        if (!self->blocks.lists[k]->grams && s_grams_build(self->blocks.lists[k]) != 0)
            return ENOMEM;
    return 0;
}

static reg_memindex_entry_t *s_entry_new(const Ocop__RegProduct *p)
{
    reg_trigrams_t grams;
    if (reg_trigrams_from(p->normalized_name, &grams) != 0)
        grams.n = 0;
    reg_memindex_entry_t *e = s_entry_alloc(p->id, p->entity_id, p->name, p->normalized_name, grams.gram, grams.n);
    if (e) {
        snprintf(e->catalogue_version, sizeof e->catalogue_version, "%s", p->catalogue_version);
        snprintf(e->product_set_code, sizeof e->product_set_code, "%s", p->product_set_code);
    }
    return e;
}

static void s_block_name(char *out, size_t len, const char *version, const char *commune)
{
    snprintf(out, len, "%s:%s", version, commune);
}

static int s_journal_reserve(reg_memindex_t *self)
{
    if (self->n_journal < self->cap_journal)
        return 0;
    size_t cap = self->cap_journal ? self->cap_journal * 2 : 1024;
    s_journal_entry_t *grown = realloc(self->journal, cap * sizeof *grown);
    if (!grown)
        return ENOMEM;
    self->journal = grown;
    self->cap_journal = cap;
    return 0;
}

int reg_memindex_add(reg_memindex_t *self, const Ocop__RegProduct *p)
{
    if (s_journal_reserve(self) != 0)
        return ENOMEM;
    char name[96];
    s_block_name(name, sizeof name, p->unit_version, p->commune_code);
    s_list_t *block = s_map_get(&self->blocks, name);
    s_list_t *entity = s_map_get(&self->entities, p->entity_id);
    reg_memindex_entry_t *e = block && entity ? s_entry_new(p) : NULL;
    if (e)
        e->entity = entity;
    if (!e || s_block_push(block, e) != 0) {
        s_entry_free(e);
        return ENOMEM;
    }
    if (s_index_entry(self, block, e) != 0) {
        block->n--;
        s_entry_free(e);
        return ENOMEM;
    }
    if (s_list_push(entity, e) != 0) {
        s_grams_remove_last(block, e);
        block->n--;
        s_entry_free(e);
        return ENOMEM;
    }
    self->journal[self->n_journal++] = (s_journal_entry_t){.block = block, .entity = entity};
    self->size++;
    return 0;
}

int reg_memindex_reclassify(reg_memindex_t *self, const char *entity_id, const char *id, const char *catalogue_version,
                            const char *product_set_code)
{
    if (strlen(catalogue_version) >= REG_MEMINDEX_CODE_LEN || strlen(product_set_code) >= REG_MEMINDEX_CODE_LEN)
        return EINVAL;
    size_t n;
    reg_memindex_entry_t *const *list = reg_memindex_entity(self, entity_id, &n);
    size_t at = reg_memindex_after(list, n, id); /* the first id after it: it is just before */
    if (at == 0 || strcmp(list[at - 1]->id, id) != 0)
        return ENOENT;
    if (s_journal_reserve(self) != 0)
        return ENOMEM;
    reg_memindex_entry_t *e = list[at - 1];
    uint32_t set_id;
    if (s_set_id(self, catalogue_version, product_set_code, &set_id) != 0 ||
        s_grams_move(e->block, e, e->set_id, set_id) != 0)
        return ENOMEM;
    s_journal_entry_t *j = &self->journal[self->n_journal++];
    *j = (s_journal_entry_t){.reclassified = e, .old_set_id = e->set_id};
    memcpy(j->old_catalogue, e->catalogue_version, sizeof j->old_catalogue);
    memcpy(j->old_set, e->product_set_code, sizeof j->old_set);
    snprintf(e->catalogue_version, sizeof e->catalogue_version, "%s", catalogue_version);
    snprintf(e->product_set_code, sizeof e->product_set_code, "%s", product_set_code);
    e->set_id = set_id;
    return 0;
}

int reg_memindex_load(reg_memindex_t *self, MDB_txn *txn, MDB_dbi products)
{
    if (self->size)
        return EINVAL;
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, products, NULL, NULL);
    while (rc == 0 && ocop_scan_next(&scan)) {
        Ocop__RegProduct *p = ocop__reg_product__unpack(NULL, scan.value.size, scan.value.data);
        if (!p) {
            ocop_scan_fail(&scan, MDB_CORRUPTED);
            break;
        }
        char name[96];
        s_block_name(name, sizeof name, p->unit_version, p->commune_code);
        s_list_t *block = s_map_get(&self->blocks, name);
        reg_memindex_entry_t *e = block ? s_entry_new(p) : NULL;
        ocop__reg_product__free_unpacked(p, NULL);
        if (!e || s_append_unindexed(self, block, e) != 0) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
    }
    rc = ocop_scan_close(&scan, rc);
    return rc == 0 ? s_build_blocks(self) : rc;
}

reg_memindex_entry_t *const *reg_memindex_block(const reg_memindex_t *self, const char *unit_version,
                                                const char *commune, size_t *count)
{
    char name[96];
    s_block_name(name, sizeof name, unit_version, commune);
    const s_list_t *list = s_map_find(&self->blocks, name);
    *count = list ? list->n : 0;
    return list ? list->items : NULL;
}

typedef struct {
    s_posting_t *posting; /* NULL: no product of the block has the trigram */
    uint32_t len;
} s_probe_t;

static int s_cmp_probe(const void *a, const void *b)
{
    uint32_t x = ((const s_probe_t *)a)->len, y = ((const s_probe_t *)b)->len;
    return (x > y) - (x < y);
}

int reg_memindex_candidates(const reg_memindex_t *self, const char *unit_version, const char *commune,
                            const char *catalogue_version, const char *product_set_code, const uint32_t *grams,
                            uint32_t n_grams, double threshold, const void *own_entity, const char *key,
                            const reg_memindex_entry_t ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    char name[96];
    s_block_name(name, sizeof name, unit_version, commune);
    const s_list_t *block = s_map_find(&self->blocks, name);
    uint32_t set_id = s_set_find(self, catalogue_version, product_set_code);
    if (!block || !block->grams || n_grams == 0 || set_id == UINT32_MAX)
        return 0;
    /* A product at Jaccard >= t holds at least ceil(t n) of the name's n trigrams, so it
     * misses at most n - ceil(t n) of them: it holds one of any n - ceil(t n) + 1. Probing the
     * rarest that many (prefix filtering) skips the trigrams half the block shares. */
    s_probe_t *probes = malloc(n_grams * sizeof *probes);
    if (!probes)
        return ENOMEM;
    for (uint32_t k = 0; k < n_grams; k++) {
        probes[k].posting = s_grams_find(block->grams, s_posting_key(set_id, grams[k]));
        probes[k].len = probes[k].posting ? probes[k].posting->n : 0;
    }
    qsort(probes, n_grams, sizeof *probes, s_cmp_probe);
    uint32_t need = (uint32_t)ceil(threshold * n_grams - 1e-9);
    uint32_t prefix = n_grams - (need < 1 ? 1 : need > n_grams ? n_grams : need) + 1;
    size_t total = 0;
    for (uint32_t k = 0; k < prefix; k++)
        total += probes[k].len;
    if (total == 0) {
        free(probes);
        return 0;
    }
    /* The union of the probed postings, each product once and in block order: a bit per product
     * of the block, set from the postings and read back word by word. Cheaper than sorting the
     * postings (a third of a block may be candidates when names share their words), and a
     * bit per product is 1/8 of a byte per product. */
    size_t words = (block->n + 63) / 64;
    uint64_t *seen = calloc(words ? words : 1, sizeof *seen);
    const reg_memindex_entry_t **found = malloc((total < block->n ? total : block->n) * sizeof *found);
    if (!seen || !found) {
        free(probes);
        free(seen);
        free(found);
        return ENOMEM;
    }
    for (uint32_t k = 0; k < prefix; k++)
        for (uint32_t i = 0; i < probes[k].len; i++) {
            uint32_t at = s_posting_at(probes[k].posting)[i];
            seen[at / 64] |= (uint64_t)1 << (at % 64);
        }
    free(probes);
    uint32_t key_hash = own_entity && key ? s_key_hash(key) : 0;
    size_t n = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t bits = seen[w]; bits; bits &= bits - 1) {
            size_t at = w * 64 + (size_t)__builtin_ctzll(bits);
            if (own_entity && block->owners[at].entity == own_entity &&
                (!key || block->owners[at].key_hash != key_hash))
                continue; /* the entity's own product, and not the same name */
            found[n++] = block->items[at];
        }
    free(seen);
    *out = found;
    *count = n;
    return 0;
}

const void *reg_memindex_entity_handle(const reg_memindex_t *self, const char *entity_id)
{
    return s_map_find(&self->entities, entity_id);
}

reg_memindex_entry_t *const *reg_memindex_entity(const reg_memindex_t *self, const char *entity_id, size_t *count)
{
    const s_list_t *list = s_map_find(&self->entities, entity_id);
    *count = list ? list->n : 0;
    return list ? list->items : NULL;
}

size_t reg_memindex_after(reg_memindex_entry_t *const *list, size_t count, const char *cursor)
{
    if (!cursor || !*cursor)
        return 0;
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(list[mid]->id, cursor) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t reg_memindex_mark(const reg_memindex_t *self)
{
    return self->n_journal;
}

void reg_memindex_rollback(reg_memindex_t *self, size_t mark)
{
    /* Newest first: each add is then the last item of both its lists. */
    while (self->n_journal > mark) {
        s_journal_entry_t *j = &self->journal[--self->n_journal];
        if (j->reclassified) {
            reg_memindex_entry_t *e = j->reclassified;
            /* Back into postings it was just taken out of: they have the room, this cannot fail. */
            s_grams_move(e->block, e, e->set_id, j->old_set_id);
            memcpy(e->catalogue_version, j->old_catalogue, sizeof j->old_catalogue);
            memcpy(e->product_set_code, j->old_set, sizeof j->old_set);
            e->set_id = j->old_set_id;
            continue;
        }
        reg_memindex_entry_t *e = j->block->items[--j->block->n];
        s_grams_remove_last(j->block, e);
        j->entity->n--;
        s_entry_free(e);
        self->size--;
    }
}

void reg_memindex_commit(reg_memindex_t *self)
{
    self->n_journal = 0;
}

size_t reg_memindex_size(const reg_memindex_t *self)
{
    return self->size;
}

/* ---------------------------------------------------------------- as bytes */

typedef int (*s_write_fn)(void *user, const void *data, size_t len);
typedef int (*s_read_fn)(void *user, void *data, size_t len);

static int s_write_str(s_write_fn write, void *user, const char *s)
{
    uint32_t len = (uint32_t)strlen(s);
    int rc = write(user, &len, sizeof len);
    return rc ? rc : write(user, s, len);
}

int reg_memindex_write(const reg_memindex_t *self, s_write_fn write, void *user)
{
    uint64_t n_blocks = self->blocks.n;
    int rc = write(user, &n_blocks, sizeof n_blocks);
    for (size_t b = 0; rc == 0 && b < self->blocks.n; b++) {
        const s_list_t *block = self->blocks.lists[b];
        uint64_t n = block->n;
        if ((rc = s_write_str(write, user, block->name)) != 0 || (rc = write(user, &n, sizeof n)) != 0)
            break;
        for (size_t i = 0; rc == 0 && i < block->n; i++) {
            const reg_memindex_entry_t *e = block->items[i];
            const char *strings[] = {e->id, e->entity_id, e->catalogue_version, e->product_set_code, e->name, e->key};
            for (size_t k = 0; rc == 0 && k < sizeof strings / sizeof strings[0]; k++)
                rc = s_write_str(write, user, strings[k]);
            if (rc == 0 && (rc = write(user, &e->n_grams, sizeof e->n_grams)) == 0)
                rc = write(user, e->grams, e->n_grams * sizeof *e->grams);
        }
    }
    return rc;
}

/* Longer strings are not what the index holds: the bytes are not such an index. */
#define S_READ_STR_MAX 4096
#define S_READ_GRAMS_MAX 65536

/* What one entry is read into before it is allocated: its strings, then its trigrams. */
enum { S_ID, S_ENTITY, S_CATALOGUE, S_SET, S_NAME, S_KEY, S_STRINGS };
typedef struct {
    char str[S_STRINGS][S_READ_STR_MAX + 1];
    uint32_t grams[S_READ_GRAMS_MAX];
} s_scratch_t;

/* A string read into out (S_READ_STR_MAX + 1 bytes); 0 or EINVAL. */
static int s_read_str(s_read_fn read, void *user, char *out)
{
    uint32_t len;
    if (read(user, &len, sizeof len) != 0 || len > S_READ_STR_MAX || read(user, out, len) != 0)
        return EINVAL;
    out[len] = '\0';
    return strlen(out) == len ? 0 : EINVAL;
}

/* One entry, as reg_memindex_write wrote it. */
static int s_read_entry(s_read_fn read, void *user, s_scratch_t *scratch, reg_memindex_entry_t **out)
{
    for (int i = 0; i < S_STRINGS; i++)
        if (s_read_str(read, user, scratch->str[i]) != 0)
            return EINVAL;
    uint32_t n_grams;
    if (strlen(scratch->str[S_CATALOGUE]) >= REG_MEMINDEX_CODE_LEN ||
        strlen(scratch->str[S_SET]) >= REG_MEMINDEX_CODE_LEN || read(user, &n_grams, sizeof n_grams) != 0 ||
        n_grams > S_READ_GRAMS_MAX || read(user, scratch->grams, n_grams * sizeof *scratch->grams) != 0)
        return EINVAL;
    reg_memindex_entry_t *e = s_entry_alloc(scratch->str[S_ID], scratch->str[S_ENTITY], scratch->str[S_NAME],
                                            scratch->str[S_KEY], scratch->grams, n_grams);
    if (!e)
        return ENOMEM;
    memcpy(e->catalogue_version, scratch->str[S_CATALOGUE], strlen(scratch->str[S_CATALOGUE]) + 1);
    memcpy(e->product_set_code, scratch->str[S_SET], strlen(scratch->str[S_SET]) + 1);
    *out = e;
    return 0;
}

static int s_cmp_entry_id(const void *a, const void *b)
{
    return strcmp((*(reg_memindex_entry_t *const *)a)->id, (*(reg_memindex_entry_t *const *)b)->id);
}

int reg_memindex_read(reg_memindex_t *self, s_read_fn read, void *user)
{
    uint64_t n_blocks;
    if (self->size || read(user, &n_blocks, sizeof n_blocks) != 0)
        return EINVAL;
    s_scratch_t *scratch = malloc(sizeof *scratch);
    int rc = scratch ? 0 : ENOMEM;
    for (uint64_t b = 0; rc == 0 && b < n_blocks; b++) {
        const char *name = scratch->str[0];
        uint64_t n;
        s_list_t *block = NULL;
        if ((rc = s_read_str(read, user, scratch->str[0])) == 0 && read(user, &n, sizeof n) != 0)
            rc = EINVAL;
        if (rc == 0 && (s_map_find(&self->blocks, name) || !(block = s_map_get(&self->blocks, name))))
            rc = block ? EINVAL : ENOMEM; /* a block twice is not what write wrote */
        for (uint64_t i = 0; rc == 0 && i < n; i++) {
            reg_memindex_entry_t *e;
            if ((rc = s_read_entry(read, user, scratch, &e)) == 0)
                rc = s_append_unindexed(self, block, e);
        }
    }
    free(scratch);
    if (rc == 0)
        rc = s_build_blocks(self);
    /* Blocks come one after the other: an entity's products from several blocks in id order. */
    for (size_t k = 0; rc == 0 && k < self->entities.n; k++)
        qsort(self->entities.lists[k]->items, self->entities.lists[k]->n, sizeof(reg_memindex_entry_t *),
              s_cmp_entry_id);
    return rc;
}
