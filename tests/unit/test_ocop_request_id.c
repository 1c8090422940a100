/* Unit: ocop_request_id_new — hex of a millisecond time then 80 random bits; no two alike
 * within a thread, across threads, or between a process and a child forked from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocop_client.h"

#define S_IDS 10000
#define S_TIME_HEX 12 /* 48 bits of milliseconds */

static int s_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* n ids into ids (rows of OCOP_REQUEST_ID_LEN + 1). */
static void s_make(char (*ids)[OCOP_REQUEST_ID_LEN + 1], size_t n)
{
    for (size_t i = 0; i < n; i++)
        ocop_request_id_new(ids[i]);
}

static void *s_thread(void *arg)
{
    s_make(arg, S_IDS);
    return NULL;
}

static void test_ids_are_hex_sorted_by_time_and_distinct(void **state)
{
    (void)state;
    char(*ids)[OCOP_REQUEST_ID_LEN + 1] = calloc(2 * S_IDS, sizeof *ids);
    assert_non_null(ids);
    s_make(ids, S_IDS);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, s_thread, ids + S_IDS), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    for (size_t i = 0; i < 2 * S_IDS; i++) {
        assert_int_equal(strlen(ids[i]), OCOP_REQUEST_ID_LEN);
        assert_int_equal(strspn(ids[i], "0123456789abcdef"), OCOP_REQUEST_ID_LEN);
        if (i % S_IDS) /* one thread's ids do not go back in time */
            assert_true(strncmp(ids[i - 1], ids[i], S_TIME_HEX) <= 0);
    }
    qsort(ids, 2 * S_IDS, sizeof *ids, s_cmp);
    for (size_t i = 1; i < 2 * S_IDS; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

/* A forked child shares its parent's memory, the generator's included: its ids must still differ
 * from the parent's (compared by their random part, the time being alike or not). */
static void test_a_forked_child_draws_other_ids(void **state)
{
    (void)state;
    char before[OCOP_REQUEST_ID_LEN + 1], parent[OCOP_REQUEST_ID_LEN + 1], child[OCOP_REQUEST_ID_LEN + 1] = "";
    ocop_request_id_new(before);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char id[OCOP_REQUEST_ID_LEN + 1];
        ocop_request_id_new(id);
        _exit(write(fds[1], id, sizeof id) == (ssize_t)sizeof id ? 0 : 1);
    }
    close(fds[1]);
    ocop_request_id_new(parent);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_not_equal(parent + S_TIME_HEX, child + S_TIME_HEX);
    assert_string_not_equal(before + S_TIME_HEX, child + S_TIME_HEX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_are_hex_sorted_by_time_and_distinct),
        cmocka_unit_test(test_a_forked_child_draws_other_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
