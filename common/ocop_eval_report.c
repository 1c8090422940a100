/* ocop_eval_report — see ocop_eval_report.h. */
#include "ocop_eval_report.h"

size_t ocop_eval_report_rows(const Ocop__EvalReport *const *parts, size_t n)
{
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += parts[i]->n_rows;
    return rows;
}

void ocop_eval_report_merge(const Ocop__EvalReport *const *parts, size_t n, Ocop__EvalReportRow **rows,
                            Ocop__EvalReportRow *total, Ocop__EvalReport *out)
{
    ocop__eval_report__init(out);
    ocop__eval_report_row__init(total);
    out->rows = rows;
    out->total = total;
    for (size_t i = 0; i < n; i++) {
        const Ocop__EvalReport *r = parts[i];
        for (size_t j = 0; j < r->n_rows; j++)
            out->rows[out->n_rows++] = r->rows[j];
        if (!r->total)
            continue;
        total->stars3 += r->total->stars3;
        total->stars4 += r->total->stars4;
        total->stars5 += r->total->stars5;
        total->proposed5 += r->total->proposed5;
        total->products += r->total->products;
        total->entities += r->total->entities;
    }
}
