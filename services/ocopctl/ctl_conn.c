/* ctl_conn — configuration, keys, connections and the generic request call. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ctl.h"
#include "ocop_error.h"
#include "ocop_json.h"

int ctl_prepare(ctl_t *ctl)
{
    if (ctl->config || (ctl->gateway && ctl->arena))
        return 0;
    if (ctl->gateway) {
        ctl->arena = ocop_arena_new(64 * 1024);
        return ctl->arena ? 0 : CTL_EXIT_FAILED;
    }
    char err[512];
    ctl->config = ocop_config_load(ctl->config_path, err, sizeof err);
    if (!ctl->config) {
        fprintf(stderr, "ocopctl: %s\n(use --config FILE or set OCOP_CONFIG)\n", err);
        return CTL_EXIT_USAGE;
    }
    if (ocop_keys_load_pair(ocop_config_keys_dir(ctl->config), ctl->as, &ctl->keys, err, sizeof err) != 0) {
        fprintf(stderr, "ocopctl: %s\n(use --as NAME for another key, or 'ocopctl keygen')\n", err);
        return CTL_EXIT_USAGE;
    }
    ctl->zctx = zmq_ctx_new();
    ctl->arena = ocop_arena_new(64 * 1024);
    return ctl->zctx && ctl->arena ? 0 : CTL_EXIT_FAILED;
}

ocop_client_t *ctl_connect(ctl_t *ctl, const char *service)
{
    if (ctl_prepare(ctl) != 0)
        return NULL;
    char err[512], server_key[OCOP_Z85_KEY_LEN + 1];
    ocop_service_config_t sc;
    if (ocop_config_service(ctl->config, service, &sc, err, sizeof err) != 0 ||
        ocop_keys_load_public(ocop_config_keys_dir(ctl->config), service, server_key, err, sizeof err) != 0) {
        fprintf(stderr, "ocopctl: %s\n", err);
        return NULL;
    }
    ocop_client_t *client = ocop_client_new(ctl->zctx, sc.endpoint, server_key, &ctl->keys, ctl->as);
    if (!client)
        fprintf(stderr, "ocopctl: cannot connect to %s at %s\n", service, sc.endpoint);
    return client;
}

int ctl_build_request(ctl_t *ctl, const char *body_name, const cJSON *body, Ocop__Request *req, ocop_json_error_t *why)
{
    ocop__request__init(req);
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, body_name);
    ocop_json_error_t err;
    bool known = f && f->type == PROTOBUF_C_TYPE_MESSAGE && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF);
    if (!known) {
        snprintf(err.field, sizeof err.field, "%s", "");
        snprintf(err.message, sizeof err.message, "unknown request '%s'", body_name);
    } else {
        cJSON *empty = NULL;
        if (!body)
            body = empty = cJSON_CreateObject();
        ProtobufCMessage *msg = ocop_json_to_message(f->descriptor, body, ocop_arena_allocator(ctl->arena), &err);
        cJSON_Delete(empty);
        if (msg) {
            *(ProtobufCMessage **)((char *)req + f->offset) = msg;
            req->body_case = (Ocop__Request__BodyCase)f->id;
            return 0;
        }
    }
    if (why)
        *why = err;
    else if (known)
        fprintf(stderr, "ocopctl: %s: %s\n", body_name, err.message);
    else
        fprintf(stderr, "ocopctl: %s\n", err.message);
    return known ? CTL_EXIT_INVALID : CTL_EXIT_USAGE;
}

const ProtobufCMessage *ctl_request_body(const Ocop__Request *req)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&ocop__request__descriptor, (unsigned)req->body_case);
    return f ? *(const ProtobufCMessage *const *)((const char *)req + f->offset) : NULL;
}

void ctl_json_add_list(cJSON *obj, const char *name, const char *list)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, name);
    char *copy = strdup(list ? list : ""), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ";", &save) : NULL; tok; tok = strtok_r(NULL, ";", &save))
        cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
    free(copy);
}

int ctl_exit_for_status(int status)
{
    switch (status) {
    case OCOP_OK:
        return CTL_EXIT_OK;
    case OCOP_E_INVALID:
    case OCOP_E_WRONG_SHARD:
    case OCOP_E_MALFORMED:
    case OCOP_E_TOO_LARGE:
    case OCOP_E_UNSUPPORTED:
        return CTL_EXIT_INVALID;
    case OCOP_E_NOT_FOUND:
        return CTL_EXIT_NOT_FOUND;
    case OCOP_E_CONFLICT:
    case OCOP_E_ILLEGAL_STATE:
        return CTL_EXIT_CONFLICT;
    case OCOP_E_FORBIDDEN:
        return CTL_EXIT_FORBIDDEN;
    case OCOP_E_UNAVAILABLE:
        return CTL_EXIT_UNAVAILABLE;
    case OCOP_E_STORAGE_FULL:
        return CTL_EXIT_STORAGE_FULL;
    default:
        return CTL_EXIT_FAILED;
    }
}

int ctl_call(ctl_t *ctl, const char *service, const char *body_name, const cJSON *body, Ocop__Reply **reply)
{
    *reply = NULL;
    int rc = ctl_prepare(ctl);
    if (rc != 0)
        return rc;
    Ocop__Request req;
    rc = ctl_build_request(ctl, body_name, body, &req, NULL);
    if (rc != 0)
        return rc;
    if (ctl->gateway)
        return ctl_http_call(ctl, body_name, ctl_request_body(&req), NULL, reply);
    /* A shard that answers WRONG_SHARD naming the shard that holds the target now (a province or
     * record moved) gets the same request, under the same id, sent on there, at most twice. */
    char request_id[OCOP_REQUEST_ID_MAX + 1] = "", target[OCOP_NAME_MAX];
    snprintf(target, sizeof target, "%s", service);
    char *caller = req.caller; /* a client fills what is empty with its own strings */
    for (int hops = 0;; hops++) {
        ocop_client_t *client = ctl_connect(ctl, target);
        if (!client)
            return CTL_EXIT_UNAVAILABLE;
        req.caller = caller;
        if (*request_id)
            req.request_id = request_id;
        int called = ocop_client_call(client, &req, reply, ctl->timeout_ms, 3);
        snprintf(request_id, sizeof request_id, "%s", req.request_id ? req.request_id : "");
        ocop_client_destroy(&client);
        if (called != 0) {
            fprintf(stderr, "ocopctl: %s did not answer within %d ms (3 attempts)\n", target, ctl->timeout_ms);
            return CTL_EXIT_UNAVAILABLE;
        }
        const Ocop__Reply *r = *reply;
        if ((int)r->status != OCOP_E_WRONG_SHARD || !*r->redirect || hops == 2 || strcmp(r->redirect, target) == 0)
            return 0;
        snprintf(target, sizeof target, "%s", r->redirect);
        ocop__reply__free_unpacked(*reply, NULL);
        *reply = NULL;
    }
}

int ctl_call_and_print(ctl_t *ctl, const char *service, const char *body_name, const cJSON *body)
{
    Ocop__Reply *reply;
    int rc = ctl_call(ctl, service, body_name, body, &reply);
    if (rc != 0)
        return rc;
    ctl_print_reply(ctl, reply);
    rc = ctl_exit_for_status(reply->status);
    ocop__reply__free_unpacked(reply, NULL);
    return rc;
}
