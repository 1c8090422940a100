/* Unit: the API's route table — every route names a real request and reply, paths match with
 * their parameters (and only them), 405 is told from 404, paths are filled back with escaping,
 * scoped writes always name where their target is, and statuses map to HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "ocop_api.h"
#include "ocop_error.h"

static void test_table_is_consistent(void **state)
{
    (void)state;
    size_t n;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    assert_true(n >= 50);
    for (size_t i = 0; i < n; i++) {
        const ocop_api_route_t *r = &routes[i];
        const ProtobufCFieldDescriptor *req =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, r->request);
        const ProtobufCFieldDescriptor *rep =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__reply__descriptor, r->reply);
        if (!req || !rep)
            fail_msg("%s %s: unknown request %s or reply %s", r->method, r->path, r->request, r->reply);
        assert_ptr_equal(ocop_api_route_for_request(r->request), r);
        /* Every {parameter} is a field of the request. */
        for (const char *t = strchr(r->path, '{'); t; t = strchr(t + 1, '{')) {
            char name[64];
            const char *close = strchr(t, '}');
            snprintf(name, sizeof name, "%.*s", (int)(close - t - 1), t + 1);
            if (!protobuf_c_message_descriptor_get_field_by_name(req->descriptor, name))
                fail_msg("%s: {%s} is not a field of %s", r->path, name, r->request);
        }
        if (r->scope_field && !protobuf_c_message_descriptor_get_field_by_name(req->descriptor, r->scope_field))
            fail_msg("%s: scope field %s is not a field of %s", r->path, r->scope_field, r->request);
        if (r->shard_field && !protobuf_c_message_descriptor_get_field_by_name(req->descriptor, r->shard_field))
            fail_msg("%s: shard field %s is not a field of %s", r->path, r->shard_field, r->request);
        assert_true((r->service == OCOP_API_EVALUATION) == (r->shard != OCOP_SHARD_NONE));
        /* A write a scoped role may send says where its target is. */
        unsigned scoped = OCOP_ROLE_PRODUCER | OCOP_ROLE_COMMUNE | OCOP_ROLE_PROVINCE | OCOP_ROLE_COUNCIL;
        if (strcmp(r->method, "GET") != 0 && (r->roles & scoped))
            assert_int_not_equal(r->scope, OCOP_SCOPE_NONE);
        /* The public never writes. */
        if (strcmp(r->method, "GET") != 0)
            assert_false(r->roles & OCOP_ROLE_PUBLIC);
        /* One route per method and path. */
        for (size_t j = i + 1; j < n; j++)
            assert_false(strcmp(r->path, routes[j].path) == 0 && strcmp(r->method, routes[j].method) == 0);
    }
}

/* The field path in desc, or fail: each step a singular field, every step but the last a
 * message. Returns the last field. */
static const ProtobufCFieldDescriptor *s_path_field(const ProtobufCMessageDescriptor *desc, const char *path)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    const ProtobufCFieldDescriptor *f = NULL;
    for (char *step = strtok(copy, "."); step; step = strtok(NULL, ".")) {
        if (!desc)
            fail_msg("%s: %s is not a message", path, f->name);
        f = protobuf_c_message_descriptor_get_field_by_name(desc, step);
        if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
            fail_msg("%s: no single field %s in %s", path, step, desc->name);
        desc = f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor : NULL;
    }
    return f;
}

/* Every scope rule but none and province has one lookup; each asks a read the API serves, with
 * the key in a string field of it, and names target parts that are string fields of its reply
 * (the level an EvalLevel). */
static void test_scope_lookups_name_real_fields(void **state)
{
    (void)state;
    for (int rule = OCOP_SCOPE_NONE; rule <= OCOP_SCOPE_FAIR; rule++)
        assert_int_equal(ocop_scope_lookup(rule) == NULL, rule == OCOP_SCOPE_NONE || rule == OCOP_SCOPE_PROVINCE);
    size_t n;
    const ocop_scope_lookup_t *lookups = ocop_scope_lookups(&n);
    for (size_t i = 0; i < n; i++) {
        const ocop_scope_lookup_t *l = &lookups[i];
        assert_ptr_equal(ocop_scope_lookup(l->rule), l);
        const ocop_api_route_t *read = ocop_api_route_for_request(l->lookup);
        assert_non_null(read);
        assert_string_equal(read->method, "GET");
        assert_int_equal(read->service, l->service);
        const ProtobufCMessageDescriptor *ask =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__request__descriptor, l->lookup)->descriptor;
        assert_int_equal(s_path_field(ask, l->key_field)->type, PROTOBUF_C_TYPE_STRING);
        assert_true((l->carry_from == NULL) == (l->carry_to == NULL));
        if (l->carry_to)
            assert_int_equal(s_path_field(ask, l->carry_to)->type, PROTOBUF_C_TYPE_STRING);
        const ProtobufCMessageDescriptor *body =
            protobuf_c_message_descriptor_get_field_by_name(&ocop__reply__descriptor, read->reply)->descriptor;
        const char *parts[] = {l->province, l->commune, l->entity, l->council};
        assert_non_null(l->province);
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            if (parts[k])
                assert_int_equal(s_path_field(body, parts[k])->type, PROTOBUF_C_TYPE_STRING);
        if (l->level)
            assert_ptr_equal(s_path_field(body, l->level)->descriptor, &ocop__eval_level__descriptor);
    }
}

static void test_match(void **state)
{
    (void)state;
    ocop_api_params_t p;
    bool known;
    const ocop_api_route_t *r = ocop_api_match("POST", "/v1/products/PRD-00000001/transitions", &p, &known);
    assert_non_null(r);
    assert_string_equal(r->request, "reg_stage_transition");
    assert_int_equal(p.count, 1);
    assert_string_equal(p.name[0], "product_id");
    assert_string_equal(p.value[0], "PRD-00000001");
    r = ocop_api_match("GET", "/v1/products/PRD-1", &p, &known);
    assert_string_equal(r->request, "reg_product_get");
    assert_string_equal(p.value[0], "PRD-1");
    r = ocop_api_match("GET", "/v1/products", &p, &known);
    assert_string_equal(r->request, "reg_product_list");
    assert_int_equal(p.count, 0);
    /* A known path under another method: 405, not 404. */
    assert_null(ocop_api_match("DELETE", "/v1/products/PRD-1", &p, &known));
    assert_true(known);
    assert_null(ocop_api_match("GET", "/v1/products/PRD-1/nothing", &p, &known));
    assert_false(known);
    assert_null(ocop_api_match("GET", "/v1/products/", &p, &known)); /* an empty parameter */
    assert_false(known);
    assert_null(ocop_api_match("GET", "/v1/products//rating", &p, &known));
    char longid[300];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    char path[400];
    snprintf(path, sizeof path, "/v1/products/%s", longid);
    assert_null(ocop_api_match("GET", path, &p, &known));
}

static const char *s_value(const char *name, void *user)
{
    (void)user;
    return strcmp(name, "fair_id") == 0 ? "Hội chợ/1" : NULL;
}

static void test_path_fill(void **state)
{
    (void)state;
    const ocop_api_route_t *r = ocop_api_route_for_request("pro_apply");
    char out[128];
    assert_int_equal(ocop_api_path_fill(r, s_value, NULL, out, sizeof out), 0);
    assert_string_equal(out, "/v1/fairs/H%E1%BB%99i%20ch%E1%BB%A3%2F1/applications");
    assert_int_equal(ocop_api_path_fill(r, s_value, NULL, out, 20), -1);
    assert_int_equal(ocop_api_path_fill(ocop_api_route_for_request("reg_product_get"), s_value, NULL, out, sizeof out),
                     -1);
}

static void test_statuses_and_roles(void **state)
{
    (void)state;
    assert_int_equal(ocop_api_http_status(OCOP_OK), 200);
    assert_int_equal(ocop_api_http_status(OCOP_E_INVALID), 400);
    assert_int_equal(ocop_api_http_status(OCOP_E_NOT_FOUND), 404);
    assert_int_equal(ocop_api_http_status(OCOP_E_CONFLICT), 409);
    assert_int_equal(ocop_api_http_status(OCOP_E_ILLEGAL_STATE), 409);
    assert_int_equal(ocop_api_http_status(OCOP_E_FORBIDDEN), 403);
    assert_int_equal(ocop_api_http_status(OCOP_E_UNAVAILABLE), 503);
    assert_int_equal(ocop_api_http_status(OCOP_E_TOO_LARGE), 413);
    assert_int_equal(ocop_api_http_status(OCOP_E_STORAGE_FULL), 507);
    assert_int_equal(ocop_api_http_status(OCOP_E_INTERNAL), 500);
    for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++) {
        ocop_role_t role = (ocop_role_t)(1u << b);
        assert_int_equal(ocop_role_from_name(ocop_role_name(role)), role);
    }
    assert_int_equal(ocop_role_from_name("king"), 0);
    assert_null(ocop_role_name((ocop_role_t)(1u << OCOP_ROLE_COUNT)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_scope_lookups_name_real_fields),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_path_fill),
        cmocka_unit_test(test_statuses_and_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
