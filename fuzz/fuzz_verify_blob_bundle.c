/* libFuzzer harness: sg_verify_blob_bundle() on untrusted bundle bytes —
 * the shared bundle reader, cosign's older sign-blob bundle (restated as
 * v0.1), then the keyless checks — against the built-in public-good root
 * in both modes (identity policy and a key). The artifact is bytes no
 * real signature covers, so nothing may verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigil/sign.h"
#include "sigil/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sg_sigstore_trust *root;
static struct sg_sign_key *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char art[] = "sigil fuzz artifact";
    struct sg_verify_identity id = { .identity_regexp = ".",
                                     .issuer_regexp = "." };
    struct sg_verify_bundle_opts o = { 0 };
    struct sg_verify_bundle_result res;
    unsigned char sha[32] = { 0 };

    if (!root) {
        size_t n;
        const unsigned char *pg = sg_verify_trust_builtin(&n, NULL);
        if (sg_sigstore_trust_parse(&root, pg, n) != SG_OK ||
            sg_sign_key_generate(&key) != SG_OK)
            abort();
    }
    if (size > (1u << 20))
        return 0;
    o.root = root;
    o.identity = &id;
    if (sg_verify_blob_bundle(&res, data, size, art, sizeof(art) - 1, NULL,
                              &o) == SG_OK)
        abort();
    o.attestation = 1;
    o.type = "slsaprovenance";
    if (sg_verify_blob_bundle(&res, data, size, NULL, 0, sha, &o) == SG_OK)
        abort();
    o.identity = NULL;
    o.key = key;
    o.ignore_tlog = 1;
    o.attestation = 0;
    if (sg_verify_blob_bundle(&res, data, size, art, sizeof(art) - 1, NULL,
                              &o) == SG_OK)
        abort();
    sg_error_clear();
    return 0;
}
