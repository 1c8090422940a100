/* ocop_eval_report — the national stars report from the evaluation shards' reports, merged in
 * one place for every client that asks all shards (the gateway, ocopctl). */
#ifndef OCOP_EVAL_REPORT_H
#define OCOP_EVAL_REPORT_H

#include <stddef.h>

#include "evaluation.pb-c.h"

/* How many rows the parts hold together (room merge needs). */
size_t ocop_eval_report_rows(const Ocop__EvalReport *const *parts, size_t n);

/* out = the parts' rows one after the other (they are disjoint: a province is on one shard),
 * pointing into the parts, in rows (room for ocop_eval_report_rows), and their totals summed
 * into total (an entity sits in one province, so it is counted on one shard only). */
void ocop_eval_report_merge(const Ocop__EvalReport *const *parts, size_t n, Ocop__EvalReportRow **rows,
                            Ocop__EvalReportRow *total, Ocop__EvalReport *out);

#endif
