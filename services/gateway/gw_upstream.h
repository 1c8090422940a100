/* gw_upstream — the gateway's connections to the services, one set per HTTP worker thread
 * (ZeroMQ sockets belong to one thread), made on first use and remade after a time-out. */
#ifndef GW_UPSTREAM_H
#define GW_UPSTREAM_H

#include <stddef.h>

#include "envelope.pb-c.h"
#include "ocop_config.h"
#include "ocop_keys.h"

#define GW_SECTIONS_MAX 40

typedef struct gw_upstream_t gw_upstream_t;

/* Every service section of config the gateway can reach: registration, audit, promotion and
 * the evaluation shards (a missing one is simply absent: its routes answer 503). NULL with err. */
gw_upstream_t *gw_upstream_new(void *zctx, const ocop_config_t *config, const ocop_keypair_t *keys, unsigned timeout_ms,
                               char *err, size_t errlen);
/* After every worker thread has ended. */
void gw_upstream_destroy(gw_upstream_t **self_p);

/* Sends req to section and waits for its reply (*reply is the caller's). 0; -1 when the section
 * is unknown or did not answer within the time-out (the connection is then remade). */
int gw_upstream_call(gw_upstream_t *self, const char *section, Ocop__Request *req, Ocop__Reply **reply);

/* The sections, in config order. */
size_t gw_upstream_sections(const gw_upstream_t *self, const char **names, size_t max);

#endif
