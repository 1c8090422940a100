/* fuzz_dir — for fuzz targets whose loader reads files: one private directory per process
 * (mkdtemp under $TMPDIR, else /dev/shm, else /tmp), made at the first input and removed with
 * what it holds when the process exits (not when it dies on a failure: the directory then keeps
 * the last input), and the input's bytes written into a file of it. The memory file system of
 * /dev/shm makes a target several times faster than a disk's (ext4 writes a file out at close
 * when it was truncated and written again). */
#ifndef FUZZ_DIR_H
#define FUZZ_DIR_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir_path[PATH_MAX];

static void fuzz_dir_remove(void)
{
    DIR *dir = opendir(fuzz_dir_path);
    if (!dir)
        return;
    int fd = dirfd(dir);
    for (struct dirent *e; (e = readdir(dir));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(fd, e->d_name, 0);
    closedir(dir);
    rmdir(fuzz_dir_path);
}

/* The directory, made at the first call; aborts when it cannot be. */
static const char *fuzz_dir(void)
{
    if (fuzz_dir_path[0])
        return fuzz_dir_path;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/ocop-fuzz-XXXXXX", tmp);
    if (!mkdtemp(fuzz_dir_path)) {
        perror("fuzz_dir: mkdtemp");
        abort();
    }
    atexit(fuzz_dir_remove);
    return fuzz_dir_path;
}

/* Writes data[0..size) to the file name of the directory (mode 0600, replacing what it held),
 * its path into path; aborts on a write error. */
static void fuzz_dir_write(const char *name, const uint8_t *data, size_t size, char path[PATH_MAX])
{
    snprintf(path, PATH_MAX, "%s/%s", fuzz_dir(), name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        abort();
    }
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0) {
            perror(path);
            abort();
        }
        done += (size_t)n;
    }
    close(fd);
}

#endif
