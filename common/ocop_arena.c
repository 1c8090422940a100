/* ocop_arena — chunked bump allocator.
 * Blocks form a singly linked list headed by the first block, which reset keeps so that a
 * service loop reusing one arena per request does not touch malloc in the steady state. */
#include "ocop_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ALIGN 16
#define S_DEFAULT_CHUNK ((size_t)64 * 1024)

typedef struct s_block_t {
    struct s_block_t *next;
    size_t size; /* usable bytes after the header */
    size_t pos;  /* bytes handed out */
} s_block_t;

/* The header is padded so the data that follows it keeps the block's 16-byte alignment. */
#define S_HEADER (((sizeof(s_block_t) + S_ALIGN - 1) / S_ALIGN) * S_ALIGN)

struct ocop_arena_t {
    ProtobufCAllocator allocator; /* allocator_data points back at this arena */
    s_block_t *first;
    s_block_t *current;
    size_t chunk_size;
    size_t used;
};

static s_block_t *s_block_new(size_t size)
{
    if (size > SIZE_MAX - S_HEADER)
        return NULL;
    void *mem = NULL;
    if (posix_memalign(&mem, S_ALIGN, S_HEADER + size) != 0)
        return NULL;
    s_block_t *block = mem;
    block->next = NULL;
    block->size = size;
    block->pos = 0;
    return block;
}

static uint8_t *s_block_data(s_block_t *block)
{
    return (uint8_t *)block + S_HEADER;
}

static void *s_pb_alloc(void *data, size_t size)
{
    return ocop_arena_alloc(data, size);
}

static void s_pb_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr;
}

ocop_arena_t *ocop_arena_new(size_t chunk_size)
{
    ocop_arena_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->chunk_size = chunk_size ? (chunk_size + S_ALIGN - 1) / S_ALIGN * S_ALIGN : S_DEFAULT_CHUNK;
    self->first = s_block_new(self->chunk_size);
    if (!self->first) {
        free(self);
        return NULL;
    }
    self->current = self->first;
    self->allocator.alloc = s_pb_alloc;
    self->allocator.free = s_pb_free;
    self->allocator.allocator_data = self;
    return self;
}

static void s_free_after(s_block_t *block)
{
    s_block_t *b = block->next;
    while (b) {
        s_block_t *next = b->next;
        free(b);
        b = next;
    }
    block->next = NULL;
}

void ocop_arena_destroy(ocop_arena_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_arena_t *self = *self_p;
    s_free_after(self->first);
    free(self->first);
    free(self);
    *self_p = NULL;
}

void ocop_arena_reset(ocop_arena_t *self)
{
    if (!self)
        return;
    s_free_after(self->first);
    self->first->pos = 0;
    self->current = self->first;
    self->used = 0;
}

void *ocop_arena_grow(ocop_arena_t *self, void *items, size_t n, size_t *cap, size_t size)
{
    if (items && n < *cap)
        return items;
    size_t more = *cap ? *cap * 2 : 16;
    if (size && more > SIZE_MAX / size)
        return NULL;
    void *grown = ocop_arena_alloc(self, more * size);
    if (!grown)
        return NULL;
    if (n)
        memcpy(grown, items, n * size);
    *cap = more;
    return grown;
}

void *ocop_arena_alloc(ocop_arena_t *self, size_t size)
{
    if (!self || size > SIZE_MAX - S_HEADER - S_ALIGN)
        return NULL;
    /* Zero-size requests still get a distinct, valid pointer. */
    size_t rounded = size ? (size + S_ALIGN - 1) / S_ALIGN * S_ALIGN : S_ALIGN;

    s_block_t *block = self->current;
    if (block->size - block->pos < rounded) {
        /* Oversized requests get a block of their own and leave the current block in use. */
        int own = rounded > self->chunk_size;
        s_block_t *fresh = s_block_new(own ? rounded : self->chunk_size);
        if (!fresh)
            return NULL;
        fresh->next = self->first->next;
        self->first->next = fresh;
        if (!own)
            self->current = fresh;
        block = fresh;
    }
    uint8_t *ptr = s_block_data(block) + block->pos;
    block->pos += rounded;
    self->used += rounded;
    /* Blocks are reused after reset, so zero on hand-out rather than on allocation. */
    memset(ptr, 0, rounded);
    return ptr;
}

char *ocop_arena_strndup(ocop_arena_t *self, const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *copy = ocop_arena_alloc(self, len + 1);
    if (copy)
        memcpy(copy, s, len); /* the terminating NUL comes from the zero fill */
    return copy;
}

char *ocop_arena_strdup(ocop_arena_t *self, const char *s)
{
    return s ? ocop_arena_strndup(self, s, strlen(s)) : NULL;
}

char *ocop_arena_printf(ocop_arena_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    char *out = ocop_arena_alloc(self, (size_t)len + 1);
    if (!out)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return out;
}

ProtobufCAllocator *ocop_arena_allocator(ocop_arena_t *self)
{
    return self ? &self->allocator : NULL;
}

size_t ocop_arena_used(const ocop_arena_t *self)
{
    return self ? self->used : 0;
}
