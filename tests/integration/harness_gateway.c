/* harness_gateway — the gateway of a test deployment and an HTTP client (libcurl) for it. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

#include "harness.h"
#include "ocop_users.h"

int harness_gateway_start(harness_t *self)
{
    if (!self->opts.gateway) {
        fprintf(stderr, "harness: the gateway is not configured (opts.gateway)\n");
        return -1;
    }
    if (self->gateway_pid > 0)
        return 0;
    harness_http_t r = {0};
    for (int attempt = 0; attempt < 5; attempt++) {
        self->gateway_pid = harness_spawn(self->gateway_binary, self->config_path, "gateway", self->gateway_log, NULL);
        if (self->gateway_pid <= 0)
            return -1;
        for (int64_t deadline = harness_mono_ms() + 20000; harness_mono_ms() < deadline;) {
            if (harness_http(self, "GET", "/healthz", NULL, NULL, &r) == 0 && r.status == 200) {
                harness_http_free(&r);
                return 0;
            }
            if (waitpid(self->gateway_pid, NULL, WNOHANG) == self->gateway_pid) {
                self->gateway_pid = 0; /* exited (and reaped) */
                break;
            }
            usleep(20 * 1000);
        }
        harness_kill_pid(&self->gateway_pid);
        char *log = harness_read_file(self->gateway_log, NULL);
        int taken = log && strstr(log, "listen_failed");
        free(log);
        if (!taken)
            break;
        /* Its port was taken between the probe and its bind: another one. */
        self->gateway_port = test_free_port();
        truncate(self->gateway_log, 0);
        if (harness_config_rewrite(self) != 0)
            break;
    }
    harness_http_free(&r);
    fprintf(stderr, "harness: the gateway did not answer /healthz\n");
    harness_file_tail(self->gateway_log, 2000);
    return -1;
}

int harness_gateway_stop(harness_t *self)
{
    return harness_terminate(&self->gateway_pid, self->gateway_log);
}

int harness_gateway_user(harness_t *self, const char *name, const char *role, const char *province, const char *commune,
                         const char *entity, const char *member, const char *councils, char *token)
{
    ocop_user_t u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = ocop_role_from_name(role);
    snprintf(u.province, sizeof u.province, "%s", province ? province : "");
    snprintf(u.commune, sizeof u.commune, "%s", commune ? commune : "");
    snprintf(u.entity, sizeof u.entity, "%s", entity ? entity : "");
    snprintf(u.member, sizeof u.member, "%s", member ? member : "");
    char list[256];
    snprintf(list, sizeof list, "%s", councils ? councils : "");
    for (char *save = NULL, *tok = strtok_r(list, ";", &save); tok && u.council_count < OCOP_USER_COUNCILS_MAX;
         tok = strtok_r(NULL, ";", &save))
        snprintf(u.councils[u.council_count++], sizeof u.councils[0], "%s", tok);
    char err[512];
    ocop_token_new(token, u.token_hash);
    if (ocop_users_add(self->tokens_path, &u, err, sizeof err) != 0) {
        fprintf(stderr, "harness: %s\n", err);
        return -1;
    }
    return 0;
}

static size_t s_body(char *data, size_t size, size_t n, void *user)
{
    harness_http_t *r = user;
    size_t len = size * n;
    char *grown = realloc(r->body, r->body_len + len + 1);
    if (!grown)
        return 0;
    memcpy(grown + r->body_len, data, len);
    r->body = grown;
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void s_header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    if (len <= nlen || strncasecmp(line, name, nlen) != 0)
        return;
    const char *v = line + nlen;
    size_t vlen = len - nlen;
    while (vlen && (*v == ' '))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n'))
        vlen--;
    snprintf(out, outlen, "%.*s", (int)vlen, v);
}

static size_t s_header(char *data, size_t size, size_t n, void *user)
{
    harness_http_t *r = user;
    size_t len = size * n;
    s_header_value(data, len, "Retry-After:", r->retry_after, sizeof r->retry_after);
    s_header_value(data, len, "Allow:", r->allow, sizeof r->allow);
    s_header_value(data, len, "Content-Type:", r->content_type, sizeof r->content_type);
    s_header_value(data, len, "Content-Security-Policy:", r->csp, sizeof r->csp);
    return len;
}

int harness_http_raw(harness_t *self, const char *method, const char *path, const char *const *headers,
                     const char *body, size_t len, harness_http_t *r)
{
    harness_http_free(r);
    CURL *curl = curl_easy_init();
    if (!curl)
        return -1;
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", self->gateway_port, path);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HARNESS_CALL_TIMEOUT_MS * 2);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (!r->body && rc == CURLE_OK) {
        r->body = calloc(1, 1);
    }
    return rc == CURLE_OK ? 0 : -1;
}

int harness_http(harness_t *self, const char *method, const char *path, const char *token, const char *body,
                 harness_http_t *r)
{
    char auth[128];
    const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[1] = auth;
    }
    return harness_http_raw(self, method, path, headers, body, body ? strlen(body) : 0, r);
}

void harness_http_free(harness_http_t *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}
