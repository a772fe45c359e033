/*
 * Fuzz what verify and sign read from a store: the input is a .sig
 * manifest, a NUL byte, then a payload blob. Both are put in an in-memory
 * store; sg_verify_image checks every layer (the payload through
 * sg_verify_claims when a descriptor names it), sg_sign_append_layer
 * parses and rebuilds the manifest. Nothing may crash or pass wrongly:
 * the key is fresh, so no layer can verify.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sigil/verify.h"
#include "sign/sign_int.h"
#include "tests/unit/sign_memstore.h"

#define IMG \
    "sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81"
#define TAG \
    "sha256-071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81.sig"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sg_sign_key *key;
    const uint8_t *nul = memchr(data, 0, size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    struct sg_oci_store *s;
    struct sg_verify_result r;
    const struct sg_sign_annotation a = { "dev.cosignproject.cosign/signature",
                                          "AAAA" };

    if (!key && sg_sign_key_generate(&key) != SG_OK)
        return 0;
    s = memstore_new();
    if (nul)
        if (sg_oci_store_put_blob_buf(s, nul + 1, size - mlen - 1, NULL) !=
            SG_OK) {
        }
    if (sg_oci_store_put_manifest(s, TAG, SG_MT_OCI_MANIFEST, data, mlen,
                                  NULL) != SG_OK) {
    }
    if (sg_verify_image(&r, s, IMG, key, NULL) == SG_OK)
        __builtin_trap(); /* nothing here is signed by this key */
    sg_verify_result_release(&r);
    if (sg_sign_append_layer(s, IMG, "sig", "p", 1, SG_MT_SIMPLESIGNING, &a,
                             1) != SG_OK) {
    }
    if (nul)
        if (sg_verify_claims(nul + 1, size - mlen - 1, IMG, NULL) != SG_OK) {
        }
    sg_oci_store_free(s);
    sg_error_clear();
    return 0;
}
