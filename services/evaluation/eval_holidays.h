/* eval_holidays — the days that change the working week (holidays.json, format: data/FORMAT.md):
 * the public holidays of the Labour Code (45/2019/QH14 Art. 112) as the days off the Government
 * announces for each year, and the weekend days worked in exchange. Time limits counted in
 * working days (a commune's report, 26/2026 Art. 7.2) count on this calendar; a year the file
 * does not list counts Monday to Friday. */
#ifndef EVAL_HOLIDAYS_H
#define EVAL_HOLIDAYS_H

#include "ocop_date.h"

typedef struct eval_holidays_t eval_holidays_t;

/* Loads path. NULL + err naming the file and the field when it is broken: years ascending and
 * once each; every date of its year and valid; days off Monday to Friday (a holiday on a
 * weekend appears as the weekday it moves to), ascending and once each; weekend days worked on
 * Saturday or Sunday, ascending, each naming the day off of its year it is worked instead of. */
eval_holidays_t *eval_holidays_load(const char *path, char *err, size_t errlen);
/* Frees and sets *self_p to NULL; safe on NULL and twice. */
void eval_holidays_destroy(eval_holidays_t **self_p);

/* The working calendar the file gives (valid while self lives). */
const ocop_workdays_t *eval_holidays_calendar(const eval_holidays_t *self);

#endif
