/* libFuzzer harness: the certificate-extension reader of keyless
 * verification (verify/sigstore_cert.c sg_sigstore_identity_read: the
 * SAN as URI, email or Sigstore otherName, the OIDC issuer extensions
 * 1.3.6.1.4.1.57264.1.8 / .1.1 and the GitHub workflow extensions
 * .1.2-.1.6) over a DER certificate of untrusted bytes, or over
 * extension values from the input (cert_of_records). Seeds:
 * testdata/fuzz/sigstore_cert_ext/ (Fulcio leaves of the conformance
 * bundles and of testdata/keyless-image). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "verify/sigstore_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A read string must be a C string of its own (no embedded NUL can
 * shorten it: dup_n refuses those). */
static void check_str(const char *s)
{
    if (s && strlen(s) > (1u << 20))
        abort();
}

/* Input that is not a DER certificate: records [which:1][len:2][bytes],
 * each added to an empty certificate as the raw value of one extension
 * (the SAN or a Fulcio OID), so the reader's DER decoding of extension
 * values sees fuzzed bytes that d2i_X509 would rarely let through. */
static X509 *cert_of_records(const uint8_t *data, size_t size)
{
    static const char *const oids[] = {
        "2.5.29.17",
        "1.3.6.1.4.1.57264.1.1",
        "1.3.6.1.4.1.57264.1.2",
        "1.3.6.1.4.1.57264.1.3",
        "1.3.6.1.4.1.57264.1.4",
        "1.3.6.1.4.1.57264.1.5",
        "1.3.6.1.4.1.57264.1.6",
        "1.3.6.1.4.1.57264.1.8",
    };
    X509 *x = X509_new();

    while (x && size >= 3) {
        size_t n = (size_t)data[1] << 8 | data[2];
        ASN1_OBJECT *o = OBJ_txt2obj(oids[data[0] % 8], 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        X509_EXTENSION *e = NULL;

        data += 3;
        size -= 3;
        if (n > size)
            n = size;
        if (o && os && ASN1_OCTET_STRING_set(os, data, (int)n))
            e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
        if (e)
            X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(o);
        data += n;
        size -= n;
    }
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    struct sg_sigstore_identity id;
    X509 *x;

    if (size > (1u << 20))
        return 0;
    x = d2i_X509(NULL, &p, (long)size);
    if (!x && size && data[0] != 0x30) /* not DER: records */
        x = cert_of_records(data, size);
    if (x) {
        if (sg_sigstore_identity_read(&id, x) == SG_OK) {
            if (!id.san)
                abort(); /* SG_OK promises a SAN */
            check_str(id.san);
            check_str(id.issuer);
            for (int i = 0; i < SG_GH_N; i++)
                check_str(id.gh[i]);
            sg_sigstore_identity_release(&id);
            if (id.san || id.issuer)
                abort(); /* release clears */
        } else if (id.san || id.issuer || id.gh[SG_GH_REF]) {
            abort(); /* failure leaves nothing behind */
        }
    }
    X509_free(x);
    ERR_clear_error();
    sg_error_clear();
    return 0;
}
