/* ocop_stored — see ocop_stored.h. */
#include "ocop_stored.h"

#include <errno.h>
#include <string.h>
#include <zstd.h>

/* zstd's fastest level: the values are small and written on the service loop; it already
 * takes a 4.6 KB evaluation result to about 800 bytes. */
#define S_LEVEL 1

int ocop_stored_pack(ocop_arena_t *arena, const void *data, size_t len, const void **out, size_t *out_len)
{
    *out = data;
    *out_len = len;
    if (len < OCOP_STORED_COMPRESS_MIN || len > OCOP_STORED_MESSAGE_MAX)
        return 0;
    size_t bound = ZSTD_compressBound(len);
    uint8_t *buf = ocop_arena_alloc(arena, 1 + bound);
    if (!buf)
        return -1;
    /* Each frame records the message's size (so that reading it allocates exactly that) and a
     * checksum of it (so that a damaged value is refused rather than read as other bytes). */
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (!cctx)
        return -1;
    size_t n = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, S_LEVEL);
    if (!ZSTD_isError(n))
        n = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (!ZSTD_isError(n))
        n = ZSTD_compress2(cctx, buf + 1, bound, data, len);
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(n) || 1 + n >= len)
        return 0; /* kept as it is: nothing is lost by not compressing */
    buf[0] = OCOP_STORED_COMPRESSED;
    *out = buf;
    *out_len = 1 + n;
    return 0;
}

int ocop_stored_open(ocop_arena_t *arena, const void *stored, size_t len, const void **out, size_t *out_len)
{
    const uint8_t *s = stored;
    *out = stored;
    *out_len = len;
    if (len == 0 || s[0] != OCOP_STORED_COMPRESSED)
        return 0;
    unsigned long long size = ZSTD_getFrameContentSize(s + 1, len - 1);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size == 0 ||
        size > OCOP_STORED_MESSAGE_MAX)
        return EBADMSG;
    uint8_t *buf = ocop_arena_alloc(arena, (size_t)size);
    if (!buf)
        return ENOMEM;
    size_t n = ZSTD_decompress(buf, (size_t)size, s + 1, len - 1);
    if (ZSTD_isError(n) || n != size)
        return EBADMSG;
    *out = buf;
    *out_len = n;
    return 0;
}
