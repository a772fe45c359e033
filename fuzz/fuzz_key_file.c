/*
 * Fuzz the key-file parsers: PEM framing, the encrypted cosign.key JSON
 * (kdf/cipher/params/base64 fields), PKCS#8 (incl. the v2 Ed25519 form),
 * public keys and certificates. Untrusted bytes must never crash; a key
 * that loads must be usable.
 */
#include <stddef.h>
#include <stdint.h>

#include "sigil/sign.h"
#include "sign/sign_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sg_sign_key *k = NULL;
    struct sg_buf b = SG_BUF_INIT(SG_BUF_NOLIMIT);

    if (sg_sign_key_load_private(&k, data, size, "hello", 5) == SG_OK) {
        if (sg_sign_key_public_pem(&b, k) == SG_OK)
            sg_buf_reset(&b);
        if (sg_sign_key_sign(&b, k, "m", 1) == SG_OK &&
            sg_sign_key_verify(k, "m", 1, b.data, b.len) != SG_OK)
            __builtin_trap(); /* a loaded key must verify its own sig */
    }
    sg_sign_key_free(k);
    k = NULL;
    sg_buf_reset(&b);
    if (sg_sign_key_load_public(&k, data, size) == SG_OK)
        if (sg_sign_key_verify(k, "m", 1, data, size) != SG_OK) {
        }
    sg_sign_key_free(k);
    /* The decrypted-JSON layer on its own (wrong password: cheap). */
    sg_buf_reset(&b);
    if (sg_sign__decrypt_cosign_key(&b, data, size, "x", 1) != SG_OK) {
    }
    sg_buf_release(&b);
    sg_error_clear();
    return 0;
}
