/* ocop_service_timers — the time-driven work a service's loop does itself (ocop_timer_t): when a
 * timer is due, its request joins the next batch as an item the loop made, with no client
 * behind it; its reply goes to the timer instead of a socket. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ocop_date.h"
#include "ocop_client.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_service_private.h"

int ocop__timers_wait_ms(const ocop_service_t *self, int cap)
{
    int64_t now = ocop_monotonic_ms();
    int wait = cap;
    for (size_t i = 0; i < self->n_timers; i++) {
        int64_t left = self->timers[i].due_ms - now;
        if (left < wait)
            wait = left < 0 ? 0 : (int)left;
    }
    return wait;
}

static void s_free(void *data, void *hint)
{
    (void)hint;
    free(data);
}

size_t ocop__timers_items(ocop_service_t *self, ocop__item_t *items, size_t max)
{
    int64_t now = ocop_monotonic_ms();
    size_t n = 0;
    for (size_t i = 0; i < self->n_timers && n < max; i++) {
        ocop__timer_t *t = &self->timers[i];
        if (t->due_ms > now)
            continue;
        t->due_ms = now + t->spec.every_ms;
        Ocop__Request req = OCOP__REQUEST__INIT;
        if (!t->spec.make(self->user, &req, self->arena))
            continue;
        char id[OCOP_REQUEST_ID_LEN + 1];
        ocop_request_id_new(id);
        req.request_id = id;
        req.caller = self->self_peer >= 0 ? self->peers[self->self_peer].name : self->name;
        size_t len = ocop__request__get_packed_size(&req);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            ocop_log_error("timer_failed", "timer=%s error=\"out of memory\"", t->spec.name);
            continue;
        }
        ocop__request__pack(&req, buf);
        ocop__item_t *item = &items[n++];
        memset(item, 0, sizeof *item);
        zmq_msg_init(&item->identity);
        zmq_msg_init_data(&item->payload, buf, len, s_free, NULL);
        item->peer = self->self_peer;
        item->timer = (int)i;
    }
    return n;
}

void ocop__timers_done(ocop_service_t *self, const ocop__item_t *item)
{
    ocop__timer_t *t = &self->timers[item->timer];
    Ocop__Reply *reply = item->reply ? ocop__reply__unpack(NULL, item->reply_len, item->reply) : NULL;
    if (!reply) {
        ocop_log_error("timer_failed", "timer=%s error=\"no reply\"", t->spec.name);
        return;
    }
    if (reply->status != OCOP__STATUS__STATUS_OK)
        ocop_log_warn("timer_failed", "timer=%s status=%s field=%s message=\"%s\"", t->spec.name,
                      ocop_status_name(reply->status), reply->field, reply->message);
    if (t->spec.done && t->spec.done(self->user, reply))
        t->due_ms = ocop_monotonic_ms(); /* more is due: again at once */
    ocop__reply__free_unpacked(reply, NULL);
}
