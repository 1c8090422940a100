/* eval_self — the producer's self-assessment: "Báo cáo tự đánh giá về sản phẩm theo Mẫu số 02"
 * that 26/2026/QĐ-TTg Art. 6.1 puts in the producer's dossier.
 *
 * EvalSelfAssess scores a product on the form it is scored on under the rules in force on a date
 * (eval_form_rubric), checked exactly as a council member's sheet (eval_rubric_check_sheet: an
 * option per criterion, one alternative of each set, known knock-outs; free numbers refused).
 * The record (EvalSelfAssessment) adds the band, the sheet's star minimum, the star it would be
 * ranked, the minimums that hold it below its band and the knock-outs it flags (eval_finding on
 * one sheet), and the advice for the next star (eval_advice.h). Every self-assessment is kept
 * in "self_assessments" under product|n (n = 1, 2, … per product, see eval_state.h), so the last
 * one is the latest and the others its history; each is published as EvalSelfAssessed.
 *
 * Who may send it is the gateway's business (a producer, for its own entity's products). */
#ifndef EVAL_SELF_H
#define EVAL_SELF_H

#include <stdint.h>

#include "evaluation.pb-c.h"
#include "ocop_service.h"

/* product_id's latest self-assessment, unpacked into the request's arena, and its number in
 * *n. NULL with *n = 0 when it has none (the reply untouched); NULL with the reply failed on a
 * store error (*n = UINT64_MAX then). */
Ocop__EvalSelfAssessment *eval_self_latest(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product_id, uint64_t *n);

#endif
