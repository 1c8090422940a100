/* ocop_text — strict UTF-8 checks (RFC 3629) for text fields at the edge of every handler. */
#include "ocop_text.h"

#include <stdint.h>
#include <string.h>

/* Control characters corrupt logs, terminals and exports; tab, newline and carriage return
 * are the only ones ordinary text needs. */
static int s_control_ok(uint32_t cp)
{
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    return cp != 0x7F;
}

int ocop_text_valid_utf8(const char *s, size_t len)
{
    if (!s)
        return len == 0;
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        uint32_t cp;
        size_t n;
        uint32_t min;
        if (c < 0x80) {
            if (!s_control_ok(c))
                return 0;
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (len - i - 1 < n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            uint8_t cc = p[i + k];
            if ((cc & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

size_t ocop_text_chars(const char *s)
{
    if (!s)
        return 0;
    size_t count = 0;
    for (const uint8_t *p = (const uint8_t *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            count++;
    return count;
}

ocop_text_fault_t ocop_text_fault(const char *s, int required, size_t max_chars)
{
    if (!s || !*s)
        return required ? OCOP_TEXT_MISSING : OCOP_TEXT_FINE;
    if (!ocop_text_valid_utf8(s, strlen(s)))
        return OCOP_TEXT_NOT_UTF8;
    if (ocop_text_chars(s) > max_chars)
        return OCOP_TEXT_TOO_LONG;
    return OCOP_TEXT_FINE;
}

const char *ocop_text_fault_reason(ocop_text_fault_t fault)
{
    switch (fault) {
    case OCOP_TEXT_MISSING:
        return "is required";
    case OCOP_TEXT_NOT_UTF8:
        return "is not valid UTF-8";
    case OCOP_TEXT_TOO_LONG:
        return "is too long";
    default:
        return NULL;
    }
}

const char *ocop_text_check(const char *s, int required, size_t max_chars)
{
    return ocop_text_fault_reason(ocop_text_fault(s, required, max_chars));
}
