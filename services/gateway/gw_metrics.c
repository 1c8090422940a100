/* gw_metrics — Prometheus counters and histograms, lock-free (relaxed atomics). */
#include "gw_metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_api.h"
#include "ocop_error.h"

static const int s_statuses[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 500, 502, 503, 507};
#define S_STATUS_COUNT (sizeof s_statuses / sizeof s_statuses[0] + 1) /* + other */
static const double s_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define S_BOUND_COUNT (sizeof s_bounds / sizeof s_bounds[0])

typedef struct {
    uint64_t by_status[S_STATUS_COUNT];
    uint64_t by_bound[S_BOUND_COUNT + 1]; /* not cumulative; last: above every bound */
    uint64_t sum_us;
} s_slot_t;

struct gw_metrics_t {
    size_t routes;
    s_slot_t *slots;
};

static const char *const s_extra_names[GW_SLOT_EXTRA_COUNT] = {"/healthz", "/metrics", "/openapi.json", "static files",
                                                               "unmatched"};

gw_metrics_t *gw_metrics_new(void)
{
    gw_metrics_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    ocop_api_routes(&self->routes);
    self->slots = calloc(self->routes + GW_SLOT_EXTRA_COUNT, sizeof *self->slots);
    if (!self->slots) {
        free(self);
        return NULL;
    }
    return self;
}

void gw_metrics_destroy(gw_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->slots);
    free(*self_p);
    *self_p = NULL;
}

void gw_metrics_observe(gw_metrics_t *self, size_t slot, int http_status, double seconds)
{
    if (slot >= self->routes + GW_SLOT_EXTRA_COUNT)
        return;
    s_slot_t *s = &self->slots[slot];
    size_t st = 0;
    while (st < S_STATUS_COUNT - 1 && s_statuses[st] != http_status)
        st++;
    size_t b = 0;
    while (b < S_BOUND_COUNT && seconds > s_bounds[b])
        b++;
    __atomic_add_fetch(&s->by_status[st], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->by_bound[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->sum_us, (uint64_t)(seconds * 1e6), __ATOMIC_RELAXED);
}

static uint64_t s_load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void s_route_label(const gw_metrics_t *self, size_t slot, char *out, size_t len)
{
    size_t n;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    if (slot < self->routes)
        snprintf(out, len, "%s %s", routes[slot].method, routes[slot].path);
    else
        snprintf(out, len, "%s", s_extra_names[slot - self->routes]);
}

static void s_write_gateway(const gw_metrics_t *self, FILE *out)
{
    size_t nslots = self->routes + GW_SLOT_EXTRA_COUNT;
    char label[160];
    fputs("# HELP ocop_gateway_requests_total HTTP requests answered by the gateway, by route and status.\n"
          "# TYPE ocop_gateway_requests_total counter\n",
          out);
    for (size_t i = 0; i < nslots; i++) {
        s_route_label(self, i, label, sizeof label);
        for (size_t st = 0; st < S_STATUS_COUNT; st++) {
            uint64_t v = s_load(&self->slots[i].by_status[st]);
            if (!v)
                continue;
            if (st < S_STATUS_COUNT - 1)
                fprintf(out, "ocop_gateway_requests_total{route=\"%s\",status=\"%d\"} %llu\n", label, s_statuses[st],
                        (unsigned long long)v);
            else
                fprintf(out, "ocop_gateway_requests_total{route=\"%s\",status=\"other\"} %llu\n", label,
                        (unsigned long long)v);
        }
    }
    fputs("# HELP ocop_gateway_request_duration_seconds Time from a request's last byte to its response.\n"
          "# TYPE ocop_gateway_request_duration_seconds histogram\n",
          out);
    for (size_t i = 0; i < nslots; i++) {
        const s_slot_t *s = &self->slots[i];
        uint64_t cumulative = 0;
        for (size_t b = 0; b <= S_BOUND_COUNT; b++)
            cumulative += s_load(&s->by_bound[b]);
        if (!cumulative)
            continue;
        s_route_label(self, i, label, sizeof label);
        uint64_t total = cumulative;
        cumulative = 0;
        for (size_t b = 0; b < S_BOUND_COUNT; b++) {
            cumulative += s_load(&s->by_bound[b]);
            fprintf(out, "ocop_gateway_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", label,
                    s_bounds[b], (unsigned long long)cumulative);
        }
        fprintf(out, "ocop_gateway_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", label,
                (unsigned long long)total);
        fprintf(out, "ocop_gateway_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
                (double)s_load(&s->sum_us) / 1e6);
        fprintf(out, "ocop_gateway_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
                (unsigned long long)total);
    }
}

static void s_write_service(const char *name, const Ocop__Pong *p, FILE *out)
{
    fprintf(out, "ocop_service_up{service=\"%s\"} %d\n", name, p ? 1 : 0);
    if (!p)
        return;
    fprintf(out, "ocop_service_requests_total{service=\"%s\"} %llu\n", name, (unsigned long long)p->requests);
    fprintf(out, "ocop_service_errors_total{service=\"%s\"} %llu\n", name, (unsigned long long)p->errors);
    fprintf(out, "ocop_service_batches_total{service=\"%s\"} %llu\n", name, (unsigned long long)p->batches);
    fprintf(out, "ocop_service_batch_requests_max{service=\"%s\"} %llu\n", name,
            (unsigned long long)p->batch_requests_max);
    fprintf(out, "ocop_service_batch_reruns_total{service=\"%s\"} %llu\n", name, (unsigned long long)p->batch_reruns);
    fprintf(out, "ocop_service_last_sequence{service=\"%s\"} %llu\n", name, (unsigned long long)p->last_sequence);
    fprintf(out, "ocop_service_uptime_seconds{service=\"%s\"} %.3f\n", name, (double)p->uptime_ms / 1000.0);
    fprintf(out, "ocop_service_store_map_bytes{service=\"%s\"} %llu\n", name, (unsigned long long)p->map_size);
    fprintf(out, "ocop_service_store_map_max_bytes{service=\"%s\"} %llu\n", name, (unsigned long long)p->map_max);
    fprintf(out, "ocop_service_store_used_bytes{service=\"%s\"} %llu\n", name, (unsigned long long)p->store_used_bytes);
    for (size_t i = 0; i < p->n_latency_bounds_us && i < p->n_requests_by_bound; i++)
        fprintf(out, "ocop_service_request_duration_seconds_bucket{service=\"%s\",le=\"%g\"} %llu\n", name,
                (double)p->latency_bounds_us[i] / 1e6, (unsigned long long)p->requests_by_bound[i]);
    fprintf(out, "ocop_service_request_duration_seconds_bucket{service=\"%s\",le=\"+Inf\"} %llu\n", name,
            (unsigned long long)p->requests);
    fprintf(out, "ocop_service_request_duration_seconds_sum{service=\"%s\"} %.6f\n", name,
            (double)p->latency_sum_us / 1e6);
    fprintf(out, "ocop_service_request_duration_seconds_count{service=\"%s\"} %llu\n", name,
            (unsigned long long)p->requests);
}

/* What the audit service has taken in from each source it follows. */
static void s_write_audit(const Ocop__AudSources *a, FILE *out)
{
    fputs("# HELP ocop_audit_source_lag Events a source has published that the audit log has not taken in yet.\n"
          "# TYPE ocop_audit_source_lag gauge\n"
          "# HELP ocop_audit_source_cursor The last sequence of the source the audit log holds.\n"
          "# TYPE ocop_audit_source_cursor gauge\n"
          "# HELP ocop_audit_source_contiguous 1 when the log holds every event of the source from 1 to its cursor.\n"
          "# TYPE ocop_audit_source_contiguous gauge\n"
          "# HELP ocop_audit_source_heard_timestamp_seconds When the source was last heard from (0: never).\n"
          "# TYPE ocop_audit_source_heard_timestamp_seconds gauge\n"
          "# TYPE ocop_audit_tree_size gauge\n",
          out);
    for (size_t i = 0; i < a->n_sources; i++) {
        const Ocop__AudSource *s = a->sources[i];
        fprintf(out, "ocop_audit_source_lag{source=\"%s\"} %llu\n", s->name, (unsigned long long)s->lag);
        fprintf(out, "ocop_audit_source_cursor{source=\"%s\"} %llu\n", s->name, (unsigned long long)s->cursor);
        fprintf(out, "ocop_audit_source_contiguous{source=\"%s\"} %d\n", s->name, s->contiguous ? 1 : 0);
        fprintf(out, "ocop_audit_source_heard_timestamp_seconds{source=\"%s\"} %.3f\n", s->name,
                (double)s->heard_ms / 1000.0);
    }
    fprintf(out, "ocop_audit_tree_size %llu\n", (unsigned long long)a->tree_size);
}

void gw_metrics_write(const gw_metrics_t *self, const char *const *names, const Ocop__Pong *const *pongs,
                      const uint64_t *upstream, size_t n, const Ocop__AudSources *audit, FILE *out)
{
    s_write_gateway(self, out);
    fputs("# HELP ocop_service_up 1 when the service answered the gateway's ping.\n"
          "# TYPE ocop_service_up gauge\n"
          "# TYPE ocop_service_requests_total counter\n"
          "# TYPE ocop_service_errors_total counter\n"
          "# TYPE ocop_service_batches_total counter\n"
          "# TYPE ocop_service_batch_requests_max gauge\n"
          "# TYPE ocop_service_batch_reruns_total counter\n"
          "# TYPE ocop_service_last_sequence gauge\n"
          "# TYPE ocop_service_uptime_seconds gauge\n"
          "# TYPE ocop_service_store_map_bytes gauge\n"
          "# HELP ocop_service_store_map_max_bytes The size the store's map may grow to.\n"
          "# TYPE ocop_service_store_map_max_bytes gauge\n"
          "# HELP ocop_service_store_used_bytes Bytes of the store's pages in use.\n"
          "# TYPE ocop_service_store_used_bytes gauge\n"
          "# HELP ocop_service_request_duration_seconds Time from taking a request off the socket to its reply.\n"
          "# TYPE ocop_service_request_duration_seconds histogram\n",
          out);
    for (size_t i = 0; i < n; i++)
        s_write_service(names[i], pongs[i], out);
    fputs("# HELP ocop_gateway_upstream_requests_total Requests the gateway sent each service (pings included).\n"
          "# TYPE ocop_gateway_upstream_requests_total counter\n",
          out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "ocop_gateway_upstream_requests_total{service=\"%s\"} %llu\n", names[i],
                (unsigned long long)upstream[i]);
    if (audit)
        s_write_audit(audit, out);
}
