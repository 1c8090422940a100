/* Integration: `ocopctl import transitions` straight to registration, with registration killed
 * (SIGKILL) and restarted while the import runs. Each product's rows (its steps through the
 * cycle, in file order) must be applied in that order whatever the service lost: the import
 * resumes, a re-run completes it, and every product ends where its last row takes it
 * (evaluating), with no row refused on the way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define S_PRODUCTS "3000"
#define S_ENTITIES "1500"
#define S_RUN_TIMEOUT_MS 120000

static struct {
    harness_t *h;
    char ctl[HARNESS_PATH_MAX];
    char demo[HARNESS_PATH_MAX];
    char out[HARNESS_PATH_MAX];
} W;

static int s_setup(void **state)
{
    (void)state;
    const char *bin = getenv("OCOP_BINARY_DIR");
    if (!bin)
        return -1;
    snprintf(W.ctl, sizeof W.ctl, "%s/services/ocopctl/ocopctl", bin);
    snprintf(W.demo, sizeof W.demo, "%s/services/demo/ocop-demo", bin);
    W.h = harness_new(NULL);
    if (!W.h || harness_start(W.h) != 0)
        return -1;
    snprintf(W.out, sizeof W.out, "%s/demo", W.h->dir);
    setenv("OCOP_CONFIG", W.h->config_path, 1);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_destroy(&W.h);
    unsetenv("OCOP_CONFIG");
    return 0;
}

/* binary (ocopctl or ocop-demo) with args: it must succeed. */
static void s_run(const char *binary, harness_run_t *r, const char *const *args)
{
    if (harness_run(binary, args, S_RUN_TIMEOUT_MS, r) != 0)
        fail_msg("%s: exit %d\nstdout: %s\nstderr: %s", r->cmd, r->code, r->out, r->err);
}

static size_t s_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;
    while (f && (c = getc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

typedef struct {
    const char *moves;
    harness_run_t run;
} s_import_t;

static void *s_import(void *arg)
{
    s_import_t *im = arg;
    const char *args[] = {"--timeout", "1000", "import", "transitions", im->moves, NULL};
    harness_run(W.ctl, args, S_RUN_TIMEOUT_MS, &im->run);
    return NULL;
}

/* The number of products in stage in the counts. */
static long s_in_stage(const char *stage)
{
    harness_run_t r = {0};
    s_run(W.ctl, &r, (const char *const[]){"--output", "json", "counts", NULL});
    cJSON *json = cJSON_Parse(r.out);
    assert_non_null(json);
    long n = 0;
    const cJSON *row;
    cJSON_ArrayForEach (
        row, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_counts"), "rows")) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(row, "stage");
        if (cJSON_IsString(s) && strcmp(s->valuestring, stage) == 0)
            n += (long)cJSON_GetObjectItemCaseSensitive(row, "count")->valuedouble;
    }
    cJSON_Delete(json);
    harness_run_free(&r);
    return n;
}

static void test_file_order_survives_a_kill(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    assert_non_null(src);
    char rules[HARNESS_PATH_MAX], file[HARNESS_PATH_MAX + 32], journal[HARNESS_PATH_MAX + 48],
        moves[HARNESS_PATH_MAX + 32];
    snprintf(rules, sizeof rules, "%s/services/registration/data", src);
    harness_run_t r = {0};
    s_run(W.demo, &r,
          (const char *const[]){"generate", "--rules", rules, "--out", W.out, "--entities", S_ENTITIES, "--products",
                                S_PRODUCTS, "--seed", "11", NULL});
    snprintf(file, sizeof file, "%s/entities.csv", W.out);
    s_run(W.ctl, &r, (const char *const[]){"import", "entities", file, NULL});
    snprintf(file, sizeof file, "%s/products.csv", W.out);
    s_run(W.ctl, &r, (const char *const[]){"import", "products", file, NULL});
    snprintf(journal, sizeof journal, "%s/products.csv.journal", W.out);
    snprintf(moves, sizeof moves, "%s/transitions.csv", W.out);
    s_run(W.demo, &r, (const char *const[]){"advance", "--journal", journal, "--out", moves, "--seed", "11", NULL});
    harness_run_free(&r);
    size_t rows = s_lines(moves) - 1;
    assert_true(rows > 3 * (size_t)atoi(S_PRODUCTS));

    /* The import runs; once a tenth of its rows are answered the service is killed and
     * started again on its store. */
    s_import_t im = {.moves = moves};
    char moves_journal[HARNESS_PATH_MAX + 48];
    snprintf(moves_journal, sizeof moves_journal, "%s.journal", moves);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_import, &im), 0);
    size_t at_kill = 0;
    for (int64_t deadline = harness_mono_ms() + 60000; harness_mono_ms() < deadline; usleep(1000))
        if ((at_kill = s_lines(moves_journal)) >= rows / 10)
            break;
    harness_kill(W.h);
    assert_int_equal(harness_start(W.h), 0);
    pthread_join(t, NULL);
    if (at_kill < rows / 10 || at_kill >= rows)
        fail_msg("the kill came at %zu of %zu rows, not during the import", at_kill, rows);
    /* Resumed or not, a re-run finishes what is left. */
    for (int run = 0; run < 3 && im.run.code != 0; run++)
        s_import(&im);
    if (im.run.code != 0)
        fail_msg("%s: exit %d\nstdout: %s\nstderr: %s", im.run.cmd, im.run.code, im.run.out, im.run.err);
    harness_run_free(&im.run);

    /* Every row was answered OK, and every product is where its last row takes it. */
    char *text = harness_read_file(moves_journal, NULL);
    assert_non_null(text);
    size_t refused = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *status = strchr(line, '\t');
        if (status && strncmp(status + 1, "OK\t", 3) != 0) {
            if (refused++ < 5)
                print_error("refused: %s\n", line);
        }
    }
    free(text);
    assert_int_equal(refused, 0);
    assert_int_equal(s_in_stage("evaluating"), atol(S_PRODUCTS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_order_survives_a_kill),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
