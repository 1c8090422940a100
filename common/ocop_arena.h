/* ocop_arena — a bump allocator for everything one request needs: unpacked protobuf
 * messages, reply bodies, strings. Freed wholesale by ocop_arena_reset/destroy, so handlers
 * never free individual objects. */
#ifndef OCOP_ARENA_H
#define OCOP_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct ocop_arena_t ocop_arena_t;

/* chunk_size: bytes per block (larger requests get their own block). NULL on OOM. */
ocop_arena_t *ocop_arena_new(size_t chunk_size);
/* Frees every block and sets *self_p to NULL; safe on NULL and twice. */
void ocop_arena_destroy(ocop_arena_t **self_p);
/* Forgets every allocation, keeps the first block for reuse. */
void ocop_arena_reset(ocop_arena_t *self);

/* 16-byte aligned, zero-filled memory owned by the arena. NULL only on OOM. */
void *ocop_arena_alloc(ocop_arena_t *self, size_t size);
/* The array items (n elements of size bytes, room for *cap) with room for one more: items itself
 * while n < *cap, else a copy in a block twice as large (16 elements at first) and *cap updated.
 * NULL only on OOM. The way every handler grows a list it builds in the arena. */
void *ocop_arena_grow(ocop_arena_t *self, void *items, size_t n, size_t *cap, size_t size);
/* Copies of strings, owned by the arena. ocop_arena_strndup copies at most n bytes + NUL. */
char *ocop_arena_strdup(ocop_arena_t *self, const char *s);
char *ocop_arena_strndup(ocop_arena_t *self, const char *s, size_t n);
/* printf into arena memory. */
char *ocop_arena_printf(ocop_arena_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A protobuf-c allocator that allocates from the arena (free is a no-op): pass it to
 * *_unpack so the unpacked message lives exactly as long as the arena. */
ProtobufCAllocator *ocop_arena_allocator(ocop_arena_t *self);

/* Bytes handed out since the last reset (for tests and metrics). */
size_t ocop_arena_used(const ocop_arena_t *self);

#endif
