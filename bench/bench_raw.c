/* bench_raw — see bench_raw.h. */
#include "bench_raw.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "ocop_keys.h"

#define S_HWM 1000000
#define S_MAP_SIZE ((size_t)4 << 30)
#define S_WARMUP 200

/* ---------------------------------------------------------------- ZeroMQ echo */

typedef struct {
    void *zctx;
    void *router;
    ocop_zap_t *zap;
    pthread_t thread;
    atomic_int stop;
} s_echo_server_t;

static void s_sockopts(void *sock)
{
    int linger = 0, hwm = S_HWM;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
}

/* Echoes identity + payload, draining everything that is ready before polling again (as the
 * service's loop does). */
static void *s_echo_main(void *arg)
{
    s_echo_server_t *srv = arg;
    while (!atomic_load(&srv->stop)) {
        zmq_pollitem_t items[] = {{srv->router, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 1, 50) <= 0)
            continue;
        for (;;) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, srv->router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&id);
                break;
            }
            zmq_msg_init(&body);
            if (!zmq_msg_more(&id) || zmq_msg_recv(&body, srv->router, 0) < 0) {
                zmq_msg_close(&id);
                zmq_msg_close(&body);
                continue;
            }
            zmq_msg_send(&id, srv->router, ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_msg_send(&body, srv->router, ZMQ_DONTWAIT);
            zmq_msg_close(&id);
            zmq_msg_close(&body);
        }
    }
    return NULL;
}

static void s_echo_stop(s_echo_server_t *srv)
{
    if (srv->router) {
        atomic_store(&srv->stop, 1);
        pthread_join(srv->thread, NULL);
        zmq_close(srv->router);
        srv->router = NULL;
    }
    ocop_zap_destroy(&srv->zap);
    if (srv->zctx)
        zmq_ctx_term(srv->zctx);
    srv->zctx = NULL;
}

/* Starts the server; endpoint receives where it listens. */
static int s_echo_start(s_echo_server_t *srv, const ocop_keypair_t *server, const char *client_public, char *endpoint,
                        size_t endpoint_len)
{
    memset(srv, 0, sizeof *srv);
    srv->zctx = zmq_ctx_new();
    const char *allowed[] = {client_public};
    srv->zap = srv->zctx ? ocop_zap_new(srv->zctx, allowed, 1) : NULL;
    srv->router = srv->zap ? zmq_socket(srv->zctx, ZMQ_ROUTER) : NULL;
    if (!srv->router)
        goto fail;
    s_sockopts(srv->router);
    if (ocop_curve_server(srv->router, server) != 0 || zmq_bind(srv->router, "tcp://127.0.0.1:*") != 0)
        goto fail;
    zmq_getsockopt(srv->router, ZMQ_LAST_ENDPOINT, endpoint, &endpoint_len);
    if (pthread_create(&srv->thread, NULL, s_echo_main, srv) != 0)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "bench: echo server: %s\n", zmq_strerror(errno));
    if (srv->router)
        zmq_close(srv->router);
    srv->router = NULL;
    s_echo_stop(srv);
    return -1;
}

static int s_echo_recv(void *dealer, size_t want)
{
    zmq_pollitem_t items[] = {{dealer, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 1, 5000) <= 0)
        return -1;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    int rc = zmq_msg_recv(&msg, dealer, 0) >= 0 && zmq_msg_size(&msg) == want ? 0 : -1;
    zmq_msg_close(&msg);
    return rc;
}

static int s_echo_measure(void *dealer, const bench_echo_options_t *opts, bench_echo_result_t *out)
{
    uint8_t *buf = malloc(opts->msg_size ? opts->msg_size : 1);
    int64_t *lat = calloc(opts->seq_count ? opts->seq_count : 1, sizeof *lat);
    int rc = -1;
    if (!buf || !lat)
        goto done;
    randombytes_buf(buf, opts->msg_size);
    for (size_t i = 0; i < S_WARMUP + opts->seq_count; i++) {
        int64_t t0 = bench_now_ns();
        if (zmq_send(dealer, buf, opts->msg_size, 0) < 0 || s_echo_recv(dealer, opts->msg_size) != 0)
            goto done;
        if (i >= S_WARMUP)
            lat[i - S_WARMUP] = bench_now_ns() - t0;
    }
    bench_percentiles(lat, opts->seq_count, &out->seq);

    size_t sent = 0, got = 0;
    int64_t t0 = bench_now_ns();
    while (got < opts->pipe_count) {
        while (sent < opts->pipe_count && sent - got < opts->window) {
            if (zmq_send(dealer, buf, opts->msg_size, ZMQ_DONTWAIT) < 0)
                break;
            sent++;
        }
        if (s_echo_recv(dealer, opts->msg_size) != 0)
            goto done;
        got++;
        /* Take everything already here before sending more. */
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        while (got < sent && zmq_msg_recv(&msg, dealer, ZMQ_DONTWAIT) >= 0)
            got++;
        zmq_msg_close(&msg);
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    out->pipe_msgs_s = secs > 0 ? (double)got / secs : 0;
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "bench: echo: no reply within 5 s\n");
    free(buf);
    free(lat);
    return rc;
}

int bench_echo_run(const bench_echo_options_t *opts, bench_echo_result_t *out)
{
    memset(out, 0, sizeof *out);
    ocop_keypair_t server, client;
    if (ocop_keys_generate(&server) != 0 || ocop_keys_generate(&client) != 0)
        return -1;
    s_echo_server_t srv;
    char endpoint[256] = "";
    if (s_echo_start(&srv, &server, client.public_z85, endpoint, sizeof endpoint) != 0)
        return -1;
    int rc = -1;
    void *zctx = zmq_ctx_new();
    void *dealer = zctx ? zmq_socket(zctx, ZMQ_DEALER) : NULL;
    if (dealer) {
        s_sockopts(dealer);
        if (ocop_curve_client(dealer, &client, server.public_z85) == 0 && zmq_connect(dealer, endpoint) == 0)
            rc = s_echo_measure(dealer, opts, out);
        zmq_close(dealer);
    }
    if (zctx)
        zmq_ctx_term(zctx);
    s_echo_stop(&srv);
    return rc;
}

/* ---------------------------------------------------------------- LMDB */

static MDB_env *s_env_open(const char *dir, MDB_dbi *dbi)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "bench: mkdir %s: %s\n", dir, strerror(errno));
        return NULL;
    }
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, S_MAP_SIZE);
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_NOTLS, 0600);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, NULL, 0, dbi);
    if (rc == 0) {
        rc = mdb_txn_commit(txn);
        txn = NULL;
    }
    if (rc != 0) {
        fprintf(stderr, "bench: lmdb %s: %s\n", dir, mdb_strerror(rc));
        if (txn)
            mdb_txn_abort(txn);
        if (env)
            mdb_env_close(env);
        return NULL;
    }
    return env;
}

/* A request-id-like key: 32 random hex characters. */
static void s_random_key(char key[33])
{
    uint8_t raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(key, 33, raw, sizeof raw);
}

int bench_lmdb_batched(const char *dir, size_t value_size, size_t batch, int random_keys, double seconds,
                       bench_lmdb_result_t *out)
{
    memset(out, 0, sizeof *out);
    if (batch == 0)
        batch = 1;
    MDB_dbi dbi;
    MDB_env *env = s_env_open(dir, &dbi);
    if (!env)
        return -1;
    uint8_t *value = malloc(value_size ? value_size : 1);
    size_t cap = 1024, commits = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    int rc = value && lat ? 0 : -1;
    if (value)
        randombytes_buf(value, value_size);
    int64_t t0 = bench_now_ns(), deadline = t0 + (int64_t)(seconds * 1e9);
    while (rc == 0 && (commits == 0 || bench_now_ns() < deadline)) {
        MDB_txn *txn;
        rc = mdb_txn_begin(env, NULL, 0, &txn);
        for (size_t i = 0; rc == 0 && i < batch; i++) {
            char key[33];
            if (random_keys)
                s_random_key(key);
            else
                snprintf(key, sizeof key, "%032llx", (unsigned long long)(out->puts + i));
            MDB_val k = {.mv_size = 32, .mv_data = key}, v = {.mv_size = value_size, .mv_data = value};
            rc = mdb_put(txn, dbi, &k, &v, 0);
        }
        if (rc != 0) {
            mdb_txn_abort(txn);
            break;
        }
        int64_t c0 = bench_now_ns();
        rc = mdb_txn_commit(txn);
        if (commits == cap) {
            int64_t *grown = realloc(lat, 2 * cap * sizeof *lat);
            if (!grown) {
                rc = -1;
                break;
            }
            lat = grown;
            cap *= 2;
        }
        lat[commits++] = bench_now_ns() - c0;
        out->puts += batch;
    }
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    if (rc != 0)
        fprintf(stderr, "bench: lmdb batched puts: %s\n", rc > 0 ? mdb_strerror(rc) : "out of memory");
    out->puts_s = (double)out->puts / secs;
    out->commits_s = (double)commits / secs;
    bench_percentiles(lat, commits, &out->commit);
    free(lat);
    free(value);
    mdb_env_close(env);
    return rc == 0 ? 0 : -1;
}

int bench_lmdb_fsync_commit(const char *dir, size_t value_size, size_t count, bench_pct_t *out)
{
    MDB_dbi dbi;
    MDB_env *env = s_env_open(dir, &dbi);
    if (!env)
        return -1;
    uint8_t *value = malloc(value_size ? value_size : 1);
    int64_t *lat = calloc(count ? count : 1, sizeof *lat);
    int rc = value && lat ? 0 : -1;
    if (value)
        randombytes_buf(value, value_size);
    /* The first commits extend the file; time the steady state. */
    for (size_t i = 0; rc == 0 && i < count + 20; i++) {
        int64_t t0 = bench_now_ns();
        MDB_txn *txn;
        rc = mdb_txn_begin(env, NULL, 0, &txn);
        if (rc != 0)
            break;
        char key[33];
        s_random_key(key);
        MDB_val k = {.mv_size = 32, .mv_data = key}, v = {.mv_size = value_size, .mv_data = value};
        rc = mdb_put(txn, dbi, &k, &v, 0);
        if (rc != 0) {
            mdb_txn_abort(txn);
            break;
        }
        rc = mdb_txn_commit(txn);
        if (i >= 20)
            lat[i - 20] = bench_now_ns() - t0;
    }
    if (rc != 0)
        fprintf(stderr, "bench: lmdb fsync commit: %s\n", rc > 0 ? mdb_strerror(rc) : "out of memory");
    else
        bench_percentiles(lat, count, out);
    free(lat);
    free(value);
    mdb_env_close(env);
    return rc == 0 ? 0 : -1;
}
