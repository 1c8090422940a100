/* aud_deliver — see aud_deliver.h. */
#include "aud_deliver.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.pb-c.h"
#include "ocop_client.h"
#include "ocop_error.h"
#include "ocop_log.h"
#include "ocop_record.h"
#include "ocop_scan.h"
#include "ocop_store.h"

#define S_BATCH 64
#define S_CLIENTS_MAX 64
#define S_TIMEOUT_MS 2000

typedef struct {
    char section[OCOP_NAME_MAX];
    ocop_client_t *client;
} s_peer_t;

struct aud_deliverer_t {
    aud_state_t *state;
    void *zctx;
    const ocop_keypair_t *keys;
    s_peer_t peers[S_CLIENTS_MAX];
    size_t n_peers;
};

typedef struct {
    char id[32];
    char certificate[48];
    char note[600];
    Ocop__RevocationReason reason;
} s_pending_t;

aud_deliverer_t *aud_deliverer_new(aud_state_t *state, void *zctx, const ocop_keypair_t *keys)
{
    aud_deliverer_t *self = calloc(1, sizeof *self);
    if (self) {
        self->state = state;
        self->zctx = zctx;
        self->keys = keys;
    }
    return self;
}

void aud_deliverer_destroy(aud_deliverer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (size_t i = 0; i < (*self_p)->n_peers; i++)
        ocop_client_destroy(&(*self_p)->peers[i].client);
    free(*self_p);
    *self_p = NULL;
}

/* The client of evaluation shard section (one of the config's); NULL with why in err. */
static ocop_client_t *s_client(aud_deliverer_t *self, const char *section, char *err, size_t errlen)
{
    char key[OCOP_Z85_KEY_LEN + 1];
    for (size_t i = 0; i < self->n_peers; i++)
        if (strcmp(self->peers[i].section, section) == 0)
            return self->peers[i].client;
    ocop_service_config_t sc;
    if (self->n_peers == S_CLIENTS_MAX || ocop_config_service(self->state->config, section, &sc, err, errlen) != 0 ||
        ocop_keys_load_public(ocop_config_keys_dir(self->state->config), section, key, err, errlen) != 0)
        return NULL;
    s_peer_t *p = &self->peers[self->n_peers];
    p->client = ocop_client_new(self->zctx, sc.endpoint, key, self->keys, "audit");
    if (!p->client) {
        snprintf(err, errlen, "cannot connect to %s", section);
        return NULL;
    }
    snprintf(p->section, sizeof p->section, "%s", section);
    self->n_peers++;
    return p->client;
}

/* The client of the shard that issued certificate ("CERT<shard>-<n>"); NULL with why in err. */
static ocop_client_t *s_peer(aud_deliverer_t *self, const char *certificate, char *err, size_t errlen)
{
    unsigned shard = 0;
    char section[OCOP_NAME_MAX];
    if (sscanf(certificate, "CERT%u-", &shard) != 1 ||
        ocop_config_shard_name(self->state->config, "evaluation", shard, section, sizeof section) != 0) {
        snprintf(err, errlen, "no evaluation shard %u in the config for certificate %s", shard, certificate);
        return NULL;
    }
    return s_client(self, section, err, errlen);
}

/* Sends req to client; a shard that answers WRONG_SHARD naming the shard its certificate moved
 * to (with its province) gets it sent on, at most twice more. 0 with *reply, or -1 when a shard
 * did not answer (or cannot be reached: err). */
static int s_call(aud_deliverer_t *self, ocop_client_t *client, const Ocop__Request *req, Ocop__Reply **reply,
                  char *err, size_t errlen)
{
    for (int hops = 0;; hops++) {
        if (ocop_client_call(client, (Ocop__Request *)req, reply, S_TIMEOUT_MS, 1) != 0) {
            snprintf(err, errlen, "pending: evaluation did not answer; retrying");
            return -1;
        }
        Ocop__Reply *r = *reply;
        if (r->status != OCOP__STATUS__STATUS_WRONG_SHARD || !*r->redirect || hops == 2)
            return 0;
        client = s_client(self, r->redirect, err, errlen);
        if (!client)
            return 0; /* answer the refusal: the shard named is not in this config */
        ocop__reply__free_unpacked(r, NULL);
        *reply = NULL;
    }
}

static size_t s_pending(aud_deliverer_t *self, s_pending_t *out)
{
    aud_state_t *state = self->state;
    size_t n = 0;
    MDB_txn *txn;
    ocop_store_hold(state->store);
    if (mdb_txn_begin(ocop_store_env(state->store), NULL, MDB_RDONLY, &txn) != 0) {
        ocop_store_release(state->store);
        return 0;
    }
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, txn, state->db.inspections, NULL, NULL);
    while (rc == 0 && n < S_BATCH && ocop_scan_next(&scan)) {
        Ocop__AudInspection *in = ocop__aud_inspection__unpack(NULL, scan.value.size, scan.value.data);
        if (in && in->revocation_requested && !in->revocation_delivered) {
            s_pending_t *p = &out[n++];
            snprintf(p->id, sizeof p->id, "%s", in->id);
            snprintf(p->certificate, sizeof p->certificate, "%s", in->certificate_id);
            snprintf(p->note, sizeof p->note, "audit inspection %s: %.500s", in->id, in->finding);
            p->reason = in->revocation_reason;
        }
        if (in)
            ocop__aud_inspection__free_unpacked(in, NULL);
    }
    ocop_scan_close(&scan, rc);
    mdb_txn_abort(txn);
    ocop_store_release(state->store);
    return n;
}

/* Records on the inspection what evaluation answered (delivered) or why it could not be asked. */
static void s_record(aud_deliverer_t *self, const char *id, bool delivered, const char *what)
{
    aud_state_t *state = self->state;
    ocop_store_hold(state->store);
    MDB_txn *txn;
    int rc = mdb_txn_begin(ocop_store_env(state->store), NULL, 0, &txn);
    if (rc == 0) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, id);
        MDB_val k = ocop_key_val(&key);
        ProtobufCMessage *msg;
        rc = ocop_record_get(txn, state->db.inspections, &k, &ocop__aud_inspection__descriptor, NULL, &msg);
        if (rc == 0) {
            Ocop__AudInspection *in = (Ocop__AudInspection *)msg;
            char *old = in->delivery;
            in->revocation_delivered = delivered;
            in->delivery = (char *)what;
            rc = ocop_record_put(txn, state->db.inspections, &k, &in->base);
            in->delivery = old;
            ocop__aud_inspection__free_unpacked(in, NULL);
        }
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
    }
    ocop_store_release(state->store);
    if (rc != 0)
        ocop_log_warn("inspection_record_failed", "id=%s error=\"%s\"", id, mdb_strerror(rc));
}

void aud_deliver_tick(void *user)
{
    aud_deliverer_t *self = user;
    s_pending_t pending[S_BATCH];
    size_t n = s_pending(self, pending);
    for (size_t i = 0; i < n; i++) {
        char err[512], what[700], rid[64];
        ocop_client_t *client = s_peer(self, pending[i].certificate, err, sizeof err);
        if (!client) {
            s_record(self, pending[i].id, false, err);
            continue;
        }
        Ocop__EvalCertificateRevoke body = OCOP__EVAL_CERTIFICATE_REVOKE__INIT;
        body.id = pending[i].certificate;
        body.reason = pending[i].reason;
        body.note = pending[i].note;
        Ocop__Request req = OCOP__REQUEST__INIT;
        snprintf(rid, sizeof rid, "audit-revoke-%s", pending[i].id);
        req.request_id = rid;
        req.body_case = OCOP__REQUEST__BODY_EVAL_CERTIFICATE_REVOKE;
        req.eval_certificate_revoke = &body;
        Ocop__Reply *reply;
        if (s_call(self, client, &req, &reply, err, sizeof err) != 0) {
            s_record(self, pending[i].id, false, err);
            continue;
        }
        /* A final answer either way: revoked, or refused (already ended, unknown). */
        bool final = reply->status != OCOP__STATUS__STATUS_UNAVAILABLE &&
                     reply->status != OCOP__STATUS__STATUS_STORAGE_FULL &&
                     reply->status != OCOP__STATUS__STATUS_INTERNAL;
        snprintf(what, sizeof what, "%s%s%s", ocop_status_name(reply->status), *reply->message ? ": " : "",
                 reply->message);
        ocop_log_info("revocation_requested", "inspection=%s certificate=%s answer=%s", pending[i].id,
                      pending[i].certificate, ocop_status_name(reply->status));
        ocop__reply__free_unpacked(reply, NULL);
        s_record(self, pending[i].id, final, what);
    }
}
