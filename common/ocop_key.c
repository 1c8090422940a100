/* ocop_key — see ocop_key.h. */
#include "ocop_key.h"

#include <string.h>

void ocop_key_init(ocop_key_t *key)
{
    key->len = 0;
    key->overflow = 0;
}

static void s_key_append(ocop_key_t *key, const void *data, size_t len)
{
    if (key->overflow || len > OCOP_KEY_MAX - key->len) {
        key->overflow = 1;
        return;
    }
    if (len == 0) /* data may then be NULL (an empty bytes field) */
        return;
    memcpy(key->buf + key->len, data, len);
    key->len += len;
}

void ocop_key_str(ocop_key_t *key, const char *s)
{
    if (!s)
        s = "";
    s_key_append(key, s, strlen(s) + 1);
}

void ocop_key_bytes(ocop_key_t *key, const void *data, size_t len)
{
    s_key_append(key, data, len);
}

int ocop_bytes_cmp(ocop_bytes_t a, ocop_bytes_t b)
{
    size_t common = a.size < b.size ? a.size : b.size;
    int c = common ? memcmp(a.data, b.data, common) : 0;
    if (c != 0 || a.size == b.size)
        return c;
    return a.size < b.size ? -1 : 1;
}

void ocop_key_u64(ocop_key_t *key, uint64_t v)
{
    uint8_t b[8];
    ocop_be64_put(b, v);
    s_key_append(key, b, sizeof b);
}

void ocop_key_u32(ocop_key_t *key, uint32_t v)
{
    uint8_t b[4];
    ocop_be32_put(b, v);
    s_key_append(key, b, sizeof b);
}

void ocop_be64_put(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t ocop_be64_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

void ocop_be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint32_t ocop_be32_get(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | p[i];
    return v;
}
