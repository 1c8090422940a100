/* gw_static — static files for the dashboard. */
#include "gw_static.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_FILE_MAX (8u << 20)

static const struct {
    const char *ext, *type;
} s_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *s_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof s_types / sizeof s_types[0]; i++)
        if (strcmp(dot, s_types[i].ext) == 0)
            return s_types[i].type;
    return NULL;
}

/* Only [A-Za-z0-9._-/] and no segment starting with '.': nothing climbs out or shows a dotfile. */
static int s_safe(const char *path)
{
    for (const char *p = path; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                 c == '-' || c == '/';
        if (!ok || (c == '/' && p[1] == '.') || (c == '/' && p[1] == '/'))
            return 0;
    }
    return path[0] == '/';
}

/* Opens rel (a safe relative path) under dir one component at a time, following no symbolic
 * link on the way (O_NOFOLLOW on every directory and on the file) and without blocking on a
 * FIFO or device (O_NONBLOCK; the caller serves regular files only). The fd, or -1. */
static int s_open_beneath(const char *dir, const char *rel)
{
    int at = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char part[256];
    while (at >= 0) {
        size_t n = strcspn(rel, "/");
        if (n == 0 || n >= sizeof part) {
            close(at);
            return -1;
        }
        memcpy(part, rel, n);
        part[n] = '\0';
        int last = rel[n] == '\0';
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? O_NONBLOCK : O_DIRECTORY);
        int fd = openat(at, part, flags);
        close(at);
        if (last || fd < 0)
            return fd;
        at = fd;
        rel += n + 1;
    }
    return -1;
}

int gw_static_serve(const gw_t *gw, const gw_request_t *in, gw_response_t *out)
{
    if (!gw->gc.static_dir[0] || strncmp(in->path, "/v1/", 4) == 0)
        return 0;
    const char *rel = strcmp(in->path, "/") == 0 ? "/index.html" : in->path;
    if (strcmp(in->method, "GET") != 0 && strcmp(in->method, "HEAD") != 0) {
        snprintf(out->allow, sizeof out->allow, "GET");
        gw_error(out, 405, "METHOD_NOT_ALLOWED", "", "%s is not allowed on %.200s (allowed: GET)", in->method,
                 in->path);
        return 1;
    }
    const char *type = s_type(rel);
    if (!s_safe(rel) || !type) {
        gw_error(out, 404, "NOT_FOUND", "", "no file %.200s", in->path);
        return 1;
    }
    int fd = s_open_beneath(gw->gc.static_dir, rel + 1);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > S_FILE_MAX) {
        if (fd >= 0)
            close(fd);
        gw_error(out, 404, "NOT_FOUND", "", "no file %.200s", in->path);
        return 1;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        gw_error(out, 500, "INTERNAL", "", "cannot read %.200s", in->path);
        return 1;
    }
    buf[got] = '\0';
    out->body = buf;
    out->body_len = got ? got : 0;
    out->status = 200;
    out->content_type = type;
    out->cache_control = "no-cache";
    return 1;
}
