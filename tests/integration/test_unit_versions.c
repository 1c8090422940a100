/* Integration: the administrative hierarchies (2008: 63 provinces › districts › communes;
 * 2025: 34 provinces › communes; 2026: the same with Đồng Nai a city and ten xã made phường),
 * the merge tables between them, records registered under the old codes, counts by today's
 * province and as recorded, the unit import, the version in force by date (the service's clock
 * shifted with OCOP_CLOCK_OFFSET_MS), and a store seeded before 2026 being brought up to date.
 *
 * Everything is asked of the real service: which old province merged into which new one is
 * read from its own unit records (successor codes), never hard-coded here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "harness.h"
#include "itest_assert.h"

static struct {
    harness_t *h;
    harness_data_t data;
    ocop_client_t *c;
    char old_province[16]; /* a 2008 province that was merged into another in 2025 */
    char new_province[16]; /* its successor */
    char old_commune[16];  /* a 2008 commune of old_province */
} s_world;

static int s_group_setup(void **state)
{
    (void)state;
    memset(&s_world, 0, sizeof s_world);
    s_world.h = harness_new(NULL);
    if (!s_world.h || harness_data_load(s_world.h->rules_dir, &s_world.data) != 0 || harness_start(s_world.h) != 0)
        return -1;
    s_world.c = harness_connect(s_world.h, NULL, "officer");
    return s_world.c ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    ocop_client_destroy(&s_world.c);
    if (s_world.h)
        harness_stop(s_world.h);
    harness_destroy(&s_world.h);
    return 0;
}

static Ocop__Reply *s_unit_list(const char *version, const char *parent, const char *cursor, unsigned limit)
{
    Ocop__RegUnitList in = OCOP__REG_UNIT_LIST__INIT;
    in.version = (char *)version;
    in.parent_code = (char *)parent;
    in.cursor = (char *)cursor;
    in.limit = limit;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_LIST;
    req.reg_unit_list = &in;
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(s_world.c, &req, &reply), 0);
    ITEST_ASSERT_OK(reply);
    return reply;
}

/* A unit of version ("" = the version in force on the service's day) from client c. */
static Ocop__Reply *s_unit_get_from(ocop_client_t *c, const char *version, const char *code)
{
    Ocop__RegUnitGet in = OCOP__REG_UNIT_GET__INIT;
    in.version = (char *)version;
    in.code = (char *)code;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_GET;
    req.reg_unit_get = &in;
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(c, &req, &reply), 0);
    return reply;
}

static Ocop__Reply *s_unit_get(const char *version, const char *code)
{
    return s_unit_get_from(s_world.c, version, code);
}

/* Number of provinces of a version, following cursors page by page. */
static size_t s_count_provinces(const char *version)
{
    size_t total = 0;
    char cursor[32] = "";
    for (int page = 0; page < 100; page++) {
        Ocop__Reply *r = s_unit_list(version, "", cursor, 10);
        total += r->reg_unit_page->n_units;
        for (size_t i = 0; i < r->reg_unit_page->n_units; i++)
            assert_int_equal(r->reg_unit_page->units[i]->level, OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE);
        snprintf(cursor, sizeof cursor, "%s", r->reg_unit_page->next_cursor);
        ITEST_FREE(r);
        if (!*cursor)
            return total;
    }
    fail_msg("province list of %s did not end", version);
    return 0;
}

static void test_both_hierarchies_are_complete(void **state)
{
    (void)state;
    assert_int_equal(s_count_provinces("2008"), 63);
    assert_int_equal(s_count_provinces("2025"), 34);
    assert_int_equal(s_count_provinces("2026"), 34);
}

/* Finds a 2008 province whose successor has another code, and one of its communes. */
static void test_merge_table_maps_old_units_to_new(void **state)
{
    (void)state;
    Ocop__Reply *provinces = s_unit_list("2008", "", "", 100);
    for (size_t i = 0; i < provinces->reg_unit_page->n_units && !*s_world.old_province; i++) {
        const Ocop__RegUnit *u = provinces->reg_unit_page->units[i];
        assert_true(u->n_successor_codes >= 1); /* every old province has a successor */
        if (strcmp(u->successor_codes[0], u->code) != 0) {
            snprintf(s_world.old_province, sizeof s_world.old_province, "%s", u->code);
            snprintf(s_world.new_province, sizeof s_world.new_province, "%s", u->successor_codes[0]);
        }
    }
    ITEST_FREE(provinces);
    assert_true(*s_world.old_province);

    Ocop__Reply *successor = s_unit_get("2025", s_world.new_province);
    ITEST_ASSERT_OK(successor);
    assert_int_equal(successor->reg_unit->level, OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE);
    ITEST_FREE(successor);

    /* province › district › commune in 2008 */
    Ocop__Reply *districts = s_unit_list("2008", s_world.old_province, "", 5);
    assert_true(districts->reg_unit_page->n_units >= 1);
    const Ocop__RegUnit *district = districts->reg_unit_page->units[0];
    assert_int_equal(district->level, OCOP__UNIT_LEVEL__UNIT_LEVEL_DISTRICT);
    Ocop__Reply *communes = s_unit_list("2008", district->code, "", 5);
    assert_true(communes->reg_unit_page->n_units >= 1);
    const Ocop__RegUnit *commune = communes->reg_unit_page->units[0];
    assert_int_equal(commune->level, OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE);
    assert_string_equal(commune->province_code, s_world.old_province);
    snprintf(s_world.old_commune, sizeof s_world.old_commune, "%s", commune->code);
    /* The commune's successor is a 2025 commune of the successor province. */
    assert_true(commune->n_successor_codes >= 1);
    Ocop__Reply *next = s_unit_get("2025", commune->successor_codes[0]);
    ITEST_ASSERT_OK(next);
    assert_string_equal(next->reg_unit->province_code, s_world.new_province);
    ITEST_FREE(next);
    ITEST_FREE(communes);
    ITEST_FREE(districts);
}

static int s_count_of(const Ocop__RegCounts *counts, const char *version, const char *province)
{
    int total = 0;
    for (size_t i = 0; i < counts->n_rows; i++) {
        const Ocop__RegCount *row = counts->rows[i];
        if (strcmp(row->province_code, province) == 0 && strcmp(row->unit_version, version) == 0)
            total += (int)row->count;
    }
    return total;
}

static Ocop__Reply *s_counts(const char *province, int as_recorded)
{
    Ocop__RegCountsGet in = OCOP__REG_COUNTS_GET__INIT;
    in.province_code = (char *)province;
    in.as_recorded = as_recorded;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_COUNTS_GET;
    req.reg_counts_get = &in;
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(s_world.c, &req, &reply), 0);
    ITEST_ASSERT_OK(reply);
    return reply;
}

/* A producer whose paperwork still carries 2008 codes is placed in today's province, and
 * reports answer both by today's province and as recorded. */
static void test_records_under_old_codes(void **state)
{
    (void)state;
    assert_true(*s_world.old_commune);
    Ocop__RegEntityRegister er = OCOP__REG_ENTITY_REGISTER__INIT;
    er.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    er.name = "HTX Dược liệu Vùng Cao";
    er.tax_code = "0500111222";
    er.unit_version = "2008";
    er.commune_code = s_world.old_commune;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &er;
    Ocop__Reply *e = NULL;
    assert_int_equal(harness_call(s_world.c, &req, &e), 0);
    ITEST_ASSERT_OK(e);
    assert_string_equal(e->reg_entity->unit_version, "2008");
    assert_string_equal(e->reg_entity->province_code, s_world.old_province);
    assert_string_equal(e->reg_entity->current_province_code, s_world.new_province);

    Ocop__RegProductRegister pr = OCOP__REG_PRODUCT_REGISTER__INIT;
    pr.entity_id = e->reg_entity->id;
    pr.name = "Trà hoa vàng Vùng Cao";
    pr.sector_code = s_world.data.sector;
    pr.product_set_code = s_world.data.product_set;
    pr.unit_version = "2008";
    pr.commune_code = s_world.old_commune;
    pr.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    Ocop__Request preq = OCOP__REQUEST__INIT;
    preq.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    preq.reg_product_register = &pr;
    Ocop__Reply *p = NULL;
    assert_int_equal(harness_call(s_world.c, &preq, &p), 0);
    ITEST_ASSERT_OK(p);
    const Ocop__RegProduct *product = p->reg_product_detail->product;
    assert_string_equal(product->province_code, s_world.old_province);
    assert_string_equal(product->current_province_code, s_world.new_province);

    /* Today: counted in the new province, nothing left under the old code. */
    Ocop__Reply *today = s_counts(s_world.new_province, 0);
    assert_int_equal(s_count_of(today->reg_counts, "", s_world.new_province), 1);
    ITEST_FREE(today);
    today = s_counts(s_world.old_province, 0);
    assert_int_equal(today->reg_counts->n_rows, 0);
    ITEST_FREE(today);
    /* As recorded: under the old code and its version. */
    Ocop__Reply *recorded = s_counts(s_world.old_province, 1);
    assert_int_equal(s_count_of(recorded->reg_counts, "2008", s_world.old_province), 1);
    ITEST_FREE(recorded);
    recorded = s_counts("", 1);
    assert_int_equal(s_count_of(recorded->reg_counts, "2025", s_world.new_province), 0);
    ITEST_FREE(recorded);

    /* Lists by today's province find it. */
    Ocop__RegProductList filter = OCOP__REG_PRODUCT_LIST__INIT;
    filter.province_code = s_world.new_province;
    char **ids = NULL;
    size_t n = 0, pages = 0;
    assert_int_equal(harness_product_list_all(s_world.c, &filter, 10, &ids, &n, &pages), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], product->id);
    harness_ids_free(ids, n);
    ITEST_FREE(p);
    ITEST_FREE(e);
}

static Ocop__Reply *s_import(Ocop__RegUnit **units, size_t n)
{
    Ocop__RegUnitImport in = OCOP__REG_UNIT_IMPORT__INIT;
    in.version = "2025";
    in.units = units;
    in.n_units = n;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_IMPORT;
    req.reg_unit_import = &in;
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(s_world.c, &req, &reply), 0);
    return reply;
}

/* The import adds and updates units; one bad unit refuses the whole import. */
static void test_unit_import(void **state)
{
    (void)state;
    Ocop__RegUnit province = OCOP__REG_UNIT__INIT, commune = OCOP__REG_UNIT__INIT, orphan = OCOP__REG_UNIT__INIT;
    province.code = "98";
    province.name = "Tỉnh Thử Nghiệm";
    province.kind = "tỉnh";
    province.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE;
    commune.code = "98001";
    commune.name = "Xã Thử Nghiệm";
    commune.kind = "xã";
    commune.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE;
    commune.parent_code = "98";
    orphan.code = "98002";
    orphan.name = "Xã Mồ Côi";
    orphan.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_COMMUNE;
    orphan.parent_code = "97"; /* no such province */

    int64_t before = harness_last_sequence(s_world.h);
    Ocop__RegUnit *bad[] = {&province, &commune, &orphan};
    Ocop__Reply *r = s_import(bad, 3);
    ITEST_ASSERT_ERROR(r, OCOP__STATUS__STATUS_NOT_FOUND, "units[2].parent_code");
    ITEST_FREE(r);
    assert_int_equal(harness_last_sequence(s_world.h), before);
    r = s_unit_get("2025", "98");
    ITEST_ASSERT_STATUS(r, OCOP__STATUS__STATUS_NOT_FOUND); /* nothing of it was kept */
    ITEST_FREE(r);

    Ocop__RegUnit *good[] = {&province, &commune};
    r = s_import(good, 2);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_unit_import_result->added, 2);
    assert_int_equal(r->reg_unit_import_result->updated, 0);
    ITEST_FREE(r);
    assert_int_equal(harness_last_sequence(s_world.h), before + 1);
    r = s_unit_get("2025", "98001");
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->reg_unit->province_code, "98");
    assert_string_equal(r->reg_unit->name, "Xã Thử Nghiệm");
    ITEST_FREE(r);

    commune.name = "Xã Thử Nghiệm Mới";
    Ocop__RegUnit *rename[] = {&commune};
    r = s_import(rename, 1);
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_unit_import_result->added, 0);
    assert_int_equal(r->reg_unit_import_result->updated, 1);
    ITEST_FREE(r);
    r = s_unit_get("2025", "98001");
    assert_string_equal(r->reg_unit->name, "Xã Thử Nghiệm Mới");
    ITEST_FREE(r);
    assert_int_equal(s_count_provinces("2025"), 35);
}

/* Name and kind of a unit (version "" = in force), asserting it exists in the expected version. */
static void s_assert_unit(ocop_client_t *c, const char *version, const char *code, const char *in_version,
                          const char *name, const char *kind)
{
    Ocop__Reply *r = s_unit_get_from(c, version, code);
    ITEST_ASSERT_OK(r);
    assert_string_equal(r->reg_unit->version, in_version);
    if (name)
        assert_string_equal(r->reg_unit->name, name);
    assert_string_equal(r->reg_unit->kind, kind);
    ITEST_FREE(r);
}

/* Today (after 30 Apr 2026) the 2026 version is in force: Đồng Nai is a city, Long Thành a
 * phường; the 2025 version still answers as it was; the corrected names are in both. */
static void test_2026_in_force_with_its_changes(void **state)
{
    (void)state;
    assert_string_equal(s_world.data.unit_version, "2026"); /* the harness reads the files by date too */
    s_assert_unit(s_world.c, "", "75", "2026", "Đồng Nai", "thành phố");
    s_assert_unit(s_world.c, "2025", "75", "2025", "Đồng Nai", "tỉnh");
    s_assert_unit(s_world.c, "", "26368", "2026", "Long Thành", "phường");
    s_assert_unit(s_world.c, "2025", "26368", "2025", "Long Thành", "xã");
    s_assert_unit(s_world.c, "2026", "26485", "2026", "Nhơn Trạch", "phường");
    const char *versions[] = {"2025", "2026"};
    for (size_t i = 0; i < 2; i++) {
        s_assert_unit(s_world.c, versions[i], "06367", versions[i], "Vũ Lăng", "xã");
        s_assert_unit(s_world.c, versions[i], "07996", versions[i], "Bằng Luân", "xã");
    }
    s_assert_unit(s_world.c, "2008", "123", "2008", "Mộc Châu", "thị xã");
    /* Units of 2025 lead to themselves in 2026. */
    Ocop__Reply *r = s_unit_get("2025", "26368");
    ITEST_ASSERT_OK(r);
    assert_int_equal(r->reg_unit->n_successor_codes, 1);
    assert_string_equal(r->reg_unit->successor_codes[0], "26368");
    ITEST_FREE(r);
}

static Ocop__Reply *s_entity(ocop_client_t *c, const char *tax_code, const char *version, const char *commune)
{
    Ocop__RegEntityRegister er = OCOP__REG_ENTITY_REGISTER__INIT;
    er.type = OCOP__ENTITY_TYPE__ENTITY_TYPE_COOPERATIVE;
    er.name = "HTX Nông sản Long Thành";
    er.tax_code = (char *)tax_code;
    er.unit_version = (char *)version;
    er.commune_code = (char *)commune;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_ENTITY_REGISTER;
    req.reg_entity_register = &er;
    Ocop__Reply *r = NULL;
    assert_int_equal(harness_call(c, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    return r;
}

static Ocop__Reply *s_product(ocop_client_t *c, const char *entity_id, const char *name, const char *sector,
                              const char *set, const char *version, const char *commune)
{
    Ocop__RegProductRegister pr = OCOP__REG_PRODUCT_REGISTER__INIT;
    pr.entity_id = (char *)entity_id;
    pr.name = (char *)name;
    pr.sector_code = (char *)sector;
    pr.product_set_code = (char *)set;
    pr.unit_version = (char *)version;
    pr.commune_code = (char *)commune;
    pr.processing = OCOP__PROCESSING_LEVEL__PROCESSING_PROCESSED;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_PRODUCT_REGISTER;
    req.reg_product_register = &pr;
    Ocop__Reply *r = NULL;
    assert_int_equal(harness_call(c, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    return r;
}

/* Registered today without a version: the 2026 one; with "2025" named: kept as recorded, today's
 * province found through the 2025 → 2026 table. */
static void test_registering_today(void **state)
{
    (void)state;
    Ocop__Reply *e = s_entity(s_world.c, "3600111222", "", "26368");
    assert_string_equal(e->reg_entity->unit_version, "2026");
    assert_string_equal(e->reg_entity->province_code, "75");
    assert_string_equal(e->reg_entity->current_province_code, "75");
    Ocop__Reply *p = s_product(s_world.c, e->reg_entity->id, "Hạt điều rang Long Thành", s_world.data.sector,
                               s_world.data.product_set, "", "26368");
    assert_string_equal(p->reg_product_detail->product->unit_version, "2026");
    ITEST_FREE(p);
    p = s_product(s_world.c, e->reg_entity->id, "Mật ong Long Thành", s_world.data.sector, s_world.data.product_set,
                  "2025", "26368");
    const Ocop__RegProduct *product = p->reg_product_detail->product;
    assert_string_equal(product->unit_version, "2025");
    assert_string_equal(product->province_code, "75");
    assert_string_equal(product->current_province_code, "75");
    ITEST_FREE(p);
    ITEST_FREE(e);
}

/* OCOP_CLOCK_OFFSET_MS that puts the service's clock at noon (UTC) of day (YYYY-MM-DD). */
static void s_clock_at(const char *day)
{
    struct tm tm = {0};
    assert_int_equal(sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    char offset[32];
    snprintf(offset, sizeof offset, "%lld", (long long)timegm(&tm) * 1000 - (long long)harness_wall_ms());
    setenv("OCOP_CLOCK_OFFSET_MS", offset, 1);
}

static ocop_client_t *s_restart(harness_t *h, ocop_client_t **c, const char *day)
{
    ocop_client_destroy(c);
    if (h->pid > 0)
        assert_int_equal(harness_stop(h), 0);
    if (day)
        s_clock_at(day);
    else
        unsetenv("OCOP_CLOCK_OFFSET_MS");
    int rc = harness_start(h);
    unsetenv("OCOP_CLOCK_OFFSET_MS");
    assert_int_equal(rc, 0);
    *c = harness_connect(h, NULL, "officer");
    assert_non_null(*c);
    return *c;
}

/* The version in force follows the service's day: 2025 on 29 Apr 2026, 2026 from 30 Apr. What
 * was registered under 2025 keeps its version when the store goes on under 2026. */
static void test_version_in_force_by_date(void **state)
{
    (void)state;
    harness_t *h = harness_new(NULL);
    assert_non_null(h);
    ocop_client_t *c = NULL;
    harness_set_t *sets = NULL;
    size_t n_sets = 0;
    /* On 29 Apr 2026 catalogue 148 is in force too: take a set of it. */
    assert_int_equal(harness_catalogue_sets(h->rules_dir, "148", &sets, &n_sets), 0);

    s_restart(h, &c, "2026-04-29");
    s_assert_unit(c, "", "75", "2025", "Đồng Nai", "tỉnh");
    s_assert_unit(c, "", "26368", "2025", "Long Thành", "xã");
    Ocop__Reply *e = s_entity(c, "3600333444", "", "26326");
    assert_string_equal(e->reg_entity->unit_version, "2025");
    char entity_id[64], product_id[64];
    snprintf(entity_id, sizeof entity_id, "%s", e->reg_entity->id);
    ITEST_FREE(e);
    Ocop__Reply *p = s_product(c, entity_id, "Chôm chôm Dầu Giây", sets[0].sector, sets[0].set, "", "26326");
    assert_string_equal(p->reg_product_detail->product->unit_version, "2025");
    snprintf(product_id, sizeof product_id, "%s", p->reg_product_detail->product->id);
    ITEST_FREE(p);

    s_restart(h, &c, "2026-04-30");
    s_assert_unit(c, "", "75", "2026", "Đồng Nai", "thành phố");
    s_assert_unit(c, "", "26326", "2026", "Dầu Giây", "phường");

    s_restart(h, &c, NULL); /* today */
    s_assert_unit(c, "", "26326", "2026", "Dầu Giây", "phường");
    p = harness_product_get(c, product_id);
    ITEST_ASSERT_OK(p);
    assert_string_equal(p->reg_product_detail->product->unit_version, "2025");
    assert_string_equal(p->reg_product_detail->product->province_code, "75");
    assert_string_equal(p->reg_product_detail->product->current_province_code, "75");
    ITEST_FREE(p);
    e = harness_entity_get(c, entity_id);
    ITEST_ASSERT_OK(e);
    assert_string_equal(e->reg_entity->unit_version, "2025");
    ITEST_FREE(e);
    e = s_entity(c, "3600555666", "", "26326");
    assert_string_equal(e->reg_entity->unit_version, "2026");
    ITEST_FREE(e);

    ocop_client_destroy(&c);
    assert_int_equal(harness_stop(h), 0);
    free(sets);
    harness_destroy(&h);
}

static void s_write(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* dir gets the rules as shipped before the 2026 version: no units-2026.json, no
 * merge-2025-2026.json, and units-2025.json in force with the names it had then. */
static void s_rules_before_2026(const char *from, const char *dir)
{
    assert_int_equal(mkdir(dir, 0700), 0);
    DIR *d = opendir(from);
    assert_non_null(d);
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        size_t len = strlen(ent->d_name);
        if (len < 5 || strcmp(ent->d_name + len - 5, ".json") != 0 || strcmp(ent->d_name, "units-2026.json") == 0 ||
            strcmp(ent->d_name, "merge-2025-2026.json") == 0)
            continue;
        char src[HARNESS_PATH_MAX * 2], dst[HARNESS_PATH_MAX * 2];
        snprintf(src, sizeof src, "%s/%s", from, ent->d_name);
        snprintf(dst, sizeof dst, "%s/%s", dir, ent->d_name);
        size_t n = 0;
        char *text = harness_read_file(src, &n);
        assert_non_null(text);
        if (strcmp(ent->d_name, "units-2025.json") == 0) {
            cJSON *root = cJSON_Parse(text);
            assert_non_null(root);
            cJSON_ReplaceItemInObjectCaseSensitive(root, "effective_to", cJSON_CreateNull());
            const cJSON *u;
            cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(root, "units")) {
                const char *code = cJSON_GetObjectItemCaseSensitive(u, "code")->valuestring;
                const char *old = strcmp(code, "06367") == 0   ? "Vũ Lãng"
                                  : strcmp(code, "07996") == 0 ? "Băng Luân"
                                                               : NULL;
                if (old)
                    cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)u, "name", cJSON_CreateString(old));
            }
            free(text);
            text = cJSON_PrintUnformatted(root);
            n = strlen(text);
            cJSON_Delete(root);
        }
        s_write(dst, text, n);
        free(text);
    }
    closedir(d);
}

/* A store seeded before the 2026 version existed (old names, 2025 units without successors)
 * is brought up to date when the service starts with the new files: the corrections reach it,
 * 2025 units lead to 2026, registrations under 2025 and 2008 codes still find today's
 * province, and a unit imported into 2025 is kept. */
static void test_store_seeded_before_2026_is_updated(void **state)
{
    (void)state;
    harness_t *h = harness_new(NULL);
    assert_non_null(h);
    char shipped[HARNESS_PATH_MAX];
    snprintf(shipped, sizeof shipped, "%s", h->rules_dir);
    snprintf(h->rules_dir, sizeof h->rules_dir, "%s/rules-before-2026", h->dir);
    s_rules_before_2026(shipped, h->rules_dir);
    assert_int_equal(harness_config_rewrite(h), 0);
    ocop_client_t *c = NULL;
    s_restart(h, &c, NULL);
    s_assert_unit(c, "", "06367", "2025", "Vũ Lãng", "xã");
    Ocop__RegUnit province = OCOP__REG_UNIT__INIT;
    province.code = "97";
    province.name = "Tỉnh Nhập Tay";
    province.kind = "tỉnh";
    province.level = OCOP__UNIT_LEVEL__UNIT_LEVEL_PROVINCE;
    Ocop__RegUnit *units[] = {&province};
    Ocop__RegUnitImport in = OCOP__REG_UNIT_IMPORT__INIT;
    in.version = "2025";
    in.units = units;
    in.n_units = 1;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_IMPORT;
    req.reg_unit_import = &in;
    Ocop__Reply *r = NULL;
    assert_int_equal(harness_call(c, &req, &r), 0);
    ITEST_ASSERT_OK(r);
    ITEST_FREE(r);
    assert_false(harness_log_contains(h, "units_reseeded"));

    snprintf(h->rules_dir, sizeof h->rules_dir, "%s", shipped);
    assert_int_equal(harness_config_rewrite(h), 0);
    s_restart(h, &c, NULL);
    assert_true(harness_log_contains(h, "units_reseeded"));
    s_assert_unit(c, "2025", "06367", "2025", "Vũ Lăng", "xã");
    s_assert_unit(c, "2025", "07996", "2025", "Bằng Luân", "xã");
    s_assert_unit(c, "2008", "123", "2008", "Mộc Châu", "thị xã");
    s_assert_unit(c, "", "75", "2026", "Đồng Nai", "thành phố");
    s_assert_unit(c, "2025", "97", "2025", "Tỉnh Nhập Tay", "tỉnh");
    Ocop__Reply *e = s_entity(c, "3600777888", "2025", "26368");
    assert_string_equal(e->reg_entity->unit_version, "2025");
    assert_string_equal(e->reg_entity->current_province_code, "75");
    ITEST_FREE(e);
    e = s_entity(c, "3600999000", "2008", s_world.old_commune);
    assert_string_equal(e->reg_entity->current_province_code, s_world.new_province);
    ITEST_FREE(e);

    /* Started again with the same files: nothing to rewrite. */
    ocop_client_destroy(&c);
    assert_int_equal(harness_stop(h), 0);
    int64_t before = 0;
    char *log = harness_read_file(h->log_path, NULL);
    for (const char *at = log; at && (at = strstr(at, "units_reseeded")) != NULL; at++)
        before++;
    free(log);
    s_restart(h, &c, NULL);
    int64_t after = 0;
    log = harness_read_file(h->log_path, NULL);
    for (const char *at = log; at && (at = strstr(at, "units_reseeded")) != NULL; at++)
        after++;
    free(log);
    assert_int_equal(after, before);

    ocop_client_destroy(&c);
    assert_int_equal(harness_stop(h), 0);
    harness_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_hierarchies_are_complete),
        cmocka_unit_test(test_merge_table_maps_old_units_to_new),
        cmocka_unit_test(test_records_under_old_codes),
        cmocka_unit_test(test_unit_import),
        cmocka_unit_test(test_2026_in_force_with_its_changes),
        cmocka_unit_test(test_registering_today),
        cmocka_unit_test(test_version_in_force_by_date),
        cmocka_unit_test(test_store_seeded_before_2026_is_updated),
    };
    return cmocka_run_group_tests_name("unit_versions", tests, s_group_setup, s_group_teardown);
}
