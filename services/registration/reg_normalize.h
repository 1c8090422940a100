/* reg_normalize — comparison keys for duplicate screening: Vietnamese-aware name folding and
 * phone numbers in E.164.
 *
 * A key is lower-case ASCII-like text (letters and digits of any script, diacritics removed)
 * with words separated by single spaces, no leading or trailing space. Two spellings of the
 * same name give the same key whatever the input normalisation (NFC/NFD), the tone-mark
 * placement ("hoà"/"hòa", "thuỷ"/"thủy"), case, punctuation, or the legal form written
 * around the name ("HTX", "Công ty TNHH", "Hộ kinh doanh", ...).
 *
 * Keys are for matching only: never show them to users in place of the name as registered. */
#ifndef REG_NORMALIZE_H
#define REG_NORMALIZE_H

#include <stddef.h>

/* Key of an economic entity's name (cooperative, enterprise, household business, farm).
 * Legal-form words are removed wherever they are unambiguous ("htx", "cong ty tnhh", ...)
 * and the ambiguous ones ("co so", "trang trai", "cp") only in front of the name.
 * utf8[0..len) need not be NUL-terminated; utf8 may be NULL when len is 0.
 * Returns a malloc'd NUL-terminated key the caller frees, "" (also malloc'd) when nothing
 * distinctive is left (e.g. "Công ty TNHH"), or NULL for invalid UTF-8 or out of memory. */
char *reg_normalize_name(const char *utf8, size_t len);

/* Key of a product name. Same folding as reg_normalize_name, and the producer's legal form
 * is removed when a product name embeds it ("Nước mắm Phú Quốc - Công ty TNHH Hồng Hạnh"),
 * but "co so", "trang trai" and "cp" are kept because in product names they are product
 * words ("gà trang trại") or brands. Same ownership and errors as reg_normalize_name. */
char *reg_normalize_product_name(const char *utf8, size_t len);

/* Room reg_normalize_phone needs: "+84" + at most 10 digits + NUL. */
#define REG_PHONE_MAX 14

/* Normalises a Vietnamese phone number to E.164 ("+84912345678") in out[0..outlen).
 * Accepts a domestic form with leading 0 ("0912 345 678", "(024) 3825 1234") or an
 * international one ("+84 912-345-678", "84912345678", "0084 ...", "+84 (0) 912 ...");
 * spaces, '-', '.', '(' and ')' are ignored. Valid national numbers (plan in force since
 * 2018) are mobiles of 9 digits starting 3, 5, 7, 8 or 9 and landlines of 10 digits starting
 * 2 (area code 2x or 2xx plus subscriber number).
 * Returns 0, or -1 for NULL input, letters or other characters, a wrong length or prefix,
 * or outlen < REG_PHONE_MAX; out is then set to "" when outlen > 0. */
int reg_normalize_phone(const char *in, char *out, size_t outlen);

#endif
