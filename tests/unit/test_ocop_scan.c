/* Unit: ocop_scan — the entries under a prefix in key order, from a given key on (and from a
 * given value on, in a table of sorted duplicates), the error that stopped a scan, whoever set
 * it, and the last entry under a prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_db.h"
#include "ocop_scan.h"
#include "ocop_store.h"
#include "unit_store.h"

/* Keys "a"|n, "ab"|n and "b"|n for n = 1..3 (the value is the key's string and number). */
static int s_fill(unit_store_t *fx)
{
    const char *firsts[] = {"a", "ab", "b"};
    for (size_t i = 0; i < 3; i++)
        for (uint64_t n = 1; n <= 3; n++) {
            ocop_key_t key;
            ocop_key_init(&key);
            ocop_key_str(&key, firsts[i]);
            ocop_key_u64(&key, n);
            char value[16];
            snprintf(value, sizeof value, "%s%llu", firsts[i], (unsigned long long)n);
            MDB_val k = ocop_key_val(&key), v = {.mv_size = strlen(value), .mv_data = value};
            if (ocop_db_put(fx->txn, fx->dbi[0], &k, &v, 0) != 0)
                return -1;
        }
    return 0;
}

/* The fixture's store with the keys above in its first database; the second stays empty. */
static int s_setup(void **state)
{
    return unit_store_setup(state) == 0 && s_fill(*state) == 0 ? 0 : -1;
}

/* The values a scan visits, joined by spaces, into out. Returns ocop_scan_close's result. */
static int s_walk(unit_store_t *fx, MDB_dbi dbi, const char *first, const ocop_key_t *from, char *out, size_t len)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    if (first)
        ocop_key_str(&prefix, first);
    out[0] = '\0';
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, fx->txn, dbi, first ? &prefix : NULL, from);
    while (rc == 0 && ocop_scan_next(&scan)) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%.*s", used ? " " : "", (int)scan.value.size,
                 (const char *)scan.value.data);
    }
    return ocop_scan_close(&scan, rc);
}

static void test_prefix_bounds(void **state)
{
    unit_store_t *fx = *state;
    char seen[256];
    /* "a" ends with its NUL: the keys of "ab" do not start with it. */
    assert_int_equal(s_walk(fx, fx->dbi[0], "a", NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "a1 a2 a3");
    assert_int_equal(s_walk(fx, fx->dbi[0], "ab", NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "ab1 ab2 ab3");
    assert_int_equal(s_walk(fx, fx->dbi[0], "b", NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "b1 b2 b3");
    assert_int_equal(s_walk(fx, fx->dbi[0], "c", NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "");
    assert_int_equal(s_walk(fx, fx->dbi[0], "0", NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "");
    assert_int_equal(s_walk(fx, fx->dbi[0], NULL, NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "a1 a2 a3 ab1 ab2 ab3 b1 b2 b3");
    assert_int_equal(s_walk(fx, fx->dbi[1], NULL, NULL, seen, sizeof seen), 0);
    assert_string_equal(seen, "");
}

static void test_from_a_key(void **state)
{
    unit_store_t *fx = *state;
    char seen[256];
    ocop_key_t from;
    ocop_key_init(&from);
    ocop_key_str(&from, "ab");
    ocop_key_u64(&from, 2);
    assert_int_equal(s_walk(fx, fx->dbi[0], "ab", &from, seen, sizeof seen), 0);
    assert_string_equal(seen, "ab2 ab3");
    assert_int_equal(s_walk(fx, fx->dbi[0], NULL, &from, seen, sizeof seen), 0);
    assert_string_equal(seen, "ab2 ab3 b1 b2 b3");
    ocop_key_init(&from);
    ocop_key_str(&from, "ab");
    ocop_key_u64(&from, 9); /* past the last of "ab" */
    assert_int_equal(s_walk(fx, fx->dbi[0], "ab", &from, seen, sizeof seen), 0);
    assert_string_equal(seen, "");
}

/* The values of a scan of the duplicates table from (key, value), joined by spaces. */
static int s_walk_dups(unit_store_t *fx, MDB_dbi dbi, const char *first, const char *key, uint64_t value, char *out,
                       size_t len)
{
    ocop_key_t prefix, from;
    ocop_key_init(&prefix);
    if (first)
        ocop_key_str(&prefix, first);
    ocop_key_init(&from);
    ocop_key_str(&from, key);
    uint8_t vb[8];
    ocop_be64_put(vb, value);
    out[0] = '\0';
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, fx->txn, dbi, first ? &prefix : NULL, &from);
    ocop_scan_from_value(&scan, vb, sizeof vb);
    while (rc == 0 && ocop_scan_next(&scan)) {
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%.*s:%llu", used ? " " : "", (int)scan.key.size - 1,
                 (const char *)scan.key.data, (unsigned long long)ocop_be64_get(scan.value.data));
    }
    return ocop_scan_close(&scan, rc);
}

static void test_from_a_value(void **state)
{
    unit_store_t *fx = *state;
    MDB_dbi dups;
    assert_int_equal(mdb_dbi_open(fx->txn, "dups", MDB_CREATE | MDB_DUPSORT | MDB_DUPFIXED, &dups), 0);
    /* "a": 10 20 30, "ab": 5, "b": 7 8. */
    const struct {
        const char *key;
        uint64_t value;
    } rows[] = {{"a", 10}, {"a", 20}, {"a", 30}, {"ab", 5}, {"b", 7}, {"b", 8}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_str(&key, rows[i].key);
        uint8_t vb[8];
        ocop_be64_put(vb, rows[i].value);
        MDB_val k = ocop_key_val(&key), v = {.mv_size = 8, .mv_data = vb};
        assert_int_equal(ocop_db_put(fx->txn, dups, &k, &v, MDB_APPENDDUP), 0);
    }
    char seen[256];
    assert_int_equal(s_walk_dups(fx, dups, "a", "a", 0, seen, sizeof seen), 0);
    assert_string_equal(seen, "a:10 a:20 a:30");
    assert_int_equal(s_walk_dups(fx, dups, "a", "a", 20, seen, sizeof seen), 0); /* an equal value */
    assert_string_equal(seen, "a:20 a:30");
    assert_int_equal(s_walk_dups(fx, dups, "a", "a", 21, seen, sizeof seen), 0); /* between two */
    assert_string_equal(seen, "a:30");
    assert_int_equal(s_walk_dups(fx, dups, "a", "a", 31, seen, sizeof seen), 0); /* past the key's last */
    assert_string_equal(seen, "");
    /* Without a prefix the scan goes on to the keys after it, past its last value too. */
    assert_int_equal(s_walk_dups(fx, dups, NULL, "a", 25, seen, sizeof seen), 0);
    assert_string_equal(seen, "a:30 ab:5 b:7 b:8");
    assert_int_equal(s_walk_dups(fx, dups, NULL, "a", 31, seen, sizeof seen), 0);
    assert_string_equal(seen, "ab:5 b:7 b:8");
    assert_int_equal(s_walk_dups(fx, dups, NULL, "aa", 0, seen, sizeof seen), 0); /* a key it lacks */
    assert_string_equal(seen, "ab:5 b:7 b:8");
    assert_int_equal(s_walk_dups(fx, dups, NULL, "b", 9, seen, sizeof seen), 0); /* past the table's last */
    assert_string_equal(seen, "");
    assert_int_equal(s_walk_dups(fx, dups, "c", "c", 0, seen, sizeof seen), 0);
    assert_string_equal(seen, "");
}

static void test_errors_reach_close(void **state)
{
    unit_store_t *fx = *state;
    ocop_scan_t scan;
    int rc = ocop_scan_open(&scan, fx->txn, fx->dbi[0], NULL, NULL);
    assert_int_equal(rc, 0);
    assert_true(ocop_scan_next(&scan));
    assert_false(ocop_scan_fail(&scan, MDB_CORRUPTED));
    assert_false(ocop_scan_next(&scan)); /* stopped stays stopped */
    assert_int_equal(ocop_scan_close(&scan, rc), MDB_CORRUPTED);

    /* A scan that could not open returns the opening error and touches nothing. */
    assert_int_equal(ocop_scan_close(&scan, EINVAL), EINVAL);
    rc = ocop_scan_open(&scan, fx->txn, (MDB_dbi)999, NULL, NULL);
    assert_int_not_equal(rc, 0);
    assert_false(ocop_scan_next(&scan));
    assert_int_equal(ocop_scan_close(&scan, rc), rc);
}

/* The value of the last entry under first ("" for none), or the error. */
static int s_last(unit_store_t *fx, MDB_dbi dbi, const uint8_t *first, size_t len, char *out, size_t outlen)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    if (first)
        memcpy(prefix.buf, first, len);
    prefix.len = len;
    ocop_bytes_t k, v;
    out[0] = '\0';
    int rc = ocop_scan_last(fx->txn, dbi, first ? &prefix : NULL, &k, &v);
    if (rc == 0)
        snprintf(out, outlen, "%.*s", (int)v.size, (const char *)v.data);
    return rc;
}

static void test_last_under_a_prefix(void **state)
{
    unit_store_t *fx = *state;
    char seen[32];
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"a", 2, seen, sizeof seen), 0);
    assert_string_equal(seen, "a3");
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"ab", 3, seen, sizeof seen), 0);
    assert_string_equal(seen, "ab3");
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"b", 2, seen, sizeof seen), 0); /* the last of all */
    assert_string_equal(seen, "b3");
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"a", 1, seen, sizeof seen), 0); /* "a" and "ab" */
    assert_string_equal(seen, "ab3");
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"c", 2, seen, sizeof seen), MDB_NOTFOUND);
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"0", 2, seen, sizeof seen), MDB_NOTFOUND);
    assert_int_equal(s_last(fx, fx->dbi[0], NULL, 0, seen, sizeof seen), 0);
    assert_string_equal(seen, "b3");
    assert_int_equal(s_last(fx, fx->dbi[1], NULL, 0, seen, sizeof seen), MDB_NOTFOUND);
    /* A prefix ending in 0xff bytes: the keys past it start one byte earlier. */
    const uint8_t high[] = {'b', 0xff, 0xff};
    MDB_val k = {.mv_size = sizeof high, .mv_data = (void *)high}, v = {.mv_size = 4, .mv_data = "high"};
    assert_int_equal(ocop_db_put(fx->txn, fx->dbi[0], &k, &v, 0), 0);
    const uint8_t past[] = {'c'};
    MDB_val pk = {.mv_size = sizeof past, .mv_data = (void *)past}, pv = {.mv_size = 4, .mv_data = "past"};
    assert_int_equal(ocop_db_put(fx->txn, fx->dbi[0], &pk, &pv, 0), 0);
    assert_int_equal(s_last(fx, fx->dbi[0], high, 2, seen, sizeof seen), 0);
    assert_string_equal(seen, "high");
    assert_int_equal(s_last(fx, fx->dbi[0], (const uint8_t *)"b", 1, seen, sizeof seen), 0);
    assert_string_equal(seen, "high");
}

/* ocop_bytes_cmp orders keys as the store does, raw keys (ocop_key_bytes) included: a prefix
 * first, then bytewise, whatever the lengths. */
static void test_bytes_cmp_is_the_store_order(void **state)
{
    unit_store_t *fx = *state;
    const char *raw[] = {"", "\x01", "a", "a\xff", "ab", "b"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_bytes(&key, raw[i], strlen(raw[i]));
        ocop_key_str(&key, "z");
        MDB_val k = ocop_key_val(&key), v = {.mv_size = 0, .mv_data = ""};
        assert_int_equal(ocop_db_put(fx->txn, fx->dbi[1], &k, &v, 0), 0);
    }
    /* Both databases walked in store order: each key sorts after the one before it. */
    for (int db = 0; db < 2; db++) {
        ocop_scan_t scan;
        assert_int_equal(ocop_scan_open(&scan, fx->txn, fx->dbi[db], NULL, NULL), 0);
        uint8_t prev[OCOP_KEY_MAX];
        ocop_bytes_t before = {.data = prev, .size = 0};
        size_t n = 0;
        while (ocop_scan_next(&scan)) {
            if (n++) {
                assert_true(ocop_bytes_cmp(before, scan.key) < 0);
                assert_true(ocop_bytes_cmp(scan.key, before) > 0);
            }
            assert_int_equal(ocop_bytes_cmp(scan.key, scan.key), 0);
            memcpy(prev, scan.key.data, scan.key.size);
            before.size = scan.key.size;
        }
        assert_int_equal(ocop_scan_close(&scan, 0), 0);
        assert_int_equal(n, db == 0 ? 9 : 6);
    }
    /* No bytes (an empty bytes field's NULL) append nothing. */
    ocop_key_t empty;
    ocop_key_init(&empty);
    ocop_key_bytes(&empty, NULL, 0);
    assert_true(empty.len == 0 && !empty.overflow);
    /* A prefix sorts first; an empty key before any. */
    assert_true(ocop_bytes_cmp((ocop_bytes_t){"ab", 2}, (ocop_bytes_t){"abc", 3}) < 0);
    assert_true(ocop_bytes_cmp((ocop_bytes_t){NULL, 0}, (ocop_bytes_t){"a", 1}) < 0);
    assert_int_equal(ocop_bytes_cmp((ocop_bytes_t){NULL, 0}, (ocop_bytes_t){NULL, 0}), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prefix_bounds, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_from_a_key, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_from_a_value, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_errors_reach_close, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_last_under_a_prefix, s_setup, unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_bytes_cmp_is_the_store_order, s_setup, unit_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
