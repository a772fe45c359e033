/* libFuzzer harness: a layer cache entry's payload (sbom/layercache.c).
 * The input is the payload; the harness adds the header with its length
 * and digest, so that mutations reach the payload parser instead of all
 * failing the digest check, and asks for the layer the payload names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/layercache_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The i-th string of the payload (u32 LE length + 1, then the bytes). */
static char *nth_str(const uint8_t *d, size_t n, int i)
{
    size_t o = 0;

    for (;;) {
        uint32_t l;
        char *s;
        if (n - o < 4)
            return NULL;
        l = (uint32_t)d[o] | (uint32_t)d[o + 1] << 8 |
            (uint32_t)d[o + 2] << 16 | (uint32_t)d[o + 3] << 24;
        o += 4;
        if (l == 0 || l - 1 > n - o)
            return NULL;
        if (i-- == 0) {
            s = malloc(l);
            if (s) {
                memcpy(s, d + o, l - 1);
                s[l - 1] = '\0';
            }
            return s;
        }
        o += l - 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_layer_view v;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);
    char d[SG_DIGEST_STR_MAX];
    char *blob = nth_str(data, size, 0), *diff = nth_str(data, size, 1);
    char **w = NULL;
    size_t nw = 0;
    uint64_t charged;
    unsigned char hdr[80] = { 'S', 'G', 'L', 'C', SG_LAYER_CACHE_FORMAT };

    for (int i = 0; i < 8; i++)
        hdr[8 + i] = (unsigned char)((uint64_t)size >> (8 * i));
    if (blob && sg_sha256_digest(d, data, size) == SG_OK &&
        sg_buf_add(&b, hdr, sizeof(hdr)) == SG_OK &&
        sg_buf_add(&b, data, size) == SG_OK) {
        memcpy(b.data + 16, d + 7, 64);
        memset(&v, 0, sizeof(v));
        if (sg_layer_cache__decode(&v, &charged, &w, &nw, b.data, b.len, blob,
                                   diff) == SG_OK)
            sg_strv_free_n(w, nw);
        sg_layer_view_release(&v);
    }
    sg_buf_release(&b);
    free(blob);
    free(diff);
    return 0;
}
