/* Integration: the audit service on a deployment of registration, two evaluation shards and
 * itself. It takes in every event of every source exactly once (also after being SIGKILLed while
 * the sources kept writing), keeps them in an RFC 6962 tree whose heads it signs, answers
 * inclusion and consistency proofs that verify against those heads, finds the events of a
 * product, council, province or time range, and exports a log that the offline verifier
 * accepts — and rejects once an entry is flipped, records are reordered or dropped, the key is
 * another, or a copy of the store is tampered with. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "aud_merkle.h"
#include "aud_sign.h"
#include "harness.h"
#include "harness_eval.h"
#include "itest_assert.h"
#include "ocop_date.h"
#include "ocop_db.h"
#include "ocop_store.h"
#include "ocop_stored.h"

#define S_PRODUCTS 12
#define S_RUN_TIMEOUT_MS 60000
#define S_ST(x) OCOP__STATUS__STATUS_##x

static struct {
    harness_t *h;
    harness_data_t data;
    eval_rubrics_t *rubrics;
    harness_ready_t p[3 * S_PRODUCTS];
    size_t n;
    char council[32], session[32];
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    char key_path[HARNESS_PATH_MAX];
    char ctl[HARNESS_PATH_MAX], verify[HARNESS_PATH_MAX], export_path[HARNESS_PATH_MAX];
    harness_run_t run;
    uint64_t early_size; /* a tree size signed before the audit service was killed */
} W;

static ocop_client_t *s_audit(void)
{
    return W.h->audit.client;
}

static int s_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || harness_data_load_registration(&W.data) != 0)
        return -1;
    harness_options_t opts = {.shards = 2, .shard_provinces = {W.data.province_a, W.data.province_b}, .audit = 1};
    W.h = harness_deploy(&opts);
    W.rubrics = harness_rubrics_load();
    if (!W.h || !W.rubrics)
        return -1;
    const char *bin = getenv("OCOP_BINARY_DIR");
    snprintf(W.ctl, sizeof W.ctl, "%s/services/ocopctl/ocopctl", bin);
    snprintf(W.verify, sizeof W.verify, "%s/services/audit/ocop-audit-verify", bin);
    snprintf(W.key_path, sizeof W.key_path, "%s/audit.sign.pub", W.h->keys_dir);
    snprintf(W.export_path, sizeof W.export_path, "%s/audit.export", W.h->dir);
    char err[256];
    return aud_public_key_read(W.key_path, W.public_key, err, sizeof err);
}

static int s_teardown(void **state)
{
    (void)state;
    harness_run_free(&W.run);
    eval_rubrics_destroy(&W.rubrics);
    harness_destroy(&W.h);
    return 0;
}

static void s_register(unsigned seed)
{
    size_t entity_of[S_PRODUCTS];
    harness_ready_t *batch = &W.p[W.n];
    harness_ready_fill(batch, entity_of, S_PRODUCTS, &W.data, 4);
    assert_int_equal(harness_make_ready(W.h->client, batch, entity_of, S_PRODUCTS, seed), 0);
    W.n += S_PRODUCTS;
}

static Ocop__Reply *s_head(uint64_t size);

/* Waits (bounded) until the audit log holds every event of every source, all signed. */
static uint64_t s_wait_caught_up(void)
{
    int64_t want[3] = {harness_last_sequence(W.h), harness_shard_last_sequence(W.h, 0),
                       harness_shard_last_sequence(W.h, 1)};
    for (int t = 0; t < 600; t++) {
        Ocop__AudSourcesGet body = OCOP__AUD_SOURCES_GET__INIT;
        body.verify = true;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_SOURCES_GET;
        req.aud_sources_get = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        assert_int_equal(r->aud_sources->n_sources, 3);
        bool done = true;
        uint64_t total = 0;
        for (size_t i = 0; i < 3; i++) {
            const Ocop__AudSource *s = r->aud_sources->sources[i];
            done = done && (int64_t)s->cursor == want[i];
            total += s->entries;
            assert_true(s->contiguous);
        }
        uint64_t size = r->aud_sources->tree_size;
        ITEST_FREE(r);
        /* Every entry is covered by a signed head within half a second. */
        Ocop__Reply *h = done ? s_head(0) : NULL;
        if (h && h->status == OCOP__STATUS__STATUS_OK && h->aud_tree_head->tree_size == size) {
            ITEST_FREE(h);
            assert_int_equal(size, total);
            assert_int_equal(size, (uint64_t)(want[0] + want[1] + want[2]));
            return size;
        }
        ITEST_FREE(h);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("the audit log did not catch up with its sources");
    return 0;
}

static Ocop__Reply *s_head(uint64_t size)
{
    Ocop__AudTreeHeadGet body = OCOP__AUD_TREE_HEAD_GET__INIT;
    body.tree_size = size;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_TREE_HEAD_GET;
    req.aud_tree_head_get = &body;
    Ocop__Reply *r;
    return harness_call(s_audit(), &req, &r) == 0 ? r : NULL;
}

static void s_check_head(const Ocop__AudSignedTreeHead *h)
{
    aud_hash_t root;
    assert_int_equal(h->root_hash.len, AUD_HASH_LEN);
    memcpy(root.h, h->root_hash.data, AUD_HASH_LEN);
    assert_true(
        aud_head_verify(W.public_key, h->tree_size, &root, h->timestamp_ms, h->signature.data, h->signature.len));
}

/* A small evaluation on shard 0: council, session of 3 products, sheets, close. */
static void s_evaluate(void)
{
    char today[OCOP_DATE_LEN];
    ocop_day_of(harness_wall_ms(), today);
    ocop_client_t *c = W.h->shard[0].client;
    Ocop__Reply *r =
        harness_council_create(c, OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE, W.data.province_a, W.data.province_a, 3, 0);
    ITEST_ASSERT_OK(r);
    snprintf(W.council, sizeof W.council, "%s", r->eval_council->id);
    ITEST_FREE(r);
    const char *ids[3] = {W.p[0].product_id, W.p[1].product_id, W.p[2].product_id};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(harness_shard_wait_product(W.h, 0, ids[i]), 0);
        Ocop__EvalAttest a = OCOP__EVAL_ATTEST__INIT;
        a.product_id = (char *)ids[i];
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
        req.eval_attest = &a;
        assert_int_equal(harness_call(c, &req, &r), 0);
        ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
    }
    r = harness_session_open(c, W.council, today, ids, 3, false);
    ITEST_ASSERT_OK(r);
    snprintf(W.session, sizeof W.session, "%s", r->eval_session->id);
    ITEST_FREE(r);
    r = harness_session_start(c, W.session, NULL, 3);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    const eval_rubric_t *rubric = eval_rubrics_find(W.rubrics, W.data.catalogue_version, W.data.product_set);
    assert_non_null(rubric);
    static const char *const members[] = {"m1", "m2", "m3"};
    for (int p = 0; p < 3; p++)
        for (int m = 0; m < 3; m++) {
            harness_sheet_t sheet;
            assert_int_equal(harness_sheet_init(&sheet, rubric, 60 + 10 * p, NULL), 0);
            harness_sheet_address(&sheet, W.session, ids[p], members[m], 1, 1);
            assert_int_equal(harness_call(c, &sheet.req, &r), 0);
            ITEST_ASSERT_OK(r);
            ITEST_FREE(r);
            harness_sheet_free(&sheet);
        }
    r = harness_session_close(c, W.session, "QĐ 9/QĐ-UBND");
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
}

/* ---------------------------------------------------------------- tests */

static void test_intake_of_every_source(void **state)
{
    (void)state;
    s_register(31);
    s_evaluate();
    uint64_t size = s_wait_caught_up();
    Ocop__Reply *r = s_head(0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->aud_tree_head->tree_size, size);
    s_check_head(r->aud_tree_head);
    assert_int_equal(strlen(r->aud_tree_head->key_id), AUD_KEY_ID_LEN);
    ITEST_FREE(r);
    W.early_size = size;
}

/* The signed root is the tree of the entries the service hands out. */
static void test_entries_make_the_signed_root(void **state)
{
    (void)state;
    Ocop__Reply *head = s_head(0);
    ITEST_ASSERT_OK(head);
    aud_builder_t b;
    aud_builder_init(&b);
    for (uint64_t from = 0; from < head->aud_tree_head->tree_size;) {
        Ocop__AudEntriesGet body = OCOP__AUD_ENTRIES_GET__INIT;
        body.from = from;
        body.max = 37;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_ENTRIES_GET;
        req.aud_entries_get = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        assert_true(r->aud_entry_page->n_entries > 0);
        for (size_t i = 0; i < r->aud_entry_page->n_entries && from < head->aud_tree_head->tree_size; i++, from++) {
            assert_int_equal(r->aud_entry_page->entries[i]->index, from);
            aud_hash_t leaf;
            aud_leaf_hash(r->aud_entry_page->entries[i]->data.data, r->aud_entry_page->entries[i]->data.len, &leaf);
            aud_builder_add(&b, &leaf);
        }
        ITEST_FREE(r);
    }
    aud_hash_t root;
    aud_builder_root(&b, &root);
    assert_memory_equal(root.h, head->aud_tree_head->root_hash.data, AUD_HASH_LEN);
    ITEST_FREE(head);
}

/* The log's consistency proof from first_size to its latest head, which must be of size
 * second_size, verifies against both signed roots. */
static void s_assert_consistent(uint64_t first_size, uint64_t second_size)
{
    Ocop__AudConsistencyGet cb = OCOP__AUD_CONSISTENCY_GET__INIT;
    cb.first = first_size;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_CONSISTENCY_GET;
    req.aud_consistency_get = &cb;
    Ocop__Reply *r;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    const Ocop__AudConsistencyProof *p = r->aud_consistency_proof;
    aud_hash_t first, second, path[AUD_PROOF_MAX];
    memcpy(first.h, p->first_head->root_hash.data, AUD_HASH_LEN);
    memcpy(second.h, p->second_head->root_hash.data, AUD_HASH_LEN);
    for (size_t k = 0; k < p->n_path; k++)
        memcpy(path[k].h, p->path[k].data, AUD_HASH_LEN);
    assert_int_equal(p->second, second_size);
    assert_true(aud_merkle_verify_consistency(p->first, p->second, &first, &second, path, p->n_path));
    ITEST_FREE(r);
}

static void test_inclusion_and_consistency_proofs(void **state)
{
    (void)state;
    Ocop__Reply *head = s_head(0);
    ITEST_ASSERT_OK(head);
    uint64_t size = head->aud_tree_head->tree_size;
    aud_hash_t root;
    memcpy(root.h, head->aud_tree_head->root_hash.data, AUD_HASH_LEN);
    ITEST_FREE(head);
    uint64_t probes[] = {0, 1, size / 3, size / 2, size - 2, size - 1};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        Ocop__AudInclusionGet body = OCOP__AUD_INCLUSION_GET__INIT;
        body.index = probes[i];
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_INCLUSION_GET;
        req.aud_inclusion_get = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        const Ocop__AudInclusionProof *p = r->aud_inclusion_proof;
        aud_hash_t leaf, path[AUD_PROOF_MAX];
        aud_leaf_hash(p->entry->data.data, p->entry->data.len, &leaf);
        assert_memory_equal(leaf.h, p->leaf_hash.data, AUD_HASH_LEN);
        for (size_t k = 0; k < p->n_path; k++)
            memcpy(path[k].h, p->path[k].data, AUD_HASH_LEN);
        assert_true(aud_merkle_verify_inclusion(&leaf, p->index, p->tree_size, path, p->n_path, &root));
        leaf.h[0] ^= 1;
        assert_false(aud_merkle_verify_inclusion(&leaf, p->index, p->tree_size, path, p->n_path, &root));
        s_check_head(p->head);
        ITEST_FREE(r);
    }
    /* Every earlier signed head is a prefix of the latest. */
    Ocop__AudHeadsGet hb = OCOP__AUD_HEADS_GET__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_HEADS_GET;
    req.aud_heads_get = &hb;
    Ocop__Reply *heads;
    assert_int_equal(harness_call(s_audit(), &req, &heads), 0);
    ITEST_ASSERT_OK(heads);
    assert_true(heads->aud_head_page->n_heads >= 1);
    for (size_t i = 0; i < heads->aud_head_page->n_heads; i++) {
        const Ocop__AudSignedTreeHead *h = heads->aud_head_page->heads[i];
        s_check_head(h);
        s_assert_consistent(h->tree_size, size);
    }
    ITEST_FREE(heads);
}

static size_t s_query_count(const char *product, const char *council, const char *province, int64_t from, int64_t to)
{
    size_t total = 0;
    uint64_t cursor = 0;
    do {
        Ocop__AudEventsQuery body = OCOP__AUD_EVENTS_QUERY__INIT;
        body.product_id = (char *)(product ? product : "");
        body.council_id = (char *)(council ? council : "");
        body.province_code = (char *)(province ? province : "");
        body.from_ms = from;
        body.to_ms = to;
        body.cursor = cursor;
        body.limit = 5;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_EVENTS_QUERY;
        req.aud_events_query = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        uint64_t last = 0;
        int64_t last_time = 0;
        for (size_t i = 0; i < r->aud_entry_page->n_entries; i++) {
            const Ocop__AudEntry *e = r->aud_entry_page->entries[i];
            Ocop__Event *ev = ocop__event__unpack(NULL, e->data.len, e->data.data);
            assert_non_null(ev);
            /* An id's events come in log order, a time range's in time order. */
            if (to)
                assert_true(ev->time_ms >= from && ev->time_ms <= to && ev->time_ms >= last_time);
            else
                assert_true(i == 0 || e->index > last);
            last = e->index;
            last_time = ev->time_ms;
            ocop__event__free_unpacked(ev, NULL);
        }
        total += r->aud_entry_page->n_entries;
        cursor = r->aud_entry_page->next;
        ITEST_FREE(r);
    } while (cursor);
    return total;
}

static void test_events_of_a_product_council_province(void **state)
{
    (void)state;
    /* Product 0: registered, 4 stage changes, attested, in the session's opening, 3 sheets,
     * its result, its certificate, its rating change, in the session's closing. */
    size_t product = s_query_count(W.p[0].product_id, NULL, NULL, 0, 0);
    assert_true(product >= 1 + 4 + 1 + 1 + 3 + 1 + 1 + 1);
    size_t council = s_query_count(NULL, W.council, NULL, 0, 0);
    assert_true(council >= 4); /* created, session opened, 3 results, session closed */
    size_t province = s_query_count(NULL, NULL, W.data.province_b, 0, 0);
    assert_true(province >= 3 * 5); /* 3 products of province B, 5 events each */
    assert_int_equal(s_query_count("PRD-99999999", NULL, NULL, 0, 0), 0);
    int64_t now = harness_wall_ms();
    assert_int_equal(s_query_count(NULL, NULL, NULL, 0, now + 60000), W.early_size);
    assert_int_equal(s_query_count(NULL, NULL, NULL, now + 1000, now + 60000), 0);
}

static Ocop__Reply *s_report(const char *kind, unsigned min_sample)
{
    Ocop__AudReportGet body = OCOP__AUD_REPORT_GET__INIT;
    body.kind = (char *)kind;
    body.min_sample = min_sample;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_REPORT_GET;
    req.aud_report_get = &body;
    Ocop__Reply *r;
    return harness_call(s_audit(), &req, &r) == 0 ? r : NULL;
}

/* The entries of a report's row, first page (limit 0: the default). */
static Ocop__Reply *s_row_entries(const char *kind, const char *group, uint64_t cursor, unsigned limit)
{
    Ocop__AudReportEntriesGet body = OCOP__AUD_REPORT_ENTRIES_GET__INIT;
    body.kind = (char *)kind;
    body.group = (char *)group;
    body.cursor = cursor;
    body.limit = limit;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_REPORT_ENTRIES_GET;
    req.aud_report_entries_get = &body;
    Ocop__Reply *r;
    return harness_call(s_audit(), &req, &r) == 0 ? r : NULL;
}

static double s_value(const Ocop__AudReportRow *row, const char *name)
{
    for (size_t i = 0; i < row->n_values; i++)
        if (strcmp(row->values[i]->name, name) == 0)
            return row->values[i]->value;
    fail_msg("row %s has no value %s", row->group, name);
    return 0;
}

static const Ocop__AudReportRow *s_find_row(const Ocop__AudReport *rep, const char *group)
{
    for (size_t i = 0; i < rep->n_rows; i++)
        if (strcmp(rep->rows[i]->group, group) == 0)
            return rep->rows[i];
    fail_msg("report %s has no row '%s'", rep->kind, group);
    return NULL;
}

/* The session scored means of 60, 70 and 80: one result just above the 70 cut-off, one 3★ and
 * two 4★ in the province; every member agreed, so nobody is lenient and no spread. */
static void test_integrity_reports(void **state)
{
    (void)state;
    char group[64];
    Ocop__Reply *r = s_report("bunching", 0);
    ITEST_ASSERT_OK(r);
    snprintf(group, sizeof group, "council %s", W.council);
    const Ocop__AudReportRow *row = s_find_row(r->aud_report, group);
    assert_int_equal(row->sample, 3);
    assert_true(s_value(row, "above_70") == 1 && s_value(row, "below_70") == 0 && s_value(row, "z_70") == 1);
    assert_true(s_value(row, "above_50") == 0 && s_value(row, "z_90") == 0);
    assert_int_equal(row->n_entries, 0); /* paged by the follow-up request */
    assert_true(strlen(r->aud_report->method) > 40);
    ITEST_FREE(r);
    /* The row's three results, two to a page. */
    Ocop__Reply *e = s_row_entries("bunching", group, 0, 2);
    ITEST_ASSERT_OK(e);
    assert_int_equal(e->aud_entry_page->n_entries, 2);
    assert_true(e->aud_entry_page->next > e->aud_entry_page->entries[1]->index);
    uint64_t next = e->aud_entry_page->next;
    ITEST_FREE(e);
    e = s_row_entries("bunching", group, next, 2);
    ITEST_ASSERT_OK(e);
    assert_int_equal(e->aud_entry_page->n_entries, 1);
    assert_int_equal(e->aud_entry_page->entries[0]->index, next);
    assert_int_equal(e->aud_entry_page->next, 0);
    ITEST_FREE(e);
    e = s_row_entries("bunching", "council nobody", 0, 0);
    ITEST_ASSERT_OK(e);
    assert_int_equal(e->aud_entry_page->n_entries, 0);
    ITEST_FREE(e);
    e = s_row_entries("bunching", "member x/m1", 0, 0);
    ITEST_ASSERT_ERROR(e, S_ST(INVALID), "group");
    ITEST_FREE(e);
    e = s_row_entries("spread", group, 0, 0);
    ITEST_ASSERT_ERROR(e, S_ST(INVALID), "kind");
    ITEST_FREE(e);
    e = s_row_entries("bunching", group, 0, 1001);
    ITEST_ASSERT_ERROR(e, S_ST(INVALID), "limit");
    ITEST_FREE(e);

    r = s_report("distribution", 0);
    ITEST_ASSERT_OK(r);
    snprintf(group, sizeof group, "province %s", W.data.province_a);
    row = s_find_row(r->aud_report, group);
    assert_true(fabs(s_value(row, "share3") - 1.0 / 3) < 1e-9 && fabs(s_value(row, "share4") - 2.0 / 3) < 1e-9);
    assert_true(fabs(s_value(row, "national_share4") - 2.0 / 3) < 1e-9);
    /* Each entry the row names is a result in the log, provable against the signed head. */
    e = s_row_entries("distribution", group, 0, 0);
    ITEST_ASSERT_OK(e);
    assert_int_equal(e->aud_entry_page->n_entries, 3);
    Ocop__AudInclusionGet ib = OCOP__AUD_INCLUSION_GET__INIT;
    ib.index = e->aud_entry_page->entries[0]->index;
    ITEST_FREE(e);
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INCLUSION_GET;
    req.aud_inclusion_get = &ib;
    Ocop__Reply *p;
    assert_int_equal(harness_call(s_audit(), &req, &p), 0);
    ITEST_ASSERT_OK(p);
    Ocop__Event *ev =
        ocop__event__unpack(NULL, p->aud_inclusion_proof->entry->data.len, p->aud_inclusion_proof->entry->data.data);
    assert_non_null(ev);
    assert_int_equal(ev->body_case, OCOP__EVENT__BODY_EVAL_RESULT_DISCLOSED);
    ocop__event__free_unpacked(ev, NULL);
    ITEST_FREE(p);
    ITEST_FREE(r);

    r = s_report("leniency", 1);
    ITEST_ASSERT_OK(r);
    snprintf(group, sizeof group, "member %s/m2", W.council);
    row = s_find_row(r->aud_report, group);
    assert_int_equal(row->sample, 3);
    assert_true(s_value(row, "mean_deviation") == 0 && s_value(row, "z") == 0);
    ITEST_FREE(r);
    r = s_report("leniency", 0); /* the default minimum of 20 sheets */
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->aud_report->n_rows, 0);
    ITEST_FREE(r);
    r = s_report("spread", 0);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->aud_report->n_rows, 0);
    ITEST_FREE(r);
    r = s_report("gossip", 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "kind");
    ITEST_FREE(r);
}

static Ocop__Reply *s_plan(const char *province, unsigned risk_count, unsigned sample, uint64_t seed)
{
    Ocop__AudInspectionPlan body = OCOP__AUD_INSPECTION_PLAN__INIT;
    body.province_code = (char *)province;
    body.risk_count = risk_count;
    body.sample = sample;
    body.seed = seed;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_PLAN;
    req.aud_inspection_plan = &body;
    Ocop__Reply *r;
    return harness_call(s_audit(), &req, &r) == 0 ? r : NULL;
}

static Ocop__Reply *s_record(const char *id, bool passed, Ocop__RevocationReason reason)
{
    Ocop__AudInspectionRecord body = OCOP__AUD_INSPECTION_RECORD__INIT;
    body.id = (char *)id;
    body.passed = passed;
    body.finding = passed ? "Sản xuất đúng quy trình đã chứng nhận" : "Mẫu kiểm nghiệm vượt ngưỡng vi sinh";
    body.revocation_reason = reason;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_RECORD;
    req.aud_inspection_record = &body;
    Ocop__Reply *r;
    return harness_call(s_audit(), &req, &r) == 0 ? r : NULL;
}

/* Products 0, 1, 2 hold 3★ (mean 60), 4★ (mean 70: just above the cut-off) and 4★ (80). The
 * riskiest is product 1; the sample is drawn from the others, the same for the same seed. A
 * failed inspection makes evaluation revoke the certificate, and that comes back into the log. */
static void test_inspections(void **state)
{
    (void)state;
    Ocop__Reply *r = s_plan(W.data.province_a, 1, 1, 7);
    ITEST_ASSERT_OK(r);
    const Ocop__AudInspectionPage *page = r->aud_inspection_page;
    assert_int_equal(page->n_inspections, 2);
    const Ocop__AudInspection *risky = page->inspections[0];
    assert_string_equal(risky->product_id, W.p[1].product_id);
    assert_int_equal(risky->risk, 3);
    assert_non_null(strstr(risky->reason, "just above 70"));
    assert_int_equal(risky->n_entries, 2);
    char risky_id[32], sampled[32];
    snprintf(risky_id, sizeof risky_id, "%s", risky->id);
    snprintf(sampled, sizeof sampled, "%s", page->inspections[1]->product_id);
    assert_string_not_equal(sampled, W.p[1].product_id);
    assert_non_null(strstr(page->inspections[1]->reason, "random sample (seed 7"));
    ITEST_FREE(r);
    r = s_plan(W.data.province_a, 1, 1, 7);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->aud_inspection_page->inspections[1]->product_id, sampled);
    ITEST_FREE(r);
    r = s_plan(W.data.province_b, 1, 0, 7);
    ITEST_ASSERT_ERROR(r, S_ST(NOT_FOUND), "province_code");
    ITEST_FREE(r);

    r = s_record(risky_id, false, OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "revocation_reason");
    ITEST_FREE(r);
    r = s_record(risky_id, false, OCOP__REVOCATION_REASON__REVOCATION_REASON_FOOD_SAFETY);
    ITEST_ASSERT_OK(r);
    assert_true(r->aud_inspection->revocation_requested);
    ITEST_FREE(r);
    r = s_record(risky_id, true, OCOP__REVOCATION_REASON__REVOCATION_REASON_UNSPECIFIED);
    ITEST_ASSERT_ERROR(r, S_ST(ILLEGAL_STATE), "id");
    ITEST_FREE(r);

    /* Delivered to evaluation by the audit service itself, which revokes. */
    bool delivered = false;
    for (int t = 0; t < 400 && !delivered; t++) {
        Ocop__AudInspectionGet body = OCOP__AUD_INSPECTION_GET__INIT;
        body.id = risky_id;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_INSPECTION_GET;
        req.aud_inspection_get = &body;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        ITEST_ASSERT_OK(r);
        delivered = r->aud_inspection->revocation_delivered;
        if (delivered)
            assert_string_equal(r->aud_inspection->delivery, "OCOP_OK");
        ITEST_FREE(r);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_true(delivered);
    r = harness_eval_product_get(W.h->shard[0].client, W.p[1].product_id);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->eval_product->stars, 0);
    ITEST_FREE(r);
    W.early_size = s_wait_caught_up();
    /* The revocation is in the log as evaluation recorded it. */
    Ocop__AudEventsQuery q = OCOP__AUD_EVENTS_QUERY__INIT;
    q.product_id = W.p[1].product_id;
    q.limit = 1000;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_EVENTS_QUERY;
    req.aud_events_query = &q;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_OK(r);
    bool revoked = false;
    for (size_t i = 0; i < r->aud_entry_page->n_entries; i++) {
        Ocop__Event *ev = ocop__event__unpack(NULL, r->aud_entry_page->entries[i]->data.len,
                                              r->aud_entry_page->entries[i]->data.data);
        assert_non_null(ev);
        revoked |= ev->body_case == OCOP__EVENT__BODY_EVAL_RATING_CHANGED &&
                   strcmp(ev->eval_rating_changed->reason, "revoked: law_violation (Art. 8.1(c))") == 0;
        ocop__event__free_unpacked(ev, NULL);
    }
    ITEST_FREE(r);
    assert_true(revoked);
}

static void test_bad_requests(void **state)
{
    (void)state;
    Ocop__Reply *r = s_head(W.early_size + 1000000);
    ITEST_ASSERT_ERROR(r, S_ST(NOT_FOUND), "tree_size");
    ITEST_FREE(r);
    Ocop__AudInclusionGet ib = OCOP__AUD_INCLUSION_GET__INIT;
    ib.index = W.early_size + 5;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_INCLUSION_GET;
    req.aud_inclusion_get = &ib;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "index");
    ITEST_FREE(r);
    Ocop__AudConsistencyGet cb = OCOP__AUD_CONSISTENCY_GET__INIT;
    cb.first = W.early_size + 1;
    cb.second = W.early_size;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_CONSISTENCY_GET;
    req.aud_consistency_get = &cb;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "first");
    ITEST_FREE(r);
    Ocop__AudEntriesGet eb = OCOP__AUD_ENTRIES_GET__INIT;
    eb.from = W.early_size + 10;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_ENTRIES_GET;
    req.aud_entries_get = &eb;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "from");
    ITEST_FREE(r);
    /* A page larger than a route gives is refused, not cut down. */
    eb = (Ocop__AudEntriesGet)OCOP__AUD_ENTRIES_GET__INIT;
    eb.max = 10001;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "max");
    ITEST_FREE(r);
    Ocop__AudHeadsGet hb = OCOP__AUD_HEADS_GET__INIT;
    hb.max = 10001;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_HEADS_GET;
    req.aud_heads_get = &hb;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "max");
    ITEST_FREE(r);
    Ocop__AudEventsQuery lb = OCOP__AUD_EVENTS_QUERY__INIT;
    lb.province_code = W.data.province_a;
    lb.limit = 1001;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_EVENTS_QUERY;
    req.aud_events_query = &lb;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "limit");
    ITEST_FREE(r);
    Ocop__AudEventsQuery qb = OCOP__AUD_EVENTS_QUERY__INIT;
    qb.product_id = W.p[0].product_id;
    qb.council_id = W.council;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_AUD_EVENTS_QUERY;
    req.aud_events_query = &qb;
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "product_id");
    ITEST_FREE(r);
    qb = (Ocop__AudEventsQuery)OCOP__AUD_EVENTS_QUERY__INIT;
    req.aud_events_query = &qb;
    req.request_id = "";
    assert_int_equal(harness_call(s_audit(), &req, &r), 0);
    ITEST_ASSERT_ERROR(r, S_ST(INVALID), "to_ms");
    ITEST_FREE(r);
}

/* After a restart the events-by-product index is rebuilt by the intake's thread while the
 * service answers: until it is, a product query is refused UNAVAILABLE naming the product, never
 * answered short. Waits (bounded) until the index answers. */
static void s_wait_product_index(const char *product)
{
    for (int tries = 0; tries < 400; tries++) {
        Ocop__AudEventsQuery body = OCOP__AUD_EVENTS_QUERY__INIT;
        body.product_id = (char *)product;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_AUD_EVENTS_QUERY;
        req.aud_events_query = &body;
        Ocop__Reply *r;
        assert_int_equal(harness_call(s_audit(), &req, &r), 0);
        int unavailable = r->status == S_ST(UNAVAILABLE);
        if (unavailable)
            assert_string_equal(r->field, "product");
        else
            ITEST_ASSERT_OK(r);
        ITEST_FREE(r);
        if (!unavailable)
            return;
        usleep(50 * 1000);
    }
    fail_msg("the product index was not rebuilt within 20 s");
}

/* Killed while the sources keep writing, the service catches up on restart: nothing missed,
 * nothing twice, and the new tree extends the old one; a product's events are the same. */
static void test_catch_up_after_sigkill(void **state)
{
    (void)state;
    size_t product = s_query_count(W.p[0].product_id, NULL, NULL, 0, 0);
    harness_audit_kill(W.h);
    s_register(32);
    assert_int_equal(harness_audit_start(W.h), 0);
    s_wait_product_index(W.p[0].product_id);
    assert_int_equal(s_query_count(W.p[0].product_id, NULL, NULL, 0, 0), product);
    uint64_t size = s_wait_caught_up();
    assert_true(size > W.early_size);
    s_assert_consistent(W.early_size, size);
}

/* A report packed, for comparing byte for byte; NULL while the tallies are catching up. */
static uint8_t *s_packed_report(const char *kind, size_t *len)
{
    Ocop__Reply *r = s_report(kind, 1);
    assert_non_null(r);
    if (r->status == S_ST(UNAVAILABLE)) {
        ITEST_FREE(r);
        return NULL;
    }
    ITEST_ASSERT_OK(r);
    assert_true(r->aud_report->n_rows > 0);
    *len = ocop__aud_report__get_packed_size(r->aud_report);
    uint8_t *buf = malloc(*len);
    ocop__aud_report__pack(r->aud_report, buf);
    ITEST_FREE(r);
    return buf;
}

static void s_write(const char *path, const uint8_t *data, size_t len);

/* The event name of the audit service's last "product_index_..." log line ("loaded" when a
 * start loaded the saved index, "from_the_log" when it indexed the whole log) and its line. */
static const char *s_last_index_start(char *line, size_t len)
{
    char *log = harness_read_file(W.h->audit.log_path, NULL);
    assert_non_null(log);
    const char *last = NULL;
    for (const char *p = log; (p = strstr(p, "event=product_index_")); p++)
        if (strncmp(p, "event=product_index_loaded", 26) == 0 || strncmp(p, "event=product_index_from", 24) == 0)
            last = p;
    assert_non_null(last);
    const char *end = strchr(last, '\n');
    snprintf(line, len, "%.*s", (int)(end ? end - last : (long)strlen(last)), last);
    free(log);
    return strncmp(line, "event=product_index_loaded", 26) == 0 ? "loaded" : "from_the_log";
}

static void s_restart_audit(void)
{
    assert_int_equal(harness_audit_start(W.h), 0);
    s_wait_product_index(W.p[0].product_id);
}

/* A clean stop saves the index of events by product beside the store; the next start loads it
 * and indexes only the entries appended since, and every product's events are as the whole log
 * gives them. A damaged file is set aside and the whole log indexed. */
static void test_product_index_saved_at_a_clean_stop(void **state)
{
    (void)state;
    char path[HARNESS_PATH_MAX + 32], line[512];
    snprintf(path, sizeof path, "%s/products.idx", W.h->audit.store_dir);
    size_t first = s_query_count(W.p[0].product_id, NULL, NULL, 0, 0);
    assert_true(first > 0);
    assert_int_equal(harness_audit_stop(W.h), 0);
    assert_int_equal(access(path, R_OK), 0);
    size_t added = W.n;
    s_register(41); /* while the service is down: entries after the saved index */
    s_restart_audit();
    assert_string_equal(s_last_index_start(line, sizeof line), "loaded");
    s_wait_caught_up();
    assert_int_equal(s_query_count(W.p[0].product_id, NULL, NULL, 0, 0), first);
    size_t later = s_query_count(W.p[added].product_id, NULL, NULL, 0, 0);
    assert_true(later > 0);

    /* A byte flipped in the middle: not used, the whole log indexed, the same answers. */
    assert_int_equal(harness_audit_stop(W.h), 0);
    size_t len;
    uint8_t *bytes = (uint8_t *)harness_read_file(path, &len);
    assert_non_null(bytes);
    assert_true(len > 100);
    bytes[len / 2] ^= 0x01;
    s_write(path, bytes, len);
    free(bytes);
    s_restart_audit();
    assert_string_equal(s_last_index_start(line, sizeof line), "from_the_log");
    assert_non_null(strstr(line, "damaged"));
    assert_int_equal(s_query_count(W.p[0].product_id, NULL, NULL, 0, 0), first);
    assert_int_equal(s_query_count(W.p[added].product_id, NULL, NULL, 0, 0), later);
}

/* A plan's draw in words (product, certificate, risk, reason of each), for comparing. */
static char *s_plan_draw(void)
{
    Ocop__Reply *r = s_plan(W.data.province_a, 2, 2, 11);
    if (r && r->status == S_ST(UNAVAILABLE)) {
        ITEST_FREE(r);
        return NULL;
    }
    ITEST_ASSERT_OK(r);
    const Ocop__AudInspectionPage *page = r->aud_inspection_page;
    assert_true(page->n_inspections > 0);
    char *draw = calloc(1, 4096);
    for (size_t i = 0, len = 0; i < page->n_inspections; i++)
        len += (size_t)snprintf(draw + len, 4096 - len, "%s %s %u %s\n", page->inspections[i]->product_id,
                                page->inspections[i]->certificate_id, page->inspections[i]->risk,
                                page->inspections[i]->reason);
    ITEST_FREE(r);
    return draw;
}

/* The derived databases of a store from before them (the tallies dropped here, the rest left
 * stale, the mark removed) are rebuilt from the log at start, before intake: the reports come
 * out byte for byte as intake kept them and a plan draws the same certificates; meanwhile both
 * are refused UNAVAILABLE, never answered short. */
static void test_reports_caught_up_on_an_older_store(void **state)
{
    (void)state;
    static const char *const kinds[] = {"bunching", "leniency", "distribution"};
    uint8_t *before[3];
    size_t len[3];
    for (int k = 0; k < 3; k++)
        assert_non_null(before[k] = s_packed_report(kinds[k], &len[k]));
    char *draw = s_plan_draw();
    assert_non_null(draw);
    assert_int_equal(harness_audit_stop(W.h), 0);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi sums, meta;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_open(env, W.h->audit.store_dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "tally_sums", 0, &sums), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    assert_int_equal(ocop_db_drop(txn, sums, 1), 0);
    MDB_val kept = {.mv_size = 4, .mv_data = "kept"};
    assert_int_equal(ocop_db_del(txn, meta, &kept, NULL), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(harness_audit_start(W.h), 0);
    for (int k = 0; k < 3; k++) {
        uint8_t *after = NULL;
        size_t n = 0;
        for (int tries = 0; tries < 400 && !(after = s_packed_report(kinds[k], &n)); tries++)
            usleep(50 * 1000);
        if (!after)
            fail_msg("the %s report was not available within 20 s of the restart", kinds[k]);
        assert_int_equal(n, len[k]);
        assert_memory_equal(after, before[k], n);
        free(after);
        free(before[k]);
    }
    char *again = s_plan_draw();
    assert_non_null(again);
    assert_string_equal(again, draw);
    free(again);
    free(draw);
}

/* ---------------------------------------------------------------- export and offline verification */

static int s_verify(const char *mode, const char *path, const char *key)
{
    return harness_run(W.verify, (const char *const[]){"--key", key, mode, path, NULL}, S_RUN_TIMEOUT_MS, &W.run);
}

static void s_expect_run(int code, const char *fragment)
{
    if (W.run.code != code || !strstr(W.run.out[0] ? W.run.out : W.run.err, fragment))
        fail_msg("%s: exit %d (expected %d, '%s')\nstdout: %s\nstderr: %s", W.run.cmd, W.run.code, code, fragment,
                 W.run.out, W.run.err);
}

/* The export's records (after the magic), for tampering: offsets of each record's length. */
static size_t s_records(const uint8_t *data, size_t len, size_t *offsets, size_t max)
{
    size_t n = 0;
    for (size_t at = 20; at + 4 <= len && n < max;) {
        offsets[n++] = at;
        at += 4 + ocop_be32_get(data + at);
    }
    return n;
}

static void s_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_export_verifies_and_tampering_is_caught(void **state)
{
    (void)state;
    assert_int_equal(
        harness_run(W.ctl, (const char *const[]){"--config", W.h->config_path, "audit", "export", W.export_path, NULL},
                    S_RUN_TIMEOUT_MS, &W.run),
        0);
    s_verify("--export", W.export_path, W.key_path);
    s_expect_run(0, "verified: ");
    /* registration and shard 1; shard 2 (province B) has evaluated nothing. */
    assert_non_null(strstr(W.run.out, " from 2 sources"));

    size_t len;
    uint8_t *data = (uint8_t *)harness_read_file(W.export_path, &len);
    assert_non_null(data);
    size_t offsets[4096];
    size_t n = s_records(data, len, offsets, 4096);
    assert_true(n > 10);
    char tampered[HARNESS_PATH_MAX + 16];
    snprintf(tampered, sizeof tampered, "%s.bad", W.export_path);

    /* A flipped byte in the last entry (its record is the file's last). */
    data[len - 1] ^= 0x01;
    s_write(tampered, data, len);
    data[len - 1] ^= 0x01;
    s_verify("--export", tampered, W.key_path);
    assert_int_equal(W.run.code, 1);
    assert_non_null(strstr(W.run.out, "FAILED: "));

    /* A flipped byte in an entry in the middle. */
    size_t mid = offsets[n / 2] + 4 + (ocop_be32_get(data + offsets[n / 2]) - 1);
    data[mid] ^= 0x40;
    s_write(tampered, data, len);
    data[mid] ^= 0x40;
    s_verify("--export", tampered, W.key_path);
    assert_int_equal(W.run.code, 1);

    /* Truncated: the last entry dropped. */
    s_write(tampered, data, offsets[n - 1]);
    s_verify("--export", tampered, W.key_path);
    s_expect_run(1, "truncated");

    /* Reordered: the last two entries swapped. */
    size_t a = offsets[n - 2], b = offsets[n - 1];
    uint8_t *swapped = malloc(len);
    memcpy(swapped, data, a);
    memcpy(swapped + a, data + b, len - b);
    memcpy(swapped + a + (len - b), data + a, b - a);
    s_write(tampered, swapped, len);
    free(swapped);
    s_verify("--export", tampered, W.key_path);
    s_expect_run(1, "where entry");

    /* Another key. */
    char other[HARNESS_PATH_MAX + 16];
    snprintf(other, sizeof other, "%s/other.pub", W.h->dir);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char hex[2 * sizeof pk + 2];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    s_write(other, (const uint8_t *)hex, strlen(hex));
    s_verify("--export", W.export_path, other);
    s_expect_run(1, "names the key");

    /* Not an export at all. */
    s_write(tampered, (const uint8_t *)"hello", 5);
    s_verify("--export", tampered, W.key_path);
    assert_int_equal(W.run.code, 2);
    free(data);
}

/* How many entries of the store in dir are kept compressed; the first one's stored bytes are
 * copied into first (malloc'd, *length bytes). */
static size_t s_compressed_entries(const char *dir, uint8_t **first, size_t *length)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi entries;
    MDB_cursor *cur;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK, 0), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "entries", 0, &entries), 0);
    assert_int_equal(mdb_cursor_open(txn, entries, &cur), 0);
    size_t n = 0;
    MDB_val k, v;
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        if (v.mv_size > 0 && *(const uint8_t *)v.mv_data == OCOP_STORED_COMPRESSED && n++ == 0) {
            *first = malloc(v.mv_size);
            assert_non_null(*first);
            memcpy(*first, v.mv_data, v.mv_size);
            *length = v.mv_size;
        }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return n;
}

static void test_store_copy_verifies_and_tampering_is_caught(void **state)
{
    (void)state;
    assert_int_equal(harness_audit_stop(W.h), 0);
    char copy[HARNESS_PATH_MAX + 16], cmd[3 * HARNESS_PATH_MAX];
    snprintf(copy, sizeof copy, "%s/audit-copy", W.h->dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s/data.mdb' '%s/'", copy, W.h->audit.store_dir, copy);
    assert_int_equal(system(cmd), 0);
    s_verify("--store", copy, W.key_path);
    s_expect_run(0, "verified: ");

    /* The session results carry every member's sheet and are kept compressed: the verifier read
     * them back. One byte changed inside one is refused. */
    uint8_t *entry = NULL;
    size_t length = 0;
    assert_true(s_compressed_entries(copy, &entry, &length) >= 1);
    char mdb[HARNESS_PATH_MAX + 32];
    snprintf(mdb, sizeof mdb, "%s/data.mdb", copy);
    size_t len;
    uint8_t *data = (uint8_t *)harness_read_file(mdb, &len);
    assert_non_null(data);
    uint8_t *in_file = memmem(data, len, entry, length);
    free(entry);
    assert_non_null(in_file);
    in_file[length / 2] ^= 0x20;
    s_write(mdb, data, len);
    s_verify("--store", copy, W.key_path);
    s_expect_run(2, "cannot be read back");
    in_file[length / 2] ^= 0x20;
    s_write(mdb, data, len);
    free(data);
    s_verify("--store", copy, W.key_path);
    s_expect_run(0, "verified: ");

    /* Flip one byte of a product name stored in an entry. */
    data = (uint8_t *)harness_read_file(mdb, &len);
    assert_non_null(data);
    const char *needle = "\xc4\x90\xe1\xba\xb7"
                         "c s\xe1\xba\xa3n"; /* "Đặc sản" */
    uint8_t *at = memmem(data, len, needle, strlen(needle));
    assert_non_null(at);
    at[strlen(needle) - 1] ^= 0x20;
    s_write(mdb, data, len);
    free(data);
    s_verify("--store", copy, W.key_path);
    s_expect_run(1, "FAILED: ");
    assert_int_equal(harness_audit_start(W.h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intake_of_every_source),
        cmocka_unit_test(test_entries_make_the_signed_root),
        cmocka_unit_test(test_inclusion_and_consistency_proofs),
        cmocka_unit_test(test_events_of_a_product_council_province),
        cmocka_unit_test(test_integrity_reports),
        cmocka_unit_test(test_inspections),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_catch_up_after_sigkill),
        cmocka_unit_test(test_reports_caught_up_on_an_older_store),
        cmocka_unit_test(test_product_index_saved_at_a_clean_stop),
        cmocka_unit_test(test_export_verifies_and_tampering_is_caught),
        cmocka_unit_test(test_store_copy_verifies_and_tampering_is_caught),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
