/* gw_pages — what the gateway serves itself, beside the API: /healthz, /metrics (Prometheus
 * text), /openapi.json, /dashboard.json and the dashboard's files (gw_static), or a plain index
 * page at / without them. */
#ifndef GW_PAGES_H
#define GW_PAGES_H

#include "gw.h"

/* 1 when in is one of these pages (out filled, slot set from nroutes + GW_SLOT_*), else 0. */
int gw_pages_serve(gw_t *gw, const gw_request_t *in, gw_response_t *out, size_t nroutes);

#endif
