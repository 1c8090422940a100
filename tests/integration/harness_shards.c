/* harness_shards — the evaluation shards of a test deployment (see harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "test_support.h"

static harness_shard_t *s_shard(harness_t *self, unsigned i)
{
    if (i >= self->opts.shards) {
        fprintf(stderr, "harness: shard %u is not configured (%u shards)\n", i, self->opts.shards);
        return NULL;
    }
    return &self->shard[i];
}

harness_t *harness_deploy(const harness_options_t *opts)
{
    harness_t *self = harness_new(opts);
    int rc = self ? harness_start(self) : -1;
    for (unsigned i = 0; rc == 0 && i < self->opts.shards; i++)
        rc = harness_shard_start(self, i);
    if (rc == 0 && self->opts.audit)
        rc = harness_audit_start(self);
    if (rc == 0 && self->opts.promotion)
        rc = harness_promotion_start(self);
    if (rc == 0 && self->opts.gateway)
        rc = harness_gateway_start(self);
    if (rc != 0)
        harness_destroy(&self);
    return self;
}

/* New ports for proc (its own port was taken between the probe and its bind), the config
 * rewritten and its clients remade. Nothing that reads proc's endpoints has started yet: the
 * shards, audit and promotion start in dependency order. 0 / -1. */
static int s_proc_repick(harness_t *self, harness_shard_t *proc)
{
    harness_proc_endpoints(proc);
    if (harness_config_rewrite(self) != 0)
        return -1;
    ocop_client_destroy(&proc->client);
    ocop_client_destroy(&proc->ping);
    proc->client = ocop_client_new(self->zctx, proc->endpoint, proc->keys.public_z85, &self->ctl_keys, "itest");
    proc->ping = ocop_client_new(self->zctx, proc->endpoint, proc->keys.public_z85, &self->ctl_keys, "itest-ping");
    return proc->client && proc->ping ? 0 : -1;
}

static int s_log_has(const char *path, const char *needle)
{
    char *text = harness_read_file(path, NULL);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

#define S_PROC_ATTEMPTS 5

/* Starts binary as proc (its section name) with extra arguments; waits for Ping. A port taken
 * meanwhile (bind_failed) gets new ports and another attempt. */
static int s_proc_start(harness_t *self, harness_shard_t *proc, const char *binary, const char *const *extra)
{
    if (proc->pid > 0) {
        fprintf(stderr, "harness: %s already running (pid %d)\n", proc->name, (int)proc->pid);
        return -1;
    }
    if (access(binary, X_OK) != 0) {
        fprintf(stderr, "harness: %s is not executable\n", binary);
        return -1;
    }
    for (int attempt = 0; attempt < S_PROC_ATTEMPTS; attempt++) {
        if (attempt > 0)
            truncate(proc->log_path, 0);
        proc->pid = harness_spawn_in(proc->netns, binary, self->config_path, proc->name, proc->log_path, extra);
        if (proc->pid < 0) {
            proc->pid = 0;
            return -1;
        }
        int rc = harness_wait_ready(&proc->pid, proc->ping);
        if (rc == 0)
            return 0;
        if (rc > 0 && s_log_has(proc->log_path, "bind_failed") && s_proc_repick(self, proc) == 0)
            continue;
        fprintf(stderr, "harness: %s %s\n", proc->name, rc > 0 ? "exited during start-up" : "did not answer Ping");
        harness_file_tail(proc->log_path, 4000);
        harness_kill_pid(&proc->pid);
        return -1;
    }
    fprintf(stderr, "harness: %s could not bind free ports in %d attempts\n", proc->name, S_PROC_ATTEMPTS);
    return -1;
}

int harness_shard_start(harness_t *self, unsigned i)
{
    harness_shard_t *sh = s_shard(self, i);
    if (!sh)
        return -1;
    char every[32];
    snprintf(every, sizeof every, "%d", self->opts.expire_every_ms);
    const char *extra[] = {"--expire-every-ms", every, NULL};
    return s_proc_start(self, sh, self->eval_binary, self->opts.expire_every_ms ? extra : NULL);
}

int harness_audit_start(harness_t *self)
{
    if (!self->opts.audit) {
        fprintf(stderr, "harness: the audit service is not configured (opts.audit)\n");
        return -1;
    }
    return s_proc_start(self, &self->audit, self->audit_binary, NULL);
}

int harness_audit_stop(harness_t *self)
{
    return harness_terminate(&self->audit.pid, self->audit.log_path);
}

void harness_audit_kill(harness_t *self)
{
    harness_kill_pid(&self->audit.pid);
}

int harness_shard_stop(harness_t *self, unsigned i)
{
    harness_shard_t *sh = s_shard(self, i);
    return sh ? harness_terminate(&sh->pid, sh->log_path) : -1;
}

void harness_shard_kill(harness_t *self, unsigned i)
{
    harness_shard_t *sh = s_shard(self, i);
    if (sh)
        harness_kill_pid(&sh->pid);
}

int64_t harness_shard_last_sequence(harness_t *self, unsigned i)
{
    harness_shard_t *sh = s_shard(self, i);
    if (!sh)
        return -1;
    Ocop__Ping ping = OCOP__PING__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PING;
    req.ping = &ping;
    Ocop__Reply *reply;
    if (harness_call(sh->client, &req, &reply) != 0)
        return -1;
    int64_t last = reply->body_case == OCOP__REPLY__BODY_PONG ? (int64_t)reply->pong->last_sequence : -1;
    ocop__reply__free_unpacked(reply, NULL);
    return last;
}

int harness_promotion_start(harness_t *self)
{
    if (!self->opts.promotion) {
        fprintf(stderr, "harness: the promotion service is not configured (opts.promotion)\n");
        return -1;
    }
    return s_proc_start(self, &self->promotion, self->promotion_binary, NULL);
}

int harness_promotion_stop(harness_t *self)
{
    return harness_terminate(&self->promotion.pid, self->promotion.log_path);
}
