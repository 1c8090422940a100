/* ocop_text — validation of text fields at the edge of every handler. */
#ifndef OCOP_TEXT_H
#define OCOP_TEXT_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF)
 * and contains no C0 control characters other than tab, newline and carriage return, and no DEL. */
int ocop_text_valid_utf8(const char *s, size_t len);

/* What is wrong with a text field, if anything. */
typedef enum {
    OCOP_TEXT_FINE,
    OCOP_TEXT_MISSING,  /* empty and required */
    OCOP_TEXT_NOT_UTF8, /* not valid UTF-8, or a control character */
    OCOP_TEXT_TOO_LONG, /* more than max_chars code points */
} ocop_text_fault_t;

/* Checks a required/optional text field: non-empty when required, valid UTF-8, at most
 * max_chars code points. */
ocop_text_fault_t ocop_text_fault(const char *s, int required, size_t max_chars);
/* NULL for OCOP_TEXT_FINE, otherwise a static reason ("is required", "is not valid UTF-8",
 * "is too long"). */
const char *ocop_text_fault_reason(ocop_text_fault_t fault);
/* ocop_text_fault's reason. */
const char *ocop_text_check(const char *s, int required, size_t max_chars);

/* Number of code points in valid UTF-8. */
size_t ocop_text_chars(const char *s);

#endif
