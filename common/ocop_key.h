/* ocop_key — the store's vocabulary for code that does not include LMDB: the one encoding of keys
 * (composite keys whose strings are appended with a terminating NUL, so prefixes sort first and
 * "a" < "ab", and whose integers are big-endian, so they sort numerically), the big-endian
 * integers stored as values, a table (a named database) and the bytes of a key or value. */
#ifndef OCOP_KEY_H
#define OCOP_KEY_H

#include <stddef.h>
#include <stdint.h>

/* A named database of a store (LMDB's MDB_dbi: checked in ocop_store.c). */
typedef unsigned int ocop_table_t;

/* Bytes of a key or value read from a store: valid until the transaction writes or ends. */
typedef struct {
    const void *data;
    size_t size;
} ocop_bytes_t;

/* The store error of a value that does not parse (LMDB's MDB_CORRUPTED: checked in ocop_store.c),
 * for code that stops a scan on one (ocop_scan_fail). */
#define OCOP_STORE_CORRUPT (-30796)

#define OCOP_KEY_MAX 480
typedef struct {
    uint8_t buf[OCOP_KEY_MAX];
    size_t len;
    int overflow; /* set when an append did not fit; such a key must not be used */
} ocop_key_t;

void ocop_key_init(ocop_key_t *key);
void ocop_key_str(ocop_key_t *key, const char *s);
void ocop_key_u64(ocop_key_t *key, uint64_t v);
void ocop_key_u32(ocop_key_t *key, uint32_t v);
/* Appends bytes already encoded: a key read from a store or received from a peer (a shard's
 * move copies records by their keys). */
void ocop_key_bytes(ocop_key_t *key, const void *data, size_t len);

/* Keys in the store's order (LMDB's default: bytewise, a prefix first): <0, 0, >0. */
int ocop_bytes_cmp(ocop_bytes_t a, ocop_bytes_t b);

void ocop_be64_put(uint8_t *p, uint64_t v);
uint64_t ocop_be64_get(const uint8_t *p);
void ocop_be32_put(uint8_t *p, uint32_t v);
uint32_t ocop_be32_get(const uint8_t *p);

#endif
