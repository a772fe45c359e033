/*
 * Streaming layer decompression chosen by magic bytes, not media type:
 * gzip (1f 8b; zlib, or isa-l's igzip when built with it), zstd (28 b5 2f
 * fd; libzstd streaming), anything else is passed through as plain tar.
 * Concatenated gzip members and zstd frames are followed. The ratio of
 * decompressed to compressed bytes is checked continuously (after the
 * first 8 MiB) against sg_limits ratio_max.
 */
#include "sbom_core.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>
#ifdef SG_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define IN_CAP      (128u * 1024u)
#define RATIO_FLOOR (8u * 1024u * 1024u)

struct sg_inflate {
    uint64_t ratio_max; /* from the ctx's limits */
    sg_inflate_src src;
    void *payload;
    enum sg_codec codec;
    int use_isal;
    int src_eof;
    int done;
    int zinit;
    unsigned char *in;
    size_t in_pos, in_len;
    uint64_t total_in;  /* compressed bytes consumed */
    uint64_t total_out; /* decompressed bytes produced */
    z_stream z;
    ZSTD_DCtx *zd;
#ifdef SG_HAVE_ISAL
    struct inflate_state *isal;
#endif
};

static sg_err fill(struct sg_inflate *z)
{
    size_t n = 0;
    sg_err rc;

    if (z->in_pos < z->in_len || z->src_eof)
        return SG_OK;
    z->in_pos = z->in_len = 0;
    rc = z->src(z->in, IN_CAP, &n, z->payload);
    if (rc)
        return rc;
    if (n == 0)
        z->src_eof = 1;
    z->in_len = n;
    return SG_OK;
}

/* Read at least `want` bytes (or to the end) into the input buffer
 * without consuming them, for magic detection. */
static sg_err peek(struct sg_inflate *z, size_t want)
{
    while (z->in_len - z->in_pos < want && !z->src_eof) {
        size_t n = 0;
        sg_err rc;
        if (z->in_pos > 0) {
            memmove(z->in, z->in + z->in_pos, z->in_len - z->in_pos);
            z->in_len -= z->in_pos;
            z->in_pos = 0;
        }
        rc = z->src(z->in + z->in_len, IN_CAP - z->in_len, &n, z->payload);
        if (rc)
            return rc;
        if (n == 0)
            z->src_eof = 1;
        z->in_len += n;
    }
    return SG_OK;
}

sg_err sg_inflate_create(struct sg_inflate **out,
                         sg_inflate_src src,
                         void *payload,
                         const struct sg_ctx *ctx)
{
    struct sg_inflate *z;
    const unsigned char *m;
    const struct sg_ctx *c = sg_ctx_get(ctx);
    sg_err rc;

    *out = NULL;
    z = calloc(1, sizeof(*z));
    if (!z)
        return sg_error_oom();
    z->in = malloc(IN_CAP);
    if (!z->in) {
        free(z);
        return sg_error_oom();
    }
    z->src = src;
    z->payload = payload;
    z->ratio_max = c->limits.ratio_max;
    rc = peek(z, 4);
    if (rc) {
        sg_inflate_free(z);
        return rc;
    }
    m = z->in + z->in_pos;
    if (z->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        z->codec = SG_CODEC_GZIP;
#ifdef SG_HAVE_ISAL
        z->use_isal = c->inflate != SG_INFLATE_ZLIB;
#endif
    } else if (z->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
               m[3] == 0xfd) {
        z->codec = SG_CODEC_ZSTD;
    } else {
        z->codec = SG_CODEC_TAR;
    }
    if (z->codec == SG_CODEC_GZIP && !z->use_isal) {
        if (inflateInit2(&z->z, 15 + 16) != Z_OK) {
            sg_inflate_free(z);
            return sg_error_oom();
        }
        z->zinit = 1;
    }
#ifdef SG_HAVE_ISAL
    if (z->codec == SG_CODEC_GZIP && z->use_isal) {
        z->isal = calloc(1, sizeof(*z->isal));
        if (!z->isal) {
            sg_inflate_free(z);
            return sg_error_oom();
        }
        isal_inflate_init(z->isal);
        z->isal->crc_flag = ISAL_GZIP;
    }
#endif
    if (z->codec == SG_CODEC_ZSTD) {
        z->zd = ZSTD_createDCtx();
        if (!z->zd) {
            sg_inflate_free(z);
            return sg_error_oom();
        }
    }
    *out = z;
    return SG_OK;
}

/* After a gzip member ended: is another one following? */
static sg_err next_member(struct sg_inflate *z, int *more)
{
    sg_err rc = peek(z, 2);

    *more = 0;
    if (rc)
        return rc;
    if (z->in_len - z->in_pos >= 2 && z->in[z->in_pos] == 0x1f &&
        z->in[z->in_pos + 1] == 0x8b)
        *more = 1;
    return SG_OK;
}

static sg_err
read_gzip_zlib(struct sg_inflate *z, void *out, size_t cap, size_t *n)
{
    z->z.next_out = out;
    z->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (z->z.avail_out == cap && !z->done) {
        int r;
        uLong before;
        sg_err rc = fill(z);
        if (rc)
            return rc;
        if (z->in_pos == z->in_len)
            return sg_error_set(SG_EPARSE, "gzip: unexpected end of data");
        z->z.next_in = z->in + z->in_pos;
        z->z.avail_in = (uInt)(z->in_len - z->in_pos);
        before = z->z.avail_in;
        r = inflate(&z->z, Z_NO_FLUSH);
        z->total_in += before - z->z.avail_in;
        z->in_pos = z->in_len - z->z.avail_in;
        if (r == Z_STREAM_END) {
            int more;
            rc = next_member(z, &more);
            if (rc)
                return rc;
            if (more)
                inflateReset(&z->z);
            else
                z->done = 1;
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            return sg_error_set(SG_EPARSE, "gzip: %s",
                                z->z.msg ? z->z.msg : "corrupt data");
        }
    }
    *n = cap - z->z.avail_out;
    return SG_OK;
}

#ifdef SG_HAVE_ISAL
static sg_err
read_gzip_isal(struct sg_inflate *z, void *out, size_t cap, size_t *n)
{
    struct inflate_state *st = z->isal;

    st->next_out = out;
    st->avail_out = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    while (st->avail_out == cap && !z->done) {
        int r;
        uint32_t before;
        sg_err rc = fill(z);
        if (rc)
            return rc;
        if (z->in_pos == z->in_len)
            return sg_error_set(SG_EPARSE, "gzip: unexpected end of data");
        st->next_in = z->in + z->in_pos;
        st->avail_in = (uint32_t)(z->in_len - z->in_pos);
        before = st->avail_in;
        r = isal_inflate(st);
        z->total_in += before - st->avail_in;
        z->in_pos = z->in_len - st->avail_in;
        if (r < 0)
            return sg_error_set(SG_EPARSE, "gzip: corrupt data (isa-l %d)", r);
        if (st->block_state == ISAL_BLOCK_FINISH) {
            int more;
            rc = next_member(z, &more);
            if (rc)
                return rc;
            if (more) {
                isal_inflate_reset(st);
                st->crc_flag = ISAL_GZIP;
            } else {
                z->done = 1;
            }
        }
    }
    *n = cap - st->avail_out;
    return SG_OK;
}
#endif

static sg_err read_zstd(struct sg_inflate *z, void *out, size_t cap, size_t *n)
{
    ZSTD_outBuffer ob = { out, cap, 0 };
    size_t last = 1; /* 0 when the last frame is complete */

    while (ob.pos == 0 && !z->done) {
        ZSTD_inBuffer ib;
        sg_err rc = fill(z);
        if (rc)
            return rc;
        if (z->in_pos == z->in_len) {
            if (last != 0 && z->total_out == 0)
                return sg_error_set(SG_EPARSE, "zstd: unexpected end");
            z->done = 1;
            break;
        }
        ib.src = z->in;
        ib.size = z->in_len;
        ib.pos = z->in_pos;
        last = ZSTD_decompressStream(z->zd, &ob, &ib);
        z->total_in += ib.pos - z->in_pos;
        z->in_pos = ib.pos;
        if (ZSTD_isError(last))
            return sg_error_set(SG_EPARSE, "zstd: %s", ZSTD_getErrorName(last));
    }
    *n = ob.pos;
    return SG_OK;
}

sg_err sg_inflate_read(struct sg_inflate *z, void *out, size_t cap, size_t *n)
{
    uint64_t ratio = z->ratio_max;
    sg_err rc;

    *n = 0;
    if (z->done)
        return SG_OK;
    switch (z->codec) {
    case SG_CODEC_TAR:
        rc = fill(z);
        if (rc)
            return rc;
        *n = z->in_len - z->in_pos;
        if (*n > cap)
            *n = cap;
        memcpy(out, z->in + z->in_pos, *n);
        z->in_pos += *n;
        z->total_in += *n;
        if (*n == 0)
            z->done = 1;
        break;
    case SG_CODEC_GZIP:
#ifdef SG_HAVE_ISAL
        if (z->use_isal) {
            rc = read_gzip_isal(z, out, cap, n);
            break;
        }
#endif
        rc = read_gzip_zlib(z, out, cap, n);
        break;
    case SG_CODEC_ZSTD:
        rc = read_zstd(z, out, cap, n);
        break;
    default:
        rc = sg_error_set(SG_EINTERNAL, "unknown codec");
    }
    if (rc)
        return rc;
    z->total_out += *n;
    if (ratio && z->total_out >= RATIO_FLOOR &&
        z->total_out / (z->total_in ? z->total_in : 1) > ratio)
        return sg_error_set(SG_ELIMIT, "decompression bomb: ratio over %llu",
                            (unsigned long long)ratio);
    return SG_OK;
}

enum sg_codec sg_inflate_codec(const struct sg_inflate *z)
{
    return z->codec;
}

const char *sg_inflate_backend(const struct sg_inflate *z)
{
    switch (z->codec) {
    case SG_CODEC_GZIP:
        return z->use_isal ? "isal" : "zlib";
    case SG_CODEC_ZSTD:
        return "zstd";
    case SG_CODEC_TAR:
        break;
    }
    return "none";
}

uint64_t sg_inflate_total_in(const struct sg_inflate *z)
{
    return z->total_in;
}

uint64_t sg_inflate_total_out(const struct sg_inflate *z)
{
    return z->total_out;
}

void sg_inflate_free(struct sg_inflate *z)
{
    if (!z)
        return;
    if (z->zinit)
        inflateEnd(&z->z);
    if (z->zd)
        ZSTD_freeDCtx(z->zd);
#ifdef SG_HAVE_ISAL
    free(z->isal);
#endif
    free(z->in);
    free(z);
}
