/* ocop_snapfile: what is written reads back whole; a flipped byte, bytes after the hash, another
 * magic or a file its owner gave up on are told apart from a good file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ocop_snapfile.h"
#include "unit_tmpdir.h"

static void s_write_file(const char *path, int ok)
{
    char err[256];
    ocop_snapfile_t *f = ocop_snapfile_create(path, "TESTSNAP", err, sizeof err);
    assert_non_null(f);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(ocop_snapfile_write(f, &i, sizeof i), 0);
    assert_int_equal(ocop_snapfile_close(&f, ok, err, sizeof err), ok ? 0 : -1);
    assert_null(f);
}

/* 0 when the file reads back as written, 1 when it reads but is damaged, -1 when it does not open. */
static int s_read_file(const char *path)
{
    char err[256];
    ocop_snapfile_t *f = ocop_snapfile_open(path, "TESTSNAP", err, sizeof err);
    if (!f)
        return -1;
    for (uint32_t i = 0, v; i < 1000; i++)
        if (ocop_snapfile_read(f, &v, sizeof v) != 0 || v != i) {
            ocop_snapfile_drop(&f);
            return 1;
        }
    return ocop_snapfile_finish(&f);
}

static void s_patch(const char *path, long at, const void *bytes, size_t len, int append)
{
    FILE *f = fopen(path, append ? "ab" : "r+b");
    assert_non_null(f);
    if (!append)
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_snapfile(void **state)
{
    (void)state;
    char dir[UNIT_TMPDIR_LEN], path[UNIT_TMPDIR_LEN + 16], tmp[UNIT_TMPDIR_LEN + 32];
    assert_non_null(unit_tmpdir(dir));
    snprintf(path, sizeof path, "%s/x.idx", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(s_read_file(path), -1); /* none yet */
    s_write_file(path, 1);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(s_read_file(path), 0);
    s_patch(path, 100, "\x01", 1, 0); /* a flipped byte in the body */
    assert_int_equal(s_read_file(path), 1);
    s_write_file(path, 1);
    s_patch(path, 0, "!", 1, 1); /* a byte after the hash */
    assert_int_equal(s_read_file(path), 1);
    s_write_file(path, 1);
    s_patch(path, 0, "OTHERSNP", 8, 0); /* another kind of file */
    assert_int_equal(s_read_file(path), -1);
    /* Given up: the old file stays as it was and nothing is left aside. */
    s_write_file(path, 1);
    s_write_file(path, 0);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(s_read_file(path), 0);
    assert_int_equal(test_rmtree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_snapfile)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
