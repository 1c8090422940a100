/* eval_json — reading the evaluation service's JSON rule files (rubrics, policies, star bands).
 *
 * Every error names the file and the field path inside it, in the form
 * "<file>: <path>: <reason>", e.g. "rules/rubric-148-9.json: parts[0].criteria[3].max: must be positive",
 * so a broken rule file stops the service with a message an editor can act on. */
#ifndef EVAL_JSON_H
#define EVAL_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "ocop_rulefile.h"

/* YYYY-MM-DD plus the terminating NUL. */
#define EVAL_DATE_LEN 11

/* Where errors go while one file is read: the file named in every message and the caller's
 * error buffer (err may be NULL). */
typedef struct {
    const char *file;
    char *err;
    size_t errlen;
} eval_json_src_t;

/* The part of path after its last '/'; points into path. */
const char *eval_json_basename(const char *path);

/* Formats "<src->file>: <at>.<name>: <reason>" into src->err. at may be "" or NULL (root) and
 * name may be NULL (the error is about at itself). Always returns -1, so callers can
 * `return eval_json_fail(...)`. */
int eval_json_fail(const eval_json_src_t *src, const char *at, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The getters below read member name of obj, whose own path is at ("" for the root object).
 * Each returns 0, or -1 with an error naming the file and "at.name". */

/* A string copied into out (outlen bytes). A required member must be present and non-empty;
 * an optional one that is absent or null leaves out "". */
int eval_json_string(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                     char *out, size_t outlen);

/* A required non-empty string, strdup'd into *out (the caller's to free; NULL on failure). */
int eval_json_strdup(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, char **out);

/* A required finite number. */
int eval_json_number(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, double *out);

/* A required whole number in [lo, hi]. */
int eval_json_int(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, int lo, int hi,
                  int *out);

/* A required boolean; with required false an absent member gives *out = false. */
int eval_json_bool(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name, bool required,
                   bool *out);

/* A required calendar date "YYYY-MM-DD". */
int eval_json_date(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                   char out[EVAL_DATE_LEN]);

/* A required array, non-empty when nonempty is true; NULL with the error otherwise. */
const cJSON *eval_json_array(const eval_json_src_t *src, const cJSON *obj, const char *at, const char *name,
                             bool nonempty);

/* The "notes" member every rule file carries (sources, uncertainty): a required string, which
 * may be empty. The loaders check it is there and do not keep it. */
int eval_json_notes(const eval_json_src_t *src, const cJSON *root);

#endif
