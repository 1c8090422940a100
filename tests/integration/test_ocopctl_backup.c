/* Integration: `ocopctl backup` while registration, two evaluation shards and the audit service
 * run, then `ocopctl restore` into the same deployment with its stores and keys gone. The restored
 * deployment answers exactly as it did when the backup was taken (registration's observable
 * state, the audit log's size and root, both shards' sequences), the restored audit store passes
 * the offline verifier, and a backup refuses to be restored over stores, with a damaged file, or
 * over keys that differ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"

#define S_PRODUCTS 6
#define S_RUN_TIMEOUT_MS 60000

static struct {
    harness_t *h;
    harness_data_t data;
    harness_ready_t p[2 * S_PRODUCTS];
    size_t n;
    char ctl[HARNESS_PATH_MAX], verify[HARNESS_PATH_MAX], backup[HARNESS_PATH_MAX];
    harness_run_t run;
} W;

static int s_setup(void **state)
{
    (void)state;
    if (harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {.shards = 2, .shard_provinces = {W.data.province_a, W.data.province_b}, .audit = 1};
    if (!(W.h = harness_deploy(&opts)))
        return -1;
    const char *bin = getenv("OCOP_BINARY_DIR");
    snprintf(W.ctl, sizeof W.ctl, "%s/services/ocopctl/ocopctl", bin);
    snprintf(W.verify, sizeof W.verify, "%s/services/audit/ocop-audit-verify", bin);
    snprintf(W.backup, sizeof W.backup, "%s/backup", W.h->dir);
    setenv("OCOP_CONFIG", W.h->config_path, 1);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    unsetenv("OCOP_CONFIG");
    harness_run_free(&W.run);
    harness_destroy(&W.h);
    return 0;
}

static void s_register(unsigned seed)
{
    size_t entity_of[S_PRODUCTS];
    harness_ready_t *batch = &W.p[W.n];
    harness_ready_fill(batch, entity_of, S_PRODUCTS, &W.data, 2);
    assert_int_equal(harness_make_ready(W.h->client, batch, entity_of, S_PRODUCTS, seed), 0);
    W.n += S_PRODUCTS;
}

/* The audit log's signed head once it holds every event of its three sources. */
typedef struct {
    uint64_t size;
    uint8_t root[64];
    size_t root_len;
} s_head_t;

static s_head_t s_audit_caught_up(void)
{
    int64_t want =
        harness_last_sequence(W.h) + harness_shard_last_sequence(W.h, 0) + harness_shard_last_sequence(W.h, 1);
    for (int t = 0; t < 600; t++) {
        Ocop__AudTreeHeadGet body = OCOP__AUD_TREE_HEAD_GET__INIT;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_TREE_HEAD_GET;
        req.aud_tree_head_get = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(W.h->audit.client, &req, &r), 0);
        if (r->status == OCOP__STATUS__STATUS_OK && (int64_t)r->aud_tree_head->tree_size == want) {
            s_head_t h = {.size = r->aud_tree_head->tree_size, .root_len = r->aud_tree_head->root_hash.len};
            assert_true(h.root_len <= sizeof h.root);
            memcpy(h.root, r->aud_tree_head->root_hash.data, h.root_len);
            ITEST_FREE(r);
            return h;
        }
        ITEST_FREE(r);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("the audit log did not take every event of its sources");
    return (s_head_t){0};
}

static int s_ctl(const char *const *args)
{
    int code = harness_run(W.ctl, args, S_RUN_TIMEOUT_MS, &W.run);
    if (code != 0)
        fprintf(stderr, "ocopctl exit %d\nstdout:\n%s\nstderr:\n%s\n", code, W.run.out ? W.run.out : "",
                W.run.err ? W.run.err : "");
    return code;
}

static void s_stop_all(void)
{
    assert_int_equal(harness_audit_stop(W.h), 0);
    assert_int_equal(harness_shard_stop(W.h, 0), 0);
    assert_int_equal(harness_shard_stop(W.h, 1), 0);
    assert_int_equal(harness_stop(W.h), 0);
}

static void s_start_all(void)
{
    assert_int_equal(harness_start(W.h), 0);
    assert_int_equal(harness_shard_start(W.h, 0), 0);
    assert_int_equal(harness_shard_start(W.h, 1), 0);
    assert_int_equal(harness_audit_start(W.h), 0);
}

/* Moves a service's store directory aside (to DIR.gone). */
static void s_remove_store(const char *store_dir)
{
    char gone[HARNESS_PATH_MAX + 8];
    snprintf(gone, sizeof gone, "%s.gone", store_dir);
    assert_int_equal(rename(store_dir, gone), 0);
}

static void s_flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fputc(c ^ 0x01, f), c ^ 0x01);
    assert_int_equal(fclose(f), 0);
}

/* A provincial council on each shard: an event of its own on each. */
static void s_councils(void)
{
    const char *provinces[2] = {W.data.province_a, W.data.province_b};
    for (unsigned i = 0; i < 2; i++) {
        Ocop__Reply *r = harness_council_create(W.h->shard[i].client, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE,
                                                provinces[i], provinces[i], 3, 0);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
}

static void test_backup_then_restore(void **state)
{
    (void)state;
    s_register(11);
    s_councils();
    s_head_t before = s_audit_caught_up();
    int64_t shard_seq[2] = {harness_shard_last_sequence(W.h, 0), harness_shard_last_sequence(W.h, 1)};
    assert_true(shard_seq[0] > 0 && shard_seq[1] > 0);
    uint8_t *snap_before;
    size_t snap_before_len;
    assert_int_equal(harness_snapshot(W.h, W.h->client, &snap_before, &snap_before_len), 0);

    /* Taken while every service runs; followers (audit, the shards) before what they follow. */
    assert_int_equal(s_ctl((const char *const[]){"backup", W.backup, NULL}), 0);
    const char *a = strstr(W.run.out, "audit"), *e = strstr(W.run.out, "evaluation-1"),
               *r = strstr(W.run.out, "registration");
    assert_true(a && e && r && a < e && e < r);
    char manifest[HARNESS_PATH_MAX + 32];
    snprintf(manifest, sizeof manifest, "%s/MANIFEST.json", W.backup);
    struct stat st;
    assert_int_equal(stat(manifest, &st), 0);
    /* A backup never goes into a directory that holds something. */
    assert_int_equal(s_ctl((const char *const[]){"backup", W.backup, NULL}), 1);
    assert_non_null(strstr(W.run.err, "not empty"));

    /* The deployment moves on after the backup. */
    s_register(12);
    s_councils();
    s_audit_caught_up();
    s_stop_all();

    /* Not over stores that exist: nothing is written. */
    assert_int_equal(s_ctl((const char *const[]){"restore", W.backup, NULL}), 1);
    assert_non_null(strstr(W.run.err, "exists"));
    s_remove_store(W.h->store_dir);
    s_remove_store(W.h->shard[0].store_dir);
    s_remove_store(W.h->shard[1].store_dir);
    s_remove_store(W.h->audit.store_dir);

    /* A damaged copy is found before anything is written. */
    char reg_copy[HARNESS_PATH_MAX + 64], reg_store[HARNESS_PATH_MAX + 16];
    snprintf(reg_copy, sizeof reg_copy, "%s/stores/registration/data.mdb", W.backup);
    snprintf(reg_store, sizeof reg_store, "%s/data.mdb", W.h->store_dir);
    s_flip_byte(reg_copy, 5000);
    assert_int_equal(s_ctl((const char *const[]){"restore", W.backup, NULL}), 1);
    assert_non_null(strstr(W.run.err, "damaged"));
    assert_int_not_equal(stat(reg_store, &st), 0);
    s_flip_byte(reg_copy, 5000);

    /* A key that differs from the backup's is refused unless replaced on purpose. */
    char key[HARNESS_PATH_MAX + 32], saved[HARNESS_PATH_MAX + 40];
    snprintf(key, sizeof key, "%s/audit.sign.pub", W.h->keys_dir);
    snprintf(saved, sizeof saved, "%s.saved", key);
    assert_int_equal(rename(key, saved), 0);
    FILE *f = fopen(key, "w");
    assert_non_null(f);
    fputs("another key\n", f);
    fclose(f);
    assert_int_equal(s_ctl((const char *const[]){"restore", W.backup, NULL}), 1);
    assert_non_null(strstr(W.run.err, "--replace-keys"));
    assert_int_not_equal(stat(reg_store, &st), 0);

    /* Into a deployment that has lost its keys directory too: everything comes back. */
    char keys_gone[HARNESS_PATH_MAX + 8];
    snprintf(keys_gone, sizeof keys_gone, "%s.gone", W.h->keys_dir);
    assert_int_equal(rename(W.h->keys_dir, keys_gone), 0);
    snprintf(saved, sizeof saved, "%s/audit.sign.pub.saved", keys_gone);
    /* As root, the restored stores, keys and keys directory go to the services' account (nobody
     * here; root still reads them when the services start below). */
    int root = geteuid() == 0;
    if (root)
        assert_int_equal(s_ctl((const char *const[]){"restore", W.backup, "--owner", "nobody", NULL}), 0);
    else
        assert_int_equal(s_ctl((const char *const[]){"restore", W.backup, NULL}), 0);
    if (root) {
        struct passwd *nobody = getpwnam("nobody");
        assert_non_null(nobody);
        char reg_key[HARNESS_PATH_MAX + 32];
        snprintf(reg_key, sizeof reg_key, "%s/registration.key", W.h->keys_dir);
        const char *given[] = {W.h->keys_dir, reg_key, reg_store, W.h->store_dir};
        for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
            assert_int_equal(stat(given[i], &st), 0);
            if (st.st_uid != nobody->pw_uid)
                fail_msg("%s is not nobody's after restore --owner nobody", given[i]);
        }
    }
    char *restored_key = harness_read_file(key, NULL), *saved_key = harness_read_file(saved, NULL);
    assert_non_null(restored_key);
    assert_non_null(saved_key);
    assert_string_equal(restored_key, saved_key);
    free(restored_key);
    free(saved_key);

    /* The restored deployment is the one the backup saw. */
    s_start_all();
    uint8_t *snap_after;
    size_t snap_after_len;
    assert_int_equal(harness_snapshot(W.h, W.h->client, &snap_after, &snap_after_len), 0);
    assert_int_equal(snap_after_len, snap_before_len);
    assert_memory_equal(snap_after, snap_before, snap_before_len);
    free(snap_after);
    free(snap_before);
    assert_int_equal(harness_shard_last_sequence(W.h, 0), shard_seq[0]);
    assert_int_equal(harness_shard_last_sequence(W.h, 1), shard_seq[1]);
    s_head_t after = s_audit_caught_up();
    assert_int_equal(after.size, before.size);
    assert_int_equal(after.root_len, before.root_len);
    assert_memory_equal(after.root, before.root, before.root_len);

    /* The restored audit store verifies offline against the signing key. */
    assert_int_equal(harness_audit_stop(W.h), 0);
    int code = harness_run(W.verify, (const char *const[]){"--key", key, "--store", W.h->audit.store_dir, NULL},
                           S_RUN_TIMEOUT_MS, &W.run);
    if (code != 0)
        fprintf(stderr, "%s\n%s\n", W.run.out ? W.run.out : "", W.run.err ? W.run.err : "");
    assert_int_equal(code, 0);
    assert_int_equal(harness_audit_start(W.h), 0);

    /* And it goes on: a new registration reaches its shard and the audit log. */
    s_register(13);
    assert_true(s_audit_caught_up().size > before.size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_then_restore),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
