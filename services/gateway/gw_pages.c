/* gw_pages — see gw_pages.h. */
#include "gw_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_static.h"
#include "ocop_error.h"

static int s_get_only(const gw_request_t *in, gw_response_t *out)
{
    if (strcmp(in->method, "GET") == 0)
        return 0;
    snprintf(out->allow, sizeof out->allow, "GET");
    gw_error(out, 405, "METHOD_NOT_ALLOWED", "", "%s is not allowed on %s (allowed: GET)", in->method, in->path);
    return -1;
}

/* {"status": "ok"|"degraded", "services": {"registration": {"up": true, "last_sequence": N}}}:
 * 200 while the gateway serves; "degraded" names the services that did not answer. */
static void s_healthz(const char *const *names, const Ocop__Pong *const *pongs, size_t n, gw_response_t *out)
{
    cJSON *o = cJSON_CreateObject(), *services = cJSON_CreateObject();
    int all_up = 1;
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_AddObjectToObject(services, names[i]);
        cJSON_AddBoolToObject(s, "up", pongs[i] != NULL);
        if (pongs[i])
            cJSON_AddNumberToObject(s, "last_sequence", (double)pongs[i]->last_sequence);
        all_up &= pongs[i] != NULL;
    }
    cJSON_AddStringToObject(o, "status", all_up ? "ok" : "degraded");
    cJSON_AddItemToObject(o, "services", services);
    out->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    out->status = 200;
    out->content_type = "application/json";
}

static void s_metrics(const gw_t *gw, const char *const *names, const Ocop__Pong *const *pongs, size_t n,
                      const Ocop__AudSources *audit, gw_response_t *out)
{
    uint64_t upstream[GW_SECTIONS_MAX];
    for (size_t i = 0; i < n; i++)
        upstream[i] = gw_pump_submitted(gw->pump, i);
    size_t len = 0;
    FILE *f = open_memstream(&out->body, &len);
    if (!f) {
        gw_error(out, 500, "INTERNAL", "", "out of memory");
        return;
    }
    gw_metrics_write(gw->metrics, names, pongs, upstream, n, audit, f);
    fclose(f);
    out->status = 200;
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

gw_probe_t gw_pages_probe(const gw_request_t *in, gw_response_t *out, size_t nroutes)
{
    gw_probe_t probe = GW_PROBE_NONE;
    if (strcmp(in->path, "/healthz") == 0) {
        out->slot = nroutes + GW_SLOT_HEALTHZ;
        probe = GW_PROBE_HEALTHZ;
    } else if (strcmp(in->path, "/metrics") == 0) {
        out->slot = nroutes + GW_SLOT_METRICS;
        probe = GW_PROBE_METRICS;
    }
    if (probe != GW_PROBE_NONE && s_get_only(in, out) != 0)
        return GW_PROBE_ANSWERED;
    return probe;
}

void gw_pages_probed(const gw_t *gw, gw_probe_t probe, const char *const *names, Ocop__Reply *const *replies, size_t n,
                     const Ocop__AudSources *audit, gw_response_t *out)
{
    const Ocop__Pong *pongs[GW_SECTIONS_MAX];
    for (size_t i = 0; i < n && i < GW_SECTIONS_MAX; i++)
        pongs[i] = replies[i] && (int)replies[i]->status == OCOP_OK && replies[i]->body_case == OCOP__REPLY__BODY_PONG
                       ? replies[i]->pong
                       : NULL;
    if (n > GW_SECTIONS_MAX)
        n = GW_SECTIONS_MAX;
    if (probe == GW_PROBE_HEALTHZ)
        s_healthz(names, pongs, n, out);
    else
        s_metrics(gw, names, pongs, n, audit, out);
}

/* What the dashboard needs to know beside the API: the audit key it pins when it checks a
 * signed tree head (the operator's copy of keys_dir/audit.sign.pub, not the log's own claim). */
static void s_dashboard(const gw_t *gw, gw_response_t *out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "audit_key", gw->audit_key);
    out->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    out->status = 200;
    out->content_type = "application/json";
}

/* Without a static_dir: a page pointing at the API. */
static void s_index(gw_response_t *out)
{
    const char *page = "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>OCOP — Mỗi xã một sản phẩm</title></head><body>"
                       "<h1>OCOP — Chương trình Mỗi xã một sản phẩm</h1>"
                       "<p>API: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI 3) · "
                       "<a href=\"/v1/reports/stars\">/v1/reports/stars</a> · "
                       "<a href=\"/v1/audit/tree-head\">/v1/audit/tree-head</a> · "
                       "<a href=\"/healthz\">/healthz</a> · <a href=\"/metrics\">/metrics</a></p>"
                       "</body></html>\n";
    out->body = strdup(page);
    out->status = out->body ? 200 : 500;
    out->content_type = "text/html; charset=utf-8";
}

int gw_pages_serve(gw_t *gw, const gw_request_t *in, gw_response_t *out, size_t nroutes)
{
    if (strcmp(in->path, "/openapi.json") == 0) {
        out->slot = nroutes + GW_SLOT_OPENAPI;
        if (s_get_only(in, out) == 0) {
            out->body = strdup(gw->openapi);
            out->status = 200;
            out->content_type = "application/json";
        }
    } else if (strcmp(in->path, "/dashboard.json") == 0) {
        out->slot = nroutes + GW_SLOT_STATIC;
        if (s_get_only(in, out) == 0)
            s_dashboard(gw, out);
    } else if (gw_static_serve(gw, in, out)) {
        out->slot = nroutes + GW_SLOT_STATIC;
    } else if (strcmp(in->path, "/") == 0) {
        out->slot = nroutes + GW_SLOT_STATIC;
        if (s_get_only(in, out) == 0)
            s_index(out);
    } else {
        return 0;
    }
    return 1;
}
