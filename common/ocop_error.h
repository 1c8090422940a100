/* ocop_error — stable status codes shared by every service and client.
 * The numbers equal proto's ocop.Status; names are what logs and JSON carry. */
#ifndef OCOP_ERROR_H
#define OCOP_ERROR_H

#include <stddef.h>

typedef enum {
    OCOP_OK = 0,
    OCOP_E_INVALID = 1,
    OCOP_E_NOT_FOUND = 2,
    OCOP_E_CONFLICT = 3,
    OCOP_E_FORBIDDEN = 4,
    OCOP_E_UNAVAILABLE = 5,
    OCOP_E_STORAGE_FULL = 6,
    OCOP_E_TOO_LARGE = 7,
    OCOP_E_UNSUPPORTED = 8,
    OCOP_E_INTERNAL = 9,
    OCOP_E_ILLEGAL_STATE = 10,
    OCOP_E_MALFORMED = 11,
    OCOP_E_WRONG_SHARD = 12,
} ocop_status_t;

/* "OCOP_E_INVALID" etc.; "OCOP_E_UNKNOWN" for numbers outside the table. Static string. */
const char *ocop_status_name(int status);

/* printf into an error buffer of errlen bytes (nothing when err is NULL or errlen 0): the one
 * way modules fill the "char *err, size_t errlen" out-parameters of their constructors. */
void ocop_error_format(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Inverse of ocop_status_name; -1 when the name is not a known code. */
int ocop_status_from_name(const char *name);

#endif
