/* reg_similarity — trigram similarity of normalised name keys (see reg_normalize.h), in the
 * manner of PostgreSQL's pg_trgm: every word is padded as "  w " and cut into overlapping
 * 3-code-point trigrams; similarity is the Jaccard index |A ∩ B| / |A ∪ B| of the two sets.
 *
 * Screening a new name against many stored ones: build its reg_trigrams_t once with
 * reg_trigrams_from, then call reg_trigrams_similarity per candidate (a linear merge). */
#ifndef REG_SIMILARITY_H
#define REG_SIMILARITY_H

#include <stdint.h>

/* Similarity at or above which a product name from another entity in the same commune and
 * product set is flagged "near_duplicate" for review. Chosen from realistic pairs (normalised
 * product keys; the tests pin them):
 *   same product, reworded:   "mat ong rung u minh" / "... u minh ha"              0.86
 *                             "che" / "tra shan tuyet suoi giang" (synonym)         0.75
 *                             "tuong ban" / "tuong ban hung yen"                    0.56
 *                             "mat ong rung u minh" / "mat ong hoa tram u minh"     0.52
 *   different products:       "hat dieu rang muoi" / "hat dieu tam mat ong"         0.39
 *                             "vai thieu thanh ha" / "vai thieu luc ngan"           0.38
 *                             "ca phe bot nguyen chat" / "ca phe hat rang xay"      0.27
 *                             "mat ong" / "nuoc mam"                                0.13
 * Short names are the hard case: adding a two-word place to a two- or three-word name
 * already drops the score to about 0.5, so 0.6 would miss them; pg_trgm's search default 0.3
 * would flag every pair sharing a generic head ("mat ong", "hat dieu rang"). A flag only
 * queues a human review and the name is still accepted, while a missed duplicate reaches the
 * evaluation council, so the threshold leans to recall; variants such as "gao st25"/"gao st24"
 * (0.64) are flagged and left to the reviewer. */
#define REG_SIMILARITY_THRESHOLD 0.5

/* Cap on distinct trigrams kept per key. A key of n code points in w words yields at most
 * n + 1 trigrams (letters + words), so 512 covers names of about 500 characters, well past any
 * real product or entity name; beyond it only the trigrams of the first 512 positions are used
 * and `truncated` is set: differences past that point are then not seen. */
#define REG_TRIGRAMS_MAX 512

/* Sorted, duplicate-free trigram codes of one key. A trigram of three ASCII code points is
 * packed exactly into the low 24 bits; any other is a 31-bit hash with the top bit set, so
 * the two kinds never collide. Plain value type: no allocation, copy freely (about 2 KiB). */
typedef struct {
    uint32_t n;                      /* number of codes in gram[] */
    int truncated;                   /* 1 when the key had more than REG_TRIGRAMS_MAX */
    uint32_t gram[REG_TRIGRAMS_MAX]; /* ascending */
} reg_trigrams_t;

/* Fills *out with the trigram set of a NUL-terminated key; words are split on ASCII spaces
 * (keys from reg_normalize_* have no other separators). An empty key gives an empty set.
 * Returns 0, or -1 when key or out is NULL or the key is not valid UTF-8 (out is then empty). */
int reg_trigrams_from(const char *key, reg_trigrams_t *out);

/* Jaccard index of two sets, in [0, 1]; 1 for equal non-empty sets, 0 when either is empty
 * (a name with nothing distinctive left must not match every other such name). */
double reg_trigrams_similarity(const reg_trigrams_t *a, const reg_trigrams_t *b);

/* The same on bare sorted, duplicate-free code arrays (e.g. a copy of a set's first n codes). */
double reg_grams_similarity(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb);

/* reg_grams_similarity when it is at least threshold (0 < threshold <= 1), else 0 without
 * finishing the comparison: sets whose sizes alone keep them apart are not compared, and the
 * merge stops once the trigrams left cannot bring the common ones to what the threshold needs.
 * Screening asks this of every candidate, most of which fall short. */
double reg_grams_similarity_at_least(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb, double threshold);

/* reg_trigrams_from on both keys, then reg_trigrams_similarity; 0 when either key is
 * rejected by reg_trigrams_from. */
double reg_similarity(const char *a, const char *b);

#endif
