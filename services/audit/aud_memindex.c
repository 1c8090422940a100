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

static void s_free_slots(aud_memindex_t *self)
{
    for (size_t i = 0; i < self->cap; i++) {
        free(self->slots[i].key);
        free(self->slots[i].idx);
        self->slots[i] = (s_slot_t){0};
    }
    self->used = 0;
}

void aud_memindex_clear(aud_memindex_t *self)
{
    pthread_rwlock_wrlock(&self->lock);
    s_free_slots(self);
    pthread_rwlock_unlock(&self->lock);
}

void aud_memindex_destroy(aud_memindex_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    aud_memindex_t *self = *self_p;
    s_free_slots(self);
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

int aud_memindex_save(aud_memindex_t *self, uint64_t below, int (*write)(void *user, const void *data, size_t len),
                      void *user)
{
    pthread_rwlock_rdlock(&self->lock);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->cap; i++) {
        const s_slot_t *slot = &self->slots[i];
        uint64_t n = 0;
        while (slot->key && n < slot->n && slot->idx[n] < below)
            n++;
        if (n == 0)
            continue;
        uint32_t len = (uint32_t)strlen(slot->key);
        if ((rc = write(user, &len, sizeof len)) == 0 && (rc = write(user, slot->key, len)) == 0 &&
            (rc = write(user, &n, sizeof n)) == 0)
            rc = write(user, slot->idx, n * sizeof *slot->idx);
    }
    uint32_t end = 0;
    if (rc == 0)
        rc = write(user, &end, sizeof end);
    pthread_rwlock_unlock(&self->lock);
    return rc;
}

/* Longer keys are not product ids: the bytes are not an index. */
#define S_KEY_MAX 4096

int aud_memindex_load(aud_memindex_t *self, uint64_t below, int (*read)(void *user, void *data, size_t len), void *user)
{
    char key[S_KEY_MAX + 1];
    for (;;) {
        uint32_t len;
        uint64_t n;
        int rc = read(user, &len, sizeof len);
        if (rc != 0 || len == 0)
            return rc;
        if (len > S_KEY_MAX || read(user, key, len) != 0 || read(user, &n, sizeof n) != 0 || n == 0 || n > below)
            return 1;
        key[len] = '\0';
        uint64_t *idx = malloc(n * sizeof *idx);
        if (!idx)
            return -1;
        if (read(user, idx, n * sizeof *idx) != 0) {
            free(idx);
            return 1;
        }
        pthread_rwlock_wrlock(&self->lock);
        rc = (self->used + 1) * 10 > self->cap * 7 ? s_grow(self) : 0;
        s_slot_t *slot = rc == 0 ? s_find(self->slots, self->cap, key) : NULL;
        if (slot && slot->key) /* a key twice: not what save writes */
            rc = 1;
        else if (slot && !(slot->key = strdup(key)))
            rc = -1;
        for (uint64_t i = 0; rc == 0 && i < n; i++)
            rc = idx[i] < below && (i == 0 || idx[i] > idx[i - 1]) ? 0 : 1;
        if (rc == 0) {
            slot->idx = idx;
            slot->n = slot->cap = n;
            self->used++;
            idx = NULL;
        } else if (slot && slot->key && !slot->idx) {
            free(slot->key);
            slot->key = NULL;
        }
        pthread_rwlock_unlock(&self->lock);
        free(idx);
        if (rc != 0)
            return rc;
    }
}
