/* ocop_shard_id — see ocop_shard_id.h. */
#include "ocop_shard_id.h"

#include <stdio.h>
#include <string.h>

/* Digits without a leading zero, at least one, into *v (at most max); the end, or NULL. */
static const char *s_number(const char *p, uint64_t max, uint64_t *v)
{
    if (*p < '1' || *p > '9')
        return NULL;
    uint64_t x = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (max - d) / 10)
            return NULL;
        x = x * 10 + d;
    }
    *v = x;
    return p;
}

int ocop_shard_id_parse(const char *id, const char *prefix, unsigned *shard, uint64_t *n)
{
    if (!id || strlen(id) > OCOP_SHARD_ID_MAX)
        return -1;
    const char *p = id;
    if (prefix) {
        size_t plen = strlen(prefix);
        if (plen == 0 || strncmp(id, prefix, plen) != 0)
            return -1;
        p += plen;
    }
    const char *kind = p;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    /* After the given prefix no capital may follow ("CERT1-2" is not a "C" id); without one,
     * at least one capital makes the kind. */
    if (prefix ? p != kind : p == id)
        return -1;
    uint64_t s, number;
    if (!(p = s_number(p, OCOP_SHARD_MAX, &s)) || *p != '-' || !(p = s_number(p + 1, UINT64_MAX, &number)) || *p)
        return -1;
    if (shard)
        *shard = (unsigned)s;
    if (n)
        *n = number;
    return 0;
}

int ocop_shard_id_format(char *out, size_t len, const char *prefix, unsigned shard, uint64_t n)
{
    int w = snprintf(out, len, "%s%u-%llu", prefix, shard, (unsigned long long)n);
    if (w < 0 || (size_t)w >= len || ocop_shard_id_parse(out, prefix, NULL, NULL) != 0) {
        if (len)
            out[0] = '\0';
        return -1;
    }
    return 0;
}
