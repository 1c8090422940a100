/* itest_assert — cmocka assertions on service replies, shared by the integration tests.
 * Include after <cmocka.h>. */
#ifndef ITEST_ASSERT_H
#define ITEST_ASSERT_H

#include <string.h>

#include "harness.h"

/* The reply arrived and has the expected status; prints status, field and message when not. */
#define ITEST_ASSERT_STATUS(reply, expected)                                                                           \
    do {                                                                                                               \
        const Ocop__Reply *r_ = (reply);                                                                               \
        if (!r_)                                                                                                       \
            fail_msg("no reply (expected %s)", harness_status_name(expected));                                         \
        if ((int)r_->status != (int)(expected))                                                                        \
            fail_msg("status %s (expected %s) field='%s' message='%s'", harness_status_name(r_->status),               \
                     harness_status_name(expected), r_->field ? r_->field : "", r_->message ? r_->message : "");       \
    } while (0)

#define ITEST_ASSERT_OK(reply) ITEST_ASSERT_STATUS(reply, OCOP__STATUS__STATUS_OK)

/* Status and offending field; an error reply must also say why in words. */
#define ITEST_ASSERT_ERROR(reply, expected, field_name)                                                                \
    do {                                                                                                               \
        ITEST_ASSERT_STATUS(reply, expected);                                                                          \
        if ((field_name) != NULL)                                                                                      \
            assert_string_equal((reply)->field, (const char *)(field_name));                                           \
        assert_true((reply)->message &&strlen((reply)->message) > 0);                                                  \
    } while (0)

/* A tool run (harness_run_t) exited with expected; else its command, exit code and output. */
#define ITEST_ASSERT_EXIT(run, expected)                                                                               \
    do {                                                                                                               \
        if ((run).code != (expected))                                                                                  \
            fail_msg("%s: exit %d (expected %d)\nstdout: %s\nstderr: %s", (run).cmd, (run).code, (expected),           \
                     (run).out, (run).err);                                                                            \
    } while (0)

#define ITEST_FREE(reply)                                                                                              \
    do {                                                                                                               \
        if (reply)                                                                                                     \
            ocop__reply__free_unpacked((reply), NULL);                                                                 \
        (reply) = NULL;                                                                                                \
    } while (0)

#endif
