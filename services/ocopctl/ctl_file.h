/* ctl_file — files that appear whole or not at all. A command writing a file another step
 * looks for (the demo's CSVs) writes PATH.tmp and renames it to PATH once
 * every byte reached the disk: interrupted, it leaves no truncated PATH behind for a re-run to
 * take as done. */
#ifndef CTL_FILE_H
#define CTL_FILE_H

#include <stdio.h>

#define CTL_FILE_PATH_MAX 4200

typedef struct {
    FILE *f;
    char path[CTL_FILE_PATH_MAX];
    char tmp[CTL_FILE_PATH_MAX + 8];
} ctl_file_t;

/* Opens path's temporary twin for writing. 0, or -1 with errno (nothing created). */
int ctl_file_open(ctl_file_t *file, const char *path);
/* Flushes, fsyncs, closes and renames it into place. 0, or -1 with errno (the temporary file
 * removed, path untouched). */
int ctl_file_commit(ctl_file_t *file);
/* Closes and removes the temporary file (after an error); path untouched. */
void ctl_file_abandon(ctl_file_t *file);

#endif
