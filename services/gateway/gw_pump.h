/* gw_pump — the gateway's one thread that talks to the services: every service section's
 * DEALER connection lives in it; HTTP workers hand it requests and go on serving other
 * connections; it sends them, matches the replies by request id and hands each back through a
 * callback (or NULL when the service did not answer within the time-out). Requests queued while
 * it works go out together, and the replies that arrived together come back together: fewer
 * thread wake-ups per request than one blocking call per worker. */
#ifndef GW_PUMP_H
#define GW_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "ocop_config.h"
#include "ocop_keys.h"

#define GW_SECTIONS_MAX 40
/* The audit service's section (the gateway also asks it for its intake status on /metrics). */
#define GW_AUDIT_SECTION "audit"

typedef struct gw_pump_t gw_pump_t;

/* Called in the pump's thread with the reply (the callee's, ocop__reply__free_unpacked) or NULL
 * on time-out. Must not block. */
typedef void (*gw_pump_done_fn)(void *user, Ocop__Reply *reply);

/* Every service section of config, in file order (a service that is not deployed has no
 * section, and requests for it fail at once). Starts the thread. NULL with err (a section the
 * services would refuse, a public key missing, more than GW_SECTIONS_MAX sections). */
gw_pump_t *gw_pump_new(void *zctx, const ocop_config_t *config, const ocop_keypair_t *keys, unsigned timeout_ms,
                       char *err, size_t errlen);
/* Stops the thread; requests still waiting are answered NULL first. */
void gw_pump_destroy(gw_pump_t **self_p);

/* Packs req (a fresh request id when it has none) for section and queues it; done(user, ...)
 * follows exactly once, at the latest timeout_ms after it is sent (0, or more than the pump's
 * time-out: the pump's). -1 (done is not called) when section is unknown or memory is short. */
int gw_pump_submit(gw_pump_t *self, const char *section, Ocop__Request *req, unsigned timeout_ms, gw_pump_done_fn done,
                   void *user);

/* The sections, in config order. */
size_t gw_pump_sections(const gw_pump_t *self, const char **names, size_t max);
/* How many requests were queued for section i (config order) since the start. */
uint64_t gw_pump_submitted(const gw_pump_t *self, size_t i);

#endif
