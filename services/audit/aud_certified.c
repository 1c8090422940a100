/* aud_certified — see aud_certified.h. */
#include "aud_certified.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_store.h"

#define S_CERT "cert"
#define S_RESULT "result"

static void s_cert_key(ocop_key_t *key, const char *province, const char *id)
{
    ocop_key_init(key);
    ocop_key_str(key, S_CERT);
    ocop_key_str(key, province);
    ocop_key_str(key, id);
}

static void s_result_key(ocop_key_t *key, const char *session, const char *product)
{
    ocop_key_init(key);
    ocop_key_str(key, S_RESULT);
    ocop_key_str(key, session);
    ocop_key_str(key, product);
}

static int s_issued(MDB_txn *txn, MDB_dbi dbi, uint64_t entry, const Ocop__EvalCertificate *c)
{
    ocop_key_t key;
    s_cert_key(&key, c->province_code, c->id);
    aud_certified_cert_t f = {entry, c->stars};
    char buf[512];
    memcpy(buf, &f, sizeof f);
    int len = snprintf(buf + sizeof f, sizeof buf - sizeof f, "%s%c%s", c->product_id, '\0', c->session_id);
    if (key.overflow || len < 0 || (size_t)len >= sizeof buf - sizeof f)
        return EOVERFLOW;
    MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof f + (size_t)len + 1, .mv_data = buf};
    return ocop_db_put(txn, dbi, &k, &v, 0);
}

static int s_ended(MDB_txn *txn, MDB_dbi dbi, const Ocop__EvalCertificate *c)
{
    ocop_key_t key;
    s_cert_key(&key, c->province_code, c->id);
    if (key.overflow)
        return EOVERFLOW;
    MDB_val k = ocop_key_val(&key);
    int rc = ocop_db_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int s_result(MDB_txn *txn, MDB_dbi dbi, uint64_t entry, const Ocop__EvalResultDisclosed *r)
{
    ocop_key_t key;
    s_result_key(&key, r->session_id, r->result->product_id);
    if (key.overflow)
        return EOVERFLOW;
    aud_certified_result_t f = {entry, r->result->mean, r->result->first_round_spread};
    MDB_val k = ocop_key_val(&key), v = {.mv_size = sizeof f, .mv_data = &f};
    return ocop_db_put(txn, dbi, &k, &v, 0);
}

int aud_certified_apply(MDB_txn *txn, MDB_dbi dbi, uint64_t entry, const Ocop__Event *event)
{
    switch (event->body_case) {
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ISSUED:
        return event->eval_certificate_issued->certificate
                   ? s_issued(txn, dbi, entry, event->eval_certificate_issued->certificate)
                   : 0;
    case OCOP__EVENT__BODY_EVAL_CERTIFICATE_ENDED:
        return event->eval_certificate_ended->certificate
                   ? s_ended(txn, dbi, event->eval_certificate_ended->certificate)
                   : 0;
    case OCOP__EVENT__BODY_EVAL_RESULT_DISCLOSED:
        return event->eval_result_disclosed->result ? s_result(txn, dbi, entry, event->eval_result_disclosed) : 0;
    default:
        return 0;
    }
}

int aud_certified_each(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const char *province,
                       int (*fn)(void *user, const aud_certified_t *cert), void *user)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, S_CERT);
    ocop_key_str(&prefix, province);
    if (prefix.overflow)
        return 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, dbi, &prefix, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan)) {
        const ocop_bytes_t k = scan.key, v = scan.value;
        if (k.size <= prefix.len)
            break;
        aud_certified_t c = {.province_code = province};
        const char *id = (const char *)k.data + prefix.len, *p = (const char *)v.data + sizeof c.figures;
        const char *end = (const char *)v.data + v.size;
        const char *product_end = v.size > sizeof c.figures ? memchr(p, '\0', (size_t)(end - p)) : NULL;
        if (((const char *)k.data)[k.size - 1] != '\0' || !product_end ||
            !memchr(product_end + 1, '\0', (size_t)(end - product_end - 1))) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        memcpy(&c.figures, v.data, sizeof c.figures);
        c.id = id;
        c.product_id = p;
        c.session_id = product_end + 1;
        if (fn(user, &c) != 0) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
    }
    return ocop_ctx_scan_close(ctx, reply, &scan, "reading the valid certificates");
}

int aud_certified_result(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const char *session,
                         const char *product, aud_certified_result_t *out)
{
    ocop_key_t key;
    s_result_key(&key, session, product);
    ocop_bytes_t v;
    int rc = ocop_ctx_value(ctx, reply, dbi, &key, &v);
    if (rc != 0)
        return rc;
    if (v.size != sizeof *out)
        return ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading a certificate's result");
    memcpy(out, v.data, sizeof *out);
    return 0;
}
