/* ocop_log: logfmt line shape and the OCOP_LOG_LEVEL filter, by capturing stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocop_log.h"

/* Runs the logging calls with stderr redirected to a temporary file and returns its text. */
static void s_capture(char *out, size_t len)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);

    ocop_log_debug("hidden_debug", "x=%d", 1);
    ocop_log_info("hidden_info", "x=%d", 2);
    ocop_log_warn("store_grow", "path=%s from=%d", "/tmp/a", 1024);
    ocop_log_error("bare_event", "%s", "");
    ocop_log(OCOP_LOG_ERROR, "quoted", "reason=\"%s\"", "two words");

    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, len - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
}

static void test_format_and_filter(void **state)
{
    (void)state;
    char text[4096];
    s_capture(text, sizeof text);
    assert_null(strstr(text, "hidden_"));

    const char *pattern = "^ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                          "level=warn svc=unit-test event=store_grow path=/tmp/a from=1024\n"
                          "ts=[^ ]+Z level=error svc=unit-test event=bare_event\n"
                          "ts=[^ ]+Z level=error svc=unit-test event=quoted reason=\"two words\"\n$";
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int rc = regexec(&re, text, 0, NULL, 0);
    regfree(&re);
    if (rc != 0)
        fail_msg("log output did not match:\n%s", text);
}

/* Values that logfmt would split are quoted and escaped; plain ones are left bare. */
static void test_values(void **state)
{
    (void)state;
    char buf[64];
    const char *cases[][2] = {
        {"tcp://127.0.0.1:7001", "tcp://127.0.0.1:7001"},
        {"rq!2=Lk>x", "\"rq!2=Lk>x\""}, /* a Z85 key */
        {"two words", "\"two words\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"line\nbreak\x01", "\"line\\nbreak\\x01\""},
        {"", "\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(ocop_log_value(buf, sizeof buf, cases[i][0]), cases[i][1]);
    char small[12];
    assert_string_equal(ocop_log_value(small, sizeof small, "a b c d e f g h"), "\"a b c...\"");
    assert_string_equal(ocop_log_value(small, sizeof small, "abcdefghijklmnop"), "\"abcde...\"");
}

int main(void)
{
    /* Before the first log call: the level is read once per process. */
    setenv("OCOP_LOG_LEVEL", "warn", 1);
    ocop_log_init("unit-test");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_filter),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
