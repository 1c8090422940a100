/* bench_audit — the audit service's transparency log: the figures of one run and the steps
 * that measure them (bench_audit_log.c: appends; bench_audit_proofs.c: proofs, the export and
 * the offline verifier; bench_audit_report.c: the table and the docs section). */
#ifndef BENCH_AUDIT_H
#define BENCH_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aud_state.h"
#include "bench_util.h"
#include "ocop_config.h"
#include "ocop_store.h"

#define BENCH_AUDIT_MARK_BEGIN "<!-- audit:begin -->"
#define BENCH_AUDIT_MARK_END "<!-- audit:end -->"

/* The aims. */
#define BENCH_AUDIT_AIM_PER_SECOND 100000.0      /* events appended per second */
#define BENCH_AUDIT_AIM_PROOF_US 50.0            /* one inclusion or consistency proof */
#define BENCH_AUDIT_AIM_VERIFY_S 5.0             /* offline verification of ... */
#define BENCH_AUDIT_AIM_VERIFY_ENTRIES 1000000.0 /* ... this many entries, on one core */

/* The batch the real subscriber commits at most (ocop_subscriber: S_POLL_DRAIN_MAX and
 * S_REPLAY_MAX): the main store is built with it. */
#define BENCH_AUDIT_MAIN_BATCH 1000
#define BENCH_AUDIT_APPENDS_MAX 4
#define BENCH_AUDIT_DBS 7
#define BENCH_AUDIT_VERIFY_MAX 4

/* ---------------------------------------------------------------- figures */

/* One append run: `events` events in commits of `batch`, on a fresh store. */
typedef struct {
    size_t batch, events, commits;
    int ordered; /* the events' products in id order (a control), not scrambled */
    double seconds, per_second;
    size_t tail_events;     /* the events of the last tenth of the commits */
    double tail_per_second; /* their rate: the store at its largest */
    /* Where the wall time went, seconds: unpacking the events (the subscriber's part),
     * aud_intake_apply, aud_intake_batch_end (the tree head's root and signature), the cursor
     * and the fsync'd commit. */
    double unpack_s, apply_s, batch_end_s, commit_s;
    bench_pct_t commit; /* one commit (mdb_txn_commit, fsync included) */
    double cpu_util;    /* this process's CPU time / wall time */
    double write_bytes; /* bytes handed to write-like system calls (LMDB's page writes) per event */
    unsigned grew;      /* map growths (each reruns a batch) */
} bench_audit_append_t;

typedef struct {
    const char *name;
    uint64_t bytes, records;
    uint64_t values; /* the sorted duplicates' bytes, for the tables of them */
} bench_audit_db_t;

/* One run of ocop-audit-verify. */
typedef struct {
    const char *mode; /* "--export" or "--store" */
    int cold;         /* the input was dropped from the page cache first (POSIX_FADV_DONTNEED) */
    double resident;  /* fraction of the input's pages in the page cache when it started */
    double wall_s, cpu_s;
    uint64_t entries, heads;
    uint64_t input_bytes;
} bench_audit_verify_t;

typedef struct {
    bench_context_t ctx;
    size_t events;      /* N: entries of the main store */
    double event_bytes; /* mean packed event */
    size_t products;    /* distinct product ids among the events */
    int pinned_cpu;     /* the CPU the verifier ran on, -1 when it could not be pinned */
    /* appends */
    bench_audit_append_t append[BENCH_AUDIT_APPENDS_MAX];
    size_t n_append;
    size_t main_append; /* the run that built the main store */
    /* the main store */
    uint64_t store_used, store_file;
    bench_audit_db_t dbs[BENCH_AUDIT_DBS];
    uint64_t heads;
    /* proofs, against the latest size, warm store */
    bench_pct_t inclusion, consistency, verify_inclusion, verify_consistency, root;
    double inclusion_len, consistency_len; /* mean hashes per proof */
    bench_pct_t head_verify;               /* one Ed25519 head signature checked in-process */
    /* a restart of the main store: opening the state (the service answers after it) and the
     * product index rebuilt from every entry (in the intake's thread, before it takes more) */
    double reopen_s, rebuild_s;
    /* offline verification */
    uint64_t export_bytes;
    double export_s;
    bench_audit_verify_t verify[BENCH_AUDIT_VERIFY_MAX];
    size_t n_verify;
} bench_audit_results_t;

/* ---------------------------------------------------------------- the log */

/* A temporary deployment of the audit service's state: a config file naming one source
 * ("registration"), a keys directory where aud_state_open creates the signing key, and a store. */
typedef struct {
    char dir[1024]; /* the run's own directory, under the benchmark's scratch directory */
    char store_dir[1100];
    char key_pub[1100]; /* <keys_dir>/audit.sign.pub */
    ocop_config_t *config;
    ocop_service_config_t sc;
    ocop_store_t *store;
    aud_state_t state;
    int state_open;
    MDB_dbi cursors;
} bench_audit_log_t;

/* Every event of a run, packed, back to back. */
typedef struct {
    uint8_t *data;
    size_t *offset; /* n + 1 offsets into data */
    size_t n;
    size_t products;
} bench_audit_events_t;

/* Builds n RegProductStageChanged events of source "registration", shard 0, sequences 1..n:
 * every product's first step, then every product's second, and so on; within a step the
 * products come in a scrambled order, or in id order when ordered. */
int bench_audit_events_make(bench_audit_events_t *ev, size_t n, int ordered);
void bench_audit_events_free(bench_audit_events_t *ev);

/* Creates dir (under scratch, named tag) with config and keys, and opens the store and state
 * the way ocop-audit does. 0, or -1 with a line on stderr. */
int bench_audit_log_open(bench_audit_log_t *log, const char *scratch, const char *tag);
/* Closes the store (keeps the files). Safe to call twice. */
void bench_audit_log_close(bench_audit_log_t *log);

/* Appends the events in commits of batch events as ocop_subscriber does. 0 / -1. */
int bench_audit_append(bench_audit_log_t *log, const bench_audit_events_t *ev, size_t batch, bench_audit_append_t *out);

/* Pages in use, the file's size and each database's pages and records. 0 / -1. */
int bench_audit_store_stats(bench_audit_log_t *log, bench_audit_results_t *r);

/* ---------------------------------------------------------------- proofs and verification */

/* Times `samples` inclusion and consistency proofs against the latest size, and their
 * verification; checks every proof. 0 / -1. */
int bench_audit_proofs(bench_audit_log_t *log, size_t samples, bench_audit_results_t *r);

/* Writes the export file (heads, then entries) straight from the store, timing it and checking
 * each head's signature in-process. 0 / -1. */
int bench_audit_export(bench_audit_log_t *log, const char *path, bench_audit_results_t *r);

/* Runs `verifier --key KEY MODE INPUT` pinned to one CPU, cold (input dropped from the page
 * cache) or warm, and checks that it prints "verified: N entries". 0 / -1. */
int bench_audit_verify_run(const char *verifier, const char *key, const char *mode, const char *input, int cold,
                           uint64_t expect_entries, bench_audit_results_t *r);

/* ---------------------------------------------------------------- report */

void bench_audit_report_print(const bench_audit_results_t *r, FILE *out);
/* The docs section, between (and including) the markers. */
void bench_audit_report_markdown(const bench_audit_results_t *r, bench_text_t *out);

#endif
