/* Integration: an evaluation shard refuses to start on broken rules or a broken shard map, and
 * says which file and field (or which province) is at fault. Each case copies the shipped
 * rules, breaks one thing, and starts a shard on them; it must exit with status 1 and log why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "test_support.h"

static struct {
    char rules[64]; /* a copy of services/evaluation/data */
} W;

static int s_setup(void **state)
{
    (void)state;
    snprintf(W.rules, sizeof W.rules, "/tmp/ocop-itest-rules-XXXXXX");
    if (!mkdtemp(W.rules))
        return -1;
    char shipped[HARNESS_PATH_MAX], cmd[HARNESS_PATH_MAX * 2 + 64];
    harness_rules_dir("evaluation", shipped, sizeof shipped);
    snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/'", shipped, W.rules);
    return system(cmd) == 0 ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    test_rmtree(W.rules);
    return 0;
}

/* Replaces the first occurrence of from by to in the copied file name. */
static void s_edit(const char *name, const char *from, const char *to)
{
    char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", W.rules, name);
    size_t len;
    char *text = harness_read_file(path, &len);
    assert_non_null(text);
    char *at = strstr(text, from);
    assert_non_null(at);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(to, f);
    fputs(at + strlen(from), f);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* Starts registration, then a shard, on the copied rules with the given shard map; the shard
 * must refuse (or already registration, reading the same broken config), logging every
 * fragment of expect. */
static void s_expect_refusal(const char *provinces_1, const char *provinces_2, const char *const *expect)
{
    harness_options_t opts = {
        .shards = provinces_2 ? 2 : 1, .shard_provinces = {provinces_1, provinces_2}, .eval_rules_dir = W.rules};
    harness_t *h = harness_new(&opts);
    assert_non_null(h);
    const char *log_path = h->shard[0].log_path;
    if (harness_start(h) == 0)
        assert_int_equal(harness_shard_start(h, 0), -1);
    else
        log_path = h->log_path;
    char *log = harness_read_file(log_path, NULL);
    assert_non_null(log);
    for (size_t i = 0; expect[i]; i++)
        if (!strstr(log, expect[i]))
            fail_msg("the shard's log lacks '%s':\n%s", expect[i], log);
    free(log);
    harness_destroy(&h);
}

static void test_broken_rubric(void **state)
{
    (void)state;
    s_edit("rubrics/rubric-148-11.json", "\"max\": ", "\"max\": -");
    s_expect_refusal("01", NULL,
                     (const char *const[]){"event=rules_invalid", "rubric-148-11.json", "max", "positive", NULL});
    s_edit("rubrics/rubric-148-11.json", "\"max\": -", "\"max\": ");
}

static void test_policy_without_its_rubric(void **state)
{
    (void)state;
    s_edit("policies/policy-1489.json", "\"rubric\": \"148\"", "\"rubric\": \"999\"");
    s_expect_refusal("01", NULL,
                     (const char *const[]){"event=rules_invalid", "policy-1489.json: rubric",
                                           "no rubric file of instrument 999", NULL});
    s_edit("policies/policy-1489.json", "\"rubric\": \"999\"", "\"rubric\": \"148\"");
}

/* Every process reads the whole map: registration refuses it as the shards would. */
/* Every process reads the whole map: registration refuses it as the shards would. */
static void test_province_owned_twice(void **state)
{
    (void)state;
    s_expect_refusal("01,79", "48,01",
                     (const char *const[]){"event=config_invalid", "evaluation-2.provinces",
                                           "01 is already owned by evaluation-1", NULL});
}

/* The copy is intact again: a shard starts on it. */
static void test_repaired_rules_start(void **state)
{
    (void)state;
    harness_options_t opts = {.shards = 1, .shard_provinces = {"01"}, .eval_rules_dir = W.rules};
    harness_t *h = harness_deploy(&opts);
    assert_non_null(h);
    assert_true(harness_shard_last_sequence(h, 0) >= 0);
    harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken_rubric),
        cmocka_unit_test(test_policy_without_its_rubric),
        cmocka_unit_test(test_province_owned_twice),
        cmocka_unit_test(test_repaired_rules_start),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
