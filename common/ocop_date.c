/* ocop_date — see ocop_date.h. */
#include "ocop_date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool s_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int s_days_in(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[m - 1] + (m == 2 && s_leap(y));
}

void ocop_day_of(long long ms, char out[OCOP_DATE_LEN])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, OCOP_DATE_LEN, "%Y-%m-%d", &tm);
}

bool ocop_date_valid(const char *day)
{
    if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
            return false;
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= s_days_in(y, m);
}

int ocop_date_add_months(const char *day, int months, char out[OCOP_DATE_LEN])
{
    if (!ocop_date_valid(day))
        return -1;
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    long total = (long)y * 12 + (m - 1) + months;
    int ny = (int)(total / 12), nm = (int)(total % 12) + 1;
    if (total < 12 || ny > 9999)
        return -1;
    if (d > s_days_in(ny, nm))
        d = s_days_in(ny, nm);
    snprintf(out, OCOP_DATE_LEN, "%04d-%02d-%02d", ny, nm, d);
    return 0;
}

int ocop_date_add_days(const char *day, int days, char out[OCOP_DATE_LEN])
{
    if (!ocop_date_valid(day))
        return -1;
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    for (; days > 0; days--)
        if (++d > s_days_in(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    for (; days < 0; days++)
        if (--d < 1) {
            if (--m < 1) {
                m = 12;
                y--;
            }
            d = s_days_in(y, m);
        }
    if (y < 1 || y > 9999)
        return -1;
    snprintf(out, OCOP_DATE_LEN, "%04d-%02d-%02d", y, m, d);
    return 0;
}

/* 0 = Sunday .. 6 = Saturday (Sakamoto's method). */
static int s_weekday(int y, int m, int d)
{
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    if (m < 3)
        y--;
    return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static int s_cmp_day(const void *a, const void *b)
{
    return strcmp(a, b);
}

static bool s_listed(const char *day, const char (*days)[OCOP_DATE_LEN], size_t n)
{
    return n && bsearch(day, days, n, sizeof *days, s_cmp_day) != NULL;
}

bool ocop_date_working(const char *day, const ocop_workdays_t *cal)
{
    int wd = s_weekday(atoi(day), atoi(day + 5), atoi(day + 8));
    if (wd == 0 || wd == 6)
        return cal && s_listed(day, cal->worked, cal->n_worked);
    return !cal || !s_listed(day, cal->off, cal->n_off);
}

int ocop_date_add_working_days(const char *day, int n, const ocop_workdays_t *cal, char out[OCOP_DATE_LEN])
{
    if (n < 0 || !ocop_date_valid(day))
        return -1;
    snprintf(out, OCOP_DATE_LEN, "%s", day);
    while (n > 0) {
        char next[OCOP_DATE_LEN];
        if (ocop_date_add_days(out, 1, next) != 0)
            return -1;
        memcpy(out, next, OCOP_DATE_LEN);
        if (ocop_date_working(out, cal))
            n--;
    }
    return 0;
}

int ocop_date_working_days_between(const char *from, const char *to, const ocop_workdays_t *cal)
{
    if (!ocop_date_valid(from) || !ocop_date_valid(to))
        return -1;
    char day[OCOP_DATE_LEN];
    snprintf(day, sizeof day, "%s", from);
    int n = 0;
    while (strcmp(day, to) < 0) {
        char next[OCOP_DATE_LEN];
        if (ocop_date_add_days(day, 1, next) != 0)
            return -1;
        memcpy(day, next, OCOP_DATE_LEN);
        n += ocop_date_working(day, cal);
    }
    return n;
}

int ocop_date_year(const char *day)
{
    return atoi(day);
}

int64_t ocop_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
