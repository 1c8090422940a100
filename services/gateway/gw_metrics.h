/* gw_metrics — the gateway's counters and latency histograms per route, and the Prometheus text
 * exposition of them beside every service's own (from its ping). */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "envelope.pb-c.h"

/* Slots beyond the API's routes. */
enum {
    GW_SLOT_HEALTHZ,
    GW_SLOT_METRICS,
    GW_SLOT_OPENAPI,
    GW_SLOT_STATIC,
    GW_SLOT_UNMATCHED,
    GW_SLOT_EXTRA_COUNT,
};

typedef struct gw_metrics_t gw_metrics_t;

gw_metrics_t *gw_metrics_new(void);
void gw_metrics_destroy(gw_metrics_t **self_p);

/* slot: a route index of ocop_api_routes, or ocop_api's route count + GW_SLOT_*. Thread-safe. */
void gw_metrics_observe(gw_metrics_t *self, size_t slot, int http_status, double seconds);

/* Writes the exposition to out: the gateway's metrics, then each service's from its pong (the
 * reply to a ping of section names[i], NULL when it did not answer: ocop_service_up 0) with the
 * requests the gateway sent it (upstream[i]), then the audit service's intake of each source
 * (when audit is not NULL). */
void gw_metrics_write(const gw_metrics_t *self, const char *const *names, const Ocop__Pong *const *pongs,
                      const uint64_t *upstream, size_t n, const Ocop__AudSources *audit, FILE *out);

#endif
