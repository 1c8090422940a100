/* ocop_log — logfmt lines to stderr.
 * Each line is formatted into a local buffer and written with a single fprintf, so lines
 * from different threads do not interleave (stdio locks the stream per call). */
#include "ocop_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define S_LINE_MAX 4096

static char s_service[64] = "ocop";
static ocop_log_level_t s_min_level = OCOP_LOG_INFO;
static pthread_once_t s_env_once = PTHREAD_ONCE_INIT;

static const char *const s_level_names[] = {"debug", "info", "warn", "error"};

/* The environment is read once: logging must not pay for getenv on every line, and callers
 * that never call ocop_log_init (tools, tests) still honour OCOP_LOG_LEVEL. */
static void s_read_env(void)
{
    const char *v = getenv("OCOP_LOG_LEVEL");
    if (!v)
        return;
    for (int i = OCOP_LOG_DEBUG; i <= OCOP_LOG_ERROR; i++)
        if (strcasecmp(v, s_level_names[i]) == 0)
            s_min_level = (ocop_log_level_t)i;
    if (strcasecmp(v, "warning") == 0)
        s_min_level = OCOP_LOG_WARN;
}

void ocop_log_init(const char *service)
{
    pthread_once(&s_env_once, s_read_env);
    if (service && *service)
        snprintf(s_service, sizeof s_service, "%s", service);
}

static void s_timestamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

void ocop_log(ocop_log_level_t level, const char *event, const char *fmt, ...)
{
    pthread_once(&s_env_once, s_read_env);
    if (level < s_min_level)
        return;
    if (level > OCOP_LOG_ERROR)
        level = OCOP_LOG_ERROR;

    char ts[40];
    s_timestamp(ts, sizeof ts);

    char fields[S_LINE_MAX] = "";
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(fields, sizeof fields, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "ts=%s level=%s svc=%s event=%s%s%s\n", ts, s_level_names[level], s_service,
            event && *event ? event : "-", fields[0] ? " " : "", fields);
}

static int s_bare(const char *value)
{
    if (!*value)
        return 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' || *p == 0x7f)
            return 0;
    return 1;
}

const char *ocop_log_value(char *buf, size_t len, const char *value)
{
    if (len < 8) {
        snprintf(buf, len, "%s", len > 2 ? "\"\"" : "");
        return buf;
    }
    value = value ? value : "";
    if (s_bare(value) && strlen(value) < len) {
        memcpy(buf, value, strlen(value) + 1);
        return buf;
    }
    size_t at = 0, room = len - 6; /* the quotes, "..." and the NUL */
    buf[at++] = '"';
    const unsigned char *p = (const unsigned char *)value;
    for (; *p; p++) {
        char esc[5];
        size_t n;
        if (*p == '"' || *p == '\\')
            n = (size_t)snprintf(esc, sizeof esc, "\\%c", *p);
        else if (*p == '\n')
            n = (size_t)snprintf(esc, sizeof esc, "\\n");
        else if (*p < ' ' || *p == 0x7f)
            n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
        else
            n = (size_t)snprintf(esc, sizeof esc, "%c", *p);
        if (at + n > room)
            break;
        memcpy(buf + at, esc, n);
        at += n;
    }
    if (*p) {
        memcpy(buf + at, "...", 3);
        at += 3;
    }
    buf[at++] = '"';
    buf[at] = '\0';
    return buf;
}
