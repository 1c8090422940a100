/* bench_audit_log — the audit log built through the service's own append path: events,
 * a temporary deployment (config, keys, store, aud_state) and batched, fsync'd commits exactly
 * as ocop_subscriber makes them. See bench_audit.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aud_intake.h"
#include "bench_audit.h"
#include "ocop_db.h"

/* The 34 provinces of units 2025. */
static const char *const s_provinces[] = {"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25",
                                          "31", "33", "37", "38", "40", "42", "44", "46", "48", "51", "52", "56",
                                          "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"};
#define S_PROVINCES (sizeof s_provinces / sizeof s_provinces[0])

/* A product's way through the stages, one event per step. */
static const struct {
    Ocop__Stage from, to;
    Ocop__StageAction action;
    const char *reason;
} s_steps[] = {
    {OCOP__STAGE__STAGE_IDEA_SUBMITTED, OCOP__STAGE__STAGE_PLAN_PREPARING, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT,
     "ý tưởng sản phẩm phù hợp với chương trình OCOP của xã"},
    {OCOP__STAGE__STAGE_PLAN_PREPARING, OCOP__STAGE__STAGE_PLAN_SUBMITTED, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT,
     "nộp phương án sản xuất kinh doanh"},
    {OCOP__STAGE__STAGE_PLAN_SUBMITTED, OCOP__STAGE__STAGE_IMPLEMENTING, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT,
     "phương án khả thi, đồng ý triển khai"},
    {OCOP__STAGE__STAGE_IMPLEMENTING, OCOP__STAGE__STAGE_READY_FOR_EVALUATION, OCOP__STAGE_ACTION__STAGE_ACTION_SUBMIT,
     "hồ sơ dự thi đầy đủ theo quy định"},
    {OCOP__STAGE__STAGE_READY_FOR_EVALUATION, OCOP__STAGE__STAGE_EVALUATING, OCOP__STAGE_ACTION__STAGE_ACTION_ACCEPT,
     "chuyển hội đồng đánh giá, phân hạng cấp tỉnh"},
};
#define S_STEPS (sizeof s_steps / sizeof s_steps[0])
#define S_TIME_BASE_MS 1767225600000LL /* 2026-01-01 00:00 UTC */

/* ---------------------------------------------------------------- events */

static int s_events_push(bench_audit_events_t *ev, size_t *cap, const Ocop__Event *e)
{
    size_t len = ocop__event__get_packed_size(e), at = ev->offset[ev->n];
    if (at + len > *cap) {
        size_t grown_cap = *cap ? *cap : 1 << 20;
        while (at + len > grown_cap)
            grown_cap *= 2;
        uint8_t *grown = realloc(ev->data, grown_cap);
        if (!grown)
            return -1;
        ev->data = grown;
        *cap = grown_cap;
    }
    ocop__event__pack(e, ev->data + at);
    ev->offset[++ev->n] = at + len;
    return 0;
}

static size_t s_gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int bench_audit_events_make(bench_audit_events_t *ev, size_t n, int ordered)
{
    memset(ev, 0, sizeof *ev);
    ev->offset = calloc(n + 1, sizeof *ev->offset);
    if (!ev->offset)
        return -1;
    /* Every product goes through every step, all products' first steps before their second
     * ones, so that a product's events are spread over the log as in a real year; within a step
     * the products come in a scrambled order (a multiplier prime to their count), as requests
     * about unrelated products do, unless ordered. */
    ev->products = (n + S_STEPS - 1) / S_STEPS;
    size_t mult = ordered ? 1 : 7919;
    while (s_gcd(mult, ev->products) != 1)
        mult++;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        size_t p = (i % ev->products) * mult % ev->products, step = i / ev->products;
        char product[32], entity[32], sector[8], set[8];
        snprintf(product, sizeof product, "PRD-%08zu", p + 1);
        snprintf(entity, sizeof entity, "ENT-%08zu", p / 3 + 1);
        snprintf(sector, sizeof sector, "%zu", p % 6 + 1);
        snprintf(set, sizeof set, "%zu", p % 26 + 1);
        int64_t time_ms = S_TIME_BASE_MS + (int64_t)i * 37;
        Ocop__RegStageChange change = OCOP__REG_STAGE_CHANGE__INIT;
        change.from = s_steps[step % S_STEPS].from;
        change.to = s_steps[step % S_STEPS].to;
        change.action = s_steps[step % S_STEPS].action;
        change.by = "gateway";
        change.reason = (char *)s_steps[step % S_STEPS].reason;
        change.time_ms = time_ms;
        Ocop__RegProductStageChanged body = OCOP__REG_PRODUCT_STAGE_CHANGED__INIT;
        body.product_id = product;
        body.entity_id = entity;
        body.province_code = body.current_province_code = (char *)s_provinces[p % S_PROVINCES];
        body.sector_code = sector;
        body.product_set_code = set;
        body.change = &change;
        Ocop__Event e = OCOP__EVENT__INIT;
        e.source = "registration";
        e.shard = 0;
        e.sequence = i + 1;
        e.time_ms = time_ms;
        e.body_case = OCOP__EVENT__BODY_REG_PRODUCT_STAGE_CHANGED;
        e.reg_product_stage_changed = &body;
        if (s_events_push(ev, &cap, &e) != 0) {
            bench_audit_events_free(ev);
            return -1;
        }
    }
    return 0;
}

void bench_audit_events_free(bench_audit_events_t *ev)
{
    free(ev->data);
    free(ev->offset);
    memset(ev, 0, sizeof *ev);
}

/* ---------------------------------------------------------------- the deployment */

/* The config ocop-audit would be given: the audit section and the one source it follows
 * (nothing listens on the endpoints: the events are handed to the intake in-process). */
static int s_write_config(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\n  \"keys_dir\": \"keys\",\n  \"data_dir\": \"data\",\n  \"services\": {\n"
            "    \"registration\": {\"endpoint\": \"tcp://127.0.0.1:7101\", \"events_endpoint\": "
            "\"tcp://127.0.0.1:7102\"},\n"
            "    \"audit\": {\"endpoint\": \"tcp://127.0.0.1:7301\", \"events_endpoint\": \"tcp://127.0.0.1:7302\",\n"
            /* Large enough that the map never grows during a run: growth reruns a batch. */
            "              \"map_size_mb\": 4096, \"map_max_mb\": 16384, \"sources\": [\"registration\"]}\n"
            "  }\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

int bench_audit_log_open(bench_audit_log_t *log, const char *scratch, const char *tag)
{
    memset(log, 0, sizeof *log);
    char path[1200], keys[1200], err[512] = "";
    snprintf(log->dir, sizeof log->dir, "%s/%s", scratch, tag);
    snprintf(path, sizeof path, "%s/config.json", log->dir);
    snprintf(keys, sizeof keys, "%s/keys", log->dir);
    if (mkdir(log->dir, 0700) != 0 || mkdir(keys, 0700) != 0 || s_write_config(path) != 0) {
        fprintf(stderr, "bench_audit: cannot set up %s: %s\n", log->dir, strerror(errno));
        return -1;
    }
    log->config = ocop_config_load(path, err, sizeof err);
    if (log->config && ocop_config_service(log->config, "audit", &log->sc, err, sizeof err) == 0) {
        ocop_store_options_t so = {
            .path = log->sc.store_dir, .map_size = log->sc.map_size, .map_max = log->sc.map_max, .max_dbs = 32};
        log->store = ocop_store_open(&so, err, sizeof err);
    }
    if (log->store) {
        log->state_open = aud_state_open(&log->state, log->store, log->config, &log->sc, err, sizeof err) == 0 &&
                          aud_state_rebuild_products(&log->state, err, sizeof err) == 0;
        if (!log->state_open)
            aud_state_close(&log->state);
    }
    /* The subscriber's cursor lives in its own database (ocop_subscriber: "cursors"). */
    if (!log->state_open || ocop_store_dbi(log->store, "cursors", 0, &log->cursors) != 0) {
        fprintf(stderr, "bench_audit: cannot open the audit state in %s: %s\n", log->dir, err);
        bench_audit_log_close(log);
        return -1;
    }
    snprintf(log->store_dir, sizeof log->store_dir, "%s", log->sc.store_dir);
    snprintf(log->key_pub, sizeof log->key_pub, "%s/%s.sign.pub", ocop_config_keys_dir(log->config), log->sc.name);
    return 0;
}

void bench_audit_log_close(bench_audit_log_t *log)
{
    if (log->state_open)
        aud_state_close(&log->state);
    log->state_open = 0;
    ocop_store_destroy(&log->store);
    ocop_config_destroy(&log->config);
}

/* ---------------------------------------------------------------- appending */

typedef struct {
    int64_t unpack, apply, batch_end, commit; /* nanoseconds */
} s_split_t;

/* Events [from, to) in one write transaction, as ocop_subscriber's s_apply_once does: each
 * event unpacked and applied, the batch ended (root and signed head), the cursor stored, the
 * transaction committed with fsync. 0 or the MDB error (nothing kept). */
static int s_batch(bench_audit_log_t *log, aud_source_t *src, const bench_audit_events_t *ev, size_t from, size_t to,
                   s_split_t *split, int64_t *commit_ns)
{
    ocop_store_hold(log->store);
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(ocop_store_env(log->store), NULL, 0, &txn);
    for (size_t i = from; i < to && rc == 0; i++) {
        ProtobufCBinaryData raw = {ev->offset[i + 1] - ev->offset[i], ev->data + ev->offset[i]};
        int64_t t0 = bench_now_ns();
        Ocop__Event *e = ocop__event__unpack(NULL, raw.len, raw.data);
        int64_t t1 = bench_now_ns();
        rc = e ? aud_intake_apply(src, txn, e, &raw) : MDB_CORRUPTED;
        split->unpack += t1 - t0;
        split->apply += bench_now_ns() - t1;
        if (e)
            ocop__event__free_unpacked(e, NULL);
    }
    uint64_t cursor = to; /* sequence of the last event */
    int64_t t0 = bench_now_ns();
    if (rc == 0)
        rc = aud_intake_batch_end(src, txn, cursor, cursor);
    int64_t t1 = bench_now_ns();
    split->batch_end += t1 - t0;
    if (rc == 0) {
        uint8_t vb[8];
        ocop_be64_put(vb, cursor);
        MDB_val k = {.mv_size = strlen(src->section), .mv_data = src->section}, v = {.mv_size = 8, .mv_data = vb};
        rc = ocop_db_put(txn, log->cursors, &k, &v, 0);
    }
    if (rc == 0) {
        rc = mdb_txn_commit(txn);
        *commit_ns = bench_now_ns() - t1;
        split->commit += *commit_ns;
    } else if (txn) {
        mdb_txn_abort(txn);
    }
    ocop_store_release(log->store);
    return rc;
}

int bench_audit_append(bench_audit_log_t *log, const bench_audit_events_t *ev, size_t batch, bench_audit_append_t *out)
{
    memset(out, 0, sizeof *out);
    aud_source_t src = {.state = &log->state};
    snprintf(src.section, sizeof src.section, "registration");
    size_t commits = (ev->n + batch - 1) / batch;
    int64_t *commit_ns = calloc(commits ? commits : 1, sizeof *commit_ns);
    if (!commit_ns)
        return -1;
    s_split_t split = {0};
    uint64_t wchar0, wchar1, syscw;
    bench_process_io(getpid(), &wchar0, &syscw);
    int64_t cpu0 = bench_process_cpu_ns(getpid()), t0 = bench_now_ns(), t_tail = t0;
    size_t tail_commit = commits - (commits + 9) / 10; /* the last tenth of the commits */
    int rc = 0, tail_started = 0;
    for (size_t c = 0; c < commits && rc == 0; c++) {
        size_t from = c * batch, to = from + batch < ev->n ? from + batch : ev->n;
        if (c == tail_commit && !tail_started) {
            t_tail = bench_now_ns();
            tail_started = 1;
            out->tail_events = ev->n - from;
        }
        rc = s_batch(log, &src, ev, from, to, &split, &commit_ns[c]);
        /* As the subscriber does: a full map is grown and the batch run again. */
        if (rc == MDB_MAP_FULL && ocop_store_grow(log->store) == 0) {
            out->grew++;
            c--;
            rc = 0;
        }
    }
    int64_t wall = bench_now_ns() - t0, cpu = bench_process_cpu_ns(getpid()) - cpu0;
    bench_process_io(getpid(), &wchar1, &syscw);
    if (rc != 0) {
        fprintf(stderr, "bench_audit: appending in batches of %zu failed: %s\n", batch, mdb_strerror(rc));
        free(commit_ns);
        return -1;
    }
    out->batch = batch;
    out->events = ev->n;
    out->commits = commits;
    out->seconds = (double)wall / 1e9;
    out->per_second = wall > 0 ? (double)ev->n / out->seconds : 0;
    int64_t tail = t0 + wall - t_tail;
    out->tail_per_second = tail > 0 ? (double)out->tail_events / ((double)tail / 1e9) : 0;
    out->unpack_s = (double)split.unpack / 1e9;
    out->apply_s = (double)split.apply / 1e9;
    out->batch_end_s = (double)split.batch_end / 1e9;
    out->commit_s = (double)split.commit / 1e9;
    out->cpu_util = wall > 0 ? (double)cpu / (double)wall : 0;
    out->write_bytes = ev->n ? (double)(wchar1 - wchar0) / (double)ev->n : 0;
    bench_percentiles(commit_ns, commits, &out->commit);
    free(commit_ns);
    return 0;
}

/* ---------------------------------------------------------------- store size */

int bench_audit_store_stats(bench_audit_log_t *log, bench_audit_results_t *r)
{
    MDB_env *env = ocop_store_env(log->store);
    const aud_dbs_t *d = &log->state.db;
    /* mdb_stat does not count the sub-trees of key_entries' and source_entries' sorted
     * duplicates: theirs are what is left of the pages in use (ocop_store_pages), so the two
     * tables are counted together. */
    const struct {
        const char *name;
        MDB_dbi dbi, dups;
    } dbs[BENCH_AUDIT_DBS] = {{"entries", d->entries, 0},
                              {"merkle", d->merkle, 0},
                              {"key_entries + source_entries", d->key_entries, d->source_entries},
                              {"by_time", d->by_time, 0},
                              {"heads", d->heads, 0},
                              {"meta", d->meta, 0},
                              {"sources", d->sources, 0}};
    ocop_store_pages_t pages;
    MDB_txn *txn;
    if (ocop_store_pages(env, &pages) != 0 || mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
        return -1;
    r->store_used = pages.used * pages.psize;
    int rc = 0;
    for (size_t i = 0; i < BENCH_AUDIT_DBS && rc == 0; i++) {
        MDB_stat st, dst;
        rc = mdb_stat(txn, dbs[i].dbi, &st);
        uint64_t tree = (uint64_t)(st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages);
        r->dbs[i].name = dbs[i].name;
        r->dbs[i].bytes = tree * pages.psize;
        r->dbs[i].records = st.ms_entries;
        if (rc == 0 && dbs[i].dups && (rc = mdb_stat(txn, dbs[i].dups, &dst)) == 0) {
            tree += (uint64_t)(dst.ms_branch_pages + dst.ms_leaf_pages + dst.ms_overflow_pages);
            r->dbs[i].bytes = (tree + pages.duplicates) * pages.psize;
            r->dbs[i].values = 8 * st.ms_entries + 16 * dst.ms_entries; /* index; sequence|index */
            r->dbs[i].records += dst.ms_entries;
        }
        if (dbs[i].dbi == d->heads)
            r->heads = st.ms_entries;
    }
    mdb_txn_abort(txn);
    char path[1200];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", log->store_dir);
    r->store_file = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
    return rc == 0 ? 0 : -1;
}
