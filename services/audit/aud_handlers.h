/* aud_handlers — the audit service's requests (the log grows only from its sources: every
 * request reads it; only inspections are written by clients) and its route table. */
#ifndef AUD_HANDLERS_H
#define AUD_HANDLERS_H

#include <stddef.h>

#include "aud_state.h"
#include "audit.pb-c.h"
#include "ocop_service.h"

int aud_handle_tree_head_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_heads_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_entries_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_inclusion_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_consistency_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_events_query(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_sources_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_report_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_report_entries_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_inspection_plan(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_inspection_record(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);
int aud_handle_inspection_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply);

const ocop_route_t *aud_routes(size_t *count);

static inline aud_state_t *aud_state(ocop_ctx_t *ctx)
{
    return ocop_ctx_user(ctx);
}

/* The signed head of exactly tree_size (0: the latest) in the request's arena; NULL with the
 * reply failed (NOT_FOUND naming field when there is none) otherwise. */
Ocop__AudSignedTreeHead *aud_head_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, uint64_t tree_size);

/* The entry at index in the request's arena; NULL with the reply failed otherwise. */
Ocop__AudEntry *aud_entry_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, uint64_t index);

#endif
