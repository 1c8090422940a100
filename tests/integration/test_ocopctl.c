/* Integration: the real ocopctl binary against the real ocop-registration.
 *
 * The harness starts the service and writes a config and keys (including "ocopctl"); every
 * test runs $OCOP_BINARY_DIR/services/ocopctl/ocopctl as a child process with OCOP_CONFIG set,
 * captures stdout, stderr and the exit code (SIGKILL after S_RUN_TIMEOUT_MS), and checks what
 * a person or a script would see: usage and exit codes, key: value and table output, JSON
 * output, bulk import summaries and journals, demo data and keygen. The tests run in order
 * and share one service; files go to a "ctl" directory inside the harness directory, which
 * the harness removes (also when an assertion fails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "itest_assert.h"

#define S_RUN_TIMEOUT_MS 30000
#define S_PATH_MAX (HARNESS_PATH_MAX + 128)
#define S_ID_MAX 64
#define S_COLS_MAX 32

static struct {
    harness_t *h;
    harness_data_t data;
    char ctl[HARNESS_PATH_MAX];  /* the ocopctl binary */
    char demo[HARNESS_PATH_MAX]; /* the ocop-demo binary */
    char work[HARNESS_PATH_MAX]; /* scratch directory inside the harness directory */
    harness_run_t run;           /* the last run (its buffers are freed by the next) */
    int run_line;                /* source line of the last S_CTL, for failure messages */
    char entity_id[S_ID_MAX];    /* registered by test_entity_register_get */
    char product_id[S_ID_MAX];   /* moved to plan_preparing by test_product_transitions */
    char product2_id[S_ID_MAX];  /* left in idea_submitted */
} s_world;

/* ---------------------------------------------------------------- running ocopctl */

/* Runs ocopctl with args (NULL-terminated, without the program name). Fills s_world.run and
 * returns the exit code, or -1 when it could not be run at all. */
static int s_run_argv(const char *const *args)
{
    return harness_run(s_world.ctl, args, S_RUN_TIMEOUT_MS, &s_world.run);
}

#define S_CTL(...) (s_world.run_line = __LINE__, s_run_argv((const char *const[]){__VA_ARGS__, NULL}))
#define S_DEMO(...)                                                                                                    \
    (s_world.run_line = __LINE__,                                                                                      \
     harness_run(s_world.demo, (const char *const[]){__VA_ARGS__, NULL}, S_RUN_TIMEOUT_MS, &s_world.run))

static void s_fail_run(const char *why)
{
    const harness_run_t *r = &s_world.run;
    fail_msg("%s (ocopctl run at line %d)\n$ %s\nexit %d%s\n--- stdout ---\n%.4000s\n--- stderr ---\n%.4000s", why,
             s_world.run_line, r->cmd, r->code, r->timed_out ? " (killed after the time-out)" : "",
             r->out ? r->out : "", r->err ? r->err : "");
}

/* The last run exited with code (and was not killed). */
static void s_expect_code(int code)
{
    char why[64];
    if (s_world.run.timed_out || s_world.run.code != code) {
        snprintf(why, sizeof why, "expected exit %d", code);
        s_fail_run(why);
    }
}

static void s_expect_out(const char *needle)
{
    if (!strstr(s_world.run.out, needle)) {
        char why[600];
        snprintf(why, sizeof why, "stdout lacks \"%.500s\"", needle);
        s_fail_run(why);
    }
}

static void s_expect_err(const char *needle)
{
    if (!strstr(s_world.run.err, needle)) {
        char why[600];
        snprintf(why, sizeof why, "stderr lacks \"%.500s\"", needle);
        s_fail_run(why);
    }
}

static void s_expect_no_err(void)
{
    if (s_world.run.err_len)
        s_fail_run("expected nothing on stderr");
}

/* ---------------------------------------------------------------- reading output */

/* The value of the first "key: value" line of text, copied to out; 0 / -1. */
static int s_line_value(const char *text, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len >= klen + 2 && strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
            snprintf(out, outlen, "%.*s", (int)(len - klen - 2), line + klen + 2);
            return 0;
        }
        line = end ? end + 1 : NULL;
    }
    return -1;
}

static void s_need_value(const char *key, char *out, size_t outlen)
{
    if (s_line_value(s_world.run.out, key, out, outlen) != 0) {
        char why[128];
        snprintf(why, sizeof why, "stdout has no \"%s: ...\" line", key);
        s_fail_run(why);
    }
}

/* Line n (0-based) of text into out, without its newline; 0 / -1 past the end. */
static int s_nth_line(const char *text, size_t n, char *out, size_t outlen)
{
    const char *line = text;
    for (size_t i = 0; i < n && line; i++) {
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    if (!line || !*line)
        return -1;
    const char *end = strchr(line, '\n');
    snprintf(out, outlen, "%.*s", (int)(end ? end - line : (long)strlen(line)), line);
    return 0;
}

static size_t s_count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* A table as ocopctl prints it: a header of names, each column padded to its widest cell and
 * separated by two spaces. Column starts are in code points (cells may be Vietnamese). */
typedef struct {
    char names[S_COLS_MAX][64];
    size_t start[S_COLS_MAX];
    size_t ncol;
} s_table_t;

static int s_table_header(const char *line, s_table_t *t)
{
    memset(t, 0, sizeof *t);
    size_t cp = 0;
    for (const char *p = line; *p;) {
        if (*p == ' ') {
            p++;
            cp++;
            continue;
        }
        if (t->ncol == S_COLS_MAX)
            return -1;
        /* Every column after the first starts after at least two spaces. */
        if (t->ncol > 0 && (p - line < 2 || p[-1] != ' ' || p[-2] != ' '))
            return -1;
        t->start[t->ncol] = cp;
        size_t len = strcspn(p, " ");
        snprintf(t->names[t->ncol], sizeof t->names[0], "%.*s", (int)len, p);
        t->ncol++;
        p += len;
        cp += len; /* header names are ASCII */
    }
    return t->ncol ? 0 : -1;
}

static int s_table_col(const s_table_t *t, const char *name)
{
    for (size_t c = 0; c < t->ncol; c++)
        if (strcmp(t->names[c], name) == 0)
            return (int)c;
    return -1;
}

/* The trimmed cell of column col in a data line. */
static void s_table_cell(const s_table_t *t, const char *line, int col, char *out, size_t outlen)
{
    size_t from = t->start[col], to = (size_t)col + 1 < t->ncol ? t->start[col + 1] : (size_t)-1;
    size_t cp = 0;
    const char *p = line, *begin = NULL, *end = NULL;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80)
            continue;
        if (cp == from)
            begin = p;
        if (cp == to) {
            end = p;
            break;
        }
        cp++;
    }
    if (!begin) {
        out[0] = '\0';
        return;
    }
    if (!end)
        end = p;
    while (begin < end && *begin == ' ')
        begin++;
    while (end > begin && end[-1] == ' ')
        end--;
    snprintf(out, outlen, "%.*s", (int)(end - begin), begin);
}

static cJSON *s_parse_out(void)
{
    cJSON *json = cJSON_Parse(s_world.run.out);
    if (!json)
        s_fail_run("stdout is not JSON");
    return json;
}

static const char *s_jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void s_assert_jstr(const cJSON *obj, const char *key, const char *want)
{
    const char *got = s_jstr(obj, key);
    if (!got || strcmp(got, want) != 0)
        fail_msg("JSON field %s is '%s', expected '%s'", key, got ? got : "(missing)", want);
}

/* ---------------------------------------------------------------- files */

static void s_path(char *out, size_t outlen, const char *rel)
{
    snprintf(out, outlen, "%s/%s", s_world.work, rel);
}

static void s_mkdir(const char *rel)
{
    char path[S_PATH_MAX];
    s_path(path, sizeof path, rel);
    if (mkdir(path, 0700) != 0)
        fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static int s_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The id column of the journal line for ref ("ref\tSTATUS\tid\tflagged\tmessage"); the last
 * such line wins (a re-run appends). 0 / -1. */
static int s_journal_entry(const char *journal, const char *ref, char *status, char *id, char *flag)
{
    char *text = harness_read_file(journal, NULL);
    if (!text)
        return -1;
    int found = -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char f[4][S_ID_MAX] = {{0}};
        const char *p = line;
        for (int i = 0; i < 4 && p; i++) {
            const char *tab = strchr(p, '\t');
            snprintf(f[i], sizeof f[i], "%.*s", (int)(tab ? tab - p : (long)strlen(p)), p);
            p = tab ? tab + 1 : NULL;
        }
        if (strcmp(f[0], ref) == 0) {
            snprintf(status, S_ID_MAX, "%s", f[1]);
            snprintf(id, S_ID_MAX, "%s", f[2]);
            snprintf(flag, S_ID_MAX, "%s", f[3]);
            found = 0;
        }
    }
    free(text);
    return found;
}

/* ---------------------------------------------------------------- setup */

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    const char *bin = getenv("OCOP_BINARY_DIR");
    if (!bin) {
        fprintf(stderr, "OCOP_BINARY_DIR must be set (ctest sets it)\n");
        return -1;
    }
    snprintf(s_world.ctl, sizeof s_world.ctl, "%s/services/ocopctl/ocopctl", bin);
    snprintf(s_world.demo, sizeof s_world.demo, "%s/services/demo/ocop-demo", bin);
    if (access(s_world.ctl, X_OK) != 0) {
        fprintf(stderr, "%s is not executable (build the ocopctl target)\n", s_world.ctl);
        return -1;
    }
    s_world.h = harness_new(NULL);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0)
        return -1;
    snprintf(s_world.work, sizeof s_world.work, "%s/ctl", s_world.h->dir);
    if (mkdir(s_world.work, 0700) != 0)
        return -1;
    /* Every ocopctl run finds the harness's config (and through it the keys) here. */
    setenv("OCOP_CONFIG", s_world.h->config_path, 1);
    return 0;
}

static int s_group_teardown(void **state)
{
    (void)state;
    harness_run_free(&s_world.run);
    harness_destroy(&s_world.h);
    unsetenv("OCOP_CONFIG");
    return 0;
}

/* ---------------------------------------------------------------- usage and exit codes */

static void test_usage_and_exit_codes(void **state)
{
    (void)state;
    S_CTL("--help");
    s_expect_code(0);
    s_expect_out("usage: ocopctl");
    s_expect_out("Commands:");
    static const char *const commands[] = {"keygen", "config",  "ping",   "call",   "events", "unit",
                                           "entity", "product", "counts", "import", "stars",  "shard"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "\n  %s ", commands[i]);
        s_expect_out(line);
    }
    s_expect_out("Exit codes:");

    S_CTL("no-such-command");
    s_expect_code(2);
    s_expect_err("unknown command 'no-such-command'");
    assert_int_equal(s_world.run.out_len, 0);

    S_CTL("entity", "get");
    s_expect_code(2);
    s_expect_err("usage: ocopctl entity get ID");

    S_CTL("entity");
    s_expect_code(2);
    S_CTL("entity", "--help");
    s_expect_code(0);
    s_expect_out("ocopctl entity register");

    /* Numbers are read whole or refused, never as the digits they start with (or as 0). */
    S_CTL("--timeout", "5s", "ping");
    s_expect_code(2);
    s_expect_err("--timeout is 1 to 3600000 milliseconds");
    S_CTL("--timeout", "0", "ping");
    s_expect_code(2);
    S_CTL("stars", "--year", "2026x");
    s_expect_code(2);
    s_expect_err("--year is a year (2000 to 2200), not '2026x'");
    S_CTL("shard", "move", "--province", "01", "--to", "evaluation-2", "--wait-ms", "ten");
    s_expect_code(2);
    s_expect_err("--wait-ms is 1 to 3600000 milliseconds");
}

static void test_ping(void **state)
{
    (void)state;
    S_CTL("ping");
    s_expect_code(0);
    s_expect_out("service: registration\n");
    s_expect_no_err();

    S_CTL("--output", "json", "ping");
    s_expect_code(0);
    cJSON *json = s_parse_out();
    s_assert_jstr(json, "status", "ok");
    const cJSON *pong = cJSON_GetObjectItemCaseSensitive(json, "pong");
    s_assert_jstr(pong, "service", "registration");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(pong, "last_sequence")));
    cJSON_Delete(json);
}

/* ---------------------------------------------------------------- entities and products */

static void test_entity_register_get(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"cooperative\",\"name\":\"HTX Chè Tân Cương\",\"tax_code\":\"4600123456\","
             "\"commune_code\":\"%s\",\"representative\":\"Nguyễn Văn An\",\"phone\":\"0912345678\"}",
             d->communes[0]);
    S_CTL("entity", "register", body);
    s_expect_code(0);
    s_need_value("id", s_world.entity_id, sizeof s_world.entity_id);
    assert_true(strncmp(s_world.entity_id, "ENT-", 4) == 0);
    s_expect_out("name: HTX Chè Tân Cương\n");
    s_expect_out("type: cooperative\n");

    S_CTL("--output", "json", "entity", "get", s_world.entity_id);
    s_expect_code(0);
    s_expect_no_err();
    cJSON *json = s_parse_out();
    s_assert_jstr(json, "status", "ok");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "reg_entity");
    assert_true(cJSON_IsObject(e));
    s_assert_jstr(e, "id", s_world.entity_id);
    s_assert_jstr(e, "type", "cooperative");
    s_assert_jstr(e, "name", "HTX Chè Tân Cương");
    s_assert_jstr(e, "tax_code", "4600123456");
    s_assert_jstr(e, "commune_code", d->communes[0]);
    s_assert_jstr(e, "province_code", d->province_a);
    s_assert_jstr(e, "current_province_code", d->province_a);
    s_assert_jstr(e, "unit_version", d->unit_version);
    s_assert_jstr(e, "representative", "Nguyễn Văn An");
    s_assert_jstr(e, "phone", "+84912345678");
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(e, "revision");
    assert_true(cJSON_IsNumber(rev));
    assert_int_equal((int)rev->valuedouble, 1);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(e, "created_ms")));
    cJSON_Delete(json);

    S_CTL("entity", "get", "NOPE");
    s_expect_code(4);
    s_expect_err("OCOP_E_NOT_FOUND");
    assert_int_equal(s_world.run.out_len, 0);

    /* A body that is not JSON is refused locally. */
    S_CTL("entity", "register", "{not json");
    s_expect_code(3);
    s_expect_err("not valid JSON");
}

static void s_register_product(const char *name, char *id_out)
{
    const harness_data_t *d = &s_world.data;
    char body[512];
    snprintf(body, sizeof body,
             "{\"entity_id\":\"%s\",\"name\":\"%s\",\"sector_code\":\"%s\",\"product_set_code\":\"%s\","
             "\"commune_code\":\"%s\",\"processing\":\"processed\",\"standards\":[\"VietGAP\",\"HACCP\"]}",
             s_world.entity_id, name, d->sector, d->product_set, d->communes[0]);
    S_CTL("product", "register", body);
    s_expect_code(0);
    s_need_value("product.id", id_out, S_ID_MAX);
    assert_true(strncmp(id_out, "PRD-", 4) == 0);
    s_expect_out("product.stage: idea_submitted\n");
    s_expect_out("product.review: none\n");
    s_expect_out("product.standards: VietGAP;HACCP\n");
}

static void test_product_transitions(void **state)
{
    (void)state;
    s_register_product("Mật ong rừng tràm", s_world.product_id);
    s_register_product("Trà mãng cầu sấy", s_world.product2_id);
    const char *id = s_world.product_id;

    /* A rejection needs a reason (checked in idea_submitted, where reject is allowed). */
    S_CTL("product", "transition", id, "reject");
    s_expect_code(3);
    s_expect_err("OCOP_E_INVALID (reason)");

    S_CTL("product", "transition", id, "accept");
    s_expect_code(0);
    s_expect_out("product.stage: plan_preparing\n");
    s_expect_out("product.revision: 2\n");
    s_expect_out("history:\n");

    /* From plan_preparing, accept is not a legal action: illegal state. */
    S_CTL("product", "transition", id, "accept");
    s_expect_code(5);
    s_expect_err("OCOP_E_ILLEGAL_STATE");
    /* Neither is reject: the stage is checked before the reason. */
    S_CTL("product", "transition", id, "reject");
    s_expect_code(5);
    s_expect_err("OCOP_E_ILLEGAL_STATE");
    /* Withdraw is legal here but needs a reason. */
    S_CTL("product", "transition", id, "withdraw");
    s_expect_code(3);
    s_expect_err("OCOP_E_INVALID (reason)");
    /* An action the service does not know. */
    S_CTL("product", "transition", id, "fly");
    s_expect_code(3);

    S_CTL("--output", "json", "product", "get", id);
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *p =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_product_detail"), "product");
    s_assert_jstr(p, "stage", "plan_preparing");
    s_assert_jstr(p, "entity_id", s_world.entity_id);
    const cJSON *history =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_product_detail"), "history");
    assert_int_equal(cJSON_GetArraySize(history), 2);
    s_assert_jstr(cJSON_GetArrayItem(history, 1), "action", "accept");
    s_assert_jstr(cJSON_GetArrayItem(history, 1), "by", "ocopctl");
    cJSON_Delete(json);
}

/* ---------------------------------------------------------------- counts and lists */

/* The count cell of the (province, sector, stage) row of the counts table in stdout; -1 when
 * the row is missing. Every row's count cell must be a non-empty number. */
static long s_table_count(const char *province, const char *sector, const char *stage)
{
    char line[1024];
    s_table_t t;
    if (s_nth_line(s_world.run.out, 0, line, sizeof line) != 0 || s_table_header(line, &t) != 0)
        s_fail_run("no table header");
    int cp = s_table_col(&t, "province_code"), cs = s_table_col(&t, "sector_code");
    int cst = s_table_col(&t, "stage"), cc = s_table_col(&t, "count");
    if (cp != 0 || cs != 1 || cst != 2 || cc != 3)
        s_fail_run("the counts header is not province_code sector_code stage count ...");
    long found = -1;
    for (size_t i = 1; s_nth_line(s_world.run.out, i, line, sizeof line) == 0; i++) {
        char p[32], s[32], st[64], c[32];
        s_table_cell(&t, line, cp, p, sizeof p);
        s_table_cell(&t, line, cs, s, sizeof s);
        s_table_cell(&t, line, cst, st, sizeof st);
        s_table_cell(&t, line, cc, c, sizeof c);
        char *end;
        long v = strtol(c, &end, 10);
        if (!c[0] || *end || v < 0) {
            char why[160];
            snprintf(why, sizeof why, "table row %zu: count cell '%s' is not a number", i, c);
            s_fail_run(why);
        }
        if (strcmp(p, province) == 0 && strcmp(s, sector) == 0 && strcmp(st, stage) == 0)
            found = v;
    }
    return found;
}

static void test_counts(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    S_CTL("counts");
    s_expect_code(0);
    s_expect_no_err();
    assert_true(strncmp(s_world.run.out, "province_code  sector_code  stage", 33) == 0);
    assert_int_equal(s_table_count(d->province_a, d->sector, "plan_preparing"), 1);
    assert_int_equal(s_table_count(d->province_a, d->sector, "idea_submitted"), 1);
    assert_int_equal(s_table_count(d->province_b, d->sector, "plan_preparing"), -1);

    S_CTL("counts", "--province", d->province_a);
    s_expect_code(0);
    assert_int_equal(s_table_count(d->province_a, d->sector, "plan_preparing"), 1);

    S_CTL("--output", "json", "counts");
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_counts"), "rows");
    assert_true(cJSON_IsArray(rows));
    assert_true(cJSON_GetArraySize(rows) >= 2);
    const cJSON *row;
    int seen = 0;
    cJSON_ArrayForEach (row, rows) {
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(row, "count");
        if (!cJSON_IsNumber(count))
            s_fail_run("a counts row's count is not a JSON number");
        const char *p = s_jstr(row, "province_code"), *s = s_jstr(row, "sector_code"), *st = s_jstr(row, "stage");
        if (p && s && st && strcmp(p, d->province_a) == 0 && strcmp(s, d->sector) == 0 &&
            strcmp(st, "plan_preparing") == 0) {
            assert_int_equal((int)count->valuedouble, 1);
            s_assert_jstr(row, "catalogue_version", d->catalogue_version);
            seen++;
        }
    }
    assert_int_equal(seen, 1);
    cJSON_Delete(json);

    /* As recorded: the same cell, with the hierarchy version it was recorded in. */
    S_CTL("--output", "json", "counts", "--as-recorded", "--province", d->province_a);
    s_expect_code(0);
    json = s_parse_out();
    rows = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_counts"), "rows");
    seen = 0;
    cJSON_ArrayForEach (row, rows) {
        s_assert_jstr(row, "unit_version", d->unit_version);
        const char *st = s_jstr(row, "stage");
        seen += st && strcmp(st, "plan_preparing") == 0;
    }
    assert_int_equal(seen, 1);
    cJSON_Delete(json);
}

static void test_product_list_paging(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    char cursor[S_ID_MAX] = "", seen[4][S_ID_MAX];
    size_t n_seen = 0;
    /* Two products in province A: pages of one, following the cursor (bounded). */
    for (int page = 0; page < 4; page++) {
        if (page == 0)
            S_CTL("product", "list", "--province", d->province_a, "--limit", "1");
        else
            S_CTL("product", "list", "--province", d->province_a, "--limit", "1", "--cursor", cursor);
        s_expect_code(0);
        s_expect_no_err();
        char line[2048];
        size_t rows = 0;
        int has_next = 0;
        s_table_t t;
        int is_table = s_nth_line(s_world.run.out, 0, line, sizeof line) == 0 && strncmp(line, "id  ", 4) == 0;
        if (!is_table && strcmp(s_world.run.out, "(none)\n") != 0)
            s_fail_run("a page is neither a table nor \"(none)\"");
        if (is_table && s_table_header(line, &t) != 0)
            s_fail_run("bad table header");
        for (size_t i = 1; is_table && s_nth_line(s_world.run.out, i, line, sizeof line) == 0; i++) {
            if (strncmp(line, "next cursor: ", 13) == 0) {
                snprintf(cursor, sizeof cursor, "%s", line + 13);
                has_next = cursor[0] != '\0';
                continue;
            }
            char id[S_ID_MAX], prov[16], name[256];
            s_table_cell(&t, line, s_table_col(&t, "id"), id, sizeof id);
            s_table_cell(&t, line, s_table_col(&t, "current_province_code"), prov, sizeof prov);
            s_table_cell(&t, line, s_table_col(&t, "name"), name, sizeof name);
            if (strncmp(id, "PRD-", 4) != 0 || strcmp(prov, d->province_a) != 0 || !name[0])
                s_fail_run("a product row without its id, name or province");
            assert_true(n_seen < 4);
            snprintf(seen[n_seen++], S_ID_MAX, "%s", id);
            rows++;
        }
        if (page == 0) {
            /* The first page: exactly one data row, and a cursor because more exist. */
            if (!is_table || rows != 1 || !has_next)
                s_fail_run("page 1 of 2 should be a table with one row and a 'next cursor:' line");
        }
        if (rows > 1)
            s_fail_run("more rows than --limit 1");
        if (!has_next)
            break;
    }
    assert_int_equal(n_seen, 2);
    assert_string_not_equal(seen[0], seen[1]);
    int has1 = 0, has2 = 0;
    for (size_t i = 0; i < n_seen; i++) {
        has1 |= strcmp(seen[i], s_world.product_id) == 0;
        has2 |= strcmp(seen[i], s_world.product2_id) == 0;
    }
    assert_true(has1 && has2);

    /* Nothing in province B yet: an empty page, and empty counts, say so. */
    S_CTL("product", "list", "--province", d->province_b);
    s_expect_code(0);
    if (strcmp(s_world.run.out, "(none)\n") != 0)
        s_fail_run("an empty page should print \"(none)\"");
    S_CTL("counts", "--province", d->province_b);
    s_expect_code(0);
    if (strcmp(s_world.run.out, "(none)\n") != 0)
        s_fail_run("empty counts should print \"(none)\"");
}

/* ---------------------------------------------------------------- bulk import */

static void test_import_entities(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    char csv[S_PATH_MAX], journal[S_PATH_MAX + 16], text[2048];
    s_mkdir("imp");
    s_path(csv, sizeof csv, "imp/entities.csv");
    snprintf(journal, sizeof journal, "%s.journal", csv);
    snprintf(text, sizeof text,
             "ref,type,name,tax_code,commune_code,representative,phone\n"
             "E1,cooperative,\"HTX Nông sản Sạch, Tân Cương\",0100777001,%s,Nguyễn Văn Bình,0912000001\n"
             "E2,enterprise,,0100777002,%s,,0912000002\n"
             "E3,household_business,Hộ kinh doanh Lò Văn Sáng,0100777003,%s,Lò Văn Sáng,0912000003\n",
             d->communes[1], d->communes[2], d->communes[3]);
    s_write(csv, text);

    S_CTL("import", "entities", csv);
    s_expect_code(3);
    s_expect_out("entities: 2 accepted (0 flagged for review), 1 refused, 0 skipped as already done\n");
    s_expect_out("refused 1 x OCOP_E_INVALID name\n");
    s_expect_out("e.g. E2: ");
    assert_true(s_exists(journal));
    char status[S_ID_MAX], id1[S_ID_MAX], id3[S_ID_MAX], flag[S_ID_MAX], id[S_ID_MAX];
    assert_int_equal(s_journal_entry(journal, "E1", status, id1, flag), 0);
    assert_string_equal(status, "OK");
    assert_true(strncmp(id1, "ENT-", 4) == 0);
    assert_int_equal(s_journal_entry(journal, "E2", status, id, flag), 0);
    assert_string_equal(status, "OCOP_E_INVALID");
    assert_int_equal(s_journal_entry(journal, "E3", status, id3, flag), 0);
    assert_string_equal(status, "OK");

    /* The quoted name with a comma arrived whole. */
    S_CTL("--output", "json", "entity", "get", id1);
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(json, "reg_entity");
    s_assert_jstr(e, "name", "HTX Nông sản Sạch, Tân Cương");
    s_assert_jstr(e, "tax_code", "0100777001");
    s_assert_jstr(e, "commune_code", d->communes[1]);
    cJSON_Delete(json);

    /* A re-run: nothing new, the accepted rows skipped, the bad row refused again. */
    S_CTL("import", "entities", csv);
    s_expect_code(3);
    s_expect_out("entities: 0 accepted (0 flagged for review), 1 refused, 2 skipped as already done\n");
    assert_int_equal(s_journal_entry(journal, "E1", status, id, flag), 0);
    assert_string_equal(id, id1);

    /* The same rows as a JSON array, with other refs and tax codes. */
    char json_path[S_PATH_MAX];
    s_path(json_path, sizeof json_path, "imp/entities-more.json");
    snprintf(text, sizeof text,
             "[{\"ref\":\"J1\",\"type\":\"cooperative\",\"name\":\"HTX Nông sản Sạch, Tân Cương\","
             "\"tax_code\":\"0100777011\",\"commune_code\":\"%s\",\"representative\":\"Nguyễn Văn Bình\","
             "\"phone\":\"0912000001\"},\n"
             " {\"ref\":\"J2\",\"type\":\"enterprise\",\"name\":\"\",\"tax_code\":\"0100777012\","
             "\"commune_code\":\"%s\",\"representative\":\"\",\"phone\":\"0912000002\"},\n"
             " {\"ref\":\"J3\",\"type\":\"household_business\",\"name\":\"Hộ kinh doanh Lò Văn Sáng\","
             "\"tax_code\":\"0100777013\",\"commune_code\":\"%s\",\"representative\":\"Lò Văn Sáng\","
             "\"phone\":\"0912000003\"}]\n",
             d->communes[1], d->communes[2], d->communes[3]);
    s_write(json_path, text);
    S_CTL("import", "entities", json_path);
    s_expect_code(3);
    s_expect_out("entities: 2 accepted (0 flagged for review), 1 refused, 0 skipped as already done\n");
    char json_journal[S_PATH_MAX + 16];
    snprintf(json_journal, sizeof json_journal, "%s.journal", json_path);
    assert_int_equal(s_journal_entry(json_journal, "J3", status, id, flag), 0);
    assert_string_equal(status, "OK");
    assert_string_not_equal(id, id3);

    /* Refs that cannot stand in a request id as they are (a space, Vietnamese letters) get a
     * digest there, as stable: without its journal, a re-run is answered with the same entities
     * and registers nothing. */
    char odd[S_PATH_MAX], odd_journal[S_PATH_MAX + 16], odd1[S_ID_MAX], odd2[S_ID_MAX];
    s_path(odd, sizeof odd, "imp/entities-odd.csv");
    snprintf(odd_journal, sizeof odd_journal, "%s.journal", odd);
    snprintf(text, sizeof text,
             "ref,type,name,tax_code,commune_code,representative,phone\n"
             "hộ 1,household_business,Hộ kinh doanh Đèo Văn Hải,0100777021,%s,,\n"
             "hộ 2,household_business,Hộ kinh doanh Lường Thị Ngọc,0100777022,%s,,\n",
             d->communes[1], d->communes[2]);
    s_write(odd, text);
    S_CTL("import", "entities", odd);
    s_expect_code(0);
    s_expect_out("entities: 2 accepted (0 flagged for review), 0 refused, 0 skipped as already done\n");
    assert_int_equal(s_journal_entry(odd_journal, "hộ 1", status, odd1, flag), 0);
    assert_int_equal(s_journal_entry(odd_journal, "hộ 2", status, odd2, flag), 0);
    assert_int_equal(unlink(odd_journal), 0);
    S_CTL("import", "entities", odd);
    s_expect_code(0);
    s_expect_out("entities: 2 accepted (0 flagged for review), 0 refused, 0 skipped as already done\n");
    assert_int_equal(s_journal_entry(odd_journal, "hộ 1", status, id, flag), 0);
    assert_string_equal(id, odd1);
    assert_int_equal(s_journal_entry(odd_journal, "hộ 2", status, id, flag), 0);
    assert_string_equal(id, odd2);
}

static void test_import_products(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    char csv[S_PATH_MAX], journal[S_PATH_MAX + 16], entities_journal[S_PATH_MAX], text[2048];
    s_path(csv, sizeof csv, "imp/products.csv");
    s_path(entities_journal, sizeof entities_journal, "imp/entities.csv.journal");
    snprintf(journal, sizeof journal, "%s.journal", csv);
    /* P1: an ordinary processed product; P2: a fresh product set, which screening flags. */
    snprintf(text, sizeof text,
             "ref,entity_ref,name,sector_code,product_set_code,commune_code,processing,standards\n"
             "P1,E1,Nước mắm cá cơm,%s,%s,%s,processed,VietGAP;HACCP\n"
             "P2,E3,Cam sành tươi,%s,%s,%s,fresh,\n",
             d->sector, d->product_set, d->communes[1], d->fresh_sector, d->fresh_set, d->communes[3]);
    s_write(csv, text);

    S_CTL("import", "products", csv);
    s_expect_code(0);
    s_expect_out("products: 2 accepted (1 flagged for review), 0 refused, 0 skipped as already done\n");
    if (strstr(s_world.run.err, "warning"))
        s_fail_run("the entity journal beside the products file was not used");

    char status[S_ID_MAX], pid1[S_ID_MAX], pid2[S_ID_MAX], flag[S_ID_MAX], eid1[S_ID_MAX], eid3[S_ID_MAX];
    assert_int_equal(s_journal_entry(entities_journal, "E1", status, eid1, flag), 0);
    assert_int_equal(s_journal_entry(entities_journal, "E3", status, eid3, flag), 0);
    assert_int_equal(s_journal_entry(journal, "P1", status, pid1, flag), 0);
    assert_string_equal(status, "OK");
    assert_string_equal(flag, "-");
    assert_int_equal(s_journal_entry(journal, "P2", status, pid2, flag), 0);
    assert_string_equal(status, "OK");
    assert_string_equal(flag, "flagged");

    /* entity_ref went through the entities journal to the right entity ids. */
    S_CTL("--output", "json", "product", "get", pid1);
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *p =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_product_detail"), "product");
    s_assert_jstr(p, "entity_id", eid1);
    s_assert_jstr(p, "name", "Nước mắm cá cơm");
    s_assert_jstr(p, "review", "none");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "standards")), 2);
    cJSON_Delete(json);

    S_CTL("--output", "json", "product", "get", pid2);
    s_expect_code(0);
    json = s_parse_out();
    p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_product_detail"), "product");
    s_assert_jstr(p, "entity_id", eid3);
    s_assert_jstr(p, "review", "pending");
    s_assert_jstr(p, "processing", "fresh");
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(p, "flags"), *f;
    int fresh_raw = 0;
    cJSON_ArrayForEach (f, flags)
        fresh_raw |= cJSON_IsString(f) && strcmp(f->valuestring, "fresh_raw") == 0;
    assert_true(fresh_raw);
    cJSON_Delete(json);
}

/* ---------------------------------------------------------------- units */

static void test_units(void **state)
{
    (void)state;
    const harness_data_t *d = &s_world.data;
    /* The codes to import must be new: the test fails loudly rather than overwrite. */
    static const char *province = "99", *commune = "99001";
    S_CTL("unit", "get", commune);
    s_expect_code(4);
    S_CTL("unit", "get", province);
    s_expect_code(4);

    S_CTL("unit", "list");
    s_expect_code(0);
    char line[1024];
    s_table_t t;
    if (s_nth_line(s_world.run.out, 0, line, sizeof line) != 0 || s_table_header(line, &t) != 0)
        s_fail_run("unit list: no table header");
    int ccode = s_table_col(&t, "code"), clevel = s_table_col(&t, "level"), cname = s_table_col(&t, "name");
    assert_true(ccode >= 0 && clevel >= 0 && cname >= 0);
    int seen_a = 0, seen_b = 0;
    size_t rows = 0;
    for (size_t i = 1; s_nth_line(s_world.run.out, i, line, sizeof line) == 0; i++) {
        if (strncmp(line, "next cursor:", 12) == 0)
            continue;
        char code[32], level[32], name[256];
        s_table_cell(&t, line, ccode, code, sizeof code);
        s_table_cell(&t, line, clevel, level, sizeof level);
        s_table_cell(&t, line, cname, name, sizeof name);
        if (strcmp(level, "province") != 0 || !name[0])
            s_fail_run("unit list: a row that is not a named province");
        seen_a |= strcmp(code, d->province_a) == 0;
        seen_b |= strcmp(code, d->province_b) == 0;
        rows++;
    }
    assert_true(seen_a && seen_b);
    assert_true(rows >= 2);

    char csv[S_PATH_MAX], text[512];
    s_path(csv, sizeof csv, "units.csv");
    snprintf(text, sizeof text,
             "version,code,name,kind,level,parent_code,successor_codes\n"
             "%s,%s,Tỉnh Thử Nghiệm,tỉnh,province,,\n"
             "%s,%s,Xã Thử Nghiệm,xã,commune,%s,\n",
             d->unit_version, province, d->unit_version, commune, province);
    s_write(csv, text);
    S_CTL("unit", "import", csv);
    s_expect_code(0);
    s_expect_out(" 0 refused");

    S_CTL("unit", "get", commune);
    s_expect_code(0);
    s_expect_out("code: 99001\n");
    s_expect_out("name: Xã Thử Nghiệm\n");
    s_expect_out("level: commune\n");
    s_expect_out("parent_code: 99\n");
    s_expect_out("province_code: 99\n");
    char version[32];
    s_need_value("version", version, sizeof version);
    assert_string_equal(version, d->unit_version);

    S_CTL("unit", "get", province);
    s_expect_code(0);
    s_expect_out("name: Tỉnh Thử Nghiệm\n");
    s_expect_out("level: province\n");

    S_CTL("unit", "list", "--parent", province);
    s_expect_code(0);
    assert_int_equal(s_count_lines(s_world.run.out), 2); /* header + the commune */
    s_expect_out("99001");
}

/* ---------------------------------------------------------------- demo data */

static void s_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *ta = harness_read_file(a, &la), *tb = harness_read_file(b, &lb);
    assert_non_null(ta);
    assert_non_null(tb);
    if (la != lb || memcmp(ta, tb, la) != 0)
        fail_msg("%s and %s differ (%zu and %zu bytes)", a, b, la, lb);
    free(ta);
    free(tb);
}

static size_t s_file_lines(const char *path, char *header, size_t header_len)
{
    char *text = harness_read_file(path, NULL);
    assert_non_null(text);
    size_t n = s_count_lines(text);
    if (s_nth_line(text, 0, header, header_len) != 0)
        header[0] = '\0';
    free(text);
    return n;
}

static void test_demo_generate_and_import(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    assert_non_null(src);
    char rules[S_PATH_MAX], out1[S_PATH_MAX], out2[S_PATH_MAX];
    snprintf(rules, sizeof rules, "%s/services/registration/data", src);
    s_path(out1, sizeof out1, "demo1");
    s_path(out2, sizeof out2, "demo2");
    const char *outs[2] = {out1, out2};
    for (int i = 0; i < 2; i++) {
        S_DEMO("generate", "--rules", rules, "--out", outs[i], "--entities", "60", "--products", "120", "--seed", "7");
        s_expect_code(0);
        s_expect_out("demo: 60 entities (");
        s_expect_out(", 120 products, ");
    }
    static const char *const files[2] = {"entities.csv", "products.csv"};
    static const char *const headers[2] = {"ref,type,name,tax_code,commune_code,representative,phone",
                                           "ref,entity_ref,name,sector_code,product_set_code,commune_code,"
                                           "processing,standards,catalogue_version"};
    static const size_t lines[2] = {61, 121};
    char a[S_PATH_MAX + 32], b[S_PATH_MAX + 32], header[256];
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/%s", out1, files[i]);
        snprintf(b, sizeof b, "%s/%s", out2, files[i]);
        s_same_file(a, b);
        assert_int_equal(s_file_lines(a, header, sizeof header), lines[i]);
        assert_string_equal(header, headers[i]);
    }

    /* Another seed gives other data. */
    char out3[S_PATH_MAX];
    s_path(out3, sizeof out3, "demo3");
    S_DEMO("generate", "--rules", rules, "--out", out3, "--entities", "60", "--products", "120", "--seed", "8");
    s_expect_code(0);
    snprintf(a, sizeof a, "%s/entities.csv", out1);
    snprintf(b, sizeof b, "%s/entities.csv", out3);
    char *ta = harness_read_file(a, NULL), *tb = harness_read_file(b, NULL);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_string_not_equal(ta, tb);
    free(ta);
    free(tb);

    /* Products fewer than entities is a usage error. */
    S_DEMO("generate", "--rules", rules, "--out", out3, "--entities", "10", "--products", "5");
    s_expect_code(2);
    /* A seed is a whole number or refused, never the digits it starts with or -1 read as 2^64-1. */
    S_DEMO("generate", "--rules", rules, "--out", out3, "--seed", "-1");
    s_expect_code(2);
    s_expect_err("bad or incomplete argument '--seed'");
    S_DEMO("advance", "--journal", "none.journal", "--out", "none.csv", "--seed", "7x");
    s_expect_code(2);
    s_expect_err("usage: ocop-demo advance");
    S_DEMO("no-such-command");
    s_expect_code(2);
    s_expect_err("ocop-demo: unknown command 'no-such-command'");

    /* The generated data is acceptable to the service as it is. */
    snprintf(a, sizeof a, "%s/entities.csv", out1);
    S_CTL("import", "entities", a);
    s_expect_code(0);
    s_expect_out("entities: 60 accepted (0 flagged for review), 0 refused, 0 skipped as already done\n");
    snprintf(a, sizeof a, "%s/products.csv", out1);
    S_CTL("import", "products", a);
    s_expect_code(0);
    size_t accepted = 0, flagged = 0, refused = 9, skipped = 9;
    const char *summary = strstr(s_world.run.out, "products: ");
    if (!summary || sscanf(summary, "products: %zu accepted (%zu flagged for review), %zu refused, %zu skipped",
                           &accepted, &flagged, &refused, &skipped) != 4)
        s_fail_run("no products summary line");
    assert_int_equal(accepted, 120);
    assert_int_equal(refused, 0);
    assert_int_equal(skipped, 0);
    assert_true(flagged <= accepted);

    /* Every entity got at least one product: the counts now include all 120 + ours. */
    S_CTL("--output", "json", "counts");
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *row;
    double total = 0;
    cJSON_ArrayForEach (
        row, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_counts"), "rows")) {
        const cJSON *count = cJSON_GetObjectItemCaseSensitive(row, "count");
        assert_true(cJSON_IsNumber(count));
        total += count->valuedouble;
    }
    cJSON_Delete(json);
    /* 2 registered by hand + 2 imported + 120 demo products. */
    assert_int_equal((int)total, 124);

    /* Advance: every demo product goes through the cycle to evaluation, flagged ones after a
     * cleared review; running the import again applies nothing twice. */
    char journal[S_PATH_MAX + 32], moves[S_PATH_MAX + 32];
    snprintf(journal, sizeof journal, "%s/products.csv.journal", out1);
    snprintf(moves, sizeof moves, "%s/transitions.csv", out1);
    S_DEMO("advance", "--journal", journal, "--out", moves, "--seed", "7");
    s_expect_code(0);
    s_expect_out(" transitions for 120 products (");
    S_CTL("import", "transitions", moves);
    s_expect_code(0);
    s_expect_out(" refused, 0 skipped as already done\n");
    s_expect_out("transitions: ");
    S_CTL("import", "transitions", moves);
    s_expect_code(0);
    s_expect_out("transitions: 0 accepted (0 flagged for review), 0 refused, ");
    S_CTL("--output", "json", "counts");
    s_expect_code(0);
    json = s_parse_out();
    double evaluating = 0;
    cJSON_ArrayForEach (
        row, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "reg_counts"), "rows")) {
        const cJSON *stage = cJSON_GetObjectItemCaseSensitive(row, "stage");
        if (cJSON_IsString(stage) && strcmp(stage->valuestring, "evaluating") == 0)
            evaluating += cJSON_GetObjectItemCaseSensitive(row, "count")->valuedouble;
    }
    cJSON_Delete(json);
    assert_int_equal((int)evaluating, 120);
}

/* ---------------------------------------------------------------- events */

/* A body on standard input larger than ocopctl reads is refused, not cut to what it read. */
static void test_call_body_too_large(void **state)
{
    (void)state;
    const char *const args[] = {
        "-c", "head -c 1100000 /dev/zero | tr '\\0' ' ' | \"$0\" --config \"$1\" call registration reg_entity_get -",
        s_world.ctl, s_world.h->config_path, NULL};
    int code = harness_run("/bin/sh", args, S_RUN_TIMEOUT_MS, &s_world.run);
    assert_int_equal(code, 3);
    assert_non_null(strstr(s_world.run.err, "larger than"));
}

static void test_events_decoded(void **state)
{
    (void)state;
    S_CTL("--output", "json", "events", "--from", "1", "--max", "2");
    s_expect_code(0);
    cJSON *json = s_parse_out();
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(json, "events");
    assert_int_equal(cJSON_GetArraySize(events), 2);
    const cJSON *first = cJSON_GetArrayItem(events, 0);
    s_assert_jstr(first, "source", "registration");
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(first, "sequence")->valuedouble, 1);
    const char *type = s_jstr(first, "type");
    assert_non_null(type);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(first, type)); /* the body under its own name */
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(json, "last_sequence")));
    cJSON_Delete(json);

    S_CTL("events", "--from", "2", "--max", "1");
    s_expect_code(0);
    s_expect_out("sequence    time (UTC)");
    s_expect_out("\n2  ");
    s_expect_out("last sequence: ");
}

/* ---------------------------------------------------------------- keygen */

static void test_keygen(void **state)
{
    (void)state;
    char dir[S_PATH_MAX], key[S_PATH_MAX + 32], pub[S_PATH_MAX + 32];
    s_path(dir, sizeof dir, "newkeys");
    snprintf(key, sizeof key, "%s/operator.key", dir);
    snprintf(pub, sizeof pub, "%s/operator.pub", dir);
    S_CTL("keygen", "--dir", dir, "operator");
    s_expect_code(0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(pub, &st), 0);
    assert_true(S_ISREG(st.st_mode));

    /* stdout names the key file and its public key, which is what NAME.pub holds. */
    char printed[S_PATH_MAX + 128], want[S_PATH_MAX + 128];
    assert_int_equal(s_nth_line(s_world.run.out, 0, printed, sizeof printed), 0);
    snprintf(want, sizeof want, "%s ", key);
    assert_true(strncmp(printed, want, strlen(want)) == 0);
    const char *z85 = printed + strlen(want);
    assert_int_equal(strlen(z85), 40);
    char *pub_text = harness_read_file(pub, NULL), *key_text = harness_read_file(key, NULL);
    assert_non_null(pub_text);
    assert_non_null(key_text);
    snprintf(want, sizeof want, "public=%s\n", z85);
    assert_string_equal(pub_text, want);
    assert_true(strncmp(key_text, want, strlen(want)) == 0);
    assert_non_null(strstr(key_text, "\nsecret="));
    free(pub_text);

    /* --keep leaves an existing pair as it is; without it the pair is replaced. */
    S_CTL("keygen", "--dir", dir, "--keep", "operator");
    s_expect_code(0);
    char *kept = harness_read_file(key, NULL);
    assert_non_null(kept);
    assert_string_equal(kept, key_text);
    free(kept);
    S_CTL("keygen", "--dir", dir, "operator");
    s_expect_code(0);
    char *replaced = harness_read_file(key, NULL);
    assert_non_null(replaced);
    assert_string_not_equal(replaced, key_text);
    free(replaced);
    free(key_text);

    /* --sign: an Ed25519 pair in hex, the secret 0600 (64 bytes), the public 0644 (32 bytes). */
    char sign[S_PATH_MAX + 32], sign_pub[S_PATH_MAX + 32];
    snprintf(sign, sizeof sign, "%s/heads.sign", dir);
    snprintf(sign_pub, sizeof sign_pub, "%s/heads.sign.pub", dir);
    S_CTL("keygen", "--dir", dir, "--sign", "heads");
    s_expect_code(0);
    assert_int_equal(stat(sign, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(sign_pub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    char *sign_text = harness_read_file(sign, NULL), *sign_pub_text = harness_read_file(sign_pub, NULL);
    assert_non_null(sign_text);
    assert_non_null(sign_pub_text);
    assert_int_equal(strlen(sign_text), 2 * 64 + 1);
    assert_int_equal(strlen(sign_pub_text), 2 * 32 + 1);
    /* The secret key's second half is its public key. */
    assert_memory_equal(sign_text + 64, sign_pub_text, 64);
    free(sign_text);
    free(sign_pub_text);

    /* Without a name, or without --dir first: usage. */
    S_CTL("keygen", "--dir", dir);
    s_expect_code(2);
    S_CTL("keygen", "operator2");
    s_expect_code(2);
}

/* ---------------------------------------------------------------- config */

static void test_config(void **state)
{
    (void)state;
    /* The harness's deployment: its services in file order, and a check that passes. */
    S_CTL("config", "services");
    s_expect_code(0);
    s_expect_out("registration\n");
    S_CTL("config", "check");
    s_expect_code(0);
    s_expect_out(" service");

    /* A section a service would refuse is refused here, naming the field. */
    char path[S_PATH_MAX];
    s_path(path, sizeof path, "bad-config.json");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"services\": {\"registration\": {\"endpoint\": \"tcp://127.0.0.1:7101\","
          " \"events_endpoint\": \"tcp://127.0.0.1:7102\", \"allow\": [\"ocopctl\"], \"batch_max\": \"many\"}}}\n",
          f);
    fclose(f);
    S_CTL("--config", path, "config", "check");
    s_expect_code(3);
    s_expect_err("batch_max");
    S_CTL("--config", path, "config", "services");
    s_expect_code(3);
    S_CTL("config", "nonsense");
    s_expect_code(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_and_exit_codes),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_entity_register_get),
        cmocka_unit_test(test_product_transitions),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_product_list_paging),
        cmocka_unit_test(test_import_entities),
        cmocka_unit_test(test_import_products),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_demo_generate_and_import),
        cmocka_unit_test(test_events_decoded),
        cmocka_unit_test(test_call_body_too_large),
        cmocka_unit_test(test_keygen),
    };
    return cmocka_run_group_tests_name("ocopctl", tests, s_group_setup, s_group_teardown);
}
