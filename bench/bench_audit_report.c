/* bench_audit_report — the audit benchmark's figures for a terminal and as the Markdown section
 * of docs/BENCHMARKS.md. See bench_audit.h. */
#include <string.h>

#include "aud_intake.h"
#include "bench_audit.h"

/* ---------------------------------------------------------------- derived figures */

typedef struct {
    const bench_audit_append_t *main;
    const bench_audit_append_t *ordered; /* the control: products in id order (NULL when absent) */
    double append_aim;                   /* main events/s / the aim */
    const char *append_verdict;
    double proof_p99;               /* the worse p99 of the two proofs, µs */
    const bench_audit_verify_t *ex; /* the verification judged: --export, cold */
    double scale;                   /* aim's entries / entries verified */
    double verify_s;                /* ex's wall time at the aim's entries */
    double one_per_commit_s;        /* heads' signatures alone when every commit holds one event */
} s_derived_t;

static s_derived_t s_derive(const bench_audit_results_t *r)
{
    s_derived_t d = {.main = &r->append[r->main_append]};
    d.append_aim = d.main->per_second / BENCH_AUDIT_AIM_PER_SECOND;
    /* Judged on the whole run; said plainly when the end of the run falls short. */
    d.append_verdict = d.append_aim < 1 ? "not met"
                       : d.main->tail_per_second < BENCH_AUDIT_AIM_PER_SECOND
                           ? "met over the run, not over its last tenth"
                           : "met";
    for (size_t i = 0; i < r->n_append; i++)
        if (r->append[i].ordered)
            d.ordered = &r->append[i];
    d.proof_p99 = r->inclusion.p99_us > r->consistency.p99_us ? r->inclusion.p99_us : r->consistency.p99_us;
    for (size_t i = 0; i < r->n_verify; i++)
        if (strcmp(r->verify[i].mode, "--export") == 0 && (!d.ex || r->verify[i].wall_s > d.ex->wall_s))
            d.ex = &r->verify[i];
    d.scale = r->events ? BENCH_AUDIT_AIM_VERIFY_ENTRIES / (double)r->events : 0;
    d.verify_s = d.ex ? d.ex->wall_s * d.scale : 0;
    d.one_per_commit_s = BENCH_AUDIT_AIM_VERIFY_ENTRIES * r->head_verify.p50_us / 1e6;
    return d;
}

static const char *s_met(int met)
{
    return met ? "met" : "NOT met";
}

/* Share of an append run's wall time. */
static double s_pct(double part, const bench_audit_append_t *ap)
{
    return ap->seconds > 0 ? 100 * part / ap->seconds : 0;
}

static double s_per_event(uint64_t bytes, const bench_audit_results_t *r)
{
    return r->events ? (double)bytes / (double)r->events : 0;
}

/* A Merkle node in an LMDB leaf page: the node header (8), key (12), hash (32) and the page's
 * 2-byte slot for it. */
#define S_NODE_RECORD (8 + 12 + AUD_HASH_LEN + 2)

static const bench_audit_db_t *s_db(const bench_audit_results_t *r, const char *name)
{
    for (size_t i = 0; i < BENCH_AUDIT_DBS; i++)
        if (r->dbs[i].name && strcmp(r->dbs[i].name, name) == 0)
            return &r->dbs[i];
    return NULL;
}

/* ---------------------------------------------------------------- terminal */

void bench_audit_report_print(const bench_audit_results_t *r, FILE *out)
{
    s_derived_t d = s_derive(r);
    fprintf(out, "\nOCOP audit benchmark%s — %s\n", r->ctx.quick ? " (--quick)" : "", r->ctx.date);
    fprintf(out, "CPU: %s, %d cores, %s build. %zu events (RegProductStageChanged, %.0f bytes packed on average).\n\n",
            r->ctx.cpu, r->ctx.cores, r->ctx.build_type, r->events, r->event_bytes);
    fprintf(out, "Appends (aud_intake_apply + aud_intake_batch_end, one fsync'd commit per batch; * = main store)\n");
    fprintf(out, "  %-9s %9s %9s %8s %8s %8s %9s %9s %7s %7s %7s %7s %5s %7s\n", "batch", "events/s", "last 10%",
            "events", "seconds", "commits", "commit50", "commit99", "unpack", "apply", "sign", "commit", "CPU",
            "KiB/ev");
    for (size_t i = 0; i < r->n_append; i++) {
        const bench_audit_append_t *ap = &r->append[i];
        fprintf(
            out,
            "  %-5zu%-4s %9.0f %9.0f %8zu %8.2f %8zu %7.0fus %7.0fus %6.0f%% %6.0f%% %6.0f%% %6.0f%% %4.0f%% %7.2f\n",
            ap->batch,
            i == r->main_append ? " *"
            : ap->ordered       ? " ids"
                                : "",
            ap->per_second, ap->tail_per_second, ap->events, ap->seconds, ap->commits, ap->commit.p50_us,
            ap->commit.p99_us, s_pct(ap->unpack_s, ap), s_pct(ap->apply_s, ap), s_pct(ap->batch_end_s, ap),
            s_pct(ap->commit_s, ap), 100 * ap->cpu_util, ap->write_bytes / 1024);
    }
    fprintf(out,
            "  (shares of wall time: unpack = the subscriber's ocop__event__unpack, apply = aud_intake_apply,\n"
            "   sign = aud_intake_batch_end (root, Ed25519 head, source status), commit = cursor + mdb_txn_commit;\n"
            "   KiB/ev: bytes handed to write-like system calls per event, LMDB's page writes; ids: the events'\n"
            "   products in id order, a control for the scrambled order of the other runs)\n");
    fprintf(out, "\nMain store: %.1f MiB in use, %.0f bytes per event (file %.1f MiB); %llu signed heads\n ",
            (double)r->store_used / 1048576.0, s_per_event(r->store_used, r), (double)r->store_file / 1048576.0,
            (unsigned long long)r->heads);
    for (size_t i = 0; i < BENCH_AUDIT_DBS; i++)
        fprintf(out, " %s %.0f B/event (%.2f records);", r->dbs[i].name, s_per_event(r->dbs[i].bytes, r),
                s_per_event(r->dbs[i].records, r));
    fprintf(out, "\n\nProofs against the latest size (%zu entries, warm store, %zu random samples each)\n", r->events,
            r->inclusion.n);
    const struct {
        const char *name;
        const bench_pct_t *p;
    } rows[] = {{"inclusion proof", &r->inclusion},         {"consistency proof (random pair)", &r->consistency},
                {"verify inclusion", &r->verify_inclusion}, {"verify consistency", &r->verify_consistency},
                {"root of a random size", &r->root},        {"head signature check", &r->head_verify}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fprintf(out, "  %-32s p50 %7.2f us  p99 %7.2f us  max %8.1f us\n", rows[i].name, rows[i].p->p50_us,
                rows[i].p->p99_us, rows[i].p->max_us);
    fprintf(out, "  (%.1f hashes per inclusion proof, %.1f per consistency proof on average)\n", r->inclusion_len,
            r->consistency_len);
    fprintf(out, "\nOffline verification: ocop-audit-verify on CPU %d; export %.1f MiB written in %.2f s\n",
            r->pinned_cpu, (double)r->export_bytes / 1048576.0, r->export_s);
    for (size_t i = 0; i < r->n_verify; i++) {
        const bench_audit_verify_t *v = &r->verify[i];
        fprintf(out, "  %-8s %-4s %6.2f s wall %6.2f s CPU  %4.0f%% cached at start  %7.1f MiB read  %.2f s per 1M\n",
                v->mode, v->cold ? "cold" : "warm", v->wall_s, v->cpu_s, 100 * v->resident,
                (double)v->input_bytes / 1048576.0, v->wall_s * d.scale);
    }
    fprintf(out, "\nAims\n");
    fprintf(out, "  appends, batch %zu: %.0f events/s / %.0f = %.2f  (%s; last tenth %.0f events/s)\n", d.main->batch,
            d.main->per_second, BENCH_AUDIT_AIM_PER_SECOND, d.append_aim,
            d.append_aim < 1 ? "NOT met" : d.append_verdict, d.main->tail_per_second);
    fprintf(out, "  proofs: worse p99 %.1f us (inclusion p50 %.1f, consistency p50 %.1f) / %.0f us  (%s)\n",
            d.proof_p99, r->inclusion.p50_us, r->consistency.p50_us, BENCH_AUDIT_AIM_PROOF_US,
            s_met(d.proof_p99 < BENCH_AUDIT_AIM_PROOF_US));
    fprintf(out, "  offline verification of %.0f entries (--export, slower run%s): %.2f s / %.0f s  (%s)\n",
            BENCH_AUDIT_AIM_VERIFY_ENTRIES, d.scale != 1 ? ", scaled from the entries verified" : "", d.verify_s,
            BENCH_AUDIT_AIM_VERIFY_S, s_met(d.verify_s < BENCH_AUDIT_AIM_VERIFY_S));
}

/* ---------------------------------------------------------------- Markdown */

static void s_md_context(const bench_audit_results_t *r, bench_text_t *t)
{
    bench_text_printf(t, "%s\n## Audit: transparency log appends, proofs and offline verification\n\n",
                      BENCH_AUDIT_MARK_BEGIN);
    bench_text_printf(t, "One run of `bench_audit%s` on %s: %s, %d cores, %s build.\n\n",
                      r->ctx.quick ? " --quick" : "", r->ctx.date, r->ctx.cpu, r->ctx.cores, r->ctx.build_type);
    if (r->ctx.quick)
        bench_text_printf(
            t,
            "A `--quick` smoke run of %zu entries: verification times for %.0f entries are scaled from "
            "it (×%.0f); a larger store makes appends slower (compare the last tenth) and proofs a little "
            "slower.\n\n",
            r->events, BENCH_AUDIT_AIM_VERIFY_ENTRIES, BENCH_AUDIT_AIM_VERIFY_ENTRIES / (double)r->events);
    bench_text_printf(
        t,
        "What it measures: the audit service's own append path, in-process, without the network. A store is "
        "opened as `ocop-audit` opens it (its config, a keys directory where `aud_state_open` creates the signing "
        "key, LMDB fsync'd on every commit), then %zu packed registration events (RegProductStageChanged of %zu "
        "products over 34 provinces, %.0f bytes on average, one source, sequences 1..%zu; every product's first "
        "step, then every product's second, and so on, the products of a step in a scrambled order as unrelated "
        "requests come) are handed to "
        "`aud_intake_apply` one by one and to `aud_intake_batch_end` once per batch, inside one write transaction "
        "per batch that also stores the subscriber's cursor, each event unpacked first, exactly as "
        "`ocop_subscriber` applies what it received (receiving it over ZeroMQ is not part of the figure): every "
        "entry, its Merkle nodes and its indexes commit together (events by product are indexed in memory, "
        "`aud_memindex`), with a freshly signed tree head whenever %d entries are unsigned "
        "(`AUD_HEAD_EVERY`). Each batch size runs "
        "on a fresh store, and one more run takes the "
        "products in id order, as a control. The store built with batches of "
        "%d (the most `ocop_subscriber` ever commits at once) is then asked, in one read transaction, for "
        "inclusion proofs of random entries against its full size and consistency proofs between random sizes, "
        "each checked with `aud_merkle_verify_*`. Last, it is written out in the export format (`AudExportRecord`, "
        "heads then entries, as `ocopctl audit export` writes it) and the real `ocop-audit-verify` checks the "
        "export and the store itself as a child process pinned to one CPU, first with its input dropped from the "
        "page cache, then warm.\n\n",
        r->events, r->products, r->event_bytes, r->events, AUD_HEAD_EVERY, BENCH_AUDIT_MAIN_BATCH);
}

static void s_md_aims(const bench_audit_results_t *r, const s_derived_t *d, bench_text_t *t)
{
    bench_text_printf(t, "| aim | result |\n|---|---|\n");
    bench_text_printf(t,
                      "| **≥ 100,000 events/s appended**, signing batched per commit | **%.0f** events/s over %zu "
                      "events in batches of %zu, %.2f of the aim — %s; %.0f events/s over the last tenth, the store "
                      "at its largest |\n",
                      d->main->per_second, d->main->events, d->main->batch, d->append_aim, d->append_verdict,
                      d->main->tail_per_second);
    bench_text_printf(t,
                      "| **proof generation < 50 µs** | inclusion **p50 %.1f µs, p99 %.1f µs**; consistency **p50 "
                      "%.1f µs, p99 %.1f µs** — %s%s |\n",
                      r->inclusion.p50_us, r->inclusion.p99_us, r->consistency.p50_us, r->consistency.p99_us,
                      d->proof_p99 < BENCH_AUDIT_AIM_PROOF_US ? "met" : "not met",
                      d->proof_p99 < BENCH_AUDIT_AIM_PROOF_US ? " at p99" : " at p99 (judged on the worse p99)");
    if (d->ex)
        bench_text_printf(t,
                          "| **offline verification of 1,000,000 entries < 5 s on one core** | **%.2f s**%s "
                          "(`--export`, %s run, %.2f s CPU%s) — %s |\n",
                          d->verify_s, d->scale != 1 ? " scaled" : "", d->ex->cold ? "cold" : "warm",
                          d->ex->cpu_s * d->scale, d->scale != 1 ? " scaled" : "",
                          d->verify_s < BENCH_AUDIT_AIM_VERIFY_S ? "met" : "not met");
    bench_text_printf(t, "\n");
}

static void s_md_appends(const bench_audit_results_t *r, bench_text_t *t)
{
    bench_text_printf(t,
                      "Appends (each batch size on a fresh store of %zu events; the last tenth is the rate with the "
                      "store at its largest; the shares are of the wall time):\n\n",
                      r->events);
    bench_text_printf(t, "| batch | events/s | events/s, last tenth | seconds | commits | commit p50 µs | commit p99 "
                         "µs | unpack | `aud_intake_apply` | `aud_intake_batch_end` | cursor + commit | CPU | KiB "
                         "written per event |\n");
    bench_text_printf(t, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < r->n_append; i++) {
        const bench_audit_append_t *ap = &r->append[i];
        int m = i == r->main_append;
        bench_text_printf(t,
                          "| %zu%s | %s%.0f%s | %.0f | %.2f | %zu | %.0f | %.0f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | "
                          "%.0f%% | %.2f |\n",
                          ap->batch,
                          m             ? " (main)"
                          : ap->ordered ? ", products in id order"
                                        : "",
                          m ? "**" : "", ap->per_second, m ? "**" : "", ap->tail_per_second, ap->seconds, ap->commits,
                          ap->commit.p50_us, ap->commit.p99_us, s_pct(ap->unpack_s, ap), s_pct(ap->apply_s, ap),
                          s_pct(ap->batch_end_s, ap), s_pct(ap->commit_s, ap), 100 * ap->cpu_util,
                          ap->write_bytes / 1024);
    }
    bench_text_printf(t,
                      "\nThe main store: %.1f MiB of pages in use for %zu events, **%.0f bytes per event** (the "
                      "%.0f-byte event itself included; data.mdb is %.1f MiB), %llu signed heads:\n\n",
                      (double)r->store_used / 1048576.0, r->events, s_per_event(r->store_used, r), r->event_bytes,
                      (double)r->store_file / 1048576.0, (unsigned long long)r->heads);
    bench_text_printf(t, "| database | bytes per event | records per event |\n|---|---:|---:|\n");
    for (size_t i = 0; i < BENCH_AUDIT_DBS; i++)
        bench_text_printf(t, "| %s | %.1f | %.3f |\n", r->dbs[i].name, s_per_event(r->dbs[i].bytes, r),
                          s_per_event(r->dbs[i].records, r));
    bench_text_printf(t, "\n");
}

static void s_md_proofs(const bench_audit_results_t *r, bench_text_t *t)
{
    bench_text_printf(t,
                      "Proofs from the main store (%zu entries, warm: the store is in the page cache), %zu random "
                      "samples of each, timed one by one:\n\n",
                      r->events, r->inclusion.n);
    bench_text_printf(t, "| operation | p50 µs | p99 µs | max µs |\n|---|---:|---:|---:|\n");
    const struct {
        const char *name;
        const bench_pct_t *p;
    } rows[] = {
        {"`aud_merkle_inclusion`, random entry, latest size", &r->inclusion},
        {"`aud_merkle_consistency`, random pair of sizes", &r->consistency},
        {"`aud_merkle_verify_inclusion`", &r->verify_inclusion},
        {"`aud_merkle_verify_consistency`", &r->verify_consistency},
        {"`aud_merkle_root` of a random size (what each commit signs)", &r->root},
        {"`aud_head_verify`: one head's Ed25519 signature", &r->head_verify},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        bench_text_printf(t, "| %s | %.2f | %.2f | %.1f |\n", rows[i].name, rows[i].p->p50_us, rows[i].p->p99_us,
                          rows[i].p->max_us);
    bench_text_printf(t,
                      "\nA proof holds %.1f hashes (inclusion) and %.1f (consistency) on average. The service's "
                      "handlers add to these a head read, an entry copy and packing the reply.\n\n",
                      r->inclusion_len, r->consistency_len);
}

static void s_md_restart(const bench_audit_results_t *r, bench_text_t *t)
{
    bench_text_printf(t,
                      "A restart of the store of %zu entries: the state opens in %.3f s, after which the service "
                      "answers every query; the index of events by product is rebuilt from every entry in "
                      "%.2f s by the intake's thread before it takes new events (product queries answer "
                      "UNAVAILABLE until then).\n\n",
                      r->events, r->reopen_s, r->rebuild_s);
}

static void s_md_verify(const bench_audit_results_t *r, const s_derived_t *d, bench_text_t *t)
{
    bench_text_printf(t, "Offline verification by `ocop-audit-verify`, ");
    if (r->pinned_cpu >= 0)
        bench_text_printf(t, "pinned to CPU %d (sched_setaffinity)", r->pinned_cpu);
    else
        bench_text_printf(t, "not pinned (the CPU set could not be read)");
    bench_text_printf(t, "; the export (%.1f MiB) took %.2f s to write from the store:\n\n",
                      (double)r->export_bytes / 1048576.0, r->export_s);
    bench_text_printf(t, "| input | page cache | cached at start | wall s | CPU s | MiB read | entries | heads%s |\n",
                      d->scale != 1 ? " | wall s scaled to 1,000,000" : "");
    bench_text_printf(t, "|---|---|---:|---:|---:|---:|---:|---:%s|\n", d->scale != 1 ? "|---:" : "");
    for (size_t i = 0; i < r->n_verify; i++) {
        const bench_audit_verify_t *v = &r->verify[i];
        bench_text_printf(t, "| `%s` | %s | %.0f%% | %.2f | %.2f | %.1f | %llu | %llu", v->mode,
                          v->cold ? "dropped first" : "warm", 100 * v->resident, v->wall_s, v->cpu_s,
                          (double)v->input_bytes / 1048576.0, (unsigned long long)v->entries,
                          (unsigned long long)v->heads);
        if (d->scale != 1)
            bench_text_printf(t, " | %.2f", v->wall_s * d->scale);
        bench_text_printf(t, " |\n");
    }
    bench_text_printf(t, "\n");
}

static void s_md_notes(const bench_audit_results_t *r, const s_derived_t *d, bench_text_t *t)
{
    const bench_audit_append_t *m = d->main;
    bench_text_printf(t, "Notes:\n\n");
    bench_text_printf(t,
                      "- Where an append's time goes (batches of %zu): %.0f%% in `aud_intake_apply` (leaf hash, "
                      "Merkle nodes, indexes, counters: about %.1f µs per event), %.0f%% in the cursor and the "
                      "fsync'd commit (p50 %.0f µs per commit), %.0f%% unpacking events, %.0f%% in "
                      "`aud_intake_batch_end` (root, one Ed25519 signature, source status). This process used %.0f%% "
                      "of a core.\n",
                      m->batch, s_pct(m->apply_s, m), m->events ? 1e6 * m->apply_s / (double)m->events : 0,
                      s_pct(m->commit_s, m), m->commit.p50_us, s_pct(m->unpack_s, m), s_pct(m->batch_end_s, m),
                      100 * m->cpu_util);
    if (d->ordered)
        bench_text_printf(t,
                          "- Write volume: with batches of %zu every event made LMDB write %.1f KiB (%.0f× the "
                          "%.0f-byte event); with the products in id order, %.1f KiB and %.0f events/s instead of "
                          "%.0f. Keys that follow the products' order would put each event on a leaf page of its "
                          "own when products come in no order, and every page a commit dirties is written whole: "
                          "an earlier version that indexed events by product in LMDB measured 50,740 events/s "
                          "here (5.3 KiB written per event); the product index now lives in memory "
                          "(`aud_memindex`, rebuilt from the entries after a restart while the service answers).\n",
                          m->batch, m->write_bytes / 1024, r->event_bytes > 0 ? m->write_bytes / r->event_bytes : 0,
                          r->event_bytes, d->ordered->write_bytes / 1024, d->ordered->per_second, m->per_second);
    const bench_audit_db_t *nodes = s_db(r, "merkle");
    if (nodes && nodes->bytes)
        bench_text_printf(t,
                          "- Space: the Merkle nodes (%.2f per event, 12-byte key and 32-byte hash, %d bytes each in "
                          "an LMDB leaf) take %.0f bytes per event, pages %.0f%% full: a node is keyed by the last "
                          "leaf it covers, then its level (`aud_node_key`), the order in which appends make them, "
                          "so each is put at the table's end (`MDB_APPEND`). Keyed level-major before (every leaf, "
                          "then every level-1 node, ...), each level grew in the middle of the table, where LMDB "
                          "splits pages in half: 218 bytes per event, pages 50%% full.\n",
                          s_per_event(nodes->records, r), S_NODE_RECORD, s_per_event(nodes->bytes, r),
                          100.0 * (double)(nodes->records * S_NODE_RECORD) / (double)nodes->bytes);
    const bench_audit_db_t *indexes = s_db(r, "key_entries + source_entries");
    if (indexes && indexes->bytes)
        bench_text_printf(t,
                          "- Space: the indexes by council, province and type (`key_entries`, an entry's index of "
                          "8 bytes under each key it names) and by source sequence (`source_entries`, sequence "
                          "and index, 16 bytes, under the source) hold %.2f records per event in %.0f bytes, "
                          "pages %.0f%% full: they are sorted duplicates, each appended at its key's end "
                          "(`MDB_APPENDDUP`). As plain tables keyed kind|value|index and source|sequence before, "
                          "each key's run grew in the middle of the table, where LMDB splits pages in half: 151.7 "
                          "bytes per event (110.8 and 40.9).\n",
                          s_per_event(indexes->records, r), s_per_event(indexes->bytes, r),
                          100.0 * (double)indexes->values / (double)indexes->bytes);
    bench_text_printf(t,
                      "- The verifier checks one Ed25519 signature per head (p50 %.0f µs in-process). With batches "
                      "of %zu a log of 1,000,000 entries has %.0f heads; a source that publishes slowly is taken in "
                      "one event per commit, one head per entry, which alone would add about %.0f s to verifying "
                      "1,000,000 entries.\n",
                      r->head_verify.p50_us, m->batch, BENCH_AUDIT_AIM_VERIFY_ENTRIES / (double)m->batch,
                      d->one_per_commit_s);
    bench_text_printf(t,
                      "- Batches above %d are not reachable by the service today: `ocop_subscriber` commits at "
                      "most %d events at once (one poll's drain or one replay page); the larger batch shows what "
                      "a larger cap would give.\n",
                      BENCH_AUDIT_MAIN_BATCH, BENCH_AUDIT_MAIN_BATCH);
    bench_text_printf(t, "\n%s\n", BENCH_AUDIT_MARK_END);
}

void bench_audit_report_markdown(const bench_audit_results_t *r, bench_text_t *t)
{
    s_derived_t d = s_derive(r);
    s_md_context(r, t);
    s_md_aims(r, &d, t);
    s_md_appends(r, t);
    s_md_proofs(r, t);
    s_md_restart(r, t);
    s_md_verify(r, &d, t);
    s_md_notes(r, &d, t);
}
