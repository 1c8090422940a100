/* ocop_log — structured logs to stderr in logfmt:
 *   ts=2026-11-23T12:00:00.123Z level=info svc=registration event=started endpoint=tcp://...
 * The event is a short stable identifier; the rest is a printf-style list of key=value pairs
 * supplied by the caller; a value that may hold a space, '=' or a quote goes through ocop_log_value. */
#ifndef OCOP_LOG_H
#define OCOP_LOG_H

#include <stddef.h>

typedef enum { OCOP_LOG_DEBUG, OCOP_LOG_INFO, OCOP_LOG_WARN, OCOP_LOG_ERROR } ocop_log_level_t;

/* Sets the svc= field and the minimum level (OCOP_LOG_LEVEL=debug|info|warn|error overrides). */
void ocop_log_init(const char *service);

void ocop_log(ocop_log_level_t level, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* value as a logfmt value in buf: as it is when it holds only printable characters other than
 * space, '=', '"' and '\\'; else in double quotes with '"', '\\' and control characters escaped
 * (and "..." before the closing quote when buf is too small). Returns buf. */
const char *ocop_log_value(char *buf, size_t len, const char *value);

#define ocop_log_debug(ev, ...) ocop_log(OCOP_LOG_DEBUG, ev, __VA_ARGS__)
#define ocop_log_info(ev, ...) ocop_log(OCOP_LOG_INFO, ev, __VA_ARGS__)
#define ocop_log_warn(ev, ...) ocop_log(OCOP_LOG_WARN, ev, __VA_ARGS__)
#define ocop_log_error(ev, ...) ocop_log(OCOP_LOG_ERROR, ev, __VA_ARGS__)

#endif
