/* ocop_client — a DEALER connection to one service, CURVE-authenticated.
 *
 * ocop_client_call sends a request and waits for its reply, re-sending the same request id on
 * time-out (safe: services answer a repeated id with the original reply). For throughput,
 * ocop_client_send/ocop_client_recv pipeline many requests on one connection. */
#ifndef OCOP_CLIENT_H
#define OCOP_CLIENT_H

#include <stddef.h>

#include "envelope.pb-c.h"
#include "ocop_keys.h"

#define OCOP_REQUEST_ID_LEN 32  /* a fresh id's length */
#define OCOP_REQUEST_ID_MAX 128 /* the longest id a service takes */

typedef struct ocop_client_t ocop_client_t;

/* zctx is shared and not owned. caller is the identity put in requests that have none.
 * NULL on failure. */
ocop_client_t *ocop_client_new(void *zctx, const char *endpoint, const char *server_public_z85,
                               const ocop_keypair_t *self_keys, const char *caller);
void ocop_client_destroy(ocop_client_t **self_p);

/* A fresh request id in out (OCOP_REQUEST_ID_LEN + 1 bytes): hex of a millisecond time
 * followed by 80 random bits, so ids sort roughly by creation time. */
void ocop_request_id_new(char *out);

/* Fills request_id (if empty) and caller (if empty), packs and sends. The strings set here
 * point into the client until the next send. 0 / -1. */
int ocop_client_send(ocop_client_t *self, Ocop__Request *req);

/* Waits up to timeout_ms for the next reply. *reply is the caller's, freed with
 * ocop__reply__free_unpacked(reply, NULL). 0, or -1 on time-out (errno EAGAIN) or error. */
int ocop_client_recv(ocop_client_t *self, Ocop__Reply **reply, int timeout_ms);

/* Send + wait for the reply with the same id, up to attempts tries of timeout_ms each,
 * discarding stale replies to earlier requests. 0, or -1 when no reply came. */
int ocop_client_call(ocop_client_t *self, Ocop__Request *req, Ocop__Reply **reply, int timeout_ms, int attempts);
/* ocop_client_call with the reply unpacked through alloc (e.g. an ocop_arena's, so that a caller
 * fetching large replies again and again reuses the same memory), and freed through it. */
int ocop_client_call_in(ocop_client_t *self, Ocop__Request *req, ProtobufCAllocator *alloc, Ocop__Reply **reply,
                        int timeout_ms, int attempts);

/* Sends every request, at most window in flight, and collects the replies in request order
 * (replies[i] answers reqs[i]; the caller frees each). Requests without a request_id get a
 * fresh one for this call; request_id points where the caller set it again on return.
 * Retries nothing: 0, or -1 when a request id is longer than OCOP_REQUEST_ID_MAX (nothing is
 * sent) or a reply did not come within timeout_ms (the replies received so far are freed and
 * set to NULL). */
int ocop_client_pipeline(ocop_client_t *self, Ocop__Request **reqs, size_t n, unsigned window, int timeout_ms,
                         Ocop__Reply **replies);

/* Sends a raw frame (tests: malformed and oversized input) and receives the raw reply. */
int ocop_client_send_raw(ocop_client_t *self, const void *data, size_t len);

/* The DEALER socket, for zmq_poll. */
void *ocop_client_socket(ocop_client_t *self);

#endif
