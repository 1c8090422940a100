/* ocop_shard_id — the ids evaluation shards make: a kind prefix of capital letters, the shard
 * that made the record and its number there, "C2-17" (council 17 of shard 2), "S1-5",
 * "CERT2-7", "R1-3". One grammar for the shard that makes them, the gateway that routes them
 * and every tool that reads them:
 *
 *   id     = prefix shard "-" number     (at most OCOP_SHARD_ID_MAX characters)
 *   prefix = 1*("A".."Z")
 *   shard  = ("1".."9") *("0".."9")      (at most OCOP_SHARD_MAX)
 *   number = ("1".."9") *("0".."9")      (fits 64 bits) */
#ifndef OCOP_SHARD_ID_H
#define OCOP_SHARD_ID_H

#include <stddef.h>
#include <stdint.h>

#define OCOP_SHARD_ID_MAX 32
#define OCOP_SHARD_MAX 9999u

/* 0 when id follows the grammar (and starts with prefix exactly, unless prefix is NULL: any
 * kind), with its shard and number in *shard and *n (either may be NULL); -1 otherwise. */
int ocop_shard_id_parse(const char *id, const char *prefix, unsigned *shard, uint64_t *n);

/* Writes prefix shard "-" n into out. 0, or -1 when it would not fit or break the grammar. */
int ocop_shard_id_format(char *out, size_t len, const char *prefix, unsigned shard, uint64_t n);

#endif
