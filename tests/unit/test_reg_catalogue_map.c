/* Unit tests for reg_catalogue_map (and the catalogue loader beside it): a valid map loads and
 * follows sets across catalogues; every broken map is refused naming file and field; the
 * catalogue loader skips the map and refuses two catalogues with one version or one first day;
 * the shipped catalogues and map load, with the ambiguous 1048 sets and 148 → 26/2026 one to one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reg_catalogue.h"
#include "reg_catalogue_map.h"
#include "unit_tmpdir.h"

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static const char s_old[] = "{\"version\": \"old\", \"effective_from\": \"2019-01-01\", \"sectors\": [{\"code\": \"1\","
                            " \"name\": \"S\", \"product_sets\": [{\"code\": \"a1\", \"name\": \"A1\"},"
                            " {\"code\": \"a2\", \"name\": \"A2\"}, {\"code\": \"a3\", \"name\": \"A3\"}]}]}";
static const char s_mid[] =
    "{\"version\": \"mid\", \"effective_from\": \"2023-01-01\", \"sectors\": [{\"code\": \"1\","
    " \"name\": \"S\", \"product_sets\": [{\"code\": \"b1\", \"name\": \"B1\"}]},"
    " {\"code\": \"2\", \"name\": \"T\", \"product_sets\": [{\"code\": \"b2\", \"name\": \"B2\"}]}]}";
static const char s_new[] = "{\"version\": \"new\", \"effective_from\": \"2026-01-01\", \"sectors\": [{\"code\": \"1\","
                            " \"name\": \"S\", \"product_sets\": [{\"code\": \"c1\", \"name\": \"C1\"},"
                            " {\"code\": \"c2\", \"name\": \"C2\"}]}]}";

#define OLD_MID_OK                                                                                                     \
    "{\"from\": \"old\", \"to\": \"mid\", \"map\": [{\"from\": \"a1\", \"to\": [\"b1\"]},"                             \
    " {\"from\": \"a2\", \"to\": [\"b1\", \"b2\"], \"note\": \"split\"}, {\"from\": \"a3\", \"to\": [\"b2\"]}]}"
#define MID_NEW_OK                                                                                                     \
    "{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [\"c1\"]},"                             \
    " {\"from\": \"b2\", \"to\": [\"c2\"]}]}"

/* Writes the three catalogues (and map, unless NULL) into a new case directory. */
static void s_case(unit_fixture_t *fx, const char *map, char *dir, size_t len)
{
    assert_int_equal(unit_fixture_case_dir(fx, dir, len), 0);
    assert_int_equal(unit_write_file(dir, "catalogue-old.json", s_old), 0);
    assert_int_equal(unit_write_file(dir, "catalogue-mid.json", s_mid), 0);
    assert_int_equal(unit_write_file(dir, "catalogue-new.json", s_new), 0);
    if (map)
        assert_int_equal(unit_write_file(dir, REG_CATALOGUE_MAP_FILE, map), 0);
}

/* The targets of a set, joined with ','; "-1" when no chain leads there. */
static const char *s_targets(const reg_catalogue_map_t *map, const char *from, const char *set, const char *to)
{
    static char buf[256];
    const char *out[REG_CATALOGUE_MAP_TARGETS_MAX];
    int n = reg_catalogue_map_targets(map, from, set, to, out);
    if (n < 0)
        return "-1";
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "," : "", out[i]);
    return buf;
}

static void test_valid_map_follows_sets(void **state)
{
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    s_case(*state, "{\"notes\": \"\", \"maps\": [" OLD_MID_OK ", " MID_NEW_OK "]}", dir, sizeof dir);
    reg_catalogues_t *cats = reg_catalogues_load(dir, err, sizeof err);
    if (!cats)
        fail_msg("catalogues refused: %s", err);
    assert_int_equal(reg_catalogues_count(cats), 3); /* the map is not read as a catalogue */
    const reg_catalogue_t *old = reg_catalogues_find(cats, "old"), *mid = reg_catalogues_find(cats, "mid");
    assert_ptr_equal(reg_catalogues_next(cats, old), mid);
    assert_null(reg_catalogues_next(cats, reg_catalogues_find(cats, "new")));
    assert_true(reg_catalogue_newer(mid, old) && !reg_catalogue_newer(old, mid) && !reg_catalogue_newer(mid, mid));
    const reg_sector_t *sector;
    assert_non_null(reg_catalogue_product_set(mid, "b2", &sector));
    assert_string_equal(sector->code, "2");
    assert_null(reg_catalogue_product_set(mid, "a1", NULL));

    reg_catalogue_map_t *map = reg_catalogue_map_load(dir, cats, err, sizeof err);
    if (!map)
        fail_msg("valid map refused: %s", err);
    assert_string_equal(s_targets(map, "old", "a1", "mid"), "b1");
    assert_string_equal(s_targets(map, "old", "a2", "mid"), "b1,b2");
    /* Across two tables: the union of what the targets cover, without repeats. */
    assert_string_equal(s_targets(map, "old", "a2", "new"), "c1,c2");
    assert_string_equal(s_targets(map, "old", "a3", "new"), "c2");
    assert_string_equal(s_targets(map, "mid", "b1", "new"), "c1");
    /* Not newer, the same, unknown: no chain. A set the table does not hold: no target. */
    assert_string_equal(s_targets(map, "mid", "b1", "old"), "-1");
    assert_string_equal(s_targets(map, "mid", "b1", "mid"), "-1");
    assert_string_equal(s_targets(map, "old", "a1", "nowhere"), "-1");
    assert_string_equal(s_targets(map, "old", "zz", "mid"), "");
    reg_catalogue_map_destroy(&map);
    reg_catalogue_map_destroy(&map); /* safe twice */
    reg_catalogues_destroy(&cats);
}

static const struct {
    const char *name;
    const char *map; /* NULL: no file */
    const char *error;
} s_refusals[] = {
    {"no file", NULL, "catalogue-map.json: cannot open"},
    {"not JSON", "{\"maps\": [", "catalogue-map.json: not valid JSON"},
    {"no maps", "{\"notes\": \"\"}", "catalogue-map.json: maps: expected a non-empty array"},
    {"empty maps", "{\"maps\": []}", "maps: expected a non-empty array"},
    {"unknown catalogue", "{\"maps\": [{\"from\": \"x\", \"to\": \"mid\", \"map\": []}]}",
     "maps[0].from: 'x' is not a catalogue version"},
    {"unknown target catalogue", "{\"maps\": [{\"from\": \"old\", \"to\": \"y\", \"map\": []}]}",
     "maps[0].to: 'y' is not a catalogue version"},
    {"skips a catalogue",
     "{\"maps\": [{\"from\": \"old\", \"to\": \"new\", \"map\": [{\"from\": \"a1\", \"to\": [\"c1\"]}]}]}",
     "maps[0].to: a table goes from a catalogue to the next one: after old comes mid, not new"},
    {"goes back", "{\"maps\": [" MID_NEW_OK ", {\"from\": \"mid\", \"to\": \"old\", \"map\": []}]}",
     "maps[1].to: a table goes from a catalogue to the next one: after mid comes new, not old"},
    {"from the newest", "{\"maps\": [{\"from\": \"new\", \"to\": \"old\", \"map\": []}]}",
     "maps[0].from: catalogue new is the newest"},
    {"two tables", "{\"maps\": [" OLD_MID_OK ", " MID_NEW_OK ", " OLD_MID_OK "]}",
     "maps[2].from: a second table from catalogue old"},
    {"a catalogue without table", "{\"maps\": [" OLD_MID_OK "]}", "maps: no table from catalogue mid to new"},
    {"no entries", "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": []}]}",
     "maps[0].map: expected a non-empty array"},
    {"unknown set",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"zz\", \"to\": [\"c1\"]}]}]}",
     "maps[0].map[0].from: 'zz' is not a product set of catalogue mid"},
    {"entry without from", "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"to\": [\"c1\"]}]}]}",
     "maps[0].map[0].from: '' is not a product set of catalogue mid"},
    {"two entries",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [\"c1\"]},"
     " {\"from\": \"b1\", \"to\": [\"c2\"]}]}]}",
     "maps[0].map[1].from: product set 'b1' has a second entry"},
    {"no target", "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": []}]}]}",
     "maps[0].map[0].to: expected a non-empty array"},
    {"targets not a list",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": \"c1\"}]}]}",
     "maps[0].map[0].to: expected a non-empty array"},
    {"unknown target",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [\"c1\", \"b2\"]}]}]}",
     "maps[0].map[0].to[1]: 'b2' is not a product set of catalogue new"},
    {"target not a string",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [7]}]}]}",
     "maps[0].map[0].to[0]: '(not a string)' is not a product set of catalogue new"},
    {"target twice",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [\"c1\", \"c1\"]}]}]}",
     "maps[0].map[0].to[1]: 'c1' appears twice"},
    {"set without entry",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b2\", \"to\": [\"c2\"]}]}]}",
     "maps[0].map: product set 'b1' of catalogue mid has no entry"},
    {"note not a string",
     "{\"maps\": [{\"from\": \"mid\", \"to\": \"new\", \"map\": [{\"from\": \"b1\", \"to\": [\"c1\"], \"note\": 1}]}]}",
     "maps[0].map[0].note: expected a string"},
};

static void test_broken_maps_are_refused(void **state)
{
    for (size_t i = 0; i < S_N(s_refusals); i++) {
        char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
        s_case(*state, s_refusals[i].map, dir, sizeof dir);
        reg_catalogues_t *cats = reg_catalogues_load(dir, err, sizeof err);
        assert_non_null(cats);
        reg_catalogue_map_t *map = reg_catalogue_map_load(dir, cats, err, sizeof err);
        if (map)
            fail_msg("case '%s': accepted", s_refusals[i].name);
        if (!strstr(err, s_refusals[i].error) || !strstr(err, dir))
            fail_msg("case '%s': error '%s', expected it to name the file and contain '%s'", s_refusals[i].name, err,
                     s_refusals[i].error);
        print_message("  %-26s %s\n", s_refusals[i].name, err + strlen(dir) + 1);
        reg_catalogues_destroy(&cats);
    }
}

/* One catalogue needs no map; two catalogues may not share a version or a first day. */
static void test_catalogue_set_rules(void **state)
{
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    assert_int_equal(unit_fixture_case_dir(*state, dir, sizeof dir), 0);
    assert_int_equal(unit_write_file(dir, "catalogue-old.json", s_old), 0);
    reg_catalogues_t *cats = reg_catalogues_load(dir, err, sizeof err);
    assert_non_null(cats);
    reg_catalogue_map_t *map = reg_catalogue_map_load(dir, cats, err, sizeof err);
    assert_non_null(map);
    assert_string_equal(s_targets(map, "old", "a1", "old"), "-1");
    reg_catalogue_map_destroy(&map);
    reg_catalogues_destroy(&cats);

    assert_int_equal(unit_write_file(dir, "catalogue-old2.json", s_old), 0);
    assert_null(reg_catalogues_load(dir, err, sizeof err));
    assert_non_null(strstr(err, "catalogue-old2.json: version: catalogue old is defined twice"));
    char same_day[sizeof s_mid];
    memcpy(same_day, s_mid, sizeof s_mid);
    memcpy(strstr(same_day, "2023-01-01"), "2019-01-01", 10);
    assert_int_equal(unit_write_file(dir, "catalogue-old2.json", same_day), 0);
    assert_null(reg_catalogues_load(dir, err, sizeof err));
    assert_non_null(strstr(err, "catalogue-old2.json: effective_from: catalogue old starts on 2019-01-01 too"));
    /* Only the map beside the catalogues: still no catalogue. */
    assert_int_equal(unit_fixture_case_dir(*state, dir, sizeof dir), 0);
    assert_int_equal(unit_write_file(dir, REG_CATALOGUE_MAP_FILE, "{\"maps\": []}"), 0);
    assert_null(reg_catalogues_load(dir, err, sizeof err));
    assert_non_null(strstr(err, "no catalogue-*.json file"));
}

static cJSON *s_read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

/* The shipped files: three catalogues, 26/2026 with 6 sectors, 17 groups and 26 sets each with a
 * lead ministry; 148 ends the day before 26/2026 starts; the map loads. */
static void test_shipped_catalogues_and_map(void **state)
{
    (void)state;
    const char *src = getenv("OCOP_SOURCE_DIR");
    char dir[512], path[600], err[512] = "";
    snprintf(dir, sizeof dir, "%s/services/registration/data", src ? src : ".");
    reg_catalogues_t *cats = reg_catalogues_load(dir, err, sizeof err);
    if (!cats)
        fail_msg("shipped catalogues refused: %s", err);
    assert_int_equal(reg_catalogues_count(cats), 3);
    assert_string_equal(reg_catalogues_current(cats, "2026-05-21")->version, "148");
    assert_string_equal(reg_catalogues_current(cats, "2026-05-22")->version, "26-2026");
    const reg_catalogue_t *c26 = reg_catalogues_find(cats, "26-2026");
    assert_non_null(c26);
    assert_int_equal(c26->n_sectors, 6);

    snprintf(path, sizeof path, "%s/catalogue-26-2026.json", dir);
    cJSON *root = s_read_json(path);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "instrument")->valuestring, "26/2026/QĐ-TTg");
    const char *groups[32];
    size_t n_groups = 0, n_sets = 0;
    const cJSON *sector, *set;
    cJSON_ArrayForEach (sector, cJSON_GetObjectItem(root, "sectors"))
        cJSON_ArrayForEach (set, cJSON_GetObjectItem(sector, "product_sets")) {
            char code[8];
            snprintf(code, sizeof code, "%zu", ++n_sets);
            assert_string_equal(cJSON_GetObjectItem(set, "code")->valuestring, code);
            assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(set, "lead_ministry")) >= 1);
            const char *g = cJSON_GetObjectItem(set, "group")->valuestring;
            size_t k = 0;
            while (k < n_groups && strcmp(groups[k], g) != 0)
                k++;
            if (k == n_groups && n_groups < S_N(groups))
                groups[n_groups++] = g;
        }
    assert_int_equal(n_sets, 26);
    assert_int_equal(n_groups, 17);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/catalogue-148.json", dir);
    root = s_read_json(path);
    assert_string_equal(cJSON_GetObjectItem(root, "effective_to")->valuestring, "2026-05-21");
    cJSON_Delete(root);

    reg_catalogue_map_t *map = reg_catalogue_map_load(dir, cats, err, sizeof err);
    if (!map)
        fail_msg("shipped map refused: %s", err);
    /* 1048 → 148: three sets need a person, the others have one successor. */
    const reg_catalogue_t *c1048 = reg_catalogues_find(cats, "1048");
    size_t ambiguous = 0;
    for (size_t s = 0; s < c1048->n_sectors; s++)
        for (size_t k = 0; k < c1048->sectors[s].n_sets; k++) {
            const char *code = c1048->sectors[s].sets[k].code, *out[REG_CATALOGUE_MAP_TARGETS_MAX];
            int n = reg_catalogue_map_targets(map, "1048", code, "148", out);
            assert_true(n >= 1);
            ambiguous += n > 1;
        }
    assert_int_equal(ambiguous, 3);
    assert_string_equal(s_targets(map, "1048", "1.4", "148"), "4,8");
    assert_string_equal(s_targets(map, "1048", "1.13", "148"), "12,11");
    assert_string_equal(s_targets(map, "1048", "3.3", "148"), "20,21");
    assert_string_equal(s_targets(map, "1048", "1.9", "148"), "8");
    assert_string_equal(s_targets(map, "1048", "1.4", "26-2026"), "4,8");
    /* 148 → 26/2026: every set to the set with the same number. */
    for (int i = 1; i <= 26; i++) {
        char code[8];
        snprintf(code, sizeof code, "%d", i);
        assert_string_equal(s_targets(map, "148", code, "26-2026"), code);
    }
    reg_catalogue_map_destroy(&map);
    reg_catalogues_destroy(&cats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_map_follows_sets, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_broken_maps_are_refused, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_catalogue_set_rules, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test(test_shipped_catalogues_and_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
