/* gw_pages — what the gateway serves itself, beside the API: /healthz, /metrics (Prometheus
 * text), /openapi.json and the index page at /. */
#ifndef GW_PAGES_H
#define GW_PAGES_H

#include "gw.h"

/* 1 when in is one of these pages (out filled, slot set from nroutes + GW_SLOT_*), else 0. */
int gw_pages_serve(gw_t *gw, const gw_request_t *in, gw_response_t *out, size_t nroutes);

#endif
