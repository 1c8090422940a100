/* ocop_error — names of the stable status codes, and error messages for out-parameters. */
#include "ocop_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Indexed by code: the table is the single place where numbers meet names. */
static const char *const s_names[] = {
    [OCOP_OK] = "OCOP_OK",
    [OCOP_E_INVALID] = "OCOP_E_INVALID",
    [OCOP_E_NOT_FOUND] = "OCOP_E_NOT_FOUND",
    [OCOP_E_CONFLICT] = "OCOP_E_CONFLICT",
    [OCOP_E_FORBIDDEN] = "OCOP_E_FORBIDDEN",
    [OCOP_E_UNAVAILABLE] = "OCOP_E_UNAVAILABLE",
    [OCOP_E_STORAGE_FULL] = "OCOP_E_STORAGE_FULL",
    [OCOP_E_TOO_LARGE] = "OCOP_E_TOO_LARGE",
    [OCOP_E_UNSUPPORTED] = "OCOP_E_UNSUPPORTED",
    [OCOP_E_INTERNAL] = "OCOP_E_INTERNAL",
    [OCOP_E_ILLEGAL_STATE] = "OCOP_E_ILLEGAL_STATE",
    [OCOP_E_MALFORMED] = "OCOP_E_MALFORMED",
    [OCOP_E_WRONG_SHARD] = "OCOP_E_WRONG_SHARD",
};

#define S_COUNT ((int)(sizeof s_names / sizeof s_names[0]))

const char *ocop_status_name(int status)
{
    if (status < 0 || status >= S_COUNT || !s_names[status])
        return "OCOP_E_UNKNOWN";
    return s_names[status];
}

int ocop_status_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < S_COUNT; i++)
        if (s_names[i] && strcmp(s_names[i], name) == 0)
            return i;
    return -1;
}

void ocop_error_format(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
