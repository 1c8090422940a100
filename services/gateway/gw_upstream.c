/* gw_upstream — per-thread ZeroMQ clients of the services. */
#include "gw_upstream.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_client.h"
#include "ocop_error.h"
#include "ocop_log.h"

typedef struct {
    char name[OCOP_NAME_MAX];
    char endpoint[OCOP_ENDPOINT_MAX];
    char public_key[OCOP_Z85_KEY_LEN + 1];
} s_section_t;

struct gw_upstream_t {
    void *zctx;
    ocop_keypair_t keys;
    unsigned timeout_ms;
    s_section_t sections[GW_SECTIONS_MAX];
    size_t count;
    pthread_key_t thread_key;
};

typedef struct {
    ocop_client_t *clients[GW_SECTIONS_MAX];
} s_thread_t;

static void s_thread_end(void *p)
{
    s_thread_t *t = p;
    for (size_t i = 0; i < GW_SECTIONS_MAX; i++)
        ocop_client_destroy(&t->clients[i]);
    free(t);
}

static int s_add(gw_upstream_t *self, const ocop_config_t *config, const char *name, char *err, size_t errlen)
{
    ocop_service_config_t sc;
    char why[512];
    if (ocop_config_service(config, name, &sc, why, sizeof why) != 0)
        return 0; /* not deployed */
    if (self->count == GW_SECTIONS_MAX) {
        ocop_error_format(err, errlen, "more than %d service sections", GW_SECTIONS_MAX);
        return -1;
    }
    s_section_t *s = &self->sections[self->count];
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->endpoint, sizeof s->endpoint, "%s", sc.endpoint);
    if (ocop_keys_load_public(ocop_config_keys_dir(config), name, s->public_key, err, errlen) != 0)
        return -1;
    self->count++;
    return 0;
}

gw_upstream_t *gw_upstream_new(void *zctx, const ocop_config_t *config, const ocop_keypair_t *keys, unsigned timeout_ms,
                               char *err, size_t errlen)
{
    gw_upstream_t *self = calloc(1, sizeof *self);
    if (!self || pthread_key_create(&self->thread_key, s_thread_end) != 0) {
        free(self);
        ocop_error_format(err, errlen, "out of memory");
        return NULL;
    }
    self->zctx = zctx;
    self->keys = *keys;
    self->timeout_ms = timeout_ms;
    char shards[GW_SECTIONS_MAX][OCOP_NAME_MAX];
    size_t n = ocop_config_shards(config, "evaluation", shards, GW_SECTIONS_MAX);
    int rc = s_add(self, config, "registration", err, errlen) | s_add(self, config, "audit", err, errlen) |
             s_add(self, config, "promotion", err, errlen);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = s_add(self, config, shards[i], err, errlen);
    if (rc != 0)
        gw_upstream_destroy(&self);
    return self;
}

void gw_upstream_destroy(gw_upstream_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gw_upstream_t *self = *self_p;
    /* The main thread's own clients (metrics scrapes do not run there, but be safe). */
    s_thread_t *t = pthread_getspecific(self->thread_key);
    if (t) {
        pthread_setspecific(self->thread_key, NULL);
        s_thread_end(t);
    }
    pthread_key_delete(self->thread_key);
    free(self);
    *self_p = NULL;
}

static int s_index(const gw_upstream_t *self, const char *section)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->sections[i].name, section) == 0)
            return (int)i;
    return -1;
}

int gw_upstream_call(gw_upstream_t *self, const char *section, Ocop__Request *req, Ocop__Reply **reply)
{
    *reply = NULL;
    int i = s_index(self, section);
    if (i < 0)
        return -1;
    s_thread_t *t = pthread_getspecific(self->thread_key);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t || pthread_setspecific(self->thread_key, t) != 0) {
            free(t);
            return -1;
        }
    }
    if (!t->clients[i]) {
        const s_section_t *s = &self->sections[i];
        t->clients[i] = ocop_client_new(self->zctx, s->endpoint, s->public_key, &self->keys, "gateway");
        if (!t->clients[i])
            return -1;
    }
    /* One attempt: the HTTP client decides whether to retry (503 + Retry-After). */
    if (ocop_client_call(t->clients[i], req, reply, (int)self->timeout_ms, 1) != 0) {
        ocop_log_warn("upstream_timeout", "service=%s timeout_ms=%u", section, self->timeout_ms);
        /* Drop the connection: whatever it still queues for a dead peer goes with it. */
        ocop_client_destroy(&t->clients[i]);
        return -1;
    }
    return 0;
}

size_t gw_upstream_sections(const gw_upstream_t *self, const char **names, size_t max)
{
    size_t n = 0;
    for (; n < self->count && n < max; n++)
        names[n] = self->sections[n].name;
    return n;
}
