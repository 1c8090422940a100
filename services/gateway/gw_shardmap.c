/* gw_shardmap — see gw_shardmap.h. */
#include "gw_shardmap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_config.h"

#define S_PROVINCES_MAX 128 /* more than the 63 provinces of 2008 and the 34 of 2025 */

typedef struct {
    char province[OCOP_PROVINCE_CODE_MAX];
    char section[OCOP_NAME_MAX];
} s_entry_t;

struct gw_shardmap_t {
    pthread_rwlock_t lock;
    s_entry_t entries[S_PROVINCES_MAX];
    size_t n;
};

gw_shardmap_t *gw_shardmap_new(void)
{
    gw_shardmap_t *self = calloc(1, sizeof *self);
    if (self && pthread_rwlock_init(&self->lock, NULL) != 0) {
        free(self);
        return NULL;
    }
    return self;
}

void gw_shardmap_destroy(gw_shardmap_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pthread_rwlock_destroy(&(*self_p)->lock);
    free(*self_p);
    *self_p = NULL;
}

static s_entry_t *s_find(gw_shardmap_t *self, const char *province)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->entries[i].province, province) == 0)
            return &self->entries[i];
    return NULL;
}

int gw_shardmap_get(gw_shardmap_t *self, const char *province, char *section, size_t len)
{
    pthread_rwlock_rdlock(&self->lock);
    const s_entry_t *e = s_find(self, province);
    if (e)
        snprintf(section, len, "%s", e->section);
    pthread_rwlock_unlock(&self->lock);
    return e ? 0 : -1;
}

void gw_shardmap_learn(gw_shardmap_t *self, const char *province, const char *section)
{
    if (strlen(province) >= OCOP_PROVINCE_CODE_MAX || strlen(section) >= OCOP_NAME_MAX)
        return;
    pthread_rwlock_wrlock(&self->lock);
    s_entry_t *e = s_find(self, province);
    if (!e && self->n < S_PROVINCES_MAX) {
        e = &self->entries[self->n++];
        snprintf(e->province, sizeof e->province, "%s", province);
    }
    if (e)
        snprintf(e->section, sizeof e->section, "%s", section);
    pthread_rwlock_unlock(&self->lock);
}
