/* demo_generate — `ocop-demo generate`: a deterministic national demo dataset (entities.csv,
 * products.csv) shaped like the July 2025 OCOP figures, built from the rules files units-2025.json,
 * catalogue-148.json and demo-names.json. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "demo.h"
#include "ctl_file.h"

enum { S_COOP, S_GROUP, S_ENTERPRISE, S_HOUSEHOLD, S_FARM, S_TYPES };
static const char *const s_types[S_TYPES] = {"cooperative", "cooperative_group", "enterprise", "household_business",
                                             "farm"};
/* National shares of July 2025 (the programme's published figures) in per mille; households take the remainder. */
static const unsigned s_type_permille[S_TYPES] = {329, 83, 253, 0, 0};
/* Relative chance of an entity getting more products: cooperatives and firms have wider ranges. */
static const unsigned s_type_breadth[S_TYPES] = {4, 2, 4, 2, 2};
/* Sector weights in catalogue order (148/QĐ-TTg: food, beverages, herbs, handicrafts, ornamental,
 * tourism): food dominates the national list. */
static const unsigned s_sector_weight[] = {55, 16, 12, 9, 4, 4};
static const char *const s_mobile[] = {"032", "033", "034", "035", "036", "037", "038", "039", "052", "056", "058",
                                       "059", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
                                       "086", "088", "089", "090", "091", "093", "094", "096", "097", "098"};
static const char *const s_standards[] = {"VietGAP", "GlobalGAP", "Organic", "HACCP", "ISO 22000", "GMP"};

#define S_NAME_MAX 256
#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct {
    const char *code, *name;
    size_t province;
} s_commune_t;

typedef struct {
    const char *code, *name;
    size_t count; /* of its communes */
} s_province_t;

typedef struct {
    const char *sector, *code;
    size_t sector_index;
    int fresh;
    const cJSON *stems;
} s_set_t;

typedef struct {
    const char *name;
    size_t province, set;
} s_special_t;

typedef struct {
    unsigned type;
    size_t commune, set, n_products;
    const char *special; /* a regional specialty of its province it is known for, or NULL */
} s_entity_t;

typedef struct {
    cJSON *units, *catalogue, *names; /* owned */
    s_province_t *provinces;
    s_commune_t *communes;
    s_set_t *sets;
    s_special_t *specials;
    uint64_t *province_cum, *set_cum; /* cumulative weights for s_weighted */
    size_t n_provinces, n_communes, n_sets, n_specials;
    const cJSON *surnames, *middles, *givens, *trades, *brands, *qualifiers, *patterns[S_TYPES];
    uint64_t rng; /* splitmix64 state */
} s_gen_t;

/* splitmix64: tiny, and the same stream on every platform, unlike rand(). */
static uint64_t s_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t s_below(s_gen_t *g, size_t n)
{
    return (size_t)(s_next(&g->rng) % n);
}

/* Index i with probability weight_i / total, given cumulative weights cum[0..n). */
static size_t s_weighted(s_gen_t *g, const uint64_t *cum, size_t n)
{
    uint64_t x = s_next(&g->rng) % cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static const char *s_str(const cJSON *obj, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* A vocabulary word: a string, or an object's "name" ({"name","freq"} / {"name","gender"}). */
static const char *s_word(const cJSON *it)
{
    return cJSON_IsString(it) ? it->valuestring : s_str(it, "name");
}

/* A random word of array, weighted by "freq" when given, among those whose "gender" is gender or
 * "any" (all when gender is NULL). */
static const char *s_pick(s_gen_t *g, const cJSON *array, const char *gender)
{
    uint64_t total = 0, x = 0;
    const cJSON *it;
    for (int pass = 0; pass < 2; pass++) {
        cJSON_ArrayForEach (it, array) {
            const char *sex = s_str(it, "gender");
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "freq");
            uint64_t w = cJSON_IsNumber(f) && f->valuedouble > 0 ? (uint64_t)(f->valuedouble * 1e6) + 1 : 1;
            if (gender && sex && strcmp(sex, "any") != 0 && strcmp(sex, gender) != 0)
                w = 0;
            if (pass == 0)
                total += w;
            else if (x < w)
                return s_word(it);
            else
                x -= w;
        }
        if (total == 0)
            break; /* nothing of that gender: take the first */
        x = s_next(&g->rng) % total;
    }
    return s_word(array->child);
}

/* Comparison key of a product name: lower case, Vietnamese diacritics and punctuation folded,
 * so that two names the registration service would call equal are equal here too. */
static void s_fold(const char *in, char *out, size_t outlen)
{
    static const char *const rows[] = {"aàáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
                                       "eèéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ",
                                       "iìíỉĩịÌÍỈĨỊ",
                                       "oòóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
                                       "uùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ",
                                       "yỳýỷỹỵỲÝỶỸỴ",
                                       "dđĐ"};
    size_t o = 0;
    int space = 1;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < outlen;) {
        size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        char ch[5] = {0};
        for (size_t i = 0; i < len && p[i]; i++)
            ch[i] = (char)p[i];
        p += strlen(ch);
        if (len == 1) {
            int c = ch[0] >= 'A' && ch[0] <= 'Z' ? ch[0] + 32 : ch[0];
            int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (alnum)
                out[o++] = (char)c;
            else if (!space)
                out[o++] = ' ';
            space = !alnum;
            continue;
        }
        if (len == 2 && (unsigned char)ch[0] == 0xCC) /* combining marks U+0300..U+033F (NFD input) */
            continue;
        const char *base = NULL;
        for (size_t i = 0; i < S_COUNT(rows) && !base; i++)
            if (strstr(rows[i], ch))
                base = rows[i];
        if (base)
            out[o++] = base[0];
        else
            for (size_t i = 0; ch[i]; i++)
                out[o++] = ch[i];
        space = 0;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Copies pattern into out with {trade} {place} {brand} {person} replaced by vals[0..3]. */
static void s_fill(const char *pattern, const char *const vals[4], char *out, size_t outlen)
{
    static const char *const keys[4] = {"{trade}", "{place}", "{brand}", "{person}"};
    size_t o = 0;
    while (*pattern && o + 1 < outlen) {
        size_t k = 0;
        while (k < 4 && strncmp(pattern, keys[k], strlen(keys[k])) != 0)
            k++;
        if (k < 4) {
            o += (size_t)snprintf(out + o, outlen - o, "%s", vals[k]);
            o = o < outlen ? o : outlen - 1;
            pattern += strlen(keys[k]);
        } else {
            out[o++] = *pattern++;
        }
    }
    out[o] = '\0';
}

/* Writes one CSV field (RFC 4180 quoting when needed) followed by ',' or, when last, '\n'. */
static void s_csv(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static cJSON *s_read_json(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ocop-demo: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) != NULL &&
        fread(text, 1, (size_t)size, f) == (size_t)size)
        text[size] = '\0';
    else {
        fprintf(stderr, "ocop-demo: cannot read %s\n", path);
        free(text);
        text = NULL;
    }
    fclose(f);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    if (text && !root)
        fprintf(stderr, "ocop-demo: %s is not valid JSON (near byte %ld)\n", path,
                cJSON_GetErrorPtr() ? (long)(cJSON_GetErrorPtr() - text) : 0L);
    free(text);
    return root;
}

/* The non-empty array of words obj[key], or NULL after saying what is wrong. */
static const cJSON *s_words(const cJSON *obj, const char *key, const char *where)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    int ok = cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0;
    for (const cJSON *it = ok ? a->child : NULL; it; it = it->next)
        ok = ok && s_word(it) && *s_word(it);
    if (!ok)
        fprintf(stderr, "ocop-demo: %s: \"%s\" must be a non-empty array of names\n", where, key);
    return ok ? a : NULL;
}

/* Provinces and their communes (level "commune" whose parent is a province) from units-2025.json. */
static int s_load_units(s_gen_t *g)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(g->units, "units"), *u;
    size_t n = (size_t)cJSON_GetArraySize(units);
    g->provinces = calloc(n + 1, sizeof *g->provinces);
    g->communes = calloc(n + 1, sizeof *g->communes);
    g->province_cum = calloc(n + 1, sizeof *g->province_cum);
    if (!g->provinces || !g->communes || !g->province_cum)
        return -1;
    for (int pass = 0; pass < 2; pass++) {
        cJSON_ArrayForEach (u, units) {
            const char *code = s_str(u, "code"), *name = s_str(u, "name"), *level = s_str(u, "level");
            const char *parent = s_str(u, "parent");
            if (!code || !name || !level) {
                fprintf(stderr, "ocop-demo: units-2025.json: every unit needs code, name and level\n");
                return -1;
            }
            if (pass == 0 && strcmp(level, "province") == 0)
                g->provinces[g->n_provinces++] = (s_province_t){.code = code, .name = name};
            if (pass == 0 || strcmp(level, "commune") != 0 || !parent)
                continue;
            size_t p = 0;
            while (p < g->n_provinces && strcmp(g->provinces[p].code, parent) != 0)
                p++;
            if (p < g->n_provinces) {
                g->provinces[p].count++;
                g->communes[g->n_communes++] = (s_commune_t){code, name, p};
            }
        }
    }
    if (g->n_communes == 0) {
        fprintf(stderr, "ocop-demo: units-2025.json: no commune under a province\n");
        return -1;
    }
    /* Uneven but stable sizes: commune count times a factor 0.5..2.0 hashed from the code. */
    for (size_t p = 0; p < g->n_provinces; p++) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (const char *c = g->provinces[p].code; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
        g->province_cum[p] = (p ? g->province_cum[p - 1] : 0) + g->provinces[p].count * (50 + h % 151);
    }
    return 0;
}

/* Product sets that have stems in products_by_set (weighted by sector), and the regional
 * specialties whose province and set are known. */
static int s_load_sets(s_gen_t *g)
{
    const cJSON *sectors = cJSON_GetObjectItemCaseSensitive(g->catalogue, "sectors"), *sector, *set;
    const cJSON *by_set = cJSON_GetObjectItemCaseSensitive(g->names, "products_by_set");
    const cJSON *specials = cJSON_GetObjectItemCaseSensitive(g->names, "regional_specialties");
    if (!cJSON_IsArray(sectors) || !cJSON_IsObject(by_set)) {
        fprintf(stderr, "ocop-demo: catalogue-148.json needs \"sectors\", demo-names.json \"products_by_set\"\n");
        return -1;
    }
    size_t max = 0, si = 0;
    cJSON_ArrayForEach (sector, sectors)
        max += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(sector, "product_sets"));
    g->sets = calloc(max + 1, sizeof *g->sets);
    g->set_cum = calloc(max + 1, sizeof *g->set_cum);
    g->specials = calloc((size_t)cJSON_GetArraySize(specials) + 1, sizeof *g->specials);
    if (!g->sets || !g->set_cum || !g->specials)
        return -1;
    cJSON_ArrayForEach (sector, sectors) {
        size_t first = g->n_sets;
        cJSON_ArrayForEach (set, cJSON_GetObjectItemCaseSensitive(sector, "product_sets")) {
            const char *code = s_str(set, "code");
            if (!s_str(sector, "code") || !code || !cJSON_GetObjectItemCaseSensitive(by_set, code))
                continue;
            const cJSON *stems = s_words(by_set, code, "demo-names.json products_by_set");
            if (!stems)
                return -1;
            g->sets[g->n_sets++] =
                (s_set_t){s_str(sector, "code"), code, si, cJSON_IsTrue(cJSON_GetObjectItem(set, "fresh")), stems};
        }
        unsigned w = si < S_COUNT(s_sector_weight) ? s_sector_weight[si] : 4;
        for (size_t i = first; i < g->n_sets; i++)
            g->set_cum[i] = (i ? g->set_cum[i - 1] : 0) + w * 1000 / (g->n_sets - first);
        si++;
    }
    if (g->n_sets == 0) {
        fprintf(stderr, "ocop-demo: no product set of catalogue-148.json has stems in products_by_set\n");
        return -1;
    }
    const cJSON *sp;
    cJSON_ArrayForEach (sp, specials) {
        s_special_t x = {s_str(sp, "name"), 0, 0};
        const char *prov = s_str(sp, "province"), *code = s_str(sp, "set");
        while (prov && x.province < g->n_provinces && strcmp(g->provinces[x.province].code, prov) != 0)
            x.province++;
        while (code && x.set < g->n_sets && strcmp(g->sets[x.set].code, code) != 0)
            x.set++;
        if (x.name && prov && code && x.province < g->n_provinces && x.set < g->n_sets)
            g->specials[g->n_specials++] = x;
    }
    return 0;
}

static void s_person(s_gen_t *g, char *out, size_t outlen)
{
    /* Gender keeps "Thị" away from male given names. */
    const char *gender = s_below(g, 2) ? "m" : "f";
    snprintf(out, outlen, "%s %s %s", s_pick(g, g->surnames, NULL), s_pick(g, g->middles, gender),
             s_pick(g, g->givens, gender));
}

/* Entity types in the national shares, shuffled so that types are not in blocks. */
static void s_assign_types(s_gen_t *g, s_entity_t *ents, size_t n, const size_t counts[S_TYPES])
{
    size_t at = 0;
    for (unsigned t = 0; t < S_TYPES; t++)
        for (size_t i = 0; i < counts[t]; i++)
            ents[at++].type = t;
    for (size_t i = n; i > 1; i--) {
        size_t j = s_below(g, i);
        unsigned t = ents[i - 1].type;
        ents[i - 1].type = ents[j].type;
        ents[j].type = t;
    }
}

/* Province, commune and main product set (sometimes a specialty of the province) of entity i. */
static void s_place_entity(s_gen_t *g, s_entity_t *e, size_t i)
{
    /* The first entities visit every province once so that all of them are covered. */
    size_t p = i < g->n_provinces && g->provinces[i].count ? i : s_weighted(g, g->province_cum, g->n_provinces);
    size_t nth = s_below(g, g->provinces[p].count), n_special = 0;
    for (e->commune = 0; g->communes[e->commune].province != p || nth--; e->commune++)
        ;
    e->set = s_weighted(g, g->set_cum, g->n_sets);
    for (size_t s = 0; s < g->n_specials; s++)
        n_special += g->specials[s].province == p;
    if (n_special && s_below(g, 10) < 3) {
        size_t s = 0, k = s_below(g, n_special);
        while (g->specials[s].province != p || k--)
            s++;
        e->special = g->specials[s].name;
        e->set = g->specials[s].set;
    }
}

static void s_write_entities(s_gen_t *g, FILE *f, s_entity_t *ents, size_t n)
{
    uint64_t tax_offset = s_next(&g->rng) % 100000000u;
    fputs("ref,type,name,tax_code,commune_code,representative,phone\n", f);
    for (size_t i = 0; i < n; i++) {
        s_entity_t *e = &ents[i];
        s_place_entity(g, e, i);
        const s_commune_t *c = &g->communes[e->commune];
        char person[S_NAME_MAX], name[S_NAME_MAX], ref[24], tax[24], phone[24];
        s_person(g, person, sizeof person);
        const char *vals[4] = {s_pick(g, g->trades, NULL), c->name, s_pick(g, g->brands, NULL), person};
        s_fill(s_pick(g, g->patterns[e->type], NULL), vals, name, sizeof name);
        snprintf(ref, sizeof ref, "E%06zu", i + 1);
        /* Province code + the counter through a bijection of 0..10^8-1, so unique: an affine map
         * (48271 is prime to 10), its digits reversed, another affine map. */
        uint64_t x = (i * 48271u + tax_offset) % 100000000u, r = 0;
        for (int d = 0; d < 8; d++, x /= 10)
            r = r * 10 + x % 10;
        snprintf(tax, sizeof tax, "%02ld%08llu", strtol(g->provinces[c->province].code, NULL, 10) % 100,
                 (unsigned long long)((r * 69621u + 12345u) % 100000000u));
        snprintf(phone, sizeof phone, "%s%07zu", s_mobile[s_below(g, S_COUNT(s_mobile))], s_below(g, 10000000));
        const char *row[] = {ref, s_types[e->type], name, tax, c->code, person, phone};
        for (size_t col = 0; col < S_COUNT(row); col++)
            s_csv(f, row[col], col + 1 == S_COUNT(row));
    }
}

/* One product each, the rest to entities drawn by a per-entity breadth. Returns the largest count. */
static size_t s_spread_products(s_gen_t *g, s_entity_t *ents, size_t n, size_t n_products, uint64_t *cum)
{
    size_t max = 1;
    for (size_t i = 0; i < n; i++) {
        ents[i].n_products = 1;
        cum[i] = (i ? cum[i - 1] : 0) + s_type_breadth[ents[i].type] * (1 + s_below(g, 8));
    }
    for (size_t k = n; k < n_products; k++) {
        s_entity_t *e = &ents[s_weighted(g, cum, n)];
        max = ++e->n_products > max ? e->n_products : max;
    }
    return max;
}

/* Whether qualifier q suits set: bottles for drinks and sauces (set 9), bags and drying for the
 * rest, GAP labels for fresh produce only. */
static int s_fits(const s_set_t *set, const char *q)
{
    int liquid = set->sector_index == 1 || strcmp(set->code, "9") == 0;
    int bottle = strstr(q, "chai") || strstr(q, "can ") || strstr(q, "ml");
    int dry = strstr(q, "túi") || strstr(q, "gói") || strstr(q, "sấy");
    return (liquid ? !dry : !bottle) && (set->fresh || !strstr(q, "GAP"));
}

/* Name of product k of entity e: its specialty first, else a stem of the set with a place and, for
 * food, drinks and herbs, often a fitting qualifier (grade, packaging, "{place}"); other sectors
 * get one only to break a tie. */
static void s_product_name(s_gen_t *g, const s_entity_t *e, const s_set_t *set, size_t k, size_t attempt, char *out,
                           size_t outlen)
{
    const s_commune_t *c = &g->communes[e->commune];
    const char *stem = s_pick(g, set->stems, NULL), *qual = "";
    const char *place = s_below(g, 10) < 7 ? c->name : g->provinces[c->province].name;
    if ((set->sector_index < 3 && s_below(g, 2)) || attempt >= 10)
        for (int i = 0; i < 4 && !*qual; i++) {
            qual = s_pick(g, g->qualifiers, NULL);
            qual = s_fits(set, qual) ? qual : "";
        }
    const char *vals[4] = {"", place, "", ""};
    char filled[S_NAME_MAX];
    s_fill(qual, vals, filled, sizeof filled);
    if (k == 0 && attempt == 0 && e->special)
        snprintf(out, outlen, "%s", e->special);
    else if (attempt >= 40) /* a vocabulary too small for this entity: number the name */
        snprintf(out, outlen, "%s %s %zu", stem, place, attempt - 38);
    else if (strstr(qual, "{place}"))
        snprintf(out, outlen, "%s %s", stem, filled);
    else
        snprintf(out, outlen, "%s %s%s%s", stem, place, *qual ? " " : "", filled);
}

/* "VietGAP;Organic": none to two standards that fit the product; none outside food, drinks, herbs. */
static void s_standards_for(s_gen_t *g, const s_set_t *set, char *out, size_t outlen)
{
    size_t r = s_below(g, 20), n = set->sector_index > 2 ? 0 : r < 10 ? 0 : r < 17 ? 1 : 2;
    size_t lo = set->fresh ? 0 : 2, span = set->fresh ? 3 : 4; /* fresh: GAP, organic; else organic to GMP */
    size_t a = lo + s_below(g, span), b = lo + (a - lo + 1 + s_below(g, span - 1)) % span;
    if (b < a) {
        size_t t = a;
        a = b;
        b = t;
    }
    snprintf(out, outlen, "%s%s%s", n ? s_standards[a] : "", n == 2 ? ";" : "", n == 2 ? s_standards[b] : "");
}

static int s_write_products(s_gen_t *g, FILE *f, const s_entity_t *ents, size_t n, size_t max_products)
{
    char(*keys)[S_NAME_MAX] = malloc(max_products * sizeof *keys);
    if (!keys)
        return -1;
    size_t ref = 0;
    /* The dataset is the programme of July 2025: its products are classified under 148's
     * catalogue, whichever catalogue is in force when it is imported. */
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(g->catalogue, "version");
    const char *catalogue = cJSON_IsString(version) ? version->valuestring : "";
    fputs("ref,entity_ref,name,sector_code,product_set_code,commune_code,processing,standards,catalogue_version\n", f);
    for (size_t i = 0; i < n; i++) {
        const s_entity_t *e = &ents[i];
        for (size_t k = 0; k < e->n_products; k++) {
            char name[S_NAME_MAX], pref[24], eref[24], std[64];
            const s_set_t *set = &g->sets[e->set];
            /* The service rejects an entity registering the same (folded) name twice: redraw until new. */
            for (size_t attempt = 0, j = 0; j < k || attempt == 0; attempt++) {
                set = &g->sets[k == 0 || s_below(g, 10) < 6 ? e->set : s_weighted(g, g->set_cum, g->n_sets)];
                s_product_name(g, e, set, k, attempt, name, sizeof name);
                s_fold(name, keys[k], sizeof keys[k]);
                j = 0;
                while (j < k && strcmp(keys[j], keys[k]) != 0)
                    j++;
            }
            snprintf(pref, sizeof pref, "P%06zu", ++ref);
            snprintf(eref, sizeof eref, "E%06zu", i + 1);
            const char *processing = set->fresh ? "fresh" : s_below(g, 10) < 8 ? "processed" : "preliminary";
            s_standards_for(g, set, std, sizeof std);
            const char *row[] = {pref,       eref, name,     set->sector, set->code, g->communes[e->commune].code,
                                 processing, std,  catalogue};
            for (size_t col = 0; col < S_COUNT(row); col++)
                s_csv(f, row[col], col + 1 == S_COUNT(row));
        }
    }
    free(keys);
    return 0;
}

/* Loads the three rules files and checks every vocabulary key the generation needs. */
static int s_load(s_gen_t *g, const char *rules, const size_t counts[S_TYPES])
{
    const char *where = "demo-names.json";
    if (!(g->units = s_read_json(rules, "units-2025.json")) ||
        !(g->catalogue = s_read_json(rules, "catalogue-148.json")) || !(g->names = s_read_json(rules, where)))
        return CTL_EXIT_FAILED;
    if (!(g->surnames = s_words(g->names, "surnames", where)) ||
        !(g->middles = s_words(g->names, "middle_names", where)) ||
        !(g->givens = s_words(g->names, "given_names", where)) || !(g->trades = s_words(g->names, "trades", where)) ||
        !(g->brands = s_words(g->names, "brands", where)) || !(g->qualifiers = s_words(g->names, "qualifiers", where)))
        return CTL_EXIT_INVALID;
    const cJSON *patterns = cJSON_GetObjectItemCaseSensitive(g->names, "entity_patterns");
    for (unsigned t = 0; t < S_TYPES; t++)
        if (counts[t] && !(g->patterns[t] = s_words(patterns, s_types[t], "demo-names.json entity_patterns")))
            return CTL_EXIT_INVALID;
    return s_load_units(g) != 0 || s_load_sets(g) != 0 ? CTL_EXIT_INVALID : CTL_EXIT_OK;
}

/* Generates both files into out. Exit code. */
static int s_generate(s_gen_t *g, const char *out, s_entity_t *ents, size_t n_ent, size_t n_prod,
                      const size_t counts[S_TYPES])
{
    char ent_path[4200], prod_path[4200];
    snprintf(ent_path, sizeof ent_path, "%s/entities.csv", out);
    snprintf(prod_path, sizeof prod_path, "%s/products.csv", out);
    if (mkdir(out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "ocop-demo: cannot create directory %s: %s\n", out, strerror(errno));
        return CTL_EXIT_FAILED;
    }
    /* Each file appears whole or not at all, products.csv last: a re-run after an interruption
     * finds no half-written dataset. */
    ctl_file_t fe, fp;
    int open_e = ctl_file_open(&fe, ent_path), open_p = open_e == 0 ? ctl_file_open(&fp, prod_path) : -1;
    uint64_t *cum = malloc(n_ent * sizeof *cum);
    int rc = open_e == 0 && open_p == 0 && cum ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    if (rc == CTL_EXIT_OK) {
        s_assign_types(g, ents, n_ent, counts);
        s_write_entities(g, fe.f, ents, n_ent);
        size_t max = s_spread_products(g, ents, n_ent, n_prod, cum);
        rc = s_write_products(g, fp.f, ents, n_ent, max) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }
    /* A full disk shows up as a stream error or a failed commit. */
    const char *bad = open_e != 0 ? ent_path : open_p != 0 ? prod_path : NULL;
    if (rc == CTL_EXIT_OK && ctl_file_commit(&fe) != 0)
        bad = ent_path;
    else if (rc == CTL_EXIT_OK && ctl_file_commit(&fp) != 0)
        bad = prod_path;
    if (rc != CTL_EXIT_OK || bad) {
        if (open_e == 0)
            ctl_file_abandon(&fe);
        if (open_p == 0)
            ctl_file_abandon(&fp);
        fprintf(stderr, "ocop-demo: cannot create or write %s: %s\n", bad ? bad : prod_path, strerror(errno));
        rc = CTL_EXIT_FAILED;
    }
    free(cum);
    return rc;
}

static const char s_demo_usage[] =
    "usage: ocop-demo generate --rules DIR --out DIR [--seed N] [--entities N] [--products N]\n";

typedef struct {
    const char *rules, *out;
    uint64_t seed, n_ent, n_prod;
} s_args_t;

/* demo generate's arguments. CTL_EXIT_OK to go on, -1 after --help, or CTL_EXIT_USAGE (said). */
static int s_args(int argc, char **argv, s_args_t *a)
{
    *a = (s_args_t){.seed = 2025, .n_ent = 9084, .n_prod = 17400};
    const char *bad = NULL;
    int help = 0;
    for (int i = 1; i < argc && !bad && !help; i += 2) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        help = strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0;
        if (help)
            break;
        if (v && strcmp(f, "--rules") == 0)
            a->rules = v;
        else if (v && strcmp(f, "--out") == 0)
            a->out = v;
        else if (!v || (strcmp(f, "--seed") == 0       ? ctl_parse_u64(v, 0, UINT64_MAX, &a->seed)
                        : strcmp(f, "--entities") == 0 ? ctl_parse_u64(v, 1, 1000000, &a->n_ent)
                        : strcmp(f, "--products") == 0 ? ctl_parse_u64(v, 1, 10000000, &a->n_prod)
                                                       : -1) != 0)
            bad = f;
    }
    if (help) {
        printf("%s\nWrites OUT/entities.csv and OUT/products.csv (OUT is created if missing): a national demo\n"
               "dataset shaped like the July 2025 figures, from units-2025.json, catalogue-148.json and\n"
               "demo-names.json in the rules DIR. The same seed gives byte-identical files. Defaults: --seed 2025\n"
               "--entities 9084 --products 17400 (products >= entities).\n",
               s_demo_usage);
        return -1;
    }
    if (!bad && a->rules && a->out && a->n_prod >= a->n_ent)
        return CTL_EXIT_OK;
    if (bad)
        fprintf(stderr, "ocop-demo: bad or incomplete argument '%s'\n", bad);
    else if (!a->rules || !a->out)
        fprintf(stderr, "ocop-demo: --rules DIR and --out DIR are required\n");
    else
        fprintf(stderr, "ocop-demo: --products (%" PRIu64 ") must be at least --entities (%" PRIu64 ")\n", a->n_prod,
                a->n_ent);
    fputs(s_demo_usage, stderr);
    return CTL_EXIT_USAGE;
}

/* What was written: entities by type, products, and how many provinces have an entity. */
static void s_report(const s_gen_t *g, const s_args_t *a, const s_entity_t *ents, const size_t *counts)
{
    size_t covered = 0;
    for (size_t p = 0, i = 0; p < g->n_provinces; p++, i = 0) {
        while (i < a->n_ent && g->communes[ents[i].commune].province != p)
            i++;
        covered += i < a->n_ent;
    }
    printf("demo: %" PRIu64
           " entities (%zu cooperative, %zu cooperative_group, %zu enterprise, %zu household_business, "
           "%zu farm), %" PRIu64 " products, %zu/%zu provinces; wrote %s/entities.csv and %s/products.csv\n",
           a->n_ent, counts[S_COOP], counts[S_GROUP], counts[S_ENTERPRISE], counts[S_HOUSEHOLD], counts[S_FARM],
           a->n_prod, covered, g->n_provinces, a->out, a->out);
}

static void s_gen_free(s_gen_t *g)
{
    free(g->provinces);
    free(g->communes);
    free(g->sets);
    free(g->specials);
    free(g->province_cum);
    free(g->set_cum);
    cJSON_Delete(g->units);
    cJSON_Delete(g->catalogue);
    cJSON_Delete(g->names);
}

int demo_generate(ctl_t *ctl, int argc, char **argv)
{
    (void)ctl;
    s_args_t a;
    int rc = s_args(argc, argv, &a);
    if (rc != CTL_EXIT_OK)
        return rc < 0 ? CTL_EXIT_OK : rc;
    size_t counts[S_TYPES] = {0}, assigned = 0;
    for (unsigned t = 0; t < S_TYPES; t++)
        assigned += counts[t] = (size_t)((a.n_ent * s_type_permille[t] + 500) / 1000);
    counts[S_HOUSEHOLD] += (size_t)a.n_ent - assigned;
    s_gen_t g = {.rng = a.seed};
    s_entity_t *ents = calloc((size_t)a.n_ent, sizeof *ents);
    rc = ents ? s_load(&g, a.rules, counts) : CTL_EXIT_FAILED;
    if (rc == CTL_EXIT_OK)
        rc = s_generate(&g, a.out, ents, (size_t)a.n_ent, (size_t)a.n_prod, counts);
    if (rc == CTL_EXIT_OK)
        s_report(&g, &a, ents, counts);
    free(ents);
    s_gen_free(&g);
    return rc;
}
