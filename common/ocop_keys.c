/* ocop_keys — CURVE key pairs in files, and CURVE socket setup (the ZAP handler is ocop_zap.c). */
#include "ocop_keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_fs.h"
#include "ocop_log.h"

#define S_ZAP_DOMAIN "ocop"
#define S_KEY_FILE_MAX 512

int ocop_keys_z85_valid(const char *z85)
{
    uint8_t bin[32];
    return z85 && strlen(z85) == OCOP_Z85_KEY_LEN && zmq_z85_decode(bin, z85) != NULL;
}

static int s_key_path(char *buf, size_t len, const char *dir, const char *name, const char *ext)
{
    return snprintf(buf, len, "%s/%s%s", dir, name, ext) < (int)len ? 0 : -1;
}

/* Reads a small key file; when private, refuses modes with any group/other bit. */
int ocop_keys_read_file(const char *path, int private_key, char *buf, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ocop_error_format(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (private_key && (st.st_mode & 077)) {
        ocop_error_format(err, errlen, "%s: mode %04o gives group/other access; a secret key must be 0600", path,
                          (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0 || (size_t)n >= len - 1) {
        ocop_error_format(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) : "file is too large");
        return -1;
    }
    buf[n] = '\0';
    return 0;
}

/* Finds "field=<40 z85 chars>" on a line of its own. Every line must be a known field. */
static int s_parse_field(const char *text, const char *field, char out[OCOP_Z85_KEY_LEN + 1])
{
    size_t flen = strlen(field);
    int found = 0;
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t llen = end ? (size_t)(end - line) : strlen(line);
        if (llen > 0) {
            const char *eq = memchr(line, '=', llen);
            if (!eq)
                return -1;
            if ((size_t)(eq - line) == flen && memcmp(line, field, flen) == 0) {
                if (found || llen - flen - 1 != OCOP_Z85_KEY_LEN)
                    return -1;
                memcpy(out, eq + 1, OCOP_Z85_KEY_LEN);
                out[OCOP_Z85_KEY_LEN] = '\0';
                found = 1;
            }
        }
        line += llen + (end ? 1 : 0);
    }
    return found && ocop_keys_z85_valid(out) ? 0 : -1;
}

int ocop_curve_available(void)
{
    return zmq_has("curve") ? 1 : 0;
}

int ocop_keys_generate(ocop_keypair_t *out)
{
    if (!out)
        return -1;
    memset(out, 0, sizeof *out);
    return zmq_curve_keypair(out->public_z85, out->secret_z85) == 0 ? 0 : -1;
}

int ocop_keys_sign_create(const char *dir, const char *name, char *err, size_t errlen)
{
    char secret_path[OCOP_PATH_MAX], public_path[OCOP_PATH_MAX];
    if (!dir || !ocop_fs_name_valid(name) || s_key_path(secret_path, sizeof secret_path, dir, name, ".sign") != 0 ||
        s_key_path(public_path, sizeof public_path, dir, name, ".sign.pub") != 0) {
        ocop_error_format(err, errlen, "%s/%s: not a key name", dir ? dir : "", name ? name : "");
        return -1;
    }
    if (ocop_fs_mkdirs(dir) != 0) {
        ocop_error_format(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char sk_hex[2 * sizeof sk + 2], pk_hex[2 * sizeof pk + 2];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(sk_hex, sizeof sk_hex - 1, sk, sizeof sk);
    sodium_bin2hex(pk_hex, sizeof pk_hex - 1, pk, sizeof pk);
    strcat(sk_hex, "\n");
    strcat(pk_hex, "\n");
    int rc = ocop_fs_write_file(secret_path, sk_hex, 0600) == 0 ? 0 : -1;
    const char *failed = secret_path;
    if (rc == 0 && ocop_fs_write_file(public_path, pk_hex, 0644) != 0) {
        rc = -1;
        failed = public_path;
    }
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk_hex, sizeof sk_hex);
    if (rc != 0)
        ocop_error_format(err, errlen, "%s: cannot create the signing key: %s", failed, strerror(errno));
    return rc;
}

int ocop_keys_save(const char *dir, const char *name, const ocop_keypair_t *pair)
{
    char key_path[OCOP_PATH_MAX], pub_path[OCOP_PATH_MAX];
    if (!dir || !pair || !ocop_fs_name_valid(name) || !ocop_keys_z85_valid(pair->public_z85) ||
        !ocop_keys_z85_valid(pair->secret_z85))
        return -1;
    if (s_key_path(key_path, sizeof key_path, dir, name, ".key") != 0 ||
        s_key_path(pub_path, sizeof pub_path, dir, name, ".pub") != 0)
        return -1;
    if (ocop_fs_mkdirs(dir) != 0) {
        ocop_log_error("keys_save_failed", "dir=%s error=\"%s\"", dir, strerror(errno));
        return -1;
    }
    char text[2 * (OCOP_Z85_KEY_LEN + 16)];
    snprintf(text, sizeof text, "public=%s\nsecret=%s\n", pair->public_z85, pair->secret_z85);
    int rc = ocop_fs_write_file(key_path, text, 0600);
    explicit_bzero(text, sizeof text);
    if (rc == 0) {
        snprintf(text, sizeof text, "public=%s\n", pair->public_z85);
        rc = ocop_fs_write_file(pub_path, text, 0644);
    }
    if (rc != 0)
        ocop_log_error("keys_save_failed", "dir=%s name=%s error=\"%s\"", dir, name, strerror(errno));
    return rc;
}

int ocop_keys_load_pair(const char *dir, const char *name, ocop_keypair_t *out, char *err, size_t errlen)
{
    char path[OCOP_PATH_MAX];
    char text[S_KEY_FILE_MAX];
    if (!dir || !out || !ocop_fs_name_valid(name)) {
        ocop_error_format(err, errlen, "key name '%s' is not valid", name ? name : "");
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (s_key_path(path, sizeof path, dir, name, ".key") != 0) {
        ocop_error_format(err, errlen, "%s/%s.key: path is too long", dir, name);
        return -1;
    }
    if (ocop_keys_read_file(path, 1, text, sizeof text, err, errlen) != 0)
        return -1;
    int rc = -1;
    if (s_parse_field(text, "public", out->public_z85) != 0 || s_parse_field(text, "secret", out->secret_z85) != 0)
        ocop_error_format(err, errlen, "%s: malformed, expected public=<z85> and secret=<z85> lines", path);
    else {
        /* A pair whose halves do not belong together would fail every handshake obscurely. */
        char derived[OCOP_Z85_KEY_LEN + 1];
        if (zmq_curve_public(derived, out->secret_z85) != 0 || strcmp(derived, out->public_z85) != 0)
            ocop_error_format(err, errlen, "%s: public key does not match the secret key", path);
        else
            rc = 0;
    }
    explicit_bzero(text, sizeof text);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int ocop_keys_load_public(const char *dir, const char *name, char out[OCOP_Z85_KEY_LEN + 1], char *err, size_t errlen)
{
    char path[OCOP_PATH_MAX];
    char text[S_KEY_FILE_MAX];
    if (!dir || !out || !ocop_fs_name_valid(name)) {
        ocop_error_format(err, errlen, "key name '%s' is not valid", name ? name : "");
        return -1;
    }
    if (s_key_path(path, sizeof path, dir, name, ".pub") != 0) {
        ocop_error_format(err, errlen, "%s/%s.pub: path is too long", dir, name);
        return -1;
    }
    if (ocop_keys_read_file(path, 0, text, sizeof text, err, errlen) != 0)
        return -1;
    if (s_parse_field(text, "public", out) != 0) {
        ocop_error_format(err, errlen, "%s: malformed, expected a public=<z85> line", path);
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int ocop_curve_server(void *socket, const ocop_keypair_t *self)
{
    int on = 1;
    if (!socket || !self || !ocop_keys_z85_valid(self->secret_z85))
        return -1;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &on, sizeof on) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, self->secret_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, S_ZAP_DOMAIN, strlen(S_ZAP_DOMAIN)) != 0)
        return -1;
    return 0;
}

int ocop_curve_client(void *socket, const ocop_keypair_t *self, const char *server_public_z85)
{
    if (!socket || !self || !ocop_keys_z85_valid(server_public_z85) || !ocop_keys_z85_valid(self->public_z85) ||
        !ocop_keys_z85_valid(self->secret_z85))
        return -1;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_public_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, self->public_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, self->secret_z85, OCOP_Z85_KEY_LEN + 1) != 0)
        return -1;
    return 0;
}
