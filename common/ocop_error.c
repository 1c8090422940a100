/* ocop_error — names of the stable status codes, and error messages for out-parameters. */
#include "ocop_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.pb-c.h"

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

/* The codes are the wire's Status values (proto/common.proto): handlers set reply->status from
 * them and clients compare the two, so every value must be the same in both enums. */
#define S_SAME(code, status) _Static_assert((int)(code) == (int)OCOP__STATUS__STATUS_##status, #code " != " #status)
S_SAME(OCOP_OK, OK);
S_SAME(OCOP_E_INVALID, INVALID);
S_SAME(OCOP_E_NOT_FOUND, NOT_FOUND);
S_SAME(OCOP_E_CONFLICT, CONFLICT);
S_SAME(OCOP_E_FORBIDDEN, FORBIDDEN);
S_SAME(OCOP_E_UNAVAILABLE, UNAVAILABLE);
S_SAME(OCOP_E_STORAGE_FULL, STORAGE_FULL);
S_SAME(OCOP_E_TOO_LARGE, TOO_LARGE);
S_SAME(OCOP_E_UNSUPPORTED, UNSUPPORTED);
S_SAME(OCOP_E_INTERNAL, INTERNAL);
S_SAME(OCOP_E_ILLEGAL_STATE, ILLEGAL_STATE);
S_SAME(OCOP_E_MALFORMED, MALFORMED);
S_SAME(OCOP_E_WRONG_SHARD, WRONG_SHARD);
_Static_assert(S_COUNT == OCOP_E_WRONG_SHARD + 1, "a code without a name");

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
