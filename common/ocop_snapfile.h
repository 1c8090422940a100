/* ocop_snapfile — a file of derived data kept beside a store so that a start need not rebuild
 * it: an 8-byte magic, what its owner writes (a header the owner checks against the store, then
 * the body), and a BLAKE2b-256 of everything before it. Written aside, synced and renamed over
 * the old file, so a reader sees a whole file or the previous one; a file whose hash does not
 * hold, or that goes on after it, is damaged.
 *
 * The owner writes and reads through ocop_snapfile_write / ocop_snapfile_read, which have the
 * shape of a byte sink and source (user = the snapfile). */
#ifndef OCOP_SNAPFILE_H
#define OCOP_SNAPFILE_H

#include <stddef.h>

#define OCOP_SNAPFILE_MAGIC_LEN 8

typedef struct ocop_snapfile_t ocop_snapfile_t;

/* Starts writing path (through path.tmp). NULL with err on failure. */
ocop_snapfile_t *ocop_snapfile_create(const char *path, const char magic[OCOP_SNAPFILE_MAGIC_LEN], char *err,
                                      size_t errlen);
/* 0, or -1 (a write failed: commit will say so). */
int ocop_snapfile_write(void *self, const void *data, size_t len);
/* Appends the hash, syncs and renames over path; or, with ok 0 (the owner could not write it
 * all), throws the file away. Frees *self_p. 0, or -1 with err. */
int ocop_snapfile_close(ocop_snapfile_t **self_p, int ok, char *err, size_t errlen);

/* Opens path for reading when it exists and starts with magic. NULL with err (missing, or not
 * such a file). */
ocop_snapfile_t *ocop_snapfile_open(const char *path, const char magic[OCOP_SNAPFILE_MAGIC_LEN], char *err,
                                    size_t errlen);
/* 0, or 1 when the file ends first. */
int ocop_snapfile_read(void *self, void *data, size_t len);
/* Checks that the hash follows and holds and nothing comes after it; frees *self_p. 0, or 1
 * (damaged). */
int ocop_snapfile_finish(ocop_snapfile_t **self_p);
/* Frees *self_p without checking (the owner found the file unusable). */
void ocop_snapfile_drop(ocop_snapfile_t **self_p);

#endif
