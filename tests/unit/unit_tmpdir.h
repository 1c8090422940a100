/* Temporary directories for unit tests: created under /tmp, removed recursively afterwards. */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

#define UNIT_TMPDIR_LEN 64

/* Fills buf (UNIT_TMPDIR_LEN bytes) with a fresh directory; NULL on failure. */
static inline char *unit_tmpdir(char *buf)
{
    snprintf(buf, UNIT_TMPDIR_LEN, "/tmp/ocop-unit-XXXXXX");
    return mkdtemp(buf);
}

/* A temp directory per test with a fresh sub-directory per case: the fixture of the tests that
 * load rule files from a directory. */
typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    int cases; /* sub-directories made so far */
} unit_fixture_t;

/* cmocka setup / teardown for a unit_fixture_t in *state. */
static inline int unit_fixture_setup(void **state)
{
    unit_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx || !unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static inline int unit_fixture_teardown(void **state)
{
    unit_fixture_t *fx = *state;
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Makes the next case directory and writes its path into out. 0 / -1. */
static inline int unit_fixture_case_dir(unit_fixture_t *fx, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/case-%d", fx->dir, fx->cases++);
    return mkdir(out, 0700);
}

/* Writes text to dir/name. 0 / -1. */
static inline int unit_write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) == 0 ? rc : -1;
}

#endif
