/* Temporary directories for unit tests: created under /tmp, removed recursively afterwards. */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_TMPDIR_LEN 64

/* Fills buf (UNIT_TMPDIR_LEN bytes) with a fresh directory; NULL on failure. */
static inline char *unit_tmpdir(char *buf)
{
    snprintf(buf, UNIT_TMPDIR_LEN, "/tmp/ocop-unit-XXXXXX");
    return mkdtemp(buf);
}

/* rm -rf without following symlinks; 0 / -1. */
static inline int unit_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char child[4096];
        if (snprintf(child, sizeof child, "%s/%s", path, entry->d_name) >= (int)sizeof child || unit_rmtree(child))
            rc = -1;
    }
    closedir(dir);
    return rmdir(path) == 0 ? rc : -1;
}

#endif
