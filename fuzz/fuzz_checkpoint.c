/* libFuzzer harness: checkpoint (C2SP signed note) parser and the
 * signature-line scan of the verifier (verify/sigstore_tlog.c), with a
 * fixed Ed25519 log key so that key-hint matching is reached. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify/sigstore_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rc = 0; /* results are not interesting, only that they return */
    /* RFC 8032 test 1 public key; key id as Rekor v2 logs carry it */
    static const unsigned char pub[32] = {
        0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
        0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
        0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a
    };
    struct sg_sigstore_log log = {
        { 0x42, 0x42, 0x42, 0x42 }, 32, NULL, { 0, 0, 0 }, NULL
    };
    struct sg_sigstore_checkpoint cp;

    if (sg_sigstore_checkpoint_parse(&cp, (const char *)data, size) == SG_OK) {
        if (!cp.origin[0] || memchr(cp.origin, '\n', strlen(cp.origin)))
            abort();
    }
    log.key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    if (log.key)
        rc |=
            sg_sigstore_checkpoint_verify(&cp, (const char *)data, size, &log);
    EVP_PKEY_free(log.key);
    (void)rc;
    sg_error_clear();
    return 0;
}
