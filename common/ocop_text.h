/* ocop_text — validation of text fields at the edge of every handler. */
#ifndef OCOP_TEXT_H
#define OCOP_TEXT_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF)
 * and contains no C0 control characters other than tab, newline and carriage return, and no DEL. */
int ocop_text_valid_utf8(const char *s, size_t len);

/* Checks a required/optional text field: non-empty when required, at most max_chars code
 * points, valid UTF-8. Returns NULL when fine, otherwise a static reason
 * ("is required", "is not valid UTF-8", "is too long"). */
const char *ocop_text_check(const char *s, int required, size_t max_chars);

/* Number of code points in valid UTF-8. */
size_t ocop_text_chars(const char *s);

#endif
