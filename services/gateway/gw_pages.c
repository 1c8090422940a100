/* gw_pages — health, metrics, the OpenAPI document and the index page. */
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
static void s_healthz(gw_t *gw, gw_response_t *out)
{
    cJSON *o = cJSON_CreateObject(), *services = cJSON_CreateObject();
    const char *names[GW_SECTIONS_MAX];
    size_t n = gw_pump_sections(gw->pump, names, GW_SECTIONS_MAX);
    int all_up = 1;
    gw_identity_t who;
    memset(&who, 0, sizeof who);
    snprintf(who.caller, sizeof who.caller, "gateway");
    for (size_t i = 0; i < n; i++) {
        Ocop__Ping ping = OCOP__PING__INIT;
        Ocop__Reply *reply = NULL;
        gw_response_t scratch;
        memset(&scratch, 0, sizeof scratch);
        int up = gw_call(gw, &who, names[i], "ping", &ping.base, NULL, &reply, &scratch) == 0 &&
                 (int)reply->status == OCOP_OK && reply->body_case == OCOP__REPLY__BODY_PONG;
        free(scratch.body);
        cJSON *s = cJSON_AddObjectToObject(services, names[i]);
        cJSON_AddBoolToObject(s, "up", up);
        if (up)
            cJSON_AddNumberToObject(s, "last_sequence", (double)reply->pong->last_sequence);
        all_up &= up;
        if (reply)
            ocop__reply__free_unpacked(reply, NULL);
    }
    cJSON_AddStringToObject(o, "status", all_up ? "ok" : "degraded");
    cJSON_AddItemToObject(o, "services", services);
    out->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    out->status = 200;
    out->content_type = "application/json";
}

static void s_metrics(gw_t *gw, gw_response_t *out)
{
    size_t len = 0;
    FILE *f = open_memstream(&out->body, &len);
    if (!f) {
        gw_error(out, 500, "INTERNAL", "", "out of memory");
        return;
    }
    gw_metrics_write(gw->metrics, gw->pump, f);
    fclose(f);
    out->status = 200;
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
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
    if (strcmp(in->path, "/healthz") == 0) {
        out->slot = nroutes + GW_SLOT_HEALTHZ;
        if (s_get_only(in, out) == 0)
            s_healthz(gw, out);
    } else if (strcmp(in->path, "/metrics") == 0) {
        out->slot = nroutes + GW_SLOT_METRICS;
        if (s_get_only(in, out) == 0)
            s_metrics(gw, out);
    } else if (strcmp(in->path, "/openapi.json") == 0) {
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
