/*
 * Escaping untrusted text (registry strings, payload fields) before it
 * goes into a message that reaches a terminal or a log: every byte that
 * is not printable ASCII becomes \n, \r, \t or \xNN, so a registry can
 * neither start a new line (a forged "verified" line) nor send terminal
 * escape sequences. Printable ASCII, backslash included, is copied as
 * it is: escaping twice gives the same text as escaping once.
 */
#include "sigil/common.h"

#include <string.h>

static size_t escape_one(char out[5], unsigned char c)
{
    static const char hex[] = "0123456789abcdef";

    if (c >= 0x20 && c < 0x7f) {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '\\';
    if (c == '\n' || c == '\r' || c == '\t') {
        out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        return 2;
    }
    out[1] = 'x';
    out[2] = hex[c >> 4];
    out[3] = hex[c & 15];
    return 4;
}

sg_err sg_escape_buf(struct sg_buf *out, const void *s, size_t len)
{
    const unsigned char *p = s;
    char e[5];
    sg_err rc = SG_OK;

    for (size_t i = 0; !rc && i < len; i++)
        rc = sg_buf_add(out, e, escape_one(e, p[i]));
    return rc;
}

const char *sg_escape(char *dst, size_t cap, const char *s)
{
    size_t n = 0, k;
    char e[5];

    if (!cap)
        return dst;
    dst[0] = '\0';
    if (!s)
        return dst;
    for (; *s; s++) {
        k = escape_one(e, (unsigned char)*s);
        if (n + k + 1 > cap) {
            /* Truncated: mark it, within the array. */
            if (cap >= 4)
                memcpy(dst + (n > cap - 4 ? cap - 4 : n), "...", 4);
            return dst;
        }
        memcpy(dst + n, e, k);
        n += k;
        dst[n] = '\0';
    }
    return dst;
}
