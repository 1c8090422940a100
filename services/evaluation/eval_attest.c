/* eval_attest — the commune's check of a dossier before the province scores (1489/QĐ-TTg;
 * 26/2026 Art. 7.2: it receives the dossier, checks it and reports within 15 working days), and
 * the list of dossiers a commune reported on late. */
#include <string.h>

#include "eval_handlers.h"
#include "eval_product.h"
#include "ocop_date.h"
#include "ocop_error.h"

static void s_late_key(ocop_key_t *key, const Ocop__EvalProduct *p)
{
    ocop_key_init(key);
    ocop_key_str(key, p->province_code);
    ocop_key_str(key, p->commune_code);
    ocop_key_str(key, p->id);
}

/* received and reported: dates, received not after reported, reported not after today; the
 * deadline of the policy in force on received, and whether the report is late. */
static int s_timing(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalAttest *in, Ocop__EvalProduct *p)
{
    char *today = ocop_arena_alloc(ocop_ctx_arena(ctx), OCOP_DATE_LEN);
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    if (!*in->reported)
        in->reported = today;
    /* Left out: received the day it was reported on. */
    if (!*in->received)
        in->received = in->reported;
    if (!ocop_date_valid(in->reported) || strcmp(in->reported, today) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "reported", "reported must be a date YYYY-MM-DD not after %s",
                             today);
    if (!ocop_date_valid(in->received) || strcmp(in->received, in->reported) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "received",
                             "received must be a date YYYY-MM-DD not after the report's %s", in->reported);
    const eval_policy_t *policy = eval_policies_in_force(eval_state(ctx)->policies, in->received);
    const eval_policy_level_t *commune = policy ? eval_policy_level(policy, EVAL_LEVEL_COMMUNE) : NULL;
    p->attestation_deadline = "";
    p->attestation_late = false;
    if (!commune || commune->report_working_days == 0)
        return 0;
    char *deadline = ocop_arena_alloc(ocop_ctx_arena(ctx), OCOP_DATE_LEN);
    if (ocop_date_add_working_days(in->received, commune->report_working_days,
                                   eval_holidays_calendar(eval_state(ctx)->holidays), deadline) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "cannot count working days from %s", in->received);
    p->attestation_deadline = deadline;
    p->attestation_late = strcmp(in->reported, deadline) > 0;
    return 0;
}

int eval_handle_attest(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalAttest *in = req->eval_attest;
    if (ocop_ctx_check_text(ctx, reply, "note", in->note, 0, EVAL_NOTE_MAX) != 0)
        return -1;
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", in->product_id);
    if (!p)
        return -1;
    if (!eval_product_ready(p))
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s is not ready for evaluation: its dossier is not submitted", p->id);
    if (*p->session_id)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                             "product %s is being evaluated in session %s", p->id, p->session_id);
    if (s_timing(ctx, reply, in, p) != 0)
        return -1;
    p->attested = true;
    p->attestation = in;
    ocop_key_t key;
    s_late_key(&key, p);
    ocop_table_t late = eval_state(ctx)->db.late_dossiers;
    if ((p->attestation_late ? ocop_ctx_value_put(ctx, reply, late, &key, "", 0)
                             : ocop_ctx_erase(ctx, reply, late, &key)) != 0 ||
        eval_product_store(ctx, reply, p) != 0)
        return -1;
    Ocop__EvalProductAttested body = OCOP__EVAL_PRODUCT_ATTESTED__INIT;
    body.product_id = p->id;
    body.attestation = in;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_PRODUCT;
    reply->eval_product = p;
    return 0;
}

#define S_LATE_MAX 10000

/* The key of the late dossier where a page starts (after: "<commune>/<product>", the `next` of
 * the previous page) into *from; 0 when after is empty, 1 when set, -1 with the reply failed. */
static int s_late_from(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalLateDossiersGet *in, ocop_key_t *from)
{
    if (!*in->after)
        return 0;
    const char *slash = strchr(in->after, '/');
    size_t commune_len = slash ? (size_t)(slash - in->after) : 0;
    if (!slash || commune_len == 0 || commune_len > EVAL_CODE_MAX || !slash[1] || strchr(slash + 1, '/') ||
        (*in->commune_code &&
         (strlen(in->commune_code) != commune_len || strncmp(in->commune_code, in->after, commune_len) != 0)))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "after",
                             "after is the next of a previous page of the same list: <commune>/<product>");
    char commune[EVAL_CODE_MAX + 1];
    memcpy(commune, in->after, commune_len);
    commune[commune_len] = '\0';
    ocop_key_init(from);
    ocop_key_str(from, in->province_code);
    ocop_key_str(from, commune);
    ocop_key_str(from, slash + 1);
    if (from->overflow)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "after", "after is too long");
    return 1;
}

/* The dossiers of a province (or one commune) whose commune reported after its time limit, a page
 * at a time in commune and product order. */
int eval_handle_late_dossiers_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalLateDossiersGet *in = req->eval_late_dossiers_get;
    if (eval_check_province(ctx, reply, "province_code", in->province_code) != 0 ||
        ocop_ctx_check_text(ctx, reply, "commune_code", in->commune_code, 0, EVAL_CODE_MAX) != 0)
        return -1;
    if (in->limit > S_LATE_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "limit", "limit is 0 (%d) to %d dossiers", S_LATE_MAX,
                             S_LATE_MAX);
    size_t limit = in->limit ? in->limit : S_LATE_MAX;
    ocop_key_t prefix, from;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, in->province_code);
    if (*in->commune_code)
        ocop_key_str(&prefix, in->commune_code);
    int paged = s_late_from(ctx, reply, in, &from);
    if (paged < 0)
        return -1;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__EvalLateDossiers *out = ocop_arena_alloc(arena, sizeof *out);
    ocop__eval_late_dossiers__init(out);
    out->dossiers = ocop_arena_alloc(arena, limit * sizeof *out->dossiers);
    const char *last_commune = "", *last_product = ""; /* of the last dossier taken, off its key */
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, eval_state(ctx)->db.late_dossiers, &prefix, paged ? &from : NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        if (paged && scan.key.size == from.len && memcmp(scan.key.data, from.buf, from.len) == 0)
            continue; /* the last of the previous page */
        /* province\0commune\0product\0 */
        const char *province = scan.key.data;
        const char *commune = province + strlen(province) + 1;
        const char *product = commune + strlen(commune) + 1;
        if (out->n_dossiers == limit) {
            out->next = ocop_arena_printf(arena, "%s/%s", last_commune, last_product);
            break;
        }
        last_commune = commune;
        last_product = product;
        Ocop__EvalProduct *p = eval_product_load(ctx, reply, "province_code", product);
        if (!p) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
        Ocop__EvalLateDossier *d = ocop_arena_alloc(arena, sizeof *d);
        ocop__eval_late_dossier__init(d);
        d->product_id = p->id;
        d->commune_code = p->commune_code;
        d->received = p->attestation ? p->attestation->received : "";
        d->reported = p->attestation ? p->attestation->reported : "";
        d->deadline = p->attestation_deadline;
        int late =
            ocop_date_working_days_between(d->deadline, d->reported, eval_holidays_calendar(eval_state(ctx)->holidays));
        d->working_days_late = late > 0 ? (uint32_t)late : 0;
        out->dossiers[out->n_dossiers++] = d;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading late dossiers") != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_LATE_DOSSIERS;
    reply->eval_late_dossiers = out;
    return 0;
}
