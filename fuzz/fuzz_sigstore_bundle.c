/* libFuzzer harness: Sigstore bundle reading for keyless verification
 * (the shared bundle reader verify/bundle.c, tlog entry parser,
 * body matcher, Merkle and checkpoint code, certificate-extension
 * reader), against an empty trusted root: nothing can verify, but every
 * parser runs on the untrusted bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/x509.h>

#include "verify/sigstore_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cert_ext(const json_t *vm)
{
    const json_t *raw =
        json_object_get(json_object_get(vm, "certificate"), "rawBytes");
    struct sg_buf d = SG_BUF_INIT(1u << 20);
    struct sg_sigstore_identity id;
    const unsigned char *p;
    X509 *x = NULL;

    if (json_is_string(raw) && !sg_base64_decode(&d, json_string_value(raw),
                                                 json_string_length(raw))) {
        p = (const unsigned char *)d.data;
        x = d2i_X509(NULL, &p, (long)d.len);
    }
    if (x && sg_sigstore_identity_read(&id, x) == SG_OK) {
        if (!id.san)
            abort();
        sg_sigstore_identity_release(&id);
    }
    X509_free(x);
    sg_buf_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rc = 0; /* results are not interesting, only that they return */
    struct sg_sigstore_trust empty = { 0 };
    struct sg_sigstore_policy pol = { 0 };
    struct sg_sigstore_artifact art = { 0 };
    struct sg_sigstore_result res;
    struct sg_sigstore_signed g = { 0 };
    struct sg_sigstore_tlog_entry e;
    struct sg_sigstore_checkpoint cp;
    const json_t *vm, *tl;
    json_t *b = NULL;

    if (size > (1u << 20) ||
        sg_json_parse(&b, data, size, 1u << 20, 0, "fuzz") != SG_OK) {
        sg_error_clear();
        return 0;
    }
    pol.id.identity = "x";
    pol.id.issuer = "y";
    art.data = (const unsigned char *)"a";
    art.len = 1;
    if (sg_sigstore_verify(&empty, b, &art, &pol, &res) == SG_OK)
        abort(); /* nothing verifies against an empty root */
    vm = json_object_get(b, "verificationMaterial");
    cert_ext(vm);
    tl = json_object_get(vm, "tlogEntries");
    g.sig = (const unsigned char *)"sig";
    g.sig_len = 3;
    g.key_der = (const unsigned char *)"key";
    g.key_der_len = 3;
    for (size_t i = 0; i < json_array_size(tl) && i < 4; i++) {
        if (sg_sigstore_tlog_entry_parse(&e, json_array_get(tl, i)) != SG_OK)
            continue;
        rc |= sg_sigstore_body_match(&e, &g);
        if (e.has_proof)
            rc |= sg_sigstore_merkle_verify(
                e.body.data, e.body.len, (uint64_t)e.proof_index, e.tree_size,
                (const unsigned char(*)[32])e.hashes, e.n_hashes, e.root_hash);
        if (e.checkpoint)
            rc |= sg_sigstore_checkpoint_parse(&cp, e.checkpoint,
                                               strlen(e.checkpoint));
        sg_sigstore_tlog_entry_release(&e);
    }
    json_decref(b);
    (void)rc;
    sg_error_clear();
    return 0;
}
