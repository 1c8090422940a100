/* gw_shardmap — the province moves the gateway has learnt. A shard that answers WRONG_SHARD for a
 * province names the shard that serves it now (Reply.redirect: the province moved after the
 * config was written); later requests for that province go there first instead of to the shard
 * the config names. A hint only: an entry gone stale (the province moved again) costs one more
 * redirect, which corrects it. Shared by the HTTP workers. */
#ifndef GW_SHARDMAP_H
#define GW_SHARDMAP_H

#include <stddef.h>

typedef struct gw_shardmap_t gw_shardmap_t;

gw_shardmap_t *gw_shardmap_new(void);
void gw_shardmap_destroy(gw_shardmap_t **self_p);

/* The section learnt for province into section: 0, or -1 when none was. */
int gw_shardmap_get(gw_shardmap_t *self, const char *province, char *section, size_t len);
/* Records that section serves province (a province code and a section name that fit; others
 * are not kept). */
void gw_shardmap_learn(gw_shardmap_t *self, const char *province, const char *section);

#endif
