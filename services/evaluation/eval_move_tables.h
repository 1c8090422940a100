/* eval_move_tables — the databases a province's move copies, in the order they are copied (a
 * record's parent before it: products before their self-assessments, sessions before their
 * sheets), and which province each record belongs to, read from the record or its parent. */
#ifndef EVAL_MOVE_TABLES_H
#define EVAL_MOVE_TABLES_H

#include <stdbool.h>

#include "eval_state.h"
#include "ocop_arena.h"

typedef enum {
    EVAL_TABLE_PRODUCTS = 1,
    EVAL_TABLE_SELF_ASSESSMENTS,
    EVAL_TABLE_COUNCILS,
    EVAL_TABLE_SESSIONS,
    EVAL_TABLE_SESSION_PRODUCTS,
    EVAL_TABLE_SHEETS,
    EVAL_TABLE_CERTIFICATES,
    EVAL_TABLE_CERT_EXPIRY,
    EVAL_TABLE_ROUNDS,
    EVAL_TABLE_LATE_DOSSIERS,
    EVAL_TABLE_REPORT,
    EVAL_TABLE_COUNT = EVAL_TABLE_REPORT, /* tables are numbered 1..EVAL_TABLE_COUNT */
} eval_table_t;

/* The last parent looked up (sheets come by session, many at a time). */
typedef struct {
    char id[64];
    char province[16];
    bool valid;
} eval_parent_cache_t;

/* The store's table and the name of table (1..EVAL_TABLE_COUNT). */
ocop_table_t eval_move_table(const eval_state_t *state, eval_table_t table);
const char *eval_move_table_name(eval_table_t table);

/* Whether the record (k, v) of table belongs to province, reading its parent in the request's
 * transaction when it has one: *yes. A record whose parent is missing belongs to none. 0, or -1
 * with the store error in reply. */
int eval_move_belongs(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, ocop_bytes_t k, ocop_bytes_t v,
                      const char *province, eval_parent_cache_t *cache, bool *yes);

/* The id a record of table is found by when it is one (councils, sessions, certificates, rounds'
 * "r" records, products: ids a move must redirect), else NULL. In arena. */
const char *eval_move_record_id(eval_table_t table, ocop_bytes_t k, ocop_arena_t *arena);

#endif
