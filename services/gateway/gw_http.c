/* gw_http — libmicrohttpd glue. */
#include "gw_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw_guard.h"
#include "ocop_api.h"
#include "ocop_error.h"
#include "ocop_log.h"

struct gw_http_t {
    gw_t *gw;
    struct MHD_Daemon *daemon;
    gw_guard_t *guard;
};

/* The guard's record of the connection a request came on (NULL when unguarded). */
static gw_guard_conn_t *s_guarded(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* One request under way: its body so far, then the task answering it. */
typedef struct {
    char *body;
    size_t len, cap;
    int too_large;
    int answered; /* a response is queued (refused before its body was read) */
    struct MHD_Connection *conn;
    gw_task_t *task;
    gw_response_t out; /* kept between the task's steps */
    cJSON *query;
    double started;
} s_conn_t;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result s_send(struct MHD_Connection *conn, gw_response_t *r)
{
    const char *body = r->body ? r->body : "";
    size_t len = r->body_len ? r->body_len : strlen(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r->retry_after) {
        char v[16];
        snprintf(v, sizeof v, "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", v);
    }
    if (r->allow[0])
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->cache_control)
        MHD_add_response_header(resp, "Cache-Control", r->cache_control);
    /* The dashboard loads nothing but its own files and the API: say so to the browser. */
    if (r->content_type && strncmp(r->content_type, "text/html", 9) == 0)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'");
    if (r->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"ocop\"");
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result s_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    cJSON_AddItemToObject(cls, key, cJSON_CreateString(value ? value : ""));
    return MHD_YES;
}

/* The pump's thread: the services answered a suspended request; MHD calls the handler again. */
static void s_wake(void *arg)
{
    s_conn_t *c = arg;
    MHD_resume_connection(c->conn);
}

static enum MHD_Result s_finish(gw_http_t *self, struct MHD_Connection *conn, s_conn_t *c)
{
    enum MHD_Result rc = s_send(conn, &c->out);
    gw_metrics_observe(self->gw->metrics, c->out.slot, c->out.status, s_now() - c->started);
    free(c->out.body);
    c->out.body = NULL;
    gw_task_destroy(&c->task);
    c->answered = 1;
    return rc;
}

static enum MHD_Result s_answer(gw_http_t *self, struct MHD_Connection *conn, const char *url, const char *method,
                                s_conn_t *c)
{
    size_t nroutes;
    ocop_api_routes(&nroutes);
    if (!c->task && !c->too_large) {
        gw_guard_answering(self->guard, s_guarded(conn), true);
        c->started = s_now();
        c->conn = conn;
        memset(&c->out, 0, sizeof c->out);
        c->task = gw_task_new(self->gw, s_wake, c);
        c->query = cJSON_CreateObject();
        if (!c->task || !c->query)
            return MHD_NO;
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, s_query_arg, c->query);
    }
    if (c->too_large) {
        c->started = s_now();
        memset(&c->out, 0, sizeof c->out);
        c->out.slot = nroutes + GW_SLOT_UNMATCHED;
        gw_error(&c->out, 413, "TOO_LARGE", "", "the body exceeds %zu bytes", self->gw->gc.max_body_bytes);
        return s_finish(self, conn, c);
    }
    gw_request_t in = {
        .method = method,
        .path = url,
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .idempotency_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key"),
        .body = c->body ? c->body : "",
        .body_len = c->len,
        .query = c->query,
    };
    if (gw_task_step(c->task, &in, &c->out))
        return s_finish(self, conn, c);
    /* Suspended before the calls go out, so the wake-up always finds it suspended. */
    MHD_suspend_connection(conn);
    gw_task_send(c->task);
    return MHD_YES;
}

static enum MHD_Result s_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    gw_http_t *self = cls;
    s_conn_t *c = *con_cls;
    size_t max = self->gw->gc.max_body_bytes;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        *con_cls = c;
        /* A declared length over the limit is refused before a byte of it is read. */
        const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > max) {
            c->too_large = c->answered = 1;
            return s_answer(self, conn, url, method, c);
        }
        return MHD_YES;
    }
    if (c->answered) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (c->task) /* woken: the task goes on */
        return s_answer(self, conn, url, method, c);
    if (*upload_size) {
        if (gw_guard_expired(self->guard, s_guarded(conn)))
            return MHD_NO; /* a body trickling in past the request deadline: the connection closes */
        size_t n = *upload_size;
        *upload_size = 0;
        if (c->too_large || c->len + n > max) {
            c->too_large = 1;
            return MHD_YES;
        }
        if (c->len + n + 1 > c->cap) {
            size_t cap = c->cap ? c->cap : 4096;
            while (cap < c->len + n + 1)
                cap *= 2;
            char *grown = realloc(c->body, cap);
            if (!grown)
                return MHD_NO;
            c->body = grown;
            c->cap = cap;
        }
        memcpy(c->body + c->len, upload_data, n);
        c->len += n;
        c->body[c->len] = '\0';
        return MHD_YES;
    }
    return s_answer(self, conn, url, method, c);
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)code;
    gw_http_t *self = cls;
    gw_guard_answering(self->guard, s_guarded(conn), false);
    s_conn_t *c = *con_cls;
    if (c) {
        gw_task_destroy(&c->task);
        cJSON_Delete(c->query);
        free(c->out.body);
        free(c->body);
        free(c);
        *con_cls = NULL;
    }
}

/* Connections open and close: the guard follows them. */
static void s_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    gw_http_t *self = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? gw_guard_open(self->guard, ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        gw_guard_close(self->guard, *socket_context);
        *socket_context = NULL;
    }
}

gw_http_t *gw_http_start(gw_t *gw, char *err, size_t errlen)
{
    gw_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        ocop_error_format(err, errlen, "out of memory");
        return NULL;
    }
    self->gw = gw;
    if (!(self->guard = gw_guard_new(gw->gc.request_deadline_s))) {
        ocop_error_format(err, errlen, "cannot start the connection guard");
        free(self);
        return NULL;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)gw->gc.port);
    inet_pton(AF_INET, gw->gc.host, &addr.sin_addr);
    self->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)gw->gc.port, NULL, NULL,
        s_handler, self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)gw->gc.threads, MHD_OPTION_NOTIFY_COMPLETED, s_completed, self, MHD_OPTION_NOTIFY_CONNECTION,
        s_connection, self, MHD_OPTION_CONNECTION_TIMEOUT, gw->gc.idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        gw->gc.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, gw->gc.max_per_client, MHD_OPTION_END);
    if (!self->daemon) {
        ocop_error_format(err, errlen, "cannot listen on %s:%u (taken, or not an address of this host)", gw->gc.host,
                          gw->gc.port);
        gw_guard_destroy(&self->guard);
        free(self);
        return NULL;
    }
    return self;
}

void gw_http_stop(gw_http_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    MHD_stop_daemon((*self_p)->daemon);
    gw_guard_destroy(&(*self_p)->guard);
    free(*self_p);
    *self_p = NULL;
}
