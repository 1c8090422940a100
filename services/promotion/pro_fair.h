/* pro_fair — fairs and their applications, shared by the fair handlers and the cascade. */
#ifndef PRO_FAIR_H
#define PRO_FAIR_H

#include <stddef.h>
#include <stdint.h>

#include "ocop_service.h"
#include "promotion.pb-c.h"

/* fair|seq (seq 0: the prefix of every application of the fair). */
void pro_application_key(ocop_key_t *key, const char *fair_id, uint64_t seq);
int pro_application_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__ProApplication *a);
/* Every application of the fair by seq, in the request's arena; NULL with the reply failed. */
Ocop__ProApplication **pro_applications(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *fair_id, size_t *n);
/* The fair with id; NULL with the reply failed (NOT_FOUND naming field, the request field of the id). */
Ocop__ProFair *pro_fair_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *id, const char *field);

#endif
