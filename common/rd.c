/*
 * Bounds-checked reader over untrusted binary data (rpm headers, BDB
 * pages, Go build info, tar fields). Every read checks `end` first and
 * fails with SG_EPARSE without moving the cursor.
 */
#include "sigil/common.h"

#include <string.h>

void sg_rd_init(struct sg_rd *rd, const void *data, size_t len)
{
    rd->p = data;
    rd->end = rd->p + len;
}

size_t sg_rd_left(const struct sg_rd *rd)
{
    return (size_t)(rd->end - rd->p);
}

/* The one error of every reader: fewer than n bytes left. The cursor
 * does not move on failure, so a caller may report its position. */
static sg_err truncated(const struct sg_rd *rd, size_t n)
{
    return sg_error_set(SG_EPARSE, "truncated input: need %zu bytes, %zu left",
                        n, sg_rd_left(rd));
}

sg_err sg_rd_u8(struct sg_rd *rd, uint8_t *v)
{
    if (sg_rd_left(rd) < 1)
        return truncated(rd, 1);
    *v = *rd->p++;
    return SG_OK;
}

sg_err sg_rd_u16be(struct sg_rd *rd, uint16_t *v)
{
    if (sg_rd_left(rd) < 2)
        return truncated(rd, 2);
    *v = (uint16_t)((unsigned)rd->p[0] << 8 | rd->p[1]);
    rd->p += 2;
    return SG_OK;
}

sg_err sg_rd_u16le(struct sg_rd *rd, uint16_t *v)
{
    if (sg_rd_left(rd) < 2)
        return truncated(rd, 2);
    *v = (uint16_t)((unsigned)rd->p[1] << 8 | rd->p[0]);
    rd->p += 2;
    return SG_OK;
}

sg_err sg_rd_u32be(struct sg_rd *rd, uint32_t *v)
{
    if (sg_rd_left(rd) < 4)
        return truncated(rd, 4);
    *v = (uint32_t)rd->p[0] << 24 | (uint32_t)rd->p[1] << 16 |
         (uint32_t)rd->p[2] << 8 | rd->p[3];
    rd->p += 4;
    return SG_OK;
}

sg_err sg_rd_u32le(struct sg_rd *rd, uint32_t *v)
{
    if (sg_rd_left(rd) < 4)
        return truncated(rd, 4);
    *v = (uint32_t)rd->p[3] << 24 | (uint32_t)rd->p[2] << 16 |
         (uint32_t)rd->p[1] << 8 | rd->p[0];
    rd->p += 4;
    return SG_OK;
}

sg_err sg_rd_u64be(struct sg_rd *rd, uint64_t *v)
{
    uint64_t x = 0;

    if (sg_rd_left(rd) < 8)
        return truncated(rd, 8);
    for (int i = 0; i < 8; i++)
        x = x << 8 | rd->p[i];
    rd->p += 8;
    *v = x;
    return SG_OK;
}

sg_err sg_rd_u64le(struct sg_rd *rd, uint64_t *v)
{
    uint64_t x = 0;

    if (sg_rd_left(rd) < 8)
        return truncated(rd, 8);
    for (int i = 7; i >= 0; i--)
        x = x << 8 | rd->p[i];
    rd->p += 8;
    *v = x;
    return SG_OK;
}

sg_err sg_rd_bytes(struct sg_rd *rd, size_t n, struct sg_slice *out)
{
    if (sg_rd_left(rd) < n)
        return truncated(rd, n);
    out->p = rd->p;
    out->n = n;
    rd->p += n;
    return SG_OK;
}

sg_err sg_rd_skip(struct sg_rd *rd, size_t n)
{
    if (sg_rd_left(rd) < n)
        return truncated(rd, n);
    rd->p += n;
    return SG_OK;
}

sg_err sg_rd_uvarint(struct sg_rd *rd, uint64_t *v)
{
    const unsigned char *p = rd->p;
    uint64_t x = 0;
    unsigned shift = 0;

    for (int i = 0; i < 10; i++) {
        if (p >= rd->end)
            return sg_error_set(SG_EPARSE, "truncated varint");
        unsigned char c = *p++;
        if (i == 9 && c > 1)
            return sg_error_set(SG_EPARSE, "varint overflows 64 bits");
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            rd->p = p;
            *v = x;
            return SG_OK;
        }
        shift += 7;
    }
    return sg_error_set(SG_EPARSE, "varint longer than 10 bytes");
}
