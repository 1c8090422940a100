/* Integration: a commit whose fsync fails is never acknowledged. Registration runs with a
 * preloaded shim (libocop_fail_fsync) that makes fsync, fdatasync and msync fail with EIO while
 * a trigger file exists. A write sent then is answered with an error, not OK; the service
 * stops (exit status 1) rather than go on over pages the disk may not hold; started again on
 * its store (without the shim), it takes the client's retry with the same request id once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "itest_assert.h"

static struct {
    harness_t *h;
    harness_data_t data;
    char trigger[HARNESS_PATH_MAX + 16];
} W;

static int s_setup(void **state)
{
    (void)state;
    const char *bin = getenv("OCOP_BINARY_DIR");
    if (!bin)
        return -1;
    W.h = harness_new(NULL);
    if (!W.h || harness_data_load(W.h->rules_dir, &W.data) != 0)
        return -1;
    snprintf(W.trigger, sizeof W.trigger, "%s/fail-fsync", W.h->dir);
    char shim[HARNESS_PATH_MAX];
    snprintf(shim, sizeof shim, "%s/tests/integration/libocop_fail_fsync.so", bin);
    /* Only the service started now carries the shim (it inherits this environment). */
    const char *asan = getenv("ASAN_OPTIONS");
    char asan_options[512];
    snprintf(asan_options, sizeof asan_options, "%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    setenv("ASAN_OPTIONS", asan_options, 1);
    setenv("OCOP_FAIL_FSYNC", W.trigger, 1);
    setenv("LD_PRELOAD", shim, 1);
    int rc = harness_start(W.h);
    unsetenv("LD_PRELOAD");
    unsetenv("OCOP_FAIL_FSYNC");
    if (asan)
        setenv("ASAN_OPTIONS", asan, 1);
    else
        unsetenv("ASAN_OPTIONS");
    return rc;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_destroy(&W.h);
    return 0;
}

static Ocop__Reply *s_register(const char *request_id, const char *name, const char *tax)
{
    Ocop__RegEntityRegister b = OCOP__REG_ENTITY_REGISTER__INIT;
    b.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    b.name = (char *)name;
    b.tax_code = (char *)tax;
    b.commune_code = (char *)W.data.communes[0];
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.caller = "tester";
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &b;
    Ocop__Reply *reply = NULL;
    /* One attempt: a retry is the test's to make. */
    if (ocop_client_call(W.h->client, &req, &reply, 5000, 1) != 0)
        return NULL;
    return reply;
}

static void test_failed_fsync_is_never_acknowledged(void **state)
{
    (void)state;
    Ocop__Reply *r = s_register("commit-1", "HTX Trước Sự Cố", "4600777001");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);

    int fd = open(W.trigger, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    r = s_register("commit-2", "HTX Trong Sự Cố", "4600777002");
    assert_non_null(r);
    assert_int_not_equal(r->status, OCOP__STATUS__STATUS_OK);
    assert_int_equal(r->status, OCOP__STATUS__STATUS_INTERNAL);
    ITEST_FREE(r);

    /* The service stops by itself, with a failure status. */
    int status = -1;
    pid_t gone = 0;
    for (int64_t deadline = harness_mono_ms() + 10000; harness_mono_ms() < deadline && gone == 0; usleep(20 * 1000))
        gone = waitpid(W.h->pid, &status, WNOHANG);
    assert_int_equal(gone, W.h->pid);
    W.h->pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_true(harness_log_contains(W.h, "stopping_after_commit_failure"));

    /* Restarted on its store, without the fault: the retry is applied, once. */
    unlink(W.trigger);
    assert_int_equal(harness_start(W.h), 0);
    r = s_register("commit-2", "HTX Trong Sự Cố", "4600777002");
    ITEST_ASSERT_OK(r);
    char id[64];
    snprintf(id, sizeof id, "%s", r->reg_entity->id);
    ITEST_FREE(r);
    r = s_register("commit-2", "HTX Trong Sự Cố", "4600777002");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->reg_entity->id, id);
    ITEST_FREE(r);
    r = s_register("commit-3", "HTX Trong Sự Cố", "4600777002");
    ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_CONFLICT, "tax_code");
    ITEST_FREE(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_fsync_is_never_acknowledged),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
