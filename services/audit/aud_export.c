/* aud_export — see aud_export.h. */
#include "aud_export.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audit.pb-c.h"
#include "ocop_store.h"

#define S_RECORD_MAX (64u << 20)

/* Whether msg and every message inside it hold no unknown fields. */
static bool s_no_unknown_fields(const ProtobufCMessage *msg)
{
    if (msg->n_unknown_fields)
        return false;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
            continue;
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
            continue;
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)((const char *)msg + f->offset);
        if (sub && !s_no_unknown_fields(sub))
            return false;
    }
    return true;
}

/* The record's bytes are exactly what its fields pack to. */
static bool s_canonical(const Ocop__AudExportRecord *r, const uint8_t *bytes, size_t len)
{
    if (!s_no_unknown_fields(&r->base) || ocop__aud_export_record__get_packed_size(r) != len)
        return false;
    uint8_t *again = malloc(len ? len : 1);
    if (!again)
        return false;
    ocop__aud_export_record__pack(r, again);
    bool same = memcmp(again, bytes, len) == 0;
    free(again);
    return same;
}

/* Why the record cannot be in an export, or NULL. */
static const char *s_refusal(const Ocop__AudExportRecord *r, const uint8_t *bytes, size_t len)
{
    if (r->record_case == OCOP__AUD_EXPORT_RECORD__RECORD_HEAD && r->head)
        return s_canonical(r, bytes, len) ? NULL : "is not in its canonical encoding";
    if (r->record_case != OCOP__AUD_EXPORT_RECORD__RECORD_ENTRY || !r->entry)
        return "is neither a head nor an entry";
    const Ocop__AudEntry *e = r->entry;
    if (e->leaf_hash.len || e->public_data.len || e->n_withheld)
        return "is an entry carrying more than its index and data";
    return s_canonical(r, bytes, len) ? NULL : "is not in its canonical encoding";
}

int aud_export_read(aud_verifier_t *v, FILE *f, char *err, size_t errlen)
{
    char magic[AUD_EXPORT_MAGIC_LEN];
    if (fread(magic, 1, sizeof magic, f) != sizeof magic || memcmp(magic, AUD_EXPORT_MAGIC, sizeof magic) != 0) {
        snprintf(err, errlen, "not an audit export (it must start with OCOP-AUDIT-EXPORT-1)");
        return 2;
    }
    uint8_t *buf = NULL; /* as large as the largest record so far */
    size_t cap = 0;
    int rc = 0;
    for (uint64_t n = 0; rc == 0; n++) {
        uint8_t lb[4];
        size_t got = fread(lb, 1, 4, f);
        if (got == 0 && feof(f))
            break;
        uint32_t len = got == 4 ? ocop_be32_get(lb) : 0;
        if (got == 4 && len <= S_RECORD_MAX && len > cap) {
            uint8_t *grown = realloc(buf, len);
            if (!grown) {
                snprintf(err, errlen, "out of memory for record %llu (%u bytes)", (unsigned long long)n, len);
                rc = 2;
                break;
            }
            buf = grown;
            cap = len;
        }
        if (got != 4 || len > S_RECORD_MAX || fread(buf, 1, len, f) != len) {
            snprintf(err, errlen, "record %llu is truncated or oversized", (unsigned long long)n);
            rc = 2;
            break;
        }
        Ocop__AudExportRecord *r = ocop__aud_export_record__unpack(NULL, len, buf);
        const char *why = r ? s_refusal(r, buf, len) : "does not parse";
        if (why) {
            snprintf(err, errlen, "record %llu %s", (unsigned long long)n, why);
            rc = 2;
        } else if (r->record_case == OCOP__AUD_EXPORT_RECORD__RECORD_HEAD) {
            const Ocop__AudSignedTreeHead *h = r->head;
            rc = aud_verifier_head(v, h->tree_size, h->root_hash.data, h->root_hash.len, h->timestamp_ms,
                                   h->signature.data, h->signature.len, h->key_id) == 0
                     ? 0
                     : 1;
        } else {
            rc = aud_verifier_entry(v, r->entry->index, r->entry->data.data, r->entry->data.len) == 0 ? 0 : 1;
        }
        if (r)
            ocop__aud_export_record__free_unpacked(r, NULL);
    }
    free(buf);
    return rc;
}
