/* reg_counts — see reg_counts.h; also serves RegCountsGet. */
#include "reg_counts.h"

#include <errno.h>
#include <string.h>

#include "ocop_error.h"
#include "reg_handlers.h"
#include "reg_state.h"

/* A reply holds at most this many rows; more is refused (TOO_LARGE), never cut short. */
#define S_ROWS_MAX 20000

/* One table, two kinds of cells (reports answer both): by today's province, with an
 * empty version, and by the province as recorded, with the hierarchy version it was recorded
 * in. Both lead with the province, so for a product registered in today's hierarchy the two
 * cells sit side by side and a change dirties one page, not two. */
static void s_key(ocop_key_t *k, const char *province, const char *version, const Ocop__RegProduct *p,
                  Ocop__Stage stage)
{
    ocop_key_init(k);
    ocop_key_str(k, province);
    ocop_key_str(k, version);
    ocop_key_str(k, p->catalogue_version);
    ocop_key_str(k, p->sector_code);
    ocop_key_u32(k, (uint32_t)stage);
}

int reg_counts_add(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__RegProduct *product, Ocop__Stage stage, int delta)
{
    const ocop_table_t counts = ((reg_state_t *)ocop_ctx_user(ctx))->db.counts;
    ocop_key_t today, recorded;
    s_key(&today, product->current_province_code, "", product, stage);
    s_key(&recorded, product->province_code, product->unit_version, product, stage);
    if (ocop_ctx_counter_add(ctx, reply, counts, &today, delta, NULL) != 0)
        return -1;
    return ocop_ctx_counter_add(ctx, reply, counts, &recorded, delta, NULL);
}

/* Splits a counts key into its n strings and the stage (strings point into the key). */
static int s_parse(ocop_bytes_t k, const char **parts, int n, uint32_t *stage)
{
    const char *p = k.data, *end = (const char *)k.data + k.size;
    for (int i = 0; i < n; i++) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul)
            return -1;
        parts[i] = p;
        p = nul + 1;
    }
    if (end - p != 4)
        return -1;
    *stage = ocop_be32_get((const uint8_t *)p);
    return 0;
}

int reg_handle_counts_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    reg_state_t *state = ocop_ctx_user(ctx);
    const Ocop__RegCountsGet *in = req->reg_counts_get;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    if (*in->province_code)
        ocop_key_str(&prefix, in->province_code);
    Ocop__RegCounts *counts = ocop_arena_alloc(arena, sizeof *counts);
    ocop__reg_counts__init(counts);
    size_t cap = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, state->db.counts, &prefix, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        const char *parts[4]; /* province, version ("" = today's), catalogue, sector */
        uint32_t stage;
        if (s_parse(scan.key, parts, 4, &stage) != 0 || scan.value.size != 8) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        if ((*parts[1] != '\0') != (in->as_recorded != 0))
            continue;
        if (counts->n_rows == S_ROWS_MAX) {
            ocop_scan_close(&scan, 0);
            return ocop_ctx_fail(ctx, reply, OCOP_E_TOO_LARGE, "province_code",
                                 "more than %d rows of counts: ask for one province at a time", S_ROWS_MAX);
        }
        Ocop__RegCount *row = ocop_arena_alloc(arena, sizeof *row);
        counts->rows = ocop_arena_grow(arena, counts->rows, counts->n_rows, &cap, sizeof *counts->rows);
        if (!row || !counts->rows) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        ocop__reg_count__init(row);
        row->province_code = ocop_arena_strdup(arena, parts[0]);
        row->unit_version = ocop_arena_strdup(arena, parts[1]);
        row->catalogue_version = ocop_arena_strdup(arena, parts[2]);
        row->sector_code = ocop_arena_strdup(arena, parts[3]);
        row->stage = (Ocop__Stage)stage;
        row->count = ocop_be64_get(scan.value.data);
        counts->rows[counts->n_rows++] = row;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading counts") != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_REG_COUNTS;
    reply->reg_counts = counts;
    return 0;
}
