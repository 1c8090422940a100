/* reg_similarity — pg_trgm-style trigram sets as sorted arrays, compared by merge. */
#include "reg_similarity.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ASCII trigrams (the usual case: keys are folded Vietnamese) pack losslessly; others are
 * hashed with FNV-1a and marked by the top bit so they cannot equal a packed one. */
static uint32_t s_trigram_code(const utf8proc_int32_t t[3])
{
    if (t[0] < 0x80 && t[1] < 0x80 && t[2] < 0x80)
        return ((uint32_t)t[0] << 16) | ((uint32_t)t[1] << 8) | (uint32_t)t[2];
    uint32_t h = 2166136261u;
    for (int i = 0; i < 3; i++) {
        uint32_t cp = (uint32_t)t[i];
        for (int b = 0; b < 4; b++) {
            h ^= (cp >> (8 * b)) & 0xFFu;
            h *= 16777619u;
        }
    }
    return h | 0x80000000u;
}

static int s_cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

/* Names give a few dozen trigrams, where insertion sort beats qsort (glibc's is a merge sort
 * that allocates); long keys still go to qsort. */
#define S_INSERTION_SORT_MAX 64

static void s_sort(uint32_t *v, uint32_t n)
{
    if (n > S_INSERTION_SORT_MAX) {
        qsort(v, n, sizeof v[0], s_cmp_u32);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Appends one trigram, or marks the set truncated when it is full. */
static void s_push(reg_trigrams_t *out, const utf8proc_int32_t t[3])
{
    if (out->n == REG_TRIGRAMS_MAX) {
        out->truncated = 1;
        return;
    }
    out->gram[out->n++] = s_trigram_code(t);
}

int reg_trigrams_from(const char *key, reg_trigrams_t *out)
{
    if (!out)
        return -1;
    out->n = 0;
    out->truncated = 0;
    if (!key)
        return -1;

    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)key;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(key);
    utf8proc_ssize_t pos = 0;
    /* Each word is read as the padded "  w ": a trigram is emitted per code point (with the
     * two before it) and one more at the word's end, ending in the pad space. */
    utf8proc_int32_t prev2 = ' ', prev1 = ' ';
    int in_word = 0;
    /* Past the cap the rest is still read, so invalid UTF-8 anywhere is reported. */
    while (pos <= len) {
        utf8proc_int32_t cp = ' '; /* the terminating NUL ends the last word */
        if (pos < len) {
            utf8proc_ssize_t n = utf8proc_iterate(p + pos, len - pos, &cp);
            if (n <= 0) {
                out->n = 0;
                out->truncated = 0;
                return -1;
            }
            pos += n;
        } else {
            pos++;
        }
        if (cp == ' ') {
            if (in_word) {
                const utf8proc_int32_t t[3] = {prev2, prev1, ' '};
                s_push(out, t);
                in_word = 0;
            }
            continue;
        }
        if (!in_word) {
            prev2 = prev1 = ' ';
            in_word = 1;
        }
        const utf8proc_int32_t t[3] = {prev2, prev1, cp};
        s_push(out, t);
        prev2 = prev1;
        prev1 = cp;
    }

    s_sort(out->gram, out->n);
    uint32_t u = 0;
    for (uint32_t i = 0; i < out->n; i++)
        if (u == 0 || out->gram[u - 1] != out->gram[i])
            out->gram[u++] = out->gram[i];
    out->n = u;
    return 0;
}

/* The codes a and b share, counted by merge; once the codes left cannot bring the count to need,
 * it stops and answers less than need. */
static uint32_t s_common(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, uint32_t need)
{
    uint32_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        uint32_t left = na - i < nb - j ? na - i : nb - j;
        if (common + left < need)
            return common;
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return common;
}

double reg_grams_similarity(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    if (!a || !b || na == 0 || nb == 0)
        return 0.0;
    uint32_t common = s_common(a, na, b, nb, 0);
    return (double)common / (double)(na + nb - common);
}

/* The fewest common trigrams c at which sets of na and nb reach threshold, computed as
 * reg_grams_similarity computes it (c / (na + nb - c), in double), so both agree at the edge;
 * more than the smaller set when they cannot. */
static uint32_t s_common_needed(uint32_t na, uint32_t nb, double threshold)
{
    uint32_t most = na < nb ? na : nb;
    uint32_t c = (uint32_t)(threshold * (double)(na + nb) / (1.0 + threshold)); /* within one of it */
    if (c > most)
        c = most;
    while (c > 0 && (double)(c - 1) / (double)(na + nb - (c - 1)) >= threshold)
        c--;
    while (c <= most && (double)c / (double)(na + nb - c) < threshold)
        c++;
    return c;
}

double reg_grams_similarity_at_least(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, double threshold)
{
    if (!a || !b || na == 0 || nb == 0)
        return 0.0;
    uint32_t need = s_common_needed(na, nb, threshold);
    if (need > (na < nb ? na : nb))
        return 0.0;
    uint32_t common = s_common(a, na, b, nb, need);
    return common < need ? 0.0 : (double)common / (double)(na + nb - common);
}

double reg_trigrams_similarity(const reg_trigrams_t *a, const reg_trigrams_t *b)
{
    if (!a || !b)
        return 0.0;
    return reg_grams_similarity(a->gram, a->n, b->gram, b->n);
}

double reg_similarity(const char *a, const char *b)
{
    reg_trigrams_t ta, tb;
    if (reg_trigrams_from(a, &ta) != 0 || reg_trigrams_from(b, &tb) != 0)
        return 0.0;
    return reg_trigrams_similarity(&ta, &tb);
}
