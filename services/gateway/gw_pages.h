/* gw_pages — what the gateway serves itself, beside the API: /healthz, /metrics (Prometheus
 * text), /openapi.json, /dashboard.json and the dashboard's files (gw_static), or a plain index
 * page at / without them. */
#ifndef GW_PAGES_H
#define GW_PAGES_H

#include "gw.h"

/* /healthz and /metrics report on the services from a ping of each, sent through the pump like
 * any request (no HTTP worker waits for them), each waiting at most GW_PROBE_TIMEOUT_MS: a
 * service that does not answer in that time is reported down. */
#define GW_PROBE_TIMEOUT_MS 1000u

typedef enum {
    GW_PROBE_NONE,     /* not a probe page */
    GW_PROBE_ANSWERED, /* a probe page, answered already (405 for a method other than GET) */
    GW_PROBE_HEALTHZ,
    GW_PROBE_METRICS,
} gw_probe_t;

/* Which probe in asks for (out's slot set from nroutes + GW_SLOT_*). */
gw_probe_t gw_pages_probe(const gw_request_t *in, gw_response_t *out, size_t nroutes);

/* Answers probe from each section's reply to its ping (names[i], replies[i]; NULL when it did
 * not answer in time) and, for /metrics, the audit service's sources (NULL: not known). */
void gw_pages_probed(const gw_t *gw, gw_probe_t probe, const char *const *names, Ocop__Reply *const *replies, size_t n,
                     const Ocop__AudSources *audit, gw_response_t *out);

/* 1 when in is one of the other pages (out filled, slot set from nroutes + GW_SLOT_*), else 0. */
int gw_pages_serve(gw_t *gw, const gw_request_t *in, gw_response_t *out, size_t nroutes);

#endif
