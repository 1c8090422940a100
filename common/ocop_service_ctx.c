/* ocop_service_ctx — what handlers call: the request's context, failures, events. See
 * ocop_service.h for the contract. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_outbox.h"
#include "ocop_record.h"
#include "ocop_service_private.h"
#include "ocop_text.h"

MDB_txn *ocop_ctx_txn(ocop_ctx_t *ctx)
{
    return ctx->txn;
}
ocop_arena_t *ocop_ctx_arena(ocop_ctx_t *ctx)
{
    return ctx->arena;
}
void *ocop_ctx_user(ocop_ctx_t *ctx)
{
    return ctx->svc->user;
}
int64_t ocop_ctx_now_ms(const ocop_ctx_t *ctx)
{
    return ctx->now_ms;
}
const char *ocop_ctx_caller(const ocop_ctx_t *ctx)
{
    return ctx->caller;
}
const char *ocop_ctx_request_id(const ocop_ctx_t *ctx)
{
    return ctx->request_id;
}
const char *ocop_ctx_peer(const ocop_ctx_t *ctx)
{
    return ctx->peer ? ctx->peer : "";
}
bool ocop_ctx_writes(const ocop_ctx_t *ctx)
{
    return ctx->route && ctx->route->writes;
}

void ocop__reply_status(ocop_arena_t *arena, Ocop__Reply *reply, int status, const char *field, const char *message)
{
    reply->status = (Ocop__Status)status;
    /* An error reply carries no body, whatever a handler had put there before failing. */
    if (status != OCOP__STATUS__STATUS_OK)
        reply->body_case = OCOP__REPLY__BODY__NOT_SET;
    reply->field = ocop_arena_strdup(arena, field ? field : "");
    reply->message = ocop_arena_strdup(arena, message ? message : "");
}

int ocop_ctx_fail(ocop_ctx_t *ctx, Ocop__Reply *reply, int status, const char *field, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ocop__reply_status(ctx->arena, reply, status, field, message);
    return -1;
}

int ocop_ctx_db_error(ocop_ctx_t *ctx, Ocop__Reply *reply, int mdb_rc, const char *what)
{
    if (ctx->reader) {
        /* EACCES: a reading route tried to write on its read-only transaction. */
        ocop_log_error(mdb_rc == EACCES ? "write_from_read" : "store_error", "route=%s what=%s error=\"%s\"",
                       ctx->route->name, what, mdb_strerror(mdb_rc));
        return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "storage error while %s", what);
    }
    if (mdb_rc == MDB_MAP_FULL) {
        ctx->svc->map_full = 1;
        return ocop_ctx_fail(ctx, reply, OCOP_E_STORAGE_FULL, "", "storage is full");
    }
    ctx->svc->db_failed = 1;
    ocop_log_error("store_error", "what=%s error=\"%s\"", what, mdb_strerror(mdb_rc));
    return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "storage error while %s", what);
}

int ocop_ctx_emit(ocop_ctx_t *ctx, Ocop__Event *event)
{
    ocop_service_t *self = ctx->svc;
    if (!ctx->route->writes) {
        /* A reading route runs in the batch transaction: an event from it would be a bug. */
        ocop_log_error("emit_from_read", "route=%s", ctx->route->name);
        return -1;
    }
    /* Any failure here comes after the handler's writes: mark the store failed so that the
     * loop undoes them by rerunning the batch. */
    if (self->event_count == self->event_cap) {
        size_t cap = self->event_cap ? self->event_cap * 2 : 256;
        ocop__event_t *grown = realloc(self->events, cap * sizeof *grown);
        if (!grown) {
            self->db_failed = 1;
            return -1;
        }
        self->events = grown;
        self->event_cap = cap;
    }
    event->source = self->name;
    event->shard = self->shard;
    event->sequence = self->next_seq;
    event->time_ms = ctx->now_ms;
    size_t len = ocop__event__get_packed_size(event);
    uint8_t *data = malloc(len ? len : 1);
    if (!data) {
        self->db_failed = 1;
        return -1;
    }
    ocop__event__pack(event, data);
    int rc = ocop_outbox_put(ctx->txn, self->outbox_dbi, ctx->arena, self->next_seq, data, len);
    if (rc != 0) {
        free(data);
        if (rc == MDB_MAP_FULL) {
            self->map_full = 1;
        } else {
            self->db_failed = 1;
            ocop_log_error("outbox_put_failed", "error=\"%s\"", mdb_strerror(rc));
        }
        return -1;
    }
    self->events[self->event_count++] = (ocop__event_t){.seq = self->next_seq, .data = data, .len = len};
    self->next_seq++;
    return 0;
}

size_t ocop__undo_mark(ocop_service_t *self)
{
    return self->undo.mark ? self->undo.mark(self->user) : 0;
}

void ocop__undo_rollback(ocop_service_t *self, size_t mark)
{
    if (self->undo.rollback)
        self->undo.rollback(self->user, mark);
}

/* Forgets the events a discarded request emitted. */
void ocop__events_truncate(ocop_service_t *self, size_t keep, uint64_t next_seq)
{
    for (size_t i = keep; i < self->event_count; i++)
        free(self->events[i].data);
    self->event_count = keep;
    self->next_seq = next_seq;
}

int ocop_ctx_publish(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__Event *event)
{
    if (ocop_ctx_emit(ctx, event) == 0)
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "the event could not be recorded");
}

int ocop_ctx_publish_body(ocop_ctx_t *ctx, Ocop__Reply *reply, const ProtobufCMessage *body)
{
    const ProtobufCMessageDescriptor *desc = &ocop__event__descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || f->type != PROTOBUF_C_TYPE_MESSAGE ||
            f->descriptor != body->descriptor)
            continue;
        Ocop__Event event = OCOP__EVENT__INIT;
        *(uint32_t *)((char *)&event + f->quantifier_offset) = f->id;
        *(const ProtobufCMessage **)((char *)&event + f->offset) = body;
        return ocop_ctx_publish(ctx, reply, &event);
    }
    return ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "no event carries a %s", body->descriptor->name);
}

int ocop_ctx_check_text(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *value, int required,
                        size_t max_chars)
{
    ocop_text_fault_t fault = ocop_text_fault(value, required, max_chars);
    if (fault == OCOP_TEXT_FINE)
        return 0;
    if (fault == OCOP_TEXT_TOO_LONG)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is too long (at most %zu characters)", field,
                             max_chars);
    return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s %s", field, ocop_text_fault_reason(fault));
}

void *ocop_ctx_get(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                   const ProtobufCMessageDescriptor *desc, const char *field, const char *what)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, id ? id : "");
    if (!id || !*id || key.overflow) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%s is required (at most %d bytes)", field, OCOP_KEY_MAX / 2);
        return NULL;
    }
    MDB_val k = ocop_key_val(&key);
    ProtobufCMessage *msg;
    int rc = ocop_record_get(ctx->txn, table, &k, desc, ocop_arena_allocator(ctx->arena), &msg);
    if (rc == MDB_NOTFOUND)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "%s %.64s does not exist", what, id);
    else if (rc != 0)
        ocop_ctx_db_error(ctx, reply, rc, what);
    return rc == 0 ? msg : NULL;
}

int ocop_ctx_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id, const ProtobufCMessage *msg)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, id);
    return ocop_ctx_record_put(ctx, reply, table, &key, msg);
}
