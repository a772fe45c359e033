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

/* n bytes (at most 8) as an unsigned integer, the most significant byte
 * first (big endian) or last. */
static sg_err rd_uint(struct sg_rd *rd, size_t n, int big, uint64_t *v)
{
    uint64_t x = 0;

    if (sg_rd_left(rd) < n)
        return truncated(rd, n);
    for (size_t i = 0; i < n; i++)
        x = x << 8 | rd->p[big ? i : n - 1 - i];
    rd->p += n;
    *v = x;
    return SG_OK;
}

/* sg_rd_u16be … sg_rd_u64le: rd_uint at a fixed width and byte order; *v
 * is written only on success. */
#define RD_UINT(name, type, n, big)          \
    sg_err name(struct sg_rd *rd, type *v)   \
    {                                        \
        uint64_t x;                          \
        sg_err rc = rd_uint(rd, n, big, &x); \
        if (!rc)                             \
            *v = (type)x;                    \
        return rc;                           \
    }

RD_UINT(sg_rd_u16be, uint16_t, 2, 1)
RD_UINT(sg_rd_u16le, uint16_t, 2, 0)
RD_UINT(sg_rd_u32be, uint32_t, 4, 1)
RD_UINT(sg_rd_u32le, uint32_t, 4, 0)
RD_UINT(sg_rd_u64be, uint64_t, 8, 1)
RD_UINT(sg_rd_u64le, uint64_t, 8, 0)

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
