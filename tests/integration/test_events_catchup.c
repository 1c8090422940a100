/* Integration: the event stream is lossless and retries are applied once.
 *
 * A subscriber (ocop_subscriber with its own LMDB store in the temp dir) whose apply function
 * records every event's sequence in that store, in the same transaction, and refuses any
 * event that is not exactly last + 1. It catches up, goes down while 10,000 entity
 * registrations are produced (pipelined), comes back, and must end with every sequence
 * exactly once. In between, a subscriber process is killed with SIGKILL in the middle of a
 * replay batch (its apply blocks inside the write transaction): what it committed must be a
 * gap-free prefix and the next subscriber continues from there.
 *
 * The killed subscriber is this same program re-executed with --subscriber-child, so it
 * gets a fresh process without the parent's zmq context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
#include "itest_assert.h"
#include "ocop_db.h"
#include "ocop_store.h"
#include "ocop_subscriber.h"

#define S_EVENTS 10000
#define S_WINDOW 256  /* requests in flight while producing */
#define S_EARLIER 3   /* events before the subscriber first catches up */
#define S_OVERLAP 200 /* events delivered both by replay and by PUB */
#define S_GAP 50      /* events missed while down, found through a gap */
#define S_PUB_PROBES 50
#define S_PUB_PROBE_MS 300
#define S_PRODUCE_TIMEOUT_MS 120000
#define S_CATCHUP_TIMEOUT_MS 120000
#define S_CURSOR_NAME "registration/0"
#define S_TAX_PREFIX "EVT"

/* ---------------------------------------------------------------- the sink: a subscriber's effect */

typedef struct {
    ocop_store_t *store;
    MDB_dbi seqs;    /* be64 sequence -> be32 body case ++ tax code (entity registrations) */
    MDB_dbi meta;    /* "last" -> be64, "count" -> be64 */
    MDB_dbi cursors; /* the subscriber library's own cursor database, read to cross-check */
    char error[256];
    uint64_t stop_at; /* child only: block inside the transaction at this sequence */
    int signal_fd;
} s_sink_t;

static uint64_t s_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name)
{
    MDB_val k = {.mv_size = strlen(name), .mv_data = (void *)name}, v;
    if (mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == 8)
        return ocop_be64_get(v.mv_data);
    return 0;
}

static int s_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t value)
{
    uint8_t b[8];
    ocop_be64_put(b, value);
    MDB_val k = {.mv_size = strlen(name), .mv_data = (void *)name}, v = {.mv_size = 8, .mv_data = b};
    return ocop_db_put(txn, dbi, &k, &v, 0);
}

/* Runs inside the subscriber's write transaction. Everything it checks is read from that
 * same transaction, so an aborted batch can never leave it believing something false. */
static int s_sink_apply(void *user, MDB_txn *txn, const Ocop__Event *ev, const ProtobufCBinaryData *raw)
{
    s_sink_t *sink = user;
    uint64_t last = s_meta_get(txn, sink->meta, "last");
    if (ev->sequence != last + 1) {
        snprintf(sink->error, sizeof sink->error, "event %llu applied after %llu", (unsigned long long)ev->sequence,
                 (unsigned long long)last);
        return -1;
    }
    if (!ev->source || strcmp(ev->source, "registration") != 0 || ev->shard != 0 ||
        ev->body_case == OCOP__EVENT__BODY__NOT_SET) {
        snprintf(sink->error, sizeof sink->error, "event %llu: bad source, shard or body",
                 (unsigned long long)ev->sequence);
        return -1;
    }
    if (sink->stop_at && ev->sequence == sink->stop_at) {
        /* Tell the parent we are inside the transaction, and wait for SIGKILL. */
        ssize_t w = write(sink->signal_fd, "S", 1);
        (void)w;
        for (;;)
            pause();
    }
    uint8_t value[64];
    size_t len = 4;
    ocop_be32_put(value, (uint32_t)ev->body_case);
    if (ev->body_case == OCOP__EVENT__BODY_REG_ENTITY_REGISTERED) {
        const char *tax = ev->reg_entity_registered->entity->tax_code;
        size_t n = strlen(tax);
        if (n > sizeof value - 4)
            n = sizeof value - 4;
        memcpy(value + 4, tax, n);
        len += n;
    }
    uint8_t key[8];
    ocop_be64_put(key, ev->sequence);
    MDB_val k = {.mv_size = 8, .mv_data = key}, v = {.mv_size = len, .mv_data = value};
    int rc = ocop_db_put(txn, sink->seqs, &k, &v, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        snprintf(sink->error, sizeof sink->error, "event %llu applied twice", (unsigned long long)ev->sequence);
        return -1;
    }
    if (rc == 0)
        rc = s_meta_put(txn, sink->meta, "last", ev->sequence);
    if (rc == 0)
        rc = s_meta_put(txn, sink->meta, "count", s_meta_get(txn, sink->meta, "count") + 1);
    return rc;
}

static int s_sink_open(s_sink_t *sink, const char *path)
{
    memset(sink, 0, sizeof *sink);
    char err[256] = "";
    ocop_store_options_t so = {.path = path, .map_size = 16u << 20, .map_max = 1024u << 20, .max_dbs = 8};
    sink->store = ocop_store_open(&so, err, sizeof err);
    if (!sink->store) {
        fprintf(stderr, "sink: %s\n", err);
        return -1;
    }
    if (ocop_store_dbi(sink->store, "seqs", 0, &sink->seqs) != 0 ||
        ocop_store_dbi(sink->store, "sink_meta", 0, &sink->meta) != 0 ||
        ocop_store_dbi(sink->store, "cursors", 0, &sink->cursors) != 0) {
        ocop_store_destroy(&sink->store);
        return -1;
    }
    return 0;
}

static void s_sink_close(s_sink_t *sink)
{
    ocop_store_destroy(&sink->store);
}

typedef struct {
    uint64_t last, count, entries, lib_cursor;
    uint64_t entity_events; /* entity registrations with the S_TAX_PREFIX tax codes */
    int gap_free;           /* the keys are exactly 1..last */
    int each_once;          /* every S_TAX_PREFIX tax code 0..S_EVENTS-1 seen at most once */
    uint64_t tax_hits;      /* occurrences of the tax code asked for */
} s_sink_view_t;

/* Reads the whole sink in one read transaction. tax: a tax code to count (may be NULL). */
static void s_sink_view(s_sink_t *sink, const char *tax, s_sink_view_t *out)
{
    memset(out, 0, sizeof *out);
    out->gap_free = out->each_once = 1;
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(sink->store), NULL, MDB_RDONLY, &txn), 0);
    out->last = s_meta_get(txn, sink->meta, "last");
    out->count = s_meta_get(txn, sink->meta, "count");
    MDB_val ck = {.mv_size = strlen(S_CURSOR_NAME), .mv_data = S_CURSOR_NAME}, cv;
    if (mdb_get(txn, sink->cursors, &ck, &cv) == 0 && cv.mv_size == 8)
        out->lib_cursor = ocop_be64_get(cv.mv_data);
    uint8_t *seen = calloc(S_EVENTS, 1);
    assert_non_null(seen);
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(txn, sink->seqs, &cur), 0);
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        out->entries++;
        if (k.mv_size != 8 || ocop_be64_get(k.mv_data) != out->entries)
            out->gap_free = 0;
        size_t plen = strlen(S_TAX_PREFIX);
        const char *code = (const char *)v.mv_data + 4;
        size_t clen = v.mv_size - 4;
        if (tax && clen == strlen(tax) && memcmp(code, tax, clen) == 0)
            out->tax_hits++;
        if (v.mv_size >= 4 && ocop_be32_get(v.mv_data) == OCOP__EVENT__BODY_REG_ENTITY_REGISTERED && clen > plen &&
            memcmp(code, S_TAX_PREFIX, plen) == 0) {
            char digits[16];
            snprintf(digits, sizeof digits, "%.*s", (int)(clen - plen), code + plen);
            long i = strtol(digits, NULL, 10);
            if (i >= 0 && i < S_EVENTS) {
                if (seen[i])
                    out->each_once = 0;
                seen[i] = 1;
                out->entity_events++;
            }
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    free(seen);
    if (out->entries != out->last)
        out->gap_free = 0;
}

/* The sink holds exactly the sequences 1..expect_last, each once, and the library's cursor
 * (written in the same transactions) agrees. */
static void s_sink_assert_exact(s_sink_t *sink, uint64_t expect_last)
{
    s_sink_view_t view;
    s_sink_view(sink, NULL, &view);
    if (!view.gap_free || view.last != expect_last || view.count != expect_last || view.entries != expect_last ||
        view.lib_cursor != expect_last)
        fail_msg("sink: last=%llu count=%llu entries=%llu cursor=%llu gap_free=%d, expected %llu",
                 (unsigned long long)view.last, (unsigned long long)view.count, (unsigned long long)view.entries,
                 (unsigned long long)view.lib_cursor, view.gap_free, (unsigned long long)expect_last);
}

static ocop_subscriber_t *s_subscriber_new(void *zctx, s_sink_t *sink, const char *endpoint,
                                           const char *events_endpoint, const char *server_public,
                                           const ocop_keypair_t *keys)
{
    ocop_subscriber_options_t so = {.zctx = zctx,
                                    .store = sink->store,
                                    .cursor_name = S_CURSOR_NAME,
                                    .endpoint = endpoint,
                                    .events_endpoint = events_endpoint,
                                    .server_public_z85 = server_public,
                                    .keys = keys,
                                    .apply = s_sink_apply,
                                    .user = sink,
                                    .request_timeout_ms = 5000};
    return ocop_subscriber_new(&so);
}

/* ---------------------------------------------------------------- child: a subscriber to kill */

static int s_child_main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s --subscriber-child STORE KEYS_DIR ENDPOINT EVENTS_ENDPOINT STOP_AT\n", argv[0]);
        return 2;
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    s_sink_t sink;
    if (s_sink_open(&sink, argv[2]) != 0)
        return 3;
    sink.stop_at = strtoull(argv[6], NULL, 10);
    sink.signal_fd = STDOUT_FILENO;
    ocop_keypair_t keys;
    char server[OCOP_Z85_KEY_LEN + 1], err[256];
    if (ocop_keys_load_pair(argv[3], "audit", &keys, err, sizeof err) != 0 ||
        ocop_keys_load_public(argv[3], "registration", server, err, sizeof err) != 0) {
        fprintf(stderr, "child: %s\n", err);
        return 3;
    }
    void *zctx = zmq_ctx_new();
    ocop_subscriber_t *sub = s_subscriber_new(zctx, &sink, argv[4], argv[5], server, &keys);
    if (!sub)
        return 3;
    /* Never returns when all goes to plan: apply blocks at stop_at until SIGKILL. */
    int64_t deadline = harness_mono_ms() + S_CATCHUP_TIMEOUT_MS;
    while (harness_mono_ms() < deadline)
        if (ocop_subscriber_catch_up(sub) != 0 || ocop_subscriber_poll(sub, 100) != 0)
            break;
    fprintf(stderr, "child: stopped without reaching %s (%s)\n", argv[6], sink.error);
    ocop_subscriber_destroy(&sub);
    zmq_ctx_term(zctx);
    s_sink_close(&sink);
    return 4;
}

/* ---------------------------------------------------------------- shared state */

static struct {
    harness_t *h;
    harness_data_t data;
    char sink_path[HARNESS_PATH_MAX];
    pid_t child;
    uint64_t produced_last; /* the service's last sequence after the 10,000 */
    /* The subscriber in this process and its store; kept here (not on the stack) so that the
     * teardown closes them even when an assertion jumped out of a test. */
    s_sink_t sink;
    ocop_subscriber_t *sub;
} s_world;

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    s_world.h = harness_new(NULL);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0)
        return -1;
    snprintf(s_world.sink_path, sizeof s_world.sink_path, "%s/subscriber", s_world.h->dir);
    return 0;
}

static void s_down(void)
{
    ocop_subscriber_destroy(&s_world.sub);
    s_sink_close(&s_world.sink);
}

/* Per-test teardown: the subscriber is down between tests, whatever happened in the test. */
static int s_test_teardown(void **state)
{
    (void)state;
    s_down();
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    s_down();
    if (s_world.child > 0) {
        kill(s_world.child, SIGKILL);
        waitpid(s_world.child, NULL, 0);
        s_world.child = 0;
    }
    harness_destroy(&s_world.h);
    return 0;
}

/* The subscriber comes up in this process: its store, then the subscriber itself. */
static void s_up(void)
{
    harness_t *h = s_world.h;
    assert_null(s_world.sub);
    assert_int_equal(s_sink_open(&s_world.sink, s_world.sink_path), 0);
    s_world.sub = s_subscriber_new(h->zctx, &s_world.sink, h->endpoint, h->events_endpoint, h->server_keys.public_z85,
                                   &h->audit_keys);
    assert_non_null(s_world.sub);
}

static void s_catch_up(void)
{
    if (ocop_subscriber_catch_up(s_world.sub) != 0)
        fail_msg("catch-up failed: %s", s_world.sink.error);
}

/* Polls (live events, and the subscriber's own catch-up on gaps or idleness) until the
 * cursor reaches target; bounded. */
static void s_poll_until(ocop_subscriber_t *sub, s_sink_t *sink, uint64_t target)
{
    int64_t deadline = harness_mono_ms() + S_CATCHUP_TIMEOUT_MS;
    while (ocop_subscriber_cursor(sub) < target && harness_mono_ms() < deadline)
        if (ocop_subscriber_poll(sub, 100) != 0)
            fail_msg("subscriber poll failed: %s", sink->error);
    if (ocop_subscriber_cursor(sub) != target)
        fail_msg("subscriber at %llu, source at %llu", (unsigned long long)ocop_subscriber_cursor(sub),
                 (unsigned long long)target);
}

static uint64_t s_last(void)
{
    int64_t last = harness_last_sequence(s_world.h);
    assert_true(last >= 0);
    return (uint64_t)last;
}

/* n entity registrations pipelined S_WINDOW deep; tax codes S_TAX_PREFIX first..first+n-1. */
static void s_produce(ocop_client_t *c, int first, int n)
{
    char(*ids)[48] = calloc((size_t)n, sizeof *ids);
    uint8_t *done = calloc((size_t)n, 1);
    assert_non_null(ids);
    assert_non_null(done);
    int sent = 0, received = 0;
    int64_t deadline = harness_mono_ms() + S_PRODUCE_TIMEOUT_MS;
    while (received < n) {
        while (sent < n && sent - received < S_WINDOW) {
            char rid[OCOP_REQUEST_ID_LEN + 1], name[96], tax[32];
            ocop_request_id_new(rid);
            snprintf(ids[sent], sizeof ids[sent], "p%d-%s", sent, rid);
            snprintf(name, sizeof name, "Hợp tác xã Dịch vụ Sự kiện %05d", first + sent);
            snprintf(tax, sizeof tax, "%s%07d", S_TAX_PREFIX, first + sent);
            Ocop__RegEntityRegister body = OCOP__REG_ENTITY_REGISTER__INIT;
            body.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
            body.name = name;
            body.tax_code = tax;
            body.commune_code = s_world.data.communes[0];
            Ocop__Request req = OCOP__REQUEST__INIT;
            req.request_id = ids[sent];
            req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
            req.reg_entity_register = &body;
            assert_int_equal(ocop_client_send(c, &req), 0);
            sent++;
        }
        int left = (int)(deadline - harness_mono_ms());
        Ocop__Reply *r = NULL;
        if (left <= 0 || ocop_client_recv(c, &r, left) != 0)
            fail_msg("no reply after %d of %d registrations", received, n);
        int i = -1;
        if (r->request_id && r->request_id[0] == 'p')
            i = atoi(r->request_id + 1);
        if (i < 0 || i >= n || strcmp(r->request_id, ids[i]) != 0 || done[i])
            fail_msg("unexpected reply id '%s'", r->request_id ? r->request_id : "");
        ITEST_ASSERT_OK(r);
        char tax[32];
        snprintf(tax, sizeof tax, "%s%07d", S_TAX_PREFIX, first + i);
        assert_string_equal(r->reg_entity->tax_code, tax);
        done[i] = 1;
        received++;
        ITEST_FREE(r);
    }
    free(ids);
    free(done);
}

/* Returns once the PUB path demonstrably delivers to this subscriber. An explicit catch-up
 * resets the subscriber's idle replay timer (S_IDLE_CHECK_MS, 1 s, in ocop_subscriber.c), so
 * an event that reaches the cursor within S_PUB_PROBE_MS after that can only have come
 * through PUB. Retried while the SUB connection and its subscription are being set up. */
static void s_wait_pub_path(ocop_subscriber_t *sub, s_sink_t *sink)
{
    for (int attempt = 0; attempt < S_PUB_PROBES; attempt++) {
        s_catch_up();
        uint64_t target = ocop_subscriber_cursor(sub) + 1;
        s_produce(s_world.h->client, S_EVENTS + 1000 + attempt, 1);
        int64_t until = harness_mono_ms() + S_PUB_PROBE_MS;
        while (ocop_subscriber_cursor(sub) < target && harness_mono_ms() < until)
            if (ocop_subscriber_poll(sub, 20) != 0)
                fail_msg("subscriber poll failed: %s", sink->error);
        if (ocop_subscriber_cursor(sub) == target) {
            if (attempt > 0)
                print_message("PUB delivered on probe %d\n", attempt + 1);
            return;
        }
    }
    fail_msg("no event reached the subscriber through PUB in %d tries", S_PUB_PROBES);
}

/* ---------------------------------------------------------------- tests */

static void test_subscriber_catches_up_after_downtime(void **state)
{
    (void)state;
    harness_t *h = s_world.h;
    /* A few events before the subscriber exists. */
    for (int i = 0; i < S_EARLIER; i++) {
        char tax[32];
        snprintf(tax, sizeof tax, "PRE%07d", i);
        Ocop__Reply *r = harness_entity_register(h->client, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_FARM,
                                                 "Trang trại Đồi Chè", tax, s_world.data.communes[1]);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    uint64_t earlier = s_last();
    assert_int_equal(earlier, S_EARLIER);

    /* Up: catch up, then down (subscriber and its store closed, as if the process stopped). */
    s_up();
    s_catch_up();
    assert_int_equal(ocop_subscriber_cursor(s_world.sub), earlier);
    assert_int_equal(ocop_subscriber_applied(s_world.sub), earlier);
    s_sink_assert_exact(&s_world.sink, earlier);
    s_down();

    /* While it is down: 10,000 events. */
    int64_t t0 = harness_mono_ms();
    s_produce(h->client, 0, S_EVENTS);
    s_world.produced_last = s_last();
    assert_int_equal(s_world.produced_last, earlier + S_EVENTS);
    print_message("produced %d durable registrations in %lld ms\n", S_EVENTS, (long long)(harness_mono_ms() - t0));

    /* A subscriber process killed (SIGKILL) in the middle of a replay batch, inside its write
     * transaction: events in the middle of a batch of the library's replay. */
    uint64_t stop_at = earlier + S_EVENTS / 2 + 321;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char stop_arg[32];
    snprintf(stop_arg, sizeof stop_arg, "%llu", (unsigned long long)stop_at);
    pid_t parent = getpid();
    s_world.child = fork();
    assert_true(s_world.child >= 0);
    if (s_world.child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        char *argv[] = {"itest_test_events_catchup",
                        "--subscriber-child",
                        s_world.sink_path,
                        h->keys_dir,
                        h->endpoint,
                        h->events_endpoint,
                        stop_arg,
                        NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fds[1]);
    struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
    int prc;
    while ((prc = poll(&pfd, 1, S_CATCHUP_TIMEOUT_MS)) < 0 && errno == EINTR)
        ;
    char byte = 0;
    ssize_t got = prc > 0 ? read(fds[0], &byte, 1) : -1;
    close(fds[0]);
    kill(s_world.child, SIGKILL);
    int status = 0;
    waitpid(s_world.child, &status, 0);
    s_world.child = 0;
    if (got != 1 || byte != 'S')
        fail_msg("the subscriber child did not reach sequence %llu (status %d)", (unsigned long long)stop_at, status);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    /* What the killed subscriber committed is a gap-free prefix short of stop_at. */
    s_up();
    s_sink_t *sink = &s_world.sink;
    ocop_subscriber_t *sub = s_world.sub;
    s_sink_view_t view;
    s_sink_view(sink, NULL, &view);
    print_message("killed subscriber had committed up to %llu (blocked at %llu)\n", (unsigned long long)view.last,
                  (unsigned long long)stop_at);
    assert_true(view.last > earlier && view.last < stop_at);
    s_sink_assert_exact(sink, view.last);

    /* Up again in this process: catch up from the stored cursor, then poll to the source's
     * last sequence. */
    assert_int_equal(ocop_subscriber_cursor(sub), view.last);
    t0 = harness_mono_ms();
    s_catch_up();
    s_poll_until(sub, sink, s_world.produced_last);
    print_message("caught up %llu events in %lld ms\n", (unsigned long long)(s_world.produced_last - view.last),
                  (long long)(harness_mono_ms() - t0));
    assert_int_equal(ocop_subscriber_applied(sub), s_world.produced_last - view.last);
    s_sink_assert_exact(sink, s_world.produced_last);
    s_sink_view(sink, NULL, &view);
    assert_int_equal(view.count, S_EVENTS + earlier);
    assert_int_equal(view.entity_events, S_EVENTS);
    assert_true(view.each_once);

    /* Live: events published while it is up arrive through PUB (or its gap/idle replay). */
    s_produce(h->client, S_EVENTS, 5);
    uint64_t live_last = s_last();
    assert_int_equal(live_last, s_world.produced_last + 5);
    s_poll_until(sub, sink, live_last);
    s_sink_assert_exact(sink, live_last);

    /* Delivered twice, applied once: events reach the connected SUB socket while an explicit
     * replay applies them first; the copies that arrive later through PUB are dropped. */
    s_wait_pub_path(sub, sink);
    uint64_t applied0 = ocop_subscriber_applied(sub), dropped0 = ocop_subscriber_dropped(sub);
    uint64_t probed_last = s_last();
    s_produce(h->client, S_EVENTS + 5, S_OVERLAP);
    uint64_t overlap_last = s_last();
    assert_int_equal(overlap_last, probed_last + S_OVERLAP);
    s_catch_up();
    assert_int_equal(ocop_subscriber_cursor(sub), overlap_last);
    int64_t deadline = harness_mono_ms() + S_CATCHUP_TIMEOUT_MS;
    while (ocop_subscriber_dropped(sub) - dropped0 < S_OVERLAP && harness_mono_ms() < deadline)
        if (ocop_subscriber_poll(sub, 100) != 0)
            fail_msg("subscriber poll failed: %s", sink->error);
    print_message("overlap: applied %llu, dropped %llu repeats\n",
                  (unsigned long long)(ocop_subscriber_applied(sub) - applied0),
                  (unsigned long long)(ocop_subscriber_dropped(sub) - dropped0));
    assert_int_equal(ocop_subscriber_applied(sub) - applied0, S_OVERLAP);
    assert_int_equal(ocop_subscriber_dropped(sub) - dropped0, S_OVERLAP);
    s_sink_assert_exact(sink, overlap_last);

    /* A gap: down again while S_GAP events pass, up again without an explicit catch-up. The
     * first event that then arrives through PUB is ahead of the cursor: the subscriber must
     * notice the gap and replay what it missed, before applying anything newer. */
    s_down();
    s_produce(h->client, S_EVENTS + 300, S_GAP);
    s_up();
    sub = s_world.sub;
    assert_int_equal(ocop_subscriber_cursor(sub), overlap_last);
    zmq_pollitem_t item = {ocop_subscriber_socket(sub), 0, ZMQ_POLLIN, 0};
    int readable = 0;
    for (int attempt = 0; attempt < S_PUB_PROBES && !readable; attempt++) {
        s_produce(h->client, S_EVENTS + 2000 + attempt, 1);
        readable = zmq_poll(&item, 1, S_PUB_PROBE_MS) == 1;
    }
    if (!readable)
        fail_msg("no event reached the new subscriber through PUB in %d tries", S_PUB_PROBES);
    uint64_t gap_last = s_last();
    assert_true(gap_last > overlap_last + S_GAP);
    /* One poll: the event ahead of the cursor triggers the replay at once (not the idle check). */
    if (ocop_subscriber_poll(sub, 0) != 0)
        fail_msg("subscriber poll failed: %s", sink->error);
    assert_int_equal(ocop_subscriber_cursor(sub), gap_last);
    print_message("gap: %llu replays after a gap\n", (unsigned long long)ocop_subscriber_gaps(sub));
    assert_true(ocop_subscriber_gaps(sub) >= 1);
    assert_int_equal(ocop_subscriber_applied(sub), gap_last - overlap_last);
    s_sink_assert_exact(sink, gap_last);
    s_down();
}

/* The sink after a full catch-up: returns how often tax appears among entity registrations. */
static uint64_t s_catch_up_and_count(const char *tax)
{
    s_up();
    uint64_t last = s_last();
    s_catch_up();
    s_poll_until(s_world.sub, &s_world.sink, last);
    s_sink_assert_exact(&s_world.sink, last);
    s_sink_view_t view;
    s_sink_view(&s_world.sink, tax, &view);
    s_down();
    return view.tax_hits;
}

static Ocop__Request *s_register_request(Ocop__Request *req, Ocop__RegEntityRegister *body, const char *rid,
                                         const char *tax)
{
    ocop__reg_entity_register__init(body);
    body->type = OCOP__ENTITY_TYPE__ENTITY_TYPE_ENTERPRISE;
    body->name = "Công ty Cổ phần Thử lại";
    body->tax_code = (char *)tax;
    body->commune_code = s_world.data.communes[3];
    ocop__request__init(req);
    req->request_id = (char *)rid;
    req->body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req->reg_entity_register = body;
    return req;
}

static size_t s_entities_in_commune(const char *commune, const char *with_id)
{
    Ocop__RegEntityList f = OCOP__REG_ENTITY_LIST__INIT;
    f.commune_code = (char *)commune;
    char **ids;
    size_t n, pages, hits = 0;
    assert_int_equal(harness_entity_list_all(s_world.h->client, &f, 100, &ids, &n, &pages), 0);
    for (size_t i = 0; i < n; i++)
        hits += strcmp(ids[i], with_id) == 0;
    assert_true(hits <= 1);
    harness_ids_free(ids, n);
    return n;
}

static void test_retried_request_applied_once(void **state)
{
    (void)state;
    harness_t *h = s_world.h;
    ocop_client_t *c = h->client;
    Ocop__Request req;
    Ocop__RegEntityRegister body;
    char rid[OCOP_REQUEST_ID_LEN + 1], rid2[OCOP_REQUEST_ID_LEN + 1];
    ocop_request_id_new(rid);
    ocop_request_id_new(rid2);

    /* First attempt, then a retry with the same id: the original reply, nothing applied. */
    Ocop__Reply *r1, *r2;
    assert_int_equal(harness_call(c, s_register_request(&req, &body, rid, "RTY0000001"), &r1), 0);
    ITEST_ASSERT_OK(r1);
    uint64_t seq = s_last();
    assert_int_equal(harness_call(c, s_register_request(&req, &body, rid, "RTY0000001"), &r2), 0);
    ITEST_ASSERT_OK(r2);
    assert_string_equal(r2->request_id, rid);
    assert_string_equal(r2->reg_entity->id, r1->reg_entity->id);
    assert_int_equal(r2->reg_entity->created_ms, r1->reg_entity->created_ms);
    assert_int_equal(s_last(), seq);
    /* The same id with another body is another request: refused, nothing applied. */
    ITEST_FREE(r2);
    assert_int_equal(harness_call(c, s_register_request(&req, &body, rid, "RTY0000009"), &r2), 0);
    ITEST_ASSERT_ERROR(r2, OCOP__STATUS__STATUS_CONFLICT, "request_id");
    ITEST_FREE(r2);
    assert_int_equal(s_last(), seq);
    assert_int_equal(s_entities_in_commune(s_world.data.communes[3], r1->reg_entity->id), 1);

    /* Two copies pipelined back to back (typically in the same batch): one entity, one event. */
    assert_int_equal(ocop_client_send(c, s_register_request(&req, &body, rid2, "RTY0000002")), 0);
    assert_int_equal(ocop_client_send(c, s_register_request(&req, &body, rid2, "RTY0000002")), 0);
    Ocop__Reply *a = NULL, *b = NULL;
    assert_int_equal(ocop_client_recv(c, &a, HARNESS_CALL_TIMEOUT_MS), 0);
    assert_int_equal(ocop_client_recv(c, &b, HARNESS_CALL_TIMEOUT_MS), 0);
    ITEST_ASSERT_OK(a);
    ITEST_ASSERT_OK(b);
    assert_string_equal(a->request_id, rid2);
    assert_string_equal(b->request_id, rid2);
    assert_string_equal(a->reg_entity->id, b->reg_entity->id);
    assert_string_not_equal(a->reg_entity->id, r1->reg_entity->id);
    assert_int_equal(s_last(), seq + 1);
    assert_int_equal(s_entities_in_commune(s_world.data.communes[3], a->reg_entity->id), 2);

    /* Request ids live in the store: a retry after a restart is still recognised. */
    assert_int_equal(harness_stop(h), 0);
    assert_int_equal(harness_start(h), 0);
    c = h->client;
    assert_int_equal(harness_call(c, s_register_request(&req, &body, rid, "RTY0000001"), &r2), 0);
    ITEST_ASSERT_OK(r2);
    assert_string_equal(r2->reg_entity->id, r1->reg_entity->id);
    ITEST_FREE(r2);
    assert_int_equal(s_last(), seq + 1);

    /* Only the entity's id is kept with the request id: a retry gets the entity as it is now. */
    Ocop__RegEntityUpdate update = OCOP__REG_ENTITY_UPDATE__INIT;
    update.id = r1->reg_entity->id;
    update.representative = "Trần Thị Mới";
    update.expected_revision = 1;
    Ocop__Request update_req;
    ocop__request__init(&update_req);
    char update_rid[OCOP_REQUEST_ID_LEN + 1];
    ocop_request_id_new(update_rid);
    update_req.request_id = update_rid;
    update_req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_UPDATE;
    update_req.reg_entity_update = &update;
    assert_int_equal(harness_call(c, &update_req, &r2), 0);
    ITEST_ASSERT_OK(r2);
    ITEST_FREE(r2);
    assert_int_equal(harness_call(c, s_register_request(&req, &body, rid, "RTY0000001"), &r2), 0);
    ITEST_ASSERT_OK(r2);
    assert_string_equal(r2->reg_entity->id, r1->reg_entity->id);
    assert_int_equal(r2->reg_entity->revision, 2);
    assert_string_equal(r2->reg_entity->representative, "Trần Thị Mới");
    assert_int_equal(r2->reg_entity->created_ms, r1->reg_entity->created_ms);
    ITEST_FREE(r2);
    assert_int_equal(s_last(), seq + 2);

    /* The tax code of the ignored body was never taken. */
    Ocop__Reply *r3 = harness_entity_register(c, NULL, OCOP__ENTITY_TYPE__ENTITY_TYPE_ENTERPRISE, "Công ty Khác",
                                              "RTY0000009", s_world.data.communes[3]);
    ITEST_ASSERT_OK(r3);
    ITEST_FREE(r3);
    assert_int_equal(s_last(), seq + 3);

    /* And the subscriber saw each registration exactly once. */
    assert_int_equal(s_catch_up_and_count("RTY0000001"), 1);
    assert_int_equal(s_catch_up_and_count("RTY0000002"), 1);
    ITEST_FREE(r1);
    ITEST_FREE(a);
    ITEST_FREE(b);
    assert_int_equal(harness_stop(h), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--subscriber-child") == 0)
        return s_child_main(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_subscriber_catches_up_after_downtime, s_test_teardown),
        cmocka_unit_test_teardown(test_retried_request_applied_once, s_test_teardown),
    };
    return cmocka_run_group_tests_name("events_catchup", tests, s_group_setup, s_group_teardown);
}
