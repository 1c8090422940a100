/* eval_certificate — see eval_certificate.h; also the Get, Revoke and ExpireDue requests. */
#include "eval_certificate.h"

#include <string.h>

#include "eval_handlers.h"
#include "eval_owner.h"
#include "eval_product.h"
#include "eval_rating.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_EXPIRE_DEFAULT 1000
#define S_EXPIRE_MAX 10000

/* Indexed under the last day it is valid: its expiry, or the day it was extended to. */
static void s_expiry_key(ocop_key_t *key, const Ocop__EvalCertificate *c)
{
    ocop_key_init(key);
    ocop_key_str(key, *c->extended_to ? c->extended_to : c->expires);
    ocop_key_str(key, c->id);
}

static int s_index(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCertificate *c, bool add)
{
    ocop_key_t key;
    s_expiry_key(&key, c);
    ocop_table_t expiry = eval_state(ctx)->db.cert_expiry;
    return add ? ocop_ctx_value_put(ctx, reply, expiry, &key, "", 0) : ocop_ctx_erase(ctx, reply, expiry, &key);
}

int eval_certificate_extend(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c, const char *day)
{
    if (s_index(ctx, reply, c, false) != 0)
        return -1;
    c->extended_to = (char *)day;
    if (s_index(ctx, reply, c, true) != 0)
        return -1;
    return ocop_ctx_put(ctx, reply, eval_state(ctx)->db.certificates, c->id, &c->base);
}

static int s_emit(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c, bool issued)
{
    Ocop__EvalCertificateIssued issued_body = OCOP__EVAL_CERTIFICATE_ISSUED__INIT;
    Ocop__EvalCertificateEnded ended_body = OCOP__EVAL_CERTIFICATE_ENDED__INIT;
    issued_body.certificate = ended_body.certificate = c;
    return ocop_ctx_publish_body(ctx, reply, issued ? &issued_body.base : &ended_body.base);
}

/* Ends c (valid) in state: stored, out of the expiry index, announced. */
static int s_end(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c, Ocop__CertificateState state,
                 Ocop__RevocationReason reason, const char *note)
{
    eval_state_t *es = eval_state(ctx);
    if (s_index(ctx, reply, c, false) != 0)
        return -1;
    c->state = state;
    c->revocation_reason = reason;
    c->revocation_note = (char *)(note ? note : "");
    c->ended_ms = ocop_ctx_now_ms(ctx);
    if (ocop_ctx_put(ctx, reply, es->db.certificates, c->id, &c->base) != 0)
        return -1;
    return s_emit(ctx, reply, c, false);
}

int eval_certificate_end_current(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p,
                                 Ocop__CertificateState state, Ocop__RevocationReason reason, const char *note)
{
    if (!*p->certificate_id)
        return 0;
    Ocop__EvalCertificate *c = ocop_ctx_get(ctx, reply, eval_state(ctx)->db.certificates, p->certificate_id,
                                            &ocop__eval_certificate__descriptor, "certificate_id", "certificate");
    if (!c)
        return -1;
    p->certificate_id = "";
    if (c->state != OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID)
        return 0;
    return s_end(ctx, reply, c, state, reason, note);
}

int eval_certificate_issue(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalProduct *p, const Ocop__EvalSession *s,
                           const Ocop__EvalSessionProduct *sp, uint32_t stars, const eval_policy_t *policy,
                           const eval_decision_t *decision)
{
    const char *issued = policy->certificate_from_decision ? decision->date : s->date;
    eval_state_t *es = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__EvalCertificate *c = ocop_arena_alloc(arena, sizeof *c);
    ocop__eval_certificate__init(c);
    char *id = eval_next_id(ctx, reply, "CERT"), *expires = ocop_arena_alloc(arena, OCOP_DATE_LEN);
    if (!id)
        return -1;
    if (ocop_date_add_months(issued, policy->certificate_months, expires) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "cannot compute the expiry of %s", issued);
    c->id = id;
    c->product_id = p->id;
    c->entity_id = p->entity_id;
    c->province_code = p->province_code;
    c->sector_code = p->sector_code;
    c->stars = stars;
    c->level = s->level;
    c->decision_ref = (char *)decision->ref;
    c->issued = (char *)issued;
    c->expires = expires;
    c->state = OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID;
    c->session_id = s->id;
    c->rubric = sp->rubric;
    c->policy = s->policy;
    if (*p->certificate_id) {
        Ocop__EvalCertificate *old = ocop_ctx_get(ctx, reply, es->db.certificates, p->certificate_id,
                                                  &ocop__eval_certificate__descriptor, "certificate_id", "certificate");
        if (!old)
            return -1;
        if (old->state == OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_VALID) {
            old->superseded_by = c->id;
            if (s_end(ctx, reply, old, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_SUPERSEDED,
                      OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED, "re-evaluated") != 0)
                return -1;
        }
    }
    if (ocop_ctx_put(ctx, reply, es->db.certificates, c->id, &c->base) != 0)
        return -1;
    if (s_index(ctx, reply, c, true) != 0)
        return -1;
    p->certificate_id = c->id;
    p->last_certificate_id = c->id;
    return s_emit(ctx, reply, c, true);
}

/* ---------------------------------------------------------------- requests */

Ocop__EvalCertificate *eval_certificate_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id)
{
    if (eval_check_id(ctx, reply, "id", id, "CERT") != 0)
        return NULL;
    Ocop__EvalCertificate *c = ocop_ctx_get(ctx, reply, eval_state(ctx)->db.certificates, id,
                                            &ocop__eval_certificate__descriptor, "id", "certificate");
    return c && eval_check_province(ctx, reply, "id", c->province_code) == 0 ? c : NULL;
}

int eval_handle_certificate_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalCertificate *c = eval_certificate_load(ctx, reply, req->eval_certificate_get->id);
    if (!c)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_CERTIFICATE;
    reply->eval_certificate = c;
    return 0;
}

int eval_certificate_withdraw(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalCertificate *c,
                              Ocop__CertificateState state, Ocop__RevocationReason reason, const char *note,
                              const char *why)
{
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "id", c->product_id);
    if (!p)
        return -1;
    if (s_end(ctx, reply, c, state, reason, note) != 0)
        return -1;
    if (strcmp(p->certificate_id, c->id) != 0)
        return 0;
    p->certificate_id = "";
    eval_rating_why_t because = {why, "", "", "", "", ""};
    if (eval_rating_set(ctx, reply, p, 0, &because) != 0)
        return -1;
    return eval_product_store(ctx, reply, p);
}

int eval_certificate_expire_if_past(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id)
{
    Ocop__EvalProduct *p = eval_product_load(ctx, reply, "product_id", product_id);
    if (!p)
        return -1;
    if (!*p->certificate_id)
        return 0;
    Ocop__EvalCertificate *c = eval_certificate_load(ctx, reply, p->certificate_id);
    if (!c)
        return -1;
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    /* Valid through its expiry day. */
    if (strcmp(c->expires, today) >= 0)
        return 0;
    return eval_certificate_withdraw(ctx, reply, c, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_EXPIRED,
                                     OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED, "", "expired");
}

int eval_handle_expire_due(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    eval_state_t *es = eval_state(ctx);
    if (req->eval_expire_due->max > S_EXPIRE_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max", "max is 0 (%d) to %d certificates", S_EXPIRE_DEFAULT,
                             S_EXPIRE_MAX);
    size_t max = req->eval_expire_due->max ? req->eval_expire_due->max : S_EXPIRE_DEFAULT;
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    /* Collect first: ending a certificate deletes from the index being walked. */
    char **due = ocop_arena_alloc(ocop_ctx_arena(ctx), max * sizeof *due);
    size_t n = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, es->db.cert_expiry, NULL, NULL) != 0)
        return -1;
    while (n < max && ocop_scan_next(&scan)) {
        /* The key is expires\0id\0: a certificate is valid through its expiry day. */
        const char *expires = scan.key.data;
        size_t len = scan.key.size;
        if (len < OCOP_DATE_LEN + 2 || strncmp(expires, today, OCOP_DATE_LEN - 1) >= 0)
            break;
        due[n++] = ocop_arena_strndup(ocop_ctx_arena(ctx), expires + OCOP_DATE_LEN, len - OCOP_DATE_LEN - 1);
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading the expiry index") != 0)
        return -1;
    size_t expired = 0;
    for (size_t i = 0; i < n; i++) {
        Ocop__EvalCertificate *c = ocop_ctx_get(ctx, reply, es->db.certificates, due[i],
                                                &ocop__eval_certificate__descriptor, "id", "certificate");
        if (!c)
            return -1;
        /* A province fenced or arriving for a move is expired by the shard that serves it after. */
        eval_owner_t o;
        if (eval_owner_province_in(ctx, reply, c->province_code, &o) != 0)
            return -1;
        if (o.kind != EVAL_OWNER_SERVES)
            continue;
        expired++;
        if (eval_certificate_withdraw(ctx, reply, c, OCOP__CERTIFICATE_STATE__CERTIFICATE_STATE_EXPIRED,
                                      OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED, "", "expired") != 0)
            return -1;
    }
    Ocop__EvalExpireResult *result = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *result);
    ocop__eval_expire_result__init(result);
    result->expired = (uint32_t)expired;
    reply->body_case = OCOP__REPLY__BODY_EVAL_EXPIRE_RESULT;
    reply->eval_expire_result = result;
    return 0;
}
