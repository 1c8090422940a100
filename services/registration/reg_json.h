/* reg_json — reading the registration service's JSON rule files. */
#ifndef REG_JSON_H
#define REG_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses a whole file. NULL + err ("path: reason") when unreadable or not JSON. */
cJSON *reg_json_read_file(const char *path, char *err, size_t errlen);

/* Copies the string member name of obj into out. -1 when absent, not a string, or longer
 * than out; 0 when copied. An optional member may be absent: out is then "". */
int reg_json_string(const cJSON *obj, const char *name, int required, char *out, size_t outlen);

/* Lists dir's files named prefix*.json, sorted, into a malloc'd array of malloc'd paths. */
int reg_json_list(const char *dir, const char *prefix, char ***paths, size_t *count);
void reg_json_list_free(char **paths, size_t count);

#endif
