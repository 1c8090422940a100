/* eval_sheet — the kept score sheets, read back by closing and by the sheet list. */
#ifndef EVAL_SHEET_H
#define EVAL_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* session|product|phase|round|member; phase 0 stops after the product (every sheet of it),
 * member NULL after the round (every sheet of that round). */
void eval_sheet_key(ocop_key_t *key, const char *session_id, const char *product_id, uint32_t phase, uint32_t round,
                    const char *member_id);

/* The sheets under the key prefix eval_sheet_key makes (member NULL), in key order, in the
 * request's arena. NULL with the reply failed on a store error. */
Ocop__EvalSheet **eval_sheets_read(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id, const char *product_id,
                                   uint32_t phase, uint32_t round, size_t *n);

/* Highest total minus lowest; 0 for no sheet. */
double eval_sheets_spread(Ocop__EvalSheet *const *sheets, size_t n);

#endif
