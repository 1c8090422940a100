/* eval_holidays — see eval_holidays.h. */
#include "eval_holidays.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_json.h"

#define S_YEAR_MIN 2000
#define S_YEAR_MAX 2100

struct eval_holidays_t {
    char (*off)[OCOP_DATE_LEN];
    char (*worked)[OCOP_DATE_LEN];
    ocop_workdays_t calendar;
};

/* One date member of item (path at) into out: valid, of year, after *last (ascending). */
static int s_date_in(const eval_json_src_t *src, const cJSON *item, const char *at, const char *name, int year,
                     const char *last, char out[OCOP_DATE_LEN])
{
    if (eval_json_date(src, item, at, name, out) != 0)
        return -1;
    if (ocop_date_year(out) != year)
        return eval_json_fail(src, at, name, "%s is not in %d", out, year);
    if (*last && strcmp(out, last) <= 0)
        return eval_json_fail(src, at, name, "%s is not after %s: days are listed once each, in order", out, last);
    return 0;
}

static int s_weekend(const char *day)
{
    return !ocop_date_working(day, NULL);
}

static bool s_off_in_year(const eval_holidays_t *self, size_t from, const char *day)
{
    for (size_t i = from; i < self->calendar.n_off; i++)
        if (strcmp(self->off[i], day) == 0)
            return true;
    return false;
}

/* A required non-empty string that the service does not keep (a source, a holiday's name). */
static int s_text(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(v) || !*v->valuestring)
        return eval_json_fail(src, at, name, "required: a non-empty string");
    return 0;
}

static int s_year(const eval_json_src_t *src, const cJSON *y, const char *at, int *last_year, eval_holidays_t *self)
{
    int year;
    if (eval_json_int(src, y, at, "year", S_YEAR_MIN, S_YEAR_MAX, &year) != 0 || s_text(src, y, at, "source") != 0)
        return -1;
    if (year <= *last_year)
        return eval_json_fail(src, at, "year", "%d is not after %d: years are listed once each, in order", year,
                              *last_year);
    *last_year = year;
    const cJSON *off = eval_json_array(src, y, at, "days_off", true);
    const cJSON *worked = off ? eval_json_array(src, y, at, "weekend_days_worked", false) : NULL;
    if (!worked)
        return -1;
    size_t first = self->calendar.n_off;
    const cJSON *item;
    size_t i = 0;
    cJSON_ArrayForEach (item, off) {
        char path[96];
        snprintf(path, sizeof path, "%s.days_off[%zu]", at, i++);
        char *day = self->off[self->calendar.n_off];
        const char *last = self->calendar.n_off ? self->off[self->calendar.n_off - 1] : "";
        if (s_date_in(src, item, path, "date", year, last, day) != 0 || s_text(src, item, path, "name") != 0)
            return -1;
        if (s_weekend(day))
            return eval_json_fail(src, path, "date",
                                  "%s is a Saturday or Sunday: list the weekday the holiday moves to (Art. 112.3)",
                                  day);
        self->calendar.n_off++;
    }
    i = 0;
    cJSON_ArrayForEach (item, worked) {
        char path[96], instead[OCOP_DATE_LEN];
        snprintf(path, sizeof path, "%s.weekend_days_worked[%zu]", at, i++);
        char *day = self->worked[self->calendar.n_worked];
        const char *last = self->calendar.n_worked ? self->worked[self->calendar.n_worked - 1] : "";
        if (s_date_in(src, item, path, "date", year, last, day) != 0 ||
            eval_json_date(src, item, path, "instead_of", instead) != 0)
            return -1;
        if (!s_weekend(day))
            return eval_json_fail(src, path, "date", "%s is not a Saturday or Sunday", day);
        if (!s_off_in_year(self, first, instead))
            return eval_json_fail(src, path, "instead_of", "%s is not a day off of %d", instead, year);
        self->calendar.n_worked++;
    }
    return 0;
}

/* The number of items of member name of every year (arrays checked later). */
static size_t s_count(const cJSON *years, const char *name)
{
    size_t n = 0;
    const cJSON *y;
    cJSON_ArrayForEach (y, years) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(y, name);
        n += cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
    }
    return n;
}

eval_holidays_t *eval_holidays_load(const char *path, char *err, size_t errlen)
{
    char digest[OCOP_RULEFILE_DIGEST_LEN];
    cJSON *root = ocop_rulefile_read(path, digest, err, errlen);
    if (!root)
        return NULL;
    eval_json_src_t src = {path, err, errlen};
    eval_holidays_t *self = calloc(1, sizeof *self);
    const cJSON *years = self ? eval_json_array(&src, root, "", "years", true) : NULL;
    int rc = self ? eval_json_notes(&src, root) : eval_json_fail(&src, "", NULL, "out of memory");
    if (rc == 0 && (!years || s_text(&src, root, "", "basis") != 0))
        rc = -1;
    if (rc == 0) {
        self->off = calloc(s_count(years, "days_off") + 1, sizeof *self->off);
        self->worked = calloc(s_count(years, "weekend_days_worked") + 1, sizeof *self->worked);
        if (!self->off || !self->worked)
            rc = eval_json_fail(&src, "", NULL, "out of memory");
    }
    int last_year = 0;
    size_t i = 0;
    const cJSON *y;
    cJSON_ArrayForEach (y, years) {
        char at[32];
        snprintf(at, sizeof at, "years[%zu]", i++);
        if (rc == 0)
            rc = s_year(&src, y, at, &last_year, self);
    }
    cJSON_Delete(root);
    if (rc != 0) {
        eval_holidays_destroy(&self);
        return NULL;
    }
    self->calendar.off = (const char(*)[OCOP_DATE_LEN])self->off;
    self->calendar.worked = (const char(*)[OCOP_DATE_LEN])self->worked;
    return self;
}

void eval_holidays_destroy(eval_holidays_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->off);
    free((*self_p)->worked);
    free(*self_p);
    *self_p = NULL;
}

const ocop_workdays_t *eval_holidays_calendar(const eval_holidays_t *self)
{
    return &self->calendar;
}
