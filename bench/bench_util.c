/* bench_util — see bench_util.h. */
#include "bench_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int s_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile: the smallest sample with at least q of the samples at or below it. */
static double s_rank_us(const int64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1000.0;
}

void bench_percentiles(int64_t *samples_ns, size_t n, bench_pct_t *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    qsort(samples_ns, n, sizeof *samples_ns, s_cmp_i64);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)samples_ns[i];
    out->n = n;
    out->min_us = (double)samples_ns[0] / 1000.0;
    out->max_us = (double)samples_ns[n - 1] / 1000.0;
    out->mean_us = sum / (double)n / 1000.0;
    out->p50_us = s_rank_us(samples_ns, n, 0.50);
    out->p99_us = s_rank_us(samples_ns, n, 0.99);
    out->p999_us = s_rank_us(samples_ns, n, 0.999);
}

char *bench_tmpdir_new(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    size_t len = strlen(base) + strlen(tag) + 32;
    char *path = malloc(len);
    if (!path)
        return NULL;
    snprintf(path, len, "%s/ocop-bench-%s-XXXXXX", base, tag);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

int64_t bench_process_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields are counted after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long utime = 0, stime = 0;
    /* After ')': state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        hz = 100;
    return (int64_t)((utime + stime) * (1000000000ULL / (unsigned long long)hz));
}

int bench_process_io(pid_t pid, uint64_t *wchar, uint64_t *syscw)
{
    *wchar = *syscw = 0;
    char path[64], line[128];
    snprintf(path, sizeof path, "/proc/%d/io", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int found = 0;
    unsigned long long v;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "wchar: %llu", &v) == 1) {
            *wchar = v;
            found++;
        } else if (sscanf(line, "syscw: %llu", &v) == 1) {
            *syscw = v;
            found++;
        }
    }
    fclose(f);
    return found == 2 ? 0 : -1;
}

void bench_cpu_model(char *out, size_t outlen)
{
    snprintf(out, outlen, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        colon[strcspn(colon, "\n")] = '\0';
        snprintf(out, outlen, "%s", colon);
        break;
    }
    fclose(f);
}

int bench_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void bench_text_printf(bench_text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return;
    if (t->len + (size_t)need + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (t->len + (size_t)need + 1 > cap)
            cap *= 2;
        char *grown = realloc(t->data, cap);
        if (!grown)
            return;
        t->data = grown;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)need;
}

void bench_text_free(bench_text_t *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    bench_text_t t = {0};
    char buf[8192];
    size_t n;
    bench_text_printf(&t, "%s", "");
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bench_text_printf(&t, "%.*s", (int)n, buf);
    fclose(f);
    if (len)
        *len = t.len;
    return t.data;
}

cJSON *bench_read_json(const char *dir, const char *file, char *err, size_t errlen)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = bench_read_file(path, NULL);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        snprintf(err, errlen, "%s: not valid JSON", path);
    return root;
}

int bench_parse_shared(int argc, char **argv, int *i, int *quick, int *write, const char **out, void (*usage)(FILE *))
{
    const char *s = argv[*i];
    if (strcmp(s, "--quick") == 0)
        *quick = 1;
    else if (strcmp(s, "--no-write") == 0)
        *write = 0;
    else if (strcmp(s, "--out") == 0 && *i + 1 < argc)
        *out = argv[++*i];
    else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
        usage(stdout);
        exit(0);
    } else
        return 0;
    return 1;
}

int bench_parse_only_shared(int argc, char **argv, int *quick, int *write, const char **out, void (*usage)(FILE *))
{
    for (int i = 1; i < argc; i++)
        if (!bench_parse_shared(argc, argv, &i, quick, write, out, usage)) {
            usage(stderr);
            return -1;
        }
    return 0;
}

int bench_parse_count(const char *s, size_t max, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno != 0 || *s == '-' || v < 1 || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

void bench_utc_now(char *out, size_t outlen)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, outlen, "%Y-%m-%d %H:%M UTC", &tm);
}

void bench_context_init(bench_context_t *c, int quick, const char *build_type)
{
    bench_utc_now(c->date, sizeof c->date);
    bench_cpu_model(c->cpu, sizeof c->cpu);
    c->cores = bench_cpu_count();
    c->quick = quick;
    c->build_type = build_type;
}

const char *bench_docs_header(void)
{
    return "# Benchmarks\n"
           "\n"
           "Figures below come from one run on the machine named in each section. Machines are noisy, so\n"
           "compare the ratios, which are taken against raw limits measured in the same run, rather than\n"
           "the absolute numbers. Benchmarks are not tests: nothing here runs under ctest.\n"
           "\n"
           "Run them from a Release build:\n"
           "\n"
           "```sh\n"
           "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release\n"
           "cmake --build build --target bench          # builds, runs every benchmark (a few minutes) and updates "
           "this file\n"
           "build/bench/bench_registration --quick     # about 10 s; --no-write leaves this file alone\n"
           "build/bench/bench_registration --help      # --wrap \"valgrind --tool=callgrind\" profiles the service\n"
           "build/bench/bench_evaluation --quick       # smoke run of the evaluation shards; --help for options\n"
           "build/bench/bench_audit --quick            # audit log appends, proofs, offline verification (about 6 s)\n"
           "```\n"
           "\n"
           "Each benchmark rewrites only its own section, between its begin/end markers.\n";
}

int bench_docs_write(const char *path, const char *begin, const char *end, const char *name, bench_text_t *md)
{
    int rc = md->data ? bench_markdown_replace(path, begin, end, bench_docs_header(), md->data) : -1;
    bench_text_free(md);
    if (rc == 0)
        printf("\nwrote the %s section of %s\n", name, path);
    else
        fprintf(stderr, "bench: cannot write %s\n", path);
    return rc;
}

/* Offset of the line that is exactly marker (at the start of text or after a newline), or -1. */
static long s_find_line(const char *text, const char *marker, size_t from)
{
    size_t mlen = strlen(marker);
    for (const char *p = strstr(text + from, marker); p; p = strstr(p + 1, marker)) {
        int at_start = p == text || p[-1] == '\n';
        int at_end = p[mlen] == '\0' || p[mlen] == '\n' || p[mlen] == '\r';
        if (at_start && at_end)
            return (long)(p - text);
    }
    return -1;
}

int bench_markdown_replace(const char *path, const char *begin, const char *end, const char *header,
                           const char *section)
{
    char *old = bench_read_file(path, NULL);
    bench_text_t out = {0};
    if (!old) {
        bench_text_printf(&out, "%s\n%s", header, section);
    } else {
        long b = s_find_line(old, begin, 0);
        long e = b >= 0 ? s_find_line(old, end, (size_t)b) : -1;
        if (b >= 0 && e >= 0) {
            const char *after = old + e + strlen(end);
            if (*after == '\r')
                after++;
            if (*after == '\n')
                after++;
            bench_text_printf(&out, "%.*s%s%s", (int)b, old, section, after);
        } else {
            size_t n = strlen(old);
            bench_text_printf(&out, "%s%s\n%s", old, n && old[n - 1] != '\n' ? "\n" : "", section);
        }
    }
    free(old);
    if (!out.data)
        return -1;
    size_t tlen = strlen(path) + 8;
    char *tmp = malloc(tlen);
    int rc = -1;
    if (tmp) {
        snprintf(tmp, tlen, "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        if (f) {
            int ok = fwrite(out.data, 1, out.len, f) == out.len;
            ok = fclose(f) == 0 && ok;
            rc = ok && rename(tmp, path) == 0 ? 0 : -1;
            if (rc != 0)
                unlink(tmp);
        }
        free(tmp);
    }
    bench_text_free(&out);
    return rc;
}
