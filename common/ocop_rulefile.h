/* ocop_rulefile — the versioned JSON rule files every service loads at start-up (units,
 * catalogues, rubrics, policies): reading one whole, with its digest, and loading every file of
 * a kind from a directory. Errors name the file. */
#ifndef OCOP_RULEFILE_H
#define OCOP_RULEFILE_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Hex SHA-256 of a file's bytes plus the terminating NUL: recorded with every result so the
 * exact rule file that produced it can be identified (`sha256sum` gives the same string). */
#define OCOP_RULEFILE_DIGEST_LEN 65

/* Parses a whole file. When digest is not NULL it receives the file's SHA-256 (hex).
 * NULL + err ("path: reason") when unreadable or not JSON; the caller deletes the result. */
cJSON *ocop_rulefile_read(const char *path, char digest[OCOP_RULEFILE_DIGEST_LEN], char *err, size_t errlen);

/* Lists dir's files named prefix*.json, sorted by name, into a malloc'd array of malloc'd
 * "dir/name" paths (free with ocop_rulefile_list_free). 0, or -1 when dir cannot be read or on OOM
 * (nothing to free then). No match is 0 with *count 0. */
int ocop_rulefile_list(const char *dir, const char *prefix, char ***paths, size_t *count);

void ocop_rulefile_list_free(char **paths, size_t count);

/* Parses the file at path into element index of items; elements 0..index-1 are complete, for
 * checks across files. 0, or -1 with err naming the file and field. */
typedef int (*ocop_rulefile_parse_fn)(const char *path, void *items, size_t index, char *err, size_t errlen);

/* Loads every dir/prefix*.json, in name order, into a new zeroed array of item_size-byte
 * elements. *count is the number of elements handed to parse (the last may be half-parsed
 * after a failure): the caller frees *items and what its elements hold, also on failure.
 * 0, or -1 with err (an unreadable directory, no such file, or the parser's message). */
int ocop_rulefile_load_each(const char *dir, const char *prefix, size_t item_size, ocop_rulefile_parse_fn parse,
                            void **items, size_t *count, char *err, size_t errlen);

#endif
