/* harness — see harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
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
#define S_READY_TRIES 200     /* x S_READY_TRY_MS: the sanitizer build starts slowly */
#define S_READY_TRY_MS 100
#define S_STOP_WAIT_MS 20000
#define S_START_ATTEMPTS 3
#define S_LIST_PAGES_MAX 100000

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
        if (h->pid > 0) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, NULL, 0);
            h->pid = 0;
        }
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

/* A loopback port nobody listens on right now (the kernel's choice for port 0). */
static int s_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

static char *s_read_file(const char *path, size_t *len_out)
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

void harness_log_tail(const harness_t *self, size_t bytes)
{
    size_t len;
    char *text = s_read_file(self->log_path, &len);
    if (!text) {
        fprintf(stderr, "harness: no service log at %s\n", self->log_path);
        return;
    }
    const char *from = len > bytes ? text + len - bytes : text;
    fprintf(stderr, "---- %s (last %zu bytes) ----\n%s---- end of log ----\n", self->log_path, bytes, from);
    free(text);
}

int harness_log_contains(const harness_t *self, const char *needle)
{
    char *text = s_read_file(self->log_path, NULL);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

/* ---------------------------------------------------------------- config and clients */

static int s_write_config(harness_t *self, int port, int events_port)
{
    snprintf(self->endpoint, sizeof self->endpoint, "tcp://127.0.0.1:%d", port);
    snprintf(self->events_endpoint, sizeof self->events_endpoint, "tcp://127.0.0.1:%d", events_port);
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
    cJSON_AddItemToObject(svc, "allow", allow);
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
        port = s_free_port();
        events_port = s_free_port();
    }
    if (port <= 0 || events_port <= 0 || port == events_port || s_write_config(self, port, events_port) != 0) {
        fprintf(stderr, "harness: cannot write %s\n", self->config_path);
        return -1;
    }
    ocop_client_destroy(&self->client);
    ocop_client_destroy(&self->ping);
    self->client = harness_connect(self, NULL, "itest");
    self->ping = harness_connect(self, NULL, "itest-ping");
    return self->client && self->ping ? 0 : -1;
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
    self->zctx = zmq_ctx_new();
    if (!self->zctx || s_configure(self) != 0)
        goto fail;
    return self;
fail:
    harness_destroy(&self);
    return NULL;
}

void harness_destroy(harness_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    harness_t *self = *self_p;
    if (self->pid > 0)
        harness_stop(self);
    ocop_client_destroy(&self->client);
    ocop_client_destroy(&self->ping);
    if (self->zctx)
        zmq_ctx_term(self->zctx);
    if (s_keep_tmp())
        fprintf(stderr, "harness: keeping %s\n", self->dir);
    else
        s_rmtree(self->dir);
    s_unregister(self);
    free(self);
    *self_p = NULL;
}

/* ---------------------------------------------------------------- process control */

static pid_t s_spawn(harness_t *self)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* The service must not outlive the test, however the test ends. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int fd = open(self->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    char *argv[] = {self->binary, "--config", self->config_path, "--name", "registration", NULL};
    execv(self->binary, argv);
    fprintf(stderr, "exec %s: %s\n", self->binary, strerror(errno));
    _exit(127);
}

/* 0 ready, 1 the process exited, -1 no answer in time. */
static int s_wait_ready(harness_t *self)
{
    for (int i = 0; i < S_READY_TRIES; i++) {
        int status;
        if (waitpid(self->pid, &status, WNOHANG) == self->pid) {
            self->pid = 0;
            return 1;
        }
        Ocop__Ping ping = OCOP__PING__INIT;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_PING;
        req.ping = &ping;
        Ocop__Reply *reply;
        if (ocop_client_call(self->ping, &req, &reply, S_READY_TRY_MS, 1) == 0) {
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
        self->pid = s_spawn(self);
        if (self->pid < 0) {
            self->pid = 0;
            fprintf(stderr, "harness: fork: %s\n", strerror(errno));
            return -1;
        }
        int rc = s_wait_ready(self);
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

int harness_stop(harness_t *self)
{
    if (self->pid <= 0)
        return 0;
    kill(self->pid, SIGTERM);
    int status = 0;
    pid_t got = 0;
    int64_t deadline = harness_mono_ms() + S_STOP_WAIT_MS;
    while ((got = waitpid(self->pid, &status, WNOHANG)) == 0 && harness_mono_ms() < deadline)
        s_sleep_ms(10);
    if (got != self->pid) {
        fprintf(stderr, "harness: service %d ignored SIGTERM for %d ms; sending SIGKILL\n", (int)self->pid,
                S_STOP_WAIT_MS);
        harness_kill(self);
        harness_log_tail(self, 4000);
        return -1;
    }
    self->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fprintf(stderr, "harness: service exited with status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "harness: service died of signal %d\n", WTERMSIG(status));
    harness_log_tail(self, 8000);
    return -1;
}

void harness_kill(harness_t *self)
{
    if (self->pid <= 0)
        return;
    kill(self->pid, SIGKILL);
    waitpid(self->pid, NULL, 0);
    self->pid = 0;
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

static Ocop__Reply *s_call(ocop_client_t *c, Ocop__Request *req)
{
    Ocop__Reply *reply = NULL;
    if (harness_call(c, req, &reply) != 0)
        return NULL;
    return reply;
}

Ocop__Reply *harness_entity_register(ocop_client_t *c, const char *request_id, Ocop__EntityType type,
                                     const char *name, const char *tax_code, const char *commune)
{
    Ocop__RegEntityRegister body = OCOP__REG_ENTITY_REGISTER__INIT;
    body.type = type;
    body.name = (char *)name;
    body.tax_code = (char *)tax_code;
    body.commune_code = (char *)commune;
    body.representative = "Nguyễn Văn An";
    body.phone = "0912 345 678";
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)(request_id ? request_id : "");
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_product_register(ocop_client_t *c, const char *entity_id, const char *name,
                                      const char *sector, const char *set, const char *commune,
                                      Ocop__ProcessingLevel processing)
{
    Ocop__RegProductRegister body = OCOP__REG_PRODUCT_REGISTER__INIT;
    char *standards[] = {"VietGAP", "HACCP"};
    body.entity_id = (char *)entity_id;
    body.name = (char *)name;
    body.sector_code = (char *)sector;
    body.product_set_code = (char *)set;
    body.commune_code = (char *)commune;
    body.processing = processing;
    body.standards = standards;
    body.n_standards = 2;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_transition(ocop_client_t *c, const char *product_id, Ocop__StageAction action,
                                const char *reason)
{
    Ocop__RegStageTransition body = OCOP__REG_STAGE_TRANSITION__INIT;
    body.product_id = (char *)product_id;
    body.action = action;
    body.reason = (char *)(reason ? reason : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_STAGE_TRANSITION;
    req.reg_stage_transition = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_product_get(ocop_client_t *c, const char *id)
{
    Ocop__RegProductGet body = OCOP__REG_PRODUCT_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_GET;
    req.reg_product_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_entity_get(ocop_client_t *c, const char *id)
{
    Ocop__RegEntityGet body = OCOP__REG_ENTITY_GET__INIT;
    body.id = (char *)id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_GET;
    req.reg_entity_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_counts(ocop_client_t *c, const char *province)
{
    Ocop__RegCountsGet body = OCOP__REG_COUNTS_GET__INIT;
    body.province_code = (char *)(province ? province : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_COUNTS_GET;
    req.reg_counts_get = &body;
    return s_call(c, &req);
}

Ocop__Reply *harness_review(ocop_client_t *c, const char *product_id, Ocop__ReviewState decision,
                            const char *note)
{
    Ocop__RegDuplicateReview body = OCOP__REG_DUPLICATE_REVIEW__INIT;
    body.product_id = (char *)product_id;
    body.decision = decision;
    body.note = (char *)(note ? note : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_DUPLICATE_REVIEW;
    req.reg_duplicate_review = &body;
    return s_call(c, &req);
}

static int s_ids_push(char ***ids, size_t *n, size_t *cap, const char *id)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 64;
        char **grown = realloc(*ids, grown_cap * sizeof *grown);
        if (!grown)
            return -1;
        *ids = grown;
        *cap = grown_cap;
    }
    (*ids)[*n] = strdup(id);
    if (!(*ids)[*n])
        return -1;
    (*n)++;
    return 0;
}

void harness_ids_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int harness_product_list_all(ocop_client_t *c, const Ocop__RegProductList *filter, unsigned page_limit,
                             char ***ids, size_t *n, size_t *pages)
{
    *ids = NULL;
    *n = 0;
    *pages = 0;
    size_t cap = 0;
    char cursor[128] = "";
    for (size_t page = 0; page < S_LIST_PAGES_MAX; page++) {
        Ocop__RegProductList body = *filter;
        body.cursor = cursor;
        body.limit = page_limit;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_LIST;
        req.reg_product_list = &body;
        Ocop__Reply *reply = s_call(c, &req);
        if (!reply || reply->status != OCOP__STATUS__STATUS_OK ||
            reply->body_case != OCOP__REPLY__BODY_REG_PRODUCT_PAGE) {
            fprintf(stderr, "harness: product list failed: %s %s\n",
                    reply ? harness_status_name(reply->status) : "no reply", reply ? reply->message : "");
            if (reply)
                ocop__reply__free_unpacked(reply, NULL);
            return -1;
        }
        (*pages)++;
        Ocop__RegProductPage *pg = reply->reg_product_page;
        int rc = 0;
        for (size_t i = 0; i < pg->n_products && rc == 0; i++)
            rc = s_ids_push(ids, n, &cap, pg->products[i]->id);
        int done = !pg->next_cursor || !*pg->next_cursor;
        int stuck = !done && strcmp(pg->next_cursor, cursor) == 0;
        if (!done)
            snprintf(cursor, sizeof cursor, "%s", pg->next_cursor);
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0 || stuck)
            return -1;
        if (done)
            return 0;
    }
    return -1;
}

int harness_entity_list_all(ocop_client_t *c, const Ocop__RegEntityList *filter, unsigned page_limit,
                            char ***ids, size_t *n, size_t *pages)
{
    *ids = NULL;
    *n = 0;
    *pages = 0;
    size_t cap = 0;
    char cursor[128] = "";
    for (size_t page = 0; page < S_LIST_PAGES_MAX; page++) {
        Ocop__RegEntityList body = *filter;
        body.cursor = cursor;
        body.limit = page_limit;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_LIST;
        req.reg_entity_list = &body;
        Ocop__Reply *reply = s_call(c, &req);
        if (!reply || reply->status != OCOP__STATUS__STATUS_OK ||
            reply->body_case != OCOP__REPLY__BODY_REG_ENTITY_PAGE) {
            fprintf(stderr, "harness: entity list failed: %s %s\n",
                    reply ? harness_status_name(reply->status) : "no reply", reply ? reply->message : "");
            if (reply)
                ocop__reply__free_unpacked(reply, NULL);
            return -1;
        }
        (*pages)++;
        Ocop__RegEntityPage *pg = reply->reg_entity_page;
        int rc = 0;
        for (size_t i = 0; i < pg->n_entities && rc == 0; i++)
            rc = s_ids_push(ids, n, &cap, pg->entities[i]->id);
        int done = !pg->next_cursor || !*pg->next_cursor;
        int stuck = !done && strcmp(pg->next_cursor, cursor) == 0;
        if (!done)
            snprintf(cursor, sizeof cursor, "%s", pg->next_cursor);
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0 || stuck)
            return -1;
        if (done)
            return 0;
    }
    return -1;
}

/* ---------------------------------------------------------------- rule data */

static cJSON *s_read_json(const char *path)
{
    char *text = s_read_file(path, NULL);
    if (!text) {
        fprintf(stderr, "harness: cannot read %s\n", path);
        return NULL;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        fprintf(stderr, "harness: %s is not JSON\n", path);
    return root;
}

static const char *s_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The file among rules_dir/prefix*.json whose effective_from is the latest not after today
 * (what the service calls "current"). Caller deletes the result. */
static cJSON *s_current_file(const char *rules_dir, const char *prefix)
{
    char today[11];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    DIR *dir = opendir(rules_dir);
    if (!dir) {
        fprintf(stderr, "harness: cannot open %s\n", rules_dir);
        return NULL;
    }
    cJSON *best = NULL;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        char path[HARNESS_PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", rules_dir, e->d_name);
        cJSON *root = s_read_json(path);
        const char *from = root ? s_str(root, "effective_from") : NULL;
        if (!from || strcmp(from, today) > 0 ||
            (best && strcmp(from, s_str(best, "effective_from")) <= 0)) {
            cJSON_Delete(root);
            continue;
        }
        cJSON_Delete(best);
        best = root;
    }
    closedir(dir);
    if (!best)
        fprintf(stderr, "harness: no %s*.json in force in %s\n", prefix, rules_dir);
    return best;
}

static int s_pick_units(cJSON *root, harness_data_t *out)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(root, "units");
    const cJSON *u;
    /* Province A: the first (in file order) with at least three communes; B: the next with one. */
    cJSON_ArrayForEach(u, units)
    {
        const char *level = s_str(u, "level"), *code = s_str(u, "code");
        if (!level || !code || strcmp(level, "province") != 0)
            continue;
        size_t n = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, units)
        {
            const char *cl = s_str(c, "level"), *parent = s_str(c, "parent"), *cc = s_str(c, "code");
            if (cl && parent && cc && strcmp(cl, "commune") == 0 && strcmp(parent, code) == 0)
                n++;
        }
        if (!out->province_a[0] && n >= 3)
            snprintf(out->province_a, sizeof out->province_a, "%s", code);
        else if (out->province_a[0] && !out->province_b[0] && n >= 1)
            snprintf(out->province_b, sizeof out->province_b, "%s", code);
    }
    if (!out->province_a[0] || !out->province_b[0])
        return -1;
    size_t na = 0, nb = 0;
    cJSON_ArrayForEach(u, units)
    {
        const char *level = s_str(u, "level"), *parent = s_str(u, "parent"), *code = s_str(u, "code");
        if (!level || !parent || !code || strcmp(level, "commune") != 0)
            continue;
        if (strcmp(parent, out->province_a) == 0 && na < 3)
            snprintf(out->communes[na++], sizeof out->communes[0], "%s", code);
        else if (strcmp(parent, out->province_b) == 0 && nb < 1) {
            snprintf(out->communes[3], sizeof out->communes[3], "%s", code);
            nb++;
        }
    }
    if (na < 3 || nb < 1)
        return -1;
    /* An unused 5-digit code, counting down from 99999. */
    for (int code = 99999; code > 0 && !out->unknown_commune[0]; code--) {
        char candidate[16];
        snprintf(candidate, sizeof candidate, "%05d", code);
        int used = 0;
        cJSON_ArrayForEach(u, units)
        {
            const char *c = s_str(u, "code");
            used |= c && strcmp(c, candidate) == 0;
        }
        if (!used)
            snprintf(out->unknown_commune, sizeof out->unknown_commune, "%s", candidate);
    }
    return out->unknown_commune[0] ? 0 : -1;
}

static int s_pick_catalogue(cJSON *root, harness_data_t *out)
{
    const cJSON *sector;
    cJSON_ArrayForEach(sector, cJSON_GetObjectItemCaseSensitive(root, "sectors"))
    {
        const char *scode = s_str(sector, "code");
        const cJSON *set;
        if (!scode)
            continue;
        cJSON_ArrayForEach(set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets"))
        {
            const char *code = s_str(set, "code");
            int fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "fresh"));
            if (!code)
                continue;
            if (fresh && !out->fresh_set[0]) {
                snprintf(out->fresh_sector, sizeof out->fresh_sector, "%s", scode);
                snprintf(out->fresh_set, sizeof out->fresh_set, "%s", code);
            } else if (!fresh && !out->product_set[0]) {
                snprintf(out->sector, sizeof out->sector, "%s", scode);
                snprintf(out->product_set, sizeof out->product_set, "%s", code);
            } else if (!fresh && !out->product_set_b[0] && strcmp(scode, out->sector) != 0) {
                snprintf(out->sector_b, sizeof out->sector_b, "%s", scode);
                snprintf(out->product_set_b, sizeof out->product_set_b, "%s", code);
            }
        }
    }
    return out->fresh_set[0] && out->product_set[0] && out->product_set_b[0] ? 0 : -1;
}

int harness_data_load(const char *rules_dir, harness_data_t *out)
{
    memset(out, 0, sizeof *out);
    cJSON *units = s_current_file(rules_dir, "units-");
    cJSON *catalogue = s_current_file(rules_dir, "catalogue-");
    int rc = -1;
    if (units && catalogue && s_str(units, "version") && s_str(catalogue, "version")) {
        snprintf(out->unit_version, sizeof out->unit_version, "%s", s_str(units, "version"));
        snprintf(out->catalogue_version, sizeof out->catalogue_version, "%s", s_str(catalogue, "version"));
        rc = s_pick_units(units, out) == 0 && s_pick_catalogue(catalogue, out) == 0 ? 0 : -1;
        if (rc != 0)
            fprintf(stderr, "harness: %s lacks the communes or product sets the tests need\n", rules_dir);
    }
    cJSON_Delete(units);
    cJSON_Delete(catalogue);
    return rc;
}

/* ---------------------------------------------------------------- snapshots */

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int failed;
} s_buf_t;

static void s_buf_add(s_buf_t *b, const void *data, size_t len)
{
    if (b->failed)
        return;
    if (b->len + len + 8 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 8)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    /* Length-prefixed, so different sequences of parts never give the same bytes. */
    uint64_t n = len;
    memcpy(b->data + b->len, &n, 8);
    memcpy(b->data + b->len + 8, data, len);
    b->len += len + 8;
}

static void s_buf_add_reply_body(s_buf_t *b, Ocop__Reply *reply, Ocop__Reply__BodyCase body)
{
    if (!reply || reply->status != OCOP__STATUS__STATUS_OK || reply->body_case != body) {
        b->failed = 1;
        if (reply)
            ocop__reply__free_unpacked(reply, NULL);
        return;
    }
    const ProtobufCMessage *msg = body == OCOP__REPLY__BODY_REG_ENTITY           ? &reply->reg_entity->base
                                  : body == OCOP__REPLY__BODY_REG_PRODUCT_DETAIL ? &reply->reg_product_detail->base
                                                                                 : &reply->reg_counts->base;
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *tmp = malloc(len ? len : 1);
    if (tmp) {
        protobuf_c_message_pack(msg, tmp);
        s_buf_add(b, tmp, len);
    } else {
        b->failed = 1;
    }
    free(tmp);
    ocop__reply__free_unpacked(reply, NULL);
}

int harness_snapshot(harness_t *self, ocop_client_t *c, uint8_t **out, size_t *len)
{
    (void)self;
    *out = NULL;
    *len = 0;
    s_buf_t b = {0};
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply;
    if (harness_call(c, &req, &reply) != 0)
        return -1;
    uint64_t last = reply->body_case == OCOP__REPLY__BODY_PONG ? reply->pong->last_sequence : UINT64_MAX;
    ocop__reply__free_unpacked(reply, NULL);
    s_buf_add(&b, &last, sizeof last);

    char **ids;
    size_t n, pages;
    Ocop__RegEntityList ef = OCOP__REG_ENTITY_LIST__INIT;
    if (harness_entity_list_all(c, &ef, 1000, &ids, &n, &pages) != 0)
        b.failed = 1;
    else {
        for (size_t i = 0; i < n; i++)
            s_buf_add_reply_body(&b, harness_entity_get(c, ids[i]), OCOP__REPLY__BODY_REG_ENTITY);
        harness_ids_free(ids, n);
    }
    Ocop__RegProductList pf = OCOP__REG_PRODUCT_LIST__INIT;
    if (harness_product_list_all(c, &pf, 1000, &ids, &n, &pages) != 0)
        b.failed = 1;
    else {
        for (size_t i = 0; i < n; i++)
            s_buf_add_reply_body(&b, harness_product_get(c, ids[i]), OCOP__REPLY__BODY_REG_PRODUCT_DETAIL);
        harness_ids_free(ids, n);
    }
    s_buf_add_reply_body(&b, harness_counts(c, NULL), OCOP__REPLY__BODY_REG_COUNTS);
    if (b.failed) {
        free(b.data);
        return -1;
    }
    *out = b.data;
    *len = b.len;
    return 0;
}
