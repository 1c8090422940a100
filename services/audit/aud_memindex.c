/* aud_memindex — see aud_memindex.h. Open addressing on an FNV-1a hash, doubling at 70 %. */
#include "aud_memindex.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; /* NULL: empty slot */
    uint64_t *idx;
    size_t n, cap;
} s_slot_t;

struct aud_memindex_t {
    pthread_rwlock_t lock;
    s_slot_t *slots;
    size_t cap, used;
};

static uint64_t s_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static s_slot_t *s_find(s_slot_t *slots, size_t cap, const char *key)
{
    for (size_t i = s_hash(key) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!slots[i].key || strcmp(slots[i].key, key) == 0)
            return &slots[i];
}

aud_memindex_t *aud_memindex_new(void)
{
    aud_memindex_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = 1024;
    self->slots = calloc(self->cap, sizeof *self->slots);
    if (!self->slots) {
        free(self);
        return NULL;
    }
    pthread_rwlock_init(&self->lock, NULL);
    return self;
}

void aud_memindex_destroy(aud_memindex_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    aud_memindex_t *self = *self_p;
    for (size_t i = 0; i < self->cap; i++) {
        free(self->slots[i].key);
        free(self->slots[i].idx);
    }
    free(self->slots);
    pthread_rwlock_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

static int s_grow(aud_memindex_t *self)
{
    size_t cap = self->cap * 2;
    s_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < self->cap; i++)
        if (self->slots[i].key)
            *s_find(slots, cap, self->slots[i].key) = self->slots[i];
    free(self->slots);
    self->slots = slots;
    self->cap = cap;
    return 0;
}

int aud_memindex_add(aud_memindex_t *self, const char *key, uint64_t index)
{
    pthread_rwlock_wrlock(&self->lock);
    int rc = 0;
    if ((self->used + 1) * 10 > self->cap * 7)
        rc = s_grow(self);
    s_slot_t *slot = rc == 0 ? s_find(self->slots, self->cap, key) : NULL;
    if (slot && !slot->key) {
        slot->key = strdup(key);
        rc = slot->key ? 0 : -1;
        self->used += rc == 0;
    }
    if (rc == 0 && (slot->n == 0 || index > slot->idx[slot->n - 1])) {
        if (slot->n == slot->cap) {
            size_t cap = slot->cap ? slot->cap * 2 : 4;
            uint64_t *grown = realloc(slot->idx, cap * sizeof *grown);
            if (!grown)
                rc = -1;
            else {
                slot->idx = grown;
                slot->cap = cap;
            }
        }
        if (rc == 0)
            slot->idx[slot->n++] = index;
    }
    pthread_rwlock_unlock(&self->lock);
    return rc;
}

size_t aud_memindex_find(aud_memindex_t *self, const char *key, uint64_t from, uint64_t below, uint64_t *out,
                         size_t max, uint64_t *next)
{
    pthread_rwlock_rdlock(&self->lock);
    const s_slot_t *slot = s_find(self->slots, self->cap, key);
    size_t n = 0, lo = 0, hi = slot->key ? slot->n : 0;
    /* The first index >= from. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slot->idx[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    *next = 0;
    size_t end = slot->key ? slot->n : 0;
    for (size_t i = lo; i < end && slot->idx[i] < below; i++) {
        if (n == max) {
            *next = slot->idx[i];
            break;
        }
        out[n++] = slot->idx[i];
    }
    pthread_rwlock_unlock(&self->lock);
    return n;
}

size_t aud_memindex_keys(aud_memindex_t *self)
{
    pthread_rwlock_rdlock(&self->lock);
    size_t n = self->used;
    pthread_rwlock_unlock(&self->lock);
    return n;
}
