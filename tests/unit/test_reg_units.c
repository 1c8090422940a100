/* Unit tests for the unit hierarchies as shipped: the loader reads every units-*.json, the
 * version in force is chosen by date (2008 until 30 Jun 2025, 2025 until 29 Apr 2026, 2026 from
 * 30 Apr 2026), and the 2026 file is the 2025 one with the kinds that changed on 30 Apr 2026
 * (Đồng Nai a city, ten xã made phường), the same codes, the corrected names, and a merge table
 * 2025 → 2026 that maps every unit to itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reg_units.h"

#define S_PATH_MAX 1024

static void s_data_dir(char *out, size_t len)
{
    const char *src = getenv("OCOP_SOURCE_DIR");
    snprintf(out, len, "%s/services/registration/data", src ? src : ".");
}

static cJSON *s_read(const char *name)
{
    char dir[S_PATH_MAX], path[S_PATH_MAX + 64];
    s_data_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        fail_msg("%s is not JSON", path);
    return root;
}

static const char *s_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The unit of code in a units file, or NULL. */
static const cJSON *s_unit(const cJSON *root, const char *code)
{
    const cJSON *u;
    cJSON_ArrayForEach (u, cJSON_GetObjectItemCaseSensitive(root, "units"))
        if (strcmp(s_str(u, "code"), code) == 0)
            return u;
    return NULL;
}

static const char *const s_new_wards[] = {"25270", "25357", "25363", "26116", "26170",
                                          "26248", "26326", "26368", "26425", "26485"};

static int s_is_new_ward(const char *code)
{
    for (size_t i = 0; i < sizeof s_new_wards / sizeof s_new_wards[0]; i++)
        if (strcmp(s_new_wards[i], code) == 0)
            return 1;
    return 0;
}

static void test_loader_reads_every_version(void **state)
{
    (void)state;
    char dir[S_PATH_MAX], err[512] = "";
    s_data_dir(dir, sizeof dir);
    reg_hierarchies_t *h = reg_hierarchies_load(dir, err, sizeof err);
    if (!h)
        fail_msg("%s", err);
    const char *versions[] = {"2008", "2025", "2026"};
    const char *from[] = {"2008-08-01", "2025-07-01", "2026-04-30"};
    for (size_t i = 0; i < 3; i++) {
        const reg_hierarchy_t *v = reg_hierarchies_find(h, versions[i]);
        assert_non_null(v);
        assert_string_equal(v->effective_from, from[i]);
        assert_int_equal(strlen(v->digest), 64); /* read whole, so a changed file is noticed */
    }
    reg_hierarchies_destroy(&h);
    assert_null(h);
    reg_hierarchies_destroy(&h); /* safe twice */
}

static void test_version_in_force_by_date(void **state)
{
    (void)state;
    char dir[S_PATH_MAX], err[512] = "";
    s_data_dir(dir, sizeof dir);
    reg_hierarchies_t *h = reg_hierarchies_load(dir, err, sizeof err);
    assert_non_null(h);
    static const struct {
        const char *day, *version;
    } cases[] = {{"2025-06-30", "2008"}, {"2025-07-01", "2025"}, {"2026-04-29", "2025"},
                 {"2026-04-30", "2026"}, {"2026-05-01", "2026"}, {"2026-12-06", "2026"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const reg_hierarchy_t *v = reg_hierarchies_current(h, cases[i].day);
        assert_non_null(v);
        if (strcmp(v->version, cases[i].version) != 0)
            fail_msg("%s: version %s in force, expected %s", cases[i].day, v->version, cases[i].version);
    }
    assert_null(reg_hierarchies_current(h, "2008-07-31"));
    /* Today (whatever the clock says, once past 30 Apr 2026) the 2026 version is in force. */
    char today[11];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (strcmp(today, "2026-04-30") >= 0)
        assert_string_equal(reg_hierarchies_current(h, today)->version, "2026");
    reg_hierarchies_destroy(&h);
}

/* 2026 = 2025 with the same units, codes, names and parents; only Đồng Nai's kind and the ten
 * new phường differ; 2025 ends the day before 2026 starts. */
static void test_2026_is_2025_with_the_changes_of_30_april(void **state)
{
    (void)state;
    cJSON *y25 = s_read("units-2025.json"), *y26 = s_read("units-2026.json");
    assert_string_equal(s_str(y25, "effective_to"), "2026-04-29");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(y26, "effective_to")));
    const cJSON *units25 = cJSON_GetObjectItemCaseSensitive(y25, "units");
    const cJSON *units26 = cJSON_GetObjectItemCaseSensitive(y26, "units");
    assert_int_equal(cJSON_GetArraySize(units25), cJSON_GetArraySize(units26));
    size_t provinces = 0, communes = 0, cities = 0, wards = 0, changed = 0;
    for (int i = 0; i < cJSON_GetArraySize(units26); i++) {
        const cJSON *a = cJSON_GetArrayItem(units25, i), *b = cJSON_GetArrayItem(units26, i);
        assert_string_equal(s_str(a, "code"), s_str(b, "code"));
        assert_string_equal(s_str(a, "name"), s_str(b, "name"));
        assert_string_equal(s_str(a, "level"), s_str(b, "level"));
        assert_string_equal(s_str(a, "parent"), s_str(b, "parent"));
        int province = strcmp(s_str(b, "level"), "province") == 0;
        provinces += province;
        communes += !province;
        cities += province && strcmp(s_str(b, "kind"), "thành phố") == 0;
        wards += !province && strcmp(s_str(b, "kind"), "phường") == 0;
        if (strcmp(s_str(a, "kind"), s_str(b, "kind")) != 0) {
            changed++;
            const char *code = s_str(b, "code");
            if (strcmp(code, "75") == 0) {
                assert_string_equal(s_str(a, "kind"), "tỉnh");
                assert_string_equal(s_str(b, "kind"), "thành phố");
            } else {
                if (!s_is_new_ward(code))
                    fail_msg("%s changed kind but is not one of the ten wards", code);
                assert_string_equal(s_str(a, "kind"), "xã");
                assert_string_equal(s_str(b, "kind"), "phường");
                assert_string_equal(s_str(b, "parent"), "75");
            }
        }
    }
    assert_int_equal(provinces, 34);
    assert_int_equal(communes, 3321);
    assert_int_equal(cities, 7);
    assert_int_equal(wards, 697);
    assert_int_equal(changed, 11);
    cJSON_Delete(y25);
    cJSON_Delete(y26);
}

static void test_corrected_names(void **state)
{
    (void)state;
    cJSON *y25 = s_read("units-2025.json"), *y26 = s_read("units-2026.json"), *y08 = s_read("units-2008.json");
    cJSON *files[] = {y25, y26};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *vu_lang = s_unit(files[i], "06367"), *bang_luan = s_unit(files[i], "07996");
        assert_non_null(vu_lang);
        assert_non_null(bang_luan);
        assert_string_equal(s_str(vu_lang, "name"), "Vũ Lăng");
        assert_string_equal(s_str(vu_lang, "parent"), "20"); /* Lạng Sơn */
        assert_string_equal(s_str(bang_luan, "name"), "Bằng Luân");
        assert_string_equal(s_str(bang_luan, "parent"), "25"); /* Phú Thọ */
    }
    /* Mộc Châu was a thị xã on 30 Jun 2025 (Resolution 1280/NQ-UBTVQH15, from 1 Feb 2025). */
    const cJSON *moc_chau = s_unit(y08, "123");
    assert_non_null(moc_chau);
    assert_string_equal(s_str(moc_chau, "name"), "Mộc Châu");
    assert_string_equal(s_str(moc_chau, "kind"), "thị xã");
    cJSON_Delete(y25);
    cJSON_Delete(y26);
    cJSON_Delete(y08);
}

/* Registration follows successors version by version to today's province: every 2025 unit
 * needs one in 2026, and with unchanged codes it is itself. */
static void test_merge_2025_2026_is_identity(void **state)
{
    (void)state;
    cJSON *y25 = s_read("units-2025.json"), *merge = s_read("merge-2025-2026.json");
    assert_string_equal(s_str(merge, "from"), "2025");
    assert_string_equal(s_str(merge, "to"), "2026");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(merge, "map");
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(y25, "units");
    assert_int_equal(cJSON_GetArraySize(map), cJSON_GetArraySize(units));
    for (int i = 0; i < cJSON_GetArraySize(map); i++) {
        const cJSON *row = cJSON_GetArrayItem(map, i), *to = cJSON_GetObjectItemCaseSensitive(row, "to");
        assert_string_equal(s_str(row, "from"), s_str(cJSON_GetArrayItem(units, i), "code"));
        assert_int_equal(cJSON_GetArraySize(to), 1);
        assert_string_equal(cJSON_GetArrayItem(to, 0)->valuestring, s_str(row, "from"));
    }
    cJSON_Delete(y25);
    cJSON_Delete(merge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loader_reads_every_version),
        cmocka_unit_test(test_version_in_force_by_date),
        cmocka_unit_test(test_2026_is_2025_with_the_changes_of_30_april),
        cmocka_unit_test(test_corrected_names),
        cmocka_unit_test(test_merge_2025_2026_is_identity),
    };
    return cmocka_run_group_tests_name("reg_units", tests, NULL, NULL);
}
