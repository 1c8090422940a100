/* ocop_keys — CURVE key pairs in files, and the ZAP handler that enforces the allow-list.
 *
 * Files (in a keys directory): NAME.key holds "public=<z85>\nsecret=<z85>\n" with mode 0600;
 * NAME.pub holds "public=<z85>\n" with mode 0644. A .key file readable by group or others is
 * refused. */
#ifndef OCOP_KEYS_H
#define OCOP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define OCOP_Z85_KEY_LEN 40

typedef struct {
    char public_z85[OCOP_Z85_KEY_LEN + 1];
    char secret_z85[OCOP_Z85_KEY_LEN + 1];
} ocop_keypair_t;

/* 1 when z85 is a well-formed 40-character Z85 key, else 0. */
int ocop_keys_z85_valid(const char *z85);

/* 1 when libzmq was built with CURVE, else 0. Services refuse to start without it. */
int ocop_curve_available(void);

int ocop_keys_generate(ocop_keypair_t *out);
/* Writes dir/NAME.key (0600) and dir/NAME.pub; creates dir (0700) if missing. 0 / -1. */
int ocop_keys_save(const char *dir, const char *name, const ocop_keypair_t *pair);
/* 0 / -1; err says why (missing file, bad mode, malformed). */
int ocop_keys_load_pair(const char *dir, const char *name, ocop_keypair_t *out, char *err, size_t errlen);
int ocop_keys_load_public(const char *dir, const char *name, char out[OCOP_Z85_KEY_LEN + 1], char *err, size_t errlen);

/* Socket setup. A server socket authenticates clients through ZAP (domain "ocop"). 0 / -1. */
/* Key files of other kinds (e.g. the audit service's signing key) use the same care: written with
 * ocop_fs_write_file; read refusing a secret (private_key 1) that group or others can access. 0 /
 * -1 with err naming the file. */
int ocop_keys_read_file(const char *path, int private_key, char *buf, size_t len, char *err, size_t errlen);

/* A new Ed25519 signing key pair (the audit service signs its tree heads with one): dir/NAME.sign
 * holds the secret key in hex (0600), dir/NAME.sign.pub the public key in hex (0644). Creates
 * dir (0700) if missing. 0, or -1 with err naming the file. */
int ocop_keys_sign_create(const char *dir, const char *name, char *err, size_t errlen);

int ocop_curve_server(void *socket, const ocop_keypair_t *self);
int ocop_curve_client(void *socket, const ocop_keypair_t *self, const char *server_public_z85);

typedef struct ocop_zap_t ocop_zap_t;

/* Starts the ZAP handler for zmq context zctx in its own thread; it is bound on
 * inproc://zeromq.zap.01 before this returns, so start it before any server socket.
 * Only CURVE clients whose public key is in allowed (z85 strings, copied) are accepted. */
ocop_zap_t *ocop_zap_new(void *zctx, const char *const *allowed_public_z85, size_t count);
/* Stops the thread and closes its socket; call before zmq_ctx_term. Safe on NULL and twice. */
void ocop_zap_destroy(ocop_zap_t **self_p);
/* Number of connection attempts refused so far. */
uint64_t ocop_zap_refused(const ocop_zap_t *self);

#endif
