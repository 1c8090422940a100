/* reg_normalize — name keys through utf8proc (Unicode data from Debian's libutf8proc, no
 * hand-made tables) and Vietnamese phone numbers. */
#include "reg_normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Where a legal-form phrase is removed. */
enum {
    S_ENTITY_ANY = 1u << 0,  /* entity names, at any word position */
    S_ENTITY_LEAD = 1u << 1, /* entity names, only before the first word that is kept */
    S_PRODUCT_ANY = 1u << 2, /* product names, at any word position */
};
#define S_BOTH (S_ENTITY_ANY | S_PRODUCT_ANY)

/* Legal forms, written as folded keys (matched after folding, as whole words). Entities write
 * them freely around the same name ("HTX Tân Lập", "Hợp tác xã nông nghiệp Tân Lập",
 * "Công ty TNHH MTV ABC", "ABC Co., Ltd"), so they must not make two keys differ. Phrases
 * that cannot be an ordinary word (abbreviations, "cong ty", "hop tac xa") go anywhere; "co so"
 * (establishment, but folded also "có số", "cỏ sò"), "trang trai" (farm) and "cp" (also the
 * C.P. brand) are stripped only as a prefix of entity names, and never from product names,
 * where "gà trang trại" is a product. At each position the longest phrase wins, so "cong ty
 * tnhh" beats "cong ty"; "Công ty TNHH Một thành viên" is removed as two phrases. */
static const struct {
    const char *phrase;
    unsigned where;
} s_legal_forms[] = {
    /* cooperatives and cooperative groups (Luật Hợp tác xã 2023) */
    {"lien hiep hop tac xa", S_BOTH},
    {"lien hiep htx", S_BOTH},
    {"hop tac xa", S_BOTH},
    {"htx", S_BOTH},
    {"to hop tac", S_BOTH},
    {"tht", S_BOTH},
    /* enterprises (Luật Doanh nghiệp 2020), Vietnamese and the usual English forms */
    {"cong ty trach nhiem huu han", S_BOTH},
    {"cong ty tnhh", S_BOTH},
    {"cong ty co phan", S_BOTH},
    {"cong ty cp", S_BOTH},
    {"cong ty hop danh", S_BOTH},
    {"cong ty", S_BOTH},
    {"trach nhiem huu han", S_BOTH},
    {"tnhh", S_BOTH},
    {"ctcp", S_BOTH},
    {"mot thanh vien", S_BOTH},
    {"mtv", S_BOTH},
    {"doanh nghiep tu nhan", S_BOTH},
    {"dntn", S_BOTH},
    {"co ltd", S_BOTH},
    {"ltd", S_BOTH},
    {"jsc", S_BOTH},
    /* household businesses, establishments and farms */
    {"ho kinh doanh", S_BOTH},
    {"hkd", S_BOTH},
    {"co so san xuat", S_BOTH},
    {"co so", S_ENTITY_LEAD},
    {"trang trai", S_ENTITY_LEAD},
    {"cp", S_ENTITY_LEAD},
};

typedef struct {
    size_t off;
    size_t len;
} s_token_t;

/* utf8proc has no decomposition for đ/Đ (U+0111/U+0110): the stroke is part of the letter,
 * not a combining mark, so STRIPMARK leaves it and "Đồng" would never meet "Dong". This one
 * mapping is therefore explicit. Latin-1 Ð/ð (U+00D0/U+00F0, eth) are included because they
 * look identical and turn up from legacy TCVN3/VNI conversions and some keyboards. */
static utf8proc_int32_t s_fold_d_stroke(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x0110:
    case 0x0111:
    case 0x00D0:
    case 0x00F0:
        return 'd';
    default:
        return cp;
    }
}

/* Letters and digits make words; everything else (spaces, punctuation, symbols, controls)
 * separates them, so "Tân-Lập", "Tân  Lập" and "Tân, Lập" give one key. */
static int s_is_word_char(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Number of tokens from toks[i] on that spell phrase word by word, or 0. */
static size_t s_phrase_match(const char *s, const s_token_t *toks, size_t ntok, size_t i, const char *phrase)
{
    size_t matched = 0;
    const char *p = phrase;
    while (*p) {
        size_t wlen = strcspn(p, " ");
        if (i + matched >= ntok)
            return 0;
        const s_token_t *t = &toks[i + matched];
        if (t->len != wlen || memcmp(s + t->off, p, wlen) != 0)
            return 0;
        matched++;
        p += wlen;
        if (*p == ' ')
            p++;
    }
    return matched;
}

/* Number of tokens of the longest legal-form phrase at token i whose `where` intersects
 * `allowed` (0 when none). */
static size_t s_legal_form_at(const char *s, const s_token_t *toks, size_t ntok, size_t i, unsigned allowed)
{
    size_t best = 0;
    for (size_t k = 0; k < sizeof s_legal_forms / sizeof s_legal_forms[0]; k++) {
        if (!(s_legal_forms[k].where & allowed))
            continue;
        size_t n = s_phrase_match(s, toks, ntok, i, s_legal_forms[k].phrase);
        if (n > best)
            best = n;
    }
    return best;
}

/* any: phrases removed at every position; lead: those removed only before the first kept word. */
static char *s_normalize(const char *utf8, size_t len, unsigned any, unsigned lead)
{
    if (!utf8 && len > 0)
        return NULL;
    if (len == 0)
        return calloc(1, 1);
    if (len > (size_t)PTRDIFF_MAX)
        return NULL;

    /* One utf8proc pass does NFKC + casefold + mark stripping: per code point it applies the
     * đ mapping, case folding and the (compatibility) decomposition, drops combining marks and
     * default-ignorables (soft hyphen, ZWJ), then recomposes. NFC and NFD input therefore meet,
     * and so do both tone-mark placements ("hoà" a+grave vs "hòa" o+grave both become "hoa").
     * Compatibility folding also merges full-width letters and ligatures typed from phones. */
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t mlen = utf8proc_map_custom((const utf8proc_uint8_t *)utf8, (utf8proc_ssize_t)len, &mapped,
                                                UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                                    UTF8PROC_IGNORE | UTF8PROC_STRIPMARK,
                                                s_fold_d_stroke, NULL);
    if (mlen < 0)
        return NULL;

    const char *m = (const char *)mapped;
    /* Tokens are at least one byte and separated by at least one byte. */
    s_token_t *toks = malloc(((size_t)mlen / 2 + 1) * sizeof *toks);
    char *out = malloc((size_t)mlen + 1);
    if (!toks || !out) {
        free(toks);
        free(out);
        free(mapped);
        return NULL;
    }

    size_t ntok = 0;
    int in_word = 0;
    utf8proc_ssize_t pos = 0;
    while (pos < mlen) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(mapped + pos, mlen - pos, &cp);
        if (n <= 0) { /* utf8proc's own output is valid; stay defensive anyway */
            free(toks);
            free(out);
            free(mapped);
            return NULL;
        }
        if (s_is_word_char(cp)) {
            if (!in_word) {
                toks[ntok].off = (size_t)pos;
                toks[ntok].len = 0;
                ntok++;
                in_word = 1;
            }
            toks[ntok - 1].len += (size_t)n;
        } else {
            in_word = 0;
        }
        pos += n;
    }

    size_t olen = 0;
    size_t i = 0;
    while (i < ntok) {
        size_t skip = s_legal_form_at(m, toks, ntok, i, olen == 0 ? any | lead : any);
        if (skip > 0) {
            i += skip;
            continue;
        }
        if (olen > 0)
            out[olen++] = ' ';
        memcpy(out + olen, m + toks[i].off, toks[i].len);
        olen += toks[i].len;
        i++;
    }
    out[olen] = '\0';

    free(toks);
    free(mapped);
    return out;
}

char *reg_normalize_name(const char *utf8, size_t len)
{
    return s_normalize(utf8, len, S_ENTITY_ANY, S_ENTITY_LEAD);
}

char *reg_normalize_product_name(const char *utf8, size_t len)
{
    return s_normalize(utf8, len, S_PRODUCT_ANY, 0);
}

/* National significant number rules of the numbering plan in force since 2018: mobiles moved
 * to 9 digits (03x, 05x, 07x, 08x, 09x) and every landline area code to 02x/02xx, making
 * landlines 10 digits. Pre-2017 9-digit landlines no longer route and are refused ("(04) 3825
 * 1234"), except that those beginning 8 cannot be told from today's 08x mobiles. */
static int s_valid_national(const char *nsn, size_t n)
{
    if (n == 9)
        return strchr("35789", nsn[0]) != NULL;
    if (n == 10)
        return nsn[0] == '2';
    return 0;
}

int reg_normalize_phone(const char *in, char *out, size_t outlen)
{
    if (out && outlen > 0)
        out[0] = '\0';
    if (!in || !out || outlen < REG_PHONE_MAX)
        return -1;

    /* Longer than any valid form even with the "0084" prefix and a "(0)"; stop early so the
     * buffer is bounded whatever the input length. */
    char digits[16] = {0};
    size_t nd = 0;
    int plus = 0;
    const char *p = in;
    while (*p == ' ')
        p++;
    if (*p == '+') {
        plus = 1;
        p++;
    }
    for (; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (nd == sizeof digits)
                return -1;
            digits[nd++] = c;
        } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
            return -1;
        }
    }

    const char *nsn;
    size_t n;
    if (plus || (nd >= 4 && memcmp(digits, "0084", 4) == 0) || (nd >= 2 && memcmp(digits, "84", 2) == 0)) {
        size_t skip = plus ? 2 : (digits[0] == '0' ? 4 : 2);
        if (nd < skip || memcmp(digits + skip - 2, "84", 2) != 0)
            return -1;
        nsn = digits + skip;
        n = nd - skip;
        /* "+84 (0) 912 345 678": the trunk 0 written after the country code by habit. */
        if (n > 0 && nsn[0] == '0') {
            nsn++;
            n--;
        }
    } else if (nd >= 1 && digits[0] == '0') {
        nsn = digits + 1;
        n = nd - 1;
    } else {
        return -1;
    }
    if (!s_valid_national(nsn, n))
        return -1;

    memcpy(out, "+84", 3);
    memcpy(out + 3, nsn, n);
    out[3 + n] = '\0';
    return 0;
}
