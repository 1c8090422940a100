/* ocop_seq_id — see ocop_seq_id.h. */
#include "ocop_seq_id.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int s_kind_ok(const char *kind)
{
    if (!kind || !*kind)
        return 0;
    for (const char *p = kind; *p; p++)
        if (*p < 'A' || *p > 'Z')
            return 0;
    return 1;
}

int ocop_seq_id_format(char *out, size_t len, const char *kind, unsigned width, uint64_t n)
{
    if (!s_kind_ok(kind) || n == 0 || width > 20)
        return -1;
    int w = snprintf(out, len, "%s-%0*" PRIu64, kind, (int)width, n);
    return w > 0 && (size_t)w < len && (size_t)w <= OCOP_SEQ_ID_MAX ? 0 : -1;
}

char *ocop_seq_id_new(ocop_arena_t *arena, const char *kind, unsigned width, uint64_t n)
{
    char id[OCOP_SEQ_ID_MAX + 1];
    return ocop_seq_id_format(id, sizeof id, kind, width, n) == 0 ? ocop_arena_strdup(arena, id) : NULL;
}

int ocop_seq_id_parse(const char *id, size_t len, const char *kind, unsigned width, uint64_t *n)
{
    size_t k = strlen(kind);
    if (!s_kind_ok(kind) || len > OCOP_SEQ_ID_MAX || len < k + 1 + width || len == k + 1 || memcmp(id, kind, k) != 0 ||
        id[k] != '-')
        return -1;
    const char *digits = id + k + 1;
    size_t n_digits = len - k - 1;
    uint64_t v = 0;
    for (size_t i = 0; i < n_digits; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        unsigned d = (unsigned)(digits[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    /* Written as format writes it: past the padding, no leading zero. */
    if (v == 0 || (n_digits > width && digits[0] == '0'))
        return -1;
    if (n)
        *n = v;
    return 0;
}
