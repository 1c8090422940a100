/* bench_util — what every benchmark needs and nothing of the service: a monotonic clock,
 * percentiles, temporary directories, free ports, process CPU time, a growable text buffer,
 * reading files (JSON too), and replacing one marked section of a Markdown file. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "test_support.h" /* test_rmtree, test_free_port */

/* Nanoseconds on CLOCK_MONOTONIC. */
int64_t bench_now_ns(void);

typedef struct {
    size_t n;
    double min_us, p50_us, p99_us, p999_us, max_us, mean_us;
} bench_pct_t;

/* Sorts samples (nanoseconds) in place and fills *out; all zero when n == 0. */
void bench_percentiles(int64_t *samples_ns, size_t n, bench_pct_t *out);

/* A fresh directory under $TMPDIR (or /tmp) named ocop-bench-TAG-<random> (mkdtemp). The
 * returned string is the caller's to free; NULL on failure. */
char *bench_tmpdir_new(const char *tag);

/* User + system CPU time of a process (from /proc), in nanoseconds; -1 when unreadable. */
int64_t bench_process_cpu_ns(pid_t pid);

/* wchar (bytes handed to write-like system calls) and syscw (their number) of a process from
 * /proc/PID/io. 0, or -1 when unreadable (both then 0). */
int bench_process_io(pid_t pid, uint64_t *wchar, uint64_t *syscw);

/* "model name" of /proc/cpuinfo into out (or "unknown"), and the online CPU count. */
void bench_cpu_model(char *out, size_t outlen);
int bench_cpu_count(void);

/* Growable NUL-terminated text. Zero-initialise; bench_text_free releases it. */
typedef struct {
    char *data;
    size_t len, cap;
} bench_text_t;

void bench_text_printf(bench_text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bench_text_free(bench_text_t *t);

/* Replaces the text between the lines `begin` and `end` (markers included) of the file at
 * path with section (which must carry both markers), or appends section when the markers are
 * absent. A missing file is created as header followed by section. Other text is kept
 * byte for byte. Written to a temporary file and renamed. 0 / -1. */
int bench_markdown_replace(const char *path, const char *begin, const char *end, const char *header,
                           const char *section);

/* The header written when docs/BENCHMARKS.md does not exist yet (shared by every benchmark). */
const char *bench_docs_header(void);

/* bench_markdown_replace of a benchmark's section (md, which must carry the markers begin and
 * end; freed here) in the docs file at path, created with bench_docs_header() when missing.
 * Says "wrote the NAME section" on stdout, or why not on stderr. 0 / -1. */
int bench_docs_write(const char *path, const char *begin, const char *end, const char *name, bench_text_t *md);

/* Reads a whole file; the caller frees the result. NULL on failure. */
char *bench_read_file(const char *path, size_t *len);

/* Parses dir/file as JSON; the caller deletes the result. NULL with a message in err. */
cJSON *bench_read_json(const char *dir, const char *file, char *err, size_t errlen);

/* The options every benchmark takes, when argv[*i] is one of them: --quick (*quick = 1),
 * --no-write (*write = 0), --out FILE (*out = FILE; *i is moved onto FILE), and --help or -h
 * (usage(stdout), then exit 0). 1 when it was one of them, else 0. */
int bench_parse_shared(int argc, char **argv, int *i, int *quick, int *write, const char **out, void (*usage)(FILE *));

/* The arguments of a benchmark that takes only those options. 0, or -1 after printing usage on
 * stderr (an unknown argument). */
int bench_parse_only_shared(int argc, char **argv, int *quick, int *write, const char **out, void (*usage)(FILE *));

/* A command-line count: a decimal integer from 1 to max into *out. 0, or -1 when s is not one. */
int bench_parse_count(const char *s, size_t max, size_t *out);

/* When and on what a benchmark ran, for its report. */
typedef struct {
    char date[32]; /* bench_utc_now */
    char cpu[160]; /* bench_cpu_model */
    int cores;     /* bench_cpu_count */
    int quick;
    const char *build_type; /* CMAKE_BUILD_TYPE */
} bench_context_t;

void bench_context_init(bench_context_t *c, int quick, const char *build_type);

/* The current UTC time as "YYYY-MM-DD HH:MM UTC". */
void bench_utc_now(char *out, size_t outlen);

#endif
