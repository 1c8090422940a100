/* aud_certified — the valid certificates of each province, and the result each rests on, kept
 * as their events enter the log (in the transaction that appends them), so that an inspection
 * plan reads the province's certificates instead of every certificate and result in the log.
 *
 * Database (keys built with ocop_key_*, "|" separates parts):
 *   "cert"|province|certificate id   -> aud_certified_cert_t, then product and session ids
 *                                       (NUL-terminated); removed when the certificate ends
 *   "result"|session|product         -> aud_certified_result_t (the latest such result) */
#ifndef AUD_CERTIFIED_H
#define AUD_CERTIFIED_H

#include <stdint.h>

#include "envelope.pb-c.h"
#include "ocop_service.h"

typedef struct {
    uint64_t entry; /* the EvalCertificateIssued */
    uint32_t stars;
} aud_certified_cert_t;

typedef struct {
    uint64_t entry; /* the EvalResultDisclosed */
    double mean, first_round_spread;
} aud_certified_result_t;

/* A valid certificate as aud_certified_each gives it (strings in the transaction's pages, valid
 * until the request writes). */
typedef struct {
    const char *id, *province_code, *product_id, *session_id;
    aud_certified_cert_t figures;
} aud_certified_t;

/* Applies the event logged at entry when it issues or ends a certificate or discloses a result;
 * other events change nothing. 0, EOVERFLOW (an id too long to key; nothing written) or an MDB
 * code. */
int aud_certified_apply(MDB_txn *txn, ocop_table_t dbi, uint64_t entry, const Ocop__Event *event);

/* In the request's transaction, calls fn for each valid certificate of province in certificate
 * id order. fn returns 0 to go on, or -1 after failing reply itself, which stops the walk. 0, or
 * -1 with reply failed (by fn, or with the store error). */
int aud_certified_each(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const char *province,
                       int (*fn)(void *user, const aud_certified_t *cert), void *user);

/* The latest result of product in session into *out, in the request's transaction: 0, 1 when
 * the log holds none, -1 with the store error in reply. */
int aud_certified_result(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t dbi, const char *session,
                         const char *product, aud_certified_result_t *out);

#endif
