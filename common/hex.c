/*
 * Hexadecimal: the one encoder and decoder of the tree (digests, UUIDs,
 * percent-escapes, Go h1: sums). Decoding accepts both cases, as every
 * caller's input (purls, SBOM checksums) may carry either; encoding is
 * always lower case, the form OCI digests require.
 */
#include "sigil/common.h"

int sg_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

sg_err
sg_hex_decode(unsigned char *out, size_t n_out, const char *hex, size_t len)
{
    if (len != 2 * n_out)
        return sg_error_set(SG_EPARSE, "hex: %zu digits, expected %zu", len,
                            2 * n_out);
    for (size_t i = 0; i < n_out; i++) {
        int h = sg_hex_digit((unsigned char)hex[2 * i]);
        int l = sg_hex_digit((unsigned char)hex[2 * i + 1]);

        if (h < 0 || l < 0)
            return sg_error_set(SG_EPARSE, "hex: bad digit at offset %zu",
                                h < 0 ? 2 * i : 2 * i + 1);
        out[i] = (unsigned char)(h * 16 + l);
    }
    return SG_OK;
}

void sg_hex_encode(char *out, const void *p, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = p;

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * len] = '\0';
}
