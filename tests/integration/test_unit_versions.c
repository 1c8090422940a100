/* Integration: the two administrative hierarchies (2008: 63 provinces › districts › communes;
 * 2025: 34 provinces › communes), the merge table between them, records registered under the
 * old codes, counts by today's province and as recorded, and the unit import.
 *
 * Everything is asked of the real service: which old province merged into which new one is
 * read from its own unit records (successor codes), never hard-coded here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static Ocop__Reply *s_unit_get(const char *version, const char *code)
{
    Ocop__RegUnitGet in = OCOP__REG_UNIT_GET__INIT;
    in.version = (char *)version;
    in.code = (char *)code;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_REG_UNIT_GET;
    req.reg_unit_get = &in;
    Ocop__Reply *reply = NULL;
    assert_int_equal(harness_call(s_world.c, &req, &reply), 0);
    return reply;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_hierarchies_are_complete),
        cmocka_unit_test(test_merge_table_maps_old_units_to_new),
        cmocka_unit_test(test_records_under_old_codes),
        cmocka_unit_test(test_unit_import),
    };
    return cmocka_run_group_tests_name("unit_versions", tests, s_group_setup, s_group_teardown);
}
