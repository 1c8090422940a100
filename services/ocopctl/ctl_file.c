/* ctl_file — see ctl_file.h. */
#include "ctl_file.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int ctl_file_open(ctl_file_t *file, const char *path)
{
    memset(file, 0, sizeof *file);
    size_t len = strlen(path);
    if (len >= sizeof file->path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(file->path, path, len + 1);
    snprintf(file->tmp, sizeof file->tmp, "%s.tmp", path);
    file->f = fopen(file->tmp, "w");
    return file->f ? 0 : -1;
}

int ctl_file_commit(ctl_file_t *file)
{
    int failed = ferror(file->f) || fflush(file->f) != 0 || fsync(fileno(file->f)) != 0;
    int saved = errno;
    failed |= fclose(file->f) != 0;
    file->f = NULL;
    if (!failed && rename(file->tmp, file->path) == 0)
        return 0;
    saved = errno ? errno : saved;
    unlink(file->tmp);
    errno = saved;
    return -1;
}

void ctl_file_abandon(ctl_file_t *file)
{
    if (file->f)
        fclose(file->f);
    file->f = NULL;
    unlink(file->tmp);
}
