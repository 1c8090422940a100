/* ocop_fs — see ocop_fs.h. */
#include "ocop_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocop_config.h"
#include "ocop_error.h"

#define S_CHUNK (1 << 16)

int ocop_fs_mkdirs(const char *path)
{
    char buf[OCOP_PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int ocop_fs_name_valid(const char *name)
{
    if (!name || !*name || name[0] == '.' || strlen(name) >= OCOP_NAME_MAX)
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return 0;
    }
    return 1;
}

/* Reads fd to its end, hashing and (out >= 0) writing every chunk. 0, or -1 with errno. */
static int s_stream(int in, int out, unsigned char digest[OCOP_FS_DIGEST_LEN])
{
    unsigned char buf[S_CHUNK];
    crypto_generichash_state hash;
    crypto_generichash_init(&hash, NULL, 0, OCOP_FS_DIGEST_LEN);
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        crypto_generichash_update(&hash, buf, (unsigned long long)n);
        for (ssize_t done = 0; out >= 0 && done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -1;
            done += w;
        }
    }
    if (digest)
        crypto_generichash_final(&hash, digest, OCOP_FS_DIGEST_LEN);
    return 0;
}

int ocop_fs_copy_file(const char *src, const char *dst, unsigned mode, unsigned char digest[OCOP_FS_DIGEST_LEN],
                      char *err, size_t errlen)
{
    char tmp[OCOP_PATH_MAX + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp) {
        ocop_error_format(err, errlen, "%s: path is too long", dst);
        return -1;
    }
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        ocop_error_format(err, errlen, "%s: %s", src, strerror(errno));
        return -1;
    }
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (out < 0) {
        ocop_error_format(err, errlen, "%s: %s", tmp, strerror(errno));
        close(in);
        return -1;
    }
    const char *failed = s_stream(in, out, digest) != 0 ? src : NULL;
    if (!failed && (fchmod(out, (mode_t)mode) != 0 || fsync(out) != 0))
        failed = tmp;
    close(in);
    if (close(out) != 0 && !failed)
        failed = tmp;
    if (!failed && rename(tmp, dst) != 0)
        failed = dst;
    if (failed) {
        ocop_error_format(err, errlen, "%s: %s", failed, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int ocop_fs_digest_file(const char *path, unsigned char digest[OCOP_FS_DIGEST_LEN], char *err, size_t errlen)
{
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0 || s_stream(in, -1, digest) != 0) {
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        if (in >= 0)
            close(in);
        return -1;
    }
    close(in);
    return 0;
}

/* Written to a temporary file and renamed, so a crash never leaves a truncated file behind;
 * fchmod because an existing file or the umask could otherwise widen the mode. */
int ocop_fs_write_file(const char *path, const char *content, unsigned mode)
{
    char tmp[OCOP_PATH_MAX + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    struct stat old;
    int replacing = lstat(path, &old) == 0 && S_ISREG(old.st_mode);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    int ok = fchmod(fd, (mode_t)mode) == 0 && write(fd, content, len) == (ssize_t)len && fsync(fd) == 0;
    /* A file replaced keeps its owner: root adding a user to a tokens file that the gateway's
     * account owns must not take it away from the gateway. Only root can give a file away. */
    if (ok && replacing && (old.st_uid != geteuid() || old.st_gid != getegid()) && geteuid() == 0)
        ok = fchown(fd, old.st_uid, old.st_gid) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}
