/* bench_audit_proofs — proofs from the main store, its export file and the offline verifier
 * run as a child process on one CPU. See bench_audit.h. */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.pb-c.h"
#include "bench_audit.h"
#include "ocop_stored.h"

#define S_EXPORT_MAGIC "OCOP-AUDIT-EXPORT-1\n"

static uint64_t s_random(uint64_t below)
{
    uint64_t x;
    randombytes_buf(&x, sizeof x);
    return below ? x % below : 0;
}

/* The packed entry at index (valid until the next call), or NULL. */
static const void *s_entry(bench_audit_log_t *log, MDB_txn *txn, uint64_t index, size_t *len)
{
    uint8_t kb[8];
    ocop_be64_put(kb, index);
    MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
    const void *entry;
    ocop_arena_reset(log->state.intake_arena);
    if (mdb_get(txn, log->state.db.entries, &k, &v) != 0 ||
        ocop_stored_open(log->state.intake_arena, v.mv_data, v.mv_size, &entry, len) != 0)
        return NULL;
    return entry;
}

typedef struct {
    int64_t *inc, *inc_verify, *con, *con_verify, *root;
    uint64_t inc_hashes, con_hashes;
} s_samples_t;

/* 0 when a proof verified, else -1 with a line naming it (inclusion: entry a in a tree of b
 * entries; consistency: the trees of a and b entries). */
static int s_verified(int ok, const char *what, uint64_t a, uint64_t b)
{
    if (!ok)
        fprintf(stderr, "bench_audit: the %s proof for %llu and %llu does not verify\n", what, (unsigned long long)a,
                (unsigned long long)b);
    return ok ? 0 : -1;
}

static int s_inclusion(bench_audit_log_t *log, MDB_txn *txn, const aud_nodes_t *nodes, uint64_t size,
                       const aud_hash_t *root, size_t i, s_samples_t *s)
{
    aud_hash_t path[AUD_PROOF_MAX], leaf;
    size_t n, len;
    uint64_t index = s_random(size);
    int64_t t0 = bench_now_ns();
    int rc = aud_merkle_inclusion(nodes, index, size, path, &n);
    s->inc[i] = bench_now_ns() - t0;
    const void *entry = rc == 0 ? s_entry(log, txn, index, &len) : NULL;
    if (!entry)
        return -1;
    aud_leaf_hash(entry, len, &leaf);
    t0 = bench_now_ns();
    int ok = aud_merkle_verify_inclusion(&leaf, index, size, path, n, root);
    s->inc_verify[i] = bench_now_ns() - t0;
    s->inc_hashes += n;
    return s_verified(ok, "inclusion", index, size);
}

static int s_consistency(const aud_nodes_t *nodes, uint64_t size, size_t i, s_samples_t *s)
{
    aud_hash_t proof[AUD_PROOF_MAX], first_root, second_root;
    size_t n;
    uint64_t a = 1 + s_random(size), b = 1 + s_random(size);
    uint64_t first = a < b ? a : b, second = a < b ? b : a;
    int64_t t0 = bench_now_ns();
    int rc = aud_merkle_consistency(nodes, first, second, proof, &n);
    int64_t t1 = bench_now_ns();
    if (rc == 0)
        rc = aud_merkle_root(nodes, first, &first_root);
    int64_t t2 = bench_now_ns();
    if (rc == 0)
        rc = aud_merkle_root(nodes, second, &second_root);
    if (rc != 0)
        return -1;
    int64_t t3 = bench_now_ns();
    int ok = aud_merkle_verify_consistency(first, second, &first_root, &second_root, proof, n);
    s->con[i] = t1 - t0;
    s->root[i] = t2 - t1;
    s->con_verify[i] = bench_now_ns() - t3;
    s->con_hashes += n;
    return s_verified(ok, "consistency", first, second);
}

int bench_audit_proofs(bench_audit_log_t *log, size_t samples, bench_audit_results_t *r)
{
    s_samples_t s = {0};
    int64_t **all[] = {&s.inc, &s.inc_verify, &s.con, &s.con_verify, &s.root};
    int rc = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(*all[i] = calloc(samples, sizeof(int64_t))))
            rc = -1;
    MDB_txn *txn = NULL;
    uint64_t size = 0;
    if (rc == 0)
        rc = mdb_txn_begin(ocop_store_env(log->store), NULL, MDB_RDONLY, &txn) == 0 ? 0 : -1;
    if (rc == 0)
        rc = aud_state_size(&log->state, txn, &size) == 0 && size > 1 ? 0 : -1;
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_hash_t root;
    if (rc == 0) {
        aud_state_nodes(&nctx, &log->state, txn, &nodes);
        rc = aud_merkle_root(&nodes, size, &root) == 0 ? 0 : -1;
    }
    for (size_t i = 0; i < samples && rc == 0; i++)
        rc = s_inclusion(log, txn, &nodes, size, &root, i, &s);
    for (size_t i = 0; i < samples && rc == 0; i++)
        rc = s_consistency(&nodes, size, i, &s);
    if (txn)
        mdb_txn_abort(txn);
    if (rc == 0) {
        bench_percentiles(s.inc, samples, &r->inclusion);
        bench_percentiles(s.inc_verify, samples, &r->verify_inclusion);
        bench_percentiles(s.con, samples, &r->consistency);
        bench_percentiles(s.con_verify, samples, &r->verify_consistency);
        bench_percentiles(s.root, samples, &r->root);
        r->inclusion_len = (double)s.inc_hashes / (double)samples;
        r->consistency_len = (double)s.con_hashes / (double)samples;
    } else {
        fprintf(stderr, "bench_audit: proofs of the store in %s failed\n", log->dir);
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(*all[i]);
    return rc;
}

/* ---------------------------------------------------------------- export */

typedef struct {
    FILE *f;
    uint8_t *buf;
    size_t cap;
    uint64_t bytes;
} s_writer_t;

/* be32(length) || packed record, as ocopctl audit export writes it. */
static int s_write_record(s_writer_t *w, const Ocop__AudExportRecord *rec)
{
    size_t len = ocop__aud_export_record__get_packed_size(rec);
    if (len + 4 > w->cap) {
        size_t cap = (len + 4) * 2;
        uint8_t *grown = realloc(w->buf, cap);
        if (!grown)
            return -1;
        w->buf = grown;
        w->cap = cap;
    }
    ocop_be32_put(w->buf, (uint32_t)len);
    ocop__aud_export_record__pack(rec, w->buf + 4);
    w->bytes += len + 4;
    return fwrite(w->buf, 1, len + 4, w->f) == len + 4 ? 0 : -1;
}

/* Every head (checking its signature in-process, timed), then every entry. */
static int s_export_records(bench_audit_log_t *log, MDB_txn *txn, s_writer_t *w, bench_audit_results_t *r)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    size_t cap = r->heads ? r->heads : 1, n = 0;
    int64_t *ns = calloc(cap, sizeof *ns);
    int rc = ns ? mdb_cursor_open(txn, log->state.db.heads, &cur) : -1;
    for (rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : rc; rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Ocop__AudSignedTreeHead *h = ocop__aud_signed_tree_head__unpack(NULL, v.mv_size, v.mv_data);
        if (!h || h->root_hash.len != AUD_HASH_LEN) {
            if (h)
                ocop__aud_signed_tree_head__free_unpacked(h, NULL);
            rc = MDB_CORRUPTED;
            break;
        }
        aud_hash_t root;
        memcpy(root.h, h->root_hash.data, AUD_HASH_LEN);
        int64_t t0 = bench_now_ns();
        int ok = aud_head_verify(log->state.signer.public_key, h->tree_size, &root, h->timestamp_ms, h->signature.data,
                                 h->signature.len);
        if (n < cap)
            ns[n++] = bench_now_ns() - t0;
        Ocop__AudExportRecord rec = OCOP__AUD_EXPORT_RECORD__INIT;
        rec.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_HEAD;
        rec.head = h;
        rc = ok && s_write_record(w, &rec) == 0 ? 0 : -1;
        ocop__aud_signed_tree_head__free_unpacked(h, NULL);
        if (rc != 0)
            break;
    }
    if (cur)
        mdb_cursor_close(cur);
    bench_percentiles(ns, n, &r->head_verify);
    free(ns);
    cur = NULL;
    if (rc != MDB_NOTFOUND || mdb_cursor_open(txn, log->state.db.entries, &cur) != 0)
        return -1;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Ocop__AudEntry e = OCOP__AUD_ENTRY__INIT;
        const void *data;
        ocop_arena_reset(log->state.intake_arena);
        if (ocop_stored_open(log->state.intake_arena, v.mv_data, v.mv_size, &data, &e.data.len) != 0) {
            rc = -1;
            break;
        }
        e.index = ocop_be64_get(k.mv_data);
        e.data.data = (uint8_t *)data;
        Ocop__AudExportRecord rec = OCOP__AUD_EXPORT_RECORD__INIT;
        rec.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_ENTRY;
        rec.entry = &e;
        if (s_write_record(w, &rec) != 0) {
            rc = -1;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : -1;
}

int bench_audit_export(bench_audit_log_t *log, const char *path, bench_audit_results_t *r)
{
    s_writer_t w = {.f = fopen(path, "wb")};
    MDB_txn *txn = NULL;
    int64_t t0 = bench_now_ns();
    int rc = w.f && fwrite(S_EXPORT_MAGIC, 1, sizeof S_EXPORT_MAGIC - 1, w.f) == sizeof S_EXPORT_MAGIC - 1 ? 0 : -1;
    w.bytes = sizeof S_EXPORT_MAGIC - 1;
    if (rc == 0)
        rc = mdb_txn_begin(ocop_store_env(log->store), NULL, MDB_RDONLY, &txn) == 0 ? 0 : -1;
    if (rc == 0)
        rc = s_export_records(log, txn, &w, r);
    if (txn)
        mdb_txn_abort(txn);
    if (w.f && fclose(w.f) != 0)
        rc = -1;
    free(w.buf);
    r->export_s = (double)(bench_now_ns() - t0) / 1e9;
    r->export_bytes = w.bytes;
    if (rc != 0)
        fprintf(stderr, "bench_audit: cannot write the export %s (or a head's signature did not verify)\n", path);
    return rc;
}

/* ---------------------------------------------------------------- the verifier */

/* Flushes path and drops it from the page cache (when cold), then says how much of it is
 * resident (mincore over a mapping of it). -1 when unreadable. */
static double s_page_cache(const char *path, int drop, uint64_t *bytes)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size == 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bytes = (uint64_t)sb.st_size;
    if (drop) {
        fdatasync(fd);
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    }
    double resident = -1;
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = ((size_t)sb.st_size + (size_t)page - 1) / (size_t)page;
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char *vec = malloc(pages);
    if (map != MAP_FAILED && vec && mincore(map, (size_t)sb.st_size, vec) == 0) {
        size_t in = 0;
        for (size_t i = 0; i < pages; i++)
            in += vec[i] & 1;
        resident = (double)in / (double)pages;
    }
    free(vec);
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    close(fd);
    return resident;
}

/* The first CPU this process may run on, or -1. */
static int s_first_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            return c;
    return -1;
}

/* Runs argv with its output in out (outlen bytes), on cpu when cpu >= 0. The exit status,
 * or -1 when it could not run. */
static int s_run(char *const argv[], int cpu, char *out, size_t outlen, double *wall_s, double *cpu_s)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    int64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        if (cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0)
                _exit(126);
        }
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t got;
    char sink[4096];
    while ((got = read(fds[0], len + 1 < outlen ? out + len : sink,
                       len + 1 < outlen ? outlen - 1 - len : sizeof sink)) > 0 ||
           (got < 0 && errno == EINTR))
        if (got > 0 && len + 1 < outlen)
            len += (size_t)got;
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = (double)(bench_now_ns() - t0) / 1e9;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int bench_audit_verify_run(const char *verifier, const char *key, const char *mode, const char *input, int cold,
                           uint64_t expect_entries, bench_audit_results_t *r)
{
    if (r->n_verify == BENCH_AUDIT_VERIFY_MAX)
        return -1;
    bench_audit_verify_t *v = &r->verify[r->n_verify];
    memset(v, 0, sizeof *v);
    v->mode = mode;
    v->cold = cold;
    /* A store is the LMDB file in its directory. */
    char data[1200];
    snprintf(data, sizeof data, strcmp(mode, "--store") == 0 ? "%s/data.mdb" : "%s", input);
    v->resident = s_page_cache(data, cold, &v->input_bytes);
    r->pinned_cpu = s_first_cpu();
    char *argv[] = {(char *)verifier, "--key", (char *)key, (char *)mode, (char *)input, NULL};
    char out[4096];
    int status = s_run(argv, r->pinned_cpu, out, sizeof out, &v->wall_s, &v->cpu_s);
    unsigned long long entries = 0, heads = 0;
    size_t sources = 0;
    int parsed = sscanf(out, "verified: %llu entries from %zu sources, %llu signed heads", &entries, &sources, &heads);
    if (status != 0 || parsed != 3 || entries != expect_entries) {
        fprintf(stderr, "bench_audit: %s %s %s: exit %d, expected \"verified: %llu entries\", got:\n%s\n", verifier,
                mode, input, status, (unsigned long long)expect_entries, out);
        return -1;
    }
    v->entries = entries;
    v->heads = heads;
    r->n_verify++;
    return 0;
}
