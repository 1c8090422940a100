/* eval_move_tables — see eval_move_tables.h. The key layouts are those of eval_state.h,
 * eval_report.c and eval_round.c. */
#include "eval_move_tables.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "evaluation.pb-c.h"
#include "ocop_wire.h"

#define S_CODE_LEN 16 /* a province code with its NUL, as records hold it */

static const struct {
    const char *name;
    size_t offset; /* of the table in eval_dbs_t */
} s_tables[EVAL_TABLE_COUNT + 1] = {
    [EVAL_TABLE_PRODUCTS] = {"products", offsetof(eval_dbs_t, products)},
    [EVAL_TABLE_SELF_ASSESSMENTS] = {"self_assessments", offsetof(eval_dbs_t, self_assessments)},
    [EVAL_TABLE_COUNCILS] = {"councils", offsetof(eval_dbs_t, councils)},
    [EVAL_TABLE_SESSIONS] = {"sessions", offsetof(eval_dbs_t, sessions)},
    [EVAL_TABLE_SESSION_PRODUCTS] = {"session_products", offsetof(eval_dbs_t, session_products)},
    [EVAL_TABLE_SHEETS] = {"sheets", offsetof(eval_dbs_t, sheets)},
    [EVAL_TABLE_CERTIFICATES] = {"certificates", offsetof(eval_dbs_t, certificates)},
    [EVAL_TABLE_CERT_EXPIRY] = {"cert_expiry", offsetof(eval_dbs_t, cert_expiry)},
    [EVAL_TABLE_ROUNDS] = {"rounds", offsetof(eval_dbs_t, rounds)},
    [EVAL_TABLE_LATE_DOSSIERS] = {"late_dossiers", offsetof(eval_dbs_t, late_dossiers)},
    [EVAL_TABLE_REPORT] = {"report", offsetof(eval_dbs_t, report)},
};

ocop_table_t eval_move_table(const eval_state_t *state, eval_table_t table)
{
    return *(const ocop_table_t *)((const char *)&state->db + s_tables[table].offset);
}

const char *eval_move_table_name(eval_table_t table)
{
    return s_tables[table].name;
}

/* The index-th NUL-terminated part of key (the parts before it must be strings), or NULL. */
static const char *s_part(ocop_bytes_t k, int index)
{
    const char *p = k.data, *end = p + k.size;
    for (int i = 0; p < end; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            return NULL;
        if (i == index)
            return p;
        p = nul + 1;
    }
    return NULL;
}

/* The province_code of the record packed in v (a message with that field), read off its bytes:
 * a move reads every record of a table, and unpacking each one would cost most of the move. */
static const char *s_value_province(ocop_bytes_t v, const ProtobufCMessageDescriptor *desc, char code[S_CODE_LEN])
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(desc, "province_code");
    if (!ocop_wire_peek_text(v.data, v.size, f->id, code, S_CODE_LEN))
        code[0] = '\0'; /* absent (proto3 leaves empty strings out): no province */
    return code;
}

/* The province of the record with key (one string part, or "r"|id for rounds) in table: "" when
 * there is none. 0 / -1. */
static int s_parent_province(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *kind, const char *id,
                             const ProtobufCMessageDescriptor *desc, eval_parent_cache_t *cache, const char **province)
{
    if (cache->valid && strcmp(cache->id, id) == 0) {
        *province = cache->province;
        return 0;
    }
    ocop_key_t key;
    ocop_key_init(&key);
    if (kind)
        ocop_key_str(&key, kind);
    ocop_key_str(&key, id);
    *province = "";
    ocop_bytes_t v;
    int rc = ocop_ctx_value(ctx, reply, table, &key, &v);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    *province = s_value_province(v, desc, cache->province);
    cache->valid = strlen(id) < sizeof cache->id;
    if (cache->valid)
        snprintf(cache->id, sizeof cache->id, "%s", id);
    return 0;
}

/* The province of a report key (eval_report.c's tables). */
static int s_report_province(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_bytes_t k, eval_parent_cache_t *cache,
                             const char **province)
{
    const eval_state_t *state = ocop_ctx_user(ctx);
    const char *table = s_part(k, 0);
    *province = "";
    if (!table)
        return 0;
    if (strcmp(table, "c") == 0) {
        const char *product = s_part(k, 1);
        return product ? s_parent_province(ctx, reply, state->db.products, NULL, product,
                                           &ocop__eval_product__descriptor, cache, province)
                       : 0;
    }
    const char *p = s_part(k, strcmp(table, "m") == 0 || strcmp(table, "a") == 0 ? 2 : 1);
    *province = p ? p : "";
    return 0;
}

/* The province of a rounds key: "r"|id -> the round, "k"|province|..., "s"|round id|session. */
static int s_round_province(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_bytes_t k, ocop_bytes_t v, char code[S_CODE_LEN],
                            eval_parent_cache_t *cache, const char **province)
{
    const eval_state_t *state = ocop_ctx_user(ctx);
    const char *kind = s_part(k, 0), *second = s_part(k, 1);
    *province = "";
    if (!kind || !second)
        return 0;
    if (strcmp(kind, "r") == 0) {
        *province = s_value_province(v, &ocop__eval_round__descriptor, code);
        return 0;
    }
    if (strcmp(kind, "k") == 0) {
        *province = second;
        return 0;
    }
    return s_parent_province(ctx, reply, state->db.rounds, "r", second, &ocop__eval_round__descriptor, cache, province);
}

int eval_move_belongs(ocop_ctx_t *ctx, Ocop__Reply *reply, eval_table_t table, ocop_bytes_t k, ocop_bytes_t v,
                      const char *province, eval_parent_cache_t *cache, bool *yes)
{
    const eval_state_t *state = ocop_ctx_user(ctx);
    const char *of = "", *first = s_part(k, 0);
    char code[S_CODE_LEN];
    int rc = 0;
    switch (table) {
    case EVAL_TABLE_PRODUCTS:
        of = s_value_province(v, &ocop__eval_product__descriptor, code);
        break;
    case EVAL_TABLE_COUNCILS:
        of = s_value_province(v, &ocop__eval_council__descriptor, code);
        break;
    case EVAL_TABLE_SESSIONS:
        of = s_value_province(v, &ocop__eval_session__descriptor, code);
        break;
    case EVAL_TABLE_CERTIFICATES:
        of = s_value_province(v, &ocop__eval_certificate__descriptor, code);
        break;
    case EVAL_TABLE_SELF_ASSESSMENTS:
        if (first)
            rc = s_parent_province(ctx, reply, state->db.products, NULL, first, &ocop__eval_product__descriptor, cache,
                                   &of);
        break;
    case EVAL_TABLE_SESSION_PRODUCTS:
    case EVAL_TABLE_SHEETS:
        if (first)
            rc = s_parent_province(ctx, reply, state->db.sessions, NULL, first, &ocop__eval_session__descriptor, cache,
                                   &of);
        break;
    case EVAL_TABLE_CERT_EXPIRY: {
        const char *id = s_part(k, 1);
        if (id)
            rc = s_parent_province(ctx, reply, state->db.certificates, NULL, id, &ocop__eval_certificate__descriptor,
                                   cache, &of);
        break;
    }
    case EVAL_TABLE_ROUNDS:
        rc = s_round_province(ctx, reply, k, v, code, cache, &of);
        break;
    case EVAL_TABLE_LATE_DOSSIERS:
        of = first ? first : "";
        break;
    case EVAL_TABLE_REPORT:
        rc = s_report_province(ctx, reply, k, cache, &of);
        break;
    }
    *yes = rc == 0 && strcmp(of, province) == 0;
    return rc;
}

const char *eval_move_record_id(eval_table_t table, ocop_bytes_t k, ocop_arena_t *arena)
{
    const char *first = s_part(k, 0);
    switch (table) {
    case EVAL_TABLE_PRODUCTS:
    case EVAL_TABLE_COUNCILS:
    case EVAL_TABLE_SESSIONS:
    case EVAL_TABLE_CERTIFICATES:
        return first && (size_t)(strlen(first) + 1) == k.size ? ocop_arena_strdup(arena, first) : NULL;
    case EVAL_TABLE_ROUNDS: {
        const char *id = s_part(k, 1);
        return first && id && strcmp(first, "r") == 0 ? ocop_arena_strdup(arena, id) : NULL;
    }
    default:
        return NULL;
    }
}
