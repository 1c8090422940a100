/* eval_routes — which handler serves which request, and the helpers every handler uses. */
#include "eval_handlers.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_owner.h"
#include "ocop_error.h"
#include "ocop_shard_id.h"

static const ocop_route_t s_routes[] = {
    {OCOP__REQUEST__BODY_EVAL_COUNCIL_CREATE, "council_create", true, eval_handle_council_create, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_COUNCIL_GET, "council_get", false, eval_handle_council_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_TIE_DECLARE, "tie_declare", true, eval_handle_tie_declare, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_ATTEST, "attest", true, eval_handle_attest, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_LATE_DOSSIERS_GET, "late_dossiers_get", false, eval_handle_late_dossiers_get, false,
     NULL},
    {OCOP__REQUEST__BODY_EVAL_PRODUCT_GET, "product_get", false, eval_handle_product_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SESSION_OPEN, "session_open", true, eval_handle_session_open, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SESSION_START, "session_start", true, eval_handle_session_start, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SESSION_GET, "session_get", false, eval_handle_session_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SHEET_SUBMIT, "sheet_submit", true, eval_handle_sheet_submit, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SHEET_LIST, "sheet_list", false, eval_handle_sheet_list, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_FORM_GET, "form_get", false, eval_handle_form_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_PHASE_ADVANCE, "phase_advance", true, eval_handle_phase_advance, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SESSION_CLOSE, "session_close", true, eval_handle_session_close, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_CERTIFICATE_GET, "certificate_get", false, eval_handle_certificate_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE, "certificate_revoke", true, eval_handle_certificate_revoke, false,
     NULL},
    {OCOP__REQUEST__BODY_EVAL_EXPIRE_DUE, "expire_due", true, eval_handle_expire_due, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_CENTRAL_RESULT_CERTIFY, "central_result_certify", true,
     eval_handle_central_result_certify, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_REPORT_GET, "report_get", false, eval_handle_report_get, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SELF_ASSESS, "self_assess", true, eval_handle_self_assess, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_SELF_ASSESSMENT_GET, "self_assessment_get", false, eval_handle_self_assessment_get, false,
     NULL},
    {OCOP__REQUEST__BODY_EVAL_ROUND_OPEN, "round_open", true, eval_handle_round_open, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_ROUND_CALENDAR_GET, "round_calendar_get", false, eval_handle_round_calendar_get, false,
     NULL},
    /* Moving a province (eval_move.c; only the operators' key may). */
    {OCOP__REQUEST__BODY_EVAL_MOVE_BEGIN, "move_begin", true, eval_handle_move_begin, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_FENCE, "move_fence", true, eval_handle_move_fence, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_EXPORT, "move_export", false, eval_handle_move_export, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_IMPORT, "move_import", true, eval_handle_move_import, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_COMPARE, "move_compare", false, eval_handle_move_compare, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_COMMIT, "move_commit", true, eval_handle_move_commit, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_RELEASE, "move_release", true, eval_handle_move_release, false, NULL},
    {OCOP__REQUEST__BODY_EVAL_MOVE_MAP_GET, "move_map_get", false, eval_handle_move_map_get, false, NULL},
};

const ocop_route_t *eval_routes(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}

int eval_redirect(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *holder, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ocop_ctx_fail(ctx, reply, OCOP_E_WRONG_SHARD, field, "%s", message);
    reply->redirect = ocop_arena_strdup(ocop_ctx_arena(ctx), holder);
    return -1;
}

int eval_check_province(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *province)
{
    eval_state_t *state = eval_state(ctx);
    if (!province || !*province)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is required", field);
    eval_owner_t o;
    if (eval_owner_province_in(ctx, reply, province, &o) != 0)
        return -1;
    switch (o.kind) {
    case EVAL_OWNER_SERVES:
        return 0;
    case EVAL_OWNER_FENCED:
        if (!ocop_ctx_writes(ctx))
            return 0;
        return ocop_ctx_fail(ctx, reply, OCOP_E_UNAVAILABLE, field,
                             "province %.16s is moving to shard %s: its writes wait until the move ends; retry shortly",
                             province, o.peer);
    case EVAL_OWNER_ELSEWHERE:
        return eval_redirect(ctx, reply, field, o.holder, "province %.16s belongs to shard %s, not %s", province,
                             o.holder, state->service->name);
    default:
        return ocop_ctx_fail(ctx, reply, OCOP_E_WRONG_SHARD, field, "no evaluation shard owns province %.16s",
                             province);
    }
}

int eval_check_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id, const char *prefix)
{
    eval_state_t *state = eval_state(ctx);
    if (!id || !*id)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is required", field);
    unsigned shard;
    if (ocop_shard_id_parse(id, prefix, &shard, NULL) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s '%.40s' is not an id of the form %s<shard>-<n>",
                             field, id, prefix);
    char holder[OCOP_NAME_MAX];
    int rc = eval_owner_holder_in(ctx, reply, id, holder, sizeof holder);
    if (rc < 0)
        return -1;
    if (rc == 0 && strcmp(holder, state->service->name) == 0)
        return 0;
    if (rc == 0)
        return eval_redirect(ctx, reply, field, holder, "%s %s moved to shard %s", field, id, holder);
    if (shard == state->service->shard)
        return 0;
    if (ocop_config_shard_name(state->config, EVAL_GROUP, shard, holder, sizeof holder) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_WRONG_SHARD, field,
                             "%s %s was made by shard %u, which is not configured", field, id, shard);
    return eval_redirect(ctx, reply, field, holder, "%s %s belongs to shard %s, not %s", field, id, holder,
                         state->service->name);
}

void **eval_read_prefix(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const ocop_key_t *prefix,
                        const ProtobufCMessageDescriptor *desc, size_t *n, const char *what)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    size_t cap = 0, count = 0;
    void **out = ocop_arena_grow(arena, NULL, 0, &cap, sizeof *out);
    ocop_scan_t scan;
    if (!out) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "out of memory");
        return NULL;
    }
    if (ocop_ctx_scan_open(ctx, reply, &scan, dbi, prefix, NULL) != 0)
        return NULL;
    while (ocop_scan_next(&scan)) {
        if (!(out = ocop_arena_grow(arena, out, count, &cap, sizeof *out))) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        out[count] = protobuf_c_message_unpack(desc, ocop_arena_allocator(arena), scan.value.size, scan.value.data);
        if (!out[count]) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        count++;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, what) != 0)
        return NULL;
    *n = count;
    return out;
}

static void s_session_product_key(ocop_key_t *key, const char *session_id, const char *product_id)
{
    ocop_key_init(key);
    ocop_key_str(key, session_id);
    ocop_key_str(key, product_id);
}

Ocop__EvalSessionProduct *eval_session_product_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id,
                                                    const char *product_id)
{
    ocop_key_t key;
    s_session_product_key(&key, session_id, product_id);
    if (key.overflow) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_id", "product_id is too long");
        return NULL;
    }
    void *sp;
    int rc = ocop_ctx_record(ctx, reply, eval_state(ctx)->db.session_products, &key,
                             &ocop__eval_session_product__descriptor, &sp);
    if (rc == 1)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "product_id", "product %.64s is not in session %s", product_id,
                      session_id);
    return rc == 0 ? sp : NULL;
}

int eval_session_product_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id,
                               const Ocop__EvalSessionProduct *sp)
{
    ocop_key_t key;
    s_session_product_key(&key, session_id, sp->product_id);
    return ocop_ctx_record_put(ctx, reply, eval_state(ctx)->db.session_products, &key, &sp->base);
}

eval_level_t eval_level_of(Ocop__EvalLevel level)
{
    return (eval_level_t)((int)level - 1);
}

Ocop__EvalLevel eval_level_to_proto(eval_level_t level)
{
    return (Ocop__EvalLevel)((int)level + 1);
}

const Ocop__EvalMember *eval_council_member(const Ocop__EvalCouncil *council, const char *id)
{
    for (size_t i = 0; i < council->n_members; i++)
        if (strcmp(council->members[i]->id, id) == 0)
            return council->members[i];
    return NULL;
}

bool eval_member_tied(const Ocop__EvalMember *member, const char *entity_id)
{
    for (size_t i = 0; i < member->n_tied_entity_ids; i++)
        if (strcmp(member->tied_entity_ids[i], entity_id) == 0)
            return true;
    return false;
}
