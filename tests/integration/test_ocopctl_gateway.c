/* Integration: the real ocopctl through the real gateway (--gateway URL --token TOKEN): health,
 * reads as tables and JSON, exit codes for refusals, the stars report merged from both shards as
 * CSV, bulk import of entities (refused rows with their reasons, a re-run applying nothing twice)
 * and of score sheets (each reaching its session's shard), and the audit export verified. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway_world.h"
#include "harness_eval.h"
#include "ocop_date.h"

#define S_TIMEOUT_MS 60000

static gateway_world_t W;
static char s_ctl[HARNESS_PATH_MAX], s_url[64];
static harness_run_t s_run;

static int s_setup(void **state)
{
    (void)state;
    if (gateway_world_new(&W, NULL) != 0)
        return -1;
    const char *bin = getenv("OCOP_BINARY_DIR");
    snprintf(s_ctl, sizeof s_ctl, "%s/services/ocopctl/ocopctl", bin ? bin : ".");
    snprintf(s_url, sizeof s_url, "http://127.0.0.1:%d", W.h->gateway_port);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_run_free(&s_run);
    gateway_world_destroy(&W);
    return 0;
}

/* ocopctl --gateway URL [--token T] args... ; returns the exit code. */
static int s_ctl_as(ocop_role_t role, const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = "--gateway";
    argv[n++] = s_url;
    const char *token = gateway_world_token(&W, role);
    if (token) {
        argv[n++] = "--token";
        argv[n++] = token;
    }
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return harness_run(s_ctl, argv, S_TIMEOUT_MS, &s_run);
}

#define S_EXPECT(code, role, ...)                                                                                      \
    do {                                                                                                               \
        const char *args_[] = {__VA_ARGS__, NULL};                                                                     \
        int rc_ = s_ctl_as(role, args_);                                                                               \
        if (rc_ != (code))                                                                                             \
            fail_msg("$ %s\nexit %d (expected %d)\n--- stdout ---\n%.3000s\n--- stderr ---\n%.3000s", s_run.cmd, rc_,  \
                     (code), s_run.out, s_run.err);                                                                    \
    } while (0)

static void test_reads_and_exit_codes(void **state)
{
    (void)state;
    S_EXPECT(0, OCOP_ROLE_PUBLIC, "ping");
    assert_non_null(strstr(s_run.out, "evaluation-2"));
    S_EXPECT(0, OCOP_ROLE_PRODUCER, "product", "get", W.product[GW_A]);
    assert_non_null(strstr(s_run.out, W.entity[GW_A]));
    S_EXPECT(0, OCOP_ROLE_PRODUCER, "--output", "json", "product", "get", W.product[GW_B]);
    cJSON *j = cJSON_Parse(s_run.out);
    assert_non_null(j);
    cJSON_Delete(j);
    S_EXPECT(6, OCOP_ROLE_PUBLIC, "product", "list", "--limit", "1");
    assert_non_null(strstr(s_run.out, "UNAUTHENTICATED") ? s_run.out : s_run.err);
    S_EXPECT(4, OCOP_ROLE_CENTRAL, "product", "get", "PRD-99999999");
    S_EXPECT(2, OCOP_ROLE_CENTRAL, "events", "registration");
    S_EXPECT(2, OCOP_ROLE_CENTRAL, "import", "sheets");
}

static void test_stars_csv_merges_shards(void **state)
{
    (void)state;
    S_EXPECT(0, OCOP_ROLE_PUBLIC, "--output", "csv", "stars");
    assert_true(strncmp(s_run.out, "province_code,sector_code,year,stars3,stars4,", 44) == 0);
    for (int t = GW_A; t <= GW_B; t++) {
        char line[64];
        snprintf(line, sizeof line, "\n%s,%s,", W.province[t], W.data.sector);
        assert_non_null(strstr(s_run.out, line));
    }
    assert_non_null(strstr(s_run.out, "\nTOTAL,,,0,2,0,0,2,2\n"));
}

static char *s_write_temp(const char *name, const char *text)
{
    static char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", W.h->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_import_entities_through_the_gateway(void **state)
{
    (void)state;
    char csv[1024];
    snprintf(csv, sizeof csv,
             "ref,type,name,tax_code,commune_code,representative,phone\n"
             "e1,cooperative,Hợp tác xã Mật ong Bạc Hà,0108881111,%s,Lò Văn Páo,0912000001\n"
             "e2,enterprise,Công ty TNHH Nước mắm Cát Hải,0108881112,%s,Phạm Thị Lan,0912000002\n"
             "e3,cooperative,Hợp tác xã Chè Shan Tuyết,0108881113,%s,Vàng A Sử,0912000003\n",
             W.commune[GW_A], W.commune[GW_A], W.commune[GW_B]);
    const char *path = s_write_temp("entities.csv", csv);
    /* The commune officer may register in its own commune only: e3 is refused with the reason. */
    S_EXPECT(3, OCOP_ROLE_COMMUNE, "import", "entities", path);
    assert_non_null(strstr(s_run.out, "2 accepted"));
    assert_non_null(strstr(s_run.out, "1 refused"));
    assert_non_null(strstr(s_run.out, "outside that scope"));
    char *before = gateway_world_sequences(&W);
    /* A re-run skips the accepted rows; the province officer of A still may not place e3. */
    S_EXPECT(3, OCOP_ROLE_PROVINCE, "import", "entities", path);
    assert_non_null(strstr(s_run.out, "0 accepted"));
    assert_non_null(strstr(s_run.out, "2 skipped"));
    char *after = gateway_world_sequences(&W);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* Forget the journal: the same rows' keys make the services answer without applying twice. */
    char journal[HARNESS_PATH_MAX + 16];
    snprintf(journal, sizeof journal, "%s.journal", path);
    remove(journal);
    before = gateway_world_sequences(&W);
    S_EXPECT(3, OCOP_ROLE_COMMUNE, "import", "entities", path);
    assert_non_null(strstr(s_run.out, "2 accepted"));
    after = gateway_world_sequences(&W);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_import_sheets_and_export(void **state)
{
    (void)state;
    /* A new product of A in a session of A's council, scored by member m1 through its token. */
    harness_ready_t p = {0};
    snprintf(p.commune, sizeof p.commune, "%s", W.commune[GW_A]);
    snprintf(p.catalogue, sizeof p.catalogue, "%s", W.data.catalogue_version);
    snprintf(p.sector, sizeof p.sector, "%s", W.data.sector);
    snprintf(p.product_set, sizeof p.product_set, "%s", W.data.product_set);
    size_t entity_of = 0;
    assert_int_equal(harness_make_ready(W.h->client, &p, &entity_of, 1, 9191), 0);
    assert_int_equal(harness_shard_wait_product(W.h, 0, p.product_id), 0);
    ocop_client_t *c = W.h->shard[0].client;
    Ocop__EvalAttest a = OCOP__EVAL_ATTEST__INIT;
    a.product_id = p.product_id;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ATTEST;
    req.eval_attest = &a;
    Ocop__Reply *r;
    assert_int_equal(harness_call(c, &req, &r), 0);
    ocop__reply__free_unpacked(r, NULL);
    char today[OCOP_DATE_LEN], session[32];
    ocop_day_of(harness_wall_ms(), today);
    const char *ids[1] = {p.product_id};
    r = harness_session_open(c, W.council[GW_A], today, ids, 1, false);
    assert_non_null(r);
    snprintf(session, sizeof session, "%s", r->eval_session->id);
    ocop__reply__free_unpacked(r, NULL);
    r = harness_session_start(c, session, NULL, 3);
    ocop__reply__free_unpacked(r, NULL);
    /* The sheet's scores as the CSV carries them. */
    eval_rubrics_t *rubrics = harness_rubrics_load();
    const eval_rubric_t *rubric = eval_rubrics_find(rubrics, p.catalogue, p.product_set);
    harness_sheet_t sheet;
    assert_int_equal(harness_sheet_init(&sheet, rubric, 72, NULL), 0);
    char options[4096] = "";
    for (size_t i = 0; i < sheet.body.n_scores; i++)
        snprintf(options + strlen(options), sizeof options - strlen(options), "%s%s=%s", i ? ";" : "",
                 sheet.body.scores[i]->id, sheet.body.scores[i]->option);
    harness_sheet_free(&sheet);
    eval_rubrics_destroy(&rubrics);
    /* The second row gives a free number where the sheet has options: refused. The third's
     * phase is not a number: refused naming it, not sent as phase 1. */
    char csv[16384];
    snprintf(csv, sizeof csv,
             "ref,session_id,product_id,phase,round,options,points\n"
             "s1,%s,%s,1,1,%s,\n"
             "s2,%s,%s,1,1,,%s=3\n"
             "s3,%s,%s,1x,1,%s,\n",
             session, p.product_id, options, session, p.product_id, "1.1", session, p.product_id, options);
    const char *path = s_write_temp("sheets.csv", csv);
    S_EXPECT(3, OCOP_ROLE_COUNCIL, "import", "sheets", path);
    assert_non_null(strstr(s_run.out, "1 accepted"));
    assert_non_null(strstr(s_run.out, "2 refused"));
    assert_non_null(strstr(s_run.out, "refused 1 x OCOP_E_INVALID phase"));
    assert_non_null(strstr(s_run.out, "s3: phase: expected a non-negative 32-bit integer"));
    /* The audit log through the gateway, verified offline (once the audit service signed a head). */
    harness_http_t head = {0};
    for (int64_t deadline = harness_mono_ms() + 20000; harness_mono_ms() < deadline;) {
        assert_int_equal(harness_http(W.h, "GET", "/v1/audit/tree-head", NULL, NULL, &head), 0);
        if (head.status == 200)
            break;
        usleep(50 * 1000);
    }
    assert_int_equal(head.status, 200);
    harness_http_free(&head);
    char export_path[HARNESS_PATH_MAX + 16], key[HARNESS_PATH_MAX + 32];
    snprintf(export_path, sizeof export_path, "%s/audit.export", W.h->dir);
    S_EXPECT(0, OCOP_ROLE_AUDITOR, "audit", "export", export_path);
    snprintf(key, sizeof key, "%s/audit.sign.pub", W.h->keys_dir);
    const char *bin = getenv("OCOP_BINARY_DIR");
    char verify[HARNESS_PATH_MAX];
    snprintf(verify, sizeof verify, "%s/services/audit/ocop-audit-verify", bin ? bin : ".");
    const char *vargs[] = {"--key", key, "--export", export_path, NULL};
    assert_int_equal(harness_run(verify, vargs, S_TIMEOUT_MS, &s_run), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_and_exit_codes),
        cmocka_unit_test(test_stars_csv_merges_shards),
        cmocka_unit_test(test_import_entities_through_the_gateway),
        cmocka_unit_test(test_import_sheets_and_export),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
