/* reg_memindex: lookups by commune block and entity, id-ordered paging, the undo journal (adds
 * and reclassifications), the rebuild from a products database, the blocks' trigram index
 * against a scan, and the index written out and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_record.h"
#include "ocop_store.h"
#include "reg_memindex.h"
#include "reg_similarity.h"
#include "unit_tmpdir.h"

static Ocop__RegProduct s_product(const char *id, const char *entity, const char *commune, const char *key)
{
    Ocop__RegProduct p = OCOP__REG_PRODUCT__INIT;
    p.id = (char *)id;
    p.entity_id = (char *)entity;
    p.unit_version = "2025";
    p.commune_code = (char *)commune;
    p.catalogue_version = "148";
    p.product_set_code = "9";
    p.normalized_name = (char *)key;
    return p;
}

static void s_add(reg_memindex_t *mi, const char *id, const char *entity, const char *commune, const char *key)
{
    Ocop__RegProduct p = s_product(id, entity, commune, key);
    assert_int_equal(reg_memindex_add(mi, &p), 0);
}

static void test_lookups_and_paging(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add(mi, "PRD-00000001", "ENT-1", "00004", "nuoc mam cat hai");
    s_add(mi, "PRD-00000002", "ENT-2", "00004", "nuoc mam phu quoc");
    s_add(mi, "PRD-00000003", "ENT-1", "00008", "mam tom");
    reg_memindex_commit(mi);
    assert_int_equal(reg_memindex_size(mi), 3);

    size_t n;
    reg_memindex_entry_t *const *block = reg_memindex_block(mi, "2025", "00004", &n);
    assert_int_equal(n, 2);
    assert_string_equal(block[0]->id, "PRD-00000001");
    assert_string_equal(block[1]->id, "PRD-00000002");
    assert_string_equal(block[1]->key, "nuoc mam phu quoc");
    assert_true(block[1]->n_grams > 0);
    /* Stored trigrams compare like freshly built ones. */
    reg_trigrams_t a;
    assert_int_equal(reg_trigrams_from("nuoc mam cat hai", &a), 0);
    assert_int_equal(block[0]->n_grams, a.n);
    assert_memory_equal(block[0]->grams, a.gram, a.n * sizeof a.gram[0]);

    reg_memindex_entry_t *const *mine = reg_memindex_entity(mi, "ENT-1", &n);
    assert_int_equal(n, 2);
    assert_string_equal(mine[1]->id, "PRD-00000003");
    assert_null(reg_memindex_block(mi, "2008", "00004", &n));
    assert_int_equal(n, 0);
    assert_null(reg_memindex_entity(mi, "ENT-9", &n));

    assert_int_equal(reg_memindex_after(mine, 2, ""), 0);
    assert_int_equal(reg_memindex_after(mine, 2, "PRD-00000001"), 1);
    assert_int_equal(reg_memindex_after(mine, 2, "PRD-00000002"), 1); /* a cursor between ids */
    assert_int_equal(reg_memindex_after(mine, 2, "PRD-00000003"), 2);
    reg_memindex_destroy(&mi);
    assert_null(mi);
    reg_memindex_destroy(&mi); /* safe twice */
}

static void test_rollback_and_commit(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add(mi, "PRD-00000001", "ENT-1", "00004", "che tan cuong");
    reg_memindex_commit(mi);

    size_t batch = reg_memindex_mark(mi);
    s_add(mi, "PRD-00000002", "ENT-2", "00004", "che thai nguyen");
    size_t request = reg_memindex_mark(mi);
    s_add(mi, "PRD-00000003", "ENT-1", "00004", "tra xanh");
    s_add(mi, "PRD-00000004", "ENT-3", "00099", "mat ong");
    /* A discarded request takes only what came after its mark. */
    reg_memindex_rollback(mi, request);
    size_t n;
    assert_non_null(reg_memindex_block(mi, "2025", "00004", &n));
    assert_int_equal(n, 2);
    reg_memindex_entity(mi, "ENT-1", &n);
    assert_int_equal(n, 1);
    reg_memindex_block(mi, "2025", "00099", &n);
    assert_int_equal(n, 0);
    assert_int_equal(reg_memindex_size(mi), 2);

    /* A rerun batch takes everything since the batch began, never what was committed. */
    reg_memindex_rollback(mi, batch);
    reg_memindex_block(mi, "2025", "00004", &n);
    assert_int_equal(n, 1);
    reg_memindex_rollback(mi, 0);
    assert_int_equal(reg_memindex_size(mi), 1);

    /* After a commit nothing can be rolled back. */
    s_add(mi, "PRD-00000005", "ENT-2", "00004", "che bup");
    reg_memindex_commit(mi);
    assert_int_equal(reg_memindex_mark(mi), 0);
    reg_memindex_rollback(mi, 0);
    assert_int_equal(reg_memindex_size(mi), 2);
    reg_memindex_destroy(&mi);
}

/* A reclassification changes the entry in place; a rollback puts it back, newest first, also
 * when the product was added in the same batch. */
static void test_reclassify_and_rollback(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add(mi, "PRD-00000001", "ENT-1", "00004", "mat ong rung");
    s_add(mi, "PRD-00000002", "ENT-1", "00004", "mat ong bac ha");
    reg_memindex_commit(mi);
    size_t n;
    reg_memindex_entry_t *const *list = reg_memindex_entity(mi, "ENT-1", &n);

    size_t batch = reg_memindex_mark(mi);
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000002", "26-2026", "4"), 0);
    assert_string_equal(list[1]->catalogue_version, "26-2026");
    assert_string_equal(list[1]->product_set_code, "4");
    assert_string_equal(list[0]->catalogue_version, "148");
    s_add(mi, "PRD-00000003", "ENT-1", "00004", "mat ong hoa nhan");
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000003", "26-2026", "8"), 0);
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000002", "26-2026", "8"), 0);
    /* Unknown product or entity; a code too long for the entry. */
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000009", "26-2026", "8"), ENOENT);
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-9", "PRD-00000001", "26-2026", "8"), ENOENT);
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000001", "a-catalogue-version-too-long", "8"), EINVAL);
    assert_string_equal(list[0]->catalogue_version, "148");

    reg_memindex_rollback(mi, batch);
    list = reg_memindex_entity(mi, "ENT-1", &n);
    assert_int_equal(n, 2);
    assert_string_equal(list[1]->catalogue_version, "148");
    assert_string_equal(list[1]->product_set_code, "9");

    assert_int_equal(reg_memindex_reclassify(mi, "ENT-1", "PRD-00000001", "26-2026", "9"), 0);
    reg_memindex_commit(mi);
    reg_memindex_rollback(mi, 0);
    assert_string_equal(list[0]->catalogue_version, "26-2026");
    reg_memindex_destroy(&mi);
}

/* Enough distinct blocks and entities to make both hash maps grow several times. */
static void test_many_blocks(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    char id[32], entity[32], commune[16];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "PRD-%08d", i + 1);
        snprintf(entity, sizeof entity, "ENT-%d", i % 1700);
        snprintf(commune, sizeof commune, "%05d", i % 3321);
        s_add(mi, id, entity, commune, "banh da");
    }
    size_t n;
    reg_memindex_entry_t *const *list = reg_memindex_entity(mi, "ENT-7", &n);
    assert_int_equal(n, 3); /* 7, 1707, 3407 */
    assert_string_equal(list[2]->id, "PRD-00003408");
    reg_memindex_block(mi, "2025", "00010", &n);
    assert_int_equal(n, 2); /* 10 and 3331 */
    reg_memindex_rollback(mi, 0);
    assert_int_equal(reg_memindex_size(mi), 0);
    reg_memindex_destroy(&mi);
}

static void test_load_from_products(void **state)
{
    (void)state;
    char dir[UNIT_TMPDIR_LEN];
    assert_non_null(unit_tmpdir(dir));
    char err[256];
    ocop_store_options_t opts = {.path = dir, .map_size = 1 << 20, .map_max = 1 << 20};
    ocop_store_t *store = ocop_store_open(&opts, err, sizeof err);
    assert_non_null(store);
    MDB_dbi products;
    assert_int_equal(ocop_store_dbi(store, "products", 0, &products), 0);
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, 0, &txn), 0);
    const char *ids[] = {"PRD-00000001", "PRD-00000002", "PRD-00000003"};
    for (int i = 0; i < 3; i++) {
        Ocop__RegProduct p = s_product(ids[i], i == 1 ? "ENT-2" : "ENT-1", "00004", "gao st25");
        MDB_val k = {.mv_size = strlen(ids[i]), .mv_data = (void *)ids[i]};
        assert_int_equal(ocop_record_put(txn, products, &k, &p.base), 0);
    }
    assert_int_equal(mdb_txn_commit(txn), 0);

    reg_memindex_t *mi = reg_memindex_new();
    assert_int_equal(mdb_txn_begin(ocop_store_env(store), NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(reg_memindex_load(mi, txn, products), 0);
    mdb_txn_abort(txn);
    assert_int_equal(reg_memindex_size(mi), 3);
    assert_int_equal(reg_memindex_mark(mi), 0); /* loaded state is committed */
    size_t n;
    reg_memindex_entry_t *const *list = reg_memindex_entity(mi, "ENT-1", &n);
    assert_int_equal(n, 2);
    assert_string_equal(list[0]->id, "PRD-00000001");
    assert_string_equal(list[1]->id, "PRD-00000003");
    reg_memindex_destroy(&mi);
    ocop_store_destroy(&store);
    assert_int_equal(test_rmtree(dir), 0);
}

/* The block's trigram index gives every product of the set at or above the threshold (and
 * others of the set to be checked), each once, in block order, and none of another set — also
 * after adds and reclassifications are rolled back. */
static size_t s_expect_candidates_cover_scan(const reg_memindex_t *mi, const char *commune, const char *catalogue,
                                             const char *set, const char *name, double threshold)
{
    reg_trigrams_t mine;
    assert_int_equal(reg_trigrams_from(name, &mine), 0);
    size_t n, count, near = 0;
    const reg_memindex_entry_t **cands;
    assert_int_equal(reg_memindex_candidates(mi, "2025", commune, catalogue, set, mine.gram, mine.n, threshold, NULL,
                                             NULL, &cands, &n),
                     0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cands[i]->catalogue_version, catalogue) != 0 || strcmp(cands[i]->product_set_code, set) != 0)
            fail_msg("'%s': %s of set %s is a candidate in set %s", name, cands[i]->id, cands[i]->product_set_code,
                     set);
    reg_memindex_entry_t *const *block = reg_memindex_block(mi, "2025", commune, &count);
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        bool listed = at < n && cands[at] == block[i];
        at += listed;
        if (strcmp(block[i]->catalogue_version, catalogue) != 0 || strcmp(block[i]->product_set_code, set) != 0 ||
            reg_grams_similarity(mine.gram, mine.n, block[i]->grams, block[i]->n_grams) < threshold)
            continue;
        near++;
        if (!listed)
            fail_msg("'%s': %s reaches %.2f but is not a candidate", name, block[i]->id, threshold);
    }
    assert_int_equal(at, n); /* each once and in block order */
    free(cands);
    return near;
}

/* Every check of the index against a scan, for both sets. */
static size_t s_check_all(const reg_memindex_t *mi)
{
    size_t near = 0;
    for (int k = 0; k < 2; k++) {
        const char *set = k ? "10" : "9";
        near += s_expect_candidates_cover_scan(mi, "00004", "148", set, "mat ong rung u minh", 0.5);
        near += s_expect_candidates_cover_scan(mi, "00008", "148", set, "gao st25 hat dieu", 0.3);
        near += s_expect_candidates_cover_scan(mi, "00008", "148", set, "nuoc mam phu quoc", 0.5);
        near += s_expect_candidates_cover_scan(mi, "00004", "148", set, "xyz", 1.0);
    }
    return near;
}

/* Products from..to-1 of names drawn from a few words (many share trigrams), in two blocks and
 * two sets; the draw depends only on the product's number. */
static void s_add_drawn(reg_memindex_t *mi, int from, int to)
{
    static const char *const words[] = {"mat", "ong",  "rung",  "u",   "minh", "tram", "nuoc", "mam",  "phu", "quoc",
                                        "che", "shan", "tuyet", "gao", "st25", "hat",  "dieu", "rang", "muoi"};
    size_t n_words = sizeof words / sizeof words[0];
    char id[32], entity[32], key[128];
    for (int i = from; i < to; i++) {
        uint64_t rng = 7 + (uint64_t)i * 2654435761ULL;
        key[0] = '\0';
        for (int w = 0; w < 2 + (int)(rng % 4); w++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            snprintf(key + strlen(key), sizeof key - strlen(key), "%s%s", w ? " " : "", words[(rng >> 33) % n_words]);
        }
        snprintf(id, sizeof id, "PRD-%08d", i + 1);
        snprintf(entity, sizeof entity, "ENT-%d", i % 37);
        Ocop__RegProduct p = s_product(id, entity, i % 3 ? "00004" : "00008", key);
        p.product_set_code = i % 5 == 1 ? "10" : "9"; /* two sets share each block */
        assert_int_equal(reg_memindex_add(mi, &p), 0);
    }
}

/* Every seventh of products 0..n-1 moved to the other set (a catalogue migration). */
static void s_move_sevenths(reg_memindex_t *mi, int n)
{
    char id[32], entity[32];
    for (int i = 0; i < n; i += 7) {
        snprintf(id, sizeof id, "PRD-%08d", i + 1);
        snprintf(entity, sizeof entity, "ENT-%d", i % 37);
        assert_int_equal(reg_memindex_reclassify(mi, entity, id, "148", i % 5 == 1 ? "9" : "10"), 0);
    }
}

static void test_trigram_index_candidates_cover_a_scan(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    size_t near = 0;
    s_add_drawn(mi, 0, 300);
    reg_memindex_commit(mi);
    near += s_check_all(mi);
    s_add_drawn(mi, 300, 400);
    near += s_check_all(mi);
    /* Products moved between the sets (a catalogue migration) are found in their new set only. */
    size_t mark = reg_memindex_mark(mi);
    s_move_sevenths(mi, 400);
    near += s_check_all(mi);
    /* Rolled back: the moves first, then the last hundred adds; their postings go with them. */
    reg_memindex_rollback(mi, mark);
    near += s_check_all(mi);
    reg_memindex_rollback(mi, 0);
    near += s_check_all(mi);
    assert_true(near > 8); /* the names drawn do meet near ones */
    size_t none;
    const reg_memindex_entry_t **cands;
    assert_int_equal(
        reg_memindex_candidates(mi, "2025", "99999", "148", "9", (uint32_t[]){1, 2}, 2, 0.5, NULL, NULL, &cands, &none),
        0);
    assert_int_equal(none, 0);
    assert_null(cands);
    /* A set the index has no product of has no candidates. */
    assert_int_equal(reg_memindex_candidates(mi, "2025", "00004", "148", "77", (uint32_t[]){1, 2}, 2, 0.5, NULL, NULL,
                                             &cands, &none),
                     0);
    assert_int_equal(none, 0);
    reg_memindex_destroy(&mi);
}

/* Bytes in memory, for reg_memindex_write / reg_memindex_read. */
typedef struct {
    uint8_t *data;
    size_t len, cap, at;
} s_bytes_t;

static int s_bytes_write(void *user, const void *data, size_t len)
{
    s_bytes_t *b = user;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

static int s_bytes_read(void *user, void *data, size_t len)
{
    s_bytes_t *b = user;
    if (b->at + len > b->len)
        return 1;
    memcpy(data, b->data + b->at, len);
    b->at += len;
    return 0;
}

static void s_assert_same_list(reg_memindex_entry_t *const *a, size_t na, reg_memindex_entry_t *const *b, size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i]->id, b[i]->id);
        assert_string_equal(a[i]->entity_id, b[i]->entity_id);
        assert_string_equal(a[i]->catalogue_version, b[i]->catalogue_version);
        assert_string_equal(a[i]->product_set_code, b[i]->product_set_code);
        assert_string_equal(a[i]->key, b[i]->key);
        assert_int_equal(a[i]->n_grams, b[i]->n_grams);
        assert_memory_equal(a[i]->grams, b[i]->grams, a[i]->n_grams * sizeof *a[i]->grams);
    }
}

/* Written out and read back, the index is the same: each block and each entity's products in id
 * order (an entity's products in two blocks come back interleaved right), the same candidates;
 * bytes cut short, or read into an index already holding products, are refused. */
/* 300 products with alike names (7 x 11 keys) of entities ENT-0 to ENT-(entities - 1), in
 * commune 00004, and a third of them in 00008 when two_communes is set; committed. */
static void s_add_alike(reg_memindex_t *mi, int entities, int two_communes)
{
    char id[32], entity[32], key[64];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "PRD-%08d", i + 1);
        snprintf(entity, sizeof entity, "ENT-%d", i % entities);
        snprintf(key, sizeof key, "mat ong %d rung u minh %d", i % 7, i % 11);
        s_add(mi, id, entity, two_communes && i % 3 == 0 ? "00008" : "00004", key);
    }
    reg_memindex_commit(mi);
}

static void test_written_and_read_back(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add_alike(mi, 23, 1);
    char entity[32];
    assert_int_equal(reg_memindex_reclassify(mi, "ENT-3", "PRD-00000004", "26-2026", "14"), 0);
    reg_memindex_commit(mi);
    s_bytes_t bytes = {0};
    assert_int_equal(reg_memindex_write(mi, s_bytes_write, &bytes), 0);
    reg_memindex_t *back = reg_memindex_new();
    assert_int_equal(reg_memindex_read(back, s_bytes_read, &bytes), 0);
    assert_int_equal(bytes.at, bytes.len);
    assert_int_equal(reg_memindex_size(back), 300);
    size_t na, nb;
    static const char *const communes[] = {"00004", "00008"};
    for (int c = 0; c < 2; c++) {
        reg_memindex_entry_t *const *a = reg_memindex_block(mi, "2025", communes[c], &na);
        reg_memindex_entry_t *const *b = reg_memindex_block(back, "2025", communes[c], &nb);
        s_assert_same_list(a, na, b, nb);
        s_expect_candidates_cover_scan(back, communes[c], "148", "9", "mat ong 3 rung u minh 5", 0.6);
        s_expect_candidates_cover_scan(back, communes[c], "26-2026", "14", "mat ong 3 rung u minh 5", 0.6);
    }
    for (int e = 0; e < 23; e++) {
        snprintf(entity, sizeof entity, "ENT-%d", e);
        reg_memindex_entry_t *const *a = reg_memindex_entity(mi, entity, &na);
        reg_memindex_entry_t *const *b = reg_memindex_entity(back, entity, &nb);
        s_assert_same_list(a, na, b, nb);
    }
    /* Read into an index that holds products, or from bytes cut short: refused. */
    bytes.at = 0;
    assert_int_equal(reg_memindex_read(back, s_bytes_read, &bytes), EINVAL);
    reg_memindex_destroy(&back);
    back = reg_memindex_new();
    bytes.len /= 2;
    bytes.at = 0;
    assert_int_equal(reg_memindex_read(back, s_bytes_read, &bytes), EINVAL);
    reg_memindex_destroy(&back);
    reg_memindex_destroy(&mi);
    free(bytes.data);
}

/* An index read back builds each block's trigram index in one go; it then answers like the one
 * written, and goes on like it when products are added, moved and rolled back. */
static void test_read_back_index_goes_on(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add_drawn(mi, 0, 400);
    reg_memindex_commit(mi);
    s_bytes_t bytes = {0};
    assert_int_equal(reg_memindex_write(mi, s_bytes_write, &bytes), 0);
    reg_memindex_t *back = reg_memindex_new();
    assert_int_equal(reg_memindex_read(back, s_bytes_read, &bytes), 0);
    free(bytes.data);
    size_t near = s_check_all(mi);
    assert_true(near > 8);
    assert_int_equal(s_check_all(back), near);
    s_add_drawn(mi, 400, 600);
    s_add_drawn(back, 400, 600);
    s_move_sevenths(mi, 600);
    s_move_sevenths(back, 600);
    assert_int_equal(s_check_all(back), s_check_all(mi));
    reg_memindex_rollback(back, 0);
    assert_int_equal(reg_memindex_size(back), 400);
    assert_int_equal(s_check_all(back), near);
    reg_memindex_destroy(&back);
    reg_memindex_destroy(&mi);
}

/* With an own entity, the candidates are those without it, less that entity's products whose
 * key is not key, in the same order. */
static void s_expect_own_left_out(const reg_memindex_t *mi, const char *commune, const char *entity, const char *key)
{
    reg_trigrams_t mine;
    assert_int_equal(reg_trigrams_from(key, &mine), 0);
    const reg_memindex_entry_t **all, **kept;
    size_t n_all, n_kept, own = 0, same = 0;
    assert_int_equal(
        reg_memindex_candidates(mi, "2025", commune, "148", "9", mine.gram, mine.n, 0.3, NULL, NULL, &all, &n_all), 0);
    assert_int_equal(reg_memindex_candidates(mi, "2025", commune, "148", "9", mine.gram, mine.n, 0.3,
                                             reg_memindex_entity_handle(mi, entity), key, &kept, &n_kept),
                     0);
    size_t j = 0;
    for (size_t i = 0; i < n_all; i++) {
        int mine_entity = strcmp(all[i]->entity_id, entity) == 0, same_key = strcmp(all[i]->key, key) == 0;
        own += mine_entity;
        same += mine_entity && same_key;
        if (mine_entity && !same_key)
            continue;
        assert_true(j < n_kept);
        assert_ptr_equal(kept[j++], all[i]);
    }
    assert_int_equal(j, n_kept);
    assert_true(own > same); /* some were left out */
    free(all);
    free(kept);
}

/* Screening leaves out an entity's own products (not its near-duplicates) unless one has the same
 * key: in an index built product by product, in one read back, and after a rollback. */
static void test_own_entity_left_out(void **state)
{
    (void)state;
    reg_memindex_t *mi = reg_memindex_new();
    s_add_alike(mi, 5, 0);
    s_expect_own_left_out(mi, "00004", "ENT-3", "mat ong 3 rung u minh 5");
    s_expect_own_left_out(mi, "00004", "ENT-3", "mat ong rung u minh");
    s_bytes_t bytes = {0};
    assert_int_equal(reg_memindex_write(mi, s_bytes_write, &bytes), 0);
    reg_memindex_t *back = reg_memindex_new();
    assert_int_equal(reg_memindex_read(back, s_bytes_read, &bytes), 0);
    free(bytes.data);
    s_expect_own_left_out(back, "00004", "ENT-3", "mat ong 3 rung u minh 5");
    size_t mark = reg_memindex_mark(back);
    s_add(back, "PRD-00000301", "ENT-9", "00004", "mat ong 3 rung u minh 5");
    s_add(back, "PRD-00000302", "ENT-3", "00004", "mat ong 3 rung u minh 6");
    reg_memindex_rollback(back, mark);
    s_add(back, "PRD-00000301", "ENT-2", "00004", "mat ong 3 rung u minh 5");
    s_expect_own_left_out(back, "00004", "ENT-2", "mat ong 3 rung u minh 5");
    s_expect_own_left_out(back, "00004", "ENT-3", "mat ong 3 rung u minh 5");
    /* An entity without products in the index leaves nothing out. */
    reg_trigrams_t mine;
    assert_int_equal(reg_trigrams_from("mat ong 3 rung u minh 5", &mine), 0);
    const reg_memindex_entry_t **a, **b;
    size_t na, nb;
    assert_int_equal(
        reg_memindex_candidates(back, "2025", "00004", "148", "9", mine.gram, mine.n, 0.3, NULL, NULL, &a, &na), 0);
    assert_int_equal(reg_memindex_candidates(back, "2025", "00004", "148", "9", mine.gram, mine.n, 0.3,
                                             reg_memindex_entity_handle(back, "ENT-77"), "mat ong 3 rung u minh 5", &b,
                                             &nb),
                     0);
    assert_int_equal(na, nb);
    free(a);
    free(b);
    reg_memindex_destroy(&back);
    reg_memindex_destroy(&mi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups_and_paging),
        cmocka_unit_test(test_rollback_and_commit),
        cmocka_unit_test(test_reclassify_and_rollback),
        cmocka_unit_test(test_many_blocks),
        cmocka_unit_test(test_load_from_products),
        cmocka_unit_test(test_read_back_index_goes_on),
        cmocka_unit_test(test_trigram_index_candidates_cover_a_scan),
        cmocka_unit_test(test_written_and_read_back),
        cmocka_unit_test(test_own_entity_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
