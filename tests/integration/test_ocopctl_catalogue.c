/* Integration: "ocopctl catalogue migrate" — the real ocopctl binary against the real
 * ocop-registration. Products registered under 148 and 1048 are moved batch after batch until
 * none remain; the totals count the ambiguous ones; a second run moves nothing; bad arguments
 * and a refused migration give the documented exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "itest_assert.h"

#define S_RUN_TIMEOUT_MS 30000

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *c;
    char ctl[HARNESS_PATH_MAX];
    harness_run_t run;
} W;

static int s_setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    const char *bin = getenv("OCOP_BINARY_DIR");
    if (!bin)
        return -1;
    snprintf(W.ctl, sizeof W.ctl, "%s/services/ocopctl/ocopctl", bin);
    W.h = harness_new(NULL);
    if (access(W.ctl, X_OK) != 0 || !W.h || harness_data_load(W.h->rules_dir, &W.data) != 0 ||
        harness_start(W.h) != 0 || !(W.c = harness_connect(W.h, NULL, "alice")))
        return -1;
    setenv("OCOP_CONFIG", W.h->config_path, 1);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_run_free(&W.run);
    ocop_client_destroy(&W.c);
    harness_destroy(&W.h);
    unsetenv("OCOP_CONFIG");
    return 0;
}

/* Runs ocopctl and checks its exit code and that stdout (or stderr) holds needle. */
#define S_CTL(code, needle, ...) s_ctl(__LINE__, code, needle, (const char *const[]){__VA_ARGS__, NULL})

static void s_ctl(int line, int code, const char *needle, const char *const *args)
{
    harness_run(W.ctl, args, S_RUN_TIMEOUT_MS, &W.run);
    if (W.run.code != code || (!strstr(W.run.out, needle) && !strstr(W.run.err, needle)))
        fail_msg("line %d: $ %s\nexit %d (expected %d, and \"%s\")\n--- stdout ---\n%.3000s\n--- stderr ---\n%.2000s",
                 line, W.run.cmd, W.run.code, code, needle, W.run.out, W.run.err);
}

static void s_register(const char *entity, const char *name, const char *catalogue, const char *sector, const char *set)
{
    Ocop__RegProductRegister body = OCOP__REG_PRODUCT_REGISTER__INIT;
    body.entity_id = (char *)entity;
    body.name = (char *)name;
    body.catalogue_version = (char *)catalogue;
    body.sector_code = (char *)sector;
    body.product_set_code = (char *)set;
    body.commune_code = W.data.communes[0];
    body.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &body;
    Ocop__Reply *r = NULL;
    assert_int_equal(harness_call(W.c, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

static void test_migrate_until_none_remain(void **state)
{
    (void)state;
    Ocop__Reply *r = harness_entity_register(W.c, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE,
                                             "HTX Dịch vụ nông nghiệp Đông Anh", "0100900009", W.data.communes[0]);
    ITEST_ASSERT_OK(r);
    char entity[32];
    snprintf(entity, sizeof entity, "%s", r->reg_entity->id);
    ITEST_FREE(r);
    static const char *names[] = {"Tương Bần", "Nước mắm Vạn Vân", "Mắm tép Đông Anh", "Giấm bỗng",
                                  "Tương ớt Mường Khương"};
    for (size_t i = 0; i < 5; i++)
        s_register(entity, names[i], "148", "1", "9");
    s_register(entity, "Mật ong hoa vải", "1048", "1", "1.4"); /* ambiguous: 148 set 4 or 8 */
    s_register(entity, "Chả cá Lã Vọng", "1048", "1", "1.9");  /* one-to-one: 148 set 8 */

    /* A province without products: nothing to do, done at once. */
    S_CTL(0, "catalogue 148 -> 26-2026, province 99: 0 reclassified in 1 batch, 0 remaining, 0 ambiguous", "catalogue",
          "migrate", "--from", "148", "--to", "26-2026", "--province", "99");
    S_CTL(0, "5 reclassified in 3 batches, 0 remaining, 0 ambiguous", "catalogue", "migrate", "--from", "148", "--to",
          "26-2026", "--batch", "2");
    /* Each batch goes on where the last stopped (sector 1 of 148, after its last product). */
    assert_non_null(strstr(W.run.out, "batch 1: 2 reclassified, 0 ambiguous, next from 1/PRD-"));
    assert_non_null(strstr(W.run.out, "batch 2: 2 reclassified, 0 ambiguous, next from 1/PRD-"));
    assert_non_null(strstr(W.run.out, "batch 3: 1 reclassified, 0 ambiguous\n"));
    S_CTL(0, "0 reclassified in 1 batch", "catalogue", "migrate", "--from", "148", "--to", "26-2026");
    S_CTL(0, "1 reclassified in 1 batch, 0 remaining, 1 ambiguous (a person chooses", "catalogue", "migrate", "--from",
          "1048", "--to", "148", "--reason", "148/QĐ-TTg in force");
    S_CTL(0,
          "{\"from_catalogue_version\":\"1048\",\"to_catalogue_version\":\"148\",\"province_code\":\"\","
          "\"reclassified\":0,\"ambiguous\":1,\"remaining\":0,\"batches\":1}",
          "--output", "json", "catalogue", "migrate", "--from", "1048", "--to", "148");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    S_CTL(2, "usage: ocopctl catalogue migrate", "catalogue", "migrate", "--from", "148");
    S_CTL(2, "usage: ocopctl catalogue migrate", "catalogue", "migrate", "--from", "148", "--to", "26-2026", "--batch",
          "0");
    S_CTL(2, "usage: ocopctl catalogue migrate", "catalogue", "move", "--from", "148", "--to", "26-2026");
    S_CTL(0, "usage: ocopctl catalogue migrate", "catalogue", "--help");
    S_CTL(3, "to_catalogue_version", "catalogue", "migrate", "--from", "26-2026", "--to", "148");
    S_CTL(3, "unknown catalogue version '781'", "catalogue", "migrate", "--from", "781", "--to", "148");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_until_none_remain),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("ocopctl_catalogue", tests, s_setup, s_teardown);
}
