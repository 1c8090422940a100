/* Integration: the example client in docs/examples/python (written from proto/ and
 * docs/protocol.md alone, on Debian's python3-zmq, python3-protobuf and python3-nacl) against
 * registration and the audit service: it registers an entity, sends the request again and gets
 * the first reply, replays the events to its own, and verifies the inclusion proof of its entry
 * against the signed tree head with the audit public key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static harness_t *H;
static harness_data_t D;

static int s_setup(void **state)
{
    (void)state;
    harness_options_t opts = {.audit = 1};
    H = harness_new(&opts);
    if (!H || harness_data_load(H->rules_dir, &D) != 0 || harness_start(H) != 0 || harness_audit_start(H) != 0)
        return -1;
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

static void test_example_client(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    assert_non_null(src);
    char example[HARNESS_PATH_MAX], proto[HARNESS_PATH_MAX];
    snprintf(example, sizeof example, "%s/docs/examples/python/ocop_example.py", src);
    snprintf(proto, sizeof proto, "%s/proto", src);
    harness_run_t r = {0};
    const char *args[] = {example,   "--config", H->config_path, "--key",       "ocopctl",
                          "--proto", proto,      "--commune",    D.communes[0], NULL};
    int code = harness_run("/usr/bin/python3", args, 90000, &r);
    if (code != 0)
        fail_msg("%s: exit %d\nstdout: %s\nstderr: %s", r.cmd, code, r.out, r.err);
    assert_non_null(strstr(r.out, "the repeated request got the same reply"));
    assert_non_null(strstr(r.out, "verified inclusion of entry "));
    harness_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_client),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
