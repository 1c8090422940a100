/* gw_json_check — what cJSON accepts but a request body may not hold: bytes after the value, a
 * key given twice in one object (the scope check would read one, the conversion another), and a
 * NUL inside a string (cJSON ends the string there, silently). */
#ifndef GW_JSON_CHECK_H
#define GW_JSON_CHECK_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "gw.h"

/* 0, or -1 with out filled (400): body[0..len) parsed as root, end where cJSON stopped. */
int gw_json_check(const char *body, size_t len, const char *end, const cJSON *root, gw_response_t *out);

#endif
