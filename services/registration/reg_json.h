/* reg_json — fields of the registration service's JSON rule files (files are read with
 * ocop_rulefile). */
#ifndef REG_JSON_H
#define REG_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Copies the string member name of obj into out. -1 when absent, not a string, or longer
 * than out; 0 when copied. An optional member may be absent: out is then "". */
int reg_json_string(const cJSON *obj, const char *name, int required, char *out, size_t outlen);

#endif
