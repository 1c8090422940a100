/* ocop-gateway — the HTTP/JSON front of every service. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "gw.h"
#include "gw_http.h"
#include "gw_matrix.h"
#include "gw_openapi.h"
#include "ocop_keys.h"
#include "ocop_log.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-gateway --config FILE [--name KEY]  serve the API (the config's \"gateway\"\n"
                 "                                 section; its CURVE key is KEY, default gateway)\n"
                 "       ocop-gateway --openapi        print the OpenAPI document (docs/openapi.json)\n"
                 "       ocop-gateway --access-matrix  print the role x route matrix (docs/access.md)\n"
                 "The users' tokens are read from the section's \"tokens\" file and re-read when it changes\n"
                 "(or on SIGHUP); SIGTERM stops after the requests under way.\n");
}

static int s_print(char *text)
{
    if (!text)
        return 1;
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
    return 0;
}

/* The file's identity and last change, to notice a rewrite within the same second. */
static void s_stamp(const char *path, struct stat *st)
{
    if (stat(path, st) != 0)
        memset(st, 0, sizeof *st);
}

static int s_changed(const struct stat *a, const struct stat *b)
{
    return a->st_ino != b->st_ino || a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
           a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* The audit service's public signing key, if this host has it (the dashboard pins it). */
static void s_audit_key(gw_t *gw)
{
    char path[OCOP_PATH_MAX + 32], text[256], err[256];
    snprintf(path, sizeof path, "%s/audit.sign.pub", ocop_config_keys_dir(gw->config));
    if (ocop_keys_read_file(path, 0, text, sizeof text, err, sizeof err) != 0) {
        ocop_log_warn("audit_key_missing", "path=%s (the dashboard cannot check signed tree heads)", path);
        return;
    }
    size_t n = 0;
    for (const char *c = text; *c && n + 1 < sizeof gw->audit_key; c++)
        if ((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))
            gw->audit_key[n++] = *c;
    gw->audit_key[n] = '\0';
}

/* Swaps in the tokens file's users; on error keeps the ones in force. */
static int s_reload_users(gw_t *gw)
{
    char err[512];
    ocop_users_t *users = ocop_users_load(gw->gc.tokens, err, sizeof err);
    if (!users) {
        ocop_log_error("tokens_invalid", "error=\"%s\"", err);
        return -1;
    }
    pthread_rwlock_wrlock(&gw->users_lock);
    ocop_users_t *old = gw->users;
    gw->users = users;
    pthread_rwlock_unlock(&gw->users_lock);
    ocop_users_destroy(&old);
    ocop_log_info("tokens_loaded", "path=%s users=%zu", gw->gc.tokens, ocop_users_count(users));
    return 0;
}

/* Waits for SIGTERM/SIGINT, reloading the tokens on SIGHUP or when the file changes. */
static void s_serve(gw_t *gw, const sigset_t *signals)
{
    struct stat seen, now;
    s_stamp(gw->gc.tokens, &seen);
    for (;;) {
        struct timespec tick = {0, 250 * 1000 * 1000};
        int sig = sigtimedwait(signals, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            return;
        s_stamp(gw->gc.tokens, &now);
        if (sig == SIGHUP || s_changed(&seen, &now)) {
            seen = now;
            s_reload_users(gw);
        }
    }
}

/* Lets the requests waiting for services finish (their time-out bounds it) before the HTTP
 * server stops: a suspended connection must be woken before it can close. */
static void s_drain(gw_t *gw)
{
    int64_t waited = 0, limit = (int64_t)gw->gc.timeout_ms + 2000;
    while (__atomic_load_n(&gw->tasks_active, __ATOMIC_RELAXED) > 0 && waited < limit) {
        struct timespec tick = {0, 10 * 1000 * 1000};
        nanosleep(&tick, NULL);
        waited += 10;
    }
}

/* The command line into *config_path and *name: -1 to go on, else the exit status (after
 * --openapi, --access-matrix or --help, or a usage error). */
static int s_args(int argc, char **argv, const char **config_path, const char **name)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--openapi") == 0)
            return s_print(gw_openapi_document());
        if (strcmp(argv[i], "--access-matrix") == 0)
            return s_print(gw_matrix_markdown());
        if (strcmp(argv[i], "--help") == 0) {
            s_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            *config_path = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            *name = argv[++i];
        else {
            s_usage(stderr);
            return 2;
        }
    }
    if (!*config_path)
        *config_path = getenv("OCOP_CONFIG");
    if (!*config_path) {
        s_usage(stderr);
        return 2;
    }
    return -1;
}

/* Workers inherit the mask: only the main thread takes these signals (s_serve waits for them). */
static void s_block_signals(sigset_t *signals)
{
    sigemptyset(signals);
    sigaddset(signals, SIGTERM);
    sigaddset(signals, SIGINT);
    sigaddset(signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, signals, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *name = "gateway";
    int status = s_args(argc, argv, &config_path, &name);
    if (status >= 0)
        return status;
    ocop_log_init("gateway");
    char err[1024];
    gw_t gw;
    memset(&gw, 0, sizeof gw);
    ocop_config_t *config = ocop_config_load(config_path, err, sizeof err);
    ocop_keypair_t keys;
    if (!config || ocop_config_gateway(config, &gw.gc, err, sizeof err) != 0 ||
        ocop_keys_load_pair(ocop_config_keys_dir(config), name, &keys, err, sizeof err) != 0) {
        ocop_log_error("config_invalid", "error=\"%s\"", err);
        ocop_config_destroy(&config);
        return 1;
    }
    gw.config = config;
    s_audit_key(&gw);
    pthread_rwlock_init(&gw.users_lock, NULL);
    sigset_t signals;
    s_block_signals(&signals);
    void *zctx = zmq_ctx_new();
    int rc = 1;
    gw_http_t *http = NULL;
    gw.pump = zctx ? gw_pump_new(zctx, config, &keys, gw.gc.timeout_ms, err, sizeof err) : NULL;
    gw.metrics = gw_metrics_new();
    gw.shardmap = gw_shardmap_new();
    gw.openapi = gw_openapi_document();
    if (!gw.pump || !gw.metrics || !gw.shardmap || !gw.openapi) {
        ocop_log_error("start_failed", "error=\"%s\"", gw.pump ? "out of memory" : err);
    } else if (s_reload_users(&gw) == 0 && (http = gw_http_start(&gw, err, sizeof err)) != NULL) {
        ocop_log_info("ready", "url=http://%s:%u/ threads=%u timeout_ms=%u", gw.gc.host, gw.gc.port, gw.gc.threads,
                      gw.gc.timeout_ms);
        s_serve(&gw, &signals);
        ocop_log_info("stopping", "url=http://%s:%u/", gw.gc.host, gw.gc.port);
        s_drain(&gw);
        gw_http_stop(&http);
        rc = 0;
    } else if (!http && gw.users) {
        ocop_log_error("listen_failed", "error=\"%s\"", err);
    }
    gw_pump_destroy(&gw.pump);
    gw_metrics_destroy(&gw.metrics);
    gw_shardmap_destroy(&gw.shardmap);
    free(gw.openapi);
    ocop_users_destroy(&gw.users);
    pthread_rwlock_destroy(&gw.users_lock);
    if (zctx)
        zmq_ctx_term(zctx);
    ocop_config_destroy(&config);
    return rc;
}
