/* aud_migrate — brings a store made by an older version to the current layout, at the audit
 * service's start, before it answers: the Merkle tree (aud_migrate.c) and the indexes of entries
 * by key and by source sequence (aud_migrate_indexes.c).
 *
 * Nodes were kept in "nodes", keyed level-major (level, then index): each level grew just before
 * the next level's first key, in the middle of the table, where LMDB splits a page in half, so
 * those pages stayed half full (about 218 bytes per entry). "merkle" keys a node by the last leaf
 * it covers, then its level (aud_node_key): the order in which they are made, so each is
 * appended at the end and the pages fill up. At start, the old database's nodes are copied in
 * that order, the nodes of AUD_MIGRATE_LEAVES leaves per transaction, and the old database is
 * dropped in the last one. A start that stops half way resumes after the last leaf copied (a
 * transaction copies every node of its leaves). Progress is logged per transaction. */
#ifndef AUD_MIGRATE_H
#define AUD_MIGRATE_H

#include <stddef.h>

#include "aud_state.h"

#define AUD_MIGRATE_LEAVES 50000

/* Copies the nodes of the old "nodes" database into merkle and drops it, when the store has
 * one. Before the service loop starts. 0, or -1 with err (a node the log's size needs is
 * missing or is not a hash: the store is damaged). */
int aud_migrate_nodes(aud_state_t *state, char *err, size_t errlen);

/* The indexes "by_key" (kind|value|index -> "") and "source_seq" (section|sequence -> index), and
 * the integrity reports' "tally_entries" (family|group|entry -> province, year), were plain
 * tables: each key's run grew in the middle of the table, where LMDB splits pages in half (about
 * 150 bytes per log entry for the first two). They are copied into key_entries, source_entries
 * and AUD_TALLY_ENTRIES_TABLE, tables of sorted duplicates whose values are appended at their
 * key's end (aud_state.h, aud_tally.h), in key order, AUD_MIGRATE_RECORDS records per
 * transaction; the old table is dropped in the last one. A start stopped half way resumes after
 * the last record copied. */
#define AUD_MIGRATE_RECORDS 100000

/* Copies each old index the store still has and drops it. Before the service loop starts. 0, or
 * -1 with err (a record of another shape: the store is damaged, and left as it is). */
int aud_migrate_indexes(aud_state_t *state, char *err, size_t errlen);

#endif
