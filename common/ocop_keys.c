/* ocop_keys — CURVE key files and the ZAP allow-list handler (ZeroMQ RFC 27). */
#include "ocop_keys.h"
#include "ocop_error.h"
#include "ocop_fs.h"

#include "ocop_config.h"
#include "ocop_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#define S_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define S_ZAP_DOMAIN "ocop"
#define S_ZAP_POLL_MS 100
#define S_ZAP_FRAMES_MAX 8
#define S_KEY_FILE_MAX 512

static int s_z85_key_valid(const char *z85)
{
    uint8_t bin[32];
    return z85 && strlen(z85) == OCOP_Z85_KEY_LEN && zmq_z85_decode(bin, z85) != NULL;
}

static int s_key_path(char *buf, size_t len, const char *dir, const char *name, const char *ext)
{
    return snprintf(buf, len, "%s/%s%s", dir, name, ext) < (int)len ? 0 : -1;
}

/* Written to a temporary file and renamed, so a crash never leaves a truncated key behind;
 * fchmod because an existing file or the umask could otherwise widen the mode. */
static int s_write_file(const char *path, const char *content, mode_t mode)
{
    char tmp[OCOP_PATH_MAX + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(content);
    int ok = fchmod(fd, mode) == 0 && write(fd, content, len) == (ssize_t)len && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Reads a small key file; when private, refuses modes with any group/other bit. */
static int s_read_key_file(const char *path, int private_key, char *buf, size_t len, char *err, size_t errlen)
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
    return found && s_z85_key_valid(out) ? 0 : -1;
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

int ocop_keys_save(const char *dir, const char *name, const ocop_keypair_t *pair)
{
    char key_path[OCOP_PATH_MAX], pub_path[OCOP_PATH_MAX];
    if (!dir || !pair || !ocop_fs_name_valid(name) || !s_z85_key_valid(pair->public_z85) ||
        !s_z85_key_valid(pair->secret_z85))
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
    int rc = s_write_file(key_path, text, 0600);
    explicit_bzero(text, sizeof text);
    if (rc == 0) {
        snprintf(text, sizeof text, "public=%s\n", pair->public_z85);
        rc = s_write_file(pub_path, text, 0644);
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
    if (s_read_key_file(path, 1, text, sizeof text, err, errlen) != 0)
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
    if (s_read_key_file(path, 0, text, sizeof text, err, errlen) != 0)
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
    if (!socket || !self || !s_z85_key_valid(self->secret_z85))
        return -1;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &on, sizeof on) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, self->secret_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, S_ZAP_DOMAIN, strlen(S_ZAP_DOMAIN)) != 0)
        return -1;
    return 0;
}

int ocop_curve_client(void *socket, const ocop_keypair_t *self, const char *server_public_z85)
{
    if (!socket || !self || !s_z85_key_valid(server_public_z85) || !s_z85_key_valid(self->public_z85) ||
        !s_z85_key_valid(self->secret_z85))
        return -1;
    if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server_public_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, self->public_z85, OCOP_Z85_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, self->secret_z85, OCOP_Z85_KEY_LEN + 1) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* ZAP handler */

struct ocop_zap_t {
    void *socket; /* REP on inproc://zeromq.zap.01, used only by the thread once started */
    pthread_t thread;
    atomic_int stop;
    atomic_uint_fast64_t refused;
    char (*allowed)[OCOP_Z85_KEY_LEN + 1];
    size_t count;
};

static int s_frame_is(zmq_msg_t *msg, const char *text)
{
    size_t len = strlen(text);
    return zmq_msg_size(msg) == len && memcmp(zmq_msg_data(msg), text, len) == 0;
}

/* Frame text for logs: bounded, and anything that could break logfmt becomes '?'. */
static void s_frame_text(zmq_msg_t *msg, char *buf, size_t len)
{
    size_t n = zmq_msg_size(msg);
    const unsigned char *data = zmq_msg_data(msg);
    if (n > len - 1)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (data[i] > 0x20 && data[i] < 0x7F && data[i] != '"' && data[i] != '=') ? (char)data[i] : '?';
    buf[n] = '\0';
}

static int s_allowed(const ocop_zap_t *self, const char *z85)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->allowed[i], z85) == 0)
            return 1;
    return 0;
}

static int s_send(void *socket, const void *data, size_t len, int more)
{
    return zmq_send(socket, data, len, more ? ZMQ_SNDMORE : 0) == (int)len ? 0 : -1;
}

/* Answers one request. Every request gets a reply, malformed or not: a REP socket that
 * skipped one would be stuck, and libzmq would wait on the handshake forever. */
static int s_zap_handle(ocop_zap_t *self)
{
    zmq_msg_t frames[S_ZAP_FRAMES_MAX];
    size_t nframes = 0;
    int more = 1;
    int rc = 0;
    while (more) {
        /* Frames beyond the table are received into a scratch message and dropped. */
        zmq_msg_t scratch;
        zmq_msg_t *msg = nframes < S_ZAP_FRAMES_MAX ? &frames[nframes] : &scratch;
        zmq_msg_init(msg);
        if (zmq_msg_recv(msg, self->socket, 0) < 0) {
            zmq_msg_close(msg);
            rc = -1;
            break;
        }
        more = zmq_msg_more(msg);
        if (msg == &scratch)
            zmq_msg_close(msg);
        else
            nframes++;
    }
    if (rc != 0) {
        for (size_t i = 0; i < nframes; i++)
            zmq_msg_close(&frames[i]);
        return -1;
    }

    const char *reason = NULL;
    char user_id[OCOP_Z85_KEY_LEN + 1] = "";
    char mechanism[32] = "?", address[64] = "?";
    if (nframes < 6 || !s_frame_is(&frames[0], "1.0"))
        reason = "malformed ZAP request";
    else {
        s_frame_text(&frames[5], mechanism, sizeof mechanism);
        s_frame_text(&frames[3], address, sizeof address);
        if (!s_frame_is(&frames[5], "CURVE"))
            reason = "only CURVE is accepted";
        else if (nframes != 7 || zmq_msg_size(&frames[6]) != 32)
            reason = "malformed CURVE credentials";
        else {
            zmq_z85_encode(user_id, zmq_msg_data(&frames[6]), 32);
            if (!s_allowed(self, user_id))
                reason = "key not allowed";
        }
    }

    /* Counted before replying, so whoever sees the refusal also sees the count. */
    if (reason) {
        atomic_fetch_add(&self->refused, 1);
        ocop_log_warn("zap_refused", "mechanism=%s address=%s key=%s reason=\"%s\"", mechanism, address,
                      user_id[0] ? user_id : "-", reason);
    }
    const void *request_id = nframes > 1 ? zmq_msg_data(&frames[1]) : "";
    size_t request_id_len = nframes > 1 ? zmq_msg_size(&frames[1]) : 0;
    const char *version = "1.0";
    const char *status = reason ? "400" : "200";
    const char *text = reason ? reason : "OK";
    const char *uid = reason ? "" : user_id;
    if (s_send(self->socket, version, strlen(version), 1) != 0 ||
        s_send(self->socket, request_id, request_id_len, 1) != 0 ||
        s_send(self->socket, status, strlen(status), 1) != 0 || s_send(self->socket, text, strlen(text), 1) != 0 ||
        s_send(self->socket, uid, strlen(uid), 1) != 0 || s_send(self->socket, "", 0, 0) != 0)
        rc = -1;

    for (size_t i = 0; i < nframes; i++)
        zmq_msg_close(&frames[i]);
    return rc;
}

static void *s_zap_run(void *arg)
{
    ocop_zap_t *self = arg;
    while (!atomic_load(&self->stop)) {
        zmq_pollitem_t item = {.socket = self->socket, .events = ZMQ_POLLIN};
        int rc = zmq_poll(&item, 1, S_ZAP_POLL_MS);
        if (rc < 0 && zmq_errno() == EINTR)
            continue;
        if (rc < 0)
            break; /* ETERM: the context is going away */
        if (rc > 0 && s_zap_handle(self) != 0 && zmq_errno() == ETERM)
            break;
    }
    return NULL;
}

ocop_zap_t *ocop_zap_new(void *zctx, const char *const *allowed_public_z85, size_t count)
{
    if (!zctx || (count && !allowed_public_z85))
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!s_z85_key_valid(allowed_public_z85[i])) {
            ocop_log_error("zap_bad_key", "index=%zu", i);
            return NULL;
        }
    ocop_zap_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (count) {
        self->allowed = calloc(count, sizeof *self->allowed);
        if (!self->allowed) {
            free(self);
            return NULL;
        }
        for (size_t i = 0; i < count; i++)
            memcpy(self->allowed[i], allowed_public_z85[i], OCOP_Z85_KEY_LEN + 1);
    }
    self->count = count;
    atomic_init(&self->stop, 0);
    atomic_init(&self->refused, 0);

    /* Bound here so no server socket can handshake before the handler exists; the socket
     * then belongs to the thread alone (pthread_create is the memory barrier zmq asks for). */
    int linger = 0, err = 0;
    self->socket = zmq_socket(zctx, ZMQ_REP);
    if (!self->socket || zmq_setsockopt(self->socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(self->socket, S_ZAP_ENDPOINT) != 0) {
        ocop_log_error("zap_bind_failed", "endpoint=%s error=\"%s\"", S_ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
        goto fail;
    }
    err = pthread_create(&self->thread, NULL, s_zap_run, self);
    if (err != 0) {
        ocop_log_error("zap_thread_failed", "error=\"%s\"", strerror(err));
        goto fail;
    }
    return self;
fail:
    if (self->socket)
        zmq_close(self->socket);
    free(self->allowed);
    free(self);
    return NULL;
}

void ocop_zap_destroy(ocop_zap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ocop_zap_t *self = *self_p;
    atomic_store(&self->stop, 1);
    pthread_join(self->thread, NULL);
    zmq_close(self->socket);
    free(self->allowed);
    free(self);
    *self_p = NULL;
}

uint64_t ocop_zap_refused(const ocop_zap_t *self)
{
    return self ? (uint64_t)atomic_load(&((ocop_zap_t *)self)->refused) : 0;
}
