/* ocop_service_records — records through the context (see ocop_service.h): the request's
 * transaction behind ocop_record, ocop_counter and ocop_scan, every write through ocop_db. */
#include "ocop_counter.h"
#include "ocop_db.h"
#include "ocop_record.h"
#include "ocop_record_log.h"
#include "ocop_service_private.h"

int ocop_ctx_record(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key,
                    const ProtobufCMessageDescriptor *desc, void **out)
{
    *out = NULL;
    if (key->overflow) /* never written: refused by every put */
        return 1;
    MDB_val k = ocop_key_val(key);
    ProtobufCMessage *msg;
    int rc = ocop_record_get(ctx->txn, table, &k, desc, ocop_arena_allocator(ctx->arena), &msg);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a record");
    *out = msg;
    return 0;
}

int ocop_ctx_record_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key,
                        const ProtobufCMessage *msg)
{
    MDB_val k = ocop_key_val(key);
    int rc = key->overflow ? MDB_BAD_VALSIZE : ocop_record_put(ctx->txn, table, &k, msg);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "writing a record");
}

int ocop_ctx_value(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, ocop_bytes_t *out)
{
    if (key->overflow)
        return 1;
    MDB_val k = ocop_key_val(key), v;
    int rc = mdb_get(ctx->txn, table, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a record");
    *out = (ocop_bytes_t){.data = v.mv_data, .size = v.mv_size};
    return 0;
}

int ocop_ctx_value_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, const void *data,
                       size_t size)
{
    MDB_val k = ocop_key_val(key), v = {.mv_size = size, .mv_data = (void *)data};
    int rc = key->overflow ? MDB_BAD_VALSIZE : ocop_db_put(ctx->txn, table, &k, &v, 0);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "writing a record");
}

int ocop_ctx_erase(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key)
{
    if (key->overflow)
        return 0;
    MDB_val k = ocop_key_val(key);
    int rc = ocop_db_del(ctx->txn, table, &k, NULL);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : ocop_ctx_db_error(ctx, reply, rc, "deleting a record");
}

int ocop_ctx_counter(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, uint64_t *value)
{
    *value = 0;
    if (key->overflow)
        return 0;
    MDB_val k = ocop_key_val(key);
    int rc = ocop_counter_get(ctx->txn, table, &k, value);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading a counter");
}

int ocop_ctx_counter_add(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *key, int64_t delta,
                         uint64_t *after)
{
    MDB_val k = ocop_key_val(key);
    int rc = key->overflow ? MDB_BAD_VALSIZE : ocop_counter_add(ctx->txn, table, &k, delta, after);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "counting");
}

int ocop_ctx_log_last(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id, uint64_t *n,
                      ocop_bytes_t *value)
{
    int rc = ocop_record_log_last(ctx->txn, table, id, n, value);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading a record's log");
}

int ocop_ctx_log_append(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                        const ProtobufCMessage *msg, uint64_t *n)
{
    int rc = ocop_record_log_append(ctx->txn, table, id, msg, n);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "writing a record's log");
}

int ocop_ctx_log_read(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *id,
                      const ProtobufCMessageDescriptor *desc, ProtobufCMessage ***out, size_t *count)
{
    int rc = ocop_record_log_read(ctx->txn, table, id, desc, ocop_arena_allocator(ctx->arena), out, count);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading a record's log");
}

int ocop_ctx_index_put(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                       const char *id)
{
    int rc = ocop_index_put(ctx->txn, table, index, value, id);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "writing an index");
}

int ocop_ctx_index_del(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                       const char *id)
{
    int rc = ocop_index_del(ctx->txn, table, index, value, id);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "writing an index");
}

int ocop_ctx_index_scan(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const char *index, const char *value,
                        const char *after_id, size_t max_scan, ocop_index_visit_fn visit, void *user, char *last_id,
                        size_t last_len, int *more)
{
    int rc = ocop_index_scan(ctx->txn, table, index, value, after_id, max_scan, visit, user, last_id, last_len, more);
    if (rc == -1) /* the visitor's: the reply says why */
        return -1;
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading an index");
}

int ocop_ctx_scan_open(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_scan_t *scan, ocop_table_t table,
                       const ocop_key_t *prefix, const ocop_key_t *from)
{
    int rc = ocop_scan_open(scan, ctx->txn, table, prefix, from);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, "reading a list");
}

int ocop_ctx_last(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table, const ocop_key_t *prefix, ocop_bytes_t *key,
                  ocop_bytes_t *value)
{
    ocop_bytes_t k, v;
    if (prefix && prefix->overflow)
        return 1;
    int rc = ocop_scan_last(ctx->txn, table, prefix, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading a list");
    if (key)
        *key = k;
    if (value)
        *value = v;
    return 0;
}

int ocop_ctx_scan_close(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_scan_t *scan, const char *what)
{
    int rc = ocop_scan_close(scan, 0);
    return rc == 0 ? 0 : ocop_ctx_db_error(ctx, reply, rc, what);
}
