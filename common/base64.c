/*
 * Strict base64 (RFC 4648 standard alphabet, padded). Decoding rejects
 * stray characters and bad padding rather than guessing: signatures and
 * keys come from untrusted places.
 */
#include "sigil/common.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

sg_err sg_base64_encode(struct sg_buf *out, const void *p, size_t len)
{
    const unsigned char *s = p;
    size_t i, olen;
    char *o;
    sg_err rc;

    if (len > (SG_BUF_NOLIMIT / 4) * 3 - 3)
        return sg_error_set(SG_ELIMIT, "base64: input too large");
    olen = (len + 2) / 3 * 4;
    rc = sg_buf_grow(out, olen);
    if (rc)
        return rc;
    o = out->data + out->len;
    for (i = 0; i + 2 < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = b64[(v >> 6) & 63];
        *o++ = b64[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)s[i + 1] << 8;
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    out->len += olen;
    out->data[out->len] = '\0';
    return SG_OK;
}

static int val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

sg_err sg_base64_decode(struct sg_buf *out, const char *s, size_t len)
{
    unsigned acc = 0;
    int nbits = 0, pad = 0;
    size_t nchars = 0;
    sg_err rc;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int v;

        if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            continue;
        nchars++;
        if (c == '=') {
            pad++;
            if (pad > 2)
                goto bad;
            continue;
        }
        if (pad)
            goto bad; /* data after padding */
        v = val(c);
        if (v < 0)
            goto bad;
        acc = (acc << 6) | (unsigned)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            rc = sg_buf_addc(out, (char)((acc >> nbits) & 0xff));
            if (rc)
                return rc;
        }
    }
    if (nchars % 4 != 0)
        goto bad;
    /* Leftover bits must be zero (canonical encoding). */
    if (nbits && (acc & ((1u << nbits) - 1u)))
        goto bad;
    if ((pad == 1 && nbits != 2) || (pad == 2 && nbits != 4) ||
        (pad == 0 && nbits != 0))
        goto bad;
    return SG_OK;
bad:
    sg_buf_release(out);
    return sg_error_set(SG_EPARSE, "invalid base64");
}
