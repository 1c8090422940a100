/* ocop_fs — file-system helpers shared by the modules that turn names into paths. */
#ifndef OCOP_FS_H
#define OCOP_FS_H

#include <stddef.h>

/* mkdir -p: creates every missing component with mode 0700 (stores and keys are private).
 * 0, or -1 with errno. */
int ocop_fs_mkdirs(const char *path);

/* 1 when name may become a file or directory name: 1 to OCOP_NAME_MAX-1 characters of
 * [A-Za-z0-9_.-], not starting with '.', so it can never leave its directory. */
int ocop_fs_name_valid(const char *name);

#define OCOP_FS_DIGEST_LEN 32 /* BLAKE2b-256 */

/* Copies src to dst (written as dst.tmp, fsync'd, renamed, with mode) and, when digest is not
 * NULL, puts the BLAKE2b-256 of the bytes copied there. 0, or -1 with err naming the file. */
int ocop_fs_copy_file(const char *src, const char *dst, unsigned mode, unsigned char digest[OCOP_FS_DIGEST_LEN],
                      char *err, size_t errlen);

/* content written to path with mode: to a temporary file, fsync'd, renamed, so a crash never
 * leaves a truncated file behind (a file replaced by root keeps its owner). 0 / -1. */
int ocop_fs_write_file(const char *path, const char *content, unsigned mode);

/* The BLAKE2b-256 of a file's bytes. 0, or -1 with err naming the file. */
int ocop_fs_digest_file(const char *path, unsigned char digest[OCOP_FS_DIGEST_LEN], char *err, size_t errlen);

#endif
