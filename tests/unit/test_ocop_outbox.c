/* ocop_outbox and ocop_record on a real store in a temporary directory: the last sequence,
 * append-only puts, scans (from the middle, max, max_bytes, visitor stop), large events kept
 * compressed and read back as they were, and protobuf records (round trip, missing key, bytes
 * that do not parse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ocop_arena.h"
#include "ocop_db.h"
#include "ocop_outbox.h"
#include "ocop_record.h"
#include "ocop_store.h"
#include "ocop_stored.h"
#include "registration.pb-c.h"
#include "unit_tmpdir.h"

#define S_MB (1024 * 1024)
#define S_SEEN_MAX 64

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    ocop_store_t *store;
    MDB_dbi outbox;
    MDB_dbi records;
    ocop_arena_t *arena;
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    char err[256] = "";
    ocop_store_options_t opts = {.path = fx->dir, .map_size = 4 * S_MB, .map_max = 4 * S_MB, .max_dbs = 4};
    fx->store = ocop_store_open(&opts, err, sizeof err);
    fx->arena = ocop_arena_new(64 * 1024);
    if (!fx->store || !fx->arena || ocop_outbox_open(fx->store, &fx->outbox) != 0 ||
        ocop_store_dbi(fx->store, "records", 0, &fx->records) != 0) {
        print_error("setup: %s\n", err);
        ocop_arena_destroy(&fx->arena);
        ocop_store_destroy(&fx->store);
        test_rmtree(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    ocop_arena_destroy(&fx->arena);
    ocop_store_destroy(&fx->store);
    int rc = test_rmtree(fx->dir);
    free(fx);
    return rc;
}

static MDB_txn *s_begin(s_fixture_t *fx, unsigned flags)
{
    MDB_txn *txn = NULL;
    assert_int_equal(mdb_txn_begin(ocop_store_env(fx->store), NULL, flags, &txn), 0);
    return txn;
}

static uint64_t s_last(s_fixture_t *fx)
{
    MDB_txn *txn = s_begin(fx, MDB_RDONLY);
    uint64_t last = 12345;
    assert_int_equal(ocop_outbox_last(txn, fx->outbox, &last), 0);
    mdb_txn_abort(txn);
    return last;
}

/* Stores events first..last (inclusive) with payload "event-<seq>" padded to pad bytes
 * (0 = no padding), in one transaction. */
static void s_put_range(s_fixture_t *fx, uint64_t first, uint64_t last, size_t pad)
{
    MDB_txn *txn = s_begin(fx, 0);
    for (uint64_t seq = first; seq <= last; seq++) {
        char data[256];
        memset(data, '.', sizeof data);
        int n = snprintf(data, sizeof data, "event-%llu", (unsigned long long)seq);
        size_t len = pad ? pad : (size_t)n;
        assert_true(len <= sizeof data);
        assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, seq, data, len), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
}

typedef struct {
    uint64_t seq[S_SEEN_MAX];
    size_t len[S_SEEN_MAX];
    size_t n;
    uint64_t stop_at; /* the visitor returns nonzero on this sequence (0 = never) */
} s_seen_t;

static int s_visit(void *user, uint64_t seq, const void *data, size_t len)
{
    s_seen_t *seen = user;
    assert_true(seen->n < S_SEEN_MAX);
    char want[32];
    int n = snprintf(want, sizeof want, "event-%llu", (unsigned long long)seq);
    assert_true(len >= (size_t)n);
    assert_memory_equal(data, want, (size_t)n);
    seen->seq[seen->n] = seq;
    seen->len[seen->n] = len;
    seen->n++;
    return seen->stop_at != 0 && seq == seen->stop_at;
}

/* Scans and returns the visited count, checking it agrees with what the visitor saw. */
static size_t s_scan(s_fixture_t *fx, uint64_t from, size_t max, size_t max_bytes, s_seen_t *seen)
{
    MDB_txn *txn = s_begin(fx, MDB_RDONLY);
    size_t count = 9999;
    assert_int_equal(ocop_outbox_scan(txn, fx->outbox, fx->arena, from, max, max_bytes, s_visit, seen, &count), 0);
    mdb_txn_abort(txn);
    assert_int_equal(count, seen->n);
    return count;
}

static void s_assert_seqs(const s_seen_t *seen, uint64_t first, size_t n)
{
    assert_int_equal(seen->n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(seen->seq[i], first + i);
}

static void test_last_on_empty(void **state)
{
    s_fixture_t *fx = *state;
    assert_int_equal(s_last(fx), 0);
    s_seen_t seen = {0};
    assert_int_equal(s_scan(fx, 0, 100, S_MB, &seen), 0);
    assert_int_equal(s_scan(fx, 1, 100, S_MB, &seen), 0);
}

static void test_put_in_order(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 10, 0);
    assert_int_equal(s_last(fx), 10);

    /* Append-only: an existing or smaller sequence is refused and the txn stays usable. */
    MDB_txn *txn = s_begin(fx, 0);
    assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, 10, "event-10", 8), MDB_KEYEXIST);
    assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, 5, "event-5", 7), MDB_KEYEXIST);
    assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, 11, "event-11", 8), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(s_last(fx), 11);

    /* An aborted put leaves nothing. */
    txn = s_begin(fx, 0);
    assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, 12, "event-12", 8), 0);
    mdb_txn_abort(txn);
    assert_int_equal(s_last(fx), 11);

    /* Big-endian keys sort numerically across byte boundaries (256, 2^32, 2^40). */
    const uint64_t big[] = {256, 257, 65536, 4294967296ULL, 1099511627776ULL};
    txn = s_begin(fx, 0);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        char data[32];
        int n = snprintf(data, sizeof data, "event-%llu", (unsigned long long)big[i]);
        assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, big[i], data, (size_t)n), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(s_last(fx), 1099511627776ULL);
    s_seen_t seen = {0};
    assert_int_equal(s_scan(fx, 11, 100, S_MB, &seen), 6);
    assert_int_equal(seen.seq[0], 11);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(seen.seq[i + 1], big[i]);
}

static void test_scan_from_middle(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 10, 0);
    s_seen_t seen = {0};
    assert_int_equal(s_scan(fx, 4, 100, S_MB, &seen), 7);
    s_assert_seqs(&seen, 4, 7);

    /* from 0 means from the start */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 0, 100, S_MB, &seen), 10);
    s_assert_seqs(&seen, 1, 10);

    /* past the end: nothing, and not an error */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 11, 100, S_MB, &seen), 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, UINT64_MAX, 100, S_MB, &seen), 0);

    /* from inside a gap: starts at the next stored sequence */
    s_put_range(fx, 20, 22, 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 13, 100, S_MB, &seen), 3);
    s_assert_seqs(&seen, 20, 3);
}

static void test_scan_max(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 10, 0);
    s_seen_t seen = {0};
    assert_int_equal(s_scan(fx, 1, 3, S_MB, &seen), 3);
    s_assert_seqs(&seen, 1, 3);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 9, 3, S_MB, &seen), 2);
    s_assert_seqs(&seen, 9, 2);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 1, 1, S_MB, &seen), 1);
    s_assert_seqs(&seen, 1, 1);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 1, 10, S_MB, &seen), 10);
}

static void test_scan_max_bytes(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 10, 100); /* every event is 100 bytes */
    s_seen_t seen = {0};
    assert_int_equal(s_scan(fx, 1, 100, 250, &seen), 2);
    s_assert_seqs(&seen, 1, 2);
    assert_int_equal(seen.len[0], 100);
    /* the limit is inclusive */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 1, 100, 300, &seen), 3);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 5, 100, 299, &seen), 2);
    s_assert_seqs(&seen, 5, 2);
    /* one event larger than the limit is still returned, alone */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 3, 100, 1, &seen), 1);
    s_assert_seqs(&seen, 3, 1);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 3, 100, 0, &seen), 1);
    s_assert_seqs(&seen, 3, 1);
    /* max and max_bytes together: the tighter one wins */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(s_scan(fx, 1, 2, 1000, &seen), 2);
}

static void test_scan_visitor_stop(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 10, 0);
    s_seen_t seen = {.stop_at = 3};
    /* The event the visitor stopped on was visited, so it counts. */
    assert_int_equal(s_scan(fx, 1, 100, S_MB, &seen), 3);
    s_assert_seqs(&seen, 1, 3);
    memset(&seen, 0, sizeof seen);
    seen.stop_at = 7;
    assert_int_equal(s_scan(fx, 7, 100, S_MB, &seen), 1);
    s_assert_seqs(&seen, 7, 1);
}

static void test_last_refuses_foreign_key(void **state)
{
    s_fixture_t *fx = *state;
    s_put_range(fx, 1, 2, 0);
    /* A key that is not 8 bytes and sorts last is not a sequence. */
    MDB_txn *txn = s_begin(fx, 0);
    MDB_val k = {.mv_size = 4, .mv_data = "\xff\xff\xff\xff"}, v = {.mv_size = 1, .mv_data = "x"};
    assert_int_equal(ocop_db_put(txn, fx->outbox, &k, &v, 0), 0);
    uint64_t last = 0;
    assert_int_equal(ocop_outbox_last(txn, fx->outbox, &last), MDB_CORRUPTED);
    mdb_txn_abort(txn);
}

/* An event of len bytes that starts "event-<seq>": compressible text, or noise that no
 * compressor shrinks. */
static void s_large_event(uint8_t *out, size_t len, uint64_t seq, int noise)
{
    uint64_t x = seq * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        out[i] = noise ? (uint8_t)x : (uint8_t) "S1-1 PRD-00000219 score 3.0 "[i % 28];
    }
    int n = snprintf((char *)out, len, "event-%llu", (unsigned long long)seq);
    out[n] = ' ';
}

#define S_LARGE 4600

typedef struct {
    const uint8_t *want[8];
    size_t want_len[8];
    size_t n;
} s_exact_t;

static int s_visit_exact(void *user, uint64_t seq, const void *data, size_t len)
{
    s_exact_t *e = user;
    assert_true(seq >= 1 && seq < 8);
    assert_int_equal(len, e->want_len[seq]);
    assert_memory_equal(data, e->want[seq], len);
    e->n++;
    return 0;
}

static size_t s_stored_size(s_fixture_t *fx, uint64_t seq, uint8_t *first)
{
    uint8_t kb[8];
    ocop_be64_put(kb, seq);
    MDB_val k = {.mv_size = 8, .mv_data = kb}, v;
    MDB_txn *txn = s_begin(fx, MDB_RDONLY);
    assert_int_equal(mdb_get(txn, fx->outbox, &k, &v), 0);
    *first = v.mv_size ? *(const uint8_t *)v.mv_data : 0xff;
    size_t size = v.mv_size;
    mdb_txn_abort(txn);
    return size;
}

static void test_large_events_compressed(void **state)
{
    s_fixture_t *fx = *state;
    static uint8_t text[3][S_LARGE], noise[S_LARGE], old[3000];
    s_exact_t exact = {0};
    MDB_txn *txn = s_begin(fx, 0);
    for (uint64_t seq = 1; seq <= 3; seq++) {
        s_large_event(text[seq - 1], S_LARGE, seq, 0);
        exact.want[seq] = text[seq - 1], exact.want_len[seq] = S_LARGE;
        assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, seq, text[seq - 1], S_LARGE), 0);
    }
    s_large_event(noise, S_LARGE, 4, 1);
    exact.want[4] = noise, exact.want_len[4] = S_LARGE;
    assert_int_equal(ocop_outbox_put(txn, fx->outbox, fx->arena, 4, noise, S_LARGE), 0);
    /* A large event stored before events were compressed: kept as the event itself. */
    s_large_event(old, sizeof old, 5, 0);
    exact.want[5] = old, exact.want_len[5] = sizeof old;
    uint8_t kb[8];
    ocop_be64_put(kb, 5);
    MDB_val k = {.mv_size = 8, .mv_data = kb}, v = {.mv_size = sizeof old, .mv_data = old};
    assert_int_equal(ocop_db_put(txn, fx->outbox, &k, &v, MDB_APPEND), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);

    /* Compressible text is kept compressed, small enough for a leaf page; noise as it is. */
    uint8_t first;
    assert_true(s_stored_size(fx, 1, &first) < 1024);
    assert_int_equal(first, OCOP_STORED_COMPRESSED);
    assert_int_equal(s_stored_size(fx, 4, &first), S_LARGE);
    assert_int_equal(first, 'e');
    assert_int_equal(s_stored_size(fx, 5, &first), sizeof old);

    /* Every event reads back byte for byte, whichever form it was kept in. */
    MDB_txn *rd = s_begin(fx, MDB_RDONLY);
    size_t count = 0;
    assert_int_equal(ocop_outbox_scan(rd, fx->outbox, fx->arena, 1, 100, S_MB, s_visit_exact, &exact, &count), 0);
    assert_int_equal(count, 5);
    assert_int_equal(exact.n, 5);
    /* max_bytes counts the events, not their stored form: two of 4,600 bytes fit in 9,200. */
    exact.n = 0;
    assert_int_equal(ocop_outbox_scan(rd, fx->outbox, fx->arena, 1, 100, 2 * S_LARGE, s_visit_exact, &exact, &count),
                     0);
    assert_int_equal(count, 2);
    mdb_txn_abort(rd);

    /* A compressed value that cannot be read back is a corrupt store, not an event. */
    txn = s_begin(fx, 0);
    ocop_be64_put(kb, 6);
    uint8_t broken[] = {OCOP_STORED_COMPRESSED, 0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x10, 0x00};
    v = (MDB_val){.mv_size = sizeof broken, .mv_data = broken};
    assert_int_equal(ocop_db_put(txn, fx->outbox, &k, &v, MDB_APPEND), 0);
    exact.n = 0;
    assert_int_equal(ocop_outbox_scan(txn, fx->outbox, fx->arena, 5, 100, S_MB, s_visit_exact, &exact, &count),
                     MDB_CORRUPTED);
    assert_int_equal(exact.n, 1); /* the one before it was visited */
    mdb_txn_abort(txn);
}

static void s_entity_init(Ocop__RegEntity *e)
{
    ocop__reg_entity__init(e);
    e->id = "e-000042";
    e->type = OCOP__ENTITY_TYPE__ENTITY_TYPE_HOUSEHOLD_BUSINESS;
    e->name = "H\xe1\xbb\x99 kinh doanh B\xc3\xa1nh Ch\xc6\xb0ng";
    e->normalized_name = "ho kinh doanh banh chung";
    e->tax_code = "8012345678";
    e->unit_version = "2025";
    e->commune_code = "00118";
    e->province_code = "01";
    e->current_province_code = "01";
    e->representative = "L\xc3\xaa Th\xe1\xbb\x8b B";
    e->phone = "+84987654321";
    e->created_ms = 1732363200123;
    e->updated_ms = 1732363300456;
    e->revision = 3;
}

static MDB_val s_entity_key(ocop_key_t *key, const char *id)
{
    ocop_key_init(key);
    ocop_key_str(key, "entity");
    ocop_key_str(key, id);
    assert_false(key->overflow);
    return ocop_key_val(key);
}

static void test_record_round_trip(void **state)
{
    s_fixture_t *fx = *state;
    Ocop__RegEntity entity;
    s_entity_init(&entity);
    ocop_key_t key;
    MDB_val k = s_entity_key(&key, entity.id);

    MDB_txn *txn = s_begin(fx, 0);
    assert_int_equal(ocop_record_put(txn, fx->records, &k, &entity.base), 0);
    /* An all-default message packs to zero bytes and still reads back. */
    Ocop__RegEntity empty = OCOP__REG_ENTITY__INIT;
    ocop_key_t empty_key;
    MDB_val ek = s_entity_key(&empty_key, "");
    assert_int_equal(ocop_record_put(txn, fx->records, &ek, &empty.base), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);

    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    txn = s_begin(fx, MDB_RDONLY);
    ProtobufCMessage *out = NULL;
    assert_int_equal(
        ocop_record_get(txn, fx->records, &k, &ocop__reg_entity__descriptor, ocop_arena_allocator(arena), &out), 0);
    assert_non_null(out);
    /* The stored bytes are exactly the packed message. */
    MDB_val raw;
    assert_int_equal(mdb_get(txn, fx->records, &k, &raw), 0);
    size_t len = ocop__reg_entity__get_packed_size(&entity);
    assert_int_equal(raw.mv_size, len);
    uint8_t *packed = malloc(len);
    assert_non_null(packed);
    ocop__reg_entity__pack(&entity, packed);
    assert_memory_equal(raw.mv_data, packed, len);
    free(packed);
    ProtobufCMessage *empty_out = NULL;
    assert_int_equal(
        ocop_record_get(txn, fx->records, &ek, &ocop__reg_entity__descriptor, ocop_arena_allocator(arena), &empty_out),
        0);
    mdb_txn_abort(txn);

    /* The unpacked copy lives in the arena, not in the map: it outlives the transaction. */
    const Ocop__RegEntity *got = (const Ocop__RegEntity *)out;
    assert_string_equal(got->id, entity.id);
    assert_int_equal(got->type, entity.type);
    assert_string_equal(got->name, entity.name);
    assert_string_equal(got->normalized_name, entity.normalized_name);
    assert_string_equal(got->tax_code, entity.tax_code);
    assert_string_equal(got->commune_code, entity.commune_code);
    assert_string_equal(got->representative, entity.representative);
    assert_string_equal(got->phone, entity.phone);
    assert_int_equal(got->created_ms, entity.created_ms);
    assert_int_equal(got->updated_ms, entity.updated_ms);
    assert_int_equal(got->revision, 3);
    assert_non_null(empty_out);
    assert_string_equal(((const Ocop__RegEntity *)empty_out)->id, "");
    assert_int_equal(((const Ocop__RegEntity *)empty_out)->revision, 0);

    /* A second put under the same key replaces the value. */
    entity.revision = 4;
    entity.name = "HKD B\xc3\xa1nh Ch\xc6\xb0ng";
    txn = s_begin(fx, 0);
    assert_int_equal(ocop_record_put(txn, fx->records, &k, &entity.base), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    ocop_arena_reset(arena);
    txn = s_begin(fx, MDB_RDONLY);
    assert_int_equal(
        ocop_record_get(txn, fx->records, &k, &ocop__reg_entity__descriptor, ocop_arena_allocator(arena), &out), 0);
    mdb_txn_abort(txn);
    assert_int_equal(((const Ocop__RegEntity *)out)->revision, 4);
    assert_string_equal(((const Ocop__RegEntity *)out)->name, entity.name);
    ocop_arena_destroy(&arena);
}

static void test_record_missing(void **state)
{
    s_fixture_t *fx = *state;
    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    ocop_key_t key;
    MDB_val k = s_entity_key(&key, "e-missing");
    MDB_txn *txn = s_begin(fx, MDB_RDONLY);
    ProtobufCMessage *out = (ProtobufCMessage *)&key; /* anything non-NULL: must be cleared */
    assert_int_equal(
        ocop_record_get(txn, fx->records, &k, &ocop__reg_entity__descriptor, ocop_arena_allocator(arena), &out),
        MDB_NOTFOUND);
    assert_null(out);
    mdb_txn_abort(txn);
    ocop_arena_destroy(&arena);
}

static void test_record_garbage(void **state)
{
    s_fixture_t *fx = *state;
    ocop_key_t key;
    MDB_val k = s_entity_key(&key, "e-garbage");
    /* Field 1, length-delimited, announces 16 bytes but only 3 follow. */
    MDB_val v = {.mv_size = 5,
                 .mv_data = "\x0a\x10"
                            "abc"};
    MDB_txn *txn = s_begin(fx, 0);
    assert_int_equal(ocop_db_put(txn, fx->records, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);

    ocop_arena_t *arena = ocop_arena_new(4096);
    assert_non_null(arena);
    txn = s_begin(fx, MDB_RDONLY);
    ProtobufCMessage *out = (ProtobufCMessage *)&key;
    assert_int_equal(
        ocop_record_get(txn, fx->records, &k, &ocop__reg_entity__descriptor, ocop_arena_allocator(arena), &out),
        MDB_CORRUPTED);
    assert_null(out);
    mdb_txn_abort(txn);
    ocop_arena_destroy(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_last_on_empty, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_put_in_order, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_from_middle, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_max, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_max_bytes, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_visitor_stop, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_last_refuses_foreign_key, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_large_events_compressed, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_record_round_trip, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_record_missing, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_record_garbage, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
