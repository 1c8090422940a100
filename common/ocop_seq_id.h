/* ocop_seq_id — the ids a service numbers in sequence on its own (registration's "PRD-00000042",
 * audit's "INS-000007", promotion's "FAIR-000003"): a kind of capital letters, "-", and the
 * number zero-padded to the kind's width, so that ids sort in the order they were made (the
 * stores page by id, and a service finds its last id as its table's last key). Ids that shards
 * make are ocop_shard_id's.
 *
 *   id     = kind "-" number     (at most OCOP_SEQ_ID_MAX characters)
 *   kind   = 1*("A".."Z")
 *   number = width or more digits, the number zero-padded to width, not 0 */
#ifndef OCOP_SEQ_ID_H
#define OCOP_SEQ_ID_H

#include <stddef.h>
#include <stdint.h>

#include "ocop_arena.h"

#define OCOP_SEQ_ID_MAX 32

/* Writes kind "-" n zero-padded to width digits into out. 0, or -1 when it would not fit,
 * kind is not capital letters, or n is 0. */
int ocop_seq_id_format(char *out, size_t len, const char *kind, unsigned width, uint64_t n);

/* ocop_seq_id_format into the arena: the id, or NULL (as format refuses, or out of memory). */
char *ocop_seq_id_new(ocop_arena_t *arena, const char *kind, unsigned width, uint64_t n);

/* 0 when the len bytes at id are kind "-" and a number of at least width digits written as
 * ocop_seq_id_format writes it (not 0, no more zeros than the padding, fits 64 bits), with the
 * number in *n (may be NULL); -1 otherwise. */
int ocop_seq_id_parse(const char *id, size_t len, const char *kind, unsigned width, uint64_t *n);

#endif
