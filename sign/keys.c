/* STUB: cosign-compatible keys (to be implemented). */
#include "sigil/sign.h"

#include <stdlib.h>

sg_err sg_sign_key_load_private(struct sg_sign_key **out, const void *pem,
                                size_t len, const char *password,
                                size_t pw_len)
{
    (void)pem;
    (void)len;
    (void)password;
    (void)pw_len;
    *out = NULL;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

sg_err sg_sign_key_load_public(struct sg_sign_key **out, const void *pem,
                               size_t len)
{
    (void)pem;
    (void)len;
    *out = NULL;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

sg_err sg_sign_key_generate(struct sg_sign_key **out)
{
    *out = NULL;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

void sg_sign_key_free(struct sg_sign_key *k)
{
    free(k);
}

sg_err sg_sign_key_public_pem(struct sg_buf *out, const struct sg_sign_key *k)
{
    (void)out;
    (void)k;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

sg_err sg_sign_key_encrypt(struct sg_buf *out, const struct sg_sign_key *k,
                           const char *password, size_t pw_len)
{
    (void)out;
    (void)k;
    (void)password;
    (void)pw_len;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

sg_err sg_sign_key_sign(struct sg_buf *sig_out, const struct sg_sign_key *k,
                        const void *msg, size_t len)
{
    (void)sig_out;
    (void)k;
    (void)msg;
    (void)len;
    return sg_error_set(SG_EUNSUPPORTED, "keys not implemented yet");
}

sg_err sg_sign_key_verify(const struct sg_sign_key *k, const void *msg,
                          size_t len, const void *sig, size_t sig_len)
{
    (void)k;
    (void)msg;
    (void)len;
    (void)sig;
    (void)sig_len;
    return sg_error_set(SG_EVERIFY, "keys not implemented yet");
}
