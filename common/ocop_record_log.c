/* ocop_record_log — see ocop_record_log.h. */
#include "ocop_record_log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ocop_record.h"
#include "ocop_scan.h"
#include "ocop_store.h"

static void s_key(ocop_key_t *k, const char *id, uint64_t n)
{
    ocop_key_init(k);
    ocop_key_str(k, id);
    ocop_key_u64(k, n);
}

int ocop_record_log_last(MDB_txn *txn, MDB_dbi dbi, const char *id, uint64_t *n, ocop_bytes_t *value)
{
    *n = 0;
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, id);
    ocop_bytes_t k, v;
    int rc = ocop_scan_last(txn, dbi, &prefix, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    if (k.size != prefix.len + 8)
        return MDB_CORRUPTED;
    *n = ocop_be64_get((const uint8_t *)k.data + prefix.len);
    if (value)
        *value = v;
    return 0;
}

int ocop_record_log_append(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessage *msg, uint64_t *n)
{
    uint64_t last;
    int rc = ocop_record_log_last(txn, dbi, id, &last, NULL);
    if (rc != 0)
        return rc;
    ocop_key_t next;
    s_key(&next, id, last + 1);
    MDB_val nk = ocop_key_val(&next);
    if ((rc = ocop_record_put(txn, dbi, &nk, msg)) == 0 && n)
        *n = last + 1;
    return rc;
}

/* Visits the entries of id: counts them when out is NULL, else unpacks them into out. */
static int s_scan(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                  ProtobufCAllocator *alloc, ProtobufCMessage **out, size_t max, size_t *count)
{
    *count = 0;
    ocop_key_t start;
    s_key(&start, id, 0);
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, id);
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, dbi, &prefix, &start);
    while (rc == 0 && *count < max && ocop_scan_next(&scan)) {
        if (scan.key.size != prefix.len + 8) {
            ocop_scan_fail(&scan, MDB_CORRUPTED);
            break;
        }
        if (out && !(out[*count] = protobuf_c_message_unpack(desc, alloc, scan.value.size, scan.value.data))) {
            ocop_scan_fail(&scan, MDB_CORRUPTED);
            break;
        }
        (*count)++;
    }
    return ocop_scan_close(&scan, rc);
}

int ocop_record_log_count(MDB_txn *txn, MDB_dbi dbi, const char *id, size_t *count)
{
    return s_scan(txn, dbi, id, NULL, NULL, NULL, SIZE_MAX, count);
}

int ocop_record_log_read(MDB_txn *txn, MDB_dbi dbi, const char *id, const ProtobufCMessageDescriptor *desc,
                         ProtobufCAllocator *alloc, ProtobufCMessage ***out, size_t *count)
{
    size_t n;
    int rc = s_scan(txn, dbi, id, desc, alloc, NULL, SIZE_MAX, &n);
    if (rc != 0)
        return rc;
    *out = alloc->alloc(alloc->allocator_data, (n ? n : 1) * sizeof **out);
    if (!*out)
        return ENOMEM;
    return s_scan(txn, dbi, id, desc, alloc, *out, n, count);
}
