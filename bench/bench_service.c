/* bench_service — see bench_service.h. */
#include "bench_service.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define S_ARGS_MAX 32

/* Writes s as a JSON string body (quotes and backslashes escaped). */
static void s_json_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static int s_write_config(const char *path, const bench_service_options_t *opts, int port, int events_port)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\n  \"keys_dir\": \"keys\",\n  \"data_dir\": \"data\",\n  \"services\": {\n");
    fprintf(f, "    \"registration\": {\n");
    fprintf(f, "      \"endpoint\": \"tcp://127.0.0.1:%d\",\n", port);
    fprintf(f, "      \"events_endpoint\": \"tcp://127.0.0.1:%d\",\n", events_port);
    /* Large enough that the map never grows during a run: growth reruns a batch. */
    fprintf(f, "      \"map_size_mb\": 4096,\n      \"map_max_mb\": 16384,\n");
    if (opts->set_readers)
        fprintf(f, "      \"readers\": %d,\n", opts->readers);
    fprintf(f, "      \"rules_dir\": \"");
    s_json_str(f, opts->rules_dir);
    fprintf(f, "\",\n      \"allow\": [\"bench\"]\n    }\n  }\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

static void s_log_tail(const char *path)
{
    size_t len;
    char *text = bench_read_file(path, &len);
    if (!text)
        return;
    const char *from = len > 2000 ? text + len - 2000 : text;
    fprintf(stderr, "--- %s (tail) ---\n%s--- end ---\n", path, from);
    free(text);
}

static pid_t s_spawn(const bench_service_options_t *opts, const char *config, const char *log_path)
{
    char *wrap = opts->wrap ? strdup(opts->wrap) : NULL;
    char *argv[S_ARGS_MAX + 4];
    int argc = 0;
    for (char *save = NULL, *tok = wrap ? strtok_r(wrap, " ", &save) : NULL; tok && argc < S_ARGS_MAX;
         tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc++] = (char *)opts->binary;
    argv[argc++] = "--config";
    argv[argc++] = (char *)config;
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    free(wrap);
    return pid;
}

/* 0 when the service answered Ping before the deadline; -1 when it exited or stayed silent. */
static int s_wait_ready(bench_service_t *svc, int timeout_ms)
{
    int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
    while (bench_now_ns() < deadline) {
        int status;
        if (waitpid(svc->pid, &status, WNOHANG) == svc->pid) {
            svc->pid = 0;
            return -1;
        }
        Ocop__Request req = OCOP__REQUEST__INIT;
        Ocop__Ping ping = OCOP__PING__INIT;
        req.body_case = OCOP__REQUEST__BODY_PING;
        req.ping = &ping;
        Ocop__Reply *reply;
        if (ocop_client_call(svc->ping, &req, &reply, 250, 1) == 0) {
            int ok = reply->body_case == OCOP__REPLY__BODY_PONG;
            ocop__reply__free_unpacked(reply, NULL);
            if (ok)
                return 0;
        }
    }
    return -1;
}

int bench_service_start(bench_service_t *svc, void *zctx, const bench_service_options_t *opts)
{
    memset(svc, 0, sizeof *svc);
    char keys[1100], config[1100];
    snprintf(keys, sizeof keys, "%s/keys", opts->dir);
    snprintf(config, sizeof config, "%s/ocop.json", opts->dir);
    snprintf(svc->log_path, sizeof svc->log_path, "%s/registration.log", opts->dir);
    ocop_keypair_t server;
    if (ocop_keys_generate(&server) != 0 || ocop_keys_generate(&svc->client_keys) != 0 ||
        ocop_keys_save(keys, "registration", &server) != 0 || ocop_keys_save(keys, "bench", &svc->client_keys) != 0) {
        fprintf(stderr, "bench: cannot create keys in %s\n", keys);
        return -1;
    }
    snprintf(svc->server_public, sizeof svc->server_public, "%s", server.public_z85);
    /* A port taken between our probe and the service's bind makes the service exit: retry. */
    for (int attempt = 0; attempt < 3; attempt++) {
        int port = test_free_port(), events_port = test_free_port();
        if (port < 0 || events_port < 0 || port == events_port)
            continue;
        if (s_write_config(config, opts, port, events_port) != 0) {
            fprintf(stderr, "bench: cannot write %s\n", config);
            return -1;
        }
        snprintf(svc->endpoint, sizeof svc->endpoint, "tcp://127.0.0.1:%d", port);
        svc->ping = ocop_client_new(zctx, svc->endpoint, svc->server_public, &svc->client_keys, "bench");
        svc->pid = svc->ping ? s_spawn(opts, config, svc->log_path) : -1;
        if (svc->pid < 0) {
            fprintf(stderr, "bench: cannot start %s\n", opts->binary);
            ocop_client_destroy(&svc->ping);
            svc->pid = 0;
            return -1;
        }
        if (s_wait_ready(svc, opts->start_timeout_ms) == 0)
            return 0;
        bench_service_stop(svc, 2000);
    }
    fprintf(stderr, "bench: %s did not answer Ping\n", opts->binary);
    s_log_tail(svc->log_path);
    return -1;
}

int bench_ping_counters(ocop_client_t *client, bench_service_counters_t *out)
{
    memset(out, 0, sizeof *out);
    Ocop__Request req = OCOP__REQUEST__INIT;
    Ocop__Ping ping = OCOP__PING__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply;
    if (!client || ocop_client_call(client, &req, &reply, 5000, 6) != 0)
        return -1;
    int rc = -1;
    if (reply->body_case == OCOP__REPLY__BODY_PONG) {
        out->requests = reply->pong->requests;
        out->errors = reply->pong->errors;
        out->batches = reply->pong->batches;
        out->batch_max = reply->pong->batch_requests_max;
        out->map_size = reply->pong->map_size;
        rc = 0;
    }
    ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

int bench_service_counters(bench_service_t *svc, bench_service_counters_t *out)
{
    return bench_ping_counters(svc->ping, out);
}

int bench_service_stop(bench_service_t *svc, int timeout_ms)
{
    ocop_client_destroy(&svc->ping);
    if (svc->pid <= 0)
        return 0;
    kill(svc->pid, SIGTERM);
    int status = 0;
    int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
    pid_t got = 0;
    while ((got = waitpid(svc->pid, &status, WNOHANG)) == 0 && bench_now_ns() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (got == 0) {
        fprintf(stderr, "bench: service %d ignored SIGTERM for %d ms; killing it\n", (int)svc->pid, timeout_ms);
        kill(svc->pid, SIGKILL);
        waitpid(svc->pid, &status, 0);
    }
    svc->pid = 0;
    return got > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void bench_service_kill(bench_service_t *svc)
{
    ocop_client_destroy(&svc->ping);
    if (svc->pid <= 0)
        return;
    kill(svc->pid, SIGKILL);
    waitpid(svc->pid, NULL, 0);
    svc->pid = 0;
}
