/* bench_driver — see bench_driver.h. */
#include "bench_driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define S_CLIENTS_MAX 64
#define S_STALL_NS ((int64_t)30 * 1000000000)

/* Receives every reply that is ready on client c. Returns how many, or -1 on a bad reply. */
static int s_drain(const bench_drive_options_t *opts, size_t c, int64_t *send_ns, int64_t *lat, size_t *outstanding,
                   bench_drive_result_t *out)
{
    void *sock = ocop_client_socket(opts->clients[c]);
    int got = 0;
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return got;
        }
        int64_t now = bench_now_ns();
        Ocop__Reply *reply = ocop__reply__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        if (!reply || !reply->request_id || strlen(reply->request_id) != OCOP_REQUEST_ID_LEN) {
            fprintf(stderr, "bench: a reply without a request id of ours\n");
            if (reply)
                ocop__reply__free_unpacked(reply, NULL);
            return -1;
        }
        uint64_t seq = strtoull(reply->request_id + 8, NULL, 16);
        if (seq >= out->sent) {
            fprintf(stderr, "bench: a reply to request %" PRIu64 " that was never sent\n", seq);
            ocop__reply__free_unpacked(reply, NULL);
            return -1;
        }
        lat[out->completed++] = now - send_ns[seq];
        outstanding[c]--;
        unsigned status = (unsigned)reply->status;
        out->by_status[status < 15 ? status : 15]++;
        if (reply->status == OCOP__STATUS__STATUS_OK)
            out->ok++;
        if (opts->on_reply)
            opts->on_reply(opts->user, seq, reply);
        ocop__reply__free_unpacked(reply, NULL);
        got++;
    }
}

static int s_send(const bench_drive_options_t *opts, size_t c, int64_t *send_ns, bench_drive_result_t *out)
{
    Ocop__Request req = OCOP__REQUEST__INIT;
    char id[OCOP_REQUEST_ID_LEN + 1];
    uint64_t seq = out->sent;
    snprintf(id, sizeof id, "%08" PRIx32 "%024" PRIx64, opts->tag, seq);
    opts->make(opts->user, seq, &req);
    req.request_id = id;
    send_ns[seq] = bench_now_ns();
    if (ocop_client_send(opts->clients[c], &req) != 0)
        return -1;
    out->sent++;
    return 0;
}

int bench_drive(const bench_drive_options_t *opts, bench_drive_result_t *out)
{
    memset(out, 0, sizeof *out);
    if (opts->n_clients == 0 || opts->n_clients > S_CLIENTS_MAX || opts->window == 0)
        return -1;
    int64_t *send_ns = malloc(opts->max_requests * sizeof *send_ns);
    int64_t *lat = malloc(opts->max_requests * sizeof *lat);
    size_t outstanding[S_CLIENTS_MAX] = {0};
    zmq_pollitem_t items[S_CLIENTS_MAX];
    for (size_t c = 0; c < opts->n_clients; c++)
        items[c] = (zmq_pollitem_t){ocop_client_socket(opts->clients[c]), 0, ZMQ_POLLIN, 0};
    int rc = send_ns && lat ? 0 : -1;
    int64_t t0 = bench_now_ns(), deadline = t0 + (int64_t)(opts->max_seconds * 1e9), last_progress = t0;
    int64_t t_end = t0;
    while (rc == 0) {
        int sending = out->sent < opts->max_requests && bench_now_ns() < deadline;
        for (size_t c = 0; sending && c < opts->n_clients; c++)
            while (rc == 0 && outstanding[c] < opts->window && out->sent < opts->max_requests) {
                rc = s_send(opts, c, send_ns, out);
                outstanding[c]++;
            }
        if (rc != 0 || (!sending && out->completed == out->sent))
            break;
        int n = zmq_poll(items, (int)opts->n_clients, 1000);
        if (n < 0) {
            rc = -1;
            break;
        }
        for (size_t c = 0; rc == 0 && c < opts->n_clients; c++) {
            if (!(items[c].revents & ZMQ_POLLIN))
                continue;
            int got = s_drain(opts, c, send_ns, lat, outstanding, out);
            if (got < 0)
                rc = -1;
            else if (got > 0)
                last_progress = t_end = bench_now_ns();
        }
        if (rc == 0 && bench_now_ns() - last_progress > S_STALL_NS) {
            fprintf(stderr, "bench: no reply for 30 s (%" PRIu64 " of %" PRIu64 " answered)\n", out->completed,
                    out->sent);
            rc = -1;
        }
    }
    out->seconds = (double)(t_end - t0) / 1e9;
    out->per_second = out->seconds > 0 ? (double)out->completed / out->seconds : 0;
    if (lat)
        bench_percentiles(lat, out->completed, &out->latency);
    free(send_ns);
    free(lat);
    return rc;
}

int bench_drive_one(ocop_client_t *client, size_t window, uint64_t n, uint32_t tag, bench_make_fn make,
                    bench_reply_fn on_reply, void *user, bench_drive_result_t *out)
{
    ocop_client_t *clients[] = {client};
    bench_drive_options_t o = {.clients = clients,
                               .n_clients = 1,
                               .window = window,
                               .max_requests = n,
                               .max_seconds = 3600,
                               .tag = tag,
                               .make = make,
                               .on_reply = on_reply,
                               .user = user};
    return bench_drive(&o, out);
}
