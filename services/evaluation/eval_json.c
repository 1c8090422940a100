/* eval_json — see eval_json.h. */
#include "eval_json.h"

#include "ocop_date.h"

#include <dirent.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"

/* Rule files are a few kilobytes; anything far larger is a mistake, not a rubric. */

const char *eval_json_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int eval_json_fail(const eval_json_src_t *src, const char *at, const char *name, const char *fmt, ...)
{
    if (!src->err || !src->errlen)
        return -1;
    char reason[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    bool has_at = at && *at;
    if (has_at && name)
        ocop_error_format(src->err, src->errlen, "%s: %s.%s: %s", src->file, at, name, reason);
    else
        ocop_error_format(src->err, src->errlen, "%s: %s: %s", src->file, has_at ? at : (name ? name : "(root)"),
                          reason);
    return -1;
}

int eval_json_string(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                     char *out, size_t outlen)
{
    out[0] = '\0';
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? eval_json_fail(src, at, name, "is required") : 0;
    if (!cJSON_IsString(item))
        return eval_json_fail(src, at, name, "expected a string");
    size_t len = strlen(item->valuestring);
    if (required && len == 0)
        return eval_json_fail(src, at, name, "must not be empty");
    if (len >= outlen)
        return eval_json_fail(src, at, name, "longer than %zu bytes", outlen - 1);
    memcpy(out, item->valuestring, len + 1);
    return 0;
}

int eval_json_strdup(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, char **out)
{
    *out = NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return eval_json_fail(src, at, name, "is required");
    if (!cJSON_IsString(item))
        return eval_json_fail(src, at, name, "expected a string");
    if (item->valuestring[0] == '\0')
        return eval_json_fail(src, at, name, "must not be empty");
    *out = strdup(item->valuestring);
    return *out ? 0 : eval_json_fail(src, at, name, "out of memory");
}

int eval_json_number(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return eval_json_fail(src, at, name, "is required");
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return eval_json_fail(src, at, name, "expected a number");
    *out = item->valuedouble;
    return 0;
}

int eval_json_int(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, int lo, int hi,
                  int *out)
{
    double v = 0;
    if (eval_json_number(src, obj, at, name, &v) != 0)
        return -1;
    if (v != floor(v) || v < lo || v > hi)
        return eval_json_fail(src, at, name, "expected a whole number from %d to %d, found %g", lo, hi, v);
    *out = (int)v;
    return 0;
}

int eval_json_bool(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                   bool *out)
{
    *out = false;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? eval_json_fail(src, at, name, "is required") : 0;
    if (!cJSON_IsBool(item))
        return eval_json_fail(src, at, name, "expected true or false");
    *out = cJSON_IsTrue(item);
    return 0;
}

int eval_json_date(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                   char out[EVAL_DATE_LEN])
{
    char buf[32];
    if (eval_json_string(src, obj, at, name, true, buf, sizeof buf) != 0)
        return -1;
    if (!ocop_date_valid(buf))
        return eval_json_fail(src, at, name, "expected a date YYYY-MM-DD, found \"%s\"", buf);
    memcpy(out, buf, EVAL_DATE_LEN);
    return 0;
}

const cJSON *eval_json_array(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                             bool nonempty)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item)) {
        eval_json_fail(src, at, name, "is required");
        return NULL;
    }
    if (!cJSON_IsArray(item)) {
        eval_json_fail(src, at, name, "expected an array");
        return NULL;
    }
    if (nonempty && cJSON_GetArraySize(item) == 0) {
        eval_json_fail(src, at, name, "must not be empty");
        return NULL;
    }
    return item;
}

int eval_json_notes(const eval_json_src_t *src, const cJSON *root)
{
    const cJSON *notes = cJSON_GetObjectItemCaseSensitive(root, "notes");
    if (!notes)
        return eval_json_fail(src, "", "notes", "is required (sources and uncertainty of the rule)");
    if (!cJSON_IsString(notes))
        return eval_json_fail(src, "", "notes", "expected a string");
    return 0;
}
