/* aud_migrate — brings the Merkle tree of a store from before the "merkle" database into it.
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

#endif
