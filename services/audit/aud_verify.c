/* aud_verify — see aud_verify.h. */
#include "aud_verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_sign.h"
#include "envelope.pb-c.h"

#define S_SOURCES_MAX 256

typedef struct {
    uint64_t size;
    aud_hash_t root;
} s_head_t;

typedef struct {
    char source[64];
    uint32_t shard;
    uint64_t last; /* the last sequence seen */
} s_source_t;

struct aud_verifier_t {
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    s_head_t *heads; /* sorted by size once entries start */
    size_t n_heads, cap_heads, next_head;
    int sorted;
    aud_builder_t builder;
    s_source_t sources[S_SOURCES_MAX];
    size_t n_sources;
    char problem[512];
};

static int s_fail(aud_verifier_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int s_fail(aud_verifier_t *self, const char *fmt, ...)
{
    if (!self->problem[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(self->problem, sizeof self->problem, fmt, ap);
        va_end(ap);
    }
    return -1;
}

aud_verifier_t *aud_verifier_new(const uint8_t public_key[crypto_sign_PUBLICKEYBYTES])
{
    aud_verifier_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    memcpy(self->public_key, public_key, sizeof self->public_key);
    aud_builder_init(&self->builder);
    return self;
}

void aud_verifier_destroy(aud_verifier_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->heads);
    free(*self_p);
    *self_p = NULL;
}

int aud_verifier_head(aud_verifier_t *self, uint64_t tree_size, const uint8_t *root, size_t root_len,
                      int64_t timestamp_ms, const uint8_t *signature, size_t signature_len, const char *key_id)
{
    if (self->problem[0])
        return -1;
    char ours[2 * crypto_sign_PUBLICKEYBYTES + 1];
    sodium_bin2hex(ours, sizeof ours, self->public_key, sizeof self->public_key);
    if (!key_id || strcmp(key_id, ours) != 0)
        return s_fail(self, "head of size %llu names the key '%.80s', not the key given (%s)",
                      (unsigned long long)tree_size, key_id ? key_id : "", ours);
    if (self->sorted)
        return s_fail(self, "head of size %llu after the entries: every head must come first",
                      (unsigned long long)tree_size);
    if (root_len != AUD_HASH_LEN)
        return s_fail(self, "head of size %llu: the root is %zu bytes, not %d", (unsigned long long)tree_size, root_len,
                      AUD_HASH_LEN);
    s_head_t h = {.size = tree_size};
    memcpy(h.root.h, root, AUD_HASH_LEN);
    if (!aud_head_verify(self->public_key, tree_size, &h.root, timestamp_ms, signature, signature_len))
        return s_fail(self,
                      "head of size %llu: the signature does not verify with this key (a wrong key, or the head "
                      "was altered)",
                      (unsigned long long)tree_size);
    if (self->n_heads == self->cap_heads) {
        size_t cap = self->cap_heads ? self->cap_heads * 2 : 64;
        s_head_t *grown = realloc(self->heads, cap * sizeof *grown);
        if (!grown)
            return s_fail(self, "out of memory");
        self->heads = grown;
        self->cap_heads = cap;
    }
    self->heads[self->n_heads++] = h;
    return 0;
}

static int s_cmp_head(const void *a, const void *b)
{
    uint64_t x = ((const s_head_t *)a)->size, y = ((const s_head_t *)b)->size;
    return (x > y) - (x < y);
}

/* The first entries: order the heads and refuse two different roots for one size. */
static int s_sort_heads(aud_verifier_t *self)
{
    self->sorted = 1;
    if (self->n_heads)
        qsort(self->heads, self->n_heads, sizeof *self->heads, s_cmp_head);
    for (size_t i = 1; i < self->n_heads; i++)
        if (self->heads[i].size == self->heads[i - 1].size &&
            memcmp(self->heads[i].root.h, self->heads[i - 1].root.h, AUD_HASH_LEN) != 0)
            return s_fail(self, "two signed heads of size %llu with different roots (a forked log)",
                          (unsigned long long)self->heads[i].size);
    /* A head of size 0 covers nothing: it must be the empty root. */
    while (self->next_head < self->n_heads && self->heads[self->next_head].size == 0) {
        aud_hash_t empty;
        aud_empty_root(&empty);
        if (memcmp(empty.h, self->heads[self->next_head].root.h, AUD_HASH_LEN) != 0)
            return s_fail(self, "head of size 0 with a root other than the empty tree's");
        self->next_head++;
    }
    return 0;
}

/* Each source's events must arrive with sequences 1, 2, 3, ... */
static int s_check_sequence(aud_verifier_t *self, uint64_t index, const Ocop__Event *ev)
{
    s_source_t *s = NULL;
    for (size_t i = 0; i < self->n_sources && !s; i++)
        if (self->sources[i].shard == ev->shard && strcmp(self->sources[i].source, ev->source) == 0)
            s = &self->sources[i];
    if (!s) {
        if (self->n_sources == S_SOURCES_MAX)
            return s_fail(self, "entry %llu: more than %d sources", (unsigned long long)index, S_SOURCES_MAX);
        s = &self->sources[self->n_sources++];
        snprintf(s->source, sizeof s->source, "%s", ev->source);
        s->shard = ev->shard;
    }
    if (ev->sequence != s->last + 1)
        return s_fail(self, "entry %llu: %s/%u sequence %llu follows %llu (events missing, repeated or reordered)",
                      (unsigned long long)index, s->source, s->shard, (unsigned long long)ev->sequence,
                      (unsigned long long)s->last);
    s->last = ev->sequence;
    return 0;
}

int aud_verifier_entry(aud_verifier_t *self, uint64_t index, const uint8_t *data, size_t len)
{
    if (self->problem[0])
        return -1;
    if (!self->sorted && s_sort_heads(self) != 0)
        return -1;
    if (index != self->builder.size)
        return s_fail(self, "entry %llu where entry %llu was expected (entries missing, repeated or reordered)",
                      (unsigned long long)index, (unsigned long long)self->builder.size);
    Ocop__Event *ev = ocop__event__unpack(NULL, len, data);
    if (!ev)
        return s_fail(self, "entry %llu: not an ocop.Event (%zu bytes)", (unsigned long long)index, len);
    int rc = s_check_sequence(self, index, ev);
    ocop__event__free_unpacked(ev, NULL);
    if (rc != 0)
        return -1;
    aud_hash_t leaf;
    aud_leaf_hash(data, len, &leaf);
    aud_builder_add(&self->builder, &leaf);
    /* Every head of this size must have the recomputed root. */
    while (self->next_head < self->n_heads && self->heads[self->next_head].size == self->builder.size) {
        aud_hash_t root;
        aud_builder_root(&self->builder, &root);
        if (memcmp(root.h, self->heads[self->next_head].root.h, AUD_HASH_LEN) != 0)
            return s_fail(self,
                          "head of size %llu: its signed root differs from the tree of the entries (an entry "
                          "before it was altered, added or removed)",
                          (unsigned long long)self->builder.size);
        self->next_head++;
    }
    return 0;
}

int aud_verifier_finish(aud_verifier_t *self)
{
    if (self->problem[0])
        return -1;
    if (!self->sorted && s_sort_heads(self) != 0)
        return -1;
    if (self->n_heads == 0)
        return s_fail(self, "no signed head: nothing vouches for the entries");
    if (self->next_head < self->n_heads)
        return s_fail(self, "a head covers %llu entries but only %llu are given (truncated)",
                      (unsigned long long)self->heads[self->n_heads - 1].size, (unsigned long long)self->builder.size);
    if (self->heads[self->n_heads - 1].size != self->builder.size)
        return s_fail(self, "%llu entries after the last signed head (size %llu) are vouched for by no signature",
                      (unsigned long long)(self->builder.size - self->heads[self->n_heads - 1].size),
                      (unsigned long long)self->heads[self->n_heads - 1].size);
    return 0;
}

const char *aud_verifier_problem(const aud_verifier_t *self)
{
    return self->problem;
}

uint64_t aud_verifier_entries(const aud_verifier_t *self)
{
    return self->builder.size;
}

uint64_t aud_verifier_heads(const aud_verifier_t *self)
{
    return self->n_heads;
}

size_t aud_verifier_sources(const aud_verifier_t *self)
{
    return self->n_sources;
}

void aud_verifier_root(const aud_verifier_t *self, aud_hash_t *out)
{
    aud_builder_root(&self->builder, out);
}
