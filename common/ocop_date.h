/* ocop_date — calendar days written YYYY-MM-DD (they then compare as strings), as rules,
 * sessions and certificates use them. Days are UTC days of ocop_now_ms. */
#ifndef OCOP_DATE_H
#define OCOP_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* YYYY-MM-DD plus the terminating NUL. */
#define OCOP_DATE_LEN 11

/* The UTC day of a millisecond time. */
void ocop_day_of(long long ms, char out[OCOP_DATE_LEN]);

/* Milliseconds of the monotonic clock: for time-outs and intervals, never for dates. */
int64_t ocop_monotonic_ms(void);
/* True when day is a real calendar date written YYYY-MM-DD. */
bool ocop_date_valid(const char *day);
/* day plus months, the day of month clamped to the target month's length (2024-02-29 + 12
 * months = 2025-02-28). 0, or -1 when day is not valid or the year leaves 1..9999. */
int ocop_date_add_months(const char *day, int months, char out[OCOP_DATE_LEN]);
/* day plus days (negative: minus), across months and years. 0, or -1 when day is not valid or
 * the result leaves the years 1..9999. */
int ocop_date_add_days(const char *day, int days, char out[OCOP_DATE_LEN]);
/* The days that change the working week (Monday to Friday): weekdays off (public holidays and
 * the days they are moved to) and weekend days worked in exchange, each sorted ascending. */
typedef struct {
    const char (*off)[OCOP_DATE_LEN];
    size_t n_off;
    const char (*worked)[OCOP_DATE_LEN];
    size_t n_worked;
} ocop_workdays_t;

/* True when day (valid) is a working day: Monday to Friday and not off, or a weekend day
 * worked. cal may be NULL (Monday to Friday). */
bool ocop_date_working(const char *day, const ocop_workdays_t *cal);
/* day plus n working days of cal (NULL: Monday to Friday): the day the n-th working day after
 * day falls on. 0, or -1 when day is not valid or n is negative. */
int ocop_date_add_working_days(const char *day, int n, const ocop_workdays_t *cal, char out[OCOP_DATE_LEN]);
/* The working days of cal (NULL: Monday to Friday) after from up to and including to: 0 when to
 * is not after from; -1 when either day is not valid. */
int ocop_date_working_days_between(const char *from, const char *to, const ocop_workdays_t *cal);
/* The year of a valid day. */
int ocop_date_year(const char *day);

#endif
