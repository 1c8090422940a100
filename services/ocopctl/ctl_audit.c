/* ctl_audit — "ocopctl audit export FILE": every signed tree head and every entry of the audit
 * log, in the export format of audit.proto (AudExportRecord), for ocop-audit-verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ocop_error.h"
#include "ocop_store.h"

#define S_MAGIC "OCOP-AUDIT-EXPORT-1\n"
#define S_PAGE 5000

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocopctl audit export FILE [--service NAME]\n"
                 "  Writes every signed tree head and every entry of the audit log (service NAME, default\n"
                 "  \"audit\") up to its latest signed head to FILE; check it offline with\n"
                 "  ocop-audit-verify --key KEYS/audit.sign.pub --export FILE.\n");
}

static int s_write_record(FILE *f, const Ocop__AudExportRecord *r)
{
    size_t len = ocop__aud_export_record__get_packed_size(r);
    uint8_t *buf = malloc(len ? len : 1), lb[4];
    if (!buf)
        return -1;
    ocop__aud_export_record__pack(r, buf);
    ocop_be32_put(lb, (uint32_t)len);
    int rc = fwrite(lb, 1, 4, f) == 4 && fwrite(buf, 1, len, f) == len ? 0 : -1;
    free(buf);
    return rc;
}

/* One request to the audit service; a non-OK reply is printed and turned into an exit code. */
static int s_ask(ctl_t *ctl, ocop_client_t *client, Ocop__Request *req, Ocop__Reply **reply)
{
    if (ctl->gateway) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field(&ocop__request__descriptor, (unsigned)req->body_case);
        int rc = ctl_http_call(ctl, f->name, ctl_request_body(req), NULL, reply);
        if (rc != 0)
            return rc;
    } else if (ocop_client_call(client, req, reply, ctl->timeout_ms, 3) != 0) {
        fprintf(stderr, "ocopctl audit: no answer within %d ms (3 attempts)\n", ctl->timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    if ((*reply)->status == OCOP__STATUS__STATUS_OK)
        return 0;
    fprintf(stderr, "ocopctl audit: %s: %s\n", ocop_status_name((*reply)->status), (*reply)->message);
    int rc = ctl_exit_for_status((*reply)->status);
    ocop__reply__free_unpacked(*reply, NULL);
    return rc;
}

static int s_heads(ctl_t *ctl, ocop_client_t *client, FILE *f, uint64_t size, uint64_t *written)
{
    uint64_t from = 0;
    for (;;) {
        Ocop__AudHeadsGet body = OCOP__AUD_HEADS_GET__INIT;
        body.from_size = from;
        body.max = S_PAGE;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_HEADS_GET;
        req.aud_heads_get = &body;
        Ocop__Reply *reply;
        int rc = s_ask(ctl, client, &req, &reply);
        if (rc != 0)
            return rc;
        const Ocop__AudHeadPage *page = reply->aud_head_page;
        int done = page->n_heads == 0;
        for (size_t i = 0; i < page->n_heads && rc == 0; i++) {
            if (page->heads[i]->tree_size > size) {
                done = 1;
                break;
            }
            Ocop__AudExportRecord r = OCOP__AUD_EXPORT_RECORD__INIT;
            r.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_HEAD;
            r.head = page->heads[i];
            rc = s_write_record(f, &r) == 0 ? 0 : CTL_EXIT_FAILED;
            from = page->heads[i]->tree_size + 1;
            (*written)++;
        }
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0 || done)
            return rc;
    }
}

static int s_entries(ctl_t *ctl, ocop_client_t *client, FILE *f, uint64_t size)
{
    for (uint64_t from = 0; from < size;) {
        Ocop__AudEntriesGet body = OCOP__AUD_ENTRIES_GET__INIT;
        body.from = from;
        body.max = S_PAGE;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_ENTRIES_GET;
        req.aud_entries_get = &body;
        Ocop__Reply *reply;
        int rc = s_ask(ctl, client, &req, &reply);
        if (rc != 0)
            return rc;
        const Ocop__AudEntryPage *page = reply->aud_entry_page;
        for (size_t i = 0; i < page->n_entries && from < size && rc == 0; i++, from++) {
            const Ocop__AudEntry *got = page->entries[i];
            if (got->n_withheld || got->public_data.len) {
                fprintf(stderr,
                        "ocopctl audit: entry %llu comes with fields withheld from this token's role; an export "
                        "needs every byte: export as an auditor or a central officer\n",
                        (unsigned long long)got->index);
                rc = CTL_EXIT_FAILED;
                break;
            }
            /* An export holds what the log holds: the index and the data (not the gateway's
             * leaf hash). */
            Ocop__AudEntry e = OCOP__AUD_ENTRY__INIT;
            e.index = got->index;
            e.data = got->data;
            Ocop__AudExportRecord r = OCOP__AUD_EXPORT_RECORD__INIT;
            r.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_ENTRY;
            r.entry = &e;
            rc = s_write_record(f, &r) == 0 ? 0 : CTL_EXIT_FAILED;
        }
        int empty = page->n_entries == 0;
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0)
            return rc;
        if (empty) {
            fprintf(stderr, "ocopctl audit: the log returned no entry at %llu of %llu\n", (unsigned long long)from,
                    (unsigned long long)size);
            return CTL_EXIT_FAILED;
        }
        fprintf(stderr, "\raudit export: %llu/%llu entries", (unsigned long long)from, (unsigned long long)size);
    }
    if (size)
        fprintf(stderr, "\n");
    return 0;
}

static int s_export(ctl_t *ctl, const char *path, const char *service)
{
    ocop_client_t *client = ctl->gateway ? NULL : ctl_connect(ctl, service);
    if (!client && !ctl->gateway)
        return CTL_EXIT_UNAVAILABLE;
    Ocop__AudTreeHeadGet get = OCOP__AUD_TREE_HEAD_GET__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_TREE_HEAD_GET;
    req.aud_tree_head_get = &get;
    Ocop__Reply *reply;
    int rc = s_ask(ctl, client, &req, &reply);
    if (rc != 0) {
        ocop_client_destroy(&client);
        return rc;
    }
    uint64_t size = reply->aud_tree_head->tree_size, heads = 0;
    ocop__reply__free_unpacked(reply, NULL);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "ocopctl audit: cannot write %s\n", tmp);
        ocop_client_destroy(&client);
        return CTL_EXIT_FAILED;
    }
    rc = fwrite(S_MAGIC, 1, sizeof S_MAGIC - 1, f) == sizeof S_MAGIC - 1 ? 0 : CTL_EXIT_FAILED;
    if (rc == 0)
        rc = s_heads(ctl, client, f, size, &heads);
    if (rc == 0)
        rc = s_entries(ctl, client, f, size);
    if (fclose(f) != 0 && rc == 0)
        rc = CTL_EXIT_FAILED;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = CTL_EXIT_FAILED;
    if (rc != 0)
        remove(tmp);
    else
        printf("audit export: %llu entries and %llu signed heads written to %s\n", (unsigned long long)size,
               (unsigned long long)heads, path);
    ocop_client_destroy(&client);
    return rc;
}

int ctl_cmd_audit(ctl_t *ctl, int argc, char **argv)
{
    const char *service = "audit", *path = NULL;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        s_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc < 3 || strcmp(argv[1], "export") != 0) {
        s_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    path = argv[2];
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--service") == 0 && i + 1 < argc) {
            service = argv[++i];
        } else {
            s_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    int rc = ctl_prepare(ctl);
    return rc != 0 ? rc : s_export(ctl, path, service);
}
