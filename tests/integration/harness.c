/* harness — see harness.h. */
/* setns (multi-host tests) is a GNU extension. */
#define _GNU_SOURCE
#include "harness.h"
#include "test_support.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ocop_error.h"

#define S_LIVE_MAX 8
#define S_READY_TRIES 200 /* x S_READY_TRY_MS: the sanitizer build starts slowly */
#define S_READY_TRY_MS 100
#define S_STOP_WAIT_MS 20000
#define S_START_ATTEMPTS 3

static harness_t *s_live[S_LIVE_MAX];
static int s_atexit_installed;

/* ---------------------------------------------------------------- small utilities */

int64_t harness_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t harness_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

const char *harness_status_name(int status)
{
    return ocop_status_name(status);
}

/* rm -rf without following symlinks. */
static void s_rmtree_at(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *dir = opendir(path);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[HARNESS_PATH_MAX * 2];
            if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) < (int)sizeof child)
                s_rmtree_at(child);
        }
        closedir(dir);
    }
    rmdir(path);
}

static void s_rmtree(const char *dir)
{
    /* Only ever our own mkdtemp directories. */
    if (strncmp(dir, "/tmp/ocop-itest-", 16) == 0)
        s_rmtree_at(dir);
}

static int s_keep_tmp(void)
{
    const char *v = getenv("OCOP_KEEP_TMP");
    return v && *v && strcmp(v, "0") != 0;
}

/* Last resort (atexit, fatal signals): no service outlives the test, no directory is left. */
static void s_cleanup_all(int from_signal)
{
    for (int i = 0; i < S_LIVE_MAX; i++) {
        harness_t *h = s_live[i];
        if (!h)
            continue;
        for (unsigned k = 0; k < HARNESS_SHARDS_MAX; k++)
            harness_kill_pid(&h->shard[k].pid);
        harness_kill_pid(&h->audit.pid);
        harness_kill_pid(&h->promotion.pid);
        harness_kill_pid(&h->gateway_pid);
        harness_kill_pid(&h->pid);
        if (!from_signal && !s_keep_tmp())
            s_rmtree(h->dir);
    }
}

static void s_atexit(void)
{
    s_cleanup_all(0);
}

static void s_on_fatal_signal(int signo)
{
    s_cleanup_all(1);
    signal(signo, SIG_DFL);
    raise(signo);
}

static void s_register(harness_t *h)
{
    if (!s_atexit_installed) {
        atexit(s_atexit);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = s_on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        s_atexit_installed = 1;
    }
    for (int i = 0; i < S_LIVE_MAX; i++)
        if (!s_live[i]) {
            s_live[i] = h;
            return;
        }
}

static void s_unregister(harness_t *h)
{
    for (int i = 0; i < S_LIVE_MAX; i++)
        if (s_live[i] == h)
            s_live[i] = NULL;
}

char *harness_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        cap *= 2;
        char *grown = realloc(buf, cap + 1);
        if (!grown)
            free(buf);
        buf = grown;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[len] = '\0';
    if (len_out)
        *len_out = len;
    return buf;
}

void harness_file_tail(const char *path, size_t bytes)
{
    size_t len;
    char *text = harness_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "harness: no log at %s\n", path);
        return;
    }
    const char *from = len > bytes ? text + len - bytes : text;
    fprintf(stderr, "---- %s (last %zu bytes) ----\n%s---- end of log ----\n", path, bytes, from);
    free(text);
}

void harness_log_tail(const harness_t *self, size_t bytes)
{
    harness_file_tail(self->log_path, bytes);
}

int harness_log_contains(const harness_t *self, const char *needle)
{
    char *text = harness_read_file(self->log_path, NULL);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

/* ---------------------------------------------------------------- config and clients */

void harness_proc_endpoints(harness_shard_t *proc)
{
    char host[sizeof proc->host];
    memcpy(host, proc->host, sizeof host);
    snprintf(proc->endpoint, sizeof proc->endpoint, "tcp://%s:%d", host, test_free_port());
    snprintf(proc->events_endpoint, sizeof proc->events_endpoint, "tcp://%s:%d", host, test_free_port());
}

static bool s_configured(const harness_t *self, unsigned shard)
{
    return !(self->opts.shards_unconfigured & (1u << shard));
}

static int s_write_config(harness_t *self, int port, int events_port)
{
    snprintf(self->endpoint, sizeof self->endpoint, "tcp://%s:%d", self->host, port);
    snprintf(self->events_endpoint, sizeof self->events_endpoint, "tcp://%s:%d", self->host, events_port);
    cJSON *root = cJSON_CreateObject();
    cJSON *services = cJSON_CreateObject();
    cJSON *svc = cJSON_CreateObject();
    cJSON *allow = cJSON_CreateArray();
    char data_dir[HARNESS_PATH_MAX + 8];
    snprintf(data_dir, sizeof data_dir, "%s/data", self->dir);
    cJSON_AddStringToObject(root, "keys_dir", self->keys_dir);
    cJSON_AddStringToObject(root, "data_dir", data_dir);
    cJSON_AddItemToObject(root, "services", services);
    cJSON_AddItemToObject(services, "registration", svc);
    cJSON_AddStringToObject(svc, "endpoint", self->endpoint);
    cJSON_AddStringToObject(svc, "events_endpoint", self->events_endpoint);
    cJSON_AddStringToObject(svc, "store_dir", self->store_dir);
    cJSON_AddStringToObject(svc, "rules_dir", self->rules_dir);
    cJSON_AddNumberToObject(svc, "map_size_mb", 64);
    cJSON_AddNumberToObject(svc, "map_max_mb", 2048);
    if (self->opts.batch_max)
        cJSON_AddNumberToObject(svc, "batch_max", self->opts.batch_max);
    if (self->opts.max_request_bytes)
        cJSON_AddNumberToObject(svc, "max_request_bytes", (double)self->opts.max_request_bytes);
    cJSON_AddItemToArray(allow, cJSON_CreateString("ocopctl"));
    cJSON_AddItemToArray(allow, cJSON_CreateString("audit"));
    cJSON_AddItemToArray(allow, cJSON_CreateString("gateway"));
    cJSON_AddItemToObject(svc, "allow", allow);
    for (unsigned i = 0; i < self->opts.shards; i++) {
        const harness_shard_t *sh = &self->shard[i];
        if (!s_configured(self, i))
            continue;
        cJSON_AddItemToArray(allow, cJSON_CreateString(sh->name));
        cJSON *ev = cJSON_CreateObject(), *ev_allow = cJSON_CreateArray(), *provinces = cJSON_CreateArray();
        cJSON_AddItemToObject(services, sh->name, ev);
        cJSON_AddStringToObject(ev, "endpoint", sh->endpoint);
        cJSON_AddStringToObject(ev, "events_endpoint", sh->events_endpoint);
        cJSON_AddStringToObject(ev, "store_dir", sh->store_dir);
        cJSON_AddStringToObject(ev, "rules_dir", self->eval_rules_dir);
        cJSON_AddNumberToObject(ev, "map_size_mb", 64);
        cJSON_AddNumberToObject(ev, "map_max_mb", 4096);
        cJSON_AddNumberToObject(ev, "shard", i + 1);
        char list[512];
        snprintf(list, sizeof list, "%s", self->opts.shard_provinces[i] ? self->opts.shard_provinces[i] : "");
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            cJSON_AddItemToArray(provinces, cJSON_CreateString(tok));
        cJSON_AddItemToObject(ev, "provinces", provinces);
        cJSON_AddItemToArray(ev_allow, cJSON_CreateString("ocopctl"));
        cJSON_AddItemToArray(ev_allow, cJSON_CreateString("audit"));
        cJSON_AddItemToArray(ev_allow, cJSON_CreateString("promotion"));
        cJSON_AddItemToArray(ev_allow, cJSON_CreateString("gateway"));
        cJSON_AddItemToObject(ev, "allow", ev_allow);
    }
    if (self->opts.audit) {
        cJSON *au = cJSON_CreateObject(), *au_allow = cJSON_CreateArray(), *sources = cJSON_CreateArray();
        cJSON_AddItemToObject(services, "audit", au);
        cJSON_AddStringToObject(au, "endpoint", self->audit.endpoint);
        cJSON_AddStringToObject(au, "events_endpoint", self->audit.events_endpoint);
        cJSON_AddStringToObject(au, "store_dir", self->audit.store_dir);
        cJSON_AddNumberToObject(au, "map_size_mb", 64);
        cJSON_AddNumberToObject(au, "map_max_mb", 8192);
        cJSON_AddItemToArray(sources, cJSON_CreateString("registration"));
        for (unsigned i = 0; i < self->opts.shards; i++)
            if (s_configured(self, i))
                cJSON_AddItemToArray(sources, cJSON_CreateString(self->shard[i].name));
        cJSON_AddItemToObject(au, "sources", sources);
        cJSON_AddItemToArray(au_allow, cJSON_CreateString("ocopctl"));
        cJSON_AddItemToArray(au_allow, cJSON_CreateString("gateway"));
        cJSON_AddItemToObject(au, "allow", au_allow);
    }
    if (self->opts.promotion) {
        cJSON *pr = cJSON_CreateObject(), *pr_allow = cJSON_CreateArray(), *sources = cJSON_CreateArray();
        cJSON_AddItemToObject(services, "promotion", pr);
        cJSON_AddStringToObject(pr, "endpoint", self->promotion.endpoint);
        cJSON_AddStringToObject(pr, "events_endpoint", self->promotion.events_endpoint);
        cJSON_AddStringToObject(pr, "store_dir", self->promotion.store_dir);
        cJSON_AddStringToObject(pr, "rules_dir", self->promotion_rules_dir);
        for (unsigned i = 0; i < self->opts.shards; i++)
            if (s_configured(self, i))
                cJSON_AddItemToArray(sources, cJSON_CreateString(self->shard[i].name));
        cJSON_AddItemToObject(pr, "sources", sources);
        cJSON_AddItemToArray(pr_allow, cJSON_CreateString("ocopctl"));
        cJSON_AddItemToArray(pr_allow, cJSON_CreateString("gateway"));
        cJSON_AddItemToObject(pr, "allow", pr_allow);
    }
    if (self->opts.gateway) {
        cJSON *gw = cJSON_AddObjectToObject(root, "gateway");
        char listen[32];
        snprintf(listen, sizeof listen, "127.0.0.1:%d", self->gateway_port);
        cJSON_AddStringToObject(gw, "listen", listen);
        cJSON_AddStringToObject(gw, "tokens", self->tokens_path);
        cJSON_AddNumberToObject(
            gw, "timeout_ms", self->opts.gateway_timeout_ms ? self->opts.gateway_timeout_ms : HARNESS_CALL_TIMEOUT_MS);
        if (self->opts.gateway_static_dir)
            cJSON_AddStringToObject(gw, "static_dir", self->opts.gateway_static_dir);
        if (self->opts.gateway_threads)
            cJSON_AddNumberToObject(gw, "threads", self->opts.gateway_threads);
        if (self->opts.gateway_max_body)
            cJSON_AddNumberToObject(gw, "max_body_bytes", (double)self->opts.gateway_max_body);
        if (self->opts.gateway_max_per_client)
            cJSON_AddNumberToObject(gw, "max_connections_per_client", self->opts.gateway_max_per_client);
        if (self->opts.gateway_request_deadline_s)
            cJSON_AddNumberToObject(gw, "request_deadline_s", self->opts.gateway_request_deadline_s);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return -1;
    FILE *f = fopen(self->config_path, "w");
    int rc = f && fputs(text, f) >= 0 ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(text);
    return rc;
}

/* New ports, new config, and clients that point at them. */
static int s_configure(harness_t *self)
{
    int port = -1, events_port = -1;
    for (int i = 0; i < 10 && (port <= 0 || events_port <= 0 || port == events_port); i++) {
        port = test_free_port();
        events_port = test_free_port();
    }
    for (unsigned i = 0; i < self->opts.shards; i++)
        harness_proc_endpoints(&self->shard[i]);
    harness_proc_endpoints(&self->audit);
    harness_proc_endpoints(&self->promotion);
    self->gateway_port = test_free_port();
    if (port <= 0 || events_port <= 0 || port == events_port || s_write_config(self, port, events_port) != 0) {
        fprintf(stderr, "harness: cannot write %s\n", self->config_path);
        return -1;
    }
    ocop_client_destroy(&self->client);
    ocop_client_destroy(&self->ping);
    self->client = harness_connect(self, NULL, "itest");
    self->ping = harness_connect(self, NULL, "itest-ping");
    int ok = self->client && self->ping;
    for (unsigned i = 0; i < self->opts.shards; i++) {
        harness_shard_t *sh = &self->shard[i];
        ocop_client_destroy(&sh->client);
        ocop_client_destroy(&sh->ping);
        sh->client = harness_shard_connect(self, i, "itest");
        sh->ping = harness_shard_connect(self, i, "itest-ping");
        ok = ok && sh->client && sh->ping;
    }
    if (self->opts.audit) {
        ocop_client_destroy(&self->audit.client);
        ocop_client_destroy(&self->audit.ping);
        self->audit.client =
            ocop_client_new(self->zctx, self->audit.endpoint, self->audit_keys.public_z85, &self->ctl_keys, "itest");
        self->audit.ping = ocop_client_new(self->zctx, self->audit.endpoint, self->audit_keys.public_z85,
                                           &self->ctl_keys, "itest-ping");
        ok = ok && self->audit.client && self->audit.ping;
    }
    if (self->opts.promotion) {
        ocop_client_destroy(&self->promotion.client);
        ocop_client_destroy(&self->promotion.ping);
        self->promotion.client = ocop_client_new(self->zctx, self->promotion.endpoint, self->promotion.keys.public_z85,
                                                 &self->ctl_keys, "itest");
        self->promotion.ping = ocop_client_new(self->zctx, self->promotion.endpoint, self->promotion.keys.public_z85,
                                               &self->ctl_keys, "itest-ping");
        ok = ok && self->promotion.client && self->promotion.ping;
    }
    return ok ? 0 : -1;
}

int harness_config_rewrite(harness_t *self)
{
    const char *p = strrchr(self->endpoint, ':'), *e = strrchr(self->events_endpoint, ':');
    return p && e ? s_write_config(self, atoi(p + 1), atoi(e + 1)) : -1;
}

ocop_client_t *harness_shard_connect(harness_t *self, unsigned i, const char *caller)
{
    harness_shard_t *sh = &self->shard[i];
    ocop_client_t *c = ocop_client_new(self->zctx, sh->endpoint, sh->keys.public_z85, &self->ctl_keys, caller);
    if (!c)
        fprintf(stderr, "harness: cannot create a client of %s\n", sh->endpoint);
    return c;
}

ocop_client_t *harness_connect(harness_t *self, const ocop_keypair_t *keys, const char *caller)
{
    ocop_client_t *c = ocop_client_new(self->zctx, self->endpoint, self->server_keys.public_z85,
                                       keys ? keys : &self->ctl_keys, caller);
    if (!c)
        fprintf(stderr, "harness: cannot create a client of %s\n", self->endpoint);
    return c;
}

harness_t *harness_new(const harness_options_t *opts)
{
    const char *bin = getenv("OCOP_BINARY_DIR"), *src = getenv("OCOP_SOURCE_DIR");
    if (!bin || !src) {
        fprintf(stderr, "harness: OCOP_BINARY_DIR and OCOP_SOURCE_DIR must be set (ctest sets them)\n");
        return NULL;
    }
    harness_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (opts)
        self->opts = *opts;
    snprintf(self->host, sizeof self->host, "%s", self->opts.host ? self->opts.host : "127.0.0.1");
    snprintf(self->audit.host, sizeof self->audit.host, "%s", self->host);
    snprintf(self->promotion.host, sizeof self->promotion.host, "%s", self->host);
    snprintf(self->dir, sizeof self->dir, "/tmp/ocop-itest-XXXXXX");
    if (!mkdtemp(self->dir)) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        free(self);
        return NULL;
    }
    s_register(self);
    snprintf(self->keys_dir, sizeof self->keys_dir, "%s/keys", self->dir);
    snprintf(self->config_path, sizeof self->config_path, "%s/ocop.json", self->dir);
    snprintf(self->log_path, sizeof self->log_path, "%s/registration.log", self->dir);
    snprintf(self->store_dir, sizeof self->store_dir, "%s/data/registration", self->dir);
    snprintf(self->binary, sizeof self->binary, "%s/services/registration/ocop-registration", bin);
    snprintf(self->rules_dir, sizeof self->rules_dir, "%s/services/registration/data", src);
    if (access(self->binary, X_OK) != 0) {
        fprintf(stderr, "harness: %s is not executable\n", self->binary);
        goto fail;
    }
    if (ocop_keys_generate(&self->server_keys) != 0 || ocop_keys_generate(&self->ctl_keys) != 0 ||
        ocop_keys_generate(&self->audit_keys) != 0 || ocop_keys_generate(&self->stranger_keys) != 0 ||
        ocop_keys_save(self->keys_dir, "registration", &self->server_keys) != 0 ||
        ocop_keys_save(self->keys_dir, "ocopctl", &self->ctl_keys) != 0 ||
        ocop_keys_save(self->keys_dir, "audit", &self->audit_keys) != 0 ||
        ocop_keys_save(self->keys_dir, "stranger", &self->stranger_keys) != 0) {
        fprintf(stderr, "harness: cannot create keys in %s\n", self->keys_dir);
        goto fail;
    }
    if (self->opts.shards > HARNESS_SHARDS_MAX) {
        fprintf(stderr, "harness: at most %d shards\n", HARNESS_SHARDS_MAX);
        goto fail;
    }
    snprintf(self->eval_binary, sizeof self->eval_binary, "%s/services/evaluation/ocop-evaluation", bin);
    if (self->opts.eval_rules_dir)
        snprintf(self->eval_rules_dir, sizeof self->eval_rules_dir, "%s", self->opts.eval_rules_dir);
    else
        harness_rules_dir("evaluation", self->eval_rules_dir, sizeof self->eval_rules_dir);
    for (unsigned i = 0; i < self->opts.shards; i++) {
        harness_shard_t *sh = &self->shard[i];
        char name[32], dir[sizeof self->dir];
        snprintf(name, sizeof name, "evaluation-%u", i + 1);
        memcpy(sh->name, name, sizeof name);
        snprintf(sh->host, sizeof sh->host, "%s", self->opts.shard_host[i] ? self->opts.shard_host[i] : self->host);
        snprintf(sh->netns, sizeof sh->netns, "%s", self->opts.shard_netns[i] ? self->opts.shard_netns[i] : "");
        memcpy(dir, self->dir, sizeof dir);
        snprintf(sh->store_dir, sizeof sh->store_dir, "%s/data/%s", dir, name);
        snprintf(sh->log_path, sizeof sh->log_path, "%s/%s.log", dir, name);
        if (ocop_keys_generate(&sh->keys) != 0 || ocop_keys_save(self->keys_dir, sh->name, &sh->keys) != 0) {
            fprintf(stderr, "harness: cannot create the keys of %s\n", sh->name);
            goto fail;
        }
    }
    snprintf(self->audit_binary, sizeof self->audit_binary, "%s/services/audit/ocop-audit", bin);
    snprintf(self->audit.name, sizeof self->audit.name, "audit");
    snprintf(self->audit.store_dir, sizeof self->audit.store_dir, "%.900s/data/audit", self->dir);
    snprintf(self->audit.log_path, sizeof self->audit.log_path, "%.900s/audit.log", self->dir);
    self->audit.keys = self->audit_keys;
    snprintf(self->promotion_binary, sizeof self->promotion_binary, "%s/services/promotion/ocop-promotion", bin);
    harness_rules_dir("promotion", self->promotion_rules_dir, sizeof self->promotion_rules_dir);
    snprintf(self->promotion.name, sizeof self->promotion.name, "promotion");
    snprintf(self->promotion.store_dir, sizeof self->promotion.store_dir, "%.900s/data/promotion", self->dir);
    snprintf(self->promotion.log_path, sizeof self->promotion.log_path, "%.900s/promotion.log", self->dir);
    if (ocop_keys_generate(&self->promotion.keys) != 0 ||
        ocop_keys_save(self->keys_dir, "promotion", &self->promotion.keys) != 0)
        goto fail;
    snprintf(self->gateway_binary, sizeof self->gateway_binary, "%s/services/gateway/ocop-gateway", bin);
    snprintf(self->tokens_path, sizeof self->tokens_path, "%.900s/tokens.json", self->dir);
    snprintf(self->gateway_log, sizeof self->gateway_log, "%.900s/gateway.log", self->dir);
    ocop_keypair_t gateway_keys;
    if (ocop_keys_generate(&gateway_keys) != 0 || ocop_keys_save(self->keys_dir, "gateway", &gateway_keys) != 0)
        goto fail;
    self->zctx = zmq_ctx_new();
    if (!self->zctx || s_configure(self) != 0)
        goto fail;
    return self;
fail:
    harness_destroy(&self);
    return NULL;
}

/* zmq_ctx_term waits for every socket of the context to be closed; a test that failed half
 * way may have left one open. Rather than hang until the ctest timeout, give up loudly. */
static void s_on_term_timeout(int signo)
{
    (void)signo;
    static const char msg[] = "harness: zmq_ctx_term blocked for 20 s: a socket of the test was left open\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

void harness_destroy(harness_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    harness_t *self = *self_p;
    for (unsigned i = 0; i < HARNESS_SHARDS_MAX; i++) {
        if (self->shard[i].pid > 0)
            harness_shard_stop(self, i);
        ocop_client_destroy(&self->shard[i].client);
        ocop_client_destroy(&self->shard[i].ping);
    }
    if (self->gateway_pid > 0)
        harness_gateway_stop(self);
    if (self->promotion.pid > 0)
        harness_promotion_stop(self);
    ocop_client_destroy(&self->promotion.client);
    ocop_client_destroy(&self->promotion.ping);
    if (self->audit.pid > 0)
        harness_audit_stop(self);
    ocop_client_destroy(&self->audit.client);
    ocop_client_destroy(&self->audit.ping);
    if (self->pid > 0)
        harness_stop(self);
    ocop_client_destroy(&self->client);
    ocop_client_destroy(&self->ping);
    if (s_keep_tmp())
        fprintf(stderr, "harness: keeping %s\n", self->dir);
    else
        s_rmtree(self->dir);
    s_unregister(self);
    if (self->zctx) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = s_on_term_timeout;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, &old);
        alarm(20);
        zmq_ctx_term(self->zctx);
        alarm(0);
        sigaction(SIGALRM, &old, NULL);
    }
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- process control */

pid_t harness_spawn(const char *binary, const char *config, const char *name, const char *log_path,
                    const char *const *extra)
{
    return harness_spawn_in(NULL, binary, config, name, log_path, extra);
}

pid_t harness_spawn_in(const char *netns, const char *binary, const char *config, const char *name,
                       const char *log_path, const char *const *extra)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* The service must not outlive the test, however the test ends. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    if (netns && *netns) {
        char path[128];
        snprintf(path, sizeof path, "/var/run/netns/%s", netns);
        int ns = open(path, O_RDONLY | O_CLOEXEC);
        if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
            fprintf(stderr, "harness: cannot enter network namespace %s: %s\n", netns, strerror(errno));
            _exit(127);
        }
        close(ns);
    }
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    const char *argv[16] = {binary, "--config", config, "--name", name};
    size_t argc = 5;
    for (size_t i = 0; extra && extra[i] && argc < 15; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    execv(binary, (char *const *)argv);
    fprintf(stderr, "exec %s: %s\n", binary, strerror(errno));
    _exit(127);
}

int harness_wait_ready(pid_t *pid, ocop_client_t *ping)
{
    for (int i = 0; i < S_READY_TRIES; i++) {
        int status;
        if (waitpid(*pid, &status, WNOHANG) == *pid) {
            *pid = 0;
            return 1;
        }
        Ocop__Ping body = OCOP__PING__INIT;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_PING;
        req.ping = &body;
        Ocop__Reply *reply;
        if (ocop_client_call(ping, &req, &reply, S_READY_TRY_MS, 1) == 0) {
            int ok = reply->status == OCOP__STATUS__STATUS_OK && reply->body_case == OCOP__REPLY__BODY_PONG;
            ocop__reply__free_unpacked(reply, NULL);
            if (ok)
                return 0;
        }
    }
    return -1;
}

int harness_start(harness_t *self)
{
    if (self->pid > 0) {
        fprintf(stderr, "harness: service already running (pid %d)\n", (int)self->pid);
        return -1;
    }
    for (int attempt = 0; attempt < S_START_ATTEMPTS; attempt++) {
        self->pid = harness_spawn(self->binary, self->config_path, "registration", self->log_path, NULL);
        if (self->pid < 0) {
            self->pid = 0;
            fprintf(stderr, "harness: fork: %s\n", strerror(errno));
            return -1;
        }
        int rc = harness_wait_ready(&self->pid, self->ping);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            fprintf(stderr, "harness: %s did not answer Ping within %d ms\n", self->binary,
                    S_READY_TRIES * S_READY_TRY_MS);
            harness_log_tail(self, 4000);
            harness_kill(self);
            return -1;
        }
        /* It exited: most likely a port was taken between our probe and its bind. */
        if (!harness_log_contains(self, "bind_failed")) {
            fprintf(stderr, "harness: %s exited during start-up\n", self->binary);
            harness_log_tail(self, 4000);
            return -1;
        }
        if (s_configure(self) != 0)
            return -1;
    }
    fprintf(stderr, "harness: could not bind free ports in %d attempts\n", S_START_ATTEMPTS);
    harness_log_tail(self, 4000);
    return -1;
}

int harness_terminate(pid_t *pid, const char *log_path)
{
    if (*pid <= 0)
        return 0;
    kill(*pid, SIGTERM);
    int status = 0;
    pid_t got = 0;
    int64_t deadline = harness_mono_ms() + S_STOP_WAIT_MS;
    while ((got = waitpid(*pid, &status, WNOHANG)) == 0 && harness_mono_ms() < deadline)
        s_sleep_ms(10);
    if (got != *pid) {
        fprintf(stderr, "harness: process %d ignored SIGTERM for %d ms; sending SIGKILL\n", (int)*pid, S_STOP_WAIT_MS);
        harness_kill_pid(pid);
        harness_file_tail(log_path, 4000);
        return -1;
    }
    *pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fprintf(stderr, "harness: process exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "harness: process died of signal %d\n", WTERMSIG(status));
    harness_file_tail(log_path, 8000);
    return -1;
}

void harness_kill_pid(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = 0;
}

int harness_stop(harness_t *self)
{
    return harness_terminate(&self->pid, self->log_path);
}

void harness_kill(harness_t *self)
{
    harness_kill_pid(&self->pid);
}

/* ---------------------------------------------------------------- calls */

int harness_call(ocop_client_t *client, Ocop__Request *req, Ocop__Reply **reply)
{
    /* Three tries with the same request id: a repeat is answered with the original reply. */
    return ocop_client_call(client, req, reply, HARNESS_CALL_TIMEOUT_MS / 3, 3);
}

int64_t harness_last_sequence(harness_t *self)
{
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply;
    if (harness_call(self->client, &req, &reply) != 0)
        return -1;
    int64_t last = reply->body_case == OCOP__REPLY__BODY_PONG ? (int64_t)reply->pong->last_sequence : -1;
    ocop__reply__free_unpacked(reply, NULL);
    return last;
}
