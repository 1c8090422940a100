/* ocop_fs — file-system helpers shared by the modules that turn names into paths. */
#ifndef OCOP_FS_H
#define OCOP_FS_H

/* mkdir -p: creates every missing component with mode 0700 (stores and keys are private).
 * 0, or -1 with errno. */
int ocop_fs_mkdirs(const char *path);

/* 1 when name may become a file or directory name: 1 to OCOP_NAME_MAX-1 characters of
 * [A-Za-z0-9_.-], not starting with '.', so it can never leave its directory. */
int ocop_fs_name_valid(const char *name);

#endif
