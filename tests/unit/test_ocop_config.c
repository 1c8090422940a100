/* ocop_config: defaults, path resolution, and error messages that name file and field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "ocop_config.h"
#include "unit_tmpdir.h"

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    char path[UNIT_TMPDIR_LEN + 32];
    char real_dir[1024];
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/config.json", fx->dir);
    /* /tmp may be a symlink; the loader reports resolved directories. */
    if (!realpath(fx->dir, fx->real_dir)) {
        test_rmtree(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void s_write(const s_fixture_t *fx, const char *json)
{
    FILE *f = fopen(fx->path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
}

/* Loads json and expects failure with a message containing every fragment. */
static void s_expect_load_error(const s_fixture_t *fx, const char *json, const char *fragment)
{
    char err[512] = "";
    s_write(fx, json);
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    if (cfg) {
        ocop_config_destroy(&cfg);
        fail_msg("loaded, expected an error containing '%s' for %s", fragment, json);
    }
    if (!strstr(err, fragment) || !strstr(err, fx->path))
        fail_msg("error '%s' lacks '%s' or the file name", err, fragment);
}

#define S_MINIMAL                                                                                                      \
    "{\"services\": {\"registration\": {\"endpoint\": \"tcp://127.0.0.1:7101\","                                       \
    " \"events_endpoint\": \"tcp://127.0.0.1:7102\"}}}"

static void test_defaults(void **state)
{
    s_fixture_t *fx = *state;
    char err[512] = "";
    char want[1100];
    s_write(fx, S_MINIMAL);
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    assert_non_null(cfg);
    snprintf(want, sizeof want, "%s/keys", fx->real_dir);
    assert_string_equal(ocop_config_keys_dir(cfg), want);
    snprintf(want, sizeof want, "%s/data", fx->real_dir);
    assert_string_equal(ocop_config_data_dir(cfg), want);

    ocop_service_config_t svc;
    assert_int_equal(ocop_config_service(cfg, "registration", &svc, err, sizeof err), 0);
    assert_string_equal(svc.name, "registration");
    assert_string_equal(svc.endpoint, "tcp://127.0.0.1:7101");
    assert_string_equal(svc.bind, "tcp://127.0.0.1:7101");
    assert_string_equal(svc.events_endpoint, "tcp://127.0.0.1:7102");
    assert_string_equal(svc.events_bind, "tcp://127.0.0.1:7102");
    snprintf(want, sizeof want, "%s/data/registration", fx->real_dir);
    assert_string_equal(svc.store_dir, want);
    assert_string_equal(svc.rules_dir, "");
    assert_int_equal(svc.map_size, 64u << 20);
    assert_int_equal(svc.map_max, (size_t)8192 << 20);
    assert_int_equal(svc.batch_max, 4096);
    assert_int_equal(svc.max_request_bytes, 1048576);
    assert_int_equal(svc.allow_count, 0);

    assert_int_equal(ocop_config_service(cfg, "promotion", &svc, err, sizeof err), -1);
    assert_non_null(strstr(err, "services.promotion"));
    assert_non_null(strstr(err, fx->path));
    ocop_config_destroy(&cfg);
    assert_null(cfg);
    ocop_config_destroy(&cfg);
}

static void test_full(void **state)
{
    s_fixture_t *fx = *state;
    char err[512] = "";
    char want[1100];
    s_write(fx, "{\"keys_dir\": \"secrets/keys\", \"data_dir\": \"/var/lib/ocop\",\n"
                " \"services\": {\n"
                "  \"registration\": {\"endpoint\": \"tcp://reg.internal:7101\",\n"
                "   \"events_endpoint\": \"tcp://[::1]:7102\", \"bind\": \"tcp://*:7101\",\n"
                "   \"events_bind\": \"tcp://0.0.0.0:7102\", \"store_dir\": \"state/reg\",\n"
                "   \"map_size_mb\": 128, \"map_max_mb\": 1024, \"batch_max\": 100,\n"
                "   \"max_request_bytes\": 65536, \"rules_dir\": \"/etc/ocop/rules\",\n"
                "   \"allow\": [\"ocopctl\", \"gateway\", \"audit\"]},\n"
                "  \"evaluation-1\": {\"endpoint\": \"tcp://10.0.0.2:7201\",\n"
                "   \"events_endpoint\": \"tcp://10.0.0.2:7202\", \"map_size_mb\": 10000}}}\n");
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    if (!cfg)
        fail_msg("%s", err);
    snprintf(want, sizeof want, "%s/secrets/keys", fx->real_dir);
    assert_string_equal(ocop_config_keys_dir(cfg), want);
    assert_string_equal(ocop_config_data_dir(cfg), "/var/lib/ocop");

    ocop_service_config_t svc;
    assert_int_equal(ocop_config_service(cfg, "registration", &svc, err, sizeof err), 0);
    assert_string_equal(svc.endpoint, "tcp://reg.internal:7101");
    assert_string_equal(svc.events_endpoint, "tcp://[::1]:7102");
    assert_string_equal(svc.bind, "tcp://*:7101");
    assert_string_equal(svc.events_bind, "tcp://0.0.0.0:7102");
    snprintf(want, sizeof want, "%s/state/reg", fx->real_dir);
    assert_string_equal(svc.store_dir, want);
    assert_string_equal(svc.rules_dir, "/etc/ocop/rules");
    assert_int_equal(svc.map_size, 128u << 20);
    assert_int_equal(svc.map_max, 1024u << 20);
    assert_int_equal(svc.batch_max, 100);
    assert_int_equal(svc.max_request_bytes, 65536);
    assert_int_equal(svc.allow_count, 3);
    assert_string_equal(svc.allow[0], "ocopctl");
    assert_string_equal(svc.allow[2], "audit");

    /* A map_size above the default ceiling raises the default ceiling with it. */
    assert_int_equal(ocop_config_service(cfg, "evaluation-1", &svc, err, sizeof err), 0);
    assert_string_equal(svc.store_dir, "/var/lib/ocop/evaluation-1");
    assert_int_equal(svc.map_size, (size_t)10000 << 20);
    assert_int_equal(svc.map_max, (size_t)10000 << 20);
    ocop_config_destroy(&cfg);
}

static void test_errors(void **state)
{
    s_fixture_t *fx = *state;
    char err[512] = "";
    snprintf(fx->path + strlen(fx->dir), sizeof fx->path - strlen(fx->dir), "/missing.json");
    assert_null(ocop_config_load(fx->path, err, sizeof err));
    assert_non_null(strstr(err, "missing.json"));
    snprintf(fx->path + strlen(fx->dir), sizeof fx->path - strlen(fx->dir), "/config.json");

    s_expect_load_error(fx, "{\"services\": {\n\"a\": }", "line 2");
    s_expect_load_error(fx, "[1, 2]", "top level");
    s_expect_load_error(fx, "{}", "services: is required");
    s_expect_load_error(fx, "{\"services\": []}", "services: expected an object");
    s_expect_load_error(fx, "{\"services\": {}, \"data_dirr\": \"x\"}", "data_dirr: unknown key");
    s_expect_load_error(fx, "{\"services\": {}, \"keys_dir\": 5}", "keys_dir: expected a string");
    s_expect_load_error(fx, "{\"services\": {\"registration\": {\"endpoint\": \"http://x:1\"}}}",
                        "services.registration.endpoint: expected tcp://host:port");
    s_expect_load_error(fx, "{\"services\": {\"registration\": {\"events_endpoint\": \"tcp://h:1\"}}}",
                        "services.registration.endpoint: is required");
    s_expect_load_error(fx, "{\"services\": {\"registration\": {\"endpoint\": \"tcp://h:1\"}}}",
                        "services.registration.events_endpoint: is required");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://*:1\", \"events_endpoint\": \"tcp://h:2\"}}}",
                        "services.r.endpoint: expected tcp://host:port");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"bind\": \"tcp://h:70000\"}}}",
                        "services.r.bind: expected tcp://host:port");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"endpont\": \"tcp://h:3\"}}}",
                        "services.r.endpont: unknown key");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"endpoint\": \"tcp://h:3\"}}}",
                        "services.r.endpoint: duplicate key");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"map_size_mb\": -5}}}",
                        "services.r.map_size_mb: expected an integer");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"batch_max\": 1.5}}}",
                        "services.r.batch_max: expected an integer");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"max_request_bytes\": \"big\"}}}",
                        "services.r.max_request_bytes: expected an integer");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"map_size_mb\": 100, \"map_max_mb\": 50}}}",
                        "services.r.map_max_mb: must not be smaller");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"allow\": [\"ok\", \"../etc/passwd\"]}}}",
                        "services.r.allow[1]");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"allow\": \"gateway\"}}}",
                        "services.r.allow: expected an array of names");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"store_dir\": \"\"}}}",
                        "services.r.store_dir: must not be empty");
    s_expect_load_error(fx, "{\"services\": {\"r\": 3}}", "services.r: expected an object");
    s_expect_load_error(fx, "{\"services\": {\"../x\": {}}}", "services.../x: expected a service name");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\"},"
                        " \"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\"}}}",
                        "services.r: duplicate key");
}

#define S_SHARD(name, n, provinces)                                                                                    \
    "\"" name "\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\", \"shard\": " #n                   \
    ", \"provinces\": " provinces "}"

/* Shards of one group own disjoint provinces; the owner of a province and the name of a shard
 * number are found from any shard's view of the file. */
static void test_shards(void **state)
{
    s_fixture_t *fx = *state;
    char err[512] = "", name[64];
    s_write(fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"01\", \"79\"]") ", " S_SHARD(
                    "evaluation-2", 2, "[\"48\"]") ", " S_SHARD("other-1", 1, "[\"01\"]") "}}");
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    if (!cfg)
        fail_msg("%s", err);
    ocop_service_config_t sc;
    assert_int_equal(ocop_config_service(cfg, "evaluation-2", &sc, err, sizeof err), 0);
    assert_int_equal(sc.shard, 2);
    assert_int_equal(sc.province_count, 1);
    assert_true(ocop_service_owns(&sc, "48"));
    assert_false(ocop_service_owns(&sc, "01"));
    assert_int_equal(ocop_config_shard_owner(cfg, "evaluation", "79", name, sizeof name), 0);
    assert_string_equal(name, "evaluation-1");
    assert_int_equal(ocop_config_shard_owner(cfg, "other", "01", name, sizeof name), 0);
    assert_string_equal(name, "other-1");
    assert_int_equal(ocop_config_shard_owner(cfg, "evaluation", "02", name, sizeof name), -1);
    assert_int_equal(ocop_config_shard_name(cfg, "evaluation", 2, name, sizeof name), 0);
    assert_string_equal(name, "evaluation-2");
    assert_int_equal(ocop_config_shard_name(cfg, "evaluation", 3, name, sizeof name), -1);
    char names[4][OCOP_NAME_MAX];
    assert_int_equal(ocop_config_shards(cfg, "evaluation", names, 4), 2);
    assert_string_equal(names[0], "evaluation-1");
    assert_string_equal(names[1], "evaluation-2");
    assert_int_equal(ocop_config_shards(cfg, "evaluation", names, 1), 1);
    assert_int_equal(ocop_config_shards(cfg, "registration", names, 4), 0);
    ocop_config_destroy(&cfg);

    s_expect_load_error(fx,
                        "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"01\"]") ", " S_SHARD("evaluation-2", 2,
                                                                                               "[\"79\", \"01\"]") "}}",
                        "services.evaluation-2.provinces: 01 is already owned by evaluation-1");
    s_expect_load_error(
        fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"01\"]") ", " S_SHARD("evaluation-2", 1, "[\"79\"]") "}}",
        "services.evaluation-2.shard: 1 is also the shard number of evaluation-1");
    s_expect_load_error(fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "\"01\"") "}}",
                        "services.evaluation-1.provinces: a shard needs an array");

    /* A shard added to take provinces by moves owns none from the file. */
    s_write(fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"01\"]") ", " S_SHARD("evaluation-2", 2, "[]") "}}");
    if (!(cfg = ocop_config_load(fx->path, err, sizeof err)))
        fail_msg("%s", err);
    assert_int_equal(ocop_config_service(cfg, "evaluation-2", &sc, err, sizeof err), 0);
    assert_int_equal(sc.province_count, 0);
    assert_false(ocop_service_owns(&sc, "01"));
    assert_int_equal(ocop_config_shard_owner(cfg, "evaluation", "01", name, sizeof name), 0);
    assert_string_equal(name, "evaluation-1");
    ocop_config_destroy(&cfg);
    s_expect_load_error(fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"0 1\"]") "}}",
                        "services.evaluation-1.provinces[0]: expected a province code");
    s_expect_load_error(fx, "{\"services\": {" S_SHARD("evaluation-1", 1, "[\"01\", \"01\"]") "}}",
                        "services.evaluation-1.provinces[1]: 01 is listed twice");
    s_expect_load_error(fx, "{\"services\": {" S_SHARD("evaluation", 1, "[\"01\"]") "}}",
                        "services.evaluation.shard: a shard's section is named <service>-<N>");
    s_expect_load_error(fx,
                        "{\"services\": {\"r\": {\"endpoint\": \"tcp://h:1\", \"events_endpoint\": \"tcp://h:2\","
                        " \"provinces\": [\"01\"]}}}",
                        "services.r.provinces: only a shard");
}

#define S_WITH_GATEWAY(gw)                                                                                             \
    "{\"services\": {\"registration\": {\"endpoint\": \"tcp://127.0.0.1:7101\","                                       \
    " \"events_endpoint\": \"tcp://127.0.0.1:7102\"}}, \"gateway\": " gw "}"

static void s_expect_gateway_error(const s_fixture_t *fx, const char *json, const char *fragment)
{
    char err[512] = "";
    s_write(fx, json);
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    assert_non_null(cfg);
    ocop_gateway_config_t gc;
    if (ocop_config_gateway(cfg, &gc, err, sizeof err) == 0)
        fail_msg("accepted, expected an error containing '%s' for %s", fragment, json);
    if (!strstr(err, fragment))
        fail_msg("error '%s' lacks '%s'", err, fragment);
    ocop_config_destroy(&cfg);
}

static void test_gateway(void **state)
{
    s_fixture_t *fx = *state;
    char err[512] = "", tokens[1200];
    s_write(fx, S_WITH_GATEWAY("{\"listen\": \"127.0.0.1:8080\"}"));
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    if (!cfg)
        fail_msg("%s", err);
    ocop_gateway_config_t gc;
    assert_int_equal(ocop_config_gateway(cfg, &gc, err, sizeof err), 0);
    assert_string_equal(gc.host, "127.0.0.1");
    assert_int_equal(gc.port, 8080);
    assert_int_equal(gc.threads, (unsigned)sysconf(_SC_NPROCESSORS_ONLN)); /* a worker per CPU */
    assert_int_equal(gc.timeout_ms, 3000);
    assert_int_equal(gc.max_body_bytes, 1048576);
    snprintf(tokens, sizeof tokens, "%s/gateway-tokens.json", fx->real_dir);
    assert_string_equal(gc.tokens, tokens);
    ocop_config_destroy(&cfg);
    s_write(fx, S_WITH_GATEWAY("{\"listen\": \"10.0.0.5:80\", \"allow_remote\": true, \"threads\": 8, "
                               "\"tokens\": \"/etc/ocop/tokens.json\", \"timeout_ms\": 500}"));
    cfg = ocop_config_load(fx->path, err, sizeof err);
    assert_int_equal(ocop_config_gateway(cfg, &gc, err, sizeof err), 0);
    assert_int_equal(gc.threads, 8);
    assert_int_equal(gc.timeout_ms, 500);
    assert_string_equal(gc.tokens, "/etc/ocop/tokens.json");
    ocop_config_destroy(&cfg);
    s_expect_gateway_error(fx, S_WITH_GATEWAY("{\"listen\": \"10.0.0.5:80\"}"), "not a loopback IPv4 address");
    s_expect_gateway_error(fx, S_WITH_GATEWAY("{\"listen\": \"127.0.0.1\"}"), "gateway.listen: expected");
    s_expect_gateway_error(fx, S_WITH_GATEWAY("{\"listen\": \"localhost:80\"}"), "not a loopback IPv4");
    s_expect_gateway_error(fx, S_WITH_GATEWAY("{\"listen\": \"127.0.0.1:80\", \"threads\": 0}"),
                           "gateway.threads: expected an integer");
    s_expect_gateway_error(fx, S_WITH_GATEWAY("{\"listen\": \"127.0.0.1:80\", \"colour\": 1}"),
                           "gateway.colour: unknown key");
    s_expect_gateway_error(fx, S_MINIMAL, "gateway: section is missing");
}

static void test_endpoint_valid(void **state)
{
    (void)state;
    const char *good[] = {"tcp://127.0.0.1:7101", "tcp://localhost:1", "tcp://a-b.example.org:65535",
                          "tcp://*:7101",         "tcp://[::1]:7101",  "tcp://[fe80::1%eth0]:80"};
    const char *bad[] = {NULL,
                         "",
                         "tcp://",
                         "tcp://host",
                         "tcp://host:",
                         "tcp://:7101",
                         "tcp://host:0",
                         "tcp://host:65536",
                         "tcp://host:123456",
                         "tcp://host:12ab",
                         "tcp://host:-1",
                         "tcp://ho st:1",
                         "ipc:///tmp/x",
                         "inproc://x",
                         "udp://host:1",
                         "tcp://[::1:7101",
                         "tcp://[]:7101",
                         "tcp://*x:1"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!ocop_endpoint_valid(good[i]))
            fail_msg("%s should be valid", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (ocop_endpoint_valid(bad[i]))
            fail_msg("%s should be invalid", bad[i]);
    char longer[OCOP_ENDPOINT_MAX + 16];
    memset(longer, 'a', sizeof longer);
    memcpy(longer, "tcp://", 6);
    memcpy(longer + sizeof longer - 6, ":7101", 6);
    assert_false(ocop_endpoint_valid(longer));
}

/* trusted_callers: by default the gateway and ocopctl among the allowed keys; given, only the
 * names listed, each of which must be allowed (else the file does not load). */
#define S_ALLOWING(extra)                                                                                              \
    "{\"services\": {\"registration\": {\"endpoint\": \"tcp://127.0.0.1:7101\", \"events_endpoint\": "                 \
    "\"tcp://127.0.0.1:7102\", \"allow\": [\"ocopctl\", \"gateway\", \"audit\"]" extra "}}}"

static void s_service_with(s_fixture_t *fx, const char *json, ocop_service_config_t *svc)
{
    char err[512] = "";
    s_write(fx, json);
    ocop_config_t *cfg = ocop_config_load(fx->path, err, sizeof err);
    if (!cfg)
        fail_msg("%s", err);
    assert_int_equal(ocop_config_service(cfg, "registration", svc, err, sizeof err), 0);
    ocop_config_destroy(&cfg);
}

static void test_trusted_callers(void **state)
{
    s_fixture_t *fx = *state;
    ocop_service_config_t svc;
    s_service_with(fx, S_ALLOWING(""), &svc);
    assert_true(svc.trusted[0] && svc.trusted[1] && !svc.trusted[2]);
    s_service_with(fx, S_ALLOWING(", \"trusted_callers\": [\"gateway\"]"), &svc);
    assert_true(!svc.trusted[0] && svc.trusted[1] && !svc.trusted[2]);
    s_expect_load_error(fx, S_ALLOWING(", \"trusted_callers\": [\"nobody\"]"),
                        "trusted_callers: nobody is not in allow");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_full, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_errors, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_trusted_callers, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_shards, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_gateway, s_setup, s_teardown),
        cmocka_unit_test(test_endpoint_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
