/*
 * Streaming content digests ("sha256:<hex>") over OpenSSL EVP, and the
 * strict digest-string validator used for every descriptor we read.
 */
#include "sigil/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct sg_digester {
    EVP_MD_CTX *ctx;
    char algo[8]; /* "sha256" or "sha512" */
};

sg_err sg_digester_create(struct sg_digester **out, const char *algo)
{
    struct sg_digester *d;
    const EVP_MD *md;

    *out = NULL;
    if (strcmp(algo, "sha256") == 0)
        md = EVP_sha256();
    else if (strcmp(algo, "sha512") == 0)
        md = EVP_sha512();
    else
        return sg_error_set(SG_EUNSUPPORTED, "unsupported digest algorithm %s",
                            algo);
    d = calloc(1, sizeof(*d));
    if (!d)
        return sg_error_oom();
    snprintf(d->algo, sizeof(d->algo), "%s", algo);
    d->ctx = EVP_MD_CTX_new();
    if (!d->ctx || EVP_DigestInit_ex(d->ctx, md, NULL) != 1) {
        sg_digester_free(d);
        return sg_error_openssl("digest init");
    }
    *out = d;
    return SG_OK;
}

sg_err sg_digester_update(struct sg_digester *d, const void *p, size_t len)
{
    if (len && EVP_DigestUpdate(d->ctx, p, len) != 1)
        return sg_error_openssl("digest update");
    return SG_OK;
}

sg_err sg_digester_final(struct sg_digester *d, char *out, size_t cap)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    size_t pos;

    if (EVP_DigestFinal_ex(d->ctx, md, &n) != 1)
        return sg_error_openssl("digest final");
    pos = strlen(d->algo);
    if (cap < pos + 2 + 2 * (size_t)n)
        return sg_error_set(SG_EINVAL, "digest output buffer too small");
    memcpy(out, d->algo, pos);
    out[pos++] = ':';
    sg_hex_encode(out + pos, md, n);
    return SG_OK;
}

void sg_digester_free(struct sg_digester *d)
{
    if (!d)
        return;
    EVP_MD_CTX_free(d->ctx);
    free(d);
}

sg_err sg_sha256_digest(char out[SG_DIGEST_STR_MAX], const void *p, size_t len)
{
    struct sg_digester *d = NULL;
    sg_err rc = sg_digester_create(&d, "sha256");

    if (!rc)
        rc = sg_digester_update(d, p, len);
    if (!rc)
        rc = sg_digester_final(d, out, SG_DIGEST_STR_MAX);
    sg_digester_free(d);
    return rc;
}

int sg_digest_valid(const char *s)
{
    size_t want, i;
    const char *h;

    if (!s)
        return 0;
    if (strncmp(s, "sha256:", 7) == 0) {
        want = 64;
        h = s + 7;
    } else if (strncmp(s, "sha512:", 7) == 0) {
        want = 128;
        h = s + 7;
    } else {
        return 0;
    }
    for (i = 0; h[i]; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return 0;
    }
    return i == want;
}
