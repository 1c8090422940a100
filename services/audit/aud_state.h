/* aud_state — the audit service's store schema, signing key and sources.
 *
 * Databases (keys built with ocop_key_*, "|" separates parts below):
 *   entries     index(u64)                               -> the packed ocop.Event as received,
 *                                                           compressed when large (ocop_stored)
 *   merkle      last leaf(u64)|level(u32)                -> 32-byte hash of a complete subtree:
 *                                                           node (level, index) covers leaves up to
 *                                                           ((index + 1) << level) - 1, the leaf whose
 *                                                           append made it, so nodes are keyed in the
 *                                                           order they are made, always appended at
 *                                                           the table's end, and its pages fill up
 *   heads       tree size(u64)                           -> AudSignedTreeHead (one per commit)
 *   source_entries  section -> sequence(u64)|index(u64), sorted duplicates of 16 bytes (MDB_DUPSORT
 *               | MDB_DUPFIXED): which entry holds each sequence of a source (contiguity)
 *   sources     section                                  -> AudSource (intake status)
 *   key_entries kind|value -> index(u64), sorted duplicates of 8 bytes: the entries naming a
 *               council, province or event type (kind "council", "province", "type")
 *               Both are appended at their key's end (MDB_APPENDDUP), so their pages fill up;
 *               keyed kind|value|index each, their runs grew in the middle of the table, where
 *               LMDB splits pages in half (aud_migrate_indexes copies such a store's).
 *   by_time     event time_ms(u64)|index(u64)            -> ""
 *   inspections id                                       -> AudInspection
 *   meta        "size" -> u64; "entries"|section -> u64; "inspections" -> u64 (last id number);
 *               "kept" -> u64 (the entries below it are in the derived databases: aud_derived)
 *   tally_sums, tally_row_entries: the integrity reports' figures (aud_tally.h)
 *   certified   valid certificates by province and their results (aud_certified.h)
 * The subscribers' cursors are in their own database ("cursors", see ocop_subscriber). Events by
 * product are indexed in memory (aud_memindex): at start-up loaded from the file a clean stop
 * saved (aud_products) and extended from the entries appended since, or rebuilt from them all. */
#ifndef AUD_STATE_H
#define AUD_STATE_H

#include <stdatomic.h>

#include "aud_memindex.h"
#include "aud_sign.h"
#include "aud_tally.h"
#include "envelope.pb-c.h"
#include "ocop_arena.h"
#include "ocop_config.h"
#include "ocop_service.h"

/* Inspections are numbered "INS-000001" on (ocop_seq_id). */
#define AUD_INSPECTION_ID_WIDTH 6

typedef struct {
    ocop_table_t entries, merkle, heads, source_entries, sources, key_entries, by_time, inspections, meta;
    aud_tally_db_t tally;
    ocop_table_t certified;
} aud_dbs_t;

typedef struct {
    ocop_store_t *store;
    aud_dbs_t db;
    aud_signer_t signer;
    const ocop_service_config_t *service;
    const ocop_config_t *config; /* who owns which province and shard (for revocation requests) */
    ocop_arena_t *intake_arena;  /* used by the intake's thread only */
    aud_memindex_t *products;    /* product id -> entry indexes */
    atomic_int products_ready;   /* 1 once aud_state_rebuild_products has run, -1 when it failed */
} aud_state_t;

/* Opens every database and the signing key (created at the first start). The product index
 * starts empty: aud_state_rebuild_products fills it. 0, or -1 with err. */
int aud_state_open(aud_state_t *state, ocop_store_t *store, const ocop_config_t *config,
                   const ocop_service_config_t *service, char *err, size_t errlen);
void aud_state_close(aud_state_t *state);

/* Opens key_entries, source_entries and the tally's entries, tables of sorted duplicates (aud_state_open does; a test
 * or benchmark that opens only some of the store's tables calls it itself). 0, or -1 with err. */
int aud_state_open_dup_tables(aud_state_t *state, char *err, size_t errlen);

/* Indexes the log by product: loads what a clean stop saved (aud_products) and indexes the
 * entries after it, or every entry when there is no usable file (the intake's thread, before it
 * takes any entry: the service answers meanwhile, and product queries say the index is not
 * ready). Sets products_ready. 0, or -1 with err (the log cannot be read or an entry is not an
 * event). */
int aud_state_rebuild_products(aud_state_t *state, char *err, size_t errlen);

/* The event a stored log entry holds (ocop_stored: large ones are kept compressed), unpacked
 * into arena. 0, MDB_CORRUPTED when it cannot be read back or is not an event, or ENOMEM. */
int aud_entry_event(ocop_arena_t *arena, const void *stored, size_t len, Ocop__Event **event);

/* Entries in the log as seen by txn. 0 / MDB error. */
int aud_state_size(const aud_state_t *state, MDB_txn *txn, uint64_t *size);

/* The entries [0, *kept) are in the derived databases (aud_derived). 0 / MDB error. */
int aud_state_kept(const aud_state_t *state, MDB_txn *txn, uint64_t *kept);
int aud_state_set_kept(const aud_state_t *state, MDB_txn *txn, uint64_t kept);

/* Indexes entry index under (kind, value) in key_entries; index must be above every entry the
 * key holds but one equal to it (an event naming a value twice). 0, or an MDB error
 * (MDB_KEYEXIST for an index below the key's last). */
int aud_state_put_key(const aud_state_t *state, MDB_txn *txn, const char *kind, const char *value, uint64_t index);

/* Records that entry index holds sequence seq of section's source in source_entries; (seq, index)
 * must sort after the section's last pair (MDB_KEYEXIST otherwise: a sequence taken twice shows
 * as a gap in the walk that checks contiguity). 0 / MDB error. */
int aud_state_put_sequence(const aud_state_t *state, MDB_txn *txn, const char *section, uint64_t seq, uint64_t index);

/* The key of node (level, index) in the merkle database. */
void aud_node_key(ocop_key_t *key, unsigned level, uint64_t index);

/* Node storage over the merkle database inside txn (for aud_merkle). */
typedef struct {
    const aud_state_t *state;
    MDB_txn *txn;
} aud_node_ctx_t;
void aud_state_nodes(aud_node_ctx_t *ctx, const aud_state_t *state, MDB_txn *txn, aud_nodes_t *out);

/* For the handlers, in the request's transaction: the log's size (0, or -1 with the store error
 * in reply); the tree's nodes; the number of the next inspection (counted up: 0 / -1). */
int aud_state_size_in(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *size);
void aud_state_nodes_in(aud_node_ctx_t *nctx, ocop_ctx_t *ctx, aud_nodes_t *out);
int aud_state_next_inspection(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *n);

#endif
